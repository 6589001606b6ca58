"""The raw shape every reader returns: a sheet's cells before any header is chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..problems import ProblemCode


@dataclass(frozen=True)
class GridNote:
    """Something the reader noticed while reading (a ragged row, an encoding fallback).

    ``row`` is the Excel/record row number the user sees (1-based) or None for the whole file.
    ``code`` is a problem code (e.g. ``ProblemCode.EXTRA_FIELDS``); ``message`` is plain English.
    """

    code: ProblemCode
    message: str
    row: int | None = None
    severity: str = "warning"  # "error" | "warning"


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA' (Excel's column names)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, eq=False)
class Grid:
    """One sheet of a workbook, or one CSV file, exactly as read.

    ``cells`` has positional integer columns 0..n-1 and one row per sheet row that the reader
    returned. Its columns may be typed (float64, datetime64, str) or object holding raw Python
    values (str, int, float, bool, datetime, date, time, timedelta); blanks are NA. Nothing is
    coerced beyond what the file itself says (a date cell is a datetime, a text "02134" stays
    text).

    ``rows[i]`` is the 1-based row number the user sees in Excel (or the record number in a
    CSV, header included) for ``cells.iloc[i]``: problem reports use it, never the frame index.
    """

    path: Path
    sheet: str
    cells: pd.DataFrame
    rows: np.ndarray
    hidden: bool = False
    epoch_1904: bool = False
    decimal_comma: bool = False
    notes: tuple[GridNote, ...] = field(default_factory=tuple)

    def release(self, rows: int) -> None:
        """Keep only the first ``rows`` rows of ``cells`` (the rest are a table's, cleaned:
        the raw cells, a Python object each from a workbook, are then dropped)."""
        object.__setattr__(self, "cells", self.cells.iloc[:rows].copy())

    @property
    def is_csv(self) -> bool:
        return self.path.suffix.lower() in {".csv", ".tsv", ".txt", ".psv", ".ssv"}


# --------------------------------------------------------------------------------------------
# frame-wide questions at a cost that does not depend on the number of columns
#
# pandas keeps each text column of a CSV's grid as its own arrow array, and a frame-wide
# operation (isna, to_numpy, a row slice) costs 10-30 us per column: on a sheet 9,000 columns
# wide each one takes a tenth of a second. These answer the same questions over all columns
# at once: the columns' arrow chunks joined into one array, column after column.
# --------------------------------------------------------------------------------------------

#: From this many columns on, the joined-array path is taken (below it pandas is as fast).
WIDE = 64


def _joined_text(frame: pd.DataFrame, rows: slice) -> Any | None:
    """Rows ``rows`` of every column of ``frame`` as one arrow array, column after column,
    when each column is arrow-backed text of one arrow type (a CSV's grid); else None."""
    start, stop, step = rows.indices(len(frame))
    if step != 1 or frame.shape[1] < WIDE:
        return None
    chunks = []
    kind = None
    for values in frame._iter_column_arrays():
        if not isinstance(values, pd.arrays.ArrowStringArray):
            return None
        column = values._pa_array
        if kind is None:
            kind = column.type
        elif column.type != kind:
            return None
        chunks.extend(column.slice(start, max(stop - start, 0)).chunks)
    if kind is None:
        return None
    import pyarrow as pa

    return pa.chunked_array(chunks, type=kind)


def filled_cells(frame: pd.DataFrame, rows: slice = slice(None)) -> np.ndarray:
    """``frame.iloc[rows].notna().to_numpy()``: 2-D bool, True where a cell holds a value."""
    joined = _joined_text(frame, rows)
    if joined is None:
        filled: np.ndarray = frame.iloc[rows].notna().to_numpy(dtype=bool)
        return filled
    nulls: np.ndarray = joined.is_null().to_numpy(zero_copy_only=False)
    return ~nulls.reshape(frame.shape[1], -1).T


def cell_values(frame: pd.DataFrame, rows: slice = slice(None)) -> np.ndarray:
    """``frame.iloc[rows].to_numpy(dtype=object)``: 2-D object, NaN where a cell is blank."""
    joined = _joined_text(frame, rows)
    if joined is None:
        values: np.ndarray = frame.iloc[rows].to_numpy(dtype=object)
        return values
    flat: np.ndarray = joined.to_numpy(zero_copy_only=False).astype(object, copy=False)
    flat[joined.is_null().to_numpy(zero_copy_only=False)] = np.nan  # as pandas' "str" gives it
    return flat.reshape(frame.shape[1], -1).T


def blank_text_cells(frame: pd.DataFrame) -> np.ndarray | None:
    """For a wide grid of text: 2-D bool, True where a cell is missing or text of spaces only
    (arrow's trim, as ``Series.str.strip`` does it); None for any other frame."""
    joined = _joined_text(frame, slice(None))
    if joined is None:
        return None
    import pyarrow.compute as pc

    spaces = pc.equal(pc.utf8_trim_whitespace(joined), "").fill_null(True)
    blank: np.ndarray = spaces.to_numpy(zero_copy_only=False)
    return blank.reshape(frame.shape[1], -1).T


def with_columns(
    frame: pd.DataFrame, source: pd.DataFrame, labels: list[Any], names: list[str]
) -> pd.DataFrame:
    """``pd.concat([frame, source[labels].set_axis(names, axis=1)], axis=1)``, the two on one
    index, built once from the column arrays as they are (no copy, no per-column slicing:
    on a frame 9,000 columns wide, a fifth of the cost of pandas' selection and concat)."""
    where = source.columns.get_indexer(labels) if source.columns.is_unique else None
    if (
        where is None
        or (where < 0).any()
        or not frame.index.equals(source.index)
        or not frame.columns.is_unique
        or len({*frame.columns, *names}) != len(frame.columns) + len(names)
    ):
        return pd.concat([frame, source[labels].set_axis(names, axis=1)], axis=1)
    arrays = list(source._iter_column_arrays())
    columns = dict(zip(frame.columns, frame._iter_column_arrays(), strict=True))
    columns.update({name: arrays[p] for name, p in zip(names, where.tolist(), strict=True)})
    plain = 0  # numpy columns: one block each until consolidated
    for name, values in columns.items():
        if isinstance(values, np.ndarray):
            plain += 1
            if values.dtype == object:  # object stays object (pandas would infer "str")
                columns[name] = pd.Series(values, index=frame.index, dtype=object, copy=False)
    out = pd.DataFrame(columns, index=frame.index, copy=False)
    return out.copy() if plain > 100 else out  # a workbook's own columns: in few blocks


def select_rows(frame: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """``frame.loc[keep]``, and the frame itself when every row is kept (a row selection
    costs per column: a fifth of a second on a frame 9,000 columns wide)."""
    if len(keep) == len(frame) and bool(keep.all()) and keep.index.equals(frame.index):
        return frame
    return frame.loc[keep]
