"""Rows that are not one sale each: repeated invoice totals, ledgers, one order in two tables.

Crafted files written here and read back, then the real Zoho, Wave and WooCommerce exports
(../shared/testdata/real/exports); every figure is checked against plain pandas computed in
the test, and every input row is kept or reported (:func:`accounting.assert_rows_accounted_for`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from accounting import assert_rows_accounted_for
from conftest import TESTDATA, shared

import crmsheet
from crmsheet import Settings

AS_OF = date(2026, 1, 1)
EXPORTS = TESTDATA / "real/exports"
WAVE_ZOHO = EXPORTS / "invoiceninja_zoho_wave"
NOT_DRAFT = tuple(s for s in Settings().excluded_statuses if s != "draft")


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def _revenue(data: crmsheet.CrmData) -> dict[str, float]:
    t = data.transactions
    return t.groupby("customer_key")["amount"].sum().round(2).to_dict()


def _codes(data: crmsheet.CrmData) -> list[str]:
    return data.problems.frame["code"].tolist()


def _rows(data: crmsheet.CrmData, code: str) -> list[int]:
    f = data.problems.frame
    return f.loc[f["code"] == code, "row"].tolist()


# -- an invoice total repeated on every line ---------------------------------------------


def test_repeated_total_counts_the_line_amounts_checked_against_it(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Invoice Number": ["INV-1", "INV-1", "INV-1", "INV-2", "INV-2", "INV-3"],
        "Invoice Date": ["2025-03-01"] * 3 + ["2025-03-02"] * 2 + ["2025-03-03"],
        "Customer Name": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Alpha"],
        "Item Total": [10.0, 20.0, 30.0, 5.0, 7.5, 40.0],
        "Total": [60.0, 60.0, 60.0, 12.5, 12.5, 40.0],
    })  # fmt: skip
    path = _write(tmp_path / "invoices.csv", frame)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    # plain pandas: one total per invoice (the line amounts add up to it)
    once = frame.drop_duplicates("Invoice Number")
    assert _revenue(data) == once.groupby("Customer Name")["Total"].sum().to_dict()
    assert _revenue(data) == {"Alpha": 100.0, "Beta": 12.5}  # not 60 x 3 + 40 and 12.5 x 2
    assert data.transactions["amount"].tolist() == frame["Item Total"].tolist()
    assert data.notes[0] == ("invoices.csv: Total repeats the invoice total on its 6 lines; "
                             "revenue from Item Total, 3 of 3 invoices add up")  # fmt: skip
    assert _codes(data) == []
    assert_rows_accounted_for(data)


def test_repeated_total_whose_lines_do_not_add_up_counts_the_total(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Invoice Number": ["A", "A", "B", "B", "B"],
        "Date": ["2025-03-01"] * 5,
        "Customer": ["Alpha", "Alpha", "Beta", "Beta", "Beta"],
        "Line Subtotal": [10.0, 20.0, 1.0, 2.0, 3.0],
        "Invoice Total": [30.0, 30.0, 9.0, 9.0, 9.0],
    })  # fmt: skip
    path = _write(tmp_path / "invoices.csv", frame)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    assert data.tables[0].mapping["Line Subtotal"] == "line_amount"
    # A adds up (its lines count); B's lines make 6, its total 9: the total counts, once
    assert _revenue(data) == {"Alpha": 30.0, "Beta": 9.0}
    assert _rows(data, "lines-total-mismatch") == [4]
    message = data.problems.frame.query("code == 'lines-total-mismatch'")["message"].iat[0]
    assert "“B” add up to 6.00 (invoices.csv rows 4, 5, 6), while its total is 9.00" in message
    aside = data.checked
    assert aside["_row"].tolist() == [5, 6]
    assert set(aside["_use"]) == {"invoice total repeated"}
    assert data.notes[0].endswith("1 of 2 invoices add up (the total counts for the 1 that do not)")
    assert_rows_accounted_for(data)


def test_repeated_total_without_line_amounts_counts_once_per_invoice(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Invoice": ["1", "1", "1", "2", "2", "3", "4", "4"],
        "Date": ["2025-04-01"] * 8,
        "Customer": ["Alpha"] * 3 + ["Beta"] * 2 + ["Alpha"] + ["Gamma"] * 2,
        "Description": ["Hammer", "Nails", "Saw", "Paint", "Brush", "Glue", "Tape", "Rope"],
        "Amount": [90.0, 90.0, 90.0, 15.0, 15.0, 4.0, 8.0, 8.0],
    })  # fmt: skip
    path = _write(tmp_path / "sales.csv", frame)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    once = frame.drop_duplicates("Invoice")
    assert _revenue(data) == once.groupby("Customer")["Amount"].sum().to_dict()
    assert data.transactions["_row"].tolist() == [2, 5, 7, 8]
    assert data.checked["_row"].tolist() == [3, 4, 6, 9]
    assert data.notes[0] == ("sales.csv: Amount repeats the invoice total on the 7 lines of "
                             "3 invoices; counted once per invoice")  # fmt: skip
    assert_rows_accounted_for(data)
    # control: amounts that differ within an invoice are the lines' own, all counted
    frame.loc[1, "Amount"] = 91.0
    data = crmsheet.read(transactions=_write(tmp_path / "lines.csv", frame), as_of=AS_OF)
    assert _revenue(data) == frame.groupby("Customer")["Amount"].sum().to_dict()
    assert data.checked.empty and data.notes == ()


def test_line_amounts_beat_quantity_times_price(tmp_path: Path) -> None:
    """A line's own amount (after its discount) counts, not quantity x unit price."""
    frame = pd.DataFrame({
        "Invoice": ["1", "1", "2"],
        "Date": ["2025-04-01", "2025-04-01", "2025-04-02"],
        "Customer": ["Alpha", "Alpha", "Beta"],
        "Quantity": [2, 1, 5],
        "Unit Price": [6.0, 10.0, 1.0],
        "Line Subtotal": [11.0, 8.0, 5.0],
    })  # fmt: skip
    data = crmsheet.read(transactions=_write(tmp_path / "lines.csv", frame), as_of=AS_OF)
    assert _revenue(data) == frame.groupby("Customer")["Line Subtotal"].sum().to_dict()
    assert _codes(data) == []
    assert_rows_accounted_for(data)


