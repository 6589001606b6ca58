"""Order statuses (issue 13, item 4): cancelled, refunded, on-hold... are not revenue.

Crafted files with every status kind, SAP-style one-letter codes with a Settings lookup, a
custom ``excluded_statuses``, Salesforce deal stages, and the real WooCommerce workbook. Every
figure is checked against plain pandas over the rows that are sales, computed in the test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from accounting import assert_rows_accounted_for
from conftest import TESTDATA, shared

import crmsheet
from crmsheet import Settings
from crmsheet.choices import NOT_REVENUE_STATUSES, TRANSACTION_STATUSES
from crmsheet.errors import SettingsError

AS_OF = date(2026, 6, 30)

#: One status as a shop, invoicing or CRM system writes it, per kind.
WRITTEN = {
    "completed": "Completed", "paid": "PAID", "won": "Closed Won", "delivered": "Shipped",
    "processing": "wc-processing", "open": "Overdue", "cancelled": "Canceled",
    "void": "Voided", "refunded": "Refunded", "on-hold": "On Hold", "disputed": "Chargeback",
    "draft": "Draft", "failed": "Failed", "pending-payment": "Pending payment",
    "lost": "Closed Lost", "open deal": "Negotiation/Review",
}  # fmt: skip


def _every_kind(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """A transactions CSV: three customers, each with every status kind (and a blank)."""
    rows = []
    number = 1000
    for c, customer in enumerate(["Acme", "Bayside", "Corner Shop"]):
        for k, (kind, written) in enumerate([*WRITTEN.items(), (None, "")]):
            number += 1
            rows.append({"Customer": customer, "Date": f"2026-0{1 + k % 5}-1{c}",
                         "Invoice": f"INV-{number}", "Amount": 10.0 * (k + 1) + c,
                         "Order Status": written, "_kind": kind})  # fmt: skip
    frame = pd.DataFrame(rows)
    path = tmp_path / "orders.csv"
    frame.drop(columns="_kind").to_csv(path, index=False)
    return path, frame


def test_every_status_kind_is_read_and_only_sales_are_revenue(tmp_path: Path) -> None:
    path, written = _every_kind(tmp_path)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    t = data.transactions
    assert len(t) == len(written)  # excluded rows stay in the data
    assert t["status"].fillna("-").tolist() == written["_kind"].fillna("-").tolist()
    assert t["status_written"].fillna("").tolist() == written["Order Status"].fillna("").tolist()

    result = crmsheet.analyze(data, as_of=AS_OF)
    sold = written.loc[~written["_kind"].isin(NOT_REVENUE_STATUSES)]
    expected = sold.groupby("Customer")["Amount"].sum()
    got = result.customers.set_index("name")["revenue"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected, check_names=False, check_index_type=False
    )
    assert result.customers.set_index("name")["transactions"].to_dict() == sold.groupby(
        "Customer").size().to_dict()  # fmt: skip
    assert result.headline.not_revenue == {k: 3 for k in NOT_REVENUE_STATUSES}

    problems = data.problems.frame
    notes = problems.loc[problems["code"] == "status-not-revenue"]
    assert sorted(notes["value"]) == sorted(NOT_REVENUE_STATUSES)  # one row per kind
    cancelled = notes.loc[notes["value"] == "cancelled"].iloc[0]
    rows = [2 + i for i, k in enumerate(written["_kind"]) if k == "cancelled"]
    assert cancelled["row"] == rows[0]
    assert cancelled["message"].startswith(
        f"3 orders (rows {', '.join(map(str, rows))}) with status “cancelled” in Order Status"
    )
    assert "unknown-status" not in set(problems["code"])
    kinds = ", ".join(f"3 {'open deals' if k == 'open deal' else k}" for k in NOT_REVENUE_STATUSES)
    assert data.notes == (
        f"orders.csv: 30 orders not counted as revenue: {kinds} "
        "(status column; see excluded_statuses in Settings).",
    )


def test_the_summary_says_how_many_orders_were_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    pd.DataFrame({
        "Customer": ["Acme", "Acme", "Bayside", "Bayside", "Acme"],
        "Date": ["2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05", "2026-05-05"],
        "Invoice": ["1", "2", "3", "4", "5"],
        "Amount": [100, 200, 300, 400, 500],
        "Status": ["cancelled", "completed", "refunded", "paid", "cancelled"],
    }).to_csv(path, index=False)  # fmt: skip
    result = crmsheet.enrich(path, as_of=AS_OF, output=tmp_path / "out.xlsx")
    assert result.analysis.customers["revenue"].sum() == 600
    ws = openpyxl.load_workbook(result.output)["Summary"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}
    assert rows["3 orders not counted as revenue"] == "2 cancelled, 1 refunded"


def test_lines_of_one_order_count_once_and_only_up_to_as_of(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    pd.DataFrame({
        "Customer": ["Acme"] * 4,
        "Date": ["2026-01-05", "2026-01-05", "2026-02-01", "2026-08-01"],
        "Invoice": ["7", "7", "8", "9"],
        "Amount": [10, 20, 40, 80],
        "Invoice Status": ["Void", "Void", "Sent", "Void"],
    }).to_csv(path, index=False)  # fmt: skip
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    result = crmsheet.analyze(data, as_of=AS_OF)
    assert result.headline.not_revenue == {"void": 1}  # order 9 is after as_of
    assert result.customers["revenue"].tolist() == [40.0]


def _sap_orders(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    frame = pd.DataFrame({
        "Sales Order ID": [f"5000000{i}" for i in range(8)],
        "Customer ID": ["100000000", "100000001"] * 4,
        "Order Date": [f"2015-0{1 + i % 6}-15" for i in range(8)],
        "Gross Amount": [100.0, 210.0, 320.0, 430.0, 540.0, 650.0, 760.0, 870.0],
        "Lifecycle Status": ["N", "P", "C", "X", "C", "X", "P", "N"],
    })  # fmt: skip
    path = tmp_path / "salesOrder.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_one_letter_codes_without_a_lookup_are_warnings_and_still_revenue(tmp_path: Path) -> None:
    path, frame = _sap_orders(tmp_path)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    problems = data.problems.frame
    unknown = problems.loc[problems["code"] == "unknown-status"]
    assert unknown[["row", "value"]].values.tolist() == [[2, "N"], [3, "P"], [4, "C"], [5, "X"]]
    assert "“X” in Lifecycle Status (2 rows)" in unknown["message"].iloc[3]
    assert "status_codes = X=cancelled" in unknown["message"].iloc[3]
    result = crmsheet.analyze(data, as_of=date(2016, 1, 1))
    assert result.customers["revenue"].sum() == frame["Gross Amount"].sum()  # never dropped
    assert result.headline.not_revenue == {}


def test_one_letter_codes_with_a_settings_lookup(tmp_path: Path) -> None:
    path, frame = _sap_orders(tmp_path)
    codes = {"N": "open", "P": "processing", "C": "completed", "X": "cancelled"}
    settings = Settings(status_codes=codes)
    data = crmsheet.read(transactions=path, as_of=AS_OF, settings=settings)
    assert "unknown-status" not in set(data.problems.frame["code"])
    assert data.transactions["status"].tolist() == frame["Lifecycle Status"].map(codes).tolist()
    result = crmsheet.analyze(data, as_of=date(2016, 1, 1), settings=settings)
    sold = frame.loc[frame["Lifecycle Status"] != "X"]
    expected = sold.groupby("Customer ID")["Gross Amount"].sum()
    got = result.customers.set_index("customer_id")["revenue"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected, check_names=False, check_index_type=False
    )
    assert result.headline.not_revenue == {"cancelled": 2}

    # the same lookup from a settings.toml, through enrich (TOML text form of a table)
    toml = tmp_path / "settings.toml"
    toml.write_text('[settings]\nstatus_codes = { X = "cancelled", C = "Closed" }\n')
    done = crmsheet.enrich(path, settings=toml, as_of=date(2016, 1, 1), output=tmp_path / "o.xlsx")
    assert done.analysis.headline.not_revenue == {"cancelled": 2}
    codes_problems = done.data.problems.frame
    assert set(codes_problems.loc[codes_problems["code"] == "unknown-status", "value"]) == {
        "N",
        "P",
    }


def test_a_settings_sheet_in_the_workbook_gives_codes_and_exclusions(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({
            "Customer": ["Acme", "Acme", "Bayside"], "Date": ["2026-01-05"] * 3,
            "Amount": [10, 20, 40], "Status": ["S", "refunded", "completed"],
        }).to_excel(book, sheet_name="Sales", index=False)  # fmt: skip
        pd.DataFrame({
            "setting": ["status_codes", "excluded_statuses"],
            "value": ["S=cancelled; Z=paid", "cancelled, on hold"],
        }).to_excel(book, sheet_name="Settings", index=False)  # fmt: skip
    result = crmsheet.enrich(path, as_of=AS_OF)
    assert result.analysis.settings.excluded_statuses == ("cancelled", "on-hold")
    assert result.analysis.customers.set_index("name")["revenue"].to_dict() == {
        "Acme": 20.0, "Bayside": 40.0}  # refunded counts here: the user said so  # fmt: skip
    assert result.analysis.headline.not_revenue == {"cancelled": 1}


def test_a_custom_excluded_list_decides(tmp_path: Path) -> None:
    path, written = _every_kind(tmp_path)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    settings = Settings(excluded_statuses=["Cancelled", "refund"])  # words read as kinds
    assert settings.excluded_statuses == ("cancelled", "refunded")
    result = crmsheet.analyze(data, as_of=AS_OF, settings=settings)
    sold = written.loc[~written["_kind"].isin(["cancelled", "refunded"])]
    expected = sold.groupby("Customer")["Amount"].sum()
    got = result.customers.set_index("name")["revenue"].sort_index()
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False)
    assert result.headline.not_revenue == {"cancelled": 3, "refunded": 3}
    everything = crmsheet.analyze(data, as_of=AS_OF, settings=Settings(excluded_statuses=[]))
    assert everything.customers["revenue"].sum() == written["Amount"].sum()


@pytest.mark.parametrize(
    ("values", "says"),
    [({"excluded_statuses": "cancelled, gone"}, "'gone' is not a status"),
     ({"status_codes": "X cancelled"}, "CODE=STATUS"),
     ({"status_codes": {"X": "binned"}}, "'binned' is not a status")],
)  # fmt: skip
def test_a_bad_status_setting_names_itself(values: dict[str, object], says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        Settings.load(values)


def test_every_default_exclusion_is_a_kind_and_settings_read_back() -> None:
    assert set(NOT_REVENUE_STATUSES) < set(TRANSACTION_STATUSES)
    shown = dict((n, v) for n, v, _ in Settings(status_codes={"X": "void"}).describe())
    back = Settings.load({k: shown[k] for k in ("excluded_statuses", "status_codes")})
    assert back.excluded_statuses == NOT_REVENUE_STATUSES
    assert back.status_codes == {"X": "void"}


def test_salesforce_stages_only_won_deals_are_revenue(tmp_path: Path) -> None:
    path = tmp_path / "opportunities.csv"
    frame = pd.DataFrame({
        "Account ID": ["001A", "001A", "001B", "001B", "001C"],
        "Close Date": ["2026-01-09", "2026-02-09", "2026-03-09", "2026-04-09", "2026-05-09"],
        "Amount": [500.0, 700.0, 900.0, 1100.0, 1300.0],
        "Stage Name": ["Closed Won", "Prospecting", "Closed Won", "Closed Lost",
                       "Id. Decision Makers"],
    })  # fmt: skip
    frame.to_csv(path, index=False)
    data = crmsheet.read(transactions=path, as_of=AS_OF, column_map={"date": "Close Date"})
    assert data.transactions["status"].tolist() == [
        "won", "open deal", "won", "lost", "open deal"]  # fmt: skip
    result = crmsheet.analyze(data, as_of=AS_OF)
    won = frame.loc[frame["Stage Name"] == "Closed Won"].groupby("Account ID")["Amount"].sum()
    got = result.customers["revenue"]
    assert got[got > 0].sort_index().to_dict() == won.to_dict()
    assert result.headline.not_revenue == {"open deal": 2, "lost": 1}
    assert "3 orders not counted as revenue: 2 open deals, 1 lost" in data.notes[0]


def test_real_woocommerce_orders_cancelled_and_on_hold_are_not_revenue() -> None:
    path = shared(
        TESTDATA / "real/exports/woocommerce_import_suite/sample_woocommerce_import_files.xlsx"
    )
    data = crmsheet.read(transactions=path, as_of=AS_OF, column_map={"date": "created_at"})
    orders = pd.concat(
        pd.read_excel(path, sheet_name=s, engine="calamine")
        for s in ("Order Import (Native)", "Order Import (JSON export)")
    )
    assert set(orders["status"]) == {"cancelled", "on-hold", "completed", "processing"}
    # the two sheets hold the same 4 orders: each counts once (tests/test_ledger.py)
    once = orders.drop_duplicates("order_number")
    sold = once.loc[once["status"].isin(["completed", "processing"])]
    expected = sold.groupby(sold["customer_id"].astype(str))["total"].sum()
    result = crmsheet.analyze(data, as_of=AS_OF)
    revenue = result.customers["revenue"]
    assert revenue[revenue != 0].round(2).to_dict() == expected.round(2).to_dict()
    assert set(result.customers.index) == set(orders["customer_id"].astype(str))  # none lost
    assert result.headline.not_revenue == {"cancelled": 1, "on-hold": 1}
    native = data.problems.frame.query("sheet == 'Order Import (Native)'")
    assert native.loc[native["code"] == "status-not-revenue", ["row", "value"]].values.tolist() == [
        [2, "cancelled"], [3, "on-hold"]]  # fmt: skip


EXPORTS = TESTDATA / "real/exports"


def test_real_sap_sales_orders_decoded_with_the_constants_table() -> None:
    """SAP's LIFECYCLESTATUS letters, decoded with the texts of its own constants.csv."""
    orders_csv = shared(EXPORTS / "sap_shine_epm/salesOrder.csv")
    constants = pd.read_csv(shared(EXPORTS / "sap_shine_epm/constants.csv"), dtype=str)
    lifecycle = constants.query("DOMAIN == 'D_SO_LC' and LANGUAGE == 'E'")
    codes = dict(zip(lifecycle["FIXEDVALUE"], lifecycle["DESCRIPTION"], strict=True))
    assert codes == {"N": "New", "P": "In Progress", "C": "Closed", "X": "Cancelled"}
    settings = Settings(status_codes=codes)  # the code table's own words are read as kinds
    # the map stands in for the header words of helper "words" (ALLCAPS, dotted)
    column_map = {"customer_id": "PARTNER.PARTNERID", "date": "HISTORY.CREATEDAT",
                  "amount": "GROSSAMOUNT", "invoice": "SALESORDERID",
                  "status": "LIFECYCLESTATUS"}  # fmt: skip
    as_of = AS_OF  # after every order
    data = crmsheet.read(transactions=orders_csv, as_of=as_of, column_map=column_map,
                         settings=settings)  # fmt: skip
    assert set(data.problems.frame["code"]) == {"status-not-revenue"}
    orders = pd.read_csv(orders_csv, dtype={"PARTNER.PARTNERID": str})
    assert len(data.transactions) == len(orders)  # cancelled orders stay in the data
    result = crmsheet.analyze(data, as_of=as_of, settings=settings)
    sold = orders.loc[orders["LIFECYCLESTATUS"] != "X"]
    expected = sold.groupby("PARTNER.PARTNERID")["GROSSAMOUNT"].sum()
    got = result.customers["revenue"]
    assert got[got.index.isin(expected.index)].round(2).sort_index().to_dict() == (
        expected.round(2).to_dict()
    )
    assert set(got.index) == set(orders["PARTNER.PARTNERID"])
    assert result.headline.not_revenue == {
        "cancelled": int((orders["LIFECYCLESTATUS"] == "X").sum())
    }


