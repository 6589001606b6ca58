"""A second header inside a table, in another column order: the rows under it follow it.

Two lists pasted one under the other rarely keep their columns in the same order. A row
that holds every mapped header of the table, but not in the header's columns, is a second
header: the rows below it (to the next such row) are read by *its* column positions, so each
value lands in its field, and the header row itself is reported and skipped
(``reordered-header``). Its columns that the first header does not have cannot be placed:
the report names them. An exact repeat of the header stays ``repeated-header`` (rows.py).
Such a header *above* the one the mapper chose (the first of two stacked lists) starts the
table there: its rows are read too, not only reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..mapping import TableLayout
from .cells import as_text, is_missing

_NO_HEADER = re.compile(r"Column [A-Z]+")  # as table.AUTO_HEADER (which imports this module)


@dataclass(frozen=True)
class SecondHeader:
    """A second header found in a table body: its position and its columns not placed."""

    position: int
    unplaced: tuple[str, ...]
    reordered: bool = True


def _fold(value: object) -> str:
    return "" if is_missing(value) else str(value).strip().casefold()


def _header_texts(layout: TableLayout) -> list[str]:
    """The header's texts, folded; "" for a column without one (the layout's "Column F").

    Read from the layout, not the grid: a row of a grid 9,000 columns wide costs seconds.
    """
    return ["" if _NO_HEADER.fullmatch(h) else _fold(h) for h in layout.headers]


def _is_header(cells: set[str], names: set[str], mapped: set[str]) -> bool:
    """The table's header again, in any order, with columns more or fewer: at least half of
    the mapped headers (two or more) are in it, and at least half of its cells are headers
    of the table (a data row that happens to hold two header words is not one)."""
    cells = cells - {""}
    both = len(cells & mapped)
    return both >= max(2, (len(mapped) + 1) // 2) and 2 * len(cells & names) >= len(cells)


def first_header_above(layout: TableLayout) -> int:
    """The grid position of the earliest row above the header that holds all its mapped
    headers (a first list stacked over the one the mapper chose), else the header's own."""
    if layout.header_index == 0:
        return 0
    header = _header_texts(layout)
    mapped = {header[c] for c in layout.mapping if c < len(header) and header[c]}
    if len(mapped) < 2:
        return layout.header_index
    names = set(header) - {""}
    above = layout.grid.cells.iloc[: layout.header_index]
    for pos, values in enumerate(above.itertuples(index=False, name=None)):  # rows above: few
        if _is_header({_fold(v) for v in values}, names, mapped):
            return pos
    return layout.header_index


def reread_under_second_headers(
    layout: TableLayout, body: pd.DataFrame, resume: int | None = None
) -> tuple[pd.DataFrame, list[SecondHeader]]:
    """``body`` with the rows under each reordered second header moved into the header's
    columns, and the second headers found (positions in ``body``). ``resume`` is where the
    rows under the chosen header start, when the table starts at a header above it."""
    header = _header_texts(layout)
    mapped = [c for c in sorted(layout.mapping) if c < len(header) and header[c]]
    if len(mapped) < 2 or body.empty or mapped[0] not in body.columns:
        return body, []
    key = mapped[0]
    names = sorted({h for h in header if h})
    # cheap filter first: the key column holds a header's text (one vectorised test)
    maybe = as_text(body[key]).str.strip().str.casefold().isin(names).fillna(False)
    if not maybe.any():
        return body, []
    found: list[tuple[int, dict[str, int], list[str]]] = []
    for pos in np.flatnonzero(maybe.to_numpy(dtype=bool)):  # only the few candidate rows
        cells = [_fold(v) for v in body.iloc[pos].tolist()]
        where: dict[str, int] = {}
        for i, text in enumerate(cells):
            where.setdefault(text, i)
        if _is_header(set(cells), set(names), {header[c] for c in mapped}):
            found.append((int(pos), where, cells))
    # the header repeated as it is ends a reordered part (rows.repeated_headers reports it)
    same = [f for f in found if all(f[1].get(h, c) == c for c, h in enumerate(header) if h)]
    if len(same) == len(found):
        return body, [SecondHeader(f[0], (), reordered=False) for f in found]
    values = body.to_numpy(dtype=object, na_value=pd.NA)
    known = set(header)
    seconds: list[SecondHeader] = []
    starts = sorted({f[0] for f in found} | ({resume} if resume is not None else set()))
    ends = {a: b for a, b in zip(starts, [*starts[1:], len(body)], strict=True)}
    for start, where, cells in found:
        end = ends[start]
        if any(start == f[0] for f in same):
            seconds.append(SecondHeader(start, (), reordered=False))
            continue
        segment = values[start:end]
        moved = np.full(segment.shape, pd.NA, dtype=object)
        for col, text in enumerate(header):
            source = where.get(text) if text else None
            if source is not None and col < moved.shape[1]:
                moved[:, col] = segment[:, source]
        values[start:end] = moved
        unplaced = tuple(t for t in dict.fromkeys(cells) if t and t not in known)
        seconds.append(SecondHeader(start, unplaced))
    return pd.DataFrame(values, index=body.index, columns=body.columns), seconds
