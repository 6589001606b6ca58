"""A list of employees, shippers or suppliers is not a customer list, whatever its columns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import TESTDATA, shared

import crmsheet
from crmsheet.errors import NoUsableDataError

AS_OF = date(2026, 11, 1)


@pytest.mark.parametrize("name", ["employees.csv", "Shippers.csv", "supplier_list.csv"])
def test_a_list_named_for_other_people_is_not_customers(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("ID,First Name,Last Name,Phone\n1,Nancy,Davolio,555-0101\n"
                    "2,Andrew,Fuller,555-0102\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(NoUsableDataError, match="says it lists something else"):
        crmsheet.read(path, as_of=AS_OF)


def test_the_same_columns_named_customers_are_customers(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("ID,First Name,Last Name,Phone\n1,Nancy,Davolio,555-0101\n",
                    encoding="utf-8")  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers["name"].tolist() == ["Nancy Davolio"]


@pytest.mark.parametrize("name", ["employees.csv", "shippers.csv"])
def test_northwind_employees_and_shippers_are_refused_saying_why(name: str) -> None:
    # on main both were read as customer lists (9 employees, 6 shippers as customers)
    folder = shared(TESTDATA / "real" / "northwind")
    with pytest.raises(NoUsableDataError, match=f"“{name}” is not customers: its name"):
        crmsheet.read(folder / "customers.csv", folder / name, as_of=AS_OF)


def test_a_workbook_sheet_of_suppliers_is_skipped_beside_customers(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    with xlsxwriter.Workbook(path) as book:
        for sheet in ("Customers", "Suppliers"):
            ws = book.add_worksheet(sheet)
            for r, row in enumerate([["ID", "Name", "Phone"], ["1", f"{sheet} one", "555"]]):
                ws.write_row(r, 0, row)
    data = crmsheet.read(path, as_of=AS_OF)
    assert [t.sheet for t in data.tables] == ["Customers"]
    skipped = data.problems.frame.query("code == 'unusable-sheet'")
    assert skipped["sheet"].tolist() == ["Suppliers"]
    assert "says it lists something else" in skipped["message"].iat[0]


@pytest.mark.parametrize("name", ["product-buyers.csv", "vendors2025.csv"])
def test_headers_that_say_customer_win_over_the_file_name(tmp_path: Path, name: str) -> None:
    # red-team pass: these were refused by their name, and no --map could say otherwise
    path = tmp_path / name
    path.write_text("Customer ID,Company Name,Email\n1,Acme,a@acme.com\n", encoding="utf-8")
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers["name"].tolist() == ["Acme"]


def test_a_map_wins_over_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("ID,Name,Phone\n1,Nancy,555\n", encoding="utf-8")
    data = crmsheet.read(path, as_of=AS_OF, column_map={"customer_id": "ID"})
    assert data.customers["name"].tolist() == ["Nancy"]