def test_real_salesforce_opportunities_only_closed_won_is_revenue() -> None:
    path = shared(EXPORTS / "salesforce_dataloader/opportunityData.csv")
    column_map = {"customer_id": "ACCOUNTID", "date": "CLOSEDATE", "amount": "AMOUNT",
                  "status": "STAGENAME"}  # until header words land (helper "words")  # fmt: skip
    as_of = date(2010, 1, 1)
    data = crmsheet.read(transactions=path, as_of=as_of, column_map=column_map)
    deals = pd.read_csv(path)
    assert (deals["STAGENAME"] == "Closed Won").eq(deals["ISWON"]).all()  # the two agree
    result = crmsheet.analyze(data, as_of=as_of)
    won = deals.loc[deals["STAGENAME"] == "Closed Won"]
    expected = won.groupby("ACCOUNTID")["AMOUNT"].sum()
    revenue = result.customers["revenue"]
    assert revenue[revenue != 0].sort_index().to_dict() == expected.to_dict()
    priced = deals.loc[deals["AMOUNT"].notna()]  # a deal without an amount is reported
    open_deals = int((priced["STAGENAME"] != "Closed Won").sum())
    assert result.headline.not_revenue == {"open deal": open_deals}


def test_real_zoho_invoices_are_drafts_and_say_so() -> None:
    path = shared(EXPORTS / "invoiceninja_zoho_wave/zoho_invoices.csv")
    data = crmsheet.read(transactions=path, as_of=date(2026, 1, 1))
    invoices = pd.read_csv(path)
    assert set(invoices["Invoice Status"]) == {"Draft"}
    assert data.notes == (
        "zoho_invoices.csv: SubTotal repeats the invoice total on its 13 lines; revenue from Item "
        "Total, 3 of 3 invoices add up",
        "zoho_invoices.csv: 3 orders not counted as revenue: 3 draft (status column; see "
        "excluded_statuses in Settings).",
    )
    result = crmsheet.analyze(data, as_of=date(2026, 1, 1))
    assert result.customers["revenue"].sum() == 0
    counted = crmsheet.analyze(data, as_of=date(2026, 1, 1),
                               settings=Settings(excluded_statuses=["cancelled"]))  # fmt: skip
    assert counted.customers["revenue"].sum() > 0


