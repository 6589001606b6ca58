"""The raw shape every reader returns: a sheet's cells before any header is chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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

    @property
    def is_csv(self) -> bool:
        return self.path.suffix.lower() in {".csv", ".tsv", ".txt", ".psv", ".ssv"}
