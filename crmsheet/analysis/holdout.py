"""Calibration and holdout: fit on the past, check the prediction on the last days.

A purchase model is only worth showing if it would have predicted what the shop already
knows. :func:`calibration_holdout` splits the purchases at ``calibration_end`` into
lifetimes' ``calibration_and_holdout_data`` frame; :func:`backtest_table` compares a model's
predicted holdout purchases with what happened, by frequency bucket (lifetimes'
calibration-vs-holdout view); :func:`backtest_sentence` says it in words, and
:func:`default_holdout_days` chooses how many days to hold out when Settings leave it open.

>>> frame = calibration_holdout(purchases, calibration_end=date(2023, 8, 14),
...                             as_of=date(2024, 2, 10))          # doctest: +SKIP
>>> backtest_sentence(1204.2, 1131, 180)
'Last 180 days: predicted 1,204 purchases, 1,131 happened (6 % high).'
"""

from __future__ import annotations

from datetime import date as Date

import numpy as np
import pandas as pd

from .columns import Column, count, rate, text
from .rfm import purchase_rows, summarise

__all__ = [
    "BACKTEST_SHOWN", "BUCKETS", "HOLDOUT_COLUMNS", "backtest_sentence", "backtest_table",
    "calibration_holdout", "default_holdout_days",
]  # fmt: skip

#: The columns of :func:`calibration_holdout`, in lifetimes' order.
HOLDOUT_COLUMNS = (
    "frequency_cal", "recency_cal", "T_cal", "monetary_value_cal",
    "frequency_holdout", "monetary_value_holdout", "duration_holdout",
)  # fmt: skip

#: The frequency buckets of :func:`backtest_table`: repeat purchases before the holdout.
BUCKETS = ("0", "1", "2", "3", "4", "5", "6", "7+")

#: The backtest table as a reader sees it.
BACKTEST_SHOWN: dict[str, Column] = {
    "bucket": text("Repeat purchases before the holdout"),
    "customers": count("Customers"),
    "predicted": rate("Predicted purchases per customer"),
    "actual": rate("Actual purchases per customer"),
}

_DAY = np.timedelta64(1, "D")


