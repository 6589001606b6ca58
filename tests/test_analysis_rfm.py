"""RFM summary equals lifetimes' summary_data_from_transaction_data; scores and segments."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsheet.analysis.rfm import SEGMENT_GRID, SEGMENTS, rfm_scores, rfm_summary, rfm_table

AS_OF = date(2024, 2, 10)
COLUMNS = ["frequency", "recency", "T", "monetary_value"]
Summary = Callable[[pd.DataFrame, date], pd.DataFrame]


def frame(rows: list[tuple[str, str, float]], customer: str = "customer_id") -> pd.DataFrame:
    """Transactions from (customer, "YYYY-MM-DD[ HH:MM]", amount) rows."""
    return pd.DataFrame({
        customer: pd.Series([r[0] for r in rows], dtype="str"),
        "date": pd.to_datetime([r[1] for r in rows], format="ISO8601").astype("datetime64[us]"),
        "amount": pd.Series([r[2] for r in rows], dtype=float),
    })  # fmt: skip


def summary(rows: dict[str, tuple[float, float, float, float]], name: str) -> pd.DataFrame:
    """The expected summary: customer -> (frequency, recency, T, monetary_value)."""
    index = pd.Index(list(rows), dtype="str", name=name)
    return pd.DataFrame(list(rows.values()), index=index, columns=COLUMNS, dtype=float)


# -- references ----------------------------------------------------------------------------


def lifetimes_summary(t: pd.DataFrame, as_of: date) -> pd.DataFrame:
    with warnings.catch_warnings():
        # lifetimes 0.11.3 sets a pandas option that pandas 3 deprecates, on import
        warnings.simplefilter("ignore", DeprecationWarning)
        utils = pytest.importorskip("lifetimes.utils")
    return utils.summary_data_from_transaction_data(
        t, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=pd.Timestamp(as_of), freq="D",
    )  # fmt: skip


def plain_summary(t: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """lifetimes' documented definition, one customer and one day at a time."""
    days: dict[str, dict[date, float]] = {}
    for customer, when, amount in t[["customer_id", "date", "amount"]].itertuples(index=False):
        if when.date() <= as_of:
            per_day = days.setdefault(customer, {})
            per_day[when.date()] = per_day.get(when.date(), 0.0) + amount
    rows = {}
    for customer in sorted(days):
        first, *repeat = sorted(days[customer])
        last = repeat[-1] if repeat else first
        rows[customer] = (
            len(repeat), (last - first).days, (as_of - first).days,
            sum(days[customer][d] for d in repeat) / len(repeat) if repeat else 0.0,
        )  # fmt: skip
    return summary(rows, "customer_id")


# a day's purchases are summed in amount order by lifetimes, in row order here and in file
# order by the plain reference: equal to the last bit on the generated data, and to 1e-12 always
CLOSE = {"check_exact": False, "rtol": 1e-12}


def generated(seed: int = 20240210, customers: int = 400, rows: int = 5000) -> pd.DataFrame:
    """Skewed purchase log: regulars, one-time buyers, late starters, times of day, refunds."""
    rng = np.random.default_rng(seed)
    start = rng.integers(-1000, 30, customers)  # first seen, days from AS_OF; some only after
    who = (customers * rng.random(rows) ** 3).astype(np.int64)  # a few customers buy a lot
    day = start[who] + rng.integers(0, 500, rows) // (1 + who % 7)
    when = pd.Timestamp(AS_OF) + pd.to_timedelta(day, unit="D")
    when += pd.to_timedelta(rng.integers(0, 86_400, rows), unit="s")
    amount = np.round(rng.lognormal(4, 1, rows), 2) * np.where(rng.random(rows) < 0.05, -1, 1)
    t = pd.DataFrame({
        "customer_id": pd.Series([f"C{i:04d}" for i in who], dtype="str"),
        "date": pd.Series(when, dtype="datetime64[us]"), "amount": amount,
    })  # fmt: skip
    # a second purchase later on the same day for a tenth of the rows
    again = t.sample(frac=0.1, random_state=seed).assign(
        date=lambda s: s["date"].dt.floor("D") + pd.Timedelta(hours=23, minutes=59)
    )
    return pd.concat([t, again], ignore_index=True).sample(frac=1, random_state=seed)


# -- rfm_summary ---------------------------------------------------------------------------


