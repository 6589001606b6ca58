"""Which channels bring customers worth what they cost? Revenue and ROI per source and campaign.

"Source (referral, marketing campaign, web, phone call, etc) - to evaluate your ROI on
different channels." Money spent on a channel that brought nobody is the most important line,
so spend that matches no customer still gets its own row.

Rules:

- A customer counts for the source written on them; no source is ``(unknown)``. A customer
  is *new* (acquired) once they have a first purchase or any transactions; the others are
  ``prospects``.
- Spend matches a customer's source, and their campaign when the spend row names one.
  Matching ignores case and surrounding spaces ("Google Ads" = "google ads "); the label
  shown is the customers' spelling. A spend row without a source takes the source of the
  customers who came through its campaign when they all share one, else ``(unknown)``.
- Periods: all spend up to ``as_of`` counts against every customer the channel brought
  (marketing builds awareness that converts later, so matching by period would understate
  cost). A period that runs past ``as_of`` counts pro rata by calendar days; one that starts
  after ``as_of`` does not count.
- ``roi`` = (revenue - spend) / spend. With no recorded spend (or spend 0) the cost is
  unknown, not free: ``roi``, ``roi_first_12m`` and ``cost_per_acquisition`` are NaN.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .columns import Column, count, money, share, text

__all__ = ["ROI_COLUMNS", "ROI_SHOWN", "SPEND_COLUMNS", "source_roi", "source_roi_headline"]

#: The spend frame's columns.
SPEND_COLUMNS = ["source", "campaign", "period_start", "period_end", "amount"]

#: The ROI table's columns.
ROI_SHOWN: dict[str, Column] = {
    "source": text("Source"), "campaign": text("Campaign"),
    "new_customers": count("New customers"), "prospects": count("Prospects"),
    "revenue": money("Revenue (lifetime)"),
    "revenue_first_12m": money("Revenue (first 12 months)"),
    "revenue_per_customer": money("Revenue per customer (lifetime)"),
    "spend": money("Marketing spend"), "cost_per_acquisition": money("Cost per new customer"),
    "roi": share("Return on spend (lifetime)"),
    "roi_first_12m": share("Return on spend (first 12 months)"),
}  # fmt: skip
ROI_COLUMNS = list(ROI_SHOWN)

UNKNOWN = "(unknown)"
NO_CAMPAIGN = "(no campaign)"

_SUMS = ["new_customers", "prospects", "revenue", "revenue_first_12m", "spend"]


def source_roi(
    metrics: pd.DataFrame, spend: pd.DataFrame | None = None, *, as_of: date
) -> pd.DataFrame:
    """Customers, revenue, spend and ROI per source, with its campaigns beneath it.

    One row per source (``campaign`` NA: the source's total), followed, when the source has
    named campaigns, by one row per campaign and a ``(no campaign)`` row for the rest, so the
    campaign rows add up to the total. Sources are sorted by revenue, biggest first, and so
    are the campaigns within one. ``spend`` may be None or empty (no spend data).

    >>> cols = ["source", "campaign", "new_customers", "revenue", "spend", "roi"]
    >>> source_roi(metrics, spend, as_of=date(2025, 6, 30))[cols]  # doctest: +SKIP
      source       campaign  new_customers  revenue  spend  roi
    0    web            NaN              2   1500.0  300.0  4.0
    1    web         spring              1   1000.0  200.0  4.0
    2    web  (no campaign)              1    500.0  100.0  4.0
    3     tv            NaN              0      0.0  400.0 -1.0
    4  radio            NaN              0      0.0    0.0  NaN
    """
    as_of_ts = pd.Timestamp(as_of)
    bought = metrics["first_purchase"].notna() | (metrics["transactions"].fillna(0) > 0)
    customers = pd.DataFrame({
        "source": _text(metrics["source"]),
        "campaign": _text(metrics["campaign"]),
        "new_customers": bought.astype("int64").to_numpy(),
        "prospects": (~bought).astype("int64").to_numpy(),
        "revenue": metrics["revenue"].astype(float).fillna(0.0).to_numpy(),
        "revenue_first_12m": metrics["revenue_first_12m"].astype(float).fillna(0.0).to_numpy(),
        "spend": 0.0,
    })  # fmt: skip
    costs = _spend_to_date(spend, as_of_ts)
    rows = pd.concat([customers, costs], ignore_index=True)
    rows["source_key"] = _key(rows["source"])
    rows["campaign_key"] = _key(rows["campaign"])
    # spend without a source: the source of its campaign's customers, when they agree
    known = rows.loc[rows["new_customers"].add(rows["prospects"]).gt(0)
                     & rows["source_key"].notna() & rows["campaign_key"].notna()]  # fmt: skip
    by_campaign = known.groupby("campaign_key")["source_key"].agg(["nunique", "first"])
    sole = by_campaign.loc[by_campaign["nunique"] == 1, "first"]
    guess = rows["campaign_key"].map(sole)
    orphan = rows["source_key"].isna() & guess.notna()
    rows.loc[orphan, "source_key"] = guess[orphan]
    rows["source_key"] = rows["source_key"].fillna("\x00unknown")
    # labels: the customers' spelling first (customer rows come first), then the spend's
    rows["source"] = rows.groupby("source_key")["source"].transform("first").fillna(UNKNOWN)

    totals = rows.groupby("source_key", sort=False).agg(
        source=("source", "first"), **{c: (c, "sum") for c in _SUMS},
        has_campaigns=("campaign_key", "count"),
    ).reset_index()  # fmt: skip
    totals["campaign"] = pd.NA

    named = rows.loc[rows["source_key"].isin(totals.loc[totals["has_campaigns"] > 0,
                                                        "source_key"])].copy()  # fmt: skip
    named["campaign_key"] = named["campaign_key"].fillna("\x00none")
    named["campaign"] = named["campaign"].fillna(NO_CAMPAIGN)
    campaigns = named.groupby(["source_key", "campaign_key"], sort=False).agg(
        source=("source", "first"), campaign=("campaign", "first"),
        **{c: (c, "sum") for c in _SUMS},
    ).reset_index()  # fmt: skip

    # order: sources by revenue, each followed by its campaigns by revenue
    totals = totals.sort_values(
        ["revenue", "new_customers", "spend", "source"],
        ascending=[False, False, False, True], kind="stable",
    )  # fmt: skip
    place = pd.Series(np.arange(len(totals)), index=totals["source_key"].to_numpy())
    totals["_place"], totals["_level"] = place.to_numpy(), 0
    campaigns["_place"], campaigns["_level"] = campaigns["source_key"].map(place), 1
    out = pd.concat([totals, campaigns], ignore_index=True).sort_values(
        ["_place", "_level", "revenue", "new_customers", "spend", "campaign"],
        ascending=[True, True, False, False, False, True], kind="stable",
    )  # fmt: skip

    customers_n = out["new_customers"].where(out["new_customers"] > 0)
    paid = out["spend"].where(out["spend"] > 0)
    out["revenue_per_customer"] = out["revenue"] / customers_n
    out["cost_per_acquisition"] = paid / customers_n
    out["roi"] = (out["revenue"] - paid) / paid
    out["roi_first_12m"] = (out["revenue_first_12m"] - paid) / paid
    out["source"] = out["source"].astype("str")
    out["campaign"] = out["campaign"].astype("str")
    for col in ("new_customers", "prospects"):
        out[col] = out[col].astype("int64")
    return out[ROI_COLUMNS].reset_index(drop=True)


def source_roi_headline(table: pd.DataFrame) -> dict[str, Any]:
    """The ROI table in one line: the best channel, and what was spent for what.

    Keys: ``top_source`` (the source with the highest known ROI, None when no source has
    one), ``top_roi``, ``total_spend``, ``new_customers``, and ``spend_without_customers``
    (spend on sources that brought nobody).

    >>> source_roi_headline(source_roi(metrics, spend, as_of=date(2025, 6, 30)))
    ... # doctest: +SKIP
    {'top_source': 'web', 'top_roi': 4.0, 'total_spend': 700.0, 'new_customers': 2,
     'spend_without_customers': 400.0}
    """
    totals = table.loc[table["campaign"].isna()]
    known = totals.loc[totals["roi"].notna()]
    best = known.sort_values("roi", ascending=False, kind="stable").head(1)
    barren = totals["new_customers"] == 0
    return {
        "top_source": str(best["source"].iloc[0]) if len(best) else None,
        "top_roi": float(best["roi"].iloc[0]) if len(best) else math.nan,
        "total_spend": float(totals["spend"].sum()),
        "new_customers": int(totals["new_customers"].sum()),
        "spend_without_customers": float(totals.loc[barren, "spend"].sum()),
    }


def _spend_to_date(spend: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """Spend rows as ROI rows: the amount up to ``as_of``, pro rata by calendar days."""
    if spend is None or spend.empty:
        return pd.DataFrame({
            "source": pd.Series(dtype=object), "campaign": pd.Series(dtype=object),
            "new_customers": pd.Series(dtype="int64"), "prospects": pd.Series(dtype="int64"),
            "revenue": pd.Series(dtype=float), "revenue_first_12m": pd.Series(dtype=float),
            "spend": pd.Series(dtype=float),
        })  # fmt: skip
    start = pd.to_datetime(spend["period_start"]).dt.normalize()
    end = pd.to_datetime(spend["period_end"]).dt.normalize()
    day = pd.Timedelta(days=1)
    length = ((end - start) / day + 1).clip(lower=1)
    elapsed = ((end.clip(upper=as_of) - start) / day + 1).clip(lower=0)
    fraction = (elapsed / length).clip(upper=1).fillna(0.0)
    amount = pd.to_numeric(spend["amount"]).astype(float).fillna(0.0) * fraction
    n = len(spend)
    return pd.DataFrame({
        "source": _text(spend["source"]), "campaign": _text(spend["campaign"]),
        "new_customers": np.zeros(n, dtype="int64"), "prospects": np.zeros(n, dtype="int64"),
        "revenue": np.zeros(n), "revenue_first_12m": np.zeros(n),
        "spend": amount.to_numpy(dtype=float),
    })  # fmt: skip


def _text(values: pd.Series) -> pd.Series:
    """Stripped text as an object column; blank is missing."""
    text = values.astype("string").str.strip()
    text = text.where(text != "")
    return pd.Series(text.astype(object).where(text.notna(), None).to_numpy(), dtype=object)


def _key(values: pd.Series) -> pd.Series:
    """The matching key: case-folded text (None stays missing)."""
    return values.astype("string").str.casefold().astype(object).where(values.notna(), None)
