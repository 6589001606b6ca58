"""Every input data row is kept once or skipped once, by the row numbers the file itself has.

The check (tests/accounting.py) reads each table's rows with openpyxl or the csv module and
compares them with the kept rows' ``_row`` and the rows the Problems report skipped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
from accounting import assert_rows_accounted_for, data_rows

import crmsheet

AS_OF = date(2026, 11, 1)
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"

#: Real files crmsheet reads (../shared/testdata/MANIFEST.md), each with rows to account for.
#: The online retail workbook is checked in test_real_files.py; northwind/orders.csv is left
#: out only for time (its 176 ragged rows take ~20 s to repair).
REAL = [
    "real/exports/woocommerce_import_suite/sample_woocommerce_import_files.xlsx",
    "real/northwind/customers.csv",
    "real/northwind/order-details.csv",
    "real/exports/salesforce_dataloader/accountData.csv",
    "real/exports/salesforce_dataloader/opportunityData.csv",
    "real/exports/invoiceninja_zoho_wave/zoho_contacts.csv",
    "real/exports/invoiceninja_zoho_wave/zoho_invoices.csv",
    "real/exports/invoiceninja_zoho_wave/wave_clients.csv",
    "real/exports/invoiceninja_zoho_wave/wave_invoices.csv",
    "messy/messytables_horror/utf-16le_encoded.csv",
]
# constants.csv (a code table) and characters.csv (a list of sights keyed by a bare "id")
# are refused since issue 13: tests/test_sheet_roles.py checks how.


def test_the_bundled_sample() -> None:
    data = crmsheet.read(SAMPLE, as_of=AS_OF)
    assert {t.sheet for t in data.tables} == {"Customers", "Invoices", "Marketing Spend", "Support"}
    assert data.rows_rejected > 0  # the sample has rows to skip: both sides are exercised
    assert_rows_accounted_for(data)


@pytest.fixture
def messy_book(tmp_path: Path) -> Path:
    """Titles above the header, gaps, blank-looking rows, rows to skip on two sheets."""
    path = tmp_path / "messy.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False})  # fmt: skip
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet("Clients")
    ws.write_row(0, 0, ["Our customers"])  # row 1, row 2 blank
    ws.write_row(2, 0, ["Customer ID", "Company", "Customer since", "Revenue", "Notes"])  # 3
    ws.write_row(3, 0, ["C1", "Acme Inc.", "2024-01-05", 100])
    ws.write_row(4, 0, ["   ", " ", "", None, "  "])  # 5: spaces only, a blank row
    ws.write_row(5, 0, ["C1", "Acme again", "2024-02-01", 5])  # 6: duplicate ID
    ws.write_row(6, 0, ["", "Total", "", 105])  # 7: a total row
    ws.write_row(7, 0, [None, None, None, None, "a note with no customer"])  # 8
    ws.write_row(8, 0, ["Customer ID", "Company", "Customer since", "Revenue", "Notes"])  # 9
    ws.write_row(9, 0, ["C2", "Beta", "not a date", "lots"])  # 10: bad cells, row kept
    ws.write_formula(10, 0, '="C"&3', None, "C3")  # 11: a formula with its value
    ws.write_string(10, 1, "Gamma")
    ws.write_row(39, 0, ["C4", "Far below the gap"])  # 40
    sales = book.add_worksheet("Sales")
    sales.write_row(0, 0, ["Date", "Customer", "Amount", "Invoice"])
    sales.write_datetime(1, 0, datetime(2024, 3, 1), day)
    sales.write_row(1, 1, ["C1", 10, "INV1"])
    sales.write_row(2, 1, ["C2", 20, "INV2"])  # no date
    sales.write_datetime(3, 0, datetime(2024, 3, 2), day)
    sales.write_row(3, 2, [30, "INV3"])  # no customer
    sales.write_datetime(4, 0, datetime(2024, 3, 3), day)
    sales.write_row(4, 1, ["C9", None, "INV4"])  # no amount
    sales.write_datetime(6, 0, datetime(2030, 1, 1), day)
    sales.write_row(6, 1, ["C2", 40, "C5"])  # a future credit, kept
    notes = book.add_worksheet("Notes")
    notes.write_row(0, 0, ["Call Ann on Monday"])
    book.close()
    return path


def test_a_messy_workbook(messy_book: Path) -> None:
    data = crmsheet.read(messy_book, as_of=AS_OF)
    tables = {t.sheet: t for t in data.tables}
    assert set(tables) == {"Clients", "Sales"}
    assert data_rows(messy_book, "Clients", 3) == [4, 6, 7, 8, 9, 10, 11, 40]
    assert (tables["Clients"].rows_kept, tables["Sales"].rows_rejected) == (4, 3)
    assert_rows_accounted_for(data)


CSV = (
    "Customer ID,Name,Address,First purchase,Revenue\n"  # 1
    "C1,Ann,Main St 1,2024-01-05,100\n"
    "\n"  # 3: an empty line
    ",,,,\n"  # 4: empty fields
    'C2,Bob,"Rua do Paço 67\nLisboa",2024-02-01,200\n'  # 5: a line break inside quotes
    "C3,Cy,Rua do Paço, 67,2024-03-01,300\n"  # 6: an unquoted comma, put back together
    "C4,Di,a,b,c,d,e\n"  # 7: extra values that cannot be placed: skipped
    "   \n"  # 8: spaces only
    # 9: the header again (kept today: ragged row 7 widened the header with "Column F")
    "Customer ID,Name,Address,First purchase,Revenue\n"
    ",Total,,,600\n"  # 10: a total row
    "C1,Ann twice,,,\n"  # 11: a duplicate ID
    'C5,Ed,"never closed,2024-05-01,500\n'  # 12: the quote runs to the end of the file
    "C6,Fay,,2024-06-01,600\n"
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("customers.csv", CSV),
        ("windows.csv", CSV.replace("\n", "\r\n")),
        ("excel.csv", "sep=;\n" + CSV.replace(",", ";")),  # Excel's hint line is no record
    ],
    ids=["lf", "crlf", "sep-line"],
)
def test_a_messy_csv(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    data = crmsheet.read(path, as_of=AS_OF)
    assert data_rows(path, path.name, 1) == [2, 5, 6, 7, 9, 10, 11, 12]
    assert data.rows_kept > 0 and data.rows_rejected > 0
    assert_rows_accounted_for(data)


def test_orders_and_their_lines(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("orderID,customerID,orderDate\n"
                      "1,ALFKI,2024-01-05\n2,ANATR,2024-01-06\n3,ANTON,2024-01-07\n")  # fmt: skip
    lines = tmp_path / "order-details.csv"
    lines.write_text("orderID,productID,unitPrice,quantity\n"
                     "1,11,14.0,12\n1,42,9.8,10\n2,72,34.8,5\n9,11,14.0,1\n")  # fmt: skip
    data = crmsheet.read(transactions=[orders, lines], as_of=AS_OF)
    assert [(t.part, t.rows_kept, t.rows_rejected) for t in data.tables] == [
        ("orders", 2, 1),  # order 3 has no lines: skipped
        ("lines", 3, 1),  # order 9 is on no order row: skipped
    ]
    assert_rows_accounted_for(data)


@pytest.mark.parametrize("name", REAL)
def test_real_files(testdata: Path, name: str) -> None:
    path = testdata / name
    if not path.exists():
        pytest.skip(f"{path} not found (see ../shared/testdata/MANIFEST.md)")
    assert_rows_accounted_for(crmsheet.read(path, as_of=AS_OF))


def test_the_check_catches_a_row_lost_or_counted_twice(messy_book: Path) -> None:
    data = crmsheet.read(messy_book, as_of=AS_OF)
    lost = replace(data, customers=data.customers.iloc[1:])
    with pytest.raises(AssertionError, match=r"neither kept nor skipped \[4\]"):
        assert_rows_accounted_for(lost)
    twice = replace(data, customers=data.customers.iloc[[0, *range(len(data.customers))]])
    with pytest.raises(AssertionError, match=r"counted twice \[4\]"):
        assert_rows_accounted_for(twice)
