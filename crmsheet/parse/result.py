"""What a parser returns: :class:`Parsed`, one column's values and the cells it could not read.

Every parser in :mod:`crmsheet.parse` keeps its input's index; :func:`series` is how they put
positional results back on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Parsed", "series"]


@dataclass(frozen=True)
class Parsed:
    """The result of parsing one column.

    ``values`` holds the parsed values (missing where the cell was blank or unreadable),
    ``bad`` is True for non-blank cells that could not be read, ``ambiguous`` (dates only) is
    True where the reading rests on a day/month guess, and ``note`` explains column-level
    decisions in plain English. All Series share the input's index.
    """

    values: pd.Series
    bad: pd.Series
    ambiguous: pd.Series | None = None
    note: str | None = None
    votes: tuple[int, int] = (0, 0)
    """Dates: (cells that can only be day/month, cells that can only be month/day)."""


def series(values: Any, index: pd.Index, dtype: Any = None) -> pd.Series:
    """``values`` as a Series on the input's ``index`` (no copy): how parsers hand back."""
    return pd.Series(values, index=index, dtype=dtype, copy=False)
