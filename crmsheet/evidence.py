"""What the data rows under a header say about a sheet's role, read from the cells.

Headers alone mislead: a payments file (``customerNumber, paymentDate, amount``) has the
headers of a customer list with a revenue column. Its rows do not: the customer reference
repeats and every row carries a date and an amount. :func:`gather` looks at the first few
hundred rows below the header, vectorised, and reports those facts for the mapper to weigh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from .io.grid import Grid, filled_cells

__all__ = ["EVIDENCE_ROWS", "Evidence", "gather", "order_numbers", "repeats_enough"]

#: How many data rows below the header are looked at (enough to see repeats, cheap to read).
EVIDENCE_ROWS = 300

#: Share of a column's filled cells that must read as dates (or amounts) to count as such.
_LIKE = 0.6

#: Excel serial day numbers read as dates in a date column: 1954-10-03 .. 2119-01-27.
_SERIALS = (20_000.0, 80_000.0)

_MONEY_NOISE = r"[\s$€£¥₹,'\u2019]|CHF|EUR|USD|GBP"


@dataclass(frozen=True)
class Evidence:
    """Facts from the data rows: how often the customer reference repeats, dates, amounts."""

    rows: int  # data rows looked at that have any cell filled
    reference_values: int  # filled customer-reference cells
    reference_distinct: int
    dates: bool  # the date column's cells read as dates
    amounts: bool  # the amount (or unit price) column's cells read as numbers
    numbered: bool = False  # an order/invoice number column is filled on most rows

    @property
    def repeats(self) -> bool:
        return repeats_enough(self.reference_values, self.reference_distinct)

    @property
    def once_each(self) -> bool:
        """Every filled reference differs (at least five): a list, not a log."""
        return self.reference_values >= 5 and self.reference_distinct == self.reference_values

    @property
    def transactions(self) -> bool:
        """Dates, amounts, and a customer reference that repeats or an order number: sales."""
        return (self.repeats or self.numbered) and self.dates and self.amounts


def repeats_enough(values: int, distinct: int) -> bool:
    """At least two repeated cells, and a fifth of them: not one slip in a customer list."""
    repeated = values - distinct
    return values >= 3 and repeated >= max(2, values // 5)


def gather(
    grid: Grid,
    header_index: int,
    reference: int | None,
    dated: int | None,
    priced: int | None,
    numbered: int | None = None,
) -> Evidence:
    """The evidence of the rows under ``header_index`` for the given column positions.

    ``numbered`` is an order or invoice number column (``order_number``, not a bare
    ``Number``): filled on most rows, it marks a sheet of orders even when each customer
    appears once.
    """
    below = slice(header_index + 1, header_index + 1 + EVIDENCE_ROWS)
    rows = int(filled_cells(grid.cells, below).any(axis=1).sum()) if grid.cells.shape[1] else 0

    def sample(col: int) -> pd.Series:  # one column's rows: no slice of a wide frame
        return _filled(grid.cells.iloc[below, col])

    values = distinct = 0
    if reference is not None:
        ref = sample(reference)
        values = len(ref)
        distinct = int(ref.astype(str).str.strip().str.casefold().nunique())
    dates = dated is not None and _share_dates(sample(dated), grid.is_csv)
    amounts = priced is not None and _share_numbers(sample(priced))
    orders = numbered is not None and len(sample(numbered)) >= _LIKE * max(rows, 1)
    return Evidence(rows, values, distinct, dates, amounts, orders)


#: An order or invoice number as a shop prints it: #1001, SO-123, INV/2025/7, A1001.
_ORDER_NUMBER = r"#\s*\d[\w/-]*|[A-Za-z]{1,4}\s*[-#/]?\s*\d{2,}[\w/-]*|\d{3,}"

#: Share of a column's filled cells that must look like order numbers.
_ORDER_LIKE = 0.9


def order_numbers(grid: Grid, header_index: int, col: int) -> bool:
    """The column's values look like order numbers, not people: #1001, SO-123.

    Each value is shaped like a number a shop prints, and a value that repeats does so on
    consecutive rows only (an order's lines), as a customer's name in a sales log does not.
    """
    sample = grid.cells.iloc[header_index + 1 : header_index + 1 + EVIDENCE_ROWS, col]
    text = _filled(sample).astype(str).str.strip()
    if len(text) < 2:
        return False
    if float(text.str.fullmatch(_ORDER_NUMBER).mean()) < _ORDER_LIKE:
        return False
    if text.str.fullmatch(r"\d+").all():
        return False  # bare numbers under "Name" could be anyone's code: not evidence enough
    runs = text.ne(text.shift()).cumsum()  # a new run where the value changes
    return bool((runs.groupby(text).nunique() == 1).all())


def _filled(column: pd.Series) -> pd.Series:
    column = column[column.notna()]
    if column.dtype == object:
        text = column.map(lambda v: isinstance(v, str))
        blank = text & column.astype(str).str.strip().eq("")
        column = column[~blank]
    return column


def _share_dates(column: pd.Series, is_csv: bool) -> bool:
    if column.empty:
        return False
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    kinds = column.map(type)
    native = kinds.map(lambda k: issubclass(k, date | datetime | pd.Timestamp))
    numbers = pd.to_numeric(column.where(~native), errors="coerce")
    serial = numbers.between(*_SERIALS) if not is_csv else pd.Series(False, index=column.index)
    text = column[kinds.map(lambda k: issubclass(k, str))].astype(str)
    parsed = pd.Series(False, index=column.index)
    if not text.empty:
        when = pd.to_datetime(text, errors="coerce", format="mixed")
        parsed.loc[text.index] = when.notna().to_numpy()
    share = float((native | serial | parsed).mean())
    return share >= _LIKE


def _share_numbers(column: pd.Series) -> bool:
    if column.empty:
        return False
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return True
    text = column.astype(str).str.replace(_MONEY_NOISE, "", regex=True)
    text = text.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    numbers = pd.to_numeric(text, errors="coerce")
    return bool(np.mean(numbers.notna().to_numpy()) >= _LIKE)
