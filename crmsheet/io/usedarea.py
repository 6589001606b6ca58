"""The used area of a sheet part, measured the way calamine will lay it out, before it does.

calamine materialises a sheet as the rectangle from A1 to its farthest cell: a 5 KB part can
ask for 17 billion cells and abort the process. A cell's place is its ``r="XFD1048576"``
attribute when it has one; when it has none, calamine counts from the previous cell of the
row (the cell after ``r="C5"`` is D), and the row of a cell without ``r`` is that of its
``<row>``, which counts from the previous row when it has no ``r`` either. A row of 16,384
``<c>`` elements without ``r`` in row 1,048,576 is as far as one value in ``XFD1048576``.

Both are measured here, vectorised over the bytes of each chunk (a regex loop costs more than
calamine's whole read): every `` r="..."`` attribute (any attribute called ``r``: a false hit
can only make the area larger), and the positions calamine gives the cells without one, by
replaying its counting rules over the ``<row>``, ``</row>`` and ``<c>`` tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

__all__ = ["Scan", "area_scan", "drive", "used_area"]

Scan = Generator[None, bytes, Any]

_SPACED_REF = re.compile(rb"""r\s*=\s*(["'])""")
_PREFIXED_TAG = re.compile(rb"<(/?)[A-Za-z_][\w.\-]*:")
_REF_TAIL = 32  # longer than any r="XFD1048576" attribute
_LONGEST_TAG = 1 << 20  # a tag longer than this is cut (its r= is still found)
# event kinds of the replay, in the order calamine meets them
_ROW_AT, _ROW, _ROW_END, _CELL_AT, _CELL = 0, 1, 2, 3, 4


def used_area(fh: Any, chunk_size: int = 1 << 23) -> tuple[int, int]:
    """(last row, last column), 1-based, of the farthest cell calamine would place."""
    area: tuple[int, int] = drive(fh, area_scan(), chunk_size=chunk_size)[0]
    return area


def drive(fh: Any, *scans: Scan, chunk_size: int = 1 << 23) -> list[Any]:
    """Feed one decompression of ``fh`` to every scan, chunk by chunk (b"" ends); results."""
    for scan in scans:
        next(scan)
    results: list[Any] = [None] * len(scans)
    while True:
        chunk = fh.read(chunk_size)
        for i, scan in enumerate(scans):
            try:
                scan.send(chunk)
            except StopIteration as done:
                results[i] = done.value
        if not chunk:
            return results


def area_scan() -> Generator[None, bytes, tuple[int, int]]:
    """:func:`used_area` as a scan for :func:`drive`.

    Each round handles the tags that start before the last ``<`` of the buffer (they are
    complete); the rest is kept for the next chunk, with calamine's row and column counters.
    """
    last_row = last_col = 0
    counters = (0, 0)  # calamine's row_index and col_index (0-based) at the cut
    tail = b""
    while True:
        chunk = yield
        buf = tail + chunk
        if _spaced_equals(buf):  # r = "A1" is legal XML: normalised first
            buf = _SPACED_REF.sub(rb"r=\1", buf)
        if _prefixed(buf):  # <x:row>, <x:c>: read as unprefixed tags
            buf = _PREFIXED_TAG.sub(rb"<\1", buf)
        end = len(buf) if not chunk else buf.rfind(b"<")
        if chunk and end <= 0:  # no complete tag yet: wait for one, unless it is absurdly long
            end = max(len(buf) - _REF_TAIL, 0) if len(buf) > _LONGEST_TAG else 0
        a = np.frombuffer(buf + bytes(_REF_TAIL), dtype=np.uint8)
        refs = _ref_positions(a, end)
        rows, cols = _refs_max(a, refs)
        (bare_rows, bare_cols), counters = _replay(a, end, refs, counters)
        last_row, last_col = max(last_row, rows, bare_rows), max(last_col, cols, bare_cols)
        if not chunk:
            return last_row, last_col
        tail = buf[end:]


def _prefixed(buf: bytes) -> bool:
    """Whether ``buf`` may hold a prefixed ``c`` or ``row`` tag (``:c `` or ``:row>``...)."""
    a = np.frombuffer(buf + bytes(8), dtype=np.uint8)
    colon = np.flatnonzero(a[: len(buf)] == 0x3A)
    if not len(colon):
        return False
    one = a[colon + 1]
    cell = (one == 0x63) & _ends_name(a[colon + 2])
    row = (one == 0x72) & (a[colon + 2] == 0x6F) & (a[colon + 3] == 0x77) & _ends_name(a[colon + 4])
    return bool((cell | row).any())


def _ref_positions(a: np.ndarray, end: int) -> np.ndarray:
    """Positions of the ``r`` of every `` r="`` (or `` r='``) before ``a[end]``, sorted."""
    pos = np.flatnonzero(a[:end] == 0x72)  # "r"
    pos = pos[(pos > 0) & (a[pos + 1] == 0x3D)]
    found: np.ndarray = pos[((a[pos + 2] == 0x22) | (a[pos + 2] == 0x27)) & _is_space(a[pos - 1])]
    return found


def _letters(ch: np.ndarray) -> np.ndarray:
    upper: np.ndarray = ((ch & 0xDF) >= 0x41) & ((ch & 0xDF) <= 0x5A)
    return upper


def _digits(ch: np.ndarray) -> np.ndarray:
    digit: np.ndarray = (ch >= 0x30) & (ch <= 0x39)
    return digit


def _refs_max(a: np.ndarray, pos: np.ndarray) -> tuple[int, int]:
    """Largest row and column of the references at ``pos``.

    Only the references with the most letters (digits) are decoded: the others cannot hold
    the largest column (row). Letters and digits are read past Excel's limits so that an
    out-of-range reference counts as huge.
    """
    if not len(pos):
        return 0, 0
    at = pos + 3
    n_letters = _run_length(a, at, 5, _letters)
    digits_at = at + n_letters
    n_digits = _run_length(a, digits_at, 12, _digits)
    col = _decode(a, at[n_letters == n_letters.max()], int(n_letters.max()), 26, 0x40, 0xDF)
    row = _decode(a, digits_at[n_digits == n_digits.max()], int(n_digits.max()), 10, 0x30, 0xFF)
    return row, col


def _replay(
    a: np.ndarray, end: int, refs: np.ndarray, counters: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The farthest (row, column), 1-based, of the cells without ``r`` before ``a[end]``.

    Replays calamine's counters over the tags: ``<row r="N">`` sets the row to N, ``</row>``
    (or ``<row/>``) moves to the next row and column A, ``<c r="C5">`` sets the next column
    to D, and a ``<c>`` without ``r`` takes the current row and column, then moves one column
    on. Returns the farthest place and the counters after the last tag.
    """
    lt = np.flatnonzero(a[:end] == 0x3C)  # "<"
    one = a[lt + 1]  # most tags are <v>, </v> and </c>: only <c, <r and </r go on
    lt = lt[(one == 0x63) | (one == 0x72) | ((one == 0x2F) & (a[lt + 2] == 0x72))]
    if not len(lt):
        return (0, 0), counters
    one, two = a[lt + 1], a[lt + 2]
    is_row = (one == 0x72) & (two == 0x6F) & (a[lt + 3] == 0x77) & _ends_name(a[lt + 4])
    is_cell = (one == 0x63) & _ends_name(two)
    is_end = ((one == 0x2F) & (two == 0x72) & (a[lt + 3] == 0x6F) & (a[lt + 4] == 0x77)
              & _ends_name(a[lt + 5]))  # fmt: skip
    rows, cells, ends = lt[is_row], lt[is_cell], lt[is_end]
    gt = np.flatnonzero(a[:end] == 0x3E)  # ">"
    row_ref, row_close = _tag_facts(a, rows, gt, refs, end)
    cell_ref, _ = _tag_facts(a, cells, gt, refs, end)
    row_at, cell_at = rows[row_ref >= 0], cells[cell_ref >= 0]
    if (cell_ref >= 0).all():  # every cell has r= (Excel's files): only the counters go on
        return (0, 0), _final_counters(
            a,
            refs,
            row_at,
            row_ref[row_ref >= 0],
            cell_at,
            cell_ref[cell_ref >= 0],
            ends,
            rows[row_close],
            counters,
        )
    row_value = _decode_each(a, refs[row_ref[row_ref >= 0]] + 3, digits_only=True) - 1
    cell_value = _decode_each(a, refs[cell_ref[cell_ref >= 0]] + 3, digits_only=False)
    # one event list in document order; a <row/> ends right after it starts (2x + 1)
    parts = [
        (2 * row_at, _ROW_AT, row_value),
        (2 * rows[row_ref < 0], _ROW, None),
        (2 * ends, _ROW_END, None),
        (2 * rows[row_close] + 1, _ROW_END, None),
        (2 * cell_at, _CELL_AT, cell_value),
        (2 * cells[cell_ref < 0], _CELL, None),
    ]
    keys = np.concatenate([at for at, _, _ in parts])
    kinds = np.concatenate([np.full(len(at), kind) for at, kind, _ in parts])
    values = np.concatenate([v if v is not None else np.zeros(len(at), dtype=np.int64)
                             for at, _, v in parts])  # fmt: skip
    order = np.argsort(keys, kind="stable")
    return _counters(kinds[order], values[order], counters)


def _final_counters(
    a: np.ndarray, refs: np.ndarray, row_at: np.ndarray, row_refs: np.ndarray,
    cell_at: np.ndarray, cell_refs: np.ndarray, ends: np.ndarray, closed: np.ndarray,
    counters: tuple[int, int],
) -> tuple[int, int]:  # fmt: skip
    """calamine's counters after a stretch with no cell lacking ``r``: from its last tags."""
    end_keys = np.concatenate([2 * ends, 2 * closed + 1])
    if len(row_at):
        first = int(_decode_each(a, refs[row_refs[-1:]] + 3, digits_only=True)[0]) - 1
        row = first + int((end_keys > 2 * row_at[-1]).sum())
    else:
        row = counters[0] + len(end_keys)
    last_end = int(end_keys.max()) if len(end_keys) else -1
    if len(cell_at) and 2 * int(cell_at[-1]) > last_end:
        col = int(_decode_each(a, refs[cell_refs[-1:]] + 3, digits_only=False)[0]) + 1
    else:
        col = 0 if last_end >= 0 else counters[1]
    return row, col


def _counters(
    kinds: np.ndarray, values: np.ndarray, counters: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """calamine's (row, column) at each cell without ``r``: their farthest, and the final state."""
    n = len(kinds)
    idx = np.arange(n + 1)
    kinds = np.append(kinds, _CELL)  # a virtual last cell: the counters after the chunk
    values = np.append(values, 0)
    row0, col0 = counters
    ended = np.cumsum(kinds == _ROW_END) - (kinds == _ROW_END)  # row ends before each event
    bare = kinds == _CELL
    bare_before = np.cumsum(bare) - bare
    set_row = np.maximum.accumulate(np.where(kinds == _ROW_AT, idx, -1))
    from_set = set_row >= 0
    j = np.where(from_set, set_row, 0)
    row = np.where(from_set, values[j] + ended - ended[j], row0 + ended)
    reset = np.maximum.accumulate(np.where((kinds == _ROW_END) | (kinds == _CELL_AT), idx, -1))
    k = np.where(reset >= 0, reset, 0)
    start = np.where(kinds[k] == _CELL_AT, values[k] + 1, 0)
    # ends are counted once they are passed: a reset by </row> starts at 0 (ended[k] excludes k)
    col = np.where(reset >= 0, start + bare_before - bare_before[k] - bare[k], col0 + bare_before)
    final = (int(row[-1]), int(col[-1]))
    if bare[:-1].any():
        far = (int(row[:-1][bare[:-1]].max()) + 1, int(col[:-1][bare[:-1]].max()) + 1)
    else:
        far = (0, 0)
    return far, final


def _ends_name(ch: np.ndarray) -> np.ndarray:
    """Whether a tag name ends before ``ch`` (a space, ``>`` or ``/``)."""
    ends: np.ndarray = _is_space(ch) | (ch == 0x3E) | (ch == 0x2F)
    return ends


def _tag_facts(
    a: np.ndarray, starts: np.ndarray, gt: np.ndarray, refs: np.ndarray, end: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each tag starting at ``starts``: the index in ``refs`` of its ``r`` (or -1), and
    whether it closes itself (``<row .../>``)."""
    stop = np.append(gt, end)[np.searchsorted(gt, starts)]
    close = (stop < end) & (a[stop - 1] == 0x2F)
    j = np.searchsorted(refs, starts)
    inside = np.append(refs, np.iinfo(np.int64).max)[j] < stop
    return np.where(inside, j, -1), close


def _decode_each(a: np.ndarray, at: np.ndarray, *, digits_only: bool) -> np.ndarray:
    """The 0-based column (or, ``digits_only``, the 1-based row) written at each ``at``.

    A row reference may carry letters too (calamine reads its digits); letters and digits
    are read past Excel's limits, so an out-of-range reference counts as huge.
    """
    n_letters = _run_length(a, at, 5, _letters)
    if digits_only:
        digits_at = at + n_letters
        n_digits = _run_length(a, digits_at, 12, _digits)
        return _each(a, digits_at, n_digits, 10, 0x30, 0xFF)
    return _each(a, at, n_letters, 26, 0x40, 0xDF) - 1


def _each(a: np.ndarray, at: np.ndarray, n: np.ndarray, base: int, zero: int,
          mask: int) -> np.ndarray:  # fmt: skip
    value = np.zeros(len(at), dtype=np.int64)
    for j in range(int(n.max()) if len(n) else 0):
        digit = (a[at + j] & mask).astype(np.int64) - zero
        value = np.where(j < n, value * base + digit, value)
    return value


def _spaced_equals(buf: bytes) -> bool:
    a = np.frombuffer(buf, dtype=np.uint8)
    eq = np.flatnonzero(a[1:-1] == 0x3D) + 1
    return bool(len(eq)) and bool((_is_space(a[eq - 1]) | _is_space(a[eq + 1])).any())


def _is_space(ch: np.ndarray) -> np.ndarray:
    space: np.ndarray = (ch == 0x20) | (ch == 0x09) | (ch == 0x0A) | (ch == 0x0D)
    return space


def _run_length(a: np.ndarray, at: np.ndarray, most: int,
                test: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:  # fmt: skip
    """How many bytes from each ``at`` pass ``test`` (at most ``most``)."""
    count = np.zeros(len(at), dtype=np.int64)
    active = np.ones(len(at), dtype=bool)
    for j in range(most):
        active &= test(a[at + j])
        if not active.any():
            break
        count += active
    return count


def _decode(a: np.ndarray, at: np.ndarray, width: int, base: int, zero: int, mask: int) -> int:
    """The largest number written in ``width`` symbols from each ``at`` (letters or digits)."""
    value = np.zeros(len(at), dtype=np.int64)
    for j in range(width):
        value = value * base + ((a[at + j] & mask).astype(np.int64) - zero)
    return int(value.max()) if len(value) else 0
