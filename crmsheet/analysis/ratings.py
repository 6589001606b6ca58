"""A/B/C ratings that explain themselves.

"Customers are not created equal": revenue decides first (Pareto over the rating window:
A = the customers who make the top 80 % of revenue, B = the next 15 %, C = the rest). Then
a customer is pulled down one step for each behaviour that costs more than it pays: support
demand far above what it pays for, and grinding on price. A rating set by hand wins. Every
step is written out in ``reasons``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..config import Settings
from ..cutoff import day_after
from .columns import Column, count, flag, money, rate, share, text
from .text import each_value

__all__ = ["RATING_COLUMNS", "pareto_classes", "rate_customers", "rating_columns"]


def rating_columns(window_days: int = 365) -> dict[str, Column]:
    """The ratings table's columns as a reader sees them; the window is in the headers."""
    window = "12 months" if window_days == 365 else f"{window_days} days"
    return {
        "rating": text("Rating"), "revenue_rating": text("Revenue rating"),
        "reasons": text("Why this rating"), "rating_before": text("Rating before"),
        "changed": flag("Rating changed"), "revenue_window": money(f"Revenue ({window})"),
        "revenue_share": share("Share of revenue"),
        "cumulative_share": share("Cumulative share"),
        "support_cases": count(f"Support cases ({window})"),
        "support_minutes": count(f"Support minutes ({window})"),
        "support_per_1000": rate("Support per 1,000 revenue"),
        "average_discount": share("Average discount"),
        "quote_reduction": share("Invoice under quote"), "downgrades": count("Steps down"),
    }  # fmt: skip


RATING_COLUMNS = list(rating_columns())

_STEP_DOWN = {"A": "B", "B": "C", "C": "C"}


def pareto_classes(revenue: pd.Series, *, a: float, b: float) -> pd.DataFrame:
    """A/B/C by cumulative share of revenue, biggest first.

    A customer is A when the customers ranked above it make less than ``a`` of the total
    (so the one who crosses 80 % is still A), B below ``b``, else C. Equal revenues get the
    same class (a tie at the cut-off does not split). No revenue is C.

    >>> pareto_classes(pd.Series([50.0, 30, 15, 5]), a=0.8, b=0.95)["class"].tolist()
    ['A', 'A', 'B', 'C']
    """
    positive = revenue.clip(lower=0.0).fillna(0.0)
    total = float(positive.sum())
    out = pd.DataFrame(index=revenue.index)
    if total <= 0:
        out["share"] = np.nan
        out["cumulative_share"] = np.nan
        out["class"] = "C"
        return out
    order = positive.sort_values(ascending=False, kind="stable")
    share = order / total
    before = share.cumsum() - share
    before = before.groupby(order.to_numpy()).transform("min")  # ties share the better class
    cls = np.where(before < a, "A", np.where(before < b, "B", "C"))
    cls = np.where(order.to_numpy() > 0, cls, "C")
    out["share"] = share.reindex(revenue.index)
    out["cumulative_share"] = share.cumsum().reindex(revenue.index)
    out["class"] = pd.Series(cls, index=order.index).reindex(revenue.index)
    return out


