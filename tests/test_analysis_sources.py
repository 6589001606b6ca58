"""Source ROI: hand-computed tables on a handful of customers and spend rows."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmsheet.analysis.sources import ROI_COLUMNS, SPEND_COLUMNS, source_roi, source_roi_headline

AS_OF = date(2025, 6, 30)
NAN = np.nan


def _metrics(rows: list[tuple[str, str | None, str | None, float, float]]) -> pd.DataFrame:
    """(key, source, campaign, revenue, revenue_first_12m); revenue 0 and no date = prospect."""
    keys = [r[0] for r in rows]
    bought = [r[3] != 0 for r in rows]
    return pd.DataFrame(
        {
            "name": [k.upper() for k in keys],
            "source": np.array([r[1] for r in rows], dtype=object),
            "campaign": np.array([r[2] for r in rows], dtype=object),
            "first_purchase": pd.to_datetime(["2024-03-01" if b else None for b in bought]),
            "transactions": [1 if b else 0 for b in bought],
            "revenue": [float(r[3]) for r in rows],
            "revenue_first_12m": [float(r[4]) for r in rows],
        },
        index=pd.Index(keys, name="customer_key"),
    )


def _spend(rows: list[tuple[str | None, str | None, str, str, float]]) -> pd.DataFrame:
    """(source, campaign, period_start, period_end, amount)."""
    frame = pd.DataFrame(rows, columns=SPEND_COLUMNS)
    frame["source"] = frame["source"].astype(object)
    frame["campaign"] = frame["campaign"].astype(object)
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["amount"] = frame["amount"].astype(float)
    return frame


def _table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """The expected ROI table, from rows in ROI_COLUMNS order."""
    frame = pd.DataFrame(rows, columns=ROI_COLUMNS)
    frame["source"] = frame["source"].astype("str")
    frame["campaign"] = frame["campaign"].astype(object).astype("str")
    for col in ("new_customers", "prospects"):
        frame[col] = frame[col].astype("int64")
    for col in ROI_COLUMNS[4:]:
        frame[col] = frame[col].astype(float)
    return frame


# web: two customers (1,000 and 500 lifetime; 600 and 500 in their first year), a prospect;
# referral: one customer (300) and no spend.
CUSTOMERS = [
    ("ann", "web", None, 1000.0, 600.0),
    ("bob", "web", None, 500.0, 500.0),
    ("cat", "web", None, 0.0, 0.0),
    ("dan", "referral", None, 300.0, 300.0),
]


def test_spend_is_matched_by_source_and_roi_is_revenue_over_cost() -> None:
    spend = _spend([("web", None, "2025-01-01", "2025-03-31", 500.0)])
    got = source_roi(_metrics(CUSTOMERS), spend, as_of=AS_OF)
    # web: (1500 - 500) / 500 = 2.0; first year (1100 - 500) / 500 = 1.2; CPA 500 / 2
    expected = _table([
        ("web", None, 2, 1, 1500.0, 1100.0, 750.0, 500.0, 250.0, 2.0, 1.2),
        ("referral", None, 1, 0, 300.0, 300.0, 300.0, 0.0, NAN, NAN, NAN),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    "spend",
    [
        None,
        pd.DataFrame({c: pd.Series(dtype=object) for c in SPEND_COLUMNS}),
        _spend([("web", None, "2025-01-01", "2025-01-31", 0.0)]),
    ],
    ids=[
        "with no spend frame at all ROI is unknown, not zero",
        "with an empty spend frame ROI is unknown, not zero",
        "with spend recorded as zero ROI and cost per customer are unknown",
    ],
)
def test_without_spend_roi_is_nan(spend: pd.DataFrame | None) -> None:
    got = source_roi(_metrics(CUSTOMERS), spend, as_of=AS_OF)
    expected = _table([
        ("web", None, 2, 1, 1500.0, 1100.0, 750.0, 0.0, NAN, NAN, NAN),
        ("referral", None, 1, 0, 300.0, 300.0, 300.0, 0.0, NAN, NAN, NAN),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_spend_on_a_source_with_no_customers_gets_its_own_row() -> None:
    spend = _spend([
        ("web", None, "2025-01-01", "2025-01-31", 500.0),
        ("radio", None, "2025-01-01", "2025-01-31", 800.0),
    ])  # fmt: skip
    got = source_roi(_metrics(CUSTOMERS), spend, as_of=AS_OF)
    expected = _table([
        ("web", None, 2, 1, 1500.0, 1100.0, 750.0, 500.0, 250.0, 2.0, 1.2),
        ("referral", None, 1, 0, 300.0, 300.0, 300.0, 0.0, NAN, NAN, NAN),
        ("radio", None, 0, 0, 0.0, 0.0, NAN, 800.0, NAN, -1.0, -1.0),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_campaign_spend_matches_the_campaigns_customers_beneath_the_source_total() -> None:
    metrics = _metrics([
        ("ann", "web", "spring", 1000.0, 600.0),
        ("bob", "web", None, 500.0, 500.0),
        ("eve", "web", "autumn", 100.0, 100.0),
    ])  # fmt: skip
    spend = _spend([
        ("web", "spring", "2025-01-01", "2025-01-31", 200.0),
        ("web", None, "2025-01-01", "2025-01-31", 100.0),
        ("web", "winter", "2025-01-01", "2025-01-31", 50.0),  # a campaign nobody came from
    ])  # fmt: skip
    got = source_roi(metrics, spend, as_of=AS_OF)
    expected = _table([
        ("web", None, 3, 0, 1600.0, 1200.0, 1600 / 3, 350.0, 350 / 3, 1250 / 350, 850 / 350),
        ("web", "spring", 1, 0, 1000.0, 600.0, 1000.0, 200.0, 200.0, 4.0, 2.0),
        ("web", "(no campaign)", 1, 0, 500.0, 500.0, 500.0, 100.0, 100.0, 4.0, 4.0),
        ("web", "autumn", 1, 0, 100.0, 100.0, 100.0, 0.0, NAN, NAN, NAN),
        ("web", "winter", 0, 0, 0.0, 0.0, NAN, 50.0, NAN, -1.0, -1.0),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_customers_without_a_source_are_unknown() -> None:
    metrics = _metrics([("ann", None, None, 100.0, 100.0), ("bob", "  ", None, 50.0, 50.0)])
    got = source_roi(metrics, None, as_of=AS_OF)
    expected = _table([("(unknown)", None, 2, 0, 150.0, 150.0, 75.0, 0.0, NAN, NAN, NAN)])
    pd.testing.assert_frame_equal(got, expected)


def test_spend_without_a_source_takes_its_campaigns_source_and_case_does_not_matter() -> None:
    metrics = _metrics([("ann", "Web", "Spring", 300.0, 300.0)])
    spend = _spend([
        (None, "spring", "2025-01-01", "2025-01-31", 100.0),
        ("WEB ", None, "2025-01-01", "2025-01-31", 50.0),
    ])  # fmt: skip
    got = source_roi(metrics, spend, as_of=AS_OF)
    expected = _table([
        ("Web", None, 1, 0, 300.0, 300.0, 300.0, 150.0, 150.0, 1.0, 1.0),
        ("Web", "Spring", 1, 0, 300.0, 300.0, 300.0, 100.0, 100.0, 2.0, 2.0),
        ("Web", "(no campaign)", 0, 0, 0.0, 0.0, NAN, 50.0, NAN, -1.0, -1.0),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("start", "end", "counted"),
    [
        ("2025-01-01", "2025-01-30", 300.0),
        ("2025-06-21", "2025-07-20", 100.0),
        ("2025-07-01", "2025-07-30", 0.0),
    ],
    ids=[
        "a period before as_of counts in full",
        "a period running past as_of counts pro rata by days (10 of 30)",
        "a period starting after as_of does not count",
    ],
)
def test_spend_counts_up_to_as_of(start: str, end: str, counted: float) -> None:
    spend = _spend([("web", None, start, end, 300.0)])
    got = source_roi(_metrics(CUSTOMERS), spend, as_of=AS_OF)
    assert got.loc[0, "spend"] == pytest.approx(counted)


def test_an_empty_sheet_gives_an_empty_table_with_the_columns() -> None:
    got = source_roi(_metrics([]), None, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, _table([]))


def test_headline_names_the_best_known_roi_and_the_money_with_nothing_to_show() -> None:
    spend = _spend([
        ("web", None, "2025-01-01", "2025-01-31", 500.0),
        ("radio", None, "2025-01-01", "2025-01-31", 800.0),
    ])  # fmt: skip
    table = source_roi(_metrics(CUSTOMERS), spend, as_of=AS_OF)
    assert source_roi_headline(table) == {
        "top_source": "web",  # referral has no spend: its ROI is unknown, not infinite
        "top_roi": 2.0,
        "total_spend": 1300.0,
        "new_customers": 3,
        "spend_without_customers": 800.0,
    }


def test_headline_without_any_known_roi_has_no_top_source() -> None:
    headline = source_roi_headline(source_roi(_metrics(CUSTOMERS), None, as_of=AS_OF))
    assert headline["top_source"] is None
    assert math.isnan(headline["top_roi"])
    assert headline["total_spend"] == 0.0


def test_inputs_are_not_mutated() -> None:
    metrics = _metrics(CUSTOMERS)
    spend = _spend([(None, "spring", "2025-01-01", "2025-12-31", 100.0)])
    before = metrics.copy(), spend.copy()
    source_roi(metrics, spend, as_of=AS_OF)
    pd.testing.assert_frame_equal(metrics, before[0])
    pd.testing.assert_frame_equal(spend, before[1])
