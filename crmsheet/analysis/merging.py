"""Customers merged by "Same as": the duplicate's history moved into the survivor.

The user decides, in their sheet, that a customer row is a copy of another (its Same as
cell; :attr:`CrmData.same_as` holds the resolved ``{duplicate: survivor}``).
:func:`merge_same_as` runs once in :func:`~crmsheet.analysis.analyze`, before any figure,
so every analysis sees one customer:

* the duplicate's transactions and support cases become the survivor's (its invoices keep
  their numbers: an invoice both rows hold is one invoice);
* a referral or parent organisation naming the duplicate names the survivor;
* the duplicate's own referrer and parent are carried to the survivor when it has none,
  and so are its other details when the survivor's cell is blank (email, phone, source...);
* the customer sheet's own totals (revenue, transactions, support cases, first and last
  purchase) add up;
* the duplicate's row leaves the customers (its row on the Customers sheet has no figures).

:func:`merge_table` lists what was merged: duplicate, survivor, transactions and revenue
moved (counted as every figure counts them: purchases up to ``as_of``, revenue net of
credits, without quotes and orders whose status is not revenue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .columns import Column, count, money, text
from .metrics import by_kind, invoices

__all__ = ["MERGED_FROM", "MERGE_COLUMNS", "Merged", "merge_same_as", "merge_table"]

#: The column of the merged transactions and support naming the customer they came from.
MERGED_FROM = "_merged_from"

#: :func:`merge_table`'s columns, as the Duplicates sheet shows them.
MERGE_COLUMNS: dict[str, Column] = {
    "duplicate": text("Merged customer"), "duplicate_name": text("Merged name"),
    "survivor": text("Into customer"), "survivor_name": text("Into name"),
    "transactions_moved": count("Transactions moved"), "revenue_moved": money("Revenue moved"),
    "support_moved": count("Support cases moved"),
}  # fmt: skip

#: The survivor's cells filled from the duplicate when blank (the key columns aside).
_CARRIED = (
    "referred_by", "referred_by_key", "parent_organization", "parent_key", "email", "phone",
    "contact", "source", "campaign", "address", "city", "postcode", "website", "country",
    "market", "industry", "type", "size_band", "employees", "support_tier", "next_follow_up",
)  # fmt: skip


@dataclass(frozen=True)
class Merged:
    """The frames of one analysis with the Same as merges done (see the module docstring)."""

    customers: pd.DataFrame
    transactions: pd.DataFrame
    support: pd.DataFrame
    same_as: Mapping[object, object]


def _remap(keys: pd.Series, same_as: Mapping[object, object]) -> tuple[pd.Series, pd.Series]:
    """(keys with each duplicate's replaced by its survivor's, the duplicate's key or NA)."""
    moved = keys.map(same_as)
    hit = moved.notna() & keys.isin(list(same_as))
    return keys.where(~hit, moved).astype(object), keys.where(hit).astype(object)


def merge_same_as(
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    support: pd.DataFrame,
    same_as: Mapping[object, object],
) -> Merged:
    """``customers``, ``transactions`` and ``support`` with every duplicate of ``same_as``
    merged into its survivor. Transactions and support moved carry :data:`MERGED_FROM`.
    Without a merge the frames are returned as they are."""
    known = set(customers["customer_key"]) if "customer_key" in customers else set()
    same_as = {d: s for d, s in same_as.items() if d in known and s in known and d != s}
    if not same_as:
        return Merged(customers, transactions, support, {})
    out_t = transactions.copy()
    if "customer_key" in out_t and len(out_t):
        out_t["customer_key"], out_t[MERGED_FROM] = _remap(out_t["customer_key"], same_as)
    else:
        out_t[MERGED_FROM] = pd.Series(dtype=object, index=out_t.index)
    out_s = support.copy()
    if "customer_key" in out_s and len(out_s):
        out_s["customer_key"], out_s[MERGED_FROM] = _remap(out_s["customer_key"], same_as)
    else:
        out_s[MERGED_FROM] = pd.Series(dtype=object, index=out_s.index)

    c = customers.copy()
    for col in ("referred_by_key", "parent_key"):
        if col in c:
            c[col] = _remap(c[col].astype(object), same_as)[0]
    dup = c["customer_key"].isin(list(same_as)).to_numpy()
    dups = c.loc[dup].copy()
    dups["_into"] = dups["customer_key"].map(same_as)
    by_key = pd.Series(c.index, index=c["customer_key"])
    for _, d in dups.iterrows():  # a handful of rows: the user wrote each one
        at = by_key[d["_into"]]
        for col in _CARRIED:
            if col in c and pd.isna(c.at[at, col]) and not pd.isna(d[col]):
                c.at[at, col] = d[col]
        for col in ("revenue", "transactions", "support_cases"):
            if col in c and not pd.isna(d[col]):
                here = c.at[at, col]
                c.at[at, col] = d[col] if pd.isna(here) else here + d[col]
        for col, pick in (("first_transaction", min), ("last_transaction", max)):
            if col in c and not pd.isna(d[col]):
                here = c.at[at, col]
                c.at[at, col] = d[col] if pd.isna(here) else pick(here, d[col])
    # a survivor never names itself as its referrer or parent once merged
    for col, shown in (("referred_by_key", "referred_by"), ("parent_key", "parent_organization")):
        if col in c:
            own = (c[col] == c["customer_key"]).fillna(False).to_numpy(dtype=bool)
            c.loc[own, col] = None
            if shown in c:
                c.loc[own, shown] = None
    merged = c.loc[~dup].reset_index(drop=True)
    return Merged(merged, out_t, out_s, same_as)


def merge_table(merged: Merged, customers: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """One row per duplicate merged: who into whom, the transactions (purchases), revenue
    and support cases moved. ``customers`` is the customer frame before merging (for the
    duplicates' names, and the sheet's own totals of a duplicate without sales rows);
    ``log`` the merged transactions counted as sales up to ``as_of``."""
    columns = list(MERGE_COLUMNS)
    if not merged.same_as:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
            {"transactions_moved": int, "revenue_moved": float, "support_moved": int}
        )
    names = pd.Series(customers["name"].to_numpy(), index=customers["customer_key"])
    names = names[~names.index.duplicated()]
    dups = list(merged.same_as)
    moved = log.loc[log[MERGED_FROM].notna()] if MERGED_FROM in log else log.iloc[:0]
    table = invoices(moved.assign(customer_key=moved[MERGED_FROM])) if len(moved) else None
    if table is not None:
        cash, bought = by_kind(table)
        revenue = cash.groupby("customer_key")["amount"].sum()
        purchases = bought.groupby("customer_key").size()
    else:
        revenue = purchases = pd.Series(dtype=float)
    support = merged.support
    cases = (support[MERGED_FROM].value_counts() if MERGED_FROM in support
             else pd.Series(dtype=int))  # fmt: skip
    # a duplicate without sales rows moves the sheet's own totals (what the figures count)
    own = customers.drop_duplicates("customer_key").set_index("customer_key")

    def with_sheet(column: str, moved_by: pd.Series) -> pd.Series:
        if column not in own:
            return moved_by
        sheet = pd.to_numeric(own[column], errors="coerce").reindex(dups).dropna()
        extra = sheet[~sheet.index.isin(moved_by.index)].astype(float)
        return pd.concat([moved_by, extra]) if len(extra) else moved_by

    revenue, purchases = with_sheet("revenue", revenue), with_sheet("transactions", purchases)
    out = pd.DataFrame({
        "duplicate": dups,
        "duplicate_name": [names.get(d) for d in dups],
        "survivor": [merged.same_as[d] for d in dups],
        "survivor_name": [names.get(merged.same_as[d]) for d in dups],
        "transactions_moved": [int(purchases.get(d, 0)) for d in dups],
        "revenue_moved": [float(revenue.get(d, 0.0)) for d in dups],
        "support_moved": [int(cases.get(d, 0)) for d in dups],
    })  # fmt: skip
    return out[columns]
