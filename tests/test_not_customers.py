"""Suppliers and competitors on the customer sheet are not customers (issue 18's review).

The ``type`` field promises to keep prospects and suppliers apart from the customers who pay
you: a row whose type reads as a supplier (Vendor, Supplier) or a competitor, and that has
bought nothing, is neither a customer nor a prospect in any figure. One that has bought is a
customer like any other (a supplier can also be a customer).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

import crmsheet

AS_OF = date(2026, 11, 1)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "Customer ID,Name,Type\nC1,Acme,Customer\nC2,Bolt Supplies,Vendor\nC3,Cedar,Prospect\n"
        "C4,Rival Ltd,Competitor\nC5,Dune,Supplier\n",
        encoding="utf-8",
    )
    sales = tmp_path / "sales.csv"
    sales.write_text("Date,Customer ID,Amount\n2026-05-01,C1,100\n2026-06-01,C5,50\n",
                     encoding="utf-8")  # fmt: skip
    return customers, sales


def test_a_supplier_that_has_not_bought_is_no_customer_and_no_prospect(
    files: tuple[Path, Path],
) -> None:
    customers, sales = files
    data = crmsheet.read(customers, transactions=sales, as_of=AS_OF)
    result = crmsheet.analyze(data, as_of=AS_OF)
    status = result.customers["status"].to_dict()
    assert status == {"C1": "lapsing", "C2": "not a customer", "C3": "prospect",
                      "C4": "not a customer", "C5": "active"}  # fmt: skip
    assert result.customers.loc["C2", "status_reason"] == "no purchase; its type is supplier"
    h = result.headline
    # by hand: 5 rows, 2 of them a supplier and a competitor that never bought
    assert (h.customers, h.prospects, h.not_customers) == (3, 1, 2)
    seg = result.segments.set_index(["dimension", "segment"])
    assert seg.loc[("type", "supplier"), ["customers", "prospects"]].tolist() == [1, 0]  # Dune
    assert seg.loc[("type", "competitor"), ["customers", "prospects"]].tolist() == [0, 0]


def test_the_summary_counts_them_apart(files: tuple[Path, Path], tmp_path: Path) -> None:
    customers, sales = files
    out = crmsheet.enrich(customers, transactions=sales, as_of=AS_OF,
                          output=tmp_path / "out.xlsx").output  # fmt: skip
    book = openpyxl.load_workbook(out, read_only=True)
    try:
        summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
        rows = list(book["Customers"].iter_rows(values_only=True))
    finally:
        book.close()
    assert summary["Customers"] == 3
    assert summary["Suppliers and competitors (not counted)"] == 2
    header = list(rows[0])
    status = {r[header.index("Customer ID")]: r[header.index("Status")] for r in rows[1:]}
    assert status["C2"] == status["C4"] == "not a customer"


def test_a_second_run_reads_the_status_back_from_the_history(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    customers, sales = files
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(customers, transactions=sales, as_of=AS_OF, output=out)
    with_history = crmsheet.enrich(customers, transactions=sales, as_of=date(2026, 12, 1),
                                   output=out, overwrite=True)  # fmt: skip
    history = crmsheet.history(with_history.output)
    assert set(history.loc[history["customer_key"] == "C2", "status"]) == {"not a customer"}
