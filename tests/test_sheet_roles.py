"""Sheet roles from evidence: a sales log is never a customer list (issue 13 item 2).

Crafted files written in each test, then the real exports of ../shared/testdata (skipped,
saying why, when absent). Figures are checked against plain pandas on the same rows.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from conftest import TESTDATA, shared

import crmsheet
from crmsheet.errors import NoUsableDataError

AS_OF = date(2026, 11, 1)
EXPORTS = TESTDATA / "real" / "exports"


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _payments(path: Path, header_date: str = "paymentDate") -> Path:
    rows: list[list[object]] = [["customerNumber", "checkNumber", header_date, "amount"]]
    for i in range(12):
        rows.append([str(101 + i % 3), f"HQ{1000 + i}", f"2025-{1 + i % 12:02d}-15",
                     f"{100 + 10 * i:.2f}"])  # fmt: skip
    return write_csv(path, rows)


@pytest.mark.parametrize("header_date", ["paymentDate", "payment_date", "PAYMENTDATE"])
def test_a_payments_file_is_transactions_not_customers(tmp_path: Path, header_date: str) -> None:
    """It used to be a customer list, amount taken as revenue, 9 rows of duplicate ids."""
    path = _payments(tmp_path / "payments.csv", header_date)
    data = crmsheet.read(path, as_of=AS_OF)
    (table,) = data.tables
    assert table.role == "transactions"
    assert table.mapping == {"customerNumber": "customer_id", header_date: "date",
                             "amount": "amount"}  # fmt: skip
    assert table.reason == (
        f"transactions: date ({header_date}), amount (amount), customer_id (customerNumber); "
        "customer reference repeats (customerNumber: 3 values on 12 rows)"
    )
    assert "duplicate-id" not in set(data.problems.frame["code"])
    assert data.customers.empty and len(data.transactions) == 12


def test_payments_beside_customers_give_each_customer_its_revenue(tmp_path: Path) -> None:
    customers = write_csv(tmp_path / "customers.csv", [
        ["customerNumber", "customerName"], ["101", "Atelier"], ["102", "Bakery"],
        ["103", "Cafe"],
    ])  # fmt: skip
    payments = _payments(tmp_path / "payments.csv")
    data = crmsheet.read(customers, payments, as_of=AS_OF)
    assert [t.role for t in data.tables] == ["customers", "transactions"]
    plain = pd.read_csv(payments, dtype={"customerNumber": str})
    expected = plain.groupby("customerNumber")["amount"].sum().round(2).to_dict()
    got = data.transactions.groupby("customer_id")["amount"].sum().round(2).to_dict()
    assert got == expected
    assert sorted(data.customers["customer_id"]) == ["101", "102", "103"]


def test_an_opportunities_export_is_a_sales_log_and_its_id_is_not_the_customer(
    tmp_path: Path,
) -> None:
    """Salesforce: ID is the deal's, ACCOUNTID the customer's."""
    rows: list[list[object]] = [["ID", "ACCOUNTID", "NAME", "STAGENAME", "AMOUNT", "CLOSEDATE",
                                 "TYPE", "LEADSOURCE"]]  # fmt: skip
    for i in range(8):
        rows.append([f"006x{i:04d}", f"001x{i % 2}", f"Deal {i}", "Closed Won",
                     f"{1000 * (i + 1)}.0", f"2025-0{1 + i % 9}-09", "New", "Partner"])  # fmt: skip
    data = crmsheet.read(write_csv(tmp_path / "opportunityData.csv", rows), as_of=AS_OF)
    (table,) = data.tables
    assert table.role == "transactions"
    assert table.mapping["ACCOUNTID"] == "customer_id"
    assert "ID" not in table.mapping
    assert table.mapping["CLOSEDATE"] == "date" and table.mapping["AMOUNT"] == "amount"
    assert "ACCOUNTID: 2 values on 8 rows" in table.reason


def _shop_book(path: Path) -> Path:
    """A WooCommerce-like workbook: customers (a data row says 'customer'/'no'), coupons,
    and orders where each customer orders once (the order number decides)."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Customer Import")
    ws.write_row(0, 0, ["username", "email", "date_registered", "role", "billing_first_name",
                        "billing_last_name", "billing_company", "billing_city",
                        "billing_postcode", "paying_customer"])  # fmt: skip
    people = [
        ("heisenberg", "w@x.example", "customer", "Walter", "White", None, "no"),
        ("gustavo", "g@x.example", "customer", "Gus", "Fring", "Los Pollos", "yes"),
        ("skyler", "s@x.example", "author", "Skyler", "White", None, "yes"),
        ("schraderbrau", "h@x.example", "customer", "Hank", "Schrader", None, "no"),
        ("capncook", "j@x.example", "customer", "Jesse", "Pinkman", None, "no"),
    ]
    for r, (user, mail, role, first, last, company, paying) in enumerate(people, start=1):
        ws.write_row(r, 0, [user, mail, "2016-05-17 19:58:25", role, first, last, company,
                            "Albuquerque", 87104, paying])  # fmt: skip
    ws = book.add_worksheet("Coupon Import")
    ws.write_row(0, 0, ["code", "type", "description", "amount", "expiry_date",
                        "minimum_amount", "usage_limit"])  # fmt: skip
    for r, code in enumerate(["spring10", "15off", "ninja5", "5forninjas"], start=1):
        ws.write_row(r, 0, [code, "percent", f"{code} off", 10.0, None, 25.0, 500])
    ws = book.add_worksheet("Order Import")
    ws.write_row(0, 0, ["id", "order_number", "created_at", "status", "total", "customer_id",
                        "billing_email"])  # fmt: skip
    orders = [(235, 1003, "2016-05-03", "completed", 27.98, 1, "w@x.example"),
              (234, 1002, "2016-04-17", "on-hold", 18.92, 2, "g@x.example"),
              (233, 1001, "2016-04-10", "processing", 11.00, 3, "s@x.example")]  # fmt: skip
    for r, order in enumerate(orders, start=1):
        ws.write_row(r, 0, list(order))
    book.close()
    return path


