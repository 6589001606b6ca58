"""What the enriched workbook shows: its table sheets, the Customers sheet, the Summary.

The analyses (:mod:`crmsheet.analysis`) give frames named for code; this package decides how
a person sees them: which frame goes on which sheet under which display names
(:mod:`~crmsheet.workbook.sheets`, :mod:`~crmsheet.workbook.labels`), the user's customer list
with crmsheet's columns beside it (:mod:`~crmsheet.workbook.customers`), and the Summary with
its native charts (:mod:`~crmsheet.workbook.summary`). Writing the cells is
:mod:`crmsheet.io.enriched`'s job; reading, analysing and choosing where to write is
:mod:`crmsheet.enrich`'s.
"""

from __future__ import annotations

from pathlib import Path

from ..analysis import Analysis
from ..data import CrmData
from ..io.enriched import write_workbook
from .sheets import workbook_sheets
from .summary import write_summary

__all__ = ["workbook_sheets", "write_enriched", "write_summary"]


def write_enriched(
    result: Analysis, data: CrmData, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write the 13 sheets of the enriched workbook for ``result`` (read from ``data``)."""
    specs = workbook_sheets(result, data)
    return write_workbook(path, specs, summary=lambda book, ws, ctx: write_summary(
        book, ws, ctx, result), overwrite=overwrite)  # fmt: skip
