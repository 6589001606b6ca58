"""Display names, colours and number formats of the enriched workbook's columns.

The analyses name their columns for code (``revenue_12m``); the workbook shows them to people
("Revenue (12 months)"). This module is that translation, plus the colours of ratings and
statuses and the formats the writer cannot guess from a column's name and type (the
forecast's), shared by every sheet of :mod:`crmsheet.workbook`.
"""

from __future__ import annotations

import pandas as pd

from ..io.styles import AMBER, BLUE, DECIMAL_2, GREEN, GREY, PERCENT, RED

__all__ = [
    "FORECAST_FORMATS",
    "LABELS",
    "RATING_COLOURS",
    "STATUS_COLOURS",
    "forecast_formats",
    "labelled",
]

RATING_COLOURS = {"A": GREEN, "B": AMBER, "C": RED, "unrated": GREY}
STATUS_COLOURS = {"lapsed": RED, "lapsing": AMBER, "new": BLUE, "prospect": GREY}

#: Display names for the enriched columns (the user's own columns keep theirs).
LABELS = {
    "customer_key": "Customer", "name": "Name", "contact": "Contact", "rating": "Rating",
    "revenue_rating": "Revenue rating", "reasons": "Why this rating",
    "rating_before": "Rating before", "changed": "Rating changed", "status": "Status",
    "status_reason": "Why this status", "revenue": "Revenue (lifetime)",
    "revenue_12m": "Revenue (12 months)", "revenue_first_12m": "Revenue (first 12 months)",
    "revenue_window": "Revenue (rating window)", "transactions": "Purchases",
    "average_transaction": "Average purchase", "first_purchase": "First purchase",
    "last_purchase": "Last purchase", "days_since_last": "Days since last purchase",
    "typical_gap_days": "Usual days between purchases", "expected_next": "Next purchase expected",
    "purchases_per_year": "Purchases a year", "follow_up": "Follow-up",
    "next_follow_up": "Next follow-up", "parent_group": "Parent group",
    "rfm_segment": "RFM segment", "value_at_risk": "Value at risk", "email": "Email",
    "phone": "Phone", "action": "Action", "why": "Why", "days_overdue": "Days overdue",
    "revenue_share": "Share of revenue", "cumulative_share": "Cumulative share",
    "support_cases": "Support cases", "support_minutes": "Support minutes",
    "support_per_1000": "Support per 1,000 revenue", "average_discount": "Average discount",
    "quote_reduction": "Invoice under quote", "downgrades": "Steps down",
    "p_alive": "P(alive)", "expected_purchases_30": "Expected purchases (30 days)",
    "expected_purchases_90": "Expected purchases (90 days)",
    "expected_purchases_365": "Expected purchases (365 days)",
    "order_value": "Average order value", "expected_value_365": "Expected value (365 days)",
    "expected_value_lost": "Expected value lost",
}  # fmt: skip

#: Number formats of the forecast's columns (the others are guessed from name and type).
FORECAST_FORMATS = {
    "P(alive)": PERCENT, "Expected purchases (30 days)": DECIMAL_2,
    "Expected purchases (90 days)": DECIMAL_2, "Expected purchases (365 days)": DECIMAL_2,
}  # fmt: skip


def labelled(frame: pd.DataFrame, *, index: bool = True) -> pd.DataFrame:
    """``frame`` (with its index as the first columns) under the display names of LABELS."""
    f = frame.reset_index() if index else frame
    return f.rename(columns={c: LABELS.get(c, _title(c)) for c in f.columns})


def _title(name: str) -> str:
    """``"some_name"`` -> ``"Some name"``; a name without an underscore is kept as it is."""
    return str(name).replace("_", " ").strip().capitalize() if "_" in str(name) else str(name)


def forecast_formats(frame: pd.DataFrame) -> dict[str, str]:
    """P(alive) as a percentage, expected purchases to two decimals.

    On the Customers sheet our column is "P(alive) (crmsheet)" when the user has their own
    "P(alive)": theirs keeps its format.
    """
    out = {}
    for header, fmt in FORECAST_FORMATS.items():
        ours = f"{header} (crmsheet)"
        if ours in frame.columns or header in frame.columns:
            out[ours if ours in frame.columns else header] = fmt
    return out
