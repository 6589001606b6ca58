"""A sheet's cell XML built a column at a time with Arrow, and spliced into an .xlsx package.

xlsxwriter spends ~12 µs a cell on a big sheet (a Python call, a cell object, a dict entry
and an XML write per cell). Here each column becomes one Arrow array of ``<c>`` elements
(blanks are nulls and write nothing), the columns of a block of rows are joined into
``<row>`` elements in C, and the blocks are streamed into the sheet's part of the zip
package. xlsxwriter still writes everything else (styles, tables, filters, widths, frozen
panes, conditional formats, charts): :func:`splice_rows` only fills the ``<sheetData>``
that it left with the header row alone.

The cells are what xlsxwriter's ``constant_memory`` mode writes for the same calls, but for
numbers: xlsxwriter writes ``%.16G``, which rounds 0.30000000000000004 to 0.3 and the largest
double to infinity; here (and in every xlsxwriter sheet crmsheet makes, see
:func:`crmsheet.io.tables.new_workbook`) a number is the shortest text that reads back as
exactly the same double (:func:`number_text`, at most 17 significant digits). Dates as
Excel serial numbers (1900 system), booleans as ``t="b"``, text as inline strings escaped
the same way (``&<>``, control characters as ``_xHHHH_``, ``xml:space="preserve"`` for edge
whitespace), truncated to Excel's 32,767 characters.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import IO, Any, TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

__all__ = ["SheetRows", "cell_column", "number_text", "row_blocks", "splice_rows"]

_T = TypeVar("_T")

#: Rows per block: big enough for Arrow to amortise its calls, small enough to stream.
BLOCK_ROWS = 16_384
MAX_TEXT = 32_767

_EPOCH = np.datetime64("1899-12-31T00:00:00", "us")
_DAY_US = 86_400_000_000
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
# text that needs the slow path: control characters, literal _xHHHH_, non-characters
_NEEDS_ESCAPE = r"[\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|\x{fffe}|\x{ffff}"
# Python's str.isspace() characters (xlsxwriter tests ^\s|\s$ with Python's re)
_SPACE = (r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
          r"\x{202f}\x{205f}\x{3000}]")  # fmt: skip
# any cell that needs more than copying: markup, escapes, or edge whitespace
_SPECIAL = f"[&<>]|{_NEEDS_ESCAPE}|^{_SPACE}|{_SPACE}$"
_PY_EDGE_SPACE = re.compile(r"^\s|\s$")  # xlsxwriter's test


@dataclass(frozen=True)
class SheetRows:
    """A frame to write below a header row: per-column cell style indices (or None), and
    per-row heights in points (NaN: the default) for rows of wrapped text."""

    frame: pd.DataFrame
    styles: Sequence[int | None]
    date_style: int
    first_row: int = 1  # 0-based sheet row of the frame's first row
    heights: np.ndarray | None = None


def _attrs(style: int | None) -> str:
    return f' s="{style}"' if style is not None else ""


def number_text(number: float) -> str:
    """The shortest text that reads back as exactly ``number`` (a finite float): Python's
    ``repr`` (17 significant digits at most), without a trailing ``.0``, with Excel's
    upper-case exponent (``1E+16``). ``%.16G`` (xlsxwriter's) loses the 17th digit."""
    text = repr(float(number)).upper()
    return text[:-2] if text.endswith(".0") else text


def _number_text(numbers: np.ndarray) -> pa.Array:
    """:func:`number_text` of finite floats, nulls elsewhere; whole numbers fast."""
    finite = np.isfinite(numbers)
    # whole numbers below 1e16 as integers (exact in int64); from 1e16 on, repr writes an
    # exponent ("1E+16"), so no text of the others ends in ".0"
    whole = finite & (np.abs(numbers) < 1e16) & (numbers == np.round(numbers))
    whole &= ~((numbers == 0) & np.signbit(numbers))  # -0.0 prints as "-0.0"
    out = pc.cast(pa.array(np.where(whole, numbers, 0).astype(np.int64)), pa.string())
    other = finite & ~whole
    if other.any():
        text = pc.ascii_upper(pa.array(list(map(repr, numbers[other].tolist())), pa.string()))
        out = pc.replace_with_mask(out, pa.array(other), text)
    return pc.if_else(pa.array(finite), out, pa.scalar(None, pa.string()))


def _serials(values: pd.Series) -> np.ndarray:
    """Excel 1900-system serial numbers of datetimes, as xlsxwriter computes them (NaT: nan)."""
    stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    raw = stamps.to_numpy(dtype="datetime64[us]")
    missing = np.isnat(raw)
    delta = (raw - _EPOCH).astype(np.int64)
    days, rest = np.divmod(delta, _DAY_US)
    seconds, micros = np.divmod(rest, 1_000_000)
    serial = days + (seconds.astype(np.float64) + micros / 1e6) / 86_400.0
    serial = np.where(serial > 59, serial + 1, serial)  # Excel's 1900 leap-year bug
    return np.where(missing, np.nan, serial)


def _escape_slow(text: str) -> str:
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def _text_cells(text: pa.Array, ref: str, rows: pa.Array, style: int | None) -> pa.Array:
    """Inline-string ``<c>`` elements; null text writes nothing, "" an empty text cell."""
    return _inline_cells(text, ref, rows, f'"{_attrs(style)} t="inlineStr"><is><t')


def _inline_cells(
    text: pa.Array, ref: str | pa.Array, rows: pa.Array, head: str | pa.Array
) -> pa.Array:
    """:func:`_text_cells` with the column's ``<c r="A`` and the tag's attributes given,
    one for the column or one per cell.

    One regex finds the few cells that need escaping or ``xml:space``; only those are
    rewritten in Python, exactly as xlsxwriter does. The rest are copied as they are.
    """
    longest = pc.max(pc.binary_length(text)).as_py() if len(text) else None
    if (longest or 0) > MAX_TEXT:  # bytes >= characters: most columns skip the slicing
        text = pc.utf8_slice_codeunits(text, 0, MAX_TEXT)
    special = pc.fill_null(pc.match_substring_regex(text, _SPECIAL), False)
    body = pc.binary_join_element_wise(">", text, "")
    if pc.any(special).as_py():
        where = np.flatnonzero(special.to_numpy(zero_copy_only=False))
        fixed = [_inline_body(v) for v in pc.take(text, pa.array(where)).to_pylist()]
        body = pc.replace_with_mask(body, special, pa.array(fixed, type=body.type))
    return pc.binary_join_element_wise(ref, rows, head, body, "</t></is></c>", "")


def _inline_body(text: str) -> str:
    """``[ xml:space="preserve"]>escaped text``, as xlsxwriter writes an inline string."""
    text = _escape_slow(text)
    preserve = ' xml:space="preserve"' if _PY_EDGE_SPACE.search(text) else ""
    return preserve + ">" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _value_cells(values: pa.Array, ref: str, rows: pa.Array, style: int | None,
                 kind: str = "") -> pa.Array:  # fmt: skip
    head = f'"{_attrs(style)}{kind}><v>'
    return pc.binary_join_element_wise(ref, rows, head, values, "</v></c>", "")


def _object_cells(values: pd.Series, letter: str, rows: pa.Array, first: int,
                  style: int | None, date_style: int) -> pa.Array:  # fmt: skip
    """Cells of a mixed column, typed value by value as ``write_value`` does."""
    typed: list[str | None] = []
    texts: list[str | None] = []
    for r, v in enumerate(values.tolist(), start=first + 1):
        cell, text = _one_value(v, f"{letter}{r}", style, date_style)
        typed.append(cell)
        texts.append(text)
    text_cells = _text_cells(pa.array(texts, type=pa.string()), f'<c r="{letter}', rows, style)
    return pc.coalesce(pa.array(typed, type=pa.string()), text_cells)


def _one_value(
    v: Any, ref: str, style: int | None, date_style: int
) -> tuple[str | None, str | None]:
    """(the cell of a number, boolean or date, or None; the text to write, or None)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None, None
    if isinstance(v, float | np.floating):
        cell = f'<c r="{ref}"{_attrs(style)}><v>{number_text(float(v))}</v></c>'
        return (cell if np.isfinite(v) else None), None
    if isinstance(v, bool | np.bool_):
        return f'<c r="{ref}"{_attrs(style)} t="b"><v>{int(v)}</v></c>', None
    if isinstance(v, int | np.integer):
        return f'<c r="{ref}"{_attrs(style)}><v>{number_text(float(v))}</v></c>', None
    if isinstance(v, dt.datetime | dt.date):  # pd.Timestamp is a datetime
        if pd.isna(v):
            return None, None
        own = style if style is not None else date_style
        return f'<c r="{ref}"{_attrs(own)}><v>{number_text(_serial(v))}</v></c>', None
    return None, str(v)


def _serial(v: dt.date) -> float:
    """xlsxwriter's Excel serial number of a date or (naive or zoned) datetime."""
    if isinstance(v, pd.Timestamp):
        v = (v.tz_localize(None) if v.tz else v).to_pydatetime()
    if isinstance(v, dt.datetime):
        v = v.replace(tzinfo=None)
    else:
        v = dt.datetime.fromordinal(v.toordinal())
    delta = v - dt.datetime(1899, 12, 31)
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86_400
    return serial + 1 if serial > 59 else serial


def cell_column(values: pd.Series, col: int, rows: pa.Array, first: int, style: int | None,
                date_style: int) -> pa.Array:  # fmt: skip
    """The ``<c>`` elements of one column (null where nothing is written), by its dtype.

    ``rows`` holds the 1-based row numbers as text, ``first`` the 0-based first row.
    """
    ref = f'<c r="{xl_col_to_name(col)}'
    if pd.api.types.is_bool_dtype(values):
        flags = values.astype("boolean").to_numpy(dtype=object, na_value=None)
        digits = pa.array([None if v is None else ("1" if v else "0") for v in flags],
                          type=pa.string())  # fmt: skip
        return _value_cells(digits, ref, rows, style, ' t="b"')
    if pd.api.types.is_datetime64_any_dtype(values):
        own = style if style is not None else date_style
        return _value_cells(_number_text(_serials(values)), ref, rows, own)
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
        return _value_cells(_number_text(numbers), ref, rows, style)
    if isinstance(values.dtype, pd.StringDtype) or pd.api.types.infer_dtype(
        values, skipna=True
    ) in ("string", "empty"):
        text = pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.string())
        return _text_cells(text, ref, rows, style)
    return _object_cells(values, xl_col_to_name(col), rows, first, style, date_style)


