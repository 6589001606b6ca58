"""Per-customer metrics: when they bought, how often, how much. The base of every analysis.

Works from a transaction log alone (customers are derived from it), from a customer sheet
alone (its key dates and revenue/transactions columns), or from both, where the log wins.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..config import Settings
from ..cutoff import until
from ..statuses import not_revenue
from .columns import Column, count, day, days, money, rate, text

__all__ = [
    "CARRIED", "METRIC_COLUMNS", "CountedSales", "by_kind", "counted_sales", "customer_metrics",
    "invoices", "purchase_totals",
]  # fmt: skip

#: The per-customer figures as a reader sees them (with the customer's own fields shown).
METRIC_COLUMNS: dict[str, Column] = {
    "customer_key": text("Customer"), "name": text("Name"), "contact": text("Contact"),
    "email": text("Email"), "phone": text("Phone"), "next_follow_up": day("Next follow-up"),
    "revenue": money("Revenue (lifetime)"), "revenue_12m": money("Revenue (12 months)"),
    "revenue_first_12m": money("Revenue (first 12 months)"),
    "transactions": count("Purchases"), "average_transaction": money("Average purchase"),
    "first_purchase": day("First purchase"), "last_purchase": day("Last purchase"),
    "days_since_last": days("Days since last purchase"),
    "typical_gap_days": days("Usual days between purchases"),
    "expected_next": day("Next purchase expected"),
    "purchases_per_year": rate("Purchases a year"),
    "parent_group": text("Parent group"),
}  # fmt: skip

#: Customer-sheet columns carried into the metrics frame as they are.
CARRIED = [
    "name", "customer_id", "industry", "size_band", "market", "type", "source", "campaign",
    "referred_by", "referred_by_key", "parent_organization", "parent_key", "support_tier",
    "email", "phone", "next_follow_up", "rating", "rating_override", "contact",
]  # fmt: skip

_DAY = np.timedelta64(1, "D")


class CountedSales(NamedTuple):
    """The transactions as every figure counts them (:func:`counted_sales`)."""

    seen: pd.DataFrame
    """Rows on or before ``as_of``: who appears at all, unsold orders included."""
    unsold: pd.Series
    """True for the rows of ``seen`` whose status is not revenue (cancelled, refunded...)."""
    kinds: pd.Series
    """Each row's status kind (NA without a status column)."""
    log: pd.DataFrame
    """``seen`` without the unsold rows: the sales."""


def counted_sales(transactions: pd.DataFrame, *, as_of: date, settings: Settings) -> CountedSales:
    """The one cut every figure shares: rows on or before ``as_of``
    (:func:`crmsheet.cutoff.until`), then the statuses that are not revenue
    (``settings.excluded_statuses``) left out. :func:`crmsheet.analyze` and the check of the
    customer sheet's own totals (:mod:`crmsheet.checks.summaries`) both start here."""
    seen = until(transactions, as_of)
    unsold, kinds = not_revenue(seen, settings.status_codes, settings.excluded_statuses)
    log = seen.loc[~unsold] if unsold.any() else seen
    return CountedSales(seen, unsold, kinds, log)


