"""The templates' look: cell formats from the one styles module, and the printed page.

Number formats are :mod:`crmsheet.io.styles`'s (the same money, date and percent as the
enriched workbook); the rest (header fill, titles, the yellow of editable settings) is the
templates' own.
"""

from __future__ import annotations

from typing import Any

from ..io.styles import DATE, INTEGER, MONEY, MONTH, NUMBER, PERCENT, TEXT, Styles

__all__ = ["Formats", "print_setup"]


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
        self.setting_value = style(bg_color="#FFF2CC", border=1)
        self.setting_percent = style(bg_color="#FFF2CC", border=1, num_format=PERCENT)
        self.muted = style(font_color="#595959", text_wrap=True, valign="top")


def print_setup(ws: Any) -> None:
    """Printed, a sheet fits the page width, in landscape."""
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
