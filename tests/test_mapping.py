"""Header row, role and column mapping: from the headers real sheets carry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmsheet.errors import SettingsError
from crmsheet.io.grid import Grid
from crmsheet.mapping import column_letter, layout_table, parse_column_map
from crmsheet.schema import field_specs, normalise_header


def grid(rows: list[list[object]], sheet: str = "Sheet1") -> Grid:
    width = max(len(r) for r in rows)
    cells = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    return Grid(Path("book.xlsx"), sheet, cells, np.arange(1, len(rows) + 1))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("customerID", "customer id"),
        ("InvoiceDate", "invoice date"),
        ("Customer #", "customer no"),
        ("No. of Employees", "no of employees"),
        ("  Référé par ", "refere par"),
        ("Discount %", "discount pct"),
        ("E-mail", "e mail"),
    ],
    ids=lambda v: repr(v),
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letter(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_customer_sheet_with_title_rows_finds_the_header_below_them() -> None:
    g = grid([
        ["Harbor Services customer list"],
        [],
        ["Cust #", "Company Name", "Business type", "No. of employees", "Member of", "Shoe size"],
        ["C1", "Acme", "Retail", "10-49", None, 42],
    ], sheet="Clients")  # fmt: skip
    t = layout_table(g)
    assert t.role == "customers"
    assert t.header_row == 3
    assert t.header_to_field() == {
        "Cust #": "customer_id",
        "Company Name": "name",
        "Business type": "industry",
        "No. of employees": "employees",
        "Member of": "parent_organization",
    }


def test_online_retail_headers_are_a_transaction_log() -> None:
    g = grid([["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price",
               "Customer ID", "Country"]], sheet="Year 2009-2010")  # fmt: skip
    t = layout_table(g)
    assert (t.role, t.part) == ("transactions", None)
    assert t.header_to_field() == {
        "Invoice": "invoice", "StockCode": "product", "Description": "description",
        "Quantity": "quantity", "InvoiceDate": "date", "Price": "unit_price",
        "Customer ID": "customer_id",
    }  # fmt: skip


def test_northwind_order_lines_and_orders_are_the_two_parts_of_a_transaction_log() -> None:
    lines = layout_table(grid([["orderID", "productID", "unitPrice", "quantity", "discount"]],
                              sheet="order-details.csv"))  # fmt: skip
    orders = layout_table(
        grid(
            [
                [
                    "orderID",
                    "customerID",
                    "employeeID",
                    "orderDate",
                    "requiredDate",
                    "freight",
                    "shipCountry",
                ]
            ],
            sheet="orders.csv",
        )
    )
    assert (lines.role, lines.part) == ("transactions", "lines")
    assert (orders.role, orders.part) == ("transactions", "orders")
    assert orders.header_to_field()["orderDate"] == "date"


def test_spend_and_support_sheets() -> None:
    spend = layout_table(grid([["Month", "Channel", "Campaign", "Spend"]], sheet="Marketing"))
    support = layout_table(grid([["Ticket", "Customer ID", "Opened", "Minutes", "Severity"]]))
    assert spend.role == "spend"
    assert support.role == "support"
    assert support.header_to_field()["Opened"] == "date"


def test_the_more_specific_synonym_wins_when_two_columns_could_be_one_field() -> None:
    t = layout_table(grid([["Customer", "Customer Name", "Email"]]))
    # "customer name" is listed before "customer" among the synonyms of name? No: "customer"
    # comes first, so the leftmost, better-ranked one wins and the other stays the user's own.
    assert sorted(t.mapping.values()) == ["email", "name"]
    assert len(t.mapping) == 2


def test_duplicate_and_blank_headers_get_distinct_display_names() -> None:
    t = layout_table(grid([["Name", "Notes", "", "notes"], ["Acme", "a", "b", "c"]]))
    assert t.headers == ("Name", "Notes", "Column C", "notes (2)")
    assert t.duplicate_headers == (3,)


def test_column_map_override_wins_over_synonyms() -> None:
    t = layout_table(grid([["Name", "BusinessType", "Industry"]]), {"industry": "BusinessType"})
    assert t.header_to_field() == {"Name": "name", "BusinessType": "industry"}


def test_parse_column_map_rejects_unknown_fields_and_bad_syntax() -> None:
    (entry,) = parse_column_map(["industry=Business Type"]).entries  # scoped maps: a ColumnMap
    assert (entry.field, entry.header, entry.scope) == ("industry", "Business Type", None)
    with pytest.raises(SettingsError, match="not a crmsheet field"):
        parse_column_map({"shoe_size": "Shoe"})
    with pytest.raises(SettingsError, match="FIELD=HEADER"):
        parse_column_map(["industry"])


def test_a_sheet_with_no_known_columns_has_no_role() -> None:
    t = layout_table(grid([["foo", "bar"], ["1", "2"]]))
    assert t.role is None
    assert t.mapping == {}


def test_every_field_is_found_by_its_own_name() -> None:
    from crmsheet.headerwords import lookup

    for role in ("customers", "transactions", "spend", "support"):
        for name in field_specs(role):  # type: ignore[arg-type]
            header = name.replace("_", " ").title()  # "Next Follow Up"
            hit = lookup(role, header)  # type: ignore[arg-type]
            assert hit is not None and hit.field == name, (role, name)


@pytest.mark.parametrize(
    ("headers", "amount"),
    [
        (["Subtotal", "Shipping", "Taxes", "Total"], "Subtotal"),  # Shopify
        (["Total", "Sub Total"], "Sub Total"),
        (["Gross amount", "Net amount"], "Net amount"),
        (["Grand total", "Amount excl. tax"], "Amount excl. tax"),
        (["Total", "Amount due"], "Total"),  # no amount before tax: the total
    ],
)
def test_the_amount_is_before_tax_when_there_is_the_choice(
    tmp_path: Path, headers: list[str], amount: str
) -> None:
    import crmsheet

    path = tmp_path / "orders.csv"
    values = ",".join(str(10 * (i + 1)) for i in range(len(headers)))
    path.write_text(f"Date,Customer,{','.join(headers)}\n2026-01-05,Acme,{values}\n"
                    f"2026-02-05,Bolt,{values}\n", encoding="utf-8")  # fmt: skip
    data = crmsheet.read(transactions=path, as_of=pd.Timestamp("2026-11-01").date())
    (info,) = data.tables
    assert {h for h, f in info.mapping.items() if f == "amount"} == {amount}
    others = set(headers) - {amount}
    assert others <= set(info.extra_columns)  # the others kept as the user's own columns
    assert data.transactions["amount"].tolist() == [10.0 * (headers.index(amount) + 1)] * 2