#: From this many text columns on, a block's text cells are made in one pass.
MANY_TEXT_COLUMNS = 64


def _text_columns(
    part: pd.DataFrame, cols: Sequence[int], rows: pa.Array, styles: Sequence[int | None]
) -> dict[int, pa.Array]:
    """:func:`cell_column` of many text columns, made in one pass over all their cells,
    column after column (its cost is per call: a sheet of 9,000 text columns made 9,000)."""
    n = len(part)
    chunks = []
    for c in cols:
        column = part.iloc[:, c].array.__arrow_array__()
        chunks.extend(column.cast(pa.string()).chunks)
    text = pa.chunked_array(chunks, type=pa.string()).combine_chunks()
    which = pa.array(np.repeat(np.arange(len(cols)), n))
    refs = pc.take(pa.array([f'<c r="{xl_col_to_name(c)}' for c in cols]), which)
    heads = [f'"{_attrs(styles[c])} t="inlineStr"><is><t' for c in cols]
    every = pc.take(rows, pa.array(np.tile(np.arange(n), len(cols))))
    made = _inline_cells(text, refs, every, pc.take(pa.array(heads), which))
    return {c: made.slice(i * n, n) for i, c in enumerate(cols)}


def row_blocks(rows: SheetRows, block: int = BLOCK_ROWS) -> Iterator[bytes]:
    """``<row>`` elements of ``rows.frame``, ``block`` rows at a time, as UTF-8."""
    frame = rows.frame
    for start in range(0, len(frame), block):
        part = frame.iloc[start : start + block]
        first = rows.first_row + start
        numbers = pc.cast(pa.array(np.arange(first + 1, first + 1 + len(part))), pa.string())
        opened = _row_heights(rows.heights, start, len(part))
        text = [c for c, kind in enumerate(part.dtypes) if isinstance(kind, pd.StringDtype)]
        many = len(text) >= MANY_TEXT_COLUMNS
        done = _text_columns(part, text, numbers, rows.styles) if many else {}
        cells = [
            done[c]
            if c in done
            else cell_column(part.iloc[:, c], c, numbers, first, rows.styles[c], rows.date_style)
            for c in range(part.shape[1])
        ]
        joined = pc.binary_join_element_wise(
            '<row r="', numbers, opened, *cells, "</row>", "",
            null_handling="replace", null_replacement="",
        )  # fmt: skip
        yield _utf8(joined)


