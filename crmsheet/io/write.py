"""The only writers: frames -> .csv / .xlsx, atomically, with text that never executes."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import DuplicateWorksheetName, InvalidWorksheetName

from ..errors import OutputFileError

__all__ = ["atomic_path", "inert_text", "write_csv", "write_frames_xlsx"]

#: Characters that make a spreadsheet treat text as a formula (OWASP CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@contextlib.contextmanager
def atomic_path(dest: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; on success fsync it and replace ``dest`` with it.

    A crash at any point leaves either the old ``dest`` or the complete new one, never a
    half-written file. The temp file is removed on failure.
    """
    dest = Path(dest)
    if dest.exists() and not overwrite:
        raise OutputFileError(dest, "already exists; use --force to replace it")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise OutputFileError(dest, f"the folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=f".tmp{dest.suffix}",
                                    dir=folder)  # fmt: skip
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); give it the mode a normal new file would have
    # (or the replaced file's), so a shared folder's users can open the output
    mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask()
    os.chmod(tmp, mode)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, dest)
        except PermissionError as exc:
            raise OutputFileError(
                dest, "cannot be replaced: it is probably open in Excel or another program. "
                "Close it and run again."
            ) from exc  # fmt: skip
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# A custom document property on every enriched workbook crmsheet writes: the reader refuses
# such a file as input (its sheets are crmsheet's own output, not the user's data). It
# survives a re-save in Excel or LibreOffice and does not depend on what sheets are called.
OUTPUT_MARKER = "crmsheet.output"
# The hidden sheet-scoped defined name on each sheet ``enrich --in-place`` adds to a user's
# workbook (it follows the sheet through renames and moves): the reader skips those sheets.
SHEET_MARKER = "_crmsheet"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def inert_text(series: pd.Series) -> pd.Series:
    """Prefix ``'`` to text that a spreadsheet would run as a formula (for CSV output)."""
    if series.dtype.kind in "biufcmM":
        return series
    text = series.astype("string")
    risky = text.str.startswith(FORMULA_STARTS).fillna(False)
    if not risky.any():
        return series
    out = series.astype(object).copy()
    out[risky] = "'" + text[risky]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write ``frame`` as UTF-8 CSV with a BOM (so Excel reads accents), atomically.

    Records end in CRLF (RFC 4180): the csv module then quotes any field holding a CR or an
    LF, so a stray carriage return inside a value cannot split a record in two.
    """
    safe = frame.apply(inert_text)
    with atomic_path(path, overwrite=overwrite) as tmp:
        safe.to_csv(
            tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d", lineterminator="\r\n"
        )
    return Path(path)


MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


def write_frames_xlsx(
    frames: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    overwrite: bool = True,
    formats: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write each frame to a sheet as an Excel table: filters, frozen header, widths.

    ``formats`` maps sheet -> column -> number format ("money", "date", "percent", or an
    Excel format string). Dates are written as real dates; text is always text (never a
    formula, never a link).
    """
    formats = formats or {}
    with atomic_path(path, overwrite=overwrite) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
                "remove_timezone": True,
            },
        )
        try:
            for sheet, frame in frames.items():
                try:
                    _write_table(book, sheet, frame, formats.get(sheet, {}))
                except (InvalidWorksheetName, DuplicateWorksheetName) as exc:
                    raise OutputFileError(
                        path, _BAD_SHEET_NAME.format(sheet=sheet, why=exc)
                    ) from exc
        finally:
            book.close()
    return Path(path)


# the sheet names are the caller's: say which one Excel refuses and what it accepts
_BAD_SHEET_NAME = (
    "cannot have a sheet named {sheet!r}: {why} Excel sheet names have at most 31 characters,"
    " none of [ ] : * ? / \\, no apostrophe at either end, and differ from the book's other"
    " sheet names even ignoring case: rename the sheet"
)


_NAMED = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "percent": PERCENT_FORMAT}


def _write_table(
    book: xlsxwriter.Workbook, sheet: str, frame: pd.DataFrame, formats: Mapping[str, str]
) -> None:
    ws = book.add_worksheet(sheet)
    n_rows, n_cols = frame.shape
    headers = [str(c) for c in frame.columns]
    cell_formats = {}
    for name in headers:
        spec = formats.get(name)
        col = frame[name]
        if spec is None and pd.api.types.is_datetime64_any_dtype(col):
            spec = "date"
        if spec is not None:
            cell_formats[name] = book.add_format({"num_format": _NAMED.get(spec, spec)})
    date_fmt = book.add_format({"num_format": DATE_FORMAT})
    for c, name in enumerate(headers):
        fmt = cell_formats.get(name)
        values = frame.iloc[:, c]
        for r, value in enumerate(values.tolist(), start=1):
            _write_cell(ws, r, c, value, fmt, date_fmt)
    widths = [_width(h, frame.iloc[:, i]) for i, h in enumerate(headers)]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width, cell_formats.get(headers[c]))
    if n_cols:
        ws.add_table(
            0, 0, max(n_rows, 1), n_cols - 1,
            {"columns": [{"header": h} for h in headers], "style": "Table Style Medium 2",
             "name": _table_name(sheet)},
        )  # fmt: skip
    ws.freeze_panes(1, 0)


def _write_cell(ws, r: int, c: int, value: object, fmt, date_fmt) -> None:  # type: ignore[no-untyped-def]
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, float) and np.isnan(value):
        return
    if isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_boolean(r, c, bool(value), fmt)
    elif isinstance(value, int | float | np.integer | np.floating):
        ws.write_number(r, c, float(value), fmt)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_datetime(r, c, value, fmt or date_fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _width(header: str, values: pd.Series) -> float:
    sample = values.head(200)
    lengths = [len(str(v)) for v in sample.tolist() if v is not None and v == v]
    longest = max([len(header), *lengths]) if lengths else len(header)
    return float(min(max(longest + 2, 8), 60))


def _table_name(sheet: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in sheet)
    return f"t_{cleaned}"[:250]
