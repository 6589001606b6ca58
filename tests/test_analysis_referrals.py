"""Referral value: who referred whom, and what it was worth, hand-computed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmsheet.analysis.referrals import REFERRAL_COLUMNS, referral_value


def _metrics(rows: list[tuple[str, str | None, str | None, float, float]]) -> pd.DataFrame:
    """(key, name, referred_by_key, revenue, revenue_12m)."""
    return pd.DataFrame(
        {
            "name": np.array([r[1] for r in rows], dtype=object),
            "referred_by": np.array([r[2] for r in rows], dtype=object),
            "referred_by_key": np.array([r[2] for r in rows], dtype=object),
            "revenue": [float(r[3]) for r in rows],
            "revenue_12m": [float(r[4]) for r in rows],
        },
        index=pd.Index([r[0] for r in rows], name="customer_key"),
    )


def _table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REFERRAL_COLUMNS)
    return frame.astype({
        "referrer": "str", "referrer_name": "str", "is_customer": bool,
        "customers_referred": "int64", "referred_revenue": float, "referred_revenue_12m": float,
        "own_revenue": float, "total_value": float,
    })  # fmt: skip


def test_a_customer_who_referred_two_gets_both_and_keeps_their_own_revenue() -> None:
    metrics = _metrics([
        ("ann", "Ann's Cafe", None, 100, 50),
        ("bob", "Bob", "ann", 400, 300),
        ("cat", "Cat", "ann", 500, 0),
    ])  # fmt: skip
    expected = _table([("ann", "Ann's Cafe", True, 2, 900.0, 300.0, 100.0, 1000.0)])
    pd.testing.assert_frame_equal(referral_value(metrics), expected)


def test_an_outside_associate_is_named_by_the_text_and_has_no_revenue_of_their_own() -> None:
    metrics = _metrics([("bob", "Bob", "Dr Jones", 400, 300)])
    expected = _table([("Dr Jones", "Dr Jones", False, 1, 400.0, 300.0, 0.0, 400.0)])
    pd.testing.assert_frame_equal(referral_value(metrics), expected)


def test_a_referrer_who_was_referred_counts_only_their_direct_referrals() -> None:
    # ann -> bob -> cat: cat is bob's referral, not ann's
    metrics = _metrics([
        ("ann", "Ann", None, 100, 100),
        ("bob", "Bob", "ann", 200, 200),
        ("cat", "Cat", "bob", 700, 70),
        ("dan", "Dan", "Partner Co", 50, 0),
    ])  # fmt: skip
    expected = _table([
        ("bob", "Bob", True, 1, 700.0, 70.0, 200.0, 900.0),
        ("ann", "Ann", True, 1, 200.0, 200.0, 100.0, 300.0),
        ("Partner Co", "Partner Co", False, 1, 50.0, 0.0, 0.0, 50.0),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(referral_value(metrics), expected)


@pytest.mark.parametrize(
    "rows",
    [
        [("ann", "Ann", None, 100, 100), ("bob", "Bob", None, 0, 0)],
        [("ann", "Ann", "ann", 100, 100)],
        [],
    ],
    ids=[
        "when nobody was referred the table is empty",
        "a customer named as their own referrer is not a referral",
        "an empty sheet has no referrers",
    ],
)
def test_no_referrals_give_an_empty_table_with_the_columns(
    rows: list[tuple[str, str, str | None, float, float]],
) -> None:
    pd.testing.assert_frame_equal(referral_value(_metrics(rows)), _table([]))


def test_a_customer_without_a_name_is_named_by_key_and_prospects_count_as_referred() -> None:
    metrics = _metrics([("ann", None, None, 0, 0), ("bob", "Bob", "ann", 0, 0)])
    expected = _table([("ann", "ann", True, 1, 0.0, 0.0, 0.0, 0.0)])
    pd.testing.assert_frame_equal(referral_value(metrics), expected)


def test_the_input_is_not_mutated() -> None:
    metrics = _metrics([("ann", "Ann", None, 1, 1), ("bob", "Bob", "ann", 2, 2)])
    before = metrics.copy()
    referral_value(metrics)
    pd.testing.assert_frame_equal(metrics, before)
