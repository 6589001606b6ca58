"""Nothing is written past Excel's sheet size; what does not fit is split, not cut (item 12).

Excel opens at most 1,048,576 rows and 16,384 columns a sheet. crmsheet splits a table too
big: rows continue on "Customers 2", "Customers 3"..., columns on "Customers (more
columns)" led by the table's first column again. The limits are module constants of
``crmsheet.io.tables``, lowered here so the tests stay small and fast; one slow test writes
a sheet at the real row limit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import crmsheet
from crmsheet.io import tables
from crmsheet.io.tables import SheetSpec, write_tables

AS_OF = date(2026, 11, 1)


def _sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def _excel_tables(path: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(path)
    return {ws.title: t.ref for ws in book.worksheets for t in ws.tables.values()}


def test_rows_past_the_limit_continue_on_the_next_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 5)  # a header and 4 data rows a sheet
    frame = pd.DataFrame({"ID": [f"C{i}" for i in range(10)], "Spend": range(10)})
    out = write_tables(tmp_path / "t.xlsx", {"Customers": SheetSpec(frame)})
    sheets = _sheets(out)
    assert list(sheets) == ["Customers", "Customers 2", "Customers 3"]
    assert [len(rows) for rows in sheets.values()] == [5, 5, 3]
    assert all(rows[0] == ("ID", "Spend") for rows in sheets.values())
    ids = [r[0] for rows in sheets.values() for r in rows[1:]]
    assert ids == frame["ID"].tolist()  # every row once, in order
    assert _excel_tables(out) == {"Customers": "A1:B5", "Customers 2": "A1:B5",
                                  "Customers 3": "A1:B3"}  # fmt: skip


def test_columns_past_the_limit_continue_keyed_by_the_first_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_COLUMNS", 4)
    frame = pd.DataFrame({"ID": ["C1", "C2"], **{f"Own {i}": [i, i * 2] for i in range(8)}})
    out = write_tables(tmp_path / "t.xlsx", {"Customers": SheetSpec(frame)})
    sheets = _sheets(out)
    assert list(sheets) == ["Customers", "Customers (more columns)",
                            "Customers (more columns 2)"]  # fmt: skip
    assert sheets["Customers"][0] == ("ID", "Own 0", "Own 1", "Own 2")
    assert sheets["Customers (more columns)"][0] == ("ID", "Own 3", "Own 4", "Own 5")
    assert sheets["Customers (more columns 2)"] == [("ID", "Own 6", "Own 7"), ("C1", 6, 7),
                                                    ("C2", 12, 14)]  # fmt: skip
    headers = {h for rows in sheets.values() for h in rows[0]}
    assert headers == set(frame.columns)
    assert all(len(rows[0]) <= 4 for rows in sheets.values())


def test_an_enriched_book_too_big_for_one_sheet_loses_no_customer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 4)
    monkeypatch.setattr(tables, "MAX_COLUMNS", 40)
    own = [f"Note {i}" for i in range(45)]
    lines = [",".join(["Customer ID", "Name", "Revenue", *own])]
    lines += [",".join([f"C{i}", f"Name {i}", str(10 * i), *["x"] * 45]) for i in range(1, 11)]
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = crmsheet.enrich(path, output=tmp_path / "out.xlsx", as_of=AS_OF)
    sheets = _sheets(result.output)
    customers = [n for n in sheets if n.startswith("Customers")]
    assert "Customers (more columns)" in customers and "Customers 4" in customers
    drawn = ("Summary", "Changes", "Forecast")  # drawn free-form, small: tables never split
    tables_written = {n: rows for n, rows in sheets.items() if n not in drawn}
    too_big = [n for n, rows in tables_written.items() if len(rows) > 4 or len(rows[0]) > 40]
    assert not too_big
    ids = sorted({r[0] for n in customers for r in sheets[n][1:]})
    assert ids == sorted(f"C{i}" for i in range(1, 11))
    shown = {h for n in customers for h in sheets[n][0]}
    assert set(own) <= shown
    assert list(sheets)[:3] == ["Summary", "Changes", "Customers"]


@pytest.mark.slow
def test_a_table_one_row_past_the_real_limit(tmp_path: Path) -> None:
    frame = pd.DataFrame({"ID": range(tables.MAX_ROWS)})  # the header makes it one too many
    out = write_tables(tmp_path / "big.xlsx", {"Customers": SheetSpec(frame)})
    book = openpyxl.load_workbook(out, read_only=True)
    try:
        assert book.sheetnames == ["Customers", "Customers 2"]
        assert book["Customers 2"].max_row == 2
        assert [c.value for c in next(book["Customers 2"].iter_rows(min_row=2))] == [
            tables.MAX_ROWS - 1
        ]
    finally:
        book.close()
