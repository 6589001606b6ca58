"""The enriched workbook as a file: its sheets in order, its title and crmsheet's marker.

The sheet names are a contract (users and tests rely on them): :data:`SHEETS`. The cells are
written by the one table writer (:func:`~crmsheet.io.tables.write_tables`); this module adds
what makes the file crmsheet's output: its title, and the
:data:`~crmsheet.io.markers.OUTPUT_MARKER` that makes the reader refuse it as input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..analysis import Analysis
from ..data import CrmData
from ..io.markers import OUTPUT_MARKER
from ..io.tables import SheetSpec, write_tables
from .calls import carried_columns
from .changes import CHANGES_SHEET, changes_sheet
from .sheets import workbook_sheets
from .summary import write_summary

__all__ = ["SHEETS", "write_enriched", "write_workbook"]

#: The enriched workbook's sheets, in order.
SHEETS = (
    "Summary", "Changes", "Customers", "Duplicates", "Ratings", "Lapsed", "Follow-ups",
    "Source ROI", "Concentration", "Referrals", "Segments", "Retention", "RFM", "Forecast",
    "Problems", "Settings", "History",
)  # fmt: skip


def write_enriched(
    result: Analysis, data: CrmData, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write the 17 sheets of the enriched workbook for ``result`` (read from ``data``)."""
    carried = carried_columns(data, result.settings.carry_columns)
    specs = {CHANGES_SHEET: changes_sheet(result, carried), **workbook_sheets(result, data)}
    return write_workbook(path, specs, summary=lambda book, ws, ctx: write_summary(
        book, ws, ctx, result), overwrite=overwrite,
        footer=f"as of {result.as_of.isoformat()}")  # fmt: skip


def write_workbook(
    path: str | Path,
    sheets: Mapping[str, SheetSpec],
    *,
    summary: Callable[[Any, Any, Mapping[str, Any]], None] | None = None,
    overwrite: bool = False,
    streamed: bool = True,
    footer: str = "",
) -> Path:
    """Write an enriched workbook: ``summary`` draws the Summary sheet, then ``sheets``.

    ``streamed=False`` writes the rows cell by cell (the tests' reference); ``footer`` ends
    every printed page's footer ("as of 2026-11-01").
    """
    return write_tables(
        path,
        sheets,
        summary=summary,
        overwrite=overwrite,
        streamed=streamed,
        properties={"title": "crmsheet enriched workbook", "creator": "crmsheet"},
        custom_properties={OUTPUT_MARKER: "enriched workbook"},
        footer=footer,
    )
