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
from .grid import Grid, GridNote, column_letter
from .markers import OUTPUT_MARKER
from .sheetparts import WORKBOOK, SheetParts, by_lower_name, sheet_parts
from .sniff import NATURAL_SUFFIXES, PASSWORD, SAVE_AS, WorkbookKind, open_workbook
from .usedarea import area_scan, drive, used_area

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
    with open_workbook(p) as (kind, zf):  # the zip stays open for every sheet
        zinfo = _ZipFacts(p, zf) if zf is not None and kind in {"ooxml", "xlsb", "ods"} else None
        if zinfo is not None and zinfo.written_by_crmsheet:
            raise NoUsableDataError(
                p, "is an enriched workbook that crmsheet wrote, not a customer list: run "
                "crmsheet on your original customer file instead (or use enrich --in-place to "
                "keep crmsheet's sheets inside your own workbook)"
            )  # fmt: skip
        out = _read_sheets(p, kind, zinfo, sheets)
    if not out:
        what = "the selected sheets are" if sheets is not None else "every sheet is"
        raise NoUsableDataError(p, f"the workbook holds no data: {what} empty")
    return out


def _read_sheets(
    p: Path, kind: WorkbookKind, zinfo: _ZipFacts | None, sheets: Sequence[str] | None
) -> list[Grid]:
    """The grids of the selected sheets, each measured (``zinfo``) before calamine reads it."""
    epoch_1904 = zinfo.epoch_1904 if zinfo is not None else False
    with _parser_errors(p, kind):
        wb = _open_workbook(p, kind, p.suffix.lower())
    try:
        with _parser_errors(p, kind):
            metas = {m.name: m for m in wb.sheets_metadata}
        if zinfo is not None:
            zinfo.guard_unnamed(list(metas))
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
                        f"cell {column_letter(col)}{row + 1} shows the Excel error {text}; "
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


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1


# --------------------------------------------------------------------------------------------
# What calamine does not tell: the 1904 flag and error cells (read from the zip directly)

_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s[^<>]*>\Z")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_VALUE_OPEN = re.compile(rb"<(?:[\w.-]+:)?v>\Z")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_NULL_DATE = re.compile(rb"null-date[^>]*date-value\s*=\s*[\"']1904-01-01")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _ZipFacts:
    """Facts about a zip-based workbook that calamine does not expose, read from the zip
    the safety checks opened (one handle for every sheet: reopening it per sheet made a
    book of 5,000 empty sheets take over a minute)."""

    def __init__(self, p: Path, zf: zipfile.ZipFile) -> None:
        self.path = p
        self._zf = zf
        self.epoch_1904 = False
        self.written_by_crmsheet = False
        self.crmsheet_sheets: set[str] = set()  # added to the user's book by --in-place
        self._parts = SheetParts()
        self._measured: set[int] = set()  # header offsets of the members measured
        try:
            members = by_lower_name(zf)
            names = set(zf.namelist())
            self.written_by_crmsheet = _has_output_marker(zf, names)
            if WORKBOOK in names:
                self._parts = sheet_parts(zf, members)
                self.epoch_1904 = self._parts.epoch_1904
                self.crmsheet_sheets = self._parts.marked
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

    def guard_unnamed(self, names: Sequence[str]) -> None:
        """Measure, before calamine reads any sheet, every member it may read as a worksheet
        that no sheet called one of ``names`` (calamine's names) leads to here."""
        named = {i.header_offset for n in names for i in self._parts.by_sheet.get(n, [])}
        for info in self._parts.worksheets:
            if info.header_offset not in named:
                self._measure(info, f"the sheet part {info.filename!r}")

    def scan_sheet(self, sheet: str) -> list[tuple[int, int, str]]:
        """The error cells of ``sheet`` as (row, col, "#N/A"), 0-based; [] if unknown.

        The same pass over the sheet part measures its used area (as calamine will place
        its cells) and refuses the sheet above :data:`MAX_CELLS`, before calamine allocates
        it; every other member the sheet may be read from is measured too.
        """
        parts = self._parts.by_sheet.get(sheet, [])
        errors: list[tuple[int, int, str]] = []
        for n, info in enumerate(parts):
            found = self._measure(info, f"sheet {sheet!r}", errors=n == 0)
            errors = found if n == 0 else errors
        return errors

    def _measure(self, info: zipfile.ZipInfo, what: str, *,
                 errors: bool = False) -> list[tuple[int, int, str]]:  # fmt: skip
        """Refuse the member ``info`` above :data:`MAX_CELLS`; its error cells if asked."""
        if info.header_offset in self._measured and not errors:
            return []
        self._measured.add(info.header_offset)
        scans = (area_scan(), _error_scan()) if errors else (area_scan(),)
        try:  # one decompression for both scans
            with self._zf.open(info) as fh:
                results = drive(fh, *scans)
        except Exception as exc:
            raise UnsupportedFormatError(
                self.path,
                f"the workbook could not be read (it may be damaged or unusual); {SAVE_AS}",
            ) from exc
        rows, cols = results[0]
        sheet = what
        if rows * max(cols, 1) > MAX_CELLS:
            far = f"{column_letter(cols - 1)}{rows}" if cols else f"row {rows:,}"
            raise UnsupportedFormatError(
                self.path, f"{sheet} reaches cell {far} ({rows:,} rows x {cols:,} "
                f"columns, more than {MAX_CELLS:,} cells); it is refused as a safety measure. "
                "If stray cells lie far from the data, delete those rows and columns in Excel "
                "and save, or save the sheet as CSV"
            )  # fmt: skip
        found: list[tuple[int, int, str]] = results[1] if errors else []
        return found


def _used_area(fh: Any, chunk_size: int = 1 << 23) -> tuple[int, int]:
    """(last row, last column), 1-based, of a sheet part (:func:`.usedarea.used_area`)."""
    return used_area(fh, chunk_size=chunk_size)


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
    found: list[tuple[int, int, str]] = drive(fh, _error_scan(), chunk_size=chunk_size)[0]
    return found


def _error_scan() -> Generator[None, bytes, list[tuple[int, int, str]]]:
    """:func:`_scan_error_cells` as a scan for :func:`.usedarea.drive`."""
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
