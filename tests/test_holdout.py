"""Calibration/holdout split: identical to lifetimes' calibration_and_holdout_data; the
backtest table and sentence by hand; the holdout_days setting and its default."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crmsheet
from crmsheet import Settings
from crmsheet.analysis.holdout import (
    BUCKETS,
    HOLDOUT_COLUMNS,
    backtest_sentence,
    backtest_table,
    calibration_holdout,
    default_holdout_days,
)
from crmsheet.analysis.metrics import by_kind, counted_sales, invoices
from crmsheet.errors import SettingsError

AS_OF = date(2024, 2, 10)
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"


def lifetimes_frame(
    t: pd.DataFrame, calibration_end: Any, as_of: Any, customer: str = "customer_key"
) -> pd.DataFrame:
    with warnings.catch_warnings():
        # lifetimes 0.11.3 sets a pandas option pandas 3 deprecates, and writes to a slice
        warnings.simplefilter("ignore")
        utils = pytest.importorskip("lifetimes.utils")
        return utils.calibration_and_holdout_data(  # type: ignore[no-any-return]
            t, customer, "date", calibration_period_end=calibration_end,
            observation_period_end=as_of, freq="D", monetary_value_col="amount",
        )  # fmt: skip


def end_of(day: date) -> pd.Timestamp:
    """The last moment of a day: what crmsheet's day rule means, in lifetimes' terms."""
    return pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")


def generate(customers: int, seed: int, *, days: float = 730.0) -> pd.DataFrame:
    """Purchases at any time of day: each customer buys at their own Poisson rate from a
    uniform start; several rows on one day happen (a rate of up to one a day)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.gamma(0.6, 8.0, customers)) + 1
    who = np.repeat(np.arange(customers), counts)
    start = rng.uniform(0.0, days, customers)[who]
    when = start + rng.uniform(0.0, 1.0, len(who)) * (days - start)
    moment = np.datetime64(AS_OF, "s") + np.timedelta64(1, "D") - np.timedelta64(int(days), "D")
    return pd.DataFrame({
        "customer_key": pd.Series([f"K{i:05d}" for i in who], dtype="str"),
        "date": pd.Series(moment + (when * 86400).astype("m8[s]")).astype("datetime64[us]"),
        "amount": rng.gamma(2.0, 25.0, len(who)).round(2),
    })  # fmt: skip


def sample_purchases(as_of: date) -> pd.DataFrame:
    """The sample's purchases exactly as analyze hands them to rfm_table."""
    data = crmsheet.read(SAMPLE)
    _, _, _, log = counted_sales(data.transactions, as_of=as_of, settings=Settings())
    return by_kind(invoices(log))[1]


# -- identical to lifetimes ---------------------------------------------------------------


@pytest.mark.parametrize("holdout", [1, 30, 180, 400], ids=lambda d: f"{d} days held out")
def test_dates_with_times_equal_lifetimes_given_the_ends_of_the_days(holdout: int) -> None:
    t = generate(2000, holdout)
    cut = AS_OF - timedelta(days=holdout)
    mine = calibration_holdout(t, calibration_end=cut, as_of=AS_OF)
    ref = lifetimes_frame(t, end_of(cut), end_of(AS_OF))
    assert list(mine.columns) == list(HOLDOUT_COLUMNS)
    pd.testing.assert_frame_equal(mine, ref, check_exact=False, rtol=1e-12)
    assert (mine["frequency_holdout"] > 0).sum() > 10  # the holdout has purchases to count


@pytest.mark.parametrize("seed", range(12))
def test_dates_without_times_equal_lifetimes_as_called_plainly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = generate(int(rng.integers(5, 60)), seed, days=float(rng.integers(20, 300)))
    t["date"] = t["date"].dt.floor("D")
    cut = AS_OF - timedelta(days=int(rng.integers(1, 20)))
    if not (t["date"] > pd.Timestamp(cut)).any():
        pytest.skip("no purchase after the calibration: lifetimes refuses")
    ref = lifetimes_frame(t, cut, AS_OF)
    pd.testing.assert_frame_equal(
        calibration_holdout(t, calibration_end=cut, as_of=AS_OF), ref, check_exact=False,
        rtol=1e-12,
    )  # fmt: skip


def test_the_samples_purchases_equal_lifetimes() -> None:
    as_of = date(2026, 11, 1)
    bought = sample_purchases(as_of)
    days = default_holdout_days(bought)
    cut = as_of - timedelta(days=days)
    mine = calibration_holdout(bought, calibration_end=cut, as_of=as_of)
    ref = lifetimes_frame(bought[["customer_key", "date", "amount"]], cut, as_of)
    pd.testing.assert_frame_equal(mine, ref, check_exact=False, rtol=1e-12)
    assert days == 360 and len(mine) > 100 and mine["frequency_holdout"].sum() > 100


