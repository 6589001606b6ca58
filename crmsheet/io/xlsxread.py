"""Read every sheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) into raw :class:`Grid` objects.

The cells come from python-calamine (Rust calamine), chosen over fastexcel and pandas'
``read_excel`` for fidelity at a comparable speed: see ``benchmarks/readers.py``.

Before anything is parsed :mod:`crmsheet.io.sniff` names the container and runs its cheap
safety checks (missing, empty, encrypted, not a workbook at all, damaged zip, zip bomb) so that
the user gets a plain sentence saying what to do, never a traceback from the parser. Every
other failure of the parser becomes an
:class:`~crmsheet.errors.UnsupportedFormatError` whose ``__cause__`` is the original exception.

What a :class:`Grid` from here holds:

* ``cells`` is one object column per Excel column, starting at column A (column ``j`` of
  ``cells`` is Excel column ``j``, 0 = A), and one row per non-empty sheet row from Excel row 1;
  ``rows`` holds their Excel row numbers (fully empty rows are dropped, ``rows`` stays exact).
* values are raw: ``str`` for text (``"02134"`` stays text), ``float`` (sometimes ``int`` in
  .xls/.ods) for numbers, ``bool``, ``datetime.datetime`` for date cells (calamine's
  ``datetime.date`` for midnight values is widened to ``datetime``), ``datetime.time`` and
  ``datetime.timedelta`` for time and duration formats; blanks are ``None``.
* Excel error cells (``#N/A``, ``#DIV/0!``...) come back from calamine like blanks. In .xlsx and
  .xlsm files they are found in the sheet XML and kept as their error text (the string
  ``"#N/A"``), with an ``excel-error`` note naming the cell. In .xls, .xlsb and .ods they stay
  blank.
* ``epoch_1904`` comes from ``workbookPr/@date1904`` (.xlsx/.xlsm) or the ODS null date; it is
  always False for .xls and .xlsb (calamine does not expose it; their date *cells* are still
  decoded correctly, only bare serial numbers need the flag).
"""

from __future__ import annotations