# -- a double-entry ledger ------------------------------------------------------------------


def test_ledger_counts_income_lines_and_keeps_the_others_aside(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Transaction Date": ["2025-05-01"] * 8,
        "Customer": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Beta", "Beta", None],
        "Invoice Number": ["7", "7", "7", "8", "8", "8", "8", None],
        "Amount": [100.0, 50.0, 150.0, 80.0, 90.0, -80.0, 80.0, 80.0],
        "Account Type": ["Income", "Sales Revenue", "Accounts Receivable", "Income",
                         "Accounts Receivable", "Accounts Receivable", "Sales Tax Payable",
                         "Cash and Bank"],
    })  # fmt: skip
    path = _write(tmp_path / "ledger.csv", frame)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    income = frame[frame["Account Type"].isin(["Income", "Sales Revenue"])]
    assert _revenue(data) == income.groupby("Customer")["Amount"].sum().to_dict()
    assert _revenue(data) == {"Alpha": 150.0, "Beta": 80.0}
    # the cash line names no customer: kept aside, no missing-customer error
    assert "missing-customer" not in _codes(data)
    assert data.checked["_row"].tolist() == [4, 6, 7, 8, 9]
    assert set(data.checked["_use"]) == {"ledger line"}
    # invoice 8 is booked to receivable as 90 while its income line says 80
    assert _codes(data) == ["ledger-unbalanced"] and _rows(data, "ledger-unbalanced") == [6]
    assert (
        "“8” is booked to accounts receivable as 90.00, while its income lines add up to "
        "80.00" in data.problems.frame["message"].iat[0]
    )
    assert data.notes[0] == (
        "ledger.csv: a double-entry ledger (Account Type): 3 income lines counted as sales; "
        "5 other lines kept aside, not sales (Accounts Receivable 3, Sales Tax Payable 1, "
        "Cash and Bank 1); the receivable of 1 of 2 invoices equals their income lines"
    )
    assert_rows_accounted_for(data)


