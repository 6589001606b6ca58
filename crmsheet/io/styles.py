"""Every number format and colour crmsheet writes, named by meaning, and a per-book cache.

One money format, one percent format, one date format for the whole project: the enriched
workbook, the Problems report and the templates show the same kind of value the same way.
A writer asks :class:`Styles` for a format by its properties and gets the book's one
xlsxwriter ``Format`` for them; :func:`guess_format` picks a column's number format from its
name and type when a sheet does not name one.
"""

from __future__ import annotations

import re
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
    "PERCENT",
    "PERCENT_ROUND",
    "RED",
    "ROW",
    "TABLE_STYLE",
    "TEXT",
    "Styles",
    "guess_format",
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


_MONEY_COLS = re.compile(
    r"(revenue|value|spend|amount|average_transaction|cost_per_acquisition|monetary|"
    r"Revenue|Value|Spend|Amount|Average)",
)
_PERCENT_COLS = re.compile(r"(share|roi|discount|reduction|rate|^Q\+\d+$)", re.IGNORECASE)


def guess_format(name: str, values: pd.Series) -> str | None:
    """A number format from a column's name and type (dates, money, shares, counts)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return DATE
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if _PERCENT_COLS.search(name):
        return PERCENT
    if _MONEY_COLS.search(name):
        return MONEY
    if pd.api.types.is_integer_dtype(values):
        return INTEGER
    finite = values.dropna()
    if len(finite) and (finite % 1 == 0).all():
        return INTEGER
    return DECIMAL