def test_a_shop_workbook_reads_each_sheet_for_what_it_is(tmp_path: Path) -> None:
    data = crmsheet.read(_shop_book(tmp_path / "shop.xlsx"), as_of=AS_OF)
    tables = {t.sheet: t for t in data.tables}
    customers = tables["Customer Import"]
    assert customers.role == "customers" and customers.header_row == 1
    assert customers.rows_kept == 5
    assert customers.mapping["username"] == "customer_id"
    assert customers.mapping["billing_company"] == "name"
    orders = tables["Order Import"]
    assert orders.role == "transactions"
    assert "an order number on every row (order_number)" in orders.reason
    assert orders.mapping == {"order_number": "invoice", "created_at": "date",
                              "status": "status", "total": "amount",
                              "customer_id": "customer_id",
                              "billing_email": "customer_email"}  # fmt: skip
    assert "Coupon Import" not in tables  # a coupon list is not customers
    skipped = data.problems.frame[data.problems.frame["code"] == "unusable-sheet"]
    assert skipped["sheet"].tolist() == ["Coupon Import"]
    assert "not customers" in skipped["message"].iloc[0]


def test_a_code_table_is_not_a_customer_list(tmp_path: Path) -> None:
    """SAP constants: a data row saying 'Business' or 'Customer' is not a header."""
    rows: list[list[object]] = [["DOMAIN", "FIXEDVALUE", "LANGUAGE", "DESCRIPTION"]]
    for domain, values in [("D_AD_TYPE", ["Private", "Business"]),
                           ("D_BP_ROLE", ["Customer", "Supplier"])]:  # fmt: skip
        for n, text in enumerate(values, start=1):
            rows += [[domain, f"0{n}", "D", text + " (de)"], [domain, f"0{n}", "E", text]]
    path = write_csv(tmp_path / "constants.csv", rows)
    with pytest.raises(NoUsableDataError, match="DESCRIPTION"):
        crmsheet.read(path, as_of=AS_OF)


