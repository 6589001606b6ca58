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

from ..headerwords import VOCABULARY, lookup
from ..mapping import TableLayout
from .cells import as_text, is_missing

_NO_HEADER = re.compile(r"Column [A-Z]+")  # as table.AUTO_HEADER (which imports this module)
_LONGEST_WORDS = 60  # a longer cell is a note or data, not a header in other words
#: A header in other words starts with a word of the schema's vocabulary (``Client``,
#: ``E-mail``, ``CustomerID``), a "#", or is not ASCII (accents are dropped by lookup):
#: one vectorised test, so a million names are not each looked up.
_MAY_NAME_A_FIELD = (
    r"^[\W_]*(?:[a-z][\W_]+)?(?:"
    + "|".join(sorted(map(re.escape, VOCABULARY), key=len, reverse=True))
    + r")|^\W*#|[^\x00-\x7f]"
)


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
    """The grid position of the earliest row above the header that is a header of the
    table, in its texts or other words (a first list stacked over the one the mapper
    chose), else the header's own."""
    if layout.header_index == 0:
        return 0
    header = _header_texts(layout)
    mapped = {header[c] for c in layout.mapping if c < len(header) and header[c]}
    if len(mapped) < 2:
        return layout.header_index
    above = layout.grid.cells.iloc[: layout.header_index]
    for pos, values in enumerate(above.itertuples(index=False, name=None)):  # rows above: few
        if _sources(layout, header, list(values)) is not None:  # same texts, or other words
            return pos
    return layout.header_index


def _candidates(layout: TableLayout, column: pd.Series, names: list[str]) -> np.ndarray:
    """Rows whose key cell could start a header: one of the header's texts, or a text
    naming a field of the table's role (``ID`` under ``Customer ID``). Looked up once per
    distinct short text without digits or "@" (ids, amounts and emails are no headers)
    that may name a field (:data:`_MAY_NAME_A_FIELD`)."""
    text = as_text(column).str.strip()
    maybe = text.str.casefold().isin(names).fillna(False)
    if layout.role is not None:
        short = text[(text.str.len() <= _LONGEST_WORDS).fillna(False)]
        short = short[~short.str.contains(r"[\d@]", regex=True).fillna(True)]
        short = short[short.str.contains(_MAY_NAME_A_FIELD, case=False, regex=True).fillna(False)]
        role = layout.role
        named = [t for t in short.unique() if t and lookup(role, t) is not None]
        maybe |= text.isin(named).fillna(False)
    return np.flatnonzero(maybe.to_numpy(dtype=bool))


def _sources(layout: TableLayout, header: list[str], raw: list[object]) -> dict[int, int] | None:
    """Where each table column's values are in the rows under ``raw``, if ``raw`` is a
    header of the table (else None).

    A header in other words (``ID, Company, E-mail`` under ``Customer ID, Name, Email``)
    counts when its cells name two or more different fields of the table, at least half
    of its filled cells are headers, and most fields it names are the table's: a data row
    with one cell that reads as a header word (a customer called "Company") is none.
    """
    cells = [_fold(v) for v in raw]
    names = set(header) - {""}
    by_text = _is_header(set(cells), names, {header[c] for c in layout.mapping if c < len(header)})
    field_of_text = {header[c]: f for c, f in layout.mapping.items() if c < len(header)}
    hits: list[tuple[str, int] | None] = [None] * len(cells)  # (field, rank) each cell names
    for i, text in enumerate(cells):
        if text in field_of_text:
            hits[i] = (field_of_text[text], -1)
        elif layout.role is not None and text and len(text) <= _LONGEST_WORDS:
            hit = lookup(layout.role, str(raw[i]).strip())
            hits[i] = (hit.field, hit.rank) if hit else None
    if not by_text:
        filled = sum(1 for t in cells if t)
        headers = sum(1 for i, t in enumerate(cells) if t in names or hits[i] is not None)
        named = {h[0] for h in hits if h is not None}
        ours = named & set(layout.mapping.values())
        if not (len(ours) >= 2 and 2 * headers >= filled and 2 * len(ours) >= len(named)):
            return None
    return _place(layout, header, cells, hits)


def _place(
    layout: TableLayout, header: list[str], cells: list[str], hits: list[tuple[str, int] | None]
) -> dict[int, int]:
    """Table column -> second header column: the same text, else a cell in the column's
    own place naming its field, else the closest cell naming it, else a header word left
    in the column's own place (``Account`` over the ids of ``Customer ID``, when ``Account
    Name`` is the name)."""
    sources: dict[int, int] = {}

    def take(col: int, source: int | None) -> None:
        if source is not None and col not in sources and source not in sources.values():
            sources[col] = source

    for col, text in enumerate(header):
        take(col, cells.index(text) if text and text in cells else None)
    for col, name in layout.mapping.items():
        own = hits[col] if col < len(hits) else None
        take(col, col if own is not None and own[0] == name else None)
    for col, name in sorted(layout.mapping.items()):
        ranked = sorted((h[1], i) for i, h in enumerate(hits) if h is not None and h[0] == name)
        free = [i for _, i in ranked if i not in sources.values()]
        take(col, free[0] if free else None)
    for col in layout.mapping:
        take(col, col if col < len(hits) and hits[col] is not None else None)
    return sources


def reread_under_second_headers(
    layout: TableLayout, body: pd.DataFrame, resume: int | None = None
) -> tuple[pd.DataFrame, list[SecondHeader]]:
    """``body`` with the rows under each reordered second header moved into the header's
    columns, and the second headers found (positions in ``body``). ``resume`` is where the
    rows under the chosen header start, when the table starts at a header above it. A
    second header may name the fields in other words (see :func:`_sources`)."""
    header = _header_texts(layout)
    mapped = [c for c in sorted(layout.mapping) if c < len(header) and header[c]]
    if len(mapped) < 2 or body.empty or mapped[0] not in body.columns:
        return body, []
    key = mapped[0]
    names = sorted({h for h in header if h})
    found: list[tuple[int, dict[int, int], list[str]]] = []
    for pos in _candidates(layout, body[key], names):  # only the few candidate rows
        raw = body.iloc[pos].tolist()
        sources = _sources(layout, header, raw)
        if sources is not None:
            found.append((int(pos), sources, [_fold(v) for v in raw]))
    # the header again at the same positions ends a reordered part (reported as repeated)
    same = [f for f in found if all(s == c for c, s in f[1].items())]
    if len(same) == len(found):
        return body, [SecondHeader(f[0], (), reordered=False) for f in found]
    values = body.to_numpy(dtype=object, na_value=pd.NA)
    seconds: list[SecondHeader] = []
    starts = sorted({f[0] for f in found} | ({resume} if resume is not None else set()))
    ends = {a: b for a, b in zip(starts, [*starts[1:], len(body)], strict=True)}
    for start, sources, cells in found:
        end = ends[start]
        if any(start == f[0] for f in same):
            seconds.append(SecondHeader(start, (), reordered=False))
            continue
        segment = values[start:end]
        moved = np.full(segment.shape, pd.NA, dtype=object)
        for col, source in sources.items():
            if col < moved.shape[1] and source < segment.shape[1]:
                moved[:, col] = segment[:, source]
        values[start:end] = moved
        placed = set(sources.values())
        unplaced = tuple(dict.fromkeys(t for i, t in enumerate(cells) if t and i not in placed))
        seconds.append(SecondHeader(start, unplaced))
    return pd.DataFrame(values, index=body.index, columns=body.columns), seconds
