"""Every number format and colour crmsheet writes, named by meaning, and a per-book cache.

One money format, one percent format, one date format for the whole project: the enriched
workbook, the Problems report and the templates show the same kind of value the same way.
A writer asks :class:`Styles` for a format by its properties and gets the book's one
xlsxwriter ``Format`` for them. A column's number format comes from what it holds
(:func:`kind_format`: money, count, share, ...), declared beside the analysis that made it;
a column nobody declared (the user's own) is only told apart by its type (:func:`guess_format`:
dates are dates, the rest as Excel shows it).
"""

from __future__ import annotations

import locale
from typing import Any

import pandas as pd

__all__ = [
    "AMBER",
    "BLUE",
    "BOOLEAN",
    "DATE",
    "DECIMAL",
    "DECIMAL_2",
    "GREEN",
    "GREY",
    "INTEGER",
    "MONEY",
    "MONEY_ROUND",
    "MONTH",
    "NUMBER",
    "PARAMETER",
    "PARAMETER_SMALL",
    "PERCENT",
    "PERCENT_ROUND",
    "RED",
    "ROW",
    "TABLE_STYLE",
    "TEXT",
    "Styles",
    "guess_format",
    "kind_format",
    "locale_currency",
    "locale_currency_code",
    "money_format",
]

MONEY = "#,##0.00"
MONEY_ROUND = "#,##0"  # money on a chart's axis and labels
DATE = "yyyy-mm-dd"
MONTH = "mmm yyyy"
PERCENT = "0.0%"
PERCENT_ROUND = "0%"  # shares on a chart's axis and labels
INTEGER = "#,##0"
DECIMAL = "#,##0.0"
DECIMAL_2 = "#,##0.00"  # small fractional counts: 0.35 expected purchases
PARAMETER = "#,##0.0000"  # a fitted model's parameter or standard error: 0.0235, 135.6522
PARAMETER_SMALL = "0.00E+00"  # a parameter near 0 (3.6e-12 is not 0.0000)
NUMBER = "0.##"  # a typed quantity: as many decimals as it has, up to two
ROW = "0"  # an Excel row number: 5734, never 5,734
TEXT = "@"  # typed IDs and phone numbers stay text: 0412 345 678 keeps its 0
# an on/off cell: Excel shows a boolean as TRUE/FALSE whatever its format, but LibreOffice
# shows a boolean cell written with any format of its own (a fill, a border) as 1: say the words
BOOLEAN = '"TRUE";"TRUE";"FALSE"'

TABLE_STYLE = "Table Style Medium 2"

# colours people read without a legend: green good, amber watch, red act
GREEN = {"bg_color": "#C6EFCE", "font_color": "#006100"}
AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
BLUE = {"bg_color": "#DDEBF7", "font_color": "#1F4E78"}
GREY = {"bg_color": "#EDEDED", "font_color": "#595959"}


class Styles:
    """A book's formats by their properties: each made once (formats are workbook objects)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(props)
        return self._cache[key]


def money_format(currency: str = "", *, decimals: int = 2) -> str:
    """The money format, with ``currency`` before the number ("$1,234.50", "EUR 1,234.50")."""
    number = MONEY if decimals else MONEY_ROUND
    symbol = currency.strip()
    if not symbol:
        return number
    quoted = '"' + symbol.replace('"', "") + (' "' if symbol[-1:].isalpha() else '"')
    return f"{quoted}{number};-{quoted}{number}"


#: The number format of each kind of column (see ``crmsheet.analysis.columns.Kind``).
KIND_FORMATS: dict[str, str | None] = {
    "count": INTEGER, "money": MONEY, "share": PERCENT, "rate": DECIMAL_2, "days": INTEGER,
    "date": DATE, "text": None, "flag": None, "row": ROW,
}  # fmt: skip


def kind_format(kind: str, currency: str = "") -> str | None:
    """The number format of a column that holds ``kind``; money carries ``currency``."""
    if kind == "money":
        return money_format(currency)
    return KIND_FORMATS.get(kind)


def locale_currency_code() -> str:
    """The ISO code of the computer's locale's currency ("" when it names none, as "C" does)."""
    try:
        before = locale.setlocale(locale.LC_MONETARY)
        try:
            locale.setlocale(locale.LC_MONETARY, "")
            code = str(locale.localeconv().get("int_curr_symbol") or "").strip()
            return code if len(code) == 3 and code.isalpha() else ""
        finally:
            locale.setlocale(locale.LC_MONETARY, before)
    except (locale.Error, ValueError):
        return ""


def locale_currency() -> str:
    """The currency symbol of the computer's locale ("" when it names none, as "C" does)."""
    try:
        before = locale.setlocale(locale.LC_MONETARY)
        try:
            locale.setlocale(locale.LC_MONETARY, "")
            return str(locale.localeconv().get("currency_symbol") or "")
        finally:
            locale.setlocale(locale.LC_MONETARY, before)
    except (locale.Error, ValueError):
        return ""


def guess_format(values: pd.Series) -> str | None:
    """A number format for a column nobody declared: dates as dates; other values as Excel
    shows them (a number's meaning cannot be read from its header: "Rate" may be money)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return DATE
    return None
