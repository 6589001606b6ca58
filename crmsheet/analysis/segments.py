"""Where does the revenue come from? Customers and revenue per industry, size, market and type.

"Useful attributes (industry type, size, market, etc.) - to determine your reliance on (or
opportunities in) different segments of your market." The biggest segment shows the
reliance; a thin one (fewer customers than ``settings.thin_segment_customers``) may be an
unfilled niche, or a distraction.

Rules: a customer is anyone who has bought (status other than "prospect" or "not a
customer", a supplier or competitor that has not bought); prospects are
counted apart, so a segment of prospects only is thin and shows the opportunity. Revenue is
lifetime net revenue. A missing value is its own segment, ``(unknown)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import Settings
from .columns import Column, count, flag, money, share, text

__all__ = [
    "DIMENSIONS",
    "DIMENSION_WORDS",
    "SEGMENT_COLUMNS",
    "SEGMENT_SHOWN",
    "segments",
    "segments_headline",
]

#: The attributes segmented on, in this order (a missing column is skipped).
DIMENSIONS = ("industry", "size_band", "market", "type")
#: Each dimension as a reader calls it (the "Grouped by" column shows these words).
DIMENSION_WORDS = {"industry": "Industry", "size_band": "Size", "market": "Market",
                   "type": "Customer type"}  # fmt: skip

#: The segment table's columns.
SEGMENT_SHOWN: dict[str, Column] = {
    "dimension": text("Grouped by"), "segment": text("Segment"),
    "customers": count("Customers"), "prospects": count("Prospects"),
    "revenue": money("Revenue (lifetime)"), "revenue_share": share("Share of revenue"),
    "revenue_per_customer": money("Revenue per customer (lifetime)"),
    "a_rated": count("A customers"), "lapsed": count("Lapsed customers"),
    "thin": flag("Too few to judge"),
}  # fmt: skip
SEGMENT_COLUMNS = list(SEGMENT_SHOWN)

UNKNOWN = "(unknown)"


def segments(metrics: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """One row per (dimension, segment), long format; within a dimension biggest revenue first.

    Columns: dimension, segment, customers (have bought), prospects, revenue (lifetime),
    revenue_share (of the dimension's total; NaN when it is 0), revenue_per_customer (NaN
    without customers), a_rated (customers rated "A"), lapsed (status "lapsed") and thin
    (customers < ``settings.thin_segment_customers``).

    >>> segments(metrics, settings=Settings())  # doctest: +SKIP
      dimension   segment  customers  prospects  revenue  revenue_share  ...   thin
    0  industry    retail          5          1   9000.0            0.9  ...  False
    1  industry  (unknown)         1          0   1000.0            0.1  ...   True
    """
    status = metrics["status"].astype(object)
    prospect = (status == "prospect").to_numpy()
    other = (status == "not a customer").to_numpy()  # a supplier: neither
    facts = pd.DataFrame({
        "customers": (~prospect & ~other).astype("int64"),
        "prospects": prospect.astype("int64"),
        "revenue": metrics["revenue"].astype(float).fillna(0.0).to_numpy(),
        "a_rated": (metrics["rating"].astype(object) == "A").astype("int64").to_numpy(),
        "lapsed": (status == "lapsed").astype("int64").to_numpy(),
    })  # fmt: skip
    parts = []
    for dimension in (d for d in DIMENSIONS if d in metrics.columns):
        value = metrics[dimension].astype("string").str.strip()
        value = value.where(value != "").fillna(UNKNOWN)
        part = facts.groupby(value.to_numpy(), sort=False).sum()
        part.index.name = "segment"
        part = part.reset_index()
        part.insert(0, "dimension", dimension)
        total = float(part["revenue"].sum())
        part["revenue_share"] = part["revenue"] / total if total != 0 else np.nan
        parts.append(part.sort_values(
            ["revenue", "customers", "segment"], ascending=[False, False, True], kind="stable",
        ))  # fmt: skip
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    out["revenue_per_customer"] = out["revenue"] / out["customers"].where(out["customers"] > 0)
    out["thin"] = (out["customers"] < settings.thin_segment_customers).astype(bool)
    out["dimension"] = out["dimension"].astype("str")
    out["segment"] = out["segment"].astype("str")
    out["revenue_share"] = out["revenue_share"].astype(float)
    return out[SEGMENT_COLUMNS]


def segments_headline(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per dimension: the segment with the most revenue, and the thin niches.

    ``{dimension: {"top_segment", "top_revenue", "top_share", "thin"}}``; ``top_segment`` is
    None when the dimension has no revenue; ``thin`` lists the thin segments by name,
    ``(unknown)`` left out (a gap in the data is not a niche).

    >>> segments_headline(segments(metrics, settings=Settings()))["industry"]  # doctest: +SKIP
    {'top_segment': 'retail', 'top_revenue': 9000.0, 'top_share': 0.9, 'thin': ['dental']}
    """
    out: dict[str, dict[str, Any]] = {}
    for dimension, part in table.groupby("dimension", sort=False):
        best = part.sort_values("revenue", ascending=False, kind="stable").head(1)
        earns = bool(len(best)) and float(best["revenue"].iloc[0]) > 0
        thin = part.loc[part["thin"] & (part["segment"] != UNKNOWN), "segment"]
        out[str(dimension)] = {
            "top_segment": str(best["segment"].iloc[0]) if earns else None,
            "top_revenue": float(best["revenue"].iloc[0]) if earns else 0.0,
            "top_share": float(best["revenue_share"].iloc[0]) if earns else np.nan,
            "thin": [str(s) for s in thin],
        }
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "dimension": pd.Series(dtype="str"), "segment": pd.Series(dtype="str"),
        "customers": pd.Series(dtype="int64"), "prospects": pd.Series(dtype="int64"),
        "revenue": pd.Series(dtype=float), "revenue_share": pd.Series(dtype=float),
        "revenue_per_customer": pd.Series(dtype=float), "a_rated": pd.Series(dtype="int64"),
        "lapsed": pd.Series(dtype="int64"), "thin": pd.Series(dtype=bool),
    })  # fmt: skip