def test_the_worked_example() -> None:
    # A: 10 + 5 on 01-01 are one purchase; repeats on 01-11 (20) and 01-31 (30) average 25.
    t = frame([
        ("A", "2024-01-01", 10), ("A", "2024-01-01 16:30", 5), ("A", "2024-01-11", 20),
        ("A", "2024-01-31", 30),
        ("B", "2024-02-01 09:00", 70),                       # one purchase
        ("C", "2024-02-11 00:00", 99),                       # only after as_of
        ("D", "2024-02-10 23:59", 7), ("D", "2024-02-11", 8),  # as_of counts, the day after not
    ])  # fmt: skip
    expected = summary(
        {"A": (2, 30, 40, 25.0), "B": (0, 0, 9, 0.0), "D": (0, 0, 0, 0.0)}, "customer_id"
    )
    pd.testing.assert_frame_equal(rfm_summary(t, as_of=AS_OF), expected)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("2024-01-01", 10), ("2024-01-01 18:00", 5)], (0, 0, 40, 0.0)),
        ([("2024-01-01", 10), ("2024-01-05", 5), ("2024-01-05 18:00", 1)], (1, 4, 40, 6.0)),
        ([("2024-01-01", 10), ("2024-01-05", 50), ("2024-01-05 18:00", -20)], (1, 4, 40, 30.0)),
        ([("2024-01-01", 10), ("2024-01-03", 20), ("2024-02-12", 90)], (1, 2, 40, 20.0)),
        ([("2024-02-10", 10), ("2024-02-10 23:00", 1)], (0, 0, 0, 0.0)),
        ([("2024-01-01", 10), ("2024-01-02", 0)], (1, 1, 40, 0.0)),
    ],
    ids=[
        "two purchases on one day are one purchase, not a repeat",
        "a repeat day's purchases are summed before averaging",
        "a credit nets off its day's purchases",
        "a purchase after as_of is ignored",
        "a first purchase on as_of gives T 0",
        "a zero-amount day still counts as a purchase day",
    ],
)
def test_rfm_summary_rules(
    rows: list[tuple[str, float]], expected: tuple[float, float, float, float]
) -> None:
    t = frame([("A", when, amount) for when, amount in rows])
    pd.testing.assert_frame_equal(
        rfm_summary(t, as_of=AS_OF), summary({"A": expected}, "customer_id")
    )