def test_a_close_call_is_a_warning_naming_both_roles(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Clients")
    ws.write_row(0, 0, ["Customer", "Created", "Total"])
    for r, row in enumerate([("Acme", "2025-01-01", 10), ("Bolt", "2025-01-02", 20),
                             ("Cora", "2025-01-03", 5)], start=1):  # fmt: skip
        ws.write_row(r, 0, list(row))
    book.close()
    data = crmsheet.read(path, as_of=AS_OF)
    (table,) = data.tables
    assert table.role == "customers"
    assert "close call: it also reads as transactions" in table.reason
    close = data.problems.frame[data.problems.frame["code"] == "role-close-call"]
    assert len(close) == 1 and close["severity"].iloc[0] == "warning"
    assert close["row"].iloc[0] == 1
    assert "--transactions" in close["message"].iloc[0]


def test_a_plain_customer_list_is_no_close_call(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "customers.csv", [
        ["Customer ID", "Company", "Email", "Customer since"],
        ["C1", "Acme", "a@x.example", "2024-01-01"], ["C2", "Bolt", "b@x.example", "2024-02-01"],
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.tables[0].role == "customers"
    assert data.tables[0].reason.startswith("customers: customer_id (Customer ID), name (Company)")
    assert "role-close-call" not in set(data.problems.frame["code"])


# -- the real exports ----------------------------------------------------------------------


def test_the_real_woocommerce_workbook() -> None:
    path = shared(EXPORTS / "woocommerce_import_suite" / "sample_woocommerce_import_files.xlsx")
    data = crmsheet.read(path, as_of=AS_OF)
    tables = {t.sheet: t for t in data.tables}
    assert tables["Customer Import"].header_row == 1  # was row 5, with 1 of 5 customers
    assert tables["Customer Import"].rows_kept == 5
    assert tables["Order Import (Native)"].role == "transactions"
    assert tables["Order Import (JSON export)"].role == "transactions"
    assert "Coupon Import" not in tables
    plain = pd.read_excel(path, sheet_name="Order Import (Native)", engine="calamine")
    native = data.transactions[data.transactions["_sheet"] == "Order Import (Native)"]
    assert native["amount_before_refund"].sum() == pytest.approx(plain["total"].sum())
    net = plain["total"] - plain["total_refunded"].fillna(0)  # counted net of refunds
    assert native["amount"].sum() == pytest.approx(net.sum())


def test_the_real_salesforce_opportunities_are_deals_of_accounts() -> None:
    path = shared(EXPORTS / "salesforce_dataloader" / "opportunityData.csv")
    data = crmsheet.read(path, as_of=AS_OF)
    (table,) = data.tables
    assert table.role == "transactions"
    assert table.mapping["ACCOUNTID"] == "customer_id" and "ID" not in table.mapping
    assert "ACCOUNTID: 7 values on 38 rows" in table.reason


def test_the_real_sap_tables() -> None:
    folder = EXPORTS / "sap_shine_epm"
    partners = crmsheet.read(shared(folder / "businessPartner.csv"), as_of=AS_OF)
    assert partners.tables[0].mapping["PARTNERID"] == "customer_id"
    assert partners.tables[0].mapping["COMPANYNAME"] == "name"
    orders = crmsheet.read(transactions=shared(folder / "salesOrder.csv"), as_of=AS_OF)
    assert orders.tables[0].mapping == {"SALESORDERID": "invoice",
                                        "HISTORY.CREATEDAT": "date",
                                        "PARTNER.PARTNERID": "customer_id",
                                        "CURRENCY": "currency",
                                        "NETAMOUNT": "amount",
                                        "LIFECYCLESTATUS": "status"}  # fmt: skip
    with pytest.raises(NoUsableDataError, match="DESCRIPTION"):
        crmsheet.read(shared(folder / "constants.csv"), as_of=AS_OF)


def test_a_list_keyed_by_a_bare_id_is_refused() -> None:
    path = shared(TESTDATA / "messy" / "messytables_horror" / "characters.csv")
    with pytest.raises(NoUsableDataError):
        crmsheet.read(path, as_of=AS_OF)
