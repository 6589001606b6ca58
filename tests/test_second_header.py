"""A second header inside a table never silently wins (issue 20, item 3).

The same header cells repeated are skipped as ``repeated-header``. A row holding the
table's headers in another column order is a second table of the same role: the rows
under it are read by its own column positions, and the row itself is skipped as
``reordered-header`` (naming its columns the first header does not have).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 11, 1)


def test_a_first_list_above_with_its_columns_in_another_order(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Customer ID,Name,Email,Revenue\n"
        "C1,Ann,ann@shop.example,100\n"
        "C2,Bob,bob@shop.example,200\n"
        "Email,Revenue,Name,Customer ID,Region\n"  # 4: the second list's header
        "cy@shop.example,300,Cy,C3,North\n"
        "di@shop.example,400,Di,C4,South\n",
        encoding="utf-8",
    )
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.tables[0].header_row == 4  # the mapper takes the fuller, second header
    c = data.customers.set_index("customer_id")
    assert c["name"].to_dict() == {"C1": "Ann", "C2": "Bob", "C3": "Cy", "C4": "Di"}
    assert c.loc["C1", "email"] == "ann@shop.example" and c.loc["C4", "revenue"] == 400
    f = data.problems.frame
    (hit,) = f.loc[f["code"] == "reordered-header"].itertuples()
    assert (hit.row, hit.action) == (1, "row skipped")
    assert data.rows_kept == 4


def test_a_second_list_below_with_a_column_the_first_lacks(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Customer ID,Name,Email,Revenue,Notes\n"
        "C1,Ann,ann@shop.example,100,\n"
        "Email,Name,Customer ID,Colour,\n"  # 3: the second list's header
        "cy@shop.example,Cy,C3,red,\n",
        encoding="utf-8",
    )
    data = crmsheet.read(path, as_of=AS_OF)
    c = data.customers.set_index("customer_id")
    assert c["name"].to_dict() == {"C1": "Ann", "C3": "Cy"}
    f = data.problems.frame
    (hit,) = f.loc[f["code"] == "reordered-header"].itertuples()
    assert hit.row == 3 and "“colour”" in hit.message
    assert_rows_accounted_for(data)


def test_two_stacked_lists_in_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Customers")
    ws.write_row(0, 0, ["Name", "Customer ID", "Phone"])
    ws.write_row(1, 0, ["Ann", "C1", "555-1"])
    ws.write_row(2, 0, ["Customer ID", "Phone", "Name"])  # row 3
    ws.write_row(3, 0, ["C2", "555-2", "Bob"])
    ws.write_row(4, 0, ["Name", "Customer ID", "Phone"])  # row 5: the first order again
    ws.write_row(5, 0, ["Cy", "C3", "555-3"])
    book.close()
    data = crmsheet.read(path, as_of=AS_OF)
    c = data.customers.set_index("customer_id")
    assert c["name"].to_dict() == {"C1": "Ann", "C2": "Bob", "C3": "Cy"}
    f = data.problems.frame
    f = f.loc[f["code"] != "bad-phone"]  # "555-1" is too short to dial: warned, kept
    codes = dict(zip(f["row"].astype(int), f["code"], strict=True))
    assert codes == {3: "reordered-header", 5: "repeated-header"}
    assert_rows_accounted_for(data)