import datetime as _dt
import io
import posixpath
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from defusedxml import ElementTree as SafeET
from python_calamine import (
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from ..errors import (
    EncryptedFileError,
    NoUsableDataError,
    SettingsError,
    UnsupportedFormatError,
)
from ..problems import ProblemCode
from .grid import Grid, GridNote
from .markers import OUTPUT_MARKER, SHEET_MARKER
from .sniff import NATURAL_SUFFIXES, PASSWORD, SAVE_AS, WorkbookKind, workbook_kind

__all__ = ["read_workbook_grids"]

# The rectangle from A1 to a sheet's farthest cell is materialised cell by cell (calamine's
# dense range, then Python lists): a 5 KB file with one value in XFD1048576 would ask for 17
# billion cells and abort the whole process. Refused above this many cells (1,048,576 x 32).
MAX_CELLS = 1 << 25
# At most this many ``excel-error`` notes per sheet; the rest are summed up in one note.
MAX_ERROR_NOTES = 200

_PASSWORD_XLS = (
    "the workbook is encrypted (protected by a password, or by Excel's built-in read-only "
    "encryption); open it in Excel, remove the password if it asks for one (File > Info > "
    "Protect Workbook) and save a copy as an Excel workbook (.xlsx)"
)


def read_workbook_grids(path: str | Path, *, sheets: Sequence[str] | None = None) -> list[Grid]:
    """Return one :class:`Grid` per non-empty worksheet of the workbook at ``path``.

    ``sheets`` restricts the result to those sheet names (in that order); a name the workbook
    does not have raises :class:`~crmsheet.errors.SettingsError`. Hidden and very hidden
    sheets are included with ``hidden=True``; chart, dialog and macro sheets are skipped.

    Raises :class:`~crmsheet.errors.InputFileError` (file missing or unreadable),
    :class:`~crmsheet.errors.EncryptedFileError`, :class:`~crmsheet.errors.UnsupportedFormatError`
    (not a workbook, damaged, zip bomb, or any parser failure) and
    :class:`~crmsheet.errors.NoUsableDataError` (zero bytes, or no sheet holds any value).
    """
    p = Path(path)
    kind = workbook_kind(p)
    zinfo = _ZipFacts(p) if kind in {"ooxml", "xlsb", "ods"} else None
    epoch_1904 = zinfo.epoch_1904 if zinfo is not None else False
    if zinfo is not None and zinfo.written_by_crmsheet:
        raise NoUsableDataError(
            p, "is an enriched workbook that crmsheet wrote, not a customer list: run crmsheet "
            "on your original customer file instead (or use enrich --in-place to keep "
            "crmsheet's sheets inside your own workbook)"
        )  # fmt: skip

    with _parser_errors(p, kind):
        wb = _open_workbook(p, kind, p.suffix.lower())
    try:
        with _parser_errors(p, kind):
            metas = {m.name: m for m in wb.sheets_metadata}
        out = []
        for name in _select(p, list(metas), sheets):
            meta = metas[name]
            if meta.typ != SheetTypeEnum.WorkSheet:  # chart, dialog and macro sheets
                continue
            if zinfo is not None and name in zinfo.crmsheet_sheets:
                continue  # crmsheet's own output in the user's book, never its input
            errors = zinfo.scan_sheet(name) if zinfo is not None else []  # before calamine
            with _parser_errors(p, kind):
                values = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            grid = _build_grid(p, meta, values, errors, epoch_1904)
            del values  # one sheet's Python objects at a time
            if grid is not None:
                out.append(grid)
    finally:
        wb.close()
    if not out:
        what = "the selected sheets are" if sheets is not None else "every sheet is"
        raise NoUsableDataError(p, f"the workbook holds no data: {what} empty")
    return out


@contextmanager
def _parser_errors(p: Path, kind: str) -> Iterator[None]:
    """Turn whatever the parser raises into a plain-words error, keeping it as ``__cause__``."""
    try:
        yield
    except PasswordError as exc:
        raise EncryptedFileError(p, _PASSWORD_XLS if kind == "xls" else PASSWORD) from exc
    except Exception as exc:
        raise UnsupportedFormatError(
            p, f"the workbook could not be read (it may be damaged or unusual); {SAVE_AS}"
        ) from exc


# --------------------------------------------------------------------------------------------
# Parsing


def _open_workbook(p: Path, kind: WorkbookKind, ext: str) -> CalamineWorkbook:
    if ext in NATURAL_SUFFIXES[kind]:
        return CalamineWorkbook.from_path(p)
    # Wrong or missing extension (an .xls renamed .xlsx, "report.xlsx.download"...):
    # calamine picks the reader by extension in from_path, by content in from_filelike.
    return CalamineWorkbook.from_filelike(io.BytesIO(p.read_bytes()))


def _select(p: Path, names: list[str], sheets: Sequence[str] | None) -> list[str]:
    if sheets is None:
        return names
    if isinstance(sheets, str):
        sheets = [sheets]
    missing = [s for s in sheets if s not in names]
    if missing:
        raise SettingsError(
            f"{p}: no sheet named {', '.join(map(repr, missing))}; the workbook has "
            f"{', '.join(map(repr, names)) or 'no sheets'}"
        )
    return list(dict.fromkeys(sheets))


_type = np.frompyfunc(type, 1, 1)
_widen_date = np.frompyfunc(lambda d: _dt.datetime(d.year, d.month, d.day), 1, 1)


def _build_grid(
    p: Path,
    meta: Any,
    values: list[list[Any]],
    errors: list[tuple[int, int, str]],
    epoch_1904: bool,
) -> Grid | None:
    if not values or not values[0]:
        return None
    cells = np.array(values, dtype=object)
    if cells.ndim != 2:  # ragged rows: never seen from calamine, but be safe
        width = max(map(len, values))
        cells = np.array([r + [""] * (width - len(r)) for r in values], dtype=object)
    del values

    notes: list[GridNote] = []
    placed = 0
    for row, col, text in errors:
        if row < cells.shape[0] and col < cells.shape[1] and cells[row, col] == "":
            cells[row, col] = text
            if placed < MAX_ERROR_NOTES:
                notes.append(
                    GridNote(
                        ProblemCode.EXCEL_ERROR,
                        f"cell {_col_letter(col)}{row + 1} shows the Excel error {text}; "
                        f"it is read as the text {text!r}",
                        row=row + 1,
                    )
                )
            placed += 1
    if placed > MAX_ERROR_NOTES:
        notes.append(
            GridNote(
                ProblemCode.EXCEL_ERROR,
                f"{placed - MAX_ERROR_NOTES:,} more cells show Excel errors (#N/A, #DIV/0!...)",
            )
        )

    blank = cells == ""  # only a str equals "" among the types calamine returns
    cells[blank] = None
    is_date = _type(cells) == _dt.date
    if is_date.any():
        cells[is_date] = _widen_date(cells[is_date])

    rows = np.arange(1, cells.shape[0] + 1, dtype=np.int64)
    empty_rows = blank.all(axis=1)
    if empty_rows.all():
        return None
    if empty_rows.any():
        keep = ~empty_rows
        cells, rows = cells[keep], rows[keep]
    frame = pd.DataFrame(cells, dtype=object, copy=False)
    return Grid(
        path=p,
        sheet=meta.name,
        cells=frame,
        rows=rows,
        hidden=meta.visible != SheetVisibleEnum.Visible,
        epoch_1904=epoch_1904,
        notes=tuple(notes),
    )


def _col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


# --------------------------------------------------------------------------------------------
# What calamine does not tell: the 1904 flag and error cells (read from the zip directly)

_REL_NS_ID = re.compile(r"^\{[^}]*\}id$")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^<>]*>\Z")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_VALUE_OPEN = re.compile(rb"<(?:[\w.-]+:)?v>\Z")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_NULL_DATE = re.compile(rb"null-date[^>]*date-value\s*=\s*[\"']1904-01-01")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _ZipFacts:
    """Facts about a zip-based workbook that calamine does not expose."""

    def __init__(self, p: Path) -> None:
        self.path = p
        self.epoch_1904 = False
        self.written_by_crmsheet = False
        self.crmsheet_sheets: set[str] = set()  # added to the user's book by --in-place
        self._sheet_parts: dict[str, str] = {}
        try:
            with zipfile.ZipFile(p) as zf:
                names = set(zf.namelist())
                self.written_by_crmsheet = _has_output_marker(zf, names)
                if "xl/workbook.xml" in names:
                    self._read_workbook_xml(zf, names)
                elif "content.xml" in names:
                    with zf.open("content.xml") as fh:
                        head = fh.read(256 * 1024)
                    self.epoch_1904 = _NULL_DATE.search(head) is not None
        except UnsupportedFormatError:
            raise
        except Exception as exc:
            raise UnsupportedFormatError(
                p, f"the workbook could not be read (it may be damaged or unusual); {SAVE_AS}"
            ) from exc

    def _read_workbook_xml(self, zf: zipfile.ZipFile, names: set[str]) -> None:
        root = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rids: dict[str, str] = {}
        order: list[str] = []
        marked: set[int] = set()
        for el in root.iter():
            name = _local(el.tag)
            if name == "workbookPr":
                self.epoch_1904 = el.get("date1904", "").strip().lower() in {"1", "true"}
            elif name == "sheet":
                order.append(el.get("name", ""))
                rid = next((v for k, v in el.attrib.items() if _REL_NS_ID.match(k)), None)
                if rid is not None and el.get("name") is not None:
                    rids[rid] = el.get("name", "")
            elif name == "definedName" and el.get("name") == SHEET_MARKER:
                position = el.get("localSheetId", "")
                if position.isdigit():
                    marked.add(int(position))
        self.crmsheet_sheets = {order[i] for i in marked if i < len(order)}
        rels = "xl/_rels/workbook.xml.rels"
        if rels not in names or not rids:
            return
        for el in SafeET.fromstring(zf.read(rels)).iter():
            if _local(el.tag) != "Relationship" or el.get("Id") not in rids:
                continue
            target = el.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            part = posixpath.normpath(part)
            if part in names:
                self._sheet_parts[rids[el.get("Id", "")]] = part

    def scan_sheet(self, sheet: str) -> list[tuple[int, int, str]]:
        """The error cells of ``sheet`` as (row, col, "#N/A"), 0-based; [] if unknown.

        The same pass over the sheet part measures its used area (A1 to its farthest cell)
        and refuses the sheet above :data:`MAX_CELLS`, before calamine allocates it.
        """
        part = self._sheet_parts.get(sheet)
        if part is None:
            return []
        try:  # one decompression for both scans
            with zipfile.ZipFile(self.path) as zf, zf.open(part) as fh:
                (rows, cols), errors = _drive(fh, _area_scan(), _error_scan())
        except Exception as exc:
            raise UnsupportedFormatError(
                self.path,
                f"the workbook could not be read (it may be damaged or unusual); {SAVE_AS}",
            ) from exc
        if rows * max(cols, 1) > MAX_CELLS:
            far = f"{_col_letter(cols - 1)}{rows}" if cols else f"row {rows:,}"
            raise UnsupportedFormatError(
                self.path, f"sheet {sheet!r} reaches cell {far} ({rows:,} rows x {cols:,} "
                f"columns, more than {MAX_CELLS:,} cells); it is refused as a safety measure. "
                "If stray cells lie far from the data, delete those rows and columns in Excel "
                "and save, or save the sheet as CSV"
            )  # fmt: skip
        errors_found: list[tuple[int, int, str]] = errors
        return errors_found


