"""Real exports from shop, CRM, invoicing and ERP systems, read with no column map.

Issue 13's "done means": each set of files in ``../shared/testdata/real/exports/`` (and
Northwind) is read as its system wrote it, and the figures crmsheet shows are checked against
plain pandas (or the csv module) computed here from the same files: customers, revenue per
customer, first and last purchase, and the orders left out for their status. Origins and
licences: ../shared/testdata/MANIFEST.md.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import TESTDATA, shared

import crmsheet

EXPORTS = TESTDATA / "real" / "exports"
NORTHWIND = TESTDATA / "real" / "northwind"
AS_OF = date(2026, 11, 1)


def _revenue(data: crmsheet.CrmData, settings: crmsheet.Settings | None = None) -> pd.Series:
    """Lifetime revenue per customer key, as the enriched workbook shows it (0 dropped).

    ``settings`` go to the analysis as enrich hands them (the status rules decide there)."""
    customers = crmsheet.analyze(data, as_of=AS_OF, settings=settings).customers
    revenue = customers["revenue"].astype("float64")
    return revenue[revenue > 0].sort_index()


def _same(crmsheet_figures: pd.Series, pandas_figures: pd.Series) -> None:
    expected = pandas_figures.astype("float64").sort_index()
    expected.index = expected.index.astype(str)
    got = crmsheet_figures.copy()
    got.index = got.index.astype(str)
    pd.testing.assert_series_equal(got, expected, check_names=False, rtol=1e-12)


def _tables(data: crmsheet.CrmData) -> dict[str, crmsheet.TableInfo]:
    return {t.sheet: t for t in data.tables}


# -- Salesforce: accounts + opportunities -------------------------------------------------


def test_salesforce_accounts_and_opportunities() -> None:
    folder = shared(EXPORTS / "salesforce_dataloader")
    data = crmsheet.read(folder / "accountData.csv", folder / "opportunityData.csv", as_of=AS_OF)
    tables = _tables(data)
    assert tables["accountData.csv"].role == "customers"
    deals = tables["opportunityData.csv"]
    assert deals.role == "transactions"  # never a second customer list (it was, on main)
    assert deals.mapping["ACCOUNTID"] == "customer_id" and deals.mapping["AMOUNT"] == "amount"
    assert "ID" not in deals.mapping  # the deal's own id is not the customer's
    assert len(data.customers) == 423

    accounts = pd.read_csv(folder / "accountData.csv", encoding="cp1252", dtype=str)
    opps = pd.read_csv(folder / "opportunityData.csv", dtype={"ACCOUNTID": str})
    won = opps[opps["STAGENAME"] == "Closed Won"]
    _same(_revenue(data), won.groupby("ACCOUNTID")["AMOUNT"].sum())
    assert set(data.customers["customer_key"]) == set(accounts["ID"])  # no deal became one
    customers = crmsheet.analyze(data, as_of=AS_OF).customers
    dates = pd.to_datetime(won["CLOSEDATE"]).groupby(won["ACCOUNTID"])
    for key, first in dates.min().items():
        assert customers.loc[key, "first_purchase"] == first
        assert customers.loc[key, "last_purchase"] == dates.max()[key]
    open_deals = int((opps["STAGENAME"] != "Closed Won").sum() - opps["AMOUNT"].isna().sum())
    assert any(f"{open_deals} open deals" in note for note in data.notes)


# -- SAP EPM: business partners + sales orders + items --------------------------------------


def _sap_status_codes(folder: Path) -> dict[str, str]:
    """The English texts of SAP's order lifecycle codes (constants.csv, domain D_SO_LC)."""
    constants = pd.read_csv(folder / "constants.csv", dtype=str)
    texts = constants[(constants["DOMAIN"] == "D_SO_LC") & (constants["LANGUAGE"] == "E")]
    return dict(zip(texts["FIXEDVALUE"].str.strip(), texts["DESCRIPTION"].str.strip(),
                    strict=True))  # fmt: skip