def test_the_calibration_part_is_rfm_summary_at_the_calibration_end() -> None:
    t = generate(500, 4)
    cut = AS_OF - timedelta(days=90)
    cal = calibration_holdout(t, calibration_end=cut, as_of=AS_OF).iloc[:, :4]
    rfm = crmsheet.rfm_summary(t, as_of=cut, customer="customer_key")
    pd.testing.assert_frame_equal(cal, rfm.add_suffix("_cal"), check_exact=True)


# -- edge cases -----------------------------------------------------------------------------


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_key": pd.Series([r[0] for r in rows], dtype="str"),
        "date": pd.to_datetime([r[1] for r in rows], format="ISO8601").astype("datetime64[us]"),
        "amount": [r[2] for r in rows],
    })  # fmt: skip


def same_but_dtype(mine: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert (mine.dtypes == "float64").all()
    pd.testing.assert_frame_equal(mine, ref, check_dtype=False)


def test_a_customer_first_seen_in_the_holdout_is_not_listed_as_in_lifetimes() -> None:
    t = frame([("A", "2024-01-01", 10), ("A", "2024-02-05", 20), ("B", "2024-02-01", 30)])
    mine = calibration_holdout(t, calibration_end=date(2024, 1, 10), as_of=AS_OF)
    assert list(mine.index) == ["A"]
    assert mine.loc["A"].to_dict() == {
        "frequency_cal": 0.0, "recency_cal": 0.0, "T_cal": 9.0, "monetary_value_cal": 0.0,
        "frequency_holdout": 1.0, "monetary_value_holdout": 20.0, "duration_holdout": 31.0,
    }  # fmt: skip
    # lifetimes' frequency_holdout is int64 when every customer bought in the holdout (no
    # NaN was filled); crmsheet keeps every column float64 whatever the data
    same_but_dtype(mine, lifetimes_frame(t, date(2024, 1, 10), AS_OF))


def test_any_time_on_the_calibration_end_is_calibration_and_any_time_on_as_of_holdout() -> None:
    t = frame([
        ("A", "2024-01-01 09:00", 10), ("A", "2024-01-10 16:00", 20),  # calibration_end
        ("A", "2024-02-10 23:59", 30), ("A", "2024-02-11 00:00", 99),  # as_of; the day after
    ])  # fmt: skip
    row = calibration_holdout(t, calibration_end=date(2024, 1, 10), as_of=AS_OF).loc["A"]
    assert (row["frequency_cal"], row["recency_cal"], row["T_cal"]) == (1.0, 9.0, 9.0)
    assert (row["frequency_holdout"], row["monetary_value_holdout"]) == (1.0, 30.0)


def test_holdout_money_is_the_mean_per_row_and_a_day_counts_once_as_in_lifetimes() -> None:
    t = frame([
        ("A", "2024-01-01", 10), ("A", "2024-01-05", 5), ("A", "2024-01-05", 15),
        ("A", "2024-02-01", 10), ("A", "2024-02-01", 20), ("A", "2024-02-03", 60),
    ])  # fmt: skip
    mine = calibration_holdout(t, calibration_end=date(2024, 1, 10), as_of=AS_OF)
    row = mine.loc["A"]
    assert row["monetary_value_cal"] == 20.0  # the calibration sums a day's rows: 5 + 15
    assert (row["frequency_holdout"], row["monetary_value_holdout"]) == (2.0, 30.0)  # 90 / 3
    same_but_dtype(mine, lifetimes_frame(t, date(2024, 1, 10), AS_OF))


def test_calibration_end_on_as_of_gives_an_empty_holdout_where_lifetimes_refuses() -> None:
    t = generate(200, 9)
    mine = calibration_holdout(t, calibration_end=AS_OF, as_of=AS_OF)
    rfm = crmsheet.rfm_summary(t, as_of=AS_OF, customer="customer_key")
    pd.testing.assert_frame_equal(mine.iloc[:, :4], rfm.add_suffix("_cal"))
    assert (mine[["frequency_holdout", "monetary_value_holdout", "duration_holdout"]] == 0).all(
        axis=None
    )
    with pytest.raises(ValueError, match="no data available"):
        lifetimes_frame(t, end_of(AS_OF), end_of(AS_OF))


def test_no_purchases_give_an_empty_frame_with_every_column() -> None:
    empty = frame([])
    got = calibration_holdout(empty, calibration_end=date(2024, 1, 1), as_of=AS_OF)
    assert got.empty and list(got.columns) == list(HOLDOUT_COLUMNS)
    assert (got.dtypes == "float64").all() and got.index.name == "customer_key"
    # only holdout purchases: no customer bought by the calibration end
    late = frame([("A", "2024-02-01", 10)])
    assert calibration_holdout(late, calibration_end=date(2024, 1, 1), as_of=AS_OF).empty


def test_a_row_without_customer_or_date_is_ignored() -> None:
    t = frame([("A", "2024-01-01", 10), ("A", "2024-02-01", 20), ("A", "2024-02-02", 30)])
    t.loc[1, "customer_key"] = None
    t.loc[2, "date"] = pd.NaT
    row = calibration_holdout(t, calibration_end=date(2024, 1, 10), as_of=AS_OF).loc["A"]
    assert (row["frequency_holdout"], row["monetary_value_holdout"]) == (0.0, 0.0)


def test_a_calibration_end_after_as_of_is_refused() -> None:
    with pytest.raises(ValueError, match="after as_of"):
        calibration_holdout(frame([]), calibration_end=date(2024, 3, 1), as_of=AS_OF)


# -- how many days to hold out ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "days"),
    [(0, 90), (200, 90), (400, 90), (600, 150), (730, 180), (1000, 240), (1460, 360),
     (1600, 365), (5000, 365)],
    ids=lambda v: str(v),
)  # fmt: skip
def test_default_holdout_days_is_a_quarter_of_the_span_in_months_from_90_to_365(
    span: int, days: int
) -> None:
    t = frame([("A", "2020-01-01 10:00", 1), ("B", "2020-01-01", 1)])
    t.loc[1, "date"] = pd.Timestamp("2020-01-01 08:00") + pd.Timedelta(days=span)
    assert default_holdout_days(t) == days


