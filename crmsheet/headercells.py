"""The top rows of a sheet as the header search reads them: cells, words, display names.

Each distinct cell value is read once (a header search over 9,074 columns costs what its
cells cost, not columns x rows x roles), and a cell longer than any header is never split
into words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .headerwords import LONGEST_HEADER, Hit, header_words, lookup
from .io.grid import Grid, cell_values, column_letter
from .schema import Role

__all__ = ["HeaderCells", "blank", "column_letter", "display_headers"]


def display_headers(values: list[object]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """One distinct display name per column: blanks become "Column D", repeats "Notes (2)".

    Distinct whatever the input: ``Notes, Notes, Notes (2)`` gives ``Notes, Notes (2),
    Notes (2) (2)`` (a generated name never takes a header the sheet itself has).
    """
    texts: list[str] = []
    for col, value in enumerate(values):
        text = "" if blank(value) else " ".join(str(value)[:_DISPLAY_LIMIT].split())
        texts.append(text or f"Column {column_letter(col)}")
    taken = {t.casefold() for t in texts}
    used: set[str] = set()
    headers: list[str] = []
    duplicates: list[int] = []
    for col, text in enumerate(texts):
        key = text.casefold()
        if key in used:
            duplicates.append(col)
            n = 2
            while f"{key} ({n})" in used or f"{key} ({n})" in taken:
                n += 1
            text = f"{text} ({n})"
            key = text.casefold()
        used.add(key)
        headers.append(text)
    return tuple(headers), tuple(duplicates)


#: A display header is cut to Excel's cell limit (a whole 50 MB field is never a header).
_DISPLAY_LIMIT = 32_767


def blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


#: What a cell longer than any header stands for in the header search.
_LONG_CELL = "\x00long cell"


class HeaderCells:
    """The top rows of a grid, each distinct cell value read once (cost linear in cells)."""

    def __init__(self, grid: Grid, rows: int, roles: tuple[Role, ...]) -> None:
        self.values = cell_values(grid.cells, slice(0, rows))
        flat = self.values.ravel()
        long = np.fromiter((isinstance(v, str) and len(v) > LONGEST_HEADER for v in flat),
                           dtype=bool, count=flat.size)  # fmt: skip
        if long.any():  # a long cell is data: neither hashed nor split into words
            flat = flat.copy()
            flat[long] = _LONG_CELL
        codes, uniques = pd.factorize(flat, use_na_sentinel=True)
        self.codes = codes.reshape(self.values.shape)
        # one slot more: code -1 (a blank cell) indexes the last, False/None, entry
        text = [isinstance(u, str) and bool(u) and not u.isspace() for u in uniques]
        blank = [isinstance(u, str) and (not u or u.isspace()) for u in uniques]
        self.text = np.array([*text, False], dtype=bool)
        self.blank = np.array([*blank, True], dtype=bool)
        self.hits: dict[Role, list[Hit | None]] = {}
        self.has_hit: dict[Role, np.ndarray] = {}
        for role in roles:
            found = [lookup(role, u) if t else None for u, t in zip(uniques, text, strict=True)]
            self.hits[role] = [*found, None]
            self.has_hit[role] = np.array([h is not None for h in self.hits[role]], dtype=bool)

    def row_hits(self, role: Role, i: int) -> list[tuple[int, Hit]]:
        codes = self.codes[i]
        cols = np.flatnonzero(self.has_hit[role][codes])
        found = self.hits[role]
        return [(int(c), h) for c in cols if (h := found[codes[c]]) is not None]

    def recurs(self, i: int) -> bool:
        """A third of row ``i``'s cells recur in their column: it is a data row.

        A header's cells do not recur below it, except in a copy of the header (a repeated
        header, reported by the checks) or a narrower header whose every cell it repeats (the
        first of two stacked lists), which do not count.
        """
        row = self.codes[i]
        cols = np.flatnonzero(~self.blank[row])
        if not len(cols):
            return False
        same = self.codes[:, cols] == row[cols]
        filled = ~self.blank[self.codes]
        copy = same.all(axis=1) | (~filled | (self.codes == row)).all(axis=1)
        again = same[~copy].any(axis=0)
        return int(again.sum()) * 3 > len(cols)

    def words(self, i: int, col: int) -> tuple[str, ...]:
        value = self.values[i, col]
        return header_words(value) if isinstance(value, str) else ()