def rate_customers(
    metrics: pd.DataFrame,
    table: pd.DataFrame,
    support: pd.DataFrame,
    *,
    as_of: date,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Rate every customer A, B or C (prospects: "unrated"), with the reasons.

    ``table`` is the :func:`~crmsheet.analysis.metrics.invoices` table and ``support`` the
    support log, both on or before ``as_of`` (:func:`crmsheet.cutoff.until`; undated
    support cases kept: they count as recent). Columns (:data:`RATING_COLUMNS`): rating,
    revenue_rating (before adjustments), reasons (plain English), rating_before (the
    sheet's), changed, revenue_window, revenue_share, cumulative_share, support_cases and
    support_minutes (in the window), support_per_1000 (cases, or minutes when the log has
    minutes, per 1,000 of revenue), average_discount (discount given / list value),
    quote_reduction (how far invoices came in under the quotes with the same number),
    downgrades (0-2).
    """
    settings = settings or Settings()
    # the window: the N days up to and including as_of (the inputs end at as_of)
    start = day_after(as_of) - pd.Timedelta(days=settings.rating_window_days)
    window_label = _window_label(settings.rating_window_days)
    idx = metrics.index
    revenue = metrics["revenue_12m"] if settings.rating_window_days == 365 else _window_revenue(
        table, idx, start)  # fmt: skip
    classes = pareto_classes(revenue, a=settings.pareto_a, b=settings.pareto_b)
    bought = metrics["transactions"] > 0
    base = classes["class"].where(bought, "unrated")

    out = pd.DataFrame(index=idx)
    out["revenue_window"] = revenue.astype(float)
    out["revenue_share"] = classes["share"]
    out["cumulative_share"] = classes["cumulative_share"]
    out["revenue_rating"] = base

    cases, minutes = _support_in_window(support, idx, start)
    out["support_cases"] = cases
    out["support_minutes"] = minutes
    demand = minutes if minutes.sum() > 0 else cases
    unit = "minutes" if minutes.sum() > 0 else "cases"
    per_1000 = (demand / revenue.where(revenue > 0) * 1000.0).where(demand > 0)
    out["support_per_1000"] = per_1000
    typical = float(per_1000.median()) if per_1000.notna().any() else np.nan
    heavy = per_1000 > settings.support_multiple * typical
    per_year = cases * 365.0 / settings.rating_window_days
    tier = metrics["support_tier"].astype("string").str.lower() if "support_tier" in metrics else (
        pd.Series(pd.NA, index=idx, dtype="string"))  # fmt: skip
    premium_on_base = (tier == "base").fillna(False) & (per_year >= settings.premium_cases_per_year)

    discount, reduction = _price_grinding(table, idx, start)
    out["average_discount"] = discount
    out["quote_reduction"] = reduction
    grinding = (discount > settings.discount_threshold) | (reduction > settings.discount_threshold)

    support_hit = (heavy | premium_on_base).fillna(False) & bought
    grind_hit = grinding.fillna(False) & bought
    out["downgrades"] = support_hit.astype(int) + grind_hit.astype(int)

    # the reasons, in the order the steps were applied
    money = _whole(revenue)
    share = (classes["cumulative_share"] * 100).round().astype("Int64").astype("string")
    earned = base + " on revenue (" + money + " " + window_label + ", top " + share.fillna("")
    earned = earned + " % cumulative)"
    reasons = pd.Series(
        np.where(~bought, "no purchases yet",
                 np.where(revenue > 0, earned, "C: no revenue " + window_label)),
        index=idx, dtype=object,
    )  # fmt: skip
    heavy_now = support_hit & heavy.fillna(False)
    premium_now = support_hit & ~heavy_now
    discount_now = grind_hit & (discount > settings.discount_threshold).fillna(False)
    quotes_now = grind_hit & ~discount_now
    steps = [  # numbers are formatted only where the step applies
        (heavy_now, "heavy support demand (" + _whole(demand, heavy_now)
         + f" support {unit} {window_label}, over {settings.support_multiple:g}x the usual "
         "for the revenue)"),
        (premium_now, "premium-level support (" + _whole(cases, premium_now)
         + f" cases {window_label}) on the base tier"),
        (discount_now, "grinds on price (average discount " + _whole(discount * 100, discount_now)
         + " %)"),
        (quotes_now, "grinds on price (invoices " + _whole(reduction * 100, quotes_now)
         + " % under their quotes)"),
    ]  # fmt: skip
    rating = base.copy()
    for hit, step in steps:  # the two support masks exclude each other, as do the two price ones
        lowered = rating.map(_STEP_DOWN).fillna(rating)
        effect = np.where(rating == "C", ": already C", ": down one to " + lowered)
        reasons = reasons.where(~hit, reasons + "; " + step + effect)
        rating = rating.where(~hit, lowered)

    override = _valid_rating(metrics.get("rating_override"), idx)
    by_hand = override.notna()
    rating = rating.where(~by_hand, override)
    reasons = reasons.where(~by_hand, "set by hand (" + override.astype("string") + "); "
                            + reasons)  # fmt: skip
    out["rating"] = rating
    out["reasons"] = reasons
    before = _valid_rating(metrics.get("rating"), idx)
    out["rating_before"] = before
    out["changed"] = before.notna() & (before != rating)
    return out[RATING_COLUMNS]


def _whole(values: pd.Series, where: pd.Series | None = None) -> pd.Series:
    """Numbers as text with thousands separators ("2,510"); object dtype even when empty.

    With ``where``, only those rows are formatted (the others are "").
    """
    if where is None:
        return each_value(values, lambda v: f"{v:,.0f}")
    out = pd.Series("", index=values.index, dtype=object)
    out[where] = [f"{v:,.0f}" for v in values[where].tolist()]
    return out


def _window_label(days: int) -> str:
    return "in the last 12 months" if days == 365 else f"in the last {days} days"


def _valid_rating(values: pd.Series | None, idx: pd.Index) -> pd.Series:
    if values is None or not values.notna().any():  # no rating column, or an empty one
        return pd.Series(pd.NA, index=idx, dtype=object)
    v = values.astype(object)
    return v.where(v.isin(["A", "B", "C"]), pd.NA)


def _window_revenue(inv: pd.DataFrame, idx: pd.Index, start: pd.Timestamp) -> pd.Series:
    inv = inv.loc[(inv["kind"] != "quote") & (inv["date"] >= start)]
    return inv.groupby("customer_key")["amount"].sum().reindex(idx, fill_value=0.0)


def _support_in_window(
    support: pd.DataFrame, idx: pd.Index, start: pd.Timestamp
) -> tuple[pd.Series, pd.Series]:
    zero = pd.Series(0.0, index=idx)
    if support is None or support.empty:
        return zero, zero.copy()
    s = support
    if "date" in s and s["date"].notna().any():  # undated cases count as recent
        s = s.loc[s["date"].isna() | (s["date"] >= start)]
    cases = s["cases"].astype(float).fillna(1.0) if "cases" in s else pd.Series(1.0, index=s.index)
    minutes = s["minutes"].astype(float).fillna(0.0) if "minutes" in s else 0.0 * cases
    by = s["customer_key"]
    return (cases.groupby(by).sum().reindex(idx, fill_value=0.0),
            minutes.groupby(by).sum().reindex(idx, fill_value=0.0))  # fmt: skip


def _price_grinding(
    inv: pd.DataFrame, idx: pd.Index, start: pd.Timestamp
) -> tuple[pd.Series, pd.Series]:
    """(average discount, invoice-under-quote reduction) per customer, in the window."""
    nan = pd.Series(np.nan, index=idx)
    if inv.empty:
        return nan, nan.copy()
    inv = inv.loc[inv["date"] >= start]
    sold = inv.loc[inv["kind"] == "invoice"]
    gross = sold.groupby("customer_key")["gross"].sum()
    given = sold.groupby("customer_key")["discounted"].sum()
    discount = (given / gross.where(gross > 0)).reindex(idx)
    quotes = inv.loc[inv["kind"] == "quote", ["customer_key", "invoice", "amount"]]
    matched = quotes.merge(
        sold[["customer_key", "invoice", "amount"]],
        how="inner",
        on=["customer_key", "invoice"],
        suffixes=("_quote", "_invoice"),
    )
    if matched.empty:
        return discount, nan.copy()
    q = matched.groupby("customer_key")[["amount_quote", "amount_invoice"]].sum()
    reduction = 1.0 - q["amount_invoice"] / q["amount_quote"].where(q["amount_quote"] > 0)
    return discount, reduction.clip(lower=0.0).reindex(idx)
