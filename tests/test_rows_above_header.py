"""Rows above the chosen header row are reported, never silently lost (issue 20, item 3).

Nothing above the header is read. A row there with two or more filled cells is a record
(a customer typed above the header, a first list stacked over a second one): it is
reported as ``row-above-header`` with its Excel row and counted as read and skipped, unless
a header above the chosen one (a first list stacked over a second) starts the table there
and its rows are read. A row with one filled cell is a title or a note.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 11, 1)
HEADER = ["Customer ID", "Name", "Email", "Customer since", "Revenue"]


def _book(path: Path, rows: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet("Customers")
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    book.close()
    return path


def _above(data: crmsheet.CrmData) -> list[int]:
    f = data.problems.frame
    return sorted(f.loc[f["code"] == "row-above-header", "row"].astype(int).tolist())


def test_customers_typed_above_the_header_are_reported(tmp_path: Path) -> None:
    path = _book(tmp_path / "c.xlsx", [
        ["Our customers"],  # 1: a title, one cell: not a record
        ["C7", "Gina", "gina@shop.example"],  # 2-4: typed above the header
        ["C8", "Hal"],
        ["C9", "Ivy", "ivy@shop.example", "2024-01-01", 10],
        HEADER,  # 5
        ["C1", "Ann", "ann@shop.example", "2024-01-05", 100],
        ["C2", "Bob", "bob@shop.example", "2024-02-01", 200],
        ["C3", "Cy", "cy@shop.example", "2024-03-01", 300],
        ["C4", "Di", "di@shop.example", "2024-04-01", 400],
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    (info,) = data.tables
    assert info.header_row == 5
    assert _above(data) == [2, 3, 4]
    f = data.problems.frame
    message = f.loc[f["row"] == 3, "message"].iat[0]
    assert "“C8, Hal”" in message and "header row 5" in message
    assert (f.loc[f["row"] == 3, "action"].iat[0], f.loc[f["row"] == 3, "cell"].iat[0]) == (
        "row skipped", "Customers!3:3")  # fmt: skip
    assert (info.rows_read, info.rows_kept, info.rows_rejected) == (7, 4, 3)
    assert_rows_accounted_for(data)


def test_two_lists_stacked_on_one_sheet_lose_no_customer(tmp_path: Path) -> None:
    first = [[f"A{i}", f"First {i}", f"a{i}@shop.example"] for i in range(1, 9)]
    second = [[f"B{i}", f"Second {i}", f"b{i}@shop.example", "2024-01-01", i] for i in range(5)]
    rows: list[list[object]] = [["Customer ID", "Name", "Email"], *first, [], HEADER, *second]
    path = _book(tmp_path / "stacked.xlsx", rows)
    data = crmsheet.read(path, as_of=AS_OF)
    (info,) = data.tables
    assert info.header_row == 11  # the mapper takes the fuller header
    # the first list's header (its columns a part of the chosen one's) starts the table
    assert _above(data) == []
    f = data.problems.frame
    assert f.loc[f["action"] == "row skipped", ["row", "code"]].values.tolist() == [
        [1, "repeated-header"]
    ]
    assert data.rows_read == 14 and data.rows_kept == 13 and data.rows_rejected == 1
    assert sorted(data.customers["customer_id"]) == sorted(
        [f"A{i}" for i in range(1, 9)] + [f"B{i}" for i in range(5)]
    )
    assert_rows_accounted_for(data)


def test_a_csv_with_a_note_and_a_record_above_the_header(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Exported from Shop,,,,\n"  # 1: a note
        "C9,Ivy,ivy@shop.example,2024-01-01,10\n"  # 2: a record
        ",,,,\n" + ",".join(HEADER) + "\n"  # 3: blank
        "C1,Ann,ann@shop.example,2024-01-05,100\n"
        "C2,Bob,bob@shop.example,2024-02-01,200\n",
        encoding="utf-8",
    )
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.tables[0].header_row == 4
    assert _above(data) == [2]
    assert_rows_accounted_for(data)
