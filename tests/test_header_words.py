"""Headers read as words: every spelling an export uses names the same field (issue 13 item 1).

Files are written in each test (CSV or xlsx in tmp_path) and read back with crmsheet.read,
so the words reach the clean frames, not only the mapper.
"""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

import crmsheet
from crmsheet.headerwords import header_words, lookup
from crmsheet.io.grid import Grid
from crmsheet.mapping import layout_table

AS_OF = date(2026, 11, 1)


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def mapping_of(path: Path, **kw: object) -> dict[str, str]:
    data = crmsheet.read(path, as_of=AS_OF, **kw)  # type: ignore[arg-type]
    return dict(data.tables[0].mapping)


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("CUSTOMERNAME", ("customer", "name")),
        ("ORDERDATE", ("order", "date")),
        ("ORDERNUMBER", ("order", "number")),
        ("SALESAMOUNT", ("sales", "amount")),
        ("PARTNERID", ("partner", "id")),
        ("COMPANYNAME", ("company", "name")),
        ("EMAILADDRESS", ("email", "address")),
        ("NUMBEROFEMPLOYEES", ("number", "of", "employees")),
        ("ANNUALREVENUE", ("annual", "revenue")),
        ("CLOSEDATE", ("close", "date")),
        ("PARTNER.PARTNERID", ("partner", "partner", "id")),
        ("HISTORY.CREATEDAT", ("history", "created", "at")),
        ("SALESORDERID", ("sales", "order", "id")),
        ("quantityOrdered", ("quantity", "ordered")),
        ("OrderQuantity", ("order", "quantity")),
        ("billing_company", ("billing", "company")),
        ("EmailID", ("email", "id")),
        ("ship-to_city", ("ship", "to", "city")),
        ("username", ("username",)),  # a word the vocabulary does not know stays whole
        ("Référé par", ("refere", "par")),
    ],
)
def test_headers_split_into_words(header: str, words: tuple[str, ...]) -> None:
    assert header_words(header) == words


@pytest.mark.parametrize(
    ("role", "header", "field"),
    [
        ("transactions", "SalesAmount", "amount"),
        ("transactions", "Sales Amount", "amount"),
        ("transactions", "amount", "amount"),
        ("transactions", "OrderQuantity", "quantity"),
        ("transactions", "quantityOrdered", "quantity"),
        ("transactions", "OrderDate", "date"),
        ("transactions", "paymentDate", "date"),
        ("transactions", "payment_date", "date"),
        ("transactions", "Transaction Date", "date"),
        ("transactions", "ORDERNUMBER", "invoice"),
        ("transactions", "CUSTOMERNAME", "customer_name"),
        ("transactions", "order_number", "invoice"),
        ("transactions", "created_at", "date"),
        ("transactions", "total", "amount"),
        ("transactions", "Item Total", "line_amount"),
        ("transactions", "GROSSAMOUNT", "amount"),
        ("transactions", "SALESORDERID", "invoice"),
        ("transactions", "PARTNER.PARTNERID", "customer_id"),
        ("transactions", "HISTORY.CREATEDAT", "date"),
        ("transactions", "ACCOUNTID", "customer_id"),
        ("transactions", "CLOSEDATE", "date"),
        ("customers", "PARTNERID", "customer_id"),
        ("customers", "COMPANYNAME", "name"),
        ("customers", "EMAILADDRESS", "email"),
        ("customers", "NUMBEROFEMPLOYEES", "employees"),
        ("customers", "billing_company", "name"),
        ("customers", "Display Name", "name"),
        ("customers", "EmailID", "email"),
        ("customers", "customer_name", "name"),
        ("customers", "LEADSOURCE", "source"),
        ("customers", "How did they hear about us", "source"),
        ("customers", "Biz Type", "industry"),
        ("customers", "Client Since", "first_transaction"),
    ],
)
def test_export_headers_name_their_field(role: str, header: str, field: str) -> None:
    hit = lookup(role, header)  # type: ignore[arg-type]
    assert hit is not None and hit.field == field, (header, hit)


@pytest.mark.parametrize(
    ("role", "header"),
    [
        ("transactions", "payment id"),  # the payment's own id is no invoice nor customer
        ("transactions", "Line Number"),  # a line's position is no invoice number
        ("transactions", "item name"),  # a product, not the customer
        ("transactions", "shipping_total"),  # the postage, not the sale
        ("transactions", "shipName"),  # the recipient, not necessarily the customer
        ("transactions", "ID"),  # a Salesforce opportunity's own id
        ("customers", "order number"),  # an order's number is no customer id
        ("customers", "ANNUALREVENUE"),  # the account's own turnover, not sales to it
    ],
)
def test_false_friends_stay_unmapped(role: str, header: str) -> None:
    assert lookup(role, header) is None  # type: ignore[arg-type]


# -- property: spelling never changes the field --------------------------------------------

