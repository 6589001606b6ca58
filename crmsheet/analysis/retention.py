"""Retention: do customers come back? Quarterly cohorts and a few headline numbers.

Both take revenue on or before ``as_of`` (``money``: invoices and credits, no quotes, as
:func:`~crmsheet.analysis.metrics.by_kind` gives it) and the purchases within it that show
a customer coming back (:func:`comebacks`: positive invoices; a refund is not a customer
coming back), computed once by the caller. Revenue, in contrast, is net of credits.

The cohort table stops at the last complete quarter: the quarter ``as_of`` falls inside is
left out (unless ``as_of`` is its last day), since a quarter under way would show every
cohort's last share collapsing; :func:`retention_note` says so in words.

>>> money, _ = by_kind(invoices(until(log, date(2024, 9, 15))))   # doctest: +SKIP
>>> retention(comebacks(money), as_of=date(2024, 9, 15))        # doctest: +SKIP
    cohort  customers  Q+0  Q+1
0  2024-Q1          2  1.0  0.0
1  2024-Q2          1  1.0  NaN
>>> retention_note(date(2024, 9, 15))                           # doctest: +SKIP
'Quarters up to 2024-Q2; 2024-Q3 is under way (to 15 Sep 2024) and not shown: ...'
>>> retention_headline(money, comebacks(money), as_of=date(2024, 9, 15))["new_customers_12m"]
... # doctest: +SKIP
3
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..cutoff import day_after
from .columns import Column, count, share, text

__all__ = [
    "comebacks", "last_complete_quarter", "retention", "retention_columns", "retention_headline",
    "retention_note",
]  # fmt: skip


def retention_columns(table: pd.DataFrame) -> dict[str, Column]:
    """The retention table's columns as a reader sees them: each "Q+k" is the share of the
    cohort who bought in the k-th quarter after their first."""
    quarters = {c: share(c) for c in table.columns if str(c).startswith("Q+")}
    return {"cohort": text("First purchase in"), "customers": count("Customers"), **quarters}


_NOT_BUYING = ("quote", "credit")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def comebacks(money: pd.DataFrame) -> pd.DataFrame:
    """The purchases retention counts: positive amounts with a customer, no quotes or credits."""
    keep = money["amount"].gt(0) & money["customer_key"].notna()
    if "kind" in money.columns:
        keep &= ~money["kind"].isin(_NOT_BUYING)
    return money.loc[keep]


def _quarter(dates: pd.Series) -> np.ndarray:
    """Quarters counted from year 0: consecutive quarters differ by 1."""
    quarters: np.ndarray = (dates.dt.year * 4 + (dates.dt.month - 1) // 3).to_numpy(np.int64)
    return quarters


def _label(quarter: int) -> str:
    return f"{quarter // 4}-Q{quarter % 4 + 1}"


def last_complete_quarter(as_of: date) -> int:
    """The last quarter over by the end of ``as_of`` (counted as :func:`_quarter` counts).

    ``as_of``'s own quarter when ``as_of`` is its last day (31 March, 30 June, 30 September,
    31 December), else the quarter before.
    """
    quarter = as_of.year * 4 + (as_of.month - 1) // 3
    ends = (pd.Timestamp(as_of) + pd.offsets.QuarterEnd(0)).date() == as_of
    return quarter if ends else quarter - 1


def retention_note(as_of: date) -> str:
    """One sentence on which quarters the cohort table shows, for its sheet or the Summary.

    >>> retention_note(date(2026, 11, 1))  # doctest: +ELLIPSIS
    'Quarters up to 2026-Q3; 2026-Q4 is under way (to 1 Nov 2026) and not shown: ...'
    >>> retention_note(date(2026, 9, 30))
    'Quarters up to 2026-Q3, complete on 30 Sep 2026.'
    """
    last = last_complete_quarter(as_of)
    day = f"{as_of.day} {_MONTHS[as_of.month - 1]} {as_of.year}"  # not the locale's names
    if last == as_of.year * 4 + (as_of.month - 1) // 3:
        return f"Quarters up to {_label(last)}, complete on {day}."
    return (f"Quarters up to {_label(last)}; {_label(last + 1)} is under way (to {day}) and "
            "not shown: a quarter in progress would look like customers leaving.")  # fmt: skip


def retention(bought: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """Cohort retention by quarter of first purchase: who came back, and when.

    One row per quarter that won customers, from the first customer's first purchase to the
    last complete quarter (:func:`last_complete_quarter`: the quarter ``as_of`` falls inside
    is left out unless ``as_of`` is its last day, so no share is of a quarter half over);
    ``cohort`` labels it ("2024-Q1"), ``customers`` counts those whose first purchase fell in
    it (a quarter that won no one has no row). Column ``Q+k`` is the share (0-1) of the
    cohort who bought in the k-th quarter after their first, so ``Q+0`` is 1.0; NaN where
    that quarter is after the last complete one. Credits are not buying: a refund is not a
    customer coming back. ``bought`` is :func:`comebacks` of the revenue on or before
    ``as_of``; purchases in the quarter under way count nowhere here (a customer first seen
    in it is in no cohort yet).

    >>> retention(comebacks(money), as_of=date(2024, 9, 15))     # doctest: +SKIP
        cohort  customers  Q+0  Q+1
    0  2024-Q1          2  1.0  0.0    # both bought in Q1; B's Q2 was a refund
    1  2024-Q2          1  1.0  NaN    # Q+1 of 2024-Q2 is 2024-Q3: under way, not shown
    """
    end = last_complete_quarter(as_of)
    quarter = _quarter(bought["date"])
    done = quarter <= end
    if not done.any():
        return pd.DataFrame({
            "cohort": pd.Series(dtype="str"), "customers": pd.Series(dtype=np.int64),
            "Q+0": pd.Series(dtype=float),
        })  # fmt: skip
    active = pd.DataFrame({
        "customer": pd.factorize(bought["customer_key"].to_numpy()[done])[0],
        "quarter": quarter[done],
    }).drop_duplicates()  # fmt: skip
    first = active.groupby("customer", sort=False)["quarter"].transform("min").to_numpy()
    offset = active["quarter"].to_numpy() - first
    counts = pd.crosstab(first, offset)  # customers by (first quarter, quarters since)
    start = int(first.min())
    offsets = np.arange(end - start + 1)
    counts = counts.reindex(columns=offsets, fill_value=0)  # rows: the quarters that won some
    cohorts = counts.index.to_numpy(dtype=np.int64)
    size = counts[0].to_numpy(dtype=np.int64)
    shares = counts.to_numpy(dtype=float) / size[:, None]
    shares[cohorts[:, None] + offsets[None, :] > end] = np.nan
    labels = [_label(int(q)) for q in cohorts]
    out = pd.DataFrame(shares, columns=[f"Q+{k}" for k in offsets])
    out.insert(0, "customers", size)
    out.insert(0, "cohort", pd.array(labels, dtype="str"))
    return out


def retention_headline(
    money: pd.DataFrame, bought: pd.DataFrame, *, as_of: date
) -> dict[str, float | int | None]:
    """Five numbers on keeping customers, over the 12 months up to ``as_of``.

    - ``revenue_last_12m``: revenue net of credits in the 12 months (for ``as_of``
      2024-09-15: from 2023-09-16 to 2024-09-15, times of day included).
    - ``returning_revenue_share_12m``: the share of it from customers whose first purchase
      came before those 12 months (most firms make about 65 % of their business from the
      customers they keep); None when there is no positive revenue.
    - ``repeat_purchase_rate``: share of customers with purchases on 2+ different days up to
      ``as_of``; None without customers.
    - ``customers_active_12m``: customers who bought in the 12 months.
    - ``new_customers_12m``: of them, those who bought for the first time.

    ``money`` is the revenue on or before ``as_of``, ``bought`` its :func:`comebacks`.

    >>> retention_headline(money, comebacks(money), as_of=date(2024, 9, 15))  # doctest: +SKIP
    {'revenue_last_12m': 340.0, 'returning_revenue_share_12m': 0.20588235294117646,
     'repeat_purchase_rate': 0.6666666666666666, 'customers_active_12m': 5,
     'new_customers_12m': 3}
    """
    window_start = day_after(as_of) - pd.DateOffset(years=1)
    first = bought.groupby("customer_key", sort=False)["date"].min()
    days = bought["date"].dt.floor("D").groupby(bought["customer_key"], sort=False).nunique()

    recent = money.loc[money["date"].ge(window_start) & money["customer_key"].notna()]
    revenue = float(recent["amount"].sum())
    returning = recent["customer_key"].isin(first.index[first.lt(window_start)])
    returning_revenue = float(recent["amount"].where(returning, 0.0).sum())
    active = bought.loc[bought["date"].ge(window_start), "customer_key"].nunique()
    return {
        "revenue_last_12m": revenue,
        "returning_revenue_share_12m": returning_revenue / revenue if revenue > 0 else None,
        "repeat_purchase_rate": float((days >= 2).mean()) if len(days) else None,
        "customers_active_12m": int(active),
        "new_customers_12m": int(first.ge(window_start).sum()),
    }
