"""RFM: how recently, how often and how much each customer buys, scored 1-5 and segmented.

:func:`rfm_summary` gives the four numbers the buy-till-you-die models (BG/NBD, Gamma-Gamma)
expect, exactly as ``lifetimes.utils.summary_data_from_transaction_data`` computes them, so
a shop can hand the frame to lifetimes/btyd/PyMC-Marketing unchanged. :func:`rfm_scores`
turns them into quintile scores and a named segment from :data:`SEGMENT_GRID`;
:func:`rfm_table` does both.

>>> rfm_table(purchases, as_of=date(2024, 2, 10))          # doctest: +SKIP
              frequency  recency     T  monetary_value  days_since_last  R  F  M    segment
customer_key
A1                  2.0     30.0  40.0            25.0             10.0  5  5  5  champions
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date as Date
from typing import NamedTuple

import numpy as np
import pandas as pd

from .columns import Column, count, days, money, text

__all__ = [
    "RFM_SHOWN", "SEGMENTS", "SEGMENT_GRID", "PurchaseRows", "purchase_rows", "rfm_scores",
    "rfm_summary", "rfm_table", "summarise",
]  # fmt: skip

#: The RFM table as a reader sees it (lifetimes' names for code, words for people).
RFM_SHOWN: dict[str, Column] = {
    "customer_key": text("Customer"), "frequency": count("Repeat purchases"),
    "recency": days("Days from first to last purchase"),
    "T": days("Days since first purchase"),
    "monetary_value": money("Average repeat purchase"),
    "days_since_last": days("Days since last purchase"), "R": count("Recency score (1-5)"),
    "F": count("Frequency score (1-5)"), "M": count("Money score (1-5)"),
    "segment": text("RFM segment"),
}  # fmt: skip

_SUMMARY = ["frequency", "recency", "T", "monetary_value"]
_SCORED = [*_SUMMARY, "days_since_last", "R", "F", "M", "segment"]

#: The segment of each (R, F) score pair: ``SEGMENT_GRID[R][F - 1]``. The usual RFM grid
#: on recency and frequency; monetary value is scored (M) but does not move the segment.
#:
#: ======  ==============  ==================  ==================  =========  ================
#:  R \\ F  1               2                   3                   4          5
#: ======  ==============  ==================  ==================  =========  ================
#:  5       new             potential loyalist  potential loyalist  champions  champions
#:  4       promising       potential loyalist  potential loyalist  loyal      loyal
#:  3       about to sleep  about to sleep      needs attention     loyal      loyal
#:  2       hibernating     hibernating         at risk             at risk    cannot lose them
#:  1       lost            lost                at risk             at risk    cannot lose them
#: ======  ==============  ==================  ==================  =========  ================
SEGMENT_GRID: Mapping[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential loyalist", "potential loyalist", "champions", "champions"),
    4: ("promising", "potential loyalist", "potential loyalist", "loyal", "loyal"),
    3: ("about to sleep", "about to sleep", "needs attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at risk", "at risk", "cannot lose them"),
    1: ("lost", "lost", "at risk", "at risk", "cannot lose them"),
}  # fmt: skip

#: Every segment, best first, with what it means and what to do about it.
SEGMENTS: Mapping[str, str] = {
    "champions": "Bought recently and often. Reward them; ask for reviews and referrals.",
    "loyal": "Buy often, not always lately. Offer loyalty perks and the next product up.",
    "potential loyalist": "Recent, a few purchases. Keep in touch; a membership or bundle.",
    "new": "Recent first purchase. Welcome them and help them get started.",
    "promising": "Fairly recent, one purchase. Follow up before they forget you.",
    "needs attention": "Average on both counts. A limited-time offer or a catch-up call.",
    "about to sleep": "Fading, few purchases. Reactivate with something relevant.",
    "at risk": "Used to buy regularly, silent for long. Reach out personally.",
    "cannot lose them": "Were among the most frequent, silent for long. Call them now.",
    "hibernating": "Few purchases, long ago. Include in an occasional campaign.",
    "lost": "Bought once or twice, very long ago. Low priority.",
}

_DAY = np.timedelta64(1, "D")


def rfm_summary(
    transactions: pd.DataFrame,
    *,
    as_of: Date,
    customer: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """Frequency, recency, T and monetary value per customer, as lifetimes computes them.

    Times are floored to days and a customer's purchases on one day count as one purchase
    (amounts summed). ``frequency`` counts the repeat purchase days (distinct days - 1);
    ``recency`` is the days from first to last purchase; ``T`` the days from first purchase
    to ``as_of``; ``monetary_value`` the mean per-day total of the repeat days (the first day
    left out; 0 for one-time buyers). Rows after ``as_of`` (any time that day counts) are
    ignored. Indexed by the ``customer`` column, sorted; every column float64. Equal to
    ``summary_data_from_transaction_data(t, customer, date, monetary_value_col=amount,
    observation_period_end=as_of, freq="D")``.

    >>> rfm_summary(t, as_of=date(2024, 2, 10))   # A: 01-01 10+5, 01-11 20, 01-31 30
                 frequency  recency     T  monetary_value
    customer_id
    A                  2.0     30.0  40.0            25.0
    """
    rows = purchase_rows(transactions, customer=customer, date=date, amount=amount)
    return summarise(rows, end=np.datetime64(as_of, "D"))[0]


class PurchaseRows(NamedTuple):
    """Transactions as arrays, parsed once: customer codes into ``keys`` (-1: no customer),
    days (NaT: no date) and amounts. :func:`summarise` cuts them at any day."""

    codes: np.ndarray
    keys: pd.Index
    day: np.ndarray
    amount: np.ndarray
    name: str


def purchase_rows(
    transactions: pd.DataFrame, *, customer: str, date: str, amount: str
) -> PurchaseRows:
    """The customer, day and amount of every row, for :func:`summarise` (times floored)."""
    # factorize once: grouping integer codes beats hashing the strings again, and `keys`
    # keeps the customer column's dtype even when no row is left
    codes, keys = pd.factorize(transactions[customer], sort=True)  # a missing key is -1
    day = pd.to_datetime(transactions[date]).dt.floor("D").to_numpy().astype("datetime64[D]")
    money = transactions[amount].to_numpy(dtype=float)
    return PurchaseRows(codes, keys, day, money, customer)


def summarise(rows: PurchaseRows, *, end: np.datetime64) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`rfm_summary`'s frame of the rows dated on or before ``end``, and the customer
    code of each of its rows (sorted, as the frame is)."""
    keep = (rows.codes >= 0) & (rows.day <= end)  # NaT compares False
    # one total per (customer, purchase day), sorted by customer then day
    daily = (
        pd.Series(rows.amount[keep]).groupby([rows.codes[keep], rows.day[keep]], sort=True).sum()
    )
    who = daily.index.get_level_values(0).to_numpy()
    days = daily.index.get_level_values(1).to_numpy().astype("datetime64[D]")
    first = np.append(True, who[1:] != who[:-1])[: len(who)]
    # lifetimes averages the repeat days' totals only: the first day counts as missing
    monetary = daily.where(~first).groupby(level=0, sort=True).mean().fillna(0.0)
    starts = np.flatnonzero(first)
    stops = np.append(starts[1:], len(daily))[: len(starts)]
    frame = pd.DataFrame(
        {
            "frequency": (stops - starts - 1).astype(float),
            "recency": (days[stops - 1] - days[starts]) / _DAY,
            "T": (end - days[starts]) / _DAY,
            "monetary_value": monetary.to_numpy(),
        },
        index=rows.keys.take(who[starts]).rename(rows.name),
    ).astype(float)
    return frame, who[starts].astype(np.int64)


