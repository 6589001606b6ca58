"""Joins across files: customers <- orders <- order lines or payments, stated in notes.

Crafted files written here and read back; every figure is checked against plain pandas (or
plain arithmetic) computed in the test, and every input row is kept or reported
(:func:`tests.accounting.assert_rows_accounted_for`).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
from accounting import assert_rows_accounted_for
from conftest import TESTDATA, shared

import crmsheet

AS_OF = date(2025, 1, 1)

CUSTOMERS = "Customer ID,Name\nC1,Alpha Ltd\nC2,Beta GmbH\nC3,Gamma Inc\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _codes(data: crmsheet.CrmData) -> list[str]:
    return data.problems.frame["code"].tolist()


def test_lines_beside_invoice_totals(tmp_path: Path) -> None:
    customers = _write(tmp_path / "customers.csv", CUSTOMERS)
    invoices = _write(tmp_path / "invoices.csv", "Invoice,Customer ID,Date,Amount\n"
                      "1,C1,2024-01-05,100\n2,C2,2024-02-05,50.5\n"
                      "3,C1,2024-03-05,20\n")  # fmt: skip
    lines = _write(tmp_path / "lines.csv",
                   "Invoice,Product,Quantity,Unit price\n"
                   "1,A,2,30\n1,B,1,40\n2,A,1,50.5\n3,C,1,15\n3,D,2,5.25\n")  # fmt: skip
    data = crmsheet.read(customers, invoices, lines, as_of=AS_OF)
    assert "unknown-invoice" not in _codes(data)  # invoice 1 is on row 2 of invoices.csv
    # the totals are the revenue, once: lines are checked against them, not added
    t = data.transactions
    assert t["_file"].str.endswith("invoices.csv").all()
    assert t.groupby("customer_key")["amount"].sum().to_dict() == {"C1": 120.0, "C2": 50.5}
    # invoice 3: 15 + 2 x 5.25 = 25.50 against a total of 20; invoices 1 and 2 add up
    f = data.problems.frame
    odd = f[f["code"] == "lines-total-mismatch"]
    assert len(odd) == 1
    row = odd.iloc[0]
    assert (row["file"], row["row"], row["value"], row["severity"]) == (
        "invoices.csv", 4, "3", "warning")  # fmt: skip
    assert "25.50 (lines.csv rows 5, 6)" in row["message"]
    assert "its total is 20.00" in row["message"]
    assert len(data.checked) == 5 and set(data.checked["_use"]) == {"line checked"}
    assert set(data.checked["customer_key"]) == {"C1", "C2"}
    assert data.notes == (
        "lines.csv: 5 of 5 lines matched an invoice in invoices.csv by Invoice",
        "revenue from the totals in invoices.csv; lines.csv checked against them: "
        "1 invoice differs",
    )
    assert_rows_accounted_for(data)


def test_northwind_shape_orders_and_lines(tmp_path: Path) -> None:
    customers = _write(tmp_path / "customers.csv", "customerID,companyName\nALFKI,Alfreds\n"
                       "ANATR,Ana Trujillo\nANTON,Antonio Moreno\n")  # fmt: skip
    orders = _write(tmp_path / "orders.csv", "orderID,customerID,orderDate\n"
                    "10248,ALFKI,1996-07-04\n10249,ANATR,1996-07-05\n10250,ALFKI,1996-07-08\n"
                    "10251,ANTON,1996-07-08\n")  # fmt: skip
    lines = _write(tmp_path / "order-details.csv", "orderID,productID,unitPrice,quantity,discount\n"
                   "10248,11,14.00,12,0\n10248,42,9.80,10,0\n10249,14,18.60,9,0.15\n"
                   "10250,41,7.70,10,0\n10250,51,42.40,35,0.05\n10999,11,1.00,1,0\n")  # fmt: skip
    data = crmsheet.read(customers, orders, lines, as_of=AS_OF)
    o = pd.read_csv(orders, dtype=str)
    d = pd.read_csv(lines, dtype={"orderID": str})
    d = d.merge(o, on="orderID")
    d["amount"] = d["unitPrice"] * d["quantity"] * (1 - d["discount"])
    expected = d.groupby("customerID")["amount"].sum()
    got = data.transactions.groupby("customer_key")["amount"].sum()
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert data.transactions.set_index("invoice")["date"].loc["10250"].unique().tolist() == [
        pd.Timestamp(1996, 7, 8)]  # fmt: skip
    f = data.problems.frame
    assert f.loc[f["code"] == "unknown-invoice", ["file", "row", "value"]].values.tolist() == [
        ["order-details.csv", 7, "10999"]]  # fmt: skip
    # order 10251 has no line: reported on its row, never silently lost
    assert f.loc[f["code"] == "order-without-amount", ["file", "row"]].values.tolist() == [
        ["orders.csv", 5]]  # fmt: skip
    assert data.notes == (
        "order-details.csv: 5 of 6 lines matched an order in orders.csv by orderID; revenue "
        "from 5 lines (orders.csv has no amounts)",
        "orders.csv: 1 order without an amount, so no sales counted for them (no line in "
        "order-details.csv names it)",
    )
    assert_rows_accounted_for(data)


def test_payments_keyed_by_order_never_become_customers(tmp_path: Path) -> None:
    customers = _write(tmp_path / "customers.csv", CUSTOMERS)
    orders = _write(tmp_path / "orders.csv", "Order ID,Customer ID,Order date,Total\n"
                    "101,C1,2024-01-05,100\n102,C2,2024-02-05,50\n103,C3,2024-03-05,20\n"
                    "104,C1,2024-04-05,35.5\n")  # fmt: skip
    payments = _write(tmp_path / "payments.csv", "Payment ID,Order ID,Date,Amount\n"
                      "9001,101,2024-01-10,60\n9002,101,2024-01-20,40\n9003,102,2024-02-10,50\n"
                      "9004,999,2024-02-11,5\n9005,104,2024-04-06,35.5\n")  # fmt: skip
    data = crmsheet.read(customers, orders, payments, as_of=AS_OF)
    parts = {t.sheet: (t.role, t.part) for t in data.tables}
    assert parts["payments.csv"] == ("transactions", "payments")
    known = {"C1", "C2", "C3"}
    assert set(data.transactions["customer_key"]) <= known
    assert set(data.checked["customer_key"]) <= known  # no payment or order id is a customer
    assert "unknown-customer" not in _codes(data)
    # the orders are the revenue; the payments are cash, kept aside with their customer
    o = pd.read_csv(orders)
    expected = o.groupby("Customer ID")["Total"].sum()
    got = data.transactions.groupby("customer_key")["amount"].sum()
    pd.testing.assert_series_equal(got, expected, check_names=False)
    assert data.transactions["_file"].str.endswith("orders.csv").all()
    p = pd.read_csv(payments, dtype={"Order ID": str}).merge(
        o.astype({"Order ID": str}), on="Order ID"
    )
    cash = data.checked.groupby("customer_key")["amount"].sum()
    pd.testing.assert_series_equal(cash, p.groupby("Customer ID")["Amount"].sum(),
                                   check_names=False)  # fmt: skip
    # the payment of an unknown order: reported once, on its row
    f = data.problems.frame
    bad = f[f["code"] == "payment-unknown-order"]
    assert bad[["file", "row", "value", "column"]].values.tolist() == [
        ["payments.csv", 5, "999", "Order ID"]]  # fmt: skip
    assert data.notes == (
        "payments.csv: 4 of 5 payments matched an order in orders.csv by Order ID; 4 payments "
        "kept aside as cash received, not sales",
    )
    assert_rows_accounted_for(data)


def test_payments_count_only_for_orders_without_amounts(tmp_path: Path) -> None:
    orders = _write(tmp_path / "orders.csv", "Order ID,Customer ID,Order date\n"
                    "101,C1,2024-01-05\n102,C2,2024-02-05\n103,C3,2024-03-05\n")  # fmt: skip
    payments = _write(
        tmp_path / "payments.csv",
        "Payment ID,Order ID,Date,Amount\n"
        "9001,101,2024-01-10,60\n9002,101,2024-01-20,40\n9003,102,2024-02-10,50\n",
    )
    customers = _write(tmp_path / "customers.csv", CUSTOMERS)
    data = crmsheet.read(customers, orders, payments, as_of=AS_OF)
    got = data.transactions.groupby("customer_key")["amount"].sum().to_dict()
    assert got == {"C1": 100.0, "C2": 50.0}
    assert (data.transactions["date"].dt.month == [1, 1, 2]).all()  # the order's date
    f = data.problems.frame
    assert f.loc[f["code"] == "order-without-amount", "row"].tolist() == [4]
    assert data.notes[0] == (
        "payments.csv: 3 of 3 payments matched an order in orders.csv by Order ID; revenue "
        "from 3 payments for orders that have no amounts and no lines"
    )
    assert_rows_accounted_for(data)


def test_orders_alone_are_reported_not_lost(tmp_path: Path) -> None:
    orders = _write(tmp_path / "orders.csv", "Order ID,Customer ID,Order date\n"
                    "101,C1,2024-01-05\n102,C2,2024-02-05\n")  # fmt: skip
    data = crmsheet.read(_write(tmp_path / "customers.csv", CUSTOMERS), orders, as_of=AS_OF)
    assert data.transactions.empty
    f = data.problems.frame
    rows = f[f["code"] == "order-without-amount"]
    assert rows[["row", "value", "action"]].values.tolist() == [
        [2, "101", "row skipped"], [3, "102", "row skipped"]]  # fmt: skip
    assert "no order lines or payments were given" in rows["message"].iloc[0]
    assert "--map amount=" in rows["message"].iloc[0]
    assert data.notes == (
        "orders.csv: 2 orders without an amount, so no sales counted for them (no order "
        "lines or payments were given)",
    )
    assert_rows_accounted_for(data)


def test_keys_from_a_float_column_and_from_excel_numbers(tmp_path: Path) -> None:
    book = tmp_path / "invoices.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Invoices"
    ws.append(["Invoice", "Customer", "Date", "Amount"])
    ws.append([1, "Alpha Ltd", date(2024, 1, 5), 10.0])  # numbers, as Excel stores them
    ws.append([2, "Beta GmbH", date(2024, 2, 5), 7.0])
    wb.save(book)
    # pandas writes a column with a blank as floats: 1.0, 2.0; one number is padded with spaces
    lines = _write(tmp_path / "lines.csv", "Invoice,Amount\n1.0,4\n1.0,6\n 2.0 ,7\n,3\n")
    data = crmsheet.read(book, lines, as_of=AS_OF)
    assert _codes(data) == ["unknown-invoice"]  # only the line that names no invoice
    assert data.problems.frame["row"].tolist() == [5]
    assert data.checked["invoice"].tolist() == ["1.0", "1.0", "2.0"]
    assert data.notes[0] == (
        "lines.csv: 3 of 4 lines matched an invoice in invoices.xlsx (Invoices) by Invoice"
    )
    assert data.notes[1].endswith("every invoice adds up")
    assert_rows_accounted_for(data)  # the line without an invoice is skipped, on its row


def test_zero_padding_drops_only_between_numeric_ids(tmp_path: Path) -> None:
    cases = [
        ("numeric", ["0001", "0002"], ["1", "2"], True),  # digits only on both sides
        ("codes", ["0001", "A-2"], ["1", "A-2"], False),  # codes: "0001" is not "1"
    ]
    for name, order_ids, line_ids, matched in cases:
        folder = tmp_path / name
        folder.mkdir()
        orders = _write(
            folder / "orders.csv",
            "Order ID,Customer ID,Order date\n"
            + "".join(f"{o},C{i},2024-01-0{i}\n" for i, o in enumerate(order_ids, 1)),
        )
        lines = _write(folder / "lines.csv", "Order ID,Line total\n"
                       + "".join(f"{o},{i}0\n" for i, o in enumerate(line_ids, 1)))  # fmt: skip
        data = crmsheet.read(transactions=[orders, lines], as_of=AS_OF)
        first = data.transactions.loc[data.transactions["amount"] == 10.0, "customer_key"]
        assert first.tolist() == (["C1"] if matched else []), name
        assert ("unknown-invoice" in _codes(data)) is not matched, name
        assert_rows_accounted_for(data)


def test_ids_beyond_two_to_the_53_stay_exact(tmp_path: Path) -> None:
    # Zoho's 19-digit IDs: as floats each pair would be one number
    a, b = "2617735000000095001", "2617735000000095003"
    inv_a, inv_b = "4617735000000098001", "4617735000000098003"
    assert float(a) == float(b) and float(inv_a) == float(inv_b)
    customers = _write(tmp_path / "contacts.csv", f"Customer ID,Name\n{a},Ann\n{b},Bob\n")
    invoices = _write(tmp_path / "invoices.csv", "Invoice ID,Customer ID,Invoice date,Total\n"
                      f"{inv_a},{a},2024-01-05,10\n{inv_b},{b},2024-01-06,20\n")  # fmt: skip
    lines = _write(tmp_path / "lines.csv", "Invoice ID,Quantity,Unit price\n"
                   f"{inv_a},1,10\n{inv_b},2,10\n{inv_b},1,1\n")  # fmt: skip
    data = crmsheet.read(customers, invoices, lines, as_of=AS_OF)
    got = data.transactions.groupby("customer_key")["amount"].sum().to_dict()
    assert got == {a: 10.0, b: 20.0}
    assert data.checked.groupby("customer_key")["amount"].sum().to_dict() == {a: 10.0, b: 21.0}
    f = data.problems.frame
    assert f["code"].tolist() == ["lines-total-mismatch"]  # only inv_b: 21 against 20
    assert f["value"].tolist() == [inv_b]
    assert_rows_accounted_for(data)


def test_real_northwind_revenue_per_customer() -> None:
    nw = shared(TESTDATA / "real" / "northwind")
    data = crmsheet.read(nw / "customers.csv", nw / "orders.csv", nw / "order-details.csv",
                         as_of=date(1998, 6, 1))  # fmt: skip
    # orders.csv has unquoted commas in later columns (pandas' reader raises); the order and
    # customer IDs are its first two fields, which the csv module reads plainly
    with (nw / "orders.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    orders = pd.DataFrame([r[:2] for r in rows[1:]], columns=rows[0][:2])
    lines = pd.read_csv(nw / "order-details.csv", dtype={"orderID": str})
    lines = lines.merge(orders, on="orderID", how="left")
    assert lines["customerID"].notna().all()
    lines["revenue"] = lines["unitPrice"] * lines["quantity"] * (1 - lines["discount"])
    expected = lines.groupby("customerID")["revenue"].sum().sort_index()
    got = data.transactions.groupby("customer_key")["amount"].sum().sort_index()
    pd.testing.assert_series_equal(got, expected, check_names=False, rtol=1e-9)
    assert len(expected) == 89
    assert data.notes == (
        "order-details.csv: 2,155 of 2,155 lines matched an order in orders.csv by orderID; "
        "revenue from 2,155 lines (orders.csv has no amounts)",
    )
    assert_rows_accounted_for(data)


def test_a_mismatch_lists_a_few_rows_per_file(tmp_path: Path) -> None:
    invoices = _write(tmp_path / "invoices.csv", "Invoice,Customer,Date,Amount\n"
                      "7,Alpha Ltd,2024-01-05,1\n")  # fmt: skip
    a = _write(tmp_path / "a.csv", "Invoice,Line total\n" + "7,1\n" * 10)
    b = _write(tmp_path / "b.csv", "Invoice,Line total\n7,1\n")
    data = crmsheet.read(invoices, a, b, as_of=AS_OF)
    f = data.problems.frame
    assert f["code"].tolist() == ["lines-total-mismatch"]
    assert "11.00 (a.csv rows 2, 3, 4, 5, 6, 7, 8, 9 and 2 more; b.csv row 2)" in f["message"][0]
    assert data.notes[-1] == (
        "revenue from the totals in invoices.csv; a.csv and b.csv checked against them: "
        "1 invoice differs"
    )
    assert_rows_accounted_for(data)


def test_real_sap_items_checked_against_order_totals() -> None:
    sap = shared(TESTDATA / "real" / "exports" / "sap_shine_epm")
    orders, items = sap / "salesOrder.csv", sap / "salesOrderItem.csv"
    column_map = {"invoice": "SALESORDERID", "customer_id": "PARTNER.PARTNERID",
                  "date": "HISTORY.CREATEDAT", "amount": "GROSSAMOUNT"}  # fmt: skip
    data = crmsheet.read(transactions=[orders, items], column_map=column_map, as_of=AS_OF)
    o = pd.read_csv(orders, dtype={"SALESORDERID": str, "PARTNER.PARTNERID": str})
    i = pd.read_csv(items, dtype={"SALESORDERID": str})
    expected = o.groupby("PARTNER.PARTNERID")["GROSSAMOUNT"].sum()
    got = data.transactions.groupby("customer_key")["amount"].sum()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False,
                                   rtol=1e-9)  # fmt: skip
    sums = i.groupby("SALESORDERID")["GROSSAMOUNT"].sum()
    off = (sums - o.set_index("SALESORDERID")["GROSSAMOUNT"].reindex(sums.index)).abs() > 0.005
    f = data.problems.frame
    odd = f[f["code"] == "lines-total-mismatch"]
    assert sorted(odd["value"]) == sorted(sums.index[off.to_numpy()])
    assert int(off.sum()) == 109  # item sums match the header for 920 of 1,029 orders
    assert "unknown-invoice" not in set(f["code"])
    assert data.notes == (
        # SAP writes a line's own currency, 15 of them, on orders all in EUR (the lines add
        # up to the order totals in EUR): read in the order's currency, not converted
        "salesOrderItem.csv: 3,542 lines name another currency (ARS, BRL, CAD, CHF, CNY, DKK, "
        "GBP, INR, JPY, MXN, PLN, RUB, USD, ZAR) than their order: read in their order's "
        "currency",
        "salesOrderItem.csv: 6,046 of 6,046 lines matched an invoice in salesOrder.csv by "
        "SALESORDERID",
        "revenue from the totals in salesOrder.csv; salesOrderItem.csv checked against them: "
        "109 invoices differ",
    )
    assert_rows_accounted_for(data)