def _row_heights(heights: np.ndarray | None, start: int, n: int) -> pa.Array | str:
    """The end of each ``<row`` tag: ``">"``, or a height for a row of wrapped text."""
    if heights is None:
        return '">'
    part = heights[start : start + n]
    text = pc.binary_join_element_wise(
        '" ht="',
        pc.cast(pa.array(part, from_pandas=True), pa.string()),
        '" customHeight="1">',
        "",
    )
    return pc.fill_null(text, '">')


def _utf8(strings: pa.Array) -> bytes:
    """The concatenation of an Arrow string array (no nulls) as bytes, without Python strs."""
    strings = strings.cast(pa.large_string()) if strings.type == pa.string() else strings
    _, offsets, data = strings.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64)
    start, stop = int(bounds[strings.offset]), int(bounds[strings.offset + len(strings)])
    piece: bytes = data.slice(start, stop - start).to_pybytes()
    return piece


_SHEET_DATA = re.compile(rb"<sheetData>(.*?)</sheetData>|<sheetData/>", re.DOTALL)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def splice_rows(
    package: IO[bytes],
    dest: Path,
    sheets: Mapping[str, tuple[SheetRows, str]],
    tables: Mapping[str, tuple[str, str]] | None = None,
    *,
    compresslevel: int = 3,
) -> None:
    """Copy the .xlsx ``package`` to ``dest``, appending rows to the named sheet parts.

    ``sheets`` maps a part name (``xl/worksheets/sheet2.xml``) to its rows and the sheet's
    full used range (``A1:AE100001``) for ``<dimension>``. ``compresslevel`` 3 rather than
    zlib's 6: compressing runs beside the row builder and no longer outlasts it (1M
    transactions: 1.5 s instead of 3.3 s of zlib for a file 14 % larger, 36 MB not 32).
    ``tables`` maps a table's name to the range it was laid out on and its full range:
    xlsxwriter's ``add_table`` checks every cell of its range for overlaps (seconds and
    hundreds of MB for a million cells), so a big table is laid out on its header and
    first row and widened here.
    """
    tables = tables or {}
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(dest, "w") as out:
        infos = src.infolist()
        heads = {i.filename: src.read(i.filename) for i in infos if i.filename in sheets}
        # one builder thread for every sheet, in package order: it makes the next sheet's
        # rows while this thread compresses the current one (most sheets are one block)
        made = _ahead(_all_sheet_parts(infos, heads, sheets), depth=4)
        try:
            for info in infos:
                target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                # the level's attribute is public from Python 3.13, private before
                setattr(target, "compress_level" if hasattr(target, "compress_level")
                        else "_compresslevel", compresslevel)  # fmt: skip
                if info.filename not in sheets:
                    data = src.read(info.filename)
                    if info.filename.startswith("xl/tables/"):
                        data = _widen_table(data, tables)
                    out.writestr(target, data)
                    continue
                rows = sheets[info.filename][0]
                big = len(rows.frame) * max(rows.frame.shape[1], 1) * 80 > 2**31
                with out.open(target, "w", force_zip64=big) as fh:
                    for piece in made:
                        if piece is None:  # this sheet's end
                            break
                        fh.write(piece)
        finally:
            made.close()