def invoices(log: pd.DataFrame) -> pd.DataFrame:
    """Invoice lines combined per invoice number: one row per invoice, credit or quote.

    ``log`` is the transaction lines on or before ``as_of`` (:func:`crmsheet.cutoff.until`).
    Lines without a number are each their own transaction. The date is the invoice's
    earliest line date; the amount the sum of its lines; the kind the lines' kind (an
    invoice whose lines net to a negative amount is a credit). Columns: customer_key,
    invoice, date, amount, kind, gross (before discount), discounted (money given away in
    discounts).

    >>> invoices(until(lines, as_of))[["invoice", "amount"]]          # doctest: +SKIP
    """
    t = log
    if t.empty:
        return pd.DataFrame({
            "customer_key": pd.Series(dtype=object), "invoice": pd.Series(dtype=object),
            "date": pd.Series(dtype="datetime64[us]"), "amount": pd.Series(dtype=float),
            "kind": pd.Series(dtype=object), "gross": pd.Series(dtype=float),
            "discounted": pd.Series(dtype=float),
        })  # fmt: skip
    number = t["invoice"].astype("string").str.strip()
    numbered = (number.notna() & (number != "")).to_numpy()
    # a line without a number is a transaction of its own: its key is its position
    key = np.arange(len(t), dtype=np.int64)
    if numbered.any():
        key[numbered] = pd.factorize(number[numbered])[0] + len(t)
    gross = (t["quantity"] * t["unit_price"]).where(t["discount"].notna(), np.nan)
    gross = gross.fillna(t["amount"] / (1.0 - t["discount"].fillna(0.0).clip(upper=0.99)))
    frame = pd.DataFrame({
        "customer_key": t["customer_key"].astype(object).to_numpy(),
        "kind": t["kind"].astype(object).to_numpy(),
        "_key": key,
        "invoice": number.to_numpy(),
        "date": t["date"].to_numpy(),
        "amount": t["amount"].to_numpy(dtype=float),
        "gross": gross.to_numpy(dtype=float),
    })  # fmt: skip
    if not frame["_key"].duplicated().any():  # one row per invoice already: nothing to combine
        out = frame
    else:
        out = frame.groupby(["customer_key", "kind", "_key"], sort=False, observed=True).agg(
            invoice=("invoice", "first"), date=("date", "min"), amount=("amount", "sum"),
            gross=("gross", "sum"),
        ).reset_index()  # fmt: skip
    out["discounted"] = (out["gross"] - out["amount"]).clip(lower=0.0)
    negative = (out["kind"] == "invoice") & (out["amount"] < 0)
    out.loc[negative, "kind"] = "credit"
    out["date"] = out["date"].astype("datetime64[us]")
    cols = ["customer_key", "invoice", "date", "amount", "kind", "gross", "discounted"]
    return out[cols].sort_values(["customer_key", "date"], kind="stable").reset_index(drop=True)