_SPACED_REF = re.compile(rb"""r\s*=\s*(["'])""")
_REF_TAIL = 32  # longer than any r="XFD1048576" attribute


def _used_area(fh: Any, chunk_size: int = 1 << 23) -> tuple[int, int]:
    """(last row, last column), 1-based, over every ``r="XFD1048576"`` reference in a sheet part.

    Vectorised over the bytes (a regex loop costs more than calamine's whole read). Any
    attribute ending in ``r`` is taken as a reference: a false hit can only make the area
    larger, never hide a far cell. Letters and digits are read past Excel's limits so that an
    out-of-range reference counts as huge.
    """
    area: tuple[int, int] = _drive(fh, _area_scan(), chunk_size=chunk_size)[0]
    return area


_Scan = Generator[None, bytes, Any]


def _drive(fh: Any, *scans: _Scan, chunk_size: int = 1 << 23) -> list[Any]:
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


def _area_scan() -> Generator[None, bytes, tuple[int, int]]:
    """:func:`_used_area` as a scan for :func:`_drive`."""
    last_row = last_col = 0
    tail = b""
    while True:
        chunk = yield
        buf = tail + chunk
        if _spaced_equals(buf):  # r = "A1" is legal XML: normalised first
            buf = _SPACED_REF.sub(rb"r=\1", buf)
        end = len(buf) if not chunk else max(len(buf) - _REF_TAIL, 0)
        rows, cols = _refs_max(buf, end)
        last_row, last_col = max(last_row, rows), max(last_col, cols)
        if not chunk:
            return last_row, last_col
        tail = buf[end:]


