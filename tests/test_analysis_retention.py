"""Quarterly cohort retention and the headline numbers, on small shops computed by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmsheet.analysis.metrics import by_kind
from crmsheet.analysis.retention import comebacks, retention, retention_headline
from crmsheet.cutoff import until

AS_OF = date(2024, 9, 15)  # in 2024-Q3
NAN = np.nan


def log(*rows: tuple[str, str, float] | tuple[str, str, float, str]) -> pd.DataFrame:
    """Transactions as crmsheet produces them from (customer, "YYYY-MM-DD[ HH:MM]", amount
    [, kind]) rows; the kind is "credit" for a negative amount, else "invoice"."""
    kinds = [r[3] if len(r) > 3 else ("credit" if r[2] < 0 else "invoice") for r in rows]
    return pd.DataFrame({
        "customer_key": pd.Series([r[0] for r in rows], dtype="str"),
        "date": pd.to_datetime([r[1] for r in rows], format="ISO8601").astype("datetime64[us]"),
        "amount": pd.Series([r[2] for r in rows], dtype=float),
        "kind": pd.Series(kinds, dtype="str"),
        "invoice": pd.Series([pd.NA] * len(rows), dtype="str"),
    })  # fmt: skip


SHOP = log(
    ("A", "2024-01-10", 100), ("A", "2024-07-05", 50),  # Q1, back two quarters later
    ("A", "2024-10-01", 70),  # after as_of: not counted
    ("B", "2024-02-20", 80), ("B", "2024-05-01", -30),  # Q1; a refund in Q2 is not buying
    ("C", "2024-04-02", 40), ("C", "2024-05-15", 10),  # Q2, again in Q2
    ("C", "2024-08-01 16:00", 20),  # and in Q3
    ("D", "2024-09-16", 20),  # first purchase after as_of: not a customer yet
    ("E", "2024-03-01", 500, "quote"),  # a quote is not a purchase
)  # fmt: skip


def cohorts(t: pd.DataFrame, as_of: date = AS_OF) -> pd.DataFrame:
    """retention() as analyze() calls it: on the revenue cut at as_of (no quotes)."""
    money, _ = by_kind(until(t, as_of))
    return retention(comebacks(money), as_of=as_of)


def headline(t: pd.DataFrame) -> dict[str, float | int | None]:
    """retention_headline() as analyze() calls it."""
    money, _ = by_kind(until(t, AS_OF))
    return retention_headline(money, comebacks(money), as_of=AS_OF)


def table(rows: list[tuple[str, int, list[float]]]) -> pd.DataFrame:
    """The expected retention table from (cohort, customers, [Q+0, Q+1, ...]) rows."""
    width = max((len(shares) for _, _, shares in rows), default=1)
    out = pd.DataFrame(
        [shares for _, _, shares in rows] if rows else np.empty((0, width)),
        columns=[f"Q+{k}" for k in range(width)],
        dtype=float,
    )
    out.insert(0, "customers", pd.Series([n for _, n, _ in rows], dtype=np.int64))
    out.insert(0, "cohort", pd.Series([c for c, _, _ in rows], dtype="str"))
    return out


# -- retention -----------------------------------------------------------------------------


def test_retention_of_a_small_shop() -> None:
    expected = table([
        ("2024-Q1", 2, [1.0, 0.0]),  # A and B; neither bought in Q2 (B's Q2 is a refund)
        ("2024-Q2", 1, [1.0, NAN]),  # C; Q+1 would be 2024-Q3, under way on 15 September
    ])  # 2024-Q3 is under way: A's and C's purchases in it count nowhere yet  # fmt: skip
    pd.testing.assert_frame_equal(cohorts(SHOP), expected)


def test_retention_of_the_small_shop_once_the_quarter_is_over() -> None:
    expected = table([
        ("2024-Q1", 2, [1.0, 0.0, 0.5]),  # only A back, in Q3
        ("2024-Q2", 1, [1.0, 1.0, NAN]),  # C, back in Q3; Q+2 would be 2024-Q4
        ("2024-Q3", 1, [1.0, NAN, NAN]),  # D, first on 16 September: by the 30th, counted
    ])  # fmt: skip
    pd.testing.assert_frame_equal(cohorts(SHOP, date(2024, 9, 30)), expected)


@pytest.mark.parametrize(
    ("t", "as_of", "expected"),
    [
        (log(), AS_OF, table([])),
        (log(("A", "2024-10-01", 10)), AS_OF, table([])),
        (log(("A", "2024-09-01", -10)), AS_OF, table([])),
        (log(("A", "2024-07-01", 10)), AS_OF, table([])),
        (log(("A", "2024-07-01", 10)), date(2024, 9, 30), table([("2024-Q3", 1, [1.0])])),
        (
            log(("A", "2024-07-01", 10), ("B", "2024-09-30 23:59", 5)),
            date(2024, 9, 30),
            table([("2024-Q3", 2, [1.0])]),
        ),
        (
            log(("A", "2024-03-31 23:59", 10), ("A", "2024-04-01", 5)),
            date(2024, 6, 30),
            table([("2024-Q1", 1, [1.0, 1.0])]),
        ),
        (
            log(("A", "2024-03-31 23:59", 10), ("A", "2024-04-01", 5)),
            date(2024, 4, 1),
            table([("2024-Q1", 1, [1.0])]),
        ),
        (
            log(("A", "2023-12-01", 10), ("A", "2024-09-01", 5)),
            date(2024, 9, 30),
            table([("2023-Q4", 1, [1.0, 0.0, 0.0, 1.0])]),
        ),
    ],
    ids=[
        "no transactions: no cohorts, the columns still there",
        "only a purchase after as_of: no cohorts",
        "only a credit: no cohorts",
        "one customer, in the quarter under way: no cohort yet",
        "one customer, the quarter over on as_of",
        "all in as_of's quarter, the last one at the end of its last day",
        "the quarter changes at midnight on 1 April",
        "on 1 April the second quarter is under way: not shown",
        "a cohort before a new year, back three quarters later; no rows for empty quarters",
    ],
)
def test_retention_edge_cases(t: pd.DataFrame, as_of: date, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(cohorts(t, as_of), expected)


def test_retention_leaves_its_input_alone() -> None:
    before = SHOP.copy()
    cohorts(SHOP)
    headline(SHOP)
    pd.testing.assert_frame_equal(SHOP, before)


# -- retention_headline --------------------------------------------------------------------

KEPT = pd.concat([SHOP, log(
    ("F", "2023-03-01", 100), ("F", "2024-03-01", 60),  # before the 12 months, then inside
    ("G", "2023-06-01", 100),  # before the 12 months only
    ("H", "2023-09-15", 40), ("H", "2023-09-16", 10),  # the 12 months start on 2023-09-16
)], ignore_index=True)  # fmt: skip


def test_headline_of_a_shop_that_keeps_a_few() -> None:
    assert headline(KEPT) == {
        # A 100+50, B 80-30, C 40+10+20, F 60, H 10: after as_of, quotes not counted
        "revenue_last_12m": 340.0,
        # F's 60 and H's 10 came from customers who first bought before 2023-09-16
        "returning_revenue_share_12m": pytest.approx(70 / 340),
        # A, C, F and H bought on two days or more; B and G once
        "repeat_purchase_rate": pytest.approx(4 / 6),
        "customers_active_12m": 5,  # A, B, C, F, H
        "new_customers_12m": 3,  # A, B, C
    }


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (log(), {"revenue_last_12m": 0.0, "returning_revenue_share_12m": None,
                 "repeat_purchase_rate": None, "customers_active_12m": 0,
                 "new_customers_12m": 0}),
        (log(("A", "2022-01-01", 10)), {"revenue_last_12m": 0.0,
         "returning_revenue_share_12m": None, "repeat_purchase_rate": 0.0,
         "customers_active_12m": 0, "new_customers_12m": 0}),
        (log(("A", "2022-01-01", 10), ("A", "2024-01-01", -10)), {"revenue_last_12m": -10.0,
         "returning_revenue_share_12m": None, "repeat_purchase_rate": 0.0,
         "customers_active_12m": 0, "new_customers_12m": 0}),
        (log(("A", "2024-01-01", 10), ("A", "2024-01-01 17:00", 5)), {"revenue_last_12m": 15.0,
         "returning_revenue_share_12m": 0.0, "repeat_purchase_rate": 0.0,
         "customers_active_12m": 1, "new_customers_12m": 1}),
        (log(("A", "2022-01-01", 10), ("A", "2024-01-01", 30), ("A", "2024-02-01", -10)),
         {"revenue_last_12m": 20.0, "returning_revenue_share_12m": 1.0,
          "repeat_purchase_rate": 1.0, "customers_active_12m": 1, "new_customers_12m": 0}),
    ],
    ids=[
        "no transactions: shares undefined, counts zero",
        "no revenue in the 12 months: no share",
        "only a refund in the 12 months: no share of negative revenue",
        "two purchases on one day are not a repeat purchase",
        "a kept customer's refund nets off their revenue",
    ],
)  # fmt: skip
def test_headline_edge_cases(t: pd.DataFrame, expected: dict[str, float | int | None]) -> None:
    got = headline(t)
    assert got == expected
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
