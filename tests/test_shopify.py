"""A Shopify order export: one row per line item, the order's own columns on its first line.

``Name`` holds the order number (#1001) there, not the customer; the customer is the email /
billing name. The order's Subtotal (first line only; before shipping and tax, which Total
adds) is its revenue; the lines are checked against it and never added to it. Figures are
checked against plain pandas in the test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2025, 6, 1)

SHOPIFY = """\
Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Billing Company,Id
#1001,ann@x.com,paid,2025-01-01 10:00:00 +0100,fulfilled,EUR,30,4.5,6.9,41.4,2025-01-01 09:00:00 +0100,1,A,10,Ann Smith,,5550001
#1001,ann@x.com,,,,,,,,,2025-01-01 09:00:00 +0100,1,B,20,,,
#1002,bob@x.com,refunded,2025-01-02 10:00:00 +0100,fulfilled,EUR,5,0,0,5,2025-01-02 09:00:00 +0100,1,C,5,Bob Jones,,5550002
#1003,ann@x.com,paid,2025-03-02 10:00:00 +0100,fulfilled,EUR,7,0,1.61,8.61,2025-03-02 09:00:00 +0100,1,C,7,Ann Smith,,5550003
"""  # noqa: E501


def _shopify(tmp_path: Path, text: str = SHOPIFY) -> Path:
    path = tmp_path / "orders_export.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _expected(path: Path) -> dict[str, float]:
    """Plain pandas: each order's Subtotal (its first line), paid orders only, per customer."""
    raw = pd.read_csv(path)
    orders = raw.dropna(subset=["Subtotal"]).drop_duplicates("Name")
    sold = orders.loc[orders["Financial Status"] != "refunded"]
    by_email = sold.groupby("Email")["Subtotal"].sum()
    names = orders.set_index("Email")["Billing Name"].groupby(level=0).first()
    return {names[e]: float(v) for e, v in by_email.items()} | {
        names[e]: 0.0 for e in orders["Email"].unique() if e not in by_email
    }


def test_a_shopify_export_reads_name_as_the_order_and_the_subtotal_once(tmp_path: Path) -> None:
    path = _shopify(tmp_path)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    info = data.tables[0]
    assert info.role == "transactions"
    assert {h: info.mapping[h] for h in ("Name", "Email", "Billing Name", "Lineitem quantity",
            "Lineitem price", "Lineitem name", "Financial Status", "Created at", "Subtotal")} == {
        "Name": "invoice", "Email": "customer_email", "Billing Name": "customer_name",
        "Lineitem quantity": "quantity", "Lineitem price": "unit_price",
        "Lineitem name": "description", "Financial Status": "status",
        "Created at": "date", "Subtotal": "amount",
    }  # fmt: skip
    assert "Total" in info.extra_columns  # before tax when there is the choice; kept as written
    assert "Name holds order numbers (like #1001), so it is the order number" in info.reason
    t = data.transactions
    assert t["invoice"].tolist() == ["#1001", "#1002", "#1003"]  # the second line is in #1001
    assert t["amount"].tolist() == [30.0, 5.0, 7.0]
    assert data.notes[0] == (
        "orders_export.csv: Subtotal is each order's total, on its first line only; the other "
        "lines (1 line in 1 order) count within it, not on top of it; the lines of 3 of 3 "
        "orders add up to their total"
    )
    result = crmsheet.analyze(data, as_of=AS_OF)
    got = result.customers.set_index("name")["revenue"].to_dict()
    assert got == _expected(path) == {"Ann Smith": 37.0, "Bob Jones": 0.0}
    assert result.headline.not_revenue == {"refunded": 1}


def test_an_order_whose_lines_do_not_add_up_is_reported_and_counts_its_total(
    tmp_path: Path,
) -> None:
    path = _shopify(tmp_path, SHOPIFY.replace(",1,B,20,", ",2,B,20,"))  # lines: 10 + 40
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    problems = data.problems.frame
    hit = problems.loc[problems["code"] == "lines-total-mismatch"]
    assert hit["row"].tolist() == [2]
    assert "50.00" in hit["message"].iloc[0] and "30.00" in hit["message"].iloc[0]
    assert data.transactions["amount"].tolist() == [30.0, 5.0, 7.0]


def test_the_enriched_workbook_has_ann_once_with_37(tmp_path: Path) -> None:
    path = _shopify(tmp_path)
    result = crmsheet.enrich(path, as_of=AS_OF, output=tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(result.output)["Customers"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    name, revenue = (
        header.index("Name"),
        next(i for i, h in enumerate(header) if isinstance(h, str) and h.startswith("Revenue")),
    )
    got = {r[name]: r[revenue] for r in rows[1:] if r[name]}
    assert got == {"Ann Smith": 37, "Bob Jones": 0}


def test_a_sales_log_whose_name_column_holds_customers_is_unchanged(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "Name": ["Ann Smith", "Ann Smith", "Bob Jones", "Ann Smith", "Cy 2000"],
        "Email": ["ann@x.com", "ann@x.com", "bob@x.com", "ann@x.com", "cy@x.com"],
        "Date": ["2025-01-01", "2025-01-02", "2025-01-03", "2025-02-01", "2025-02-02"],
        "Amount": [10.0, 20.0, 5.0, 7.0, 3.0],
    })  # fmt: skip
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    info = data.tables[0]
    assert info.mapping["Name"] == "customer_name"
    assert "order number" not in info.reason
    got = data.transactions.groupby("customer_key")["amount"].sum().to_dict()
    assert got == frame.groupby("Name")["Amount"].sum().to_dict()


def test_order_numbers_without_another_customer_reference_stay_the_customer(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame({
        "Name": ["SO-1", "SO-1", "SO-2"],
        "Date": ["2025-01-01", "2025-01-01", "2025-01-03"],
        "Amount": [10.0, 20.0, 5.0],
    })  # fmt: skip
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    data = crmsheet.read(transactions=path, as_of=AS_OF)
    assert data.tables[0].mapping["Name"] == "customer_name"
