"""Segments: customers and revenue per industry, size, market and type, hand-computed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crmsheet.analysis.segments import SEGMENT_COLUMNS, segments, segments_headline
from crmsheet.config import Settings

SETTINGS = Settings()  # thin_segment_customers 3
NAN = np.nan

COLUMNS = ["industry", "size_band", "market", "type", "revenue", "rating", "status"]
ROWS = [
    ("a", "retail", "small", "US", "customer", 500, "A", "active"),
    ("b", "retail", "small", "US", "customer", 300, "B", "lapsed"),
    ("c", "retail", "large", "EU", "customer", 200, "A", "lapsing"),
    ("d", "dental", "small", "US", "customer", 100, "C", "lapsed"),
    ("e", None, "small", "US", "prospect", 0, None, "prospect"),
    ("f", "dental", None, "EU", None, 0, None, "prospect"),
]


def _metrics(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [r[1:] for r in rows], columns=COLUMNS,
        index=pd.Index([r[0] for r in rows], name="customer_key", dtype="str"),
    )  # fmt: skip
    return frame.astype({c: object for c in COLUMNS if c != "revenue"} | {"revenue": float})


def _table(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    return frame.astype({
        "dimension": "str", "segment": "str", "customers": "int64", "prospects": "int64",
        "revenue": float, "revenue_share": float, "revenue_per_customer": float,
        "a_rated": "int64", "lapsed": "int64", "thin": bool,
    })  # fmt: skip


def test_every_dimension_is_segmented_with_unknowns_grouped() -> None:
    got = segments(_metrics(ROWS), settings=SETTINGS)
    expected = _table([
        ("industry", "retail", 3, 0, 1000.0, 1000 / 1100, 1000 / 3, 2, 1, False),
        ("industry", "dental", 1, 1, 100.0, 100 / 1100, 100.0, 0, 1, True),
        ("industry", "(unknown)", 0, 1, 0.0, 0.0, NAN, 0, 0, True),
        ("size_band", "small", 3, 1, 900.0, 900 / 1100, 300.0, 1, 2, False),
        ("size_band", "large", 1, 0, 200.0, 200 / 1100, 200.0, 1, 0, True),
        ("size_band", "(unknown)", 0, 1, 0.0, 0.0, NAN, 0, 0, True),
        ("market", "US", 3, 1, 900.0, 900 / 1100, 300.0, 1, 2, False),
        ("market", "EU", 1, 1, 200.0, 200 / 1100, 200.0, 1, 0, True),
        ("type", "customer", 4, 0, 1100.0, 1.0, 275.0, 2, 2, False),
        ("type", "(unknown)", 0, 1, 0.0, 0.0, NAN, 0, 0, True),
        ("type", "prospect", 0, 1, 0.0, 0.0, NAN, 0, 0, True),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)


def test_headline_names_the_biggest_segment_and_the_thin_niches_but_not_unknowns() -> None:
    headline = segments_headline(segments(_metrics(ROWS), settings=SETTINGS))
    assert headline == {
        "industry": {"top_segment": "retail", "top_revenue": 1000.0,
                     "top_share": pytest.approx(1000 / 1100), "thin": ["dental"]},
        "size_band": {"top_segment": "small", "top_revenue": 900.0,
                      "top_share": pytest.approx(900 / 1100), "thin": ["large"]},
        "market": {"top_segment": "US", "top_revenue": 900.0,
                   "top_share": pytest.approx(900 / 1100), "thin": ["EU"]},
        "type": {"top_segment": "customer", "top_revenue": 1100.0, "top_share": 1.0,
                 "thin": ["prospect"]},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("limit", "thin"),
    [(1, []), (2, ["dental"]), (4, ["retail", "dental"])],
    ids=[
        "with a limit of one customer only empty segments are thin",
        "with a limit of two a one-customer segment is thin",
        "with a limit of four a three-customer segment is thin too",
    ],
)
def test_thin_follows_the_setting(limit: int, thin: list[str]) -> None:
    table = segments(_metrics(ROWS), settings=Settings(thin_segment_customers=limit))
    assert segments_headline(table)["industry"]["thin"] == thin


def test_blank_text_is_unknown_and_no_revenue_has_no_share_and_no_top_segment() -> None:
    metrics = _metrics([
        ("a", " ", "small", "US", "customer", 0, None, "active"),
        ("b", None, "small", "US", "customer", 0, None, "lapsed"),
    ])  # fmt: skip
    table = segments(metrics, settings=SETTINGS)
    expected = _table([
        ("industry", "(unknown)", 2, 0, 0.0, NAN, 0.0, 0, 1, True),
        ("size_band", "small", 2, 0, 0.0, NAN, 0.0, 0, 1, True),
        ("market", "US", 2, 0, 0.0, NAN, 0.0, 0, 1, True),
        ("type", "customer", 2, 0, 0.0, NAN, 0.0, 0, 1, True),
    ])  # fmt: skip
    pd.testing.assert_frame_equal(table, expected)
    industry = segments_headline(table)["industry"]
    assert industry["top_segment"] is None
    assert math.isnan(industry["top_share"])
    assert industry["thin"] == []


def test_an_empty_sheet_gives_an_empty_table_with_the_columns() -> None:
    table = segments(_metrics([]), settings=SETTINGS)
    pd.testing.assert_frame_equal(table, _table([]))
    assert segments_headline(table) == {}


def test_the_input_is_not_mutated() -> None:
    metrics = _metrics(ROWS)
    before = metrics.copy()
    segments(metrics, settings=SETTINGS)
    pd.testing.assert_frame_equal(metrics, before)
