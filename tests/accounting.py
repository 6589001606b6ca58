"""The accounting check: every data row of the input is kept once or skipped once, by row.

The row numbers are read from the file itself, with openpyxl or the csv module (not with
crmsheet's readers), so the check holds crmsheet to what the file says: the records of each
table (the non-blank rows below its header, and the rows of two or more filled cells above
it) are exactly the rows of :class:`~crmsheet.CrmData` (their ``_row``) plus the rows the
Problems report says were skipped, each number once.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections import Counter
from pathlib import Path

import openpyxl

import crmsheet

BOOKS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
DELIMITERS = {".tsv": "\t", ".tab": "\t", ".psv": "|"}


def assert_rows_accounted_for(data: crmsheet.CrmData) -> None:
    """Each table's data rows (read independently) are each kept once or skipped once."""
    assert data.tables, "no table was read"
    # checked: lines checked against their invoice's total, payments kept aside as cash
    frames = (data.customers, data.transactions, data.spend, data.support, data.checked)
    problems = data.problems.frame
    for t in data.tables:
        where = f"{t.file} [{t.sheet}]"
        expected = data_rows(Path(t.file), t.sheet, t.header_row)
        kept = [
            int(r)
            for f in frames
            if not f.empty
            for r in f.loc[(f["_file"] == t.file) & (f["_sheet"] == t.sheet), "_row"]
        ]
        skipped = problems.loc[
            (problems["file"] == Path(t.file).name)
            & (problems["sheet"] == t.sheet)
            & (problems["action"] == "row skipped"),
            "row",
        ]
        skipped = [int(r) for r in skipped]
        if t.part == "orders":
            # an order row lends its customer and date to its invoice lines: no row of its own
            assert not kept, where
            kept = sorted(set(expected) - set(skipped))
        seen = Counter(kept) + Counter(skipped)
        missing = sorted(set(expected) - set(seen))
        not_data = sorted(set(seen) - set(expected))
        twice = sorted(r for r, n in seen.items() if n > 1)
        assert not (missing or not_data or twice), (
            f"{where}: rows neither kept nor skipped {missing[:10]}, kept or skipped but no data "
            f"row of the file {not_data[:10]}, counted twice {twice[:10]}"
        )
        counts = (t.rows_read, t.rows_kept, t.rows_rejected)
        assert counts == (len(expected), len(kept), len(skipped)), (where, counts)


def data_rows(path: Path, sheet: str, header_row: int) -> list[int]:
    """Row numbers of the records, as the file itself has them: every non-blank row below
    ``header_row``, and every row above it with two or more filled cells (one filled cell
    above the header is a title or a note, not a record)."""
    rows = _book_rows(path, sheet) if path.suffix.lower() in BOOKS else _text_rows(path)
    return [
        n
        for n, cells in rows
        if (n > header_row and any(map(_filled, cells)))
        or (n < header_row and sum(map(_filled, cells)) >= 2)
    ]


def _filled(value: object) -> bool:
    if value is None:
        return False
    return not isinstance(value, str) or value.strip() != ""


def _book_rows(path: Path, sheet: str) -> list[tuple[int, list[object]]]:
    """(Excel row number, cached values) of every row; openpyxl fills the gaps between rows."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet]
        ws.reset_dimensions()  # the stored <dimension> may be wrong or missing: read every row
        return [(n, list(cells)) for n, cells in enumerate(ws.iter_rows(values_only=True), 1)]
    finally:
        book.close()


def _text_rows(path: Path) -> list[tuple[int, list[object]]]:
    """(record number, fields): the header is record 1; a quoted line break stays in its record."""
    text = _decode(path.read_bytes()).replace("\x00", "")
    sep_line = re.match(r"sep=(.)\r?\n", text)  # Excel's hint line: not a record
    delimiter = sep_line.group(1) if sep_line else DELIMITERS.get(path.suffix.lower())
    if sep_line:
        text = text[sep_line.end() :]
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(n, list(fields)) for n, fields in enumerate(records, start=1)]


def _decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