@pytest.mark.parametrize(
    ("reference", "equal"),
    [(lifetimes_summary, {"check_exact": True}), (plain_summary, CLOSE)],
    ids=["lifetimes, to the last bit", "plain reference"],
)
def test_rfm_summary_matches_reference_on_generated_data(
    reference: Summary, equal: dict[str, Any]
) -> None:
    t = generated()
    days = t.assign(day=t["date"].dt.floor("D"))
    kept = days.loc[days["day"] <= pd.Timestamp(AS_OF)]
    per_customer = kept.groupby("customer_id")["day"].nunique()
    # the data exercises every rule
    assert (per_customer == 1).sum() >= 20, "one-time buyers"
    assert kept.duplicated(["customer_id", "day"]).sum() >= 100, "same-day purchases"
    assert (days["day"] > pd.Timestamp(AS_OF)).sum() >= 100, "purchases after as_of"
    assert (t["amount"] < 0).sum() >= 100, "credits"
    assert t["customer_id"].nunique() > len(per_customer), "customers first seen after as_of"
    assert (t["date"].dt.hour > 0).mean() > 0.9, "times of day"

    pd.testing.assert_frame_equal(rfm_summary(t, as_of=AS_OF), reference(t, AS_OF), **equal)


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param(lifetimes_summary, id="lifetimes", marks=pytest.mark.slow),
        pytest.param(plain_summary, id="plain reference"),
    ],
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.integers(-40, 5),  # day relative to as_of
            st.integers(0, 23),  # hour
            st.sampled_from([-5.0, 0.0, 0.25, 10.0, 99.99]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_rfm_summary_matches_reference_on_any_log(
    reference: Summary, rows: list[tuple[str, int, int, float]]
) -> None:
    base = datetime(2024, 2, 10)
    t = frame([(c, str(base + timedelta(days=d, hours=h)), a) for c, d, h, a in rows])
    if (t["date"].dt.floor("D") > pd.Timestamp(AS_OF)).all():
        return  # lifetimes fails on an empty log: test_an_empty_log_gives_an_empty_summary
    pd.testing.assert_frame_equal(rfm_summary(t, as_of=AS_OF), reference(t, AS_OF), **CLOSE)


@pytest.mark.parametrize(
    "t",
    [frame([]), frame([("A", "2024-03-01", 10.0)])],
    ids=["no transactions", "only transactions after as_of"],
)
def test_an_empty_log_gives_an_empty_summary(t: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(rfm_summary(t, as_of=AS_OF), summary({}, "customer_id"))


def test_rfm_summary_takes_column_names_and_leaves_its_input_alone() -> None:
    t = frame([("A", "2024-01-01 10:00", 10), ("A", "2024-01-11", 20)], customer="who")
    t = t.rename(columns={"date": "when", "amount": "value"})
    before = t.copy()
    got = rfm_summary(t, as_of=AS_OF, customer="who", date="when", amount="value")
    pd.testing.assert_frame_equal(got, summary({"A": (1, 10, 40, 20.0)}, "who"))
    pd.testing.assert_frame_equal(t, before)


# -- rfm_scores, rfm_table -----------------------------------------------------------------


def scored(column: str, values: list[float]) -> list[int]:
    """The scores of customers differing only in one summary column (T 1000 for all)."""
    index = pd.Index([f"C{i}" for i in range(len(values))], dtype="str")
    rfm = pd.DataFrame(
        {"frequency": 0.0, "recency": 0.0, "T": 1000.0, "monetary_value": 0.0}, index=index
    )
    rfm[column] = values
    if column == "recency":  # R scores days since last purchase: T - recency
        return rfm_scores(rfm)["R"].tolist()
    return rfm_scores(rfm)[{"frequency": "F", "monetary_value": "M"}[column]].tolist()


@pytest.mark.parametrize(
    ("column", "values", "scores"),
    [
        ("frequency", list(range(10)), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
        ("frequency", [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]),
        ("frequency", [0, 0, 0, 0, 0, 0, 1, 2, 3, 4], [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]),
        ("frequency", [3, 3, 3, 3, 3], [1, 1, 1, 1, 1]),
        ("frequency", [4], [3]),
        ("frequency", [1, 4], [2, 4]),
        ("frequency", [1, 2, 3], [1, 3, 5]),
        ("recency", [0, 500, 999, 100, 10], [1, 4, 5, 3, 2]),
        ("monetary_value", [10.0, np.nan, 30.0, 20.0, 25.0], [2, 1, 5, 3, 4]),
    ],
    ids=[
        "ten different customers: two per quintile",
        "order in the frame does not matter",
        "six one-time buyers all score 1",
        "all equal: all score 1",
        "a lone customer scores 3",
        "two customers score 2 and 4",
        "three customers score 1, 3 and 5",
        "R: the most recent last purchase scores 5",
        "M: a missing value scores lowest",
    ],
)
def test_scores(column: str, values: list[float], scores: list[int]) -> None:
    assert scored(column, values) == scores


@given(st.lists(st.floats(-1e9, 1e9) | st.just(0.0), max_size=40))
def test_scores_are_1_to_5_and_never_rank_a_bigger_value_lower(values: list[float]) -> None:
    scores = scored("frequency", values)
    assert all(1 <= s <= 5 for s in scores)
    pairs = sorted(zip(values, scores, strict=True))
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(pairs))


def test_segment_grid_names_only_documented_segments() -> None:
    assert sorted(SEGMENT_GRID) == [1, 2, 3, 4, 5]
    named = {name for row in SEGMENT_GRID.values() for name in row}
    assert named == set(SEGMENTS)
    assert all(len(row) == 5 for row in SEGMENT_GRID.values())


def test_rfm_table_scores_and_segments_a_small_shop() -> None:
    as_of = date(2024, 6, 30)
    ago = [("A", 300), ("A", 200), ("A", 100), ("A", 5), ("B", 20), ("C", 200),
           ("D", 400), ("D", 300), ("D", 200), ("E", 60)]  # fmt: skip
    t = pd.DataFrame({
        "customer_key": pd.Series([c for c, _ in ago], dtype="str"),
        "date": pd.Series([pd.Timestamp(as_of) - pd.Timedelta(days=n) for _, n in ago],
                          dtype="datetime64[us]"),
        "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 10.0, 10.0, 10.0, 99.0],
        "kind": "invoice", "invoice": pd.NA,
    })  # fmt: skip
    before = t.copy()
    index = pd.Index(list("ABCDE"), dtype="str", name="customer_key")
    expected = pd.DataFrame({
        "frequency": [3.0, 0.0, 0.0, 2.0, 0.0],
        "recency": [295.0, 0.0, 0.0, 200.0, 0.0],
        "T": [300.0, 20.0, 200.0, 400.0, 60.0],
        "monetary_value": [30.0, 0.0, 0.0, 10.0, 0.0],
        "days_since_last": [5.0, 20.0, 200.0, 200.0, 60.0],
        "R": [5, 4, 1, 1, 3],  # C and D tie on 200 days: both take the lower place
        "F": [5, 1, 1, 4, 1],
        "M": [5, 1, 1, 4, 1],
        "segment": pd.array(
            ["champions", "promising", "lost", "at risk", "about to sleep"], dtype="str"
        ),
    }, index=index)  # fmt: skip
    pd.testing.assert_frame_equal(rfm_table(t, as_of=as_of), expected)
    pd.testing.assert_frame_equal(t, before)


def test_rfm_table_of_nothing_has_the_columns() -> None:
    t = frame([], customer="customer_key")
    got = rfm_table(t, as_of=AS_OF)
    assert got.empty
    assert list(got.columns) == [*COLUMNS, "days_since_last", "R", "F", "M", "segment"]
    assert got.index.name == "customer_key"