def test_sap_partners_orders_and_items() -> None:
    folder = shared(EXPORTS / "sap_shine_epm")
    codes = _sap_status_codes(folder)
    assert codes["X"].lower().startswith("cancel")
    files = [folder / n for n in ("businessPartner.csv", "salesOrder.csv", "salesOrderItem.csv")]
    settings = crmsheet.Settings.load({"status_codes": codes})
    data = crmsheet.read(*files, as_of=AS_OF, settings=settings)
    tables = _tables(data)
    assert tables["businessPartner.csv"].role == "customers"
    orders = tables["salesOrder.csv"]
    assert orders.role == "transactions" and orders.part is None
    assert orders.mapping["PARTNER.PARTNERID"] == "customer_id"
    assert tables["salesOrderItem.csv"].part == "lines"
    assert len(data.customers) == 45

    table = pd.read_csv(folder / "salesOrder.csv", dtype={"PARTNER.PARTNERID": str})
    amount = next(h for h, f in orders.mapping.items() if f == "amount")
    kept = table[table["LIFECYCLESTATUS"].str.strip() != "X"]
    _same(_revenue(data, settings), kept.groupby("PARTNER.PARTNERID")[amount].sum())
    cancelled = int((table["LIFECYCLESTATUS"].str.strip() == "X").sum())
    assert any(f"{cancelled} cancelled" in note for note in data.notes)
    assert any("salesOrderItem.csv" in note and "checked against" in note for note in data.notes)


def test_sap_status_letters_without_a_lookup_are_named() -> None:
    folder = shared(EXPORTS / "sap_shine_epm")
    data = crmsheet.read(folder / "businessPartner.csv", folder / "salesOrder.csv", as_of=AS_OF)
    unknown = data.problems.frame[data.problems.frame["code"] == "unknown-status"]
    assert sorted(unknown["value"]) == ["C", "N", "P", "X"]  # said, never silently dropped
    assert unknown["message"].str.contains("status_codes").all()


# -- Zoho Invoice: contacts + invoice lines ------------------------------------------------


def test_zoho_contacts_and_invoice_lines() -> None:
    folder = shared(EXPORTS / "invoiceninja_zoho_wave")
    files = (folder / "zoho_contacts.csv", folder / "zoho_invoices.csv")
    lines = pd.read_csv(folder / "zoho_invoices.csv", dtype={"Customer ID": str})
    assert set(lines["Invoice Status"]) == {"Draft"}
    data = crmsheet.read(*files, as_of=AS_OF)
    assert _revenue(data).empty  # every invoice is a draft: not revenue by default
    assert any("3 draft" in note for note in data.notes)

    counted = [s for s in crmsheet.Settings().excluded_statuses if s != "draft"]
    settings = crmsheet.Settings.load({"excluded_statuses": counted})
    data = crmsheet.read(*files, as_of=AS_OF, settings=settings)
    # the line totals, not the invoice Total repeated on each line; 19-digit ids stay exact
    _same(_revenue(data, settings), lines.groupby("Customer ID")["Item Total"].sum())
    assert len(data.customers) == 5


# -- WooCommerce: one workbook, a sheet per table ------------------------------------------


def test_woocommerce_workbook_sheets_are_read_for_what_they_are() -> None:
    book = shared(EXPORTS / "woocommerce_import_suite" / "sample_woocommerce_import_files.xlsx")
    data = crmsheet.read(book, as_of=AS_OF)
    tables = _tables(data)
    customers = tables["Customer Import"]
    assert (customers.role, customers.header_row, customers.rows_kept) == ("customers", 1, 5)
    assert tables["Order Import (Native)"].role == "transactions"
    assert "Coupon Import" not in tables  # a coupon list is not customers
    orders = pd.read_excel(book, sheet_name="Order Import (Native)", engine="openpyxl")
    left_out = orders[orders["status"].isin(["cancelled", "on-hold"])]
    assert len(left_out) == 2
    assert any("1 cancelled, 1 on-hold" in note for note in data.notes)
    # the orders find their customers by billing email (their customer_id is the shop's
    # user number), and the JSON-export sheet's copy of the same 4 orders counts once
    people = pd.read_excel(book, sheet_name="Customer Import", engine="openpyxl")
    by_email = dict(zip(people["email"], people["username"], strict=True))
    sold = orders[orders["status"].isin(["completed", "processing"])]
    _same(_revenue(data), sold.groupby(sold["billing_email"].map(by_email))["total"].sum())
    assert len(data.customers) == 5  # "Customer CSV Minimum" lists the same 5 again


