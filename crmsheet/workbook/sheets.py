"""The table sheets of the enriched workbook: which frame goes on which sheet, how it looks.

:func:`workbook_sheets` turns an :class:`~crmsheet.analysis.Analysis` (and the data it was
read from) into one :class:`~crmsheet.io.tables.SheetSpec` per table sheet, in the order of
:data:`~crmsheet.workbook.SHEETS`: the frame under its display names, the colours of its
ratings, statuses and overdue dates, the formats the writer cannot guess. The Summary is
drawn separately (:mod:`crmsheet.workbook.summary`). To add a sheet, add it to ``SHEETS`` and
give it a spec here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..analysis import Analysis
from ..data import CrmData
from ..io.problems import PROBLEM_FORMATS
from ..io.styles import AMBER, BLUE, GREEN, MONEY, RED
from ..io.tables import SheetSpec
from .customers import customer_sheet
from .labels import RATING_COLOURS, STATUS_COLOURS, forecast_formats, labelled

__all__ = ["workbook_sheets"]


def workbook_sheets(analysis: Analysis, data: CrmData) -> dict[str, SheetSpec]:
    """The 12 table sheets (all but the Summary) for ``analysis``, read from ``data``."""
    rating_cols = {"Rating": RATING_COLOURS, "Revenue rating": RATING_COLOURS,
                   "Rating before": RATING_COLOURS, "Status": STATUS_COLOURS}  # fmt: skip
    today = f"DATE({analysis.as_of.year},{analysis.as_of.month},{analysis.as_of.day})"
    customers = customer_sheet(analysis, data)
    ratings = analysis.ratings.join(analysis.customers[["name"]])
    ratings = ratings[["name", *[c for c in analysis.ratings.columns if c != "name"]]]
    lapsed, rfm = labelled(analysis.lapsed), labelled(analysis.rfm)
    specs = {
        "Customers": SheetSpec(
            customers,
            formats=forecast_formats(customers),
            colours={
                "Rating (crmsheet)"
                if "Rating (crmsheet)" in customers
                else "Rating": RATING_COLOURS,
                "Status": STATUS_COLOURS,
            },
        ),
        "Ratings": SheetSpec(labelled(ratings), colours=rating_cols),
        "Lapsed": SheetSpec(
            lapsed,
            colours=rating_cols,
            formats={
                "Value at risk": MONEY,
                "Expected value lost": MONEY,
                **forecast_formats(lapsed),
            },
        ),
        "Follow-ups": SheetSpec(
            labelled(analysis.follow_ups),
            colours={
                "Next follow-up": {f"<{today}": RED},
                "Rating": RATING_COLOURS,
                "Action": {
                    "overdue": RED,
                    "due soon": AMBER,
                    "set a follow-up": BLUE,
                    "thank you": GREEN,
                },
            },
        ),
        "Source ROI": SheetSpec(labelled(analysis.source_roi, index=False)),
        "Concentration": SheetSpec(
            labelled(analysis.concentration, index=False), colours={"Flag": {"TRUE": RED}}
        ),
        "Referrals": SheetSpec(labelled(analysis.referrals, index=False)),
        "Segments": SheetSpec(labelled(analysis.segments, index=False)),
        "Retention": SheetSpec(labelled(analysis.retention, index=False)),
        "RFM": SheetSpec(rfm, formats=forecast_formats(rfm)),
        "Problems": SheetSpec(
            labelled(data.problems.frame, index=False),
            formats=PROBLEM_FORMATS,
            colours={"Severity": {"error": RED, "warning": AMBER}},
        ),
        "Settings": SheetSpec(_settings_frame(analysis, data)),
    }
    return specs


def _settings_frame(analysis: Analysis, data: CrmData) -> pd.DataFrame:
    """as_of, the version, every setting used, and each input table with its mapping."""
    rows: list[tuple[str, Any, str]] = [
        ("as_of", analysis.as_of.isoformat(), "The date every figure is computed for."),
        ("crmsheet_version", __version__, "The crmsheet that wrote this workbook."),
    ]
    rows.extend((name, value, text) for name, value, text in analysis.settings.describe())
    for t in data.tables:
        where = f"{Path(t.file).name} / {t.sheet}"
        rows.append(
            (
                f"input: {where}",
                t.role or "",
                f"header on row {t.header_row}; "
                f"{t.rows_read} rows read, {t.rows_kept} kept, {t.rows_rejected} rejected",
            )
        )
        for header, field_name in t.mapping.items():
            rows.append((f"  {header}", field_name, f"column of {where}"))
    return pd.DataFrame(rows, columns=["Setting", "Value", "What it means"]).astype(
        {"Value": str})  # fmt: skip
