"""The marks crmsheet leaves on what it writes, so that its reader can tell them apart.

Shared by the writers that set them and the reader that skips what they mark, and owned by
neither: a reader should not import a writer to learn what to look for.
"""

from __future__ import annotations

__all__ = [
    "LEGACY_SHEET_MARKER_VALUE",
    "OUTPUT_MARKER",
    "SHEET_MARKER",
    "marked_name",
    "sheet_marker_value",
]

#: A custom document property on every enriched workbook crmsheet writes: the reader refuses
#: such a file as input (its sheets are crmsheet's own output, not the user's data). It
#: survives a re-save in Excel or LibreOffice and does not depend on what sheets are called.
OUTPUT_MARKER = "crmsheet.output"

#: The hidden sheet-scoped defined name on each sheet ``enrich --in-place`` adds to a user's
#: workbook (it follows the sheet through moves; its value records the sheet's name, see
#: :func:`sheet_marker_value`): the reader skips those sheets.
SHEET_MARKER = "_crmsheet"

#: The value an earlier crmsheet wrote in :data:`SHEET_MARKER` (it did not record the name).
LEGACY_SHEET_MARKER_VALUE = '"crmsheet"'


def sheet_marker_value(sheet: str) -> str:
    """The marker's value (a formula string) on the sheet crmsheet writes as ``sheet``.

    It records the name crmsheet gave the sheet: a sheet carrying the marker is crmsheet's
    only while it still has that name. A user's copy ("Summary (2)", which Excel gives the
    same sheet-scoped name) or a sheet the user renamed is theirs, and never replaced.
    """
    return '"crmsheet:' + sheet.replace('"', '""') + '"'


def marked_name(value: str) -> str | None:
    """The sheet name a marker value records; None for a legacy or foreign value."""
    value = value.strip()
    if value.startswith('"crmsheet:') and value.endswith('"') and len(value) > 11:
        return value[10:-1].replace('""', '"')
    return None
