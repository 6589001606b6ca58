"""Vectorised parsers that turn raw spreadsheet cells into typed columns, one module per kind.

Every parser takes a :class:`pandas.Series` of raw cells as a reader hands them over (object
dtype holding ``str``, ``int``, ``float``, ``bool``, ``datetime``/``date``/``time``,
``pd.Timestamp`` or missing values; pandas ``str`` dtype; numeric; ``datetime64``), never
raises on cell content, keeps the input's index, and returns a :class:`Parsed`: the values,
a ``bad`` mask (non-blank cells it could not read) and, for dates, an ``ambiguous`` mask.
Decisions that depend on the whole column (decimal comma or dot, day/month order, percent or
fraction) are taken once per column, never per cell, and explained in ``Parsed.note``.

The rooms: :mod:`.result` (:class:`Parsed`), :mod:`.arrow` (the string kernels, in
pyarrow.compute), :mod:`.cells` (a raw column split by cell type; blanks), :mod:`.numeric`
(numbers, money, percents), :mod:`.dates`, :mod:`.text` (yes/no, text, choices) and
:mod:`.employees`, :mod:`.phones` (E.164), :mod:`.emails` and :mod:`.countries` (ISO 3166;
these three are imported by their module name). A new kind of value gets its own module
built on :func:`.cells.split` and is listed here.
"""

from __future__ import annotations

from .cells import MISSING_TOKENS, blank_or_missing, is_blank
from .dates import excel_serial_to_datetime, parse_date, parse_month
from .employees import SIZE_BANDS, parse_employees
from .numeric import LARGEST_NUMBER, parse_money, parse_number, parse_percent
from .result import Parsed
from .text import (
    choice_by_words,
    normalise_token,
    parse_bool,
    parse_choice,
    parse_text,
    referrer_in,
)

__all__ = [
    "LARGEST_NUMBER",
    "MISSING_TOKENS",
    "SIZE_BANDS",
    "Parsed",
    "blank_or_missing",
    "choice_by_words",
    "excel_serial_to_datetime",
    "is_blank",
    "normalise_token",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_employees",
    "parse_money",
    "parse_month",
    "parse_number",
    "parse_percent",
    "parse_text",
    "referrer_in",
]