# -- one order in two tables -----------------------------------------------------------------


def test_one_order_in_two_tables_counts_once(tmp_path: Path) -> None:
    first = pd.DataFrame({
        "Order Number": ["1000", "1001", "1002"],
        "Order Date": ["2025-06-01", "2025-06-02", "2025-06-03"],
        "Customer ID": ["C1", "C2", "C1"],
        "Total": [10.0, 20.0, 30.0],
    })  # fmt: skip
    second = pd.DataFrame({
        "Order Number": ["1000", "1001", "1002", "1003"],
        "Order Date": ["2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04"],
        # 1002 is another system's order for another customer: both count
        "Customer ID": ["C1", "C2", "C3", "C2"],
        "Total": [10.0, 25.0, 30.0, 5.0],
    })  # fmt: skip
    a = _write(tmp_path / "shop.csv", first)
    b = _write(tmp_path / "export.csv", second)
    data = crmsheet.read(transactions=[a, b], as_of=AS_OF)
    both = pd.concat([first, second])
    once = both.drop_duplicates(["Order Number", "Customer ID"])  # first read wins
    assert _revenue(data) == once.groupby("Customer ID")["Total"].sum().to_dict()
    assert _revenue(data) == {"C1": 40.0, "C2": 25.0, "C3": 30.0}
    f = data.problems.frame
    assert f[["file", "row", "code"]].values.tolist() == [
        ["export.csv", 2, "order-in-two-tables"],
        ["export.csv", 3, "order-totals-differ"],
    ]
    assert "“1000” is also in shop.csv row 2, with the same customer" in f["message"].iat[0]
    assert (
        "“1001” is also in shop.csv row 3 with total 20.00 (here 25.00). crmsheet counts "
        "it once, with the total from there" in f["message"].iat[1]
    )
    assert data.checked[["_row", "_use"]].values.tolist() == [
        [2, "order in another table"],
        [3, "order in another table"],
    ]
    assert data.notes[0] == (
        "export.csv: 2 of 4 orders are also in shop.csv, counted once from there (1 order with "
        "a different total there); 1 number also there for a different customer, counted as "
        "different orders"
    )
    assert_rows_accounted_for(data)


# -- the real exports --------------------------------------------------------------------------


def test_real_zoho_invoices_total_counted_once() -> None:
    contacts = shared(WAVE_ZOHO / "zoho_contacts.csv")
    invoices = WAVE_ZOHO / "zoho_invoices.csv"
    data = crmsheet.read(contacts, transactions=invoices, as_of=AS_OF)  # no --map
    lines = pd.read_csv(invoices, dtype={"Customer ID": str})
    assert len(lines) == 13 and lines["Invoice Number"].nunique() == 3
    # SubTotal, before tax (Total adds it; equal here): the amount when there is the choice
    assert data.notes[0] == ("zoho_invoices.csv: SubTotal repeats the invoice total on its 13 "
                             "lines; revenue from Item Total, 3 of 3 invoices add up")  # fmt: skip
    per_invoice = lines.groupby("Invoice Number").agg(
        total=("SubTotal", "first"), items=("Item Total", "sum"), customer=("Customer ID", "first")
    )
    assert (per_invoice["total"] - per_invoice["items"]).abs().max() < 0.005
    expected = per_invoice.groupby("customer")["total"].sum().round(2).to_dict()
    assert _revenue(data) == expected  # 489.75, 460.00, 390.00 (not 1,959.00 ...)
    # all three are drafts: no revenue by default, counted when drafts are let in
    assert crmsheet.analyze(data, as_of=AS_OF).customers["revenue"].sum() == 0
    assert any("3 orders not counted as revenue: 3 draft" in n for n in data.notes)
    drafts_in = Settings(excluded_statuses=NOT_DRAFT)
    data = crmsheet.read(contacts, transactions=invoices, as_of=AS_OF, settings=drafts_in)
    revenue = crmsheet.analyze(data, as_of=AS_OF, settings=drafts_in).customers["revenue"]
    assert revenue[revenue != 0].round(2).to_dict() == expected
    assert_rows_accounted_for(data)


