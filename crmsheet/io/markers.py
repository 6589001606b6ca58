"""The marks crmsheet leaves on what it writes, so that its reader can tell them apart.

Shared by the writers that set them and the reader that skips what they mark, and owned by
neither: a reader should not import a writer to learn what to look for.
"""

from __future__ import annotations

__all__ = ["OUTPUT_MARKER", "SHEET_MARKER"]

#: A custom document property on every enriched workbook crmsheet writes: the reader refuses
#: such a file as input (its sheets are crmsheet's own output, not the user's data). It
#: survives a re-save in Excel or LibreOffice and does not depend on what sheets are called.
OUTPUT_MARKER = "crmsheet.output"

#: The hidden sheet-scoped defined name on each sheet ``enrich --in-place`` adds to a user's
#: workbook (it follows the sheet through renames and moves): the reader skips those sheets.
SHEET_MARKER = "_crmsheet"