def test_lines_take_the_status_of_their_order(tmp_path: Path) -> None:
    """Order headers with a status, lines with the money (Northwind/SAP shape)."""
    orders = tmp_path / "orders.csv"
    pd.DataFrame({"Order ID": ["1", "2", "3"], "Customer ID": ["ALFKI", "ALFKI", "BONAP"],
                  "Order Date": ["2026-01-02", "2026-02-03", "2026-03-04"],
                  "Order Status": ["Shipped", "Cancelled", "Delivered"]}).to_csv(
        orders, index=False)  # fmt: skip
    lines = tmp_path / "order_lines.csv"
    pd.DataFrame({"Order ID": ["1", "1", "2", "3", "3"], "Quantity": [1, 2, 3, 4, 5],
                  "Unit Price": [10.0, 10.0, 10.0, 10.0, 10.0],
                  "Status": [None, "Refunded", None, None, None]}).to_csv(
        lines, index=False)  # fmt: skip
    data = crmsheet.read(transactions=[orders, lines], as_of=AS_OF)
    assert data.transactions["status"].tolist() == [
        "delivered", "refunded", "cancelled", "delivered", "delivered"]  # fmt: skip
    result = crmsheet.analyze(data, as_of=AS_OF)
    assert result.customers["revenue"].to_dict() == {"ALFKI": 10.0, "BONAP": 90.0}
    assert result.headline.not_revenue == {"refunded": 1, "cancelled": 1}