def test_real_wave_ledger_counts_income_lines_only() -> None:
    clients = shared(WAVE_ZOHO / "wave_clients.csv")
    ledger = WAVE_ZOHO / "wave_invoices.csv"
    data = crmsheet.read(clients, transactions=ledger, as_of=AS_OF)  # no --map
    raw = pd.read_csv(ledger)
    income = raw[raw["Account Type"] == "Income"]
    expected = income.groupby("Customer")["Amount (One column)"].sum().round(2).to_dict()
    assert expected == {"Mark Walberg": 4974.00, "Lucas Cage": 590.50, "Jessica Jones": 3500.41}
    assert _revenue(data) == expected  # Mark Walberg: not 9,948
    revenue = crmsheet.analyze(data, as_of=AS_OF).customers.set_index("name")["revenue"]
    assert revenue[revenue != 0].round(2).to_dict() == expected
    # the cash line is no missing-customer error; Wave's sample phones (555 numbers) are
    # warned as no real number (tests/test_phones.py), which is another matter
    assert [c for c in _codes(data) if c != "bad-phone"] == []
    assert len(data.checked) == len(raw) - len(income) == 5
    assert set(data.checked["_use"]) == {"ledger line"}
    assert data.notes == (
        "wave_invoices.csv: a double-entry ledger (Account Type): 10 income lines counted as "
        "sales; 5 other lines kept aside, not sales (System Receivable Invoice 4, Cash and "
        "Bank 1); the receivable of 3 of 3 invoices equals their income lines",
    )
    assert_rows_accounted_for(data)


def test_real_woocommerce_orders_on_two_sheets_count_once() -> None:
    path = shared(EXPORTS / "woocommerce_import_suite/sample_woocommerce_import_files.xlsx")
    sheets = ("Order Import (Native)", "Order Import (JSON export)")
    data = crmsheet.read(path, as_of=AS_OF, settings={"excluded_statuses": ()})
    orders = pd.concat(pd.read_excel(path, sheet_name=s, engine="calamine") for s in sheets)
    assert orders.duplicated(["order_number", "customer_id", "total"]).sum() == 4
    once = orders.drop_duplicates("order_number")
    # whose each order is depends on how its customer is found (id, email, name): the total
    # and the number of orders are what counting once decides
    # each counted net of what was refunded on it (the cancelled order was refunded in full)
    net = (once["total"] - once["total_refunded"].fillna(0)).clip(lower=0)
    assert round(sum(_revenue(data).values()), 2) == round(net.sum(), 2)
    assert data.transactions["invoice"].nunique() == len(data.transactions) == 4
    f = data.problems.frame.query("code == 'order-in-two-tables'")
    assert f[["sheet", "row"]].values.tolist() == [[sheets[1], r] for r in (2, 3, 4, 5)]
    assert data.checked["_sheet"].tolist() == [sheets[1]] * 4
    assert data.notes[0] == (
        f"sample_woocommerce_import_files.xlsx ({sheets[1]}): 4 of 4 orders are also in "
        f"sample_woocommerce_import_files.xlsx ({sheets[0]}), counted once from there"
    )
    assert_rows_accounted_for(data)
