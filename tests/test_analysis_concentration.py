"""Concentration: parent chains, group shares and HHI, hand-computed on tiny sheets."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from crmsheet.analysis.concentration import (
    CONCENTRATION_COLUMNS,
    concentration,
    concentration_headline,
    top_parent,
)
from crmsheet.config import Settings

SETTINGS = Settings()  # concentration_limit 0.10
NAN = np.nan


def figures(metrics: pd.DataFrame) -> dict[str, Any]:
    """concentration_headline() as analyze() calls it: with the groups table it has."""
    return concentration_headline(metrics, concentration(metrics, settings=SETTINGS))


def _metrics(
    rows: list[tuple[str, str | None, str | None, float]], lifetime: float = 0.0
) -> pd.DataFrame:
    """(key, name, parent_key, revenue_12m); lifetime revenue is revenue_12m + ``lifetime``."""
    return pd.DataFrame(
        {
            "name": np.array([r[1] for r in rows], dtype=object),
            "parent_key": np.array([r[2] for r in rows], dtype=object),
            "revenue": [float(r[3]) + lifetime for r in rows],
            "revenue_12m": [float(r[3]) for r in rows],
        },
        index=pd.Index([r[0] for r in rows], name="customer_key", dtype="str"),
    )


def _table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=CONCENTRATION_COLUMNS)
    return frame.astype({
        "group": "str", "group_name": "str", "members": "int64", "revenue": float,
        "share": float, "cumulative_share": float, "rank": "int64", "flag": bool,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("a", "A", None, 1)], ["a"]),
        ([("a", "A", None, 1), ("b", "B", "a", 1), ("c", "C", "b", 1)], ["a", "a", "a"]),
        ([("a", "A", "Big Group", 1), ("b", "B", "a", 1)], ["Big Group", "Big Group"]),
        ([("a", "A", "b", 1), ("b", "B", "a", 1), ("c", "C", "b", 1)], ["a", "a", "a"]),
        ([("z", "Z", "y", 1), ("y", "Y", "x", 1), ("x", "X", "z", 1)], ["x", "x", "x"]),
        ([("a", "A", "a", 1)], ["a"]),
        ([("a", "A", None, 1), ("b", "B", None, 1)], ["a", "b"]),
    ],
    ids=[
        "a customer without a parent is its own top",
        "a three-level chain rolls up to its top",
        "a parent that is not a customer is the top of the chain",
        "a cycle and the customer below it roll up to the cycle's smallest key",
        "a three-way cycle listed backwards still picks the smallest key",
        "a customer that is its own parent is its own top",
        "unrelated customers stay apart",
    ],
)
def test_top_parent(rows: list[tuple[str, str, str | None, float]], expected: list[str]) -> None:
    metrics = _metrics(rows)
    expected_series = pd.Series(expected, index=metrics.index, dtype=object, name="top_parent")
    pd.testing.assert_series_equal(top_parent(metrics), expected_series)


def test_long_chains_and_cycles_are_followed_without_per_row_loops() -> None:
    n = 20_000
    keys = [f"k{i:05d}" for i in range(n)]
    # k00000 <- k00001 <- ... <- k09999 (a chain); k10000 -> ... -> k19999 -> k10000 (a cycle)
    parents = [None, *keys[: n // 2 - 1], *keys[n // 2 + 1 :], keys[n // 2]]
    metrics = _metrics([(k, k, p, 1.0) for k, p in zip(keys, parents, strict=True)])
    got = top_parent(metrics)
    assert (got.iloc[: n // 2] == "k00000").all()
    assert (got.iloc[n // 2 :] == "k10000").all()


def test_groups_are_ranked_and_flagged_at_the_limit() -> None:
    metrics = _metrics([
        ("a", "Acme", None, 400), ("b", "Acme East", "a", 100), ("c", "Acme West", "b", 100),
        ("d", "Dent", "Outside Holdings", 250), ("e", "Eve", None, 100), ("f", "Fay", None, 50),
    ])  # fmt: skip
    got = concentration(metrics, settings=Settings(concentration_limit=0.25))
    # total 1,000: Acme 600 (3 members), Outside Holdings 250 (= the limit: flagged), ...
    expected = _table([
        ("a", "Acme", 3, 600.0, 0.60, 0.60, 1, True),
        ("Outside Holdings", "Outside Holdings", 1, 250.0, 0.25, 0.85, 2, True),
        ("e", "Eve", 1, 100.0, 0.10, 0.95, 3, False),
        ("f", "Fay", 1, 50.0, 0.05, 1.00, 4, False),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_hhi_is_the_sum_of_squared_percentage_shares() -> None:
    metrics = _metrics([("a", "A", None, 50), ("b", "B", None, 30), ("c", "C", None, 20)])
    headline = figures(metrics)
    assert headline == {
        "hhi_customers": pytest.approx(3800.0),  # 50² + 30² + 20²
        "top1_share_customers": pytest.approx(0.5),
        "top5_share_customers": pytest.approx(1.0),
        "top10_share_customers": pytest.approx(1.0),
        "hhi_groups": pytest.approx(3800.0),
        "top1_share_groups": pytest.approx(0.5),
        "top5_share_groups": pytest.approx(1.0),
        "top10_share_groups": pytest.approx(1.0),
        "groups_over_limit": 3,
        "revenue_basis": "revenue_12m",
        "hhi_reading_customers": "HHI 3,800: highly concentrated",
        "hhi_reading_groups": "HHI 3,800: highly concentrated",
        "reading": "HHI 3,800 across customers: highly concentrated",
    }


def test_all_revenue_in_one_parent_is_a_share_of_one_and_hhi_of_10000() -> None:
    metrics = _metrics([("a", "Acme", None, 50), ("b", "Acme B", "a", 50)])
    got = concentration(metrics, settings=SETTINGS)
    pd.testing.assert_frame_equal(got, _table([("a", "Acme", 2, 100.0, 1.0, 1.0, 1, True)]))
    headline = figures(metrics)
    assert headline["hhi_customers"] == pytest.approx(5000.0)  # 50² + 50²
    assert headline["hhi_groups"] == pytest.approx(10000.0)
    assert headline["top1_share_groups"] == pytest.approx(1.0)
    assert headline["groups_over_limit"] == 1


def test_one_customer_is_the_whole_business() -> None:
    metrics = _metrics([("a", None, None, 10)])
    got = concentration(metrics, settings=SETTINGS)
    # no name: the key stands in
    pd.testing.assert_frame_equal(got, _table([("a", "a", 1, 10.0, 1.0, 1.0, 1, True)]))
    assert figures(metrics)["hhi_customers"] == 10000.0


def test_zero_revenue_everywhere_has_unknown_shares_and_flags_nothing() -> None:
    metrics = _metrics([("a", "A", None, 0), ("b", "B", None, 0)])
    got = concentration(metrics, settings=SETTINGS)
    expected = _table([
        ("a", "A", 1, 0.0, NAN, NAN, 1, False),
        ("b", "B", 1, 0.0, NAN, NAN, 1, False),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)
    headline = figures(metrics)
    assert math.isnan(headline["hhi_customers"])
    assert math.isnan(headline["hhi_groups"])
    assert math.isnan(headline["top1_share_groups"])
    assert headline["groups_over_limit"] == 0


def test_without_recent_revenue_lifetime_revenue_is_used() -> None:
    metrics = _metrics([("a", "A", None, 0), ("b", "B", None, 0)])
    metrics["revenue"] = [300.0, 100.0]
    got = concentration(metrics, settings=SETTINGS)
    expected = _table([
        ("a", "A", 1, 300.0, 0.75, 0.75, 1, True),
        ("b", "B", 1, 100.0, 0.25, 1.00, 2, True),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)
    assert figures(metrics)["revenue_basis"] == "revenue"


def test_recent_revenue_wins_over_lifetime_and_zero_revenue_groups_come_last() -> None:
    metrics = _metrics([("a", "A", None, 0), ("b", "B", None, 10), ("c", "C", None, 30)],
                       lifetime=1000.0)  # fmt: skip
    got = concentration(metrics, settings=SETTINGS)
    expected = _table([
        ("c", "C", 1, 30.0, 0.75, 0.75, 1, True),
        ("b", "B", 1, 10.0, 0.25, 1.00, 2, True),
        ("a", "A", 1, 0.0, 0.0, 1.00, 3, False),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_an_empty_sheet_gives_an_empty_table() -> None:
    metrics = _metrics([])
    pd.testing.assert_frame_equal(concentration(metrics, settings=SETTINGS), _table([]))
    assert figures(metrics)["groups_over_limit"] == 0


def test_the_input_is_not_mutated() -> None:
    metrics = _metrics([("a", "A", "b", 1), ("b", "B", "a", 1)])
    before = metrics.copy()
    figures(metrics)
    pd.testing.assert_frame_equal(metrics, before)