def _refs_max(buf: bytes, end: int) -> tuple[int, int]:
    """Largest row and column of `` r="..."`` attributes starting before ``buf[end]``.

    Only the references with the most letters (digits) are decoded: the others cannot hold
    the largest column (row).
    """
    a = np.frombuffer(buf + bytes(_REF_TAIL), dtype=np.uint8)
    pos = np.flatnonzero(a[:end] == 0x72)  # "r"
    pos = pos[(pos > 0) & (a[pos + 1] == 0x3D)]
    pos = pos[((a[pos + 2] == 0x22) | (a[pos + 2] == 0x27)) & _is_space(a[pos - 1])]
    if not len(pos):
        return 0, 0
    at = pos + 3
    n_letters = _run_length(a, at, 5, lambda ch: ((ch & 0xDF) >= 0x41) & ((ch & 0xDF) <= 0x5A))
    digits_at = at + n_letters
    n_digits = _run_length(a, digits_at, 12, lambda ch: (ch >= 0x30) & (ch <= 0x39))
    col = _decode(a, at[n_letters == n_letters.max()], int(n_letters.max()), 26, 0x40, 0xDF)
    row = _decode(a, digits_at[n_digits == n_digits.max()], int(n_digits.max()), 10, 0x30, 0xFF)
    return row, col


