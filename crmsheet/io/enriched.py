"""The enriched workbook: every analysis as a formatted Excel sheet, written atomically.

The sheet names are a contract (users and tests rely on them): :data:`SHEETS`. The sheets
are written by the one table writer (:func:`~crmsheet.io.tables.write_tables`); this module
adds what makes the file crmsheet's output: its title, and the :data:`OUTPUT_MARKER` that
makes the reader refuse it as input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .markers import OUTPUT_MARKER
from .tables import SheetSpec, write_tables

__all__ = ["SHEETS", "write_workbook"]

#: The enriched workbook's sheets, in order.
SHEETS = (
    "Summary", "Customers", "Ratings", "Lapsed", "Follow-ups", "Source ROI", "Concentration",
    "Referrals", "Segments", "Retention", "RFM", "Problems", "Settings",
)  # fmt: skip


def write_workbook(
    path: str | Path,
    sheets: Mapping[str, SheetSpec],
    *,
    summary: Callable[[Any, Any, Mapping[str, Any]], None] | None = None,
    overwrite: bool = False,
    streamed: bool = True,
) -> Path:
    """Write the enriched workbook: ``summary`` draws the Summary sheet, then ``sheets``.

    ``streamed=False`` writes the rows cell by cell (the tests' reference).
    """
    return write_tables(
        path,
        sheets,
        summary=summary,
        overwrite=overwrite,
        streamed=streamed,
        properties={"title": "crmsheet enriched workbook", "creator": "crmsheet"},
        custom_properties={OUTPUT_MARKER: "enriched workbook"},
    )