#: (role, core words, field); role words are added around the core in the property.
_CASES = [
    ("transactions", ("amount",), "amount"),
    ("transactions", ("quantity",), "quantity"),
    ("transactions", ("date",), "date"),
    ("transactions", ("unit", "price"), "unit_price"),
    ("transactions", ("discount",), "discount"),
    ("customers", ("customer", "name"), "name"),
    ("customers", ("email", "address"), "email"),
    ("customers", ("number", "of", "employees"), "employees"),
    ("customers", ("lead", "source"), "source"),
    ("transactions", ("invoice", "number"), "invoice"),
    ("transactions", ("customer", "id"), "customer_id"),
]
_ROLE_WORDS = ["order", "payment", "sales", "invoice", "line", "item", "transaction"]


def _spell(words: list[str], style: str, sep: str) -> str:
    if style == "camel":
        return words[0].lower() + "".join(w.capitalize() for w in words[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in words)
    cased = {"lower": str.lower, "upper": str.upper, "title": str.capitalize}[style]
    return sep.join(cased(w) for w in words)


@given(
    case=st.sampled_from(_CASES),
    style=st.sampled_from(["lower", "upper", "title", "camel", "pascal"]),
    sep=st.sampled_from([" ", "_", "-", ".", ""]),
    role_words=st.lists(st.sampled_from(_ROLE_WORDS), max_size=2, unique=True),
    before=st.booleans(),
)
def test_casing_separators_and_role_words_never_change_the_field(
    case: tuple[str, tuple[str, ...], str],
    style: str,
    sep: str,
    role_words: list[str],
    before: bool,
) -> None:
    role, core, field = case
    # role words weigh on a measure or a date only: an order id is no customer id
    measure = field in {"amount", "quantity", "date", "unit_price", "discount"}
    extra = role_words if measure else []
    words = [*extra, *core] if before else [*core, *extra]
    plain = lookup(role, " ".join(core))  # type: ignore[arg-type]
    assert plain is not None and plain.field == field
    header = _spell(words, style, sep)
    hit = lookup(role, header)  # type: ignore[arg-type]
    # one exception by design: "Line Amount", "Item Total" name a line's own money (the
    # field that is checked against an invoice total repeated on each line)
    kept = [w for w in words if w not in _ROLE_WORDS or w in {"line", "item"}]
    lines = field == "amount" and kept in (["line", "amount"], ["item", "amount"])
    assert hit is not None and hit.field == ("line_amount" if lines else field), header


# -- through crmsheet.read ------------------------------------------------------------------


def test_a_reseller_sales_file_in_pascal_case_has_its_amounts(tmp_path: Path) -> None:
    """SalesAmount, OrderQuantity, UnitPrice, OrderDate: revenue is not 0 any more."""
    path = write_csv(tmp_path / "FactResellerSales.csv", [
        ["SalesOrderNumber", "ResellerKey", "OrderDate", "OrderQuantity", "UnitPrice",
         "SalesAmount"],
        ["SO1", "R1", "2025-01-05", "2", "10.00", "20.00"],
        ["SO2", "R1", "2025-02-05", "1", "15.00", "15.00"],
        ["SO3", "R2", "2025-03-05", "4", "5.00", "20.00"],
    ])  # fmt: skip
    data = crmsheet.read(transactions=path, column_map={"customer_id": "ResellerKey"},
                         as_of=AS_OF)  # fmt: skip
    assert data.tables[0].mapping == {
        "SalesOrderNumber": "invoice", "ResellerKey": "customer_id", "OrderDate": "date",
        "OrderQuantity": "quantity", "UnitPrice": "unit_price", "SalesAmount": "amount",
    }  # fmt: skip
    by_customer = data.transactions.groupby("customer_id")["amount"].sum().to_dict()
    assert by_customer == {"R1": 35.0, "R2": 20.0}


def test_allcaps_run_together_and_dotted_headers_are_read(tmp_path: Path) -> None:
    path = tmp_path / "partners.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("BusinessPartner")
    ws.write_row(0, 0, ["PARTNERID", "COMPANYNAME", "EMAILADDRESS", "NUMBEROFEMPLOYEES",
                        "HISTORY.CREATEDAT"])  # fmt: skip
    ws.write_row(1, 0, ["100", "Acme AG", "info@acme.example", 12, "2024-03-01"])
    ws.write_row(2, 0, ["101", "Bolt Ltd", "hi@bolt.example", 250, "2024-04-01"])
    ws = book.add_worksheet("SalesOrder")
    ws.write_row(0, 0, ["SALESORDERID", "PARTNER.PARTNERID", "HISTORY.CREATEDAT",
                        "GROSSAMOUNT"])  # fmt: skip
    for i, (partner, day, amount) in enumerate([("100", "2025-01-02", 50.0),
                                                ("100", "2025-02-02", 70.0),
                                                ("101", "2025-02-03", 30.0),
                                                ("100", "2025-03-02", 10.0)]):  # fmt: skip
        ws.write_row(i + 1, 0, [f"5000{i}", partner, day, amount])
    book.close()
    data = crmsheet.read(path, as_of=AS_OF)
    tables = {t.sheet: t for t in data.tables}
    assert tables["BusinessPartner"].role == "customers"
    assert tables["BusinessPartner"].mapping == {
        "PARTNERID": "customer_id", "COMPANYNAME": "name", "EMAILADDRESS": "email",
        "NUMBEROFEMPLOYEES": "employees", "HISTORY.CREATEDAT": "first_transaction",
    }  # fmt: skip
    assert tables["SalesOrder"].role == "transactions"
    assert tables["SalesOrder"].mapping == {
        "SALESORDERID": "invoice", "PARTNER.PARTNERID": "customer_id",
        "HISTORY.CREATEDAT": "date", "GROSSAMOUNT": "amount",
    }  # fmt: skip
    by_customer = data.transactions.groupby("customer_id")["amount"].sum().to_dict()
    assert by_customer == {"100": 130.0, "101": 30.0}


def test_small_business_headers_are_understood(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "clients.csv", [
        ["Client", "Biz Type", "How did they hear about us", "Client Since"],
        ["Bayside Bakery", "Bakery", "Referral", "2023-05-01"],
        ["Corner Cafe", "Cafe", "Email", "2024-01-15"],
    ])  # fmt: skip
    assert mapping_of(path) == {"Client": "name", "Biz Type": "industry",
                                "How did they hear about us": "source",
                                "Client Since": "first_transaction"}  # fmt: skip


def test_an_empty_column_does_not_take_a_field_from_a_filled_one(tmp_path: Path) -> None:
    """Salesforce: Account Number is blank, ID holds the id the opportunities refer to."""
    path = write_csv(tmp_path / "accounts.csv", [
        ["ID", "NAME", "Account Number"],
        ["001A", "Acme", ""],
        ["001B", "Bolt", ""],
    ])  # fmt: skip
    assert mapping_of(path) == {"ID": "customer_id", "NAME": "name"}


# -- display headers and cost (issue 20 items 10 and 13) -----------------------------------


def test_repeated_headers_that_collide_with_a_generated_name_stay_distinct(
    tmp_path: Path,
) -> None:
    """Notes, Notes, Notes (2): enrich used to crash with AttributeError."""
    path = write_csv(tmp_path / "c.csv", [
        ["Customer ID", "Name", "Notes", "Notes", "Notes (2)"],
        ["C1", "Acme", "a", "b", "c"],
        ["C2", "Bolt", "d", "e", "f"],
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert list(data.customer_sheet.columns)[:5] == [
        "Customer ID", "Name", "Notes", "Notes (3)", "Notes (2)",
    ]  # fmt: skip
    result = crmsheet.enrich(path, output=tmp_path / "out.xlsx", as_of=AS_OF)
    book = pd.read_excel(result.output, sheet_name="Customers", dtype=str, engine="calamine")
    assert book[["Notes", "Notes (3)", "Notes (2)"]].values.tolist() == [
        ["a", "b", "c"], ["d", "e", "f"],
    ]  # fmt: skip


def _wide_grid(columns: int) -> Grid:
    header = ["Customer ID", "Name", *(f"Extra field {i}" for i in range(columns - 2))]
    rows = [header] + [
        [f"C{r}", f"N{r}", *(f"v{r}-{i}" for i in range(columns - 2))] for r in range(20)
    ]
    return Grid(Path("wide.xlsx"), "Sheet1", pd.DataFrame(rows, dtype=object),
                np.arange(1, len(rows) + 1))  # fmt: skip


def test_the_header_search_is_linear_in_columns() -> None:
    """9,074 columns laid out in well under the 36 s main took (here: < 3 s, loaded)."""
    small, large = _wide_grid(2_000), _wide_grid(9_074)
    start = time.perf_counter()
    layout_table(small)
    t_small = time.perf_counter() - start
    start = time.perf_counter()
    layout = layout_table(large)
    t_large = time.perf_counter() - start
    assert layout.role == "customers" and layout.mapping == {0: "customer_id", 1: "name"}
    assert len(set(layout.headers)) == 9_074
    assert t_large < 3.0, t_large
    assert t_large < 8 * t_small + 0.5, (t_small, t_large)  # 4.5x the columns


def test_a_huge_cell_is_never_split_into_words(tmp_path: Path) -> None:
    """A 50 MB field used to take 61-123 s in the header search."""
    path = tmp_path / "big.csv"
    path.write_text('Customer ID,Name,Notes\nC1,Acme,"' + "word " * 10_000_000 + '"\n',
                    encoding="utf-8")  # fmt: skip
    grid = crmsheet.reader.read_grids(path)[0]
    start = time.perf_counter()
    layout = layout_table(grid)
    took = time.perf_counter() - start
    assert layout.role == "customers" and layout.header_row == 1
    assert took < 3.0, took


def test_a_file_that_is_one_huge_field_gets_a_short_header(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text('"' + "x " * 5_000_000 + '"\n', encoding="utf-8")
    grid = crmsheet.reader.read_grids(path)[0]
    layout = layout_table(grid)
    assert layout.role is None
    assert len(layout.headers[0]) <= 32_767
