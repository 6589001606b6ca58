"""The ``as_of`` cut-off: what counts as "on or before the day the figures are for".

``as_of`` is a day, and rows carry times: a sale at 16:00 on ``as_of`` counts, one at midnight
after it does not. The rule is written here once, for the analyses (``analyze`` cuts the
transactions and support log once and hands the cut frames down) and for the checks that
flag dates in the future.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

__all__ = ["after", "day_after", "until"]


def day_after(as_of: date) -> pd.Timestamp:
    """Midnight after ``as_of``: the first moment that no longer counts."""
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def after(dates: pd.Series, as_of: date) -> pd.Series:
    """True where a date is after ``as_of`` (any time on ``as_of`` is not); missing is False."""
    return dates >= day_after(as_of)


def until(frame: pd.DataFrame, as_of: date, *, undated: bool = False) -> pd.DataFrame:
    """The rows of ``frame`` dated on or before ``as_of`` (its ``date`` column, any time that day).

    Rows without a date are left out, or kept with ``undated=True`` (an undated support case
    counts as recent). A frame without a ``date`` column, or without rows, is returned as is.

    >>> until(transactions, date(2026, 11, 1))                 # doctest: +SKIP
    """
    if frame.empty or "date" not in frame.columns:
        return frame
    dates = frame["date"]
    keep = dates < day_after(as_of)
    if undated:
        keep |= dates.isna()
    return frame.loc[keep]