def by_kind(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(money, bought) of an :func:`invoices` table: the two filters every analysis shares.

    ``money`` is revenue: invoices and credits (a quote is never revenue); ``bought`` the
    purchases among them: invoices of more than 0 only (a credit is not a customer buying,
    and neither is a 0.00 invoice: a free replacement or a voided draft is no purchase, so
    it moves no first or last purchase and counts in no frequency).
    """
    money = table.loc[table["kind"] != "quote"]
    return money, money.loc[(money["kind"] == "invoice") & money["amount"].gt(0)]


def purchase_totals(money: pd.DataFrame, bought: pd.DataFrame) -> pd.DataFrame:
    """Per customer (indexed by ``customer_key``): first_purchase and last_purchase (days),
    transactions (purchases) and revenue (net of credits), from :func:`by_kind` tables.

    Only customers with a purchase are listed (credits alone make no customer here). The
    same four columns as :func:`customer_metrics` gives a customer found in the log (which
    computes them inline, reusing its groups for the revenue windows).
    """
    groups = bought.groupby("customer_key", sort=False)
    per = pd.DataFrame({  # days, not times: "bought 3 days ago", not 2.6
        "first_purchase": groups["date"].min().dt.floor("D"),
        "last_purchase": groups["date"].max().dt.floor("D"),
        "transactions": groups.size(),
    })  # fmt: skip
    per["revenue"] = money.groupby("customer_key", sort=False)["amount"].sum()
    return per


def _take_dates(values: pd.Series, at: np.ndarray) -> np.ndarray:
    """``values`` at positions ``at`` (-1: NaT), as datetime64[us]."""
    dates = values.to_numpy(dtype="datetime64[us]")
    out = np.full(len(at), np.datetime64("NaT", "us"))
    found = at >= 0
    out[found] = dates[at[found]]
    return out


def customer_metrics(
    customers: pd.DataFrame,
    log: pd.DataFrame,
    money: pd.DataFrame,
    bought: pd.DataFrame,
    *,
    as_of: date,
) -> pd.DataFrame:
    """One row per customer (indexed by ``customer_key``): dates, counts and revenue.

    ``log`` is the transaction lines on or before ``as_of`` (names and IDs of customers
    known only from it, and who appears at all, quotes included); ``money`` and ``bought``
    are :func:`by_kind` of their :func:`invoices` table. Columns: the customer sheet's fields
    (:data:`CARRIED`), then first_purchase, last_purchase, transactions (purchases: invoices of
    more than 0, not quotes, credits or 0.00 invoices), revenue (lifetime, net of credits),
    revenue_12m (the 365 days up to and including ``as_of``), revenue_first_12m (the first 365
    days after the first purchase), revenue_last_active_year (the 365 days up to the last
    purchase: what a lapsed customer was worth), average_transaction, purchases_per_year (over
    the time since the first purchase, at least a year), days_since_last, typical_gap_days
    (median days between purchase days), expected_next (last purchase + typical gap) and
    dates_from ("transactions" or "customer sheet").
    """
    end = pd.Timestamp(as_of)
    groups = bought.groupby("customer_key", sort=False)
    window = end - pd.Timedelta(days=364)  # the 365 days as_of-364 .. as_of

    first_at, last_at = groups["date"].min(), groups["date"].max()
    per = pd.DataFrame({  # days, not times: "bought 3 days ago", not 2.6  (purchase_totals)
        "first_purchase": first_at.dt.floor("D"),
        "last_purchase": last_at.dt.floor("D"),
        "transactions": groups.size(),
    })  # fmt: skip
    per["revenue"] = money.groupby("customer_key", sort=False)["amount"].sum()
    # each money row's customer's first and last purchase: one hash lookup per row, then
    # positional takes (a customer with credits only has none: NaT)
    at = first_at.index.get_indexer(money["customer_key"])
    first = pd.Series(_take_dates(first_at, at), index=money.index)
    last = pd.Series(_take_dates(last_at, at), index=money.index)
    amounts = money["amount"]
    per["revenue_12m"] = amounts.where(money["date"] >= window, 0.0).groupby(
        money["customer_key"]).sum()  # fmt: skip
    per["revenue_first_12m"] = (
        amounts.where(money["date"] < first + pd.Timedelta(days=365), 0.0)
        .groupby(money["customer_key"])
        .sum()
    )
    per["revenue_last_active_year"] = (
        amounts.where(money["date"] > last - pd.Timedelta(days=365), 0.0)
        .groupby(money["customer_key"])
        .sum()
    )
    per["typical_gap_days"] = _typical_gap(bought)
    per = per.astype({  # an empty log must still give these types
        "first_purchase": "datetime64[us]", "last_purchase": "datetime64[us]",
        "transactions": "float64", "revenue": "float64", "revenue_12m": "float64",
        "revenue_first_12m": "float64", "revenue_last_active_year": "float64",
        "typical_gap_days": "float64",
    })  # fmt: skip

    out = _base(customers, per.index.union(pd.Index(log["customer_key"].unique())))
    out = out.join(per, how="left")
    _names_from_log(out, log)
    from_log = out["transactions"].notna()
    out["transactions"] = out["transactions"].fillna(0).astype("int64")
    for col in ("revenue", "revenue_12m", "revenue_first_12m", "revenue_last_active_year"):
        out[col] = out[col].astype(float).fillna(0.0)
    # a customer sheet without invoices: its own key dates and totals
    sheet = ~from_log
    if sheet.any():
        out.loc[sheet, "first_purchase"] = out.loc[sheet, "_sheet_first"]
        out.loc[sheet, "last_purchase"] = out.loc[sheet, "_sheet_last"]
        out.loc[sheet, "transactions"] = out.loc[sheet, "_sheet_count"].fillna(
            out.loc[sheet, "_sheet_last"].notna().astype(int)).astype("int64")  # fmt: skip
        out.loc[sheet, "revenue"] = out.loc[sheet, "_sheet_revenue"].fillna(0.0)
        # a total with no dates says nothing of when: count it in the window only when
        # the last purchase is in the window
        recent = out["last_purchase"] >= window
        out.loc[sheet & recent, "revenue_12m"] = out.loc[sheet & recent, "revenue"]
        out.loc[sheet, "revenue_last_active_year"] = out.loc[sheet, "revenue"]
    out["dates_from"] = np.where(
        from_log, "transactions", np.where(out["last_purchase"].notna(), "customer sheet", "")
    )
    out["first_purchase"] = out["first_purchase"].astype("datetime64[us]")
    out["last_purchase"] = out["last_purchase"].astype("datetime64[us]")
    bought_any = out["transactions"] > 0
    out["average_transaction"] = (out["revenue"] / out["transactions"]).where(bought_any)
    tenure = ((end - out["first_purchase"]) / _DAY).clip(lower=365.0)
    out["purchases_per_year"] = (out["transactions"] / tenure * 365.0).where(bought_any)
    out["days_since_last"] = ((end - out["last_purchase"]) / _DAY).astype("float64")
    gap = pd.to_timedelta(out["typical_gap_days"], unit="D")
    out["expected_next"] = (out["last_purchase"] + gap).dt.floor("D").astype("datetime64[us]")
    out = out.drop(columns=[c for c in out.columns if c.startswith("_sheet_")])
    out.index.name = "customer_key"
    return out


def _names_from_log(out: pd.DataFrame, transactions: pd.DataFrame) -> None:
    """Customers known only from the log take their name and ID from it."""
    if transactions.empty or not out["name"].isna().any():
        return
    t = transactions.drop_duplicates("customer_key").set_index("customer_key")
    missing = out["name"].isna()
    if "customer_name" in t:
        out.loc[missing, "name"] = out.index[missing].map(t["customer_name"])
    if "customer_id" in t:
        no_id = out["customer_id"].isna()
        ids = pd.Series(out.index[no_id].map(t["customer_id"]), index=out.index[no_id])
        ids = ids[ids.notna()]  # a log without IDs has none to lend (and a text column
        if len(ids):  # of the sheet's takes no float NaN)
            out.loc[ids.index, "customer_id"] = ids.to_numpy()


def _typical_gap(bought: pd.DataFrame) -> pd.Series:
    """Median days between a customer's distinct purchase days (NaN under two days)."""
    days = bought[["customer_key", "date"]].assign(date=bought["date"].dt.floor("D"))
    days = days.drop_duplicates().sort_values(["customer_key", "date"])
    gaps = days.groupby("customer_key", sort=False)["date"].diff() / _DAY
    return gaps.groupby(days["customer_key"], sort=False).median()


def _base(customers: pd.DataFrame, seen: pd.Index) -> pd.DataFrame:
    """The customer sheet's rows by key, plus customers that only appear in the log."""
    cols = [c for c in CARRIED if c in customers.columns]
    if customers.empty:
        base = pd.DataFrame(index=pd.Index([], dtype=object, name="customer_key"))
    else:
        keep = customers.drop_duplicates("customer_key").set_index("customer_key")
        base = keep[cols].copy()
        base["_sheet_first"] = keep.get("first_transaction")
        base["_sheet_last"] = keep.get("last_transaction")
        base["_sheet_revenue"] = keep.get("revenue")
        base["_sheet_count"] = keep.get("transactions")
    extra = seen.difference(base.index)
    if len(extra):
        base = pd.concat([base, pd.DataFrame(index=pd.Index(extra, dtype=object))])
    for col in CARRIED:
        if col not in base.columns:
            base[col] = pd.NA
    for col in ("_sheet_first", "_sheet_last", "next_follow_up"):
        if col not in base.columns:
            base[col] = pd.NaT
        base[col] = pd.to_datetime(base[col]).astype("datetime64[us]")
    for col in ("_sheet_revenue", "_sheet_count"):
        if col not in base.columns:
            base[col] = np.nan
        base[col] = pd.to_numeric(base[col]).astype(float)
    # a customer known only from the log takes its name from the log when it has one
    base["name"] = base["name"].astype(object).where(base["name"].notna(), None)
    base.index.name = "customer_key"
    return base


def contact_beside_name(customers: pd.DataFrame) -> pd.Series:
    """The contact person where it says more than the name (a person's own name, composed
    from first + last, is not listed again as their contact); NA elsewhere."""
    if "contact" not in customers:
        return pd.Series(pd.NA, index=customers.index, dtype=object)
    contact = customers["contact"]
    name = customers["name"].astype("string").str.casefold()
    same = contact.astype("string").str.casefold() == name
    return contact.where(~same.fillna(False).astype(bool))