def calibration_holdout(
    transactions: pd.DataFrame,
    *,
    calibration_end: Date,
    as_of: Date,
    customer: str = "customer_key",
    date: str = "date",
    amount: str = "amount",
) -> pd.DataFrame:
    """lifetimes' ``calibration_and_holdout_data`` frame of crmsheet's purchases.

    The ``_cal`` columns are :func:`~crmsheet.analysis.rfm.rfm_summary` of the purchases on
    or before ``calibration_end`` (any time that day counts, as for ``as_of``), with
    ``T_cal`` counted to ``calibration_end``. ``frequency_holdout`` counts the days a
    customer bought after ``calibration_end`` up to ``as_of``; ``monetary_value_holdout`` is
    the mean amount of those purchases *per row* (lifetimes does not sum a day's rows here,
    as it does for the calibration); both 0 without a holdout purchase. ``duration_holdout``
    is the days from ``calibration_end`` to ``as_of``. Only customers who bought by
    ``calibration_end`` are listed (a customer first seen in the holdout is not, as in
    lifetimes). Indexed by ``customer``, sorted; every column float64.

    Equal to ``calibration_and_holdout_data(t, customer, date, calibration_period_end=...,
    observation_period_end=..., freq="D", monetary_value_col=amount)`` given the ends of
    those days (identical when the dates carry no time). Unlike lifetimes, an empty holdout
    (``calibration_end == as_of``) is no error: the holdout columns are 0.
    """
    if calibration_end > as_of:
        raise ValueError(f"calibration_end {calibration_end} is after as_of {as_of}")
    rows = purchase_rows(transactions, customer=customer, date=date, amount=amount)
    cut, end = np.datetime64(calibration_end, "D"), np.datetime64(as_of, "D")
    frame, who = summarise(rows, end=cut)
    frame.columns = [f"{c}_cal" for c in frame.columns]
    later = (rows.codes >= 0) & (rows.day > cut) & (rows.day <= end)  # NaT compares False
    codes, day, money = rows.codes[later], rows.day[later], rows.amount[later]
    # the calibration row of each holdout purchase; a customer new in the holdout has none
    at = np.minimum(np.searchsorted(who, codes), max(len(who) - 1, 0))
    known = at < len(who)
    if len(who):
        known &= who[at] == codes
    at, day, money = at[known], day[known], money[known]
    # distinct (customer, day) pairs: one purchase a day, as in the calibration
    span = int((end - cut) / _DAY) + 1
    pairs = np.unique(at.astype(np.int64) * span + (day - cut) // _DAY)
    size = len(who)
    frequency = np.bincount(pairs // span, minlength=size).astype(float)
    counted = ~np.isnan(money)  # lifetimes' mean leaves a missing amount out
    rows_per = np.bincount(at[counted], minlength=size)
    total = np.bincount(at[counted], weights=money[counted], minlength=size)
    mean = np.divide(total, rows_per, out=np.zeros(size), where=rows_per > 0)
    frame["frequency_holdout"] = frequency
    frame["monetary_value_holdout"] = mean
    frame["duration_holdout"] = float((end - cut) / _DAY)
    return frame


def default_holdout_days(transactions: pd.DataFrame, *, date: str = "date") -> int:
    """Days to hold out when Settings leave ``holdout_days`` open: from the data's span.

    A quarter of the days from the first to the last purchase, rounded to the nearest 30
    days (whole months read best), then kept between 90 and 365: fewer than 90 days say
    too little about purchases months apart, and a year covers every season, so more adds
    nothing. Short or empty histories get 90 (the backtest then says the history is too
    short for it).

    >>> default_holdout_days(purchases)   # 2 years of sales: 730 / 4 = 182.5 -> 180
    180
    """
    dates = pd.to_datetime(transactions[date]).dropna()
    if dates.empty:
        return 90
    span = (dates.max().floor("D") - dates.min().floor("D")).days
    return int(min(max(30 * round(span / 4 / 30), 90), 365))


def backtest_table(frame: pd.DataFrame, predicted: pd.Series) -> pd.DataFrame:
    """Predicted against actual holdout purchases per customer, by frequency bucket.

    ``frame`` is :func:`calibration_holdout`'s; ``predicted`` the purchases a model expects
    of each customer over the holdout (indexed like ``frame``; every customer needed). One
    row per bucket of ``frequency_cal`` (0, 1, ... 6, 7+), always all eight: ``customers``
    in it, the mean ``predicted`` and mean ``actual`` (``frequency_holdout``) purchases per
    customer (NaN for an empty bucket).

    >>> backtest_table(frame, model.expected_purchases(cal, 180))   # doctest: +SKIP
      bucket  customers  predicted  actual
    0      0       1000       0.12    0.10
    """
    missing = frame.index.difference(predicted.index)
    if len(missing):
        many = "customer" if len(missing) == 1 else "customers"
        raise ValueError(f"no prediction for {len(missing):,} {many}, e.g. {missing[0]!r}")
    guess = predicted.reindex(frame.index).to_numpy(dtype=float)
    actual = frame["frequency_holdout"].to_numpy(dtype=float)
    bucket = np.minimum(frame["frequency_cal"].to_numpy(dtype=float), 7).astype(np.int64)
    customers = np.bincount(bucket, minlength=8)
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty bucket: NaN
        mean_guess = np.bincount(bucket, weights=guess, minlength=8) / customers
        mean_actual = np.bincount(bucket, weights=actual, minlength=8) / customers
    return pd.DataFrame({
        "bucket": pd.Series(BUCKETS, dtype="str"), "customers": customers.astype(np.int64),
        "predicted": mean_guess, "actual": mean_actual,
    })  # fmt: skip


def backtest_sentence(total_predicted: float, total_actual: float, holdout_days: int) -> str:
    """How far off the prediction was, in one sentence for the Summary.

    The percentage is of what happened; "exact" when the rounded prediction is what
    happened; no percentage when nothing happened (there is nothing to be a share of).

    >>> backtest_sentence(1204.2, 1131, 180)
    'Last 180 days: predicted 1,204 purchases, 1,131 happened (6 % high).'
    >>> backtest_sentence(12.4, 0, 90)
    'Last 90 days: predicted 12 purchases, none happened.'
    """
    shown, actual = round(total_predicted), round(total_actual)
    days_ = "day" if holdout_days == 1 else "days"
    what = "purchase" if shown == 1 else "purchases"
    start = f"Last {holdout_days:,} {days_}: predicted {shown:,} {what}, "
    if actual == 0:
        return start + ("none happened (exact)." if shown == 0 else "none happened.")
    if shown == actual:
        return start + f"{actual:,} happened (exact)."
    off = 100.0 * (total_predicted - total_actual) / total_actual
    side = "high" if off > 0 else "low"
    size = "under 1" if abs(off) < 0.5 else f"{round(abs(off)):,}"
    return start + f"{actual:,} happened ({size} % {side})."
