"""Column maps through the Python API: scoped to a file or sheet, refused when they cannot apply,
and reported (``CrmData.mapping``). Each case is a real file written here and read back."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

import crmsheet
from crmsheet import SettingsError
from crmsheet.mapping import parse_column_map

AS_OF = date(2026, 6, 1)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def write_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    book.close()
    return path


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    """A customer list keyed by "Ref", and orders whose "Ref" is the order's own number."""
    customers = write_csv(
        tmp_path / "customers.csv",
        [["Ref", "Client", "Sector"], ["C1", "Acme", "Bakery"], ["C2", "Beta", "Cafe"]],
    )
    orders = write_csv(
        tmp_path / "orders.csv",
        [
            ["Ref", "Date", "Client", "Total", "Sector"],
            ["1001", "2026-01-05", "Acme", "100", "x"],
            ["1002", "2026-02-05", "Beta", "50", "y"],
            ["1003", "2026-03-05", "Acme", "25", "z"],
        ],
    )
    return customers, orders


def rows_of(data: crmsheet.CrmData, file: str) -> pd.DataFrame:
    m = data.mapping
    return m[m["file"] == file]


def test_a_scoped_map_applies_to_its_file_only(two_files: tuple[Path, Path]) -> None:
    # measured: "--map applies to every file at once" made order numbers customer ids
    customers, orders = two_files
    data = crmsheet.read(customers, orders, column_map=["customers:customer_id=Ref"], as_of=AS_OF)
    assert sorted(data.customers["customer_id"]) == ["C1", "C2"]
    order_fields = dict(zip(rows_of(data, "orders.csv")["header"],
                            rows_of(data, "orders.csv")["field"], strict=True))  # fmt: skip
    assert order_fields["Ref"] != "customer_id"
    revenue = data.transactions.groupby("customer_key")["amount"].sum().to_dict()
    assert revenue == {"C1": 125.0, "C2": 50.0}  # every order found its customer by name
    assert data.problems.errors == 0
    mine = rows_of(data, "customers.csv").set_index("header")
    assert mine.loc["Ref", "field"] == "customer_id" and mine.loc["Ref", "how"] == "map"
    assert mine.loc["Client", "how"] == "matched"


def test_a_file_stem_name_or_sheet_name_scopes_a_map(tmp_path: Path) -> None:
    book = write_book(tmp_path / "shop.xlsx", {
        "Customers": [["Label", "Email"], ["Acme", "a@acme.com"], ["Beta", "b@beta.com"]],
        "Orders": [["Date", "Who", "Total", "Label"], ["2026-01-05", "Acme", 100, "Bread"],
                   ["2026-02-05", "Beta", 40, "Cake"]],
    })  # fmt: skip
    data = crmsheet.read(book, as_of=AS_OF, column_map={
        "Customers:name": "Label", "orders:customer_name": "Who",
    })  # fmt: skip
    assert sorted(data.customers["name"]) == ["Acme", "Beta"]
    assert data.transactions["amount"].sum() == 140
    m = data.mapping.set_index(["sheet", "header"])
    assert m.loc[("Orders", "Who"), "field"] == "customer_name"
    assert m.loc[("Orders", "Label"), "how"] == "own"  # the product label stays the user's
    for scope in ("shop", "shop.xlsx"):  # the workbook's stem or name scopes all its sheets
        maps = [f"{scope}:name=Label", "Orders:customer_name=Who"]
        whole = crmsheet.read(book, as_of=AS_OF, column_map=maps)
        assert sorted(whole.customers["name"]) == ["Acme", "Beta"]


def test_field_names_are_read_in_any_case(tmp_path: Path) -> None:
    # measured: "--map Source=..." was refused for its capital letter
    path = write_csv(tmp_path / "c.csv", [["Name", "How heard"], ["Acme", "Referral"]])
    for given in (["Source=How heard"], {"SOURCE": "How heard"}, ["source = How heard"]):
        data = crmsheet.read(path, column_map=given, as_of=AS_OF)
        assert data.customers.loc[0, "source"] == "referral"
    (entry,) = parse_column_map(["Customer ID=Ref"]).entries
    assert entry.field == "customer_id"