def _spaced_equals(buf: bytes) -> bool:
    a = np.frombuffer(buf, dtype=np.uint8)
    eq = np.flatnonzero(a[1:-1] == 0x3D) + 1
    return bool(len(eq)) and bool((_is_space(a[eq - 1]) | _is_space(a[eq + 1])).any())


def _is_space(ch: np.ndarray) -> np.ndarray:
    space: np.ndarray = (ch == 0x20) | (ch == 0x09) | (ch == 0x0A) | (ch == 0x0D)
    return space


def _run_length(a: np.ndarray, at: np.ndarray, most: int, test: Any) -> np.ndarray:
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


def _has_output_marker(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether docProps/custom.xml names :data:`OUTPUT_MARKER` (an enriched workbook)."""
    part = "docProps/custom.xml"
    if part not in names:
        return False
    for el in SafeET.fromstring(zf.read(part)).iter():
        if _local(el.tag) == "property" and el.get("name") == OUTPUT_MARKER:
            return True
    return False


def _scan_error_cells(fh: Any, chunk_size: int = 1 << 23) -> list[tuple[int, int, str]]:
    """Find ``<c r="D7" t="e"><f>..</f><v>#N/A</v></c>`` in a sheet part, streaming it.

    Every Excel error value starts with ``#``, a byte that is rare in sheet XML (text lives in
    sharedStrings.xml), so a memchr-speed search for it, then a look at the enclosing cell,
    keeps this to little more than the cost of decompressing the part.
    """
    found: list[tuple[int, int, str]] = _drive(fh, _error_scan(), chunk_size=chunk_size)[0]
    return found


def _error_scan() -> Generator[None, bytes, list[tuple[int, int, str]]]:
    """:func:`_scan_error_cells` as a scan for :func:`_drive`."""
    found: list[tuple[int, int, str]] = []
    margin = 1 << 16  # a cell (start tag, formula, value) is far shorter than this
    buf = b""
    skip = 0  # hits before this offset of ``buf`` were handled in the previous round
    while True:
        chunk = yield
        buf += chunk
        limit = len(buf) if not chunk else len(buf) - margin
        pos = buf.find(b"#", skip)
        while 0 <= pos < limit:
            hit = _error_at(buf, pos, margin)
            if hit is not None:
                found.append(hit)
            pos = buf.find(b"#", pos + 1)
        if not chunk:
            return found
        keep_from = max(limit - margin, 0)
        buf = buf[keep_from:]
        skip = limit - keep_from


def _error_at(buf: bytes, pos: int, margin: int) -> tuple[int, int, str] | None:
    """The error cell whose ``<v>`` value starts at ``buf[pos]`` (a ``#``), if it is one."""
    if buf[pos - 1 : pos] != b">" or _VALUE_OPEN.search(buf, max(pos - 16, 0), pos) is None:
        return None
    lo = max(pos - margin, 0)
    start = max(buf.rfind(b"<c ", lo, pos), buf.rfind(b":c ", lo, pos))
    if start < 0:
        return None
    if buf[start] != 0x3C:  # "<": a namespace prefix (<x:c ...>): go back to the "<"
        start = buf.rfind(b"<", lo, start)
    end = buf.find(b">", start)
    if start < 0 or end < 0 or end > pos:
        return None
    tag = buf[start : end + 1]
    if not _CELL_TAG.match(tag) or tag.endswith(b"/>") or not _ERROR_TYPE.search(tag):
        return None
    if _CELL_END.search(buf, end, pos) is not None:  # the "#" is not inside this cell
        return None
    ref = _CELL_REF.search(tag)
    close = buf.find(b"<", pos, pos + 64)
    if ref is None or close < 0:
        return None
    text = buf[pos:close].decode("utf-8", "replace").strip()
    return int(ref.group(2)) - 1, _col_index(ref.group(1)), text