# -- Northwind: customers + orders + order lines --------------------------------------------


def _first_fields(path: Path, count: int) -> pd.DataFrame:
    """The first ``count`` fields of each row (later fields hold unquoted commas)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [row[:count] for row in csv.reader(fh)]
    return pd.DataFrame(rows[1:], columns=rows[0][:count])


def test_northwind_customers_orders_and_lines() -> None:
    folder = shared(NORTHWIND)
    files = [folder / n for n in ("customers.csv", "orders.csv", "order-details.csv")]
    data = crmsheet.read(*files, as_of=AS_OF)
    assert len(data.customers) == 91
    orders = _first_fields(folder / "orders.csv", 4)
    lines = pd.read_csv(folder / "order-details.csv", dtype={"orderID": str})
    lines["value"] = lines["unitPrice"] * lines["quantity"] * (1 - lines["discount"])
    by_order = lines.merge(orders, on="orderID")
    _same(_revenue(data), by_order.groupby("customerID")["value"].sum())
    customers = crmsheet.analyze(data, as_of=AS_OF).customers
    dates = pd.to_datetime(orders["orderDate"]).groupby(orders["customerID"])
    bought = customers["first_purchase"].notna()
    assert (customers.loc[bought, "first_purchase"] == dates.min()[customers.index[bought]]).all()
    assert (customers.loc[bought, "last_purchase"] == dates.max()[customers.index[bought]]).all()
    assert any("2,155 of 2,155 lines matched" in note for note in data.notes)


# -- the command line, as a new user runs it ---------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ("salesforce_dataloader/accountData.csv", "salesforce_dataloader/opportunityData.csv"),
        ("invoiceninja_zoho_wave/zoho_contacts.csv", "invoiceninja_zoho_wave/zoho_invoices.csv"),
        ("woocommerce_import_suite/sample_woocommerce_import_files.xlsx",),
    ],
)
def test_enrich_each_export_with_no_map(names: tuple[str, ...], tmp_path: Path) -> None:
    paths = [shared(EXPORTS / n) for n in names]
    out = tmp_path / "out.xlsx"
    result = crmsheet.enrich(*paths, output=out, as_of=AS_OF)
    assert result.output == out and out.exists()
    assert len(result.data.customers) > 0


# -- Wave: clients + a double-entry ledger -------------------------------------------------


def test_wave_clients_and_ledger_lines() -> None:
    folder = shared(EXPORTS / "invoiceninja_zoho_wave")
    data = crmsheet.read(folder / "wave_clients.csv", folder / "wave_invoices.csv", as_of=AS_OF)
    ledger = pd.read_csv(folder / "wave_invoices.csv")
    income = ledger[ledger["Account Type"] == "Income"]
    expected = income.groupby("Customer")["Amount (One column)"].sum()
    names = data.customers.set_index("customer_key")["name"]
    revenue = _revenue(data)
    revenue.index = revenue.index.map(names)
    _same(revenue, expected)  # Mark Walberg 4,974.00, not 9,948 (income + receivable lines)
    assert len(data.customers) == 4
    assert not (data.problems.frame["severity"] == "error").any()  # the cash line is no error
    kept_aside = data.checked[data.checked["_use"] == "ledger line"]
    assert len(kept_aside) == len(ledger) - len(income)  # every line kept or counted
