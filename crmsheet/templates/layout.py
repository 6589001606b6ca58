"""The templates' look: cell formats from the one styles module, and the printed page.

Number formats are :mod:`crmsheet.io.styles`'s (the same money, date and percent as the
enriched workbook); the rest (header fill, titles, the yellow of editable settings) is the
templates' own.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from typing import Any

from ..io.styles import BOOLEAN, DATE, INTEGER, MONEY, MONTH, NUMBER, PERCENT, TEXT, Styles

__all__ = ["LINE_HEIGHT", "Formats", "print_setup", "wrapped_height"]

#: Points a line of the default font (Calibri 11) takes: Excel's default row height.
LINE_HEIGHT = 15.0

#: Characters of running text a column holds per unit of its width (a unit is a digit's
#: width). Measured in LibreOffice (DejaVu Sans standing in for Calibri), lines of the
#: Settings descriptions held 1.15 to 1.2 characters a unit; 1.1 leaves a margin, so a row
#: is never too short (at worst a line too tall).
CHARS_PER_UNIT = 1.1


class Formats:
    """The formats a template uses, made once per book."""

    def __init__(self, book: Any) -> None:
        style = Styles(book)
        self.date = style(num_format=DATE)
        self.month = style(num_format=MONTH)
        self.money = style(num_format=MONEY)
        self.percent = style(num_format=PERCENT)
        self.text = style(num_format=TEXT)
        self.whole = style(num_format=INTEGER)
        self.number = style(num_format=NUMBER)
        # Excel draws the table style; other apps (LibreOffice) need the header's own format
        self.header = style(bold=True, bg_color="#D9E1F2", bottom=1)
        self.title = style(bold=True, font_size=14)
        self.heading = style(bold=True, font_size=12, top=1)
        self.bold = style(bold=True, bottom=1, text_wrap=True, valign="top")
        self.wrap = style(text_wrap=True, valign="top")
        yellow = {"bg_color": "#FFF2CC", "border": 1, "valign": "top"}
        self.setting_value = style(**yellow)
        self.setting_percent = style(**yellow, num_format=PERCENT)
        self.setting_boolean = style(**yellow, num_format=BOOLEAN)
        self.setting_text = style(**yellow, text_wrap=True)
        self.top = style(valign="top")
        self.top_percent = style(valign="top", num_format=PERCENT)
        self.top_boolean = style(valign="top", num_format=BOOLEAN)
        self.muted = style(font_color="#595959", text_wrap=True, valign="top")


def print_setup(ws: Any) -> None:
    """Printed, a sheet fits the page width, in landscape."""
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def wrapped_height(cells: Iterable[tuple[str, float]]) -> float:
    """The row height (points) that shows every (text, column width) of a row, wrapped.

    LibreOffice does not grow a row written with wrapped text to fit it (Excel does only
    when it recalculates the row), so the writer sets the height: the most lines any cell
    wraps to, words kept whole as a spreadsheet wraps them.
    """
    lines = 1
    for text, width in cells:
        per_line = max(1, math.floor(width * CHARS_PER_UNIT) - 1)  # a cell's inner padding
        wrapped = sum(len(textwrap.wrap(part, per_line)) or 1 for part in text.split("\n"))
        lines = max(lines, wrapped)
    return LINE_HEIGHT * lines
