"""Numbers crmsheet writes read back as exactly the same doubles (issue 20, item 7).

xlsxwriter writes ``%.16G``: 0.30000000000000004 came back as 0.3 and the largest double,
1.7976931348623157e308, as infinity (a blank cell). Every number crmsheet writes, streamed
rows and xlsxwriter cells alike, is the shortest text that reads back exactly.
"""

from __future__ import annotations

import math
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import crmsheet
from crmsheet.io.tables import SheetSpec, new_workbook, write_tables

#: Doubles that need all 17 significant digits, the extremes, and a subnormal.
EXACT = [
    0.1 + 0.2,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    2.2250738585072014e-308,
    5e-324,
    123456789.12345679,
    1e16 + 2,
    -9007199254740993.0,
    1 / 3,
    2.0**-1074 * 3,
]


def _exact_book(path: Path, rows: list[list[object]]) -> Path:
    """An .xlsx whose numbers are written to the last digit: xlsxwriter (``%.16G``) writes
    placeholders 1000001, 1000002, ... that are then replaced in the sheet XML."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Customers")
    exact: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, float):
                placeholder = str(1_000_001 + len(exact))
                exact[f"<v>{placeholder}</v>"] = f"<v>{value!r}</v>"
                ws.write_number(r, c, float(placeholder))
            else:
                ws.write_string(r, c, str(value))
    book.close()
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info.filename) for info in src.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for placeholder, text in exact.items():
        sheet = sheet.replace(placeholder, text)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def _column(path: Path, sheet: str, header: str) -> list[object]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    at = list(rows[0]).index(header)
    return [row[at] for row in rows[1:]]


def _same(got: object, want: float) -> bool:
    """``got`` is the double ``want`` (a number, equal, with the same sign)."""
    if not isinstance(got, float | int):
        return False
    return float(got) == want and math.copysign(1, float(got)) == math.copysign(1, want)


def test_enriched_customers_sheet_keeps_every_digit(tmp_path: Path) -> None:
    """On main: 0.30000000000000004 -> 0.3, 1.7976931348623157e308 -> blank (inf), and the
    lifetime revenue 0.1 + 0.2 -> 0.3."""
    rows: list[list[object]] = [["Name", "Score"]]
    rows += [[f"Customer {i}", value] for i, value in enumerate(EXACT)]
    src = _exact_book(tmp_path / "shop.xlsx", rows)
    cells = CalamineWorkbook.from_path(str(src)).get_sheet_by_name("Customers").to_python()
    assert [row[1] for row in cells[1:]] == EXACT  # the input itself is exact
    sales = tmp_path / "sales.csv"
    sales.write_text("Customer,Date,Amount\nCustomer 0,2025-03-01,0.1\nCustomer 0,2025-04-01,0.2\n")
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(src, transactions=[sales], output=out, as_of=date(2025, 12, 1))
    scores = _column(out, "Customers", "Score")
    assert [_same(got, want) for got, want in zip(scores, EXACT, strict=True)] == [True] * 10
    revenue = _column(out, "Customers", "Revenue (lifetime)")
    assert revenue[0] == 0.1 + 0.2


@pytest.mark.parametrize("streamed", [True, False])
def test_table_numbers_read_back_exactly(tmp_path: Path, streamed: bool) -> None:
    """Streamed rows, xlsxwriter cells, and a mixed (object) column."""
    frame = pd.DataFrame({
        "x": np.array(EXACT),
        "mixed": pd.Series([*EXACT[:-1], "text"], dtype=object),
    })  # fmt: skip
    path = write_tables(tmp_path / "t.xlsx", {"T": SheetSpec(frame)}, streamed=streamed)
    for column in ("x", "mixed"):
        got = _column(path, "T", column)
        want = list(frame[column])
        if column == "mixed":
            assert got[-1] == "text"
        numbers = [(g, w) for g, w in zip(got, want, strict=True) if isinstance(w, float)]
        assert all(_same(g, w) for g, w in numbers), numbers
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("T").to_python()
    assert [row[0] for row in sheet[1:]] == EXACT


def test_xlsxwriter_cells_of_crmsheet_books_are_exact(tmp_path: Path) -> None:
    """The Summary, the settings sheet and every other xlsxwriter cell go through
    ``new_workbook``: its worksheets write numbers exactly, dates too."""
    path = tmp_path / "w.xlsx"
    book = new_workbook(path)
    ws = book.add_worksheet("Summary")
    for r, value in enumerate(EXACT):
        ws.write_number(r, 0, value)
    stamp = pd.Timestamp("2025-03-01 10:11:12.345678").to_pydatetime()
    ws.write_datetime(len(EXACT), 0, stamp)
    book.close()
    got = _column_all(path, "Summary")
    assert [_same(g, w) for g, w in zip(got[: len(EXACT)], EXACT, strict=True)] == [True] * 10
    with zipfile.ZipFile(path) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    serial = sheet.rsplit("<v>", 1)[1].split("</v>", 1)[0]
    delta = stamp - datetime(1899, 12, 30)  # the serial xlsxwriter computes, to the last digit
    assert float(serial) == delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400


def _column_all(path: Path, sheet: str) -> list[object]:
    book = openpyxl.load_workbook(path, read_only=True)
    values = [row[0] for row in book[sheet].iter_rows(values_only=True)]
    book.close()
    return values