def test_a_second_map_for_one_field_is_refused(two_files: tuple[Path, Path]) -> None:
    # measured: "a second --map for the same field silently wins"
    customers, orders = two_files
    with pytest.raises(SettingsError, match="two maps for customer_id"):
        crmsheet.read(customers, column_map=["customer_id=Ref", "Customer_ID=Client"])
    with pytest.raises(SettingsError, match="two maps for customer_id in orders"):
        parse_column_map(["orders:customer_id=Ref", "orders:customer_id=Client"])
    with pytest.raises(SettingsError, match="two fields"):
        parse_column_map(["name=Client", "customer_id=Client"])
    # one per file is what scopes are for; a file's own map beats the map for every file
    maps = ["customers:customer_id=Ref", "orders:invoice=Ref"]
    data = crmsheet.read(customers, orders, as_of=AS_OF, column_map=maps)
    assert sorted(data.transactions["invoice"].astype(str)) == ["1001", "1002", "1003"]


def test_two_scopes_naming_one_sheet_cannot_disagree(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [["Name", "A", "B"], ["Acme", "x", "y"]])
    disagree = re.escape("both say which column of “c.csv” holds industry")
    with pytest.raises(SettingsError, match=disagree):
        crmsheet.read(path, column_map=["c:industry=A", "c.csv:industry=B"], as_of=AS_OF)


def test_a_map_that_cannot_apply_to_its_files_role_is_refused(
    two_files: tuple[Path, Path],
) -> None:
    # measured: "a customer attribute on a transactions-only file is accepted and ignored"
    customers, orders = two_files
    with pytest.raises(SettingsError, match=r"read as transactions, which has no industry"):
        crmsheet.read(transactions=orders, column_map=["industry=Sector"], as_of=AS_OF)
    with pytest.raises(SettingsError, match=r"cannot apply.*belongs in a customers file"):
        crmsheet.read(customers, orders, column_map=["orders:industry=Sector"], as_of=AS_OF)
    # unscoped, it applies where it can (the customer list) and the orders keep theirs
    data = crmsheet.read(customers, orders, column_map=["industry=Sector"], as_of=AS_OF)
    assert sorted(data.customers["industry"]) == ["Bakery", "Cafe"]
    assert rows_of(data, "orders.csv").set_index("header").loc["Sector", "how"] == "own"


def test_a_header_found_in_no_file_is_refused(two_files: tuple[Path, Path]) -> None:
    customers, orders = two_files
    with pytest.raises(SettingsError, match=r"no column called “Totl” in any file read.*“Total”"):
        crmsheet.read(customers, orders, column_map=["amount=Totl"], as_of=AS_OF)
    # scoped: the header must be in that file, not just somewhere ("Total" is in orders.csv)
    with pytest.raises(SettingsError, match=re.escape("no column called “Total” in customers.csv")):
        crmsheet.read(customers, orders, column_map=["customers.csv:revenue=Total"], as_of=AS_OF)


def test_a_file_that_names_nothing_read_is_refused(two_files: tuple[Path, Path]) -> None:
    customers, orders = two_files
    with pytest.raises(SettingsError, match=r"no file or sheet called “invoices”.*orders\.csv"):
        crmsheet.read(customers, orders, column_map=["invoices:amount=Total"], as_of=AS_OF)


def test_a_map_beats_the_matching_only_where_it_applies(tmp_path: Path) -> None:
    customers = write_csv(tmp_path / "customers.csv", [
        ["Customer ID", "Account No", "Name"], ["x1", "A1", "Acme"], ["x2", "B2", "Beta"],
    ])  # fmt: skip
    orders = write_csv(tmp_path / "orders.csv", [
        ["Date", "Customer ID", "Amount"], ["2026-01-05", "A1", "10"], ["2026-01-06", "B2", "5"],
    ])  # fmt: skip
    data = crmsheet.read(customers, orders, column_map=["customer_id=Account No"], as_of=AS_OF)
    assert sorted(data.customers["customer_id"]) == ["A1", "B2"]  # the map beat "Customer ID"
    # the orders file has no "Account No": its own "Customer ID" is still read
    assert data.transactions.groupby("customer_key")["amount"].sum().to_dict() == {
        "A1": 10.0, "B2": 5.0,
    }  # fmt: skip
    assert data.problems.errors == 0


def test_the_mapping_report_frame(two_files: tuple[Path, Path]) -> None:
    customers, orders = two_files
    data = crmsheet.read(customers, orders, column_map=["customers:customer_id=Ref"], as_of=AS_OF)
    m = data.mapping
    assert list(m.columns) == ["file", "sheet", "role", "reason", "header", "field", "how"]
    assert set(m["how"]) == {"map", "matched", "own"}
    assert set(m["role"]) == {"customers", "transactions"}
    # every column of every table is there, once
    assert len(m) == 3 + 5
    assert data.notes == ()
    empty = crmsheet.CrmData(*(pd.DataFrame() for _ in range(4)), problems=data.problems)
    assert empty.mapping.empty and list(empty.mapping.columns) == list(m.columns)