def test_default_holdout_days_of_no_purchases_is_90() -> None:
    assert default_holdout_days(frame([])) == 90


def test_holdout_days_setting_is_open_by_default_and_reads_from_a_sheet() -> None:
    assert Settings().holdout_days is None
    assert Settings.load({"holdout_days": "180"}).holdout_days == 180
    with pytest.raises(SettingsError, match="holdout_days"):
        Settings.load({"holdout_days": 7})
    shown = {name: value for name, value, _ in Settings().describe()}
    assert shown["holdout_days"] == ""  # a blank cell, which a Settings sheet reads as open


# -- the backtest table and sentence ----------------------------------------------------------


def test_backtest_table_by_hand() -> None:
    f = pd.DataFrame(
        {"frequency_cal": [0.0, 0.0, 1.0, 7.0, 12.0],
         "frequency_holdout": [0.0, 1.0, 2.0, 3.0, 5.0]},
        index=pd.Index(["a", "b", "c", "d", "e"], name="customer_key"),
    )  # fmt: skip
    predicted = pd.Series({"e": 6.0, "d": 2.0, "c": 1.5, "b": 0.5, "a": 0.25, "z": 99.0})
    table = backtest_table(f, predicted)
    assert list(table["bucket"]) == list(BUCKETS)
    assert table["customers"].tolist() == [2, 1, 0, 0, 0, 0, 0, 2]
    got = table.set_index("bucket")
    assert (got.loc["0", "predicted"], got.loc["0", "actual"]) == (0.375, 0.5)
    assert (got.loc["1", "predicted"], got.loc["1", "actual"]) == (1.5, 2.0)
    assert (got.loc["7+", "predicted"], got.loc["7+", "actual"]) == (4.0, 4.0)
    assert got.loc[["2", "3", "4", "5", "6"], ["predicted", "actual"]].isna().all(axis=None)


def test_backtest_table_needs_a_prediction_for_every_customer() -> None:
    f = pd.DataFrame({"frequency_cal": [0.0, 1.0], "frequency_holdout": [0.0, 1.0]},
                     index=pd.Index(["a", "b"], name="customer_key"))  # fmt: skip
    with pytest.raises(ValueError, match=r"no prediction for 1 customer, e\.g\. 'b'"):
        backtest_table(f, pd.Series({"a": 1.0}))


@pytest.mark.parametrize(
    ("predicted", "actual", "days", "sentence"),
    [
        (1204.2, 1131, 180, "Last 180 days: predicted 1,204 purchases, 1,131 happened (6 % high)."),
        (1060.0, 1131, 180, "Last 180 days: predicted 1,060 purchases, 1,131 happened (6 % low)."),
        (1131.4, 1131, 90, "Last 90 days: predicted 1,131 purchases, 1,131 happened (exact)."),
        (1134.0, 1131, 90,
         "Last 90 days: predicted 1,134 purchases, 1,131 happened (under 1 % high)."),
        (12.4, 0, 90, "Last 90 days: predicted 12 purchases, none happened."),
        (0.2, 0, 90, "Last 90 days: predicted 0 purchases, none happened (exact)."),
        (0.0, 3, 30, "Last 30 days: predicted 0 purchases, 3 happened (100 % low)."),
        (1.0, 2, 1, "Last 1 day: predicted 1 purchase, 2 happened (50 % low)."),
    ],
    ids=["high", "low", "exact", "under 1 %", "none happened", "both zero", "zero predicted",
         "singular"],
)  # fmt: skip
def test_backtest_sentence(predicted: float, actual: float, days: int, sentence: str) -> None:
    assert backtest_sentence(predicted, actual, days) == sentence
