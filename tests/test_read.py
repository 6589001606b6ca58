"""crmsheet.read on crafted workbooks and CSVs: what is kept, what is reported, and where."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from accounting import assert_rows_accounted_for

import crmsheet
from crmsheet import NoUsableDataError, SettingsError

AS_OF = date(2026, 11, 1)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_book(
    path: Path, sheets: dict[str, list[list[object]]], *, date_1904: bool = False
) -> Path:
    """Write rows as they are: str as text, datetime as a date cell, numbers as numbers."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "date_1904": date_1904})  # fmt: skip
    dfmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    ws.write_datetime(r, c, value, dfmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
    book.close()
    return path


CUSTOMER_HEADER = ["Customer ID", "Company", "Industry", "Employees", "Lead source",
                   "Referred by", "Member of", "Customer since", "Last purchase", "Rating",
                   "Total sales", "Email", "Shoe size"]  # fmt: skip


@pytest.fixture
def messy_book(tmp_path: Path) -> Path:
    d = datetime
    rows: list[list[object]] = [
        ["Our customers, as of autumn"],                                                 # 1
        [],                                                                              # 2
        CUSTOMER_HEADER,                                                                 # 3
        ["C001", "Acme Inc.", "Retail", "10-49", "Word of mouth", None, None,
         d(2023, 1, 15), d(2024, 6, 1), "A", "$1,234.50", "a@acme.com", 42],             # 4
        ["C002", "Beta LLC", "Construction", "1,000+", "Google", "C001", None,
         "05/03/2024", "13/03/2024", "b", "(12.00)", "not an email", None],              # 5
        [],                                                                              # 6
        ["C002", "Gamma", None, None, None, None, None, None, None, None, None, None],   # 7
        [None, "ACME, Inc", None, None, "Cold call", None, None, None, None, "Z"],       # 8
        ["C004", "Delta", None, "lots", None, None, "C005", "not a date"],               # 9
        ["C005", "Epsilon", None, None, None, "Zed Unknown", "C004"],                    # 10
        [None, None, None, None, None, None, None, None, None, None, None, None, 7],      # 11
        [None, "Total", None, None, None, None, None, None, None, None, 9999],           # 12
        ["C006", "Foxtrot", None, None, "Carrier pigeon", None, "Big Group Holdings",
         d(2024, 5, 1), d(2024, 1, 1), None, "1234"],                                     # 13
        ["02134", "Golf", None, None, None, None, None, None, d(2027, 1, 1)],            # 14
    ]  # fmt: skip
    return write_book(tmp_path / "customers.xlsx", {"Clients": rows})


def golden(data: crmsheet.CrmData) -> list[list[object]]:
    f = data.problems.frame
    return sorted([int(r), c, k] for r, c, k in zip(f["row"], f["column"], f["code"], strict=True))


def test_messy_customer_sheet_golden_problem_list(messy_book: Path) -> None:
    before = _hash(messy_book)
    data = crmsheet.read(messy_book, as_of=AS_OF)
    assert golden(data) == sorted([
        [5, "Email", "bad-email"],
        [7, "Customer ID", "duplicate-id"],
        [8, "Company", "near-duplicate-name"],
        [8, "Rating", "bad-rating"],
        [9, "Customer since", "bad-date"],
        [9, "Employees", "bad-employees"],
        [9, "Member of", "parent-cycle"],
        [10, "Member of", "parent-cycle"],
        [10, "Referred by", "unknown-referrer"],
        [11, "", "missing-id-and-name"],
        [12, "Company", "total-row"],
        [13, "Last purchase", "last-before-first"],
        [13, "Lead source", "unknown-source"],
        [13, "Member of", "unknown-parent"],
        [14, "Last purchase", "future-date"],
    ])  # fmt: skip
    assert _hash(messy_book) == before, "the input file must never change"


def test_messy_customer_sheet_rows_are_all_accounted_for(messy_book: Path) -> None:
    data = crmsheet.read(messy_book, as_of=AS_OF)
    (info,) = data.tables
    assert (info.role, info.sheet, info.header_row) == ("customers", "Clients", 3)
    # rows 4-14 less the blank row 6: blank rows are not data, so not counted as read
    assert (info.rows_read, info.rows_kept, info.rows_rejected) == (10, 7, 3)
    assert_rows_accounted_for(data)
    skipped = data.problems.frame.query("action == 'row skipped'")["row"].unique()
    assert sorted(skipped) == [7, 11, 12]
    assert sorted(data.customers["_row"]) == [4, 5, 8, 9, 10, 13, 14]


def test_messy_customer_sheet_values(messy_book: Path) -> None:
    data = crmsheet.read(messy_book, as_of=AS_OF)
    c = data.customers.set_index("_row")
    assert sorted(c.index) == [4, 5, 8, 9, 10, 13, 14]
    assert c.loc[4, "revenue"] == 1234.5
    assert c.loc[5, "revenue"] == -12.0
    assert c.loc[13, "revenue"] == 1234.0
    assert c.loc[4, "source"] == "referral"
    assert c.loc[5, "source"] == "web"
    assert c.loc[8, "source"] == "phone"
    assert c.loc[13, "source"] == "Carrier pigeon"
    assert c.loc[5, "rating"] == "B"
    assert pd.isna(c.loc[8, "rating"])
    # day-first decided for the whole column from 13/03/2024
    assert c.loc[5, "first_transaction"] == pd.Timestamp(2024, 3, 5)
    assert c.loc[5, "last_transaction"] == pd.Timestamp(2024, 3, 13)
    assert c.loc[4, "first_transaction"] == pd.Timestamp(2023, 1, 15)
    assert c.loc[4, "size_band"] == "small (10-49)"
    assert c.loc[5, "size_band"] == "large (250+)"
    assert c.loc[14, "customer_id"] == "02134"
    # the user's own column is carried through untouched, under its own header
    assert c.loc[4, "Shoe size"] == 42
    assert c.loc[5, "referred_by_key"] == "C001"
    assert c.loc[8, "customer_key"] == "ACME, Inc"
    assert c.loc[13, "parent_key"] == "Big Group Holdings"


def test_problem_messages_name_the_cell_and_say_what_to_do(messy_book: Path) -> None:
    data = crmsheet.read(messy_book, as_of=AS_OF)
    f = data.problems.frame.set_index("code")
    assert f.loc["bad-date", "cell"] == "Clients!H9"
    assert f.loc["bad-date", "value"] == "not a date"
    assert "Write it as a date" in f.loc["bad-date", "message"]
    assert f.loc["duplicate-id", "cell"] == "Clients!A7"
    assert "also on row 5" in f.loc["duplicate-id", "message"]
    assert "“Acme Inc.” on row 4" in f.loc["near-duplicate-name", "message"]
    assert f.loc["bad-rating", "severity"] == "error"
    assert f.loc["unknown-source", "severity"] == "warning"


def test_ambiguous_day_month_column_is_reported_once(tmp_path: Path) -> None:
    path = write_book(tmp_path / "c.xlsx", {"Customers": [
        ["Name", "First purchase"], ["A", "05/03/2024"], ["B", "06/04/2024"], ["C", "2024-01-02"],
    ]})  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert golden(data) == [[2, "First purchase", "ambiguous-date"]]


def test_1904_workbook_dates(tmp_path: Path) -> None:
    path = write_book(tmp_path / "mac.xlsx", {"Customers": [
        ["Name", "First purchase"], ["A", datetime(2024, 2, 29)],
    ]}, date_1904=True)  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers.loc[0, "first_transaction"] == pd.Timestamp(2024, 2, 29)


def test_transactions_in_the_same_workbook_link_to_customers(tmp_path: Path) -> None:
    d = datetime
    path = write_book(tmp_path / "book.xlsx", {
        "Customers": [["Customer ID", "Name"], ["C1", "Acme Inc."], ["C2", "Beta"]],
        "Invoices": [
            ["Invoice", "Date", "Customer", "Qty", "Unit price", "Discount", "Amount"],
            ["INV1", d(2026, 1, 5), "C1", 2, 50, 0.1, None],
            ["INV2", d(2026, 2, 5), "acme inc", None, None, None, "$1,000.00"],
            ["C3", d(2026, 3, 5), "C2", 1, 100, None, None],
            ["INV4", d(2026, 3, 6), "Nobody Ltd", 1, 5, None, None],
            ["INV5", None, "C2", 1, 5, None, None],
            ["INV6", d(2026, 3, 7), None, 1, 5, None, None],
            ["INV7", d(2026, 3, 8), "C1", None, None, None, "lots"],
        ],
    })  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    t = data.transactions.set_index("invoice")
    assert t.loc["INV1", "amount"] == pytest.approx(90.0)
    assert t.loc["INV1", "customer_key"] == "C1"
    assert t.loc["INV2", "customer_key"] == "C1"  # matched by name, case and Inc. aside
    assert t.loc["C3", "kind"] == "credit"
    assert t.loc["C3", "amount"] == -100.0
    assert t.loc["INV4", "customer_key"] == "Nobody Ltd"
    assert golden(data) == [
        [4, "Invoice", "credit-by-number"],  # C3's positive amount subtracted: said so
        [5, "Customer", "unknown-customer"],
        [6, "Date", "missing-date"],
        [7, "", "missing-customer"],
        [8, "Amount", "missing-amount"],
    ]
    info = {t.sheet: t for t in data.tables}["Invoices"]
    assert (info.rows_read, info.rows_kept, info.rows_rejected) == (7, 4, 3)


def test_a_sheet_with_nothing_recognisable_is_refused_with_the_headers_seen(tmp_path: Path) -> None:
    path = write_book(tmp_path / "x.xlsx", {"Sheet1": [["foo", "bar"], ["1", "2"]]})
    with pytest.raises(NoUsableDataError, match="Headers seen: bar, foo"):
        crmsheet.read(path, as_of=AS_OF)


def test_column_map_names_a_header_crmsheet_does_not_know(tmp_path: Path) -> None:
    path = write_book(tmp_path / "x.xlsx", {"Sheet1": [["Cliente", "Settore"], ["A", "B"]]})
    data = crmsheet.read(path, column_map={"name": "Cliente", "industry": "Settore"}, as_of=AS_OF)
    assert data.customers.loc[0, "industry"] == "B"
    with pytest.raises(SettingsError, match="no column called “Sector” in any file read"):
        crmsheet.read(path, column_map={"name": "Cliente", "industry": "Sector"}, as_of=AS_OF)


def test_csv_customers_and_transactions_files(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text(
        "Customer No;Name;Country;Revenue\n0042;Café Müller;NA;1.234,50\n", encoding="cp1252"
    )
    (tmp_path / "sales.csv").write_text(
        'Date,Customer No,Amount\n2026-01-02,0042,10.50\n2026-01-03,0042,"1,000.00"\n',
        encoding="utf-8-sig",
    )
    data = crmsheet.read(tmp_path / "customers.csv", tmp_path / "sales.csv", as_of=AS_OF)
    c = data.customers.iloc[0]
    assert (c["customer_id"], c["name"], c["market"], c["revenue"]) == (
        "0042", "Café Müller", "NA", 1234.5)  # fmt: skip
    assert data.transactions["amount"].tolist() == [10.5, 1000.0]
    assert data.transactions["customer_key"].tolist() == ["0042", "0042"]


def test_excel_error_cells_are_reported_once_and_read_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "err.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Customers")
    ws.write_row(0, 0, ["Name", "Revenue", "Own column"])
    ws.write_row(1, 0, ["Acme"])
    ws.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 2, "=NA()", None, "#N/A")
    ws.write_row(2, 0, ["Beta", 5])
    book.close()
    data = crmsheet.read(path, as_of=AS_OF)
    assert golden(data) == [[2, "Revenue", "excel-error"]]
    assert data.customers["revenue"].isna().tolist() == [True, False]
    assert data.customers.loc[0, "Own column"] == "#N/A"  # the user's own column, as it is


def test_clean_rows_validate_against_the_pydantic_models(messy_book: Path) -> None:
    """The models are the declared schema: what read() keeps must satisfy them, in bulk."""
    from pydantic import TypeAdapter

    data = crmsheet.read(messy_book, as_of=AS_OF)
    fields = list(crmsheet.Customer.model_fields)
    rows = data.customers[fields].astype(object).where(data.customers[fields].notna(), None)
    records = rows.to_dict("records")
    for r in records:  # dates are days on the customer sheet
        for name in ("first_transaction", "last_transaction", "next_follow_up"):
            if r[name] is not None:
                r[name] = r[name].date()
    customers = TypeAdapter(list[crmsheet.Customer]).validate_python(records)
    assert len(customers) == len(data.customers)
    assert customers[0].source == "referral"
