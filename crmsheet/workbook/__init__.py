"""What the enriched workbook shows: its table sheets, the Customers sheet, the Summary.

The analyses (:mod:`crmsheet.analysis`) give frames named for code; this package decides how
a person sees them: which frame goes on which sheet under which display names
(:mod:`~crmsheet.workbook.sheets`, :mod:`~crmsheet.workbook.labels`), the user's customer list
with crmsheet's columns beside it (:mod:`~crmsheet.workbook.customers`), the Summary with its
native charts (:mod:`~crmsheet.workbook.summary`), and the file itself: sheet order, title and
marker (:mod:`~crmsheet.workbook.write`). Writing the cells is :mod:`crmsheet.io.tables`' job;
reading, analysing and choosing where to write is :mod:`crmsheet.enrich`'s.
"""

from __future__ import annotations

from .sheets import workbook_sheets
from .summary import write_summary
from .write import SHEETS, write_enriched, write_workbook

__all__ = ["SHEETS", "workbook_sheets", "write_enriched", "write_summary", "write_workbook"]