def _all_sheet_parts(
    infos: Sequence[zipfile.ZipInfo],
    heads: Mapping[str, bytes],
    sheets: Mapping[str, tuple[SheetRows, str]],
) -> Iterator[bytes | None]:
    """Every sheet part's pieces in package order, each sheet followed by None."""
    for info in infos:
        if info.filename in heads:
            rows, used = sheets[info.filename]
            yield from _sheet_parts(heads[info.filename], rows, used)
            yield None


def _ahead(pieces: Iterable[_T], depth: int = 2) -> Generator[_T, None, None]:
    """``pieces``, made in a thread while the caller compresses the previous ones.

    Arrow and zlib release the GIL, so on two cores building and compressing overlap.
    """
    queue: Queue[tuple[bool, _T | None, BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def make() -> None:
        try:
            for piece in pieces:
                if stop.is_set():
                    return
                queue.put((False, piece, None))
            queue.put((True, None, None))
        except BaseException as exc:  # handed to the caller, raised there
            queue.put((True, None, exc))

    worker = threading.Thread(target=make, name="crmsheet-rows", daemon=True)
    worker.start()
    try:
        while True:
            done, piece, error = queue.get()
            if error is not None:
                raise error
            if done:
                return
            yield cast(_T, piece)  # not done: a piece the producer made
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(Empty):
                queue.get(timeout=0.05)
        worker.join()


_TABLE_NAME = re.compile(rb'<table [^>]*?\bname="([^"]*)"')


def _widen_table(xml: bytes, tables: Mapping[str, tuple[str, str]]) -> bytes:
    """The table part with its (and its filter's) range widened to the full table."""
    found = _TABLE_NAME.search(xml)
    if found is None or found.group(1).decode() not in tables:
        return xml
    small, full = tables[found.group(1).decode()]
    return xml.replace(f'ref="{small}"'.encode(), f'ref="{full}"'.encode())


def _sheet_parts(xml: bytes, rows: SheetRows, used: str) -> Iterable[bytes]:
    """The sheet part with ``rows`` after the rows xlsxwriter wrote (the header)."""
    xml = _DIMENSION.sub(f'<dimension ref="{used}"/>'.encode(), xml, count=1)
    found = _SHEET_DATA.search(xml)
    if found is None:
        raise ValueError("no <sheetData> in the sheet part")
    yield xml[: found.start()] + b"<sheetData>" + (found.group(1) or b"")
    yield from row_blocks(rows)
    yield b"</sheetData>" + xml[found.end() :]