def _score(values: pd.Series, *, higher_is_better: bool) -> pd.Series:
    """The fifth of the ranking (worst to best) a value falls in, ties at their lowest place.

    A customer ``b`` places from the bottom scores ``1 + floor(5 * (b + 1/2) / n)``: exact
    quintiles when all differ and ``n`` is a multiple of 5, centred for small samples (a lone
    customer scores 3; two score 2 and 4), and equal values share the lowest score of their
    group, so every one-time buyer gets F = 1 however many there are. Missing values are
    worst. Never fails, whatever the sample.
    """
    n = max(len(values), 1)
    below = values.rank(method="min", ascending=higher_is_better, na_option="top") - 1
    place = below.to_numpy(dtype=np.int64)
    return pd.Series(1 + (10 * place + 5) // (2 * n), index=values.index, dtype=np.int64)


def rfm_scores(rfm: pd.DataFrame) -> pd.DataFrame:
    """Add ``days_since_last``, R, F and M scores (1-5, 5 best) and the ``segment``.

    Takes :func:`rfm_summary`'s frame (not changed). ``days_since_last`` is ``T - recency``;
    R scores fewer days since the last purchase higher, F more repeat purchases, M a higher
    average repeat purchase. Scores are quintiles of the customers' ranking; tied customers
    share the lower score (all one-time buyers get F = 1), and small samples never fail (a
    lone customer scores 3). The segment comes from :data:`SEGMENT_GRID` on R and F.

    >>> rfm_scores(rfm_summary(t, as_of=date(2024, 2, 10)))[["R", "F", "segment"]]
                 R  F          segment
    customer_id
    A            5  5        champions          # bought 5 days ago, 4th purchase
    B            4  1        promising          # bought 20 days ago, once
    C            1  1             lost          # bought 200 days ago, once
    D            1  4          at risk          # bought 200 days ago, 3rd purchase
    E            3  1   about to sleep          # bought 60 days ago, once
    """
    days_since_last = rfm["T"] - rfm["recency"]
    r = _score(days_since_last, higher_is_better=False)
    f = _score(rfm["frequency"], higher_is_better=True)
    m = _score(rfm["monetary_value"], higher_is_better=True)
    grid = np.array([SEGMENT_GRID[score] for score in range(1, 6)], dtype=object)
    segment = pd.Series(grid[r.to_numpy() - 1, f.to_numpy() - 1], index=rfm.index, dtype="str")
    return rfm.assign(days_since_last=days_since_last, R=r, F=f, M=m, segment=segment)


def rfm_table(
    transactions: pd.DataFrame,
    *,
    as_of: Date,
    customer: str = "customer_key",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """:func:`rfm_summary` then :func:`rfm_scores`, on crmsheet's purchases (quotes removed).

    Columns: frequency, recency, T, monetary_value, days_since_last, R, F, M, segment.

    >>> rfm_table(purchases, as_of=date(2024, 2, 10)).segment.value_counts()   # doctest: +SKIP
    """
    summary = rfm_summary(transactions, as_of=as_of, customer=customer, date=date, amount=amount)
    return rfm_scores(summary)[_SCORED]
