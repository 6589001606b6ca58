"""An invoice number starting with C: a credit note, or the shop's own numbering, never silently.

Online Retail (UCI) marks cancellations with a C and a negative quantity; other shops number
every invoice C1001, C1002... Both are read as the sheet says, and a positive amount that the
number alone would subtract is one warning naming what crmsheet did and how to tell it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from accounting import assert_rows_accounted_for
from test_read import write_book

import crmsheet

AS_OF = date(2026, 11, 1)
CUSTOMERS = [["Customer ID", "Company"], ["K1", "Acme Ltd"], ["K2", "Bayside Builders"]]


def _read(tmp_path: Path, sales: list[list[object]]) -> crmsheet.CrmData:
    path = write_book(tmp_path / "book.xlsx", {"Customers": CUSTOMERS, "Sales": sales})
    data = crmsheet.read(path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    return data


def _warnings(data: crmsheet.CrmData) -> list[dict[str, object]]:
    frame = data.problems.frame
    return frame[frame["code"] == "credit-by-number"].to_dict("records")  # type: ignore[no-any-return]


def test_c_numbering_of_every_invoice_is_not_a_credit(tmp_path: Path) -> None:
    day = datetime(2026, 5, 1)
    sales: list[list[object]] = [["Invoice", "Date", "Customer ID", "Amount"]]
    sales += [[f"C{1000 + i}", day, "K1" if i % 2 else "K2", 100.0] for i in range(9)]
    data = _read(tmp_path, sales)
    t = data.transactions
    assert (t["kind"] == "invoice").all() and t["amount"].sum() == pytest.approx(900.0)
    (warning,) = _warnings(data)
    assert warning["cell"] == "Sales!A2" and warning["value"] == "C1000"
    assert "read as your own invoice numbers" in str(warning["message"])
    assert "9 rows with a positive amount" in str(warning["message"])


def test_a_few_c_numbers_are_credits_with_a_warning(tmp_path: Path) -> None:
    day = datetime(2026, 5, 1)
    sales: list[list[object]] = [["Invoice", "Date", "Customer ID", "Amount"]]
    sales += [[f"INV{i}", day, "K1", 100.0] for i in range(5)]
    sales += [["C77", day, "K1", 30.0], ["C78", day, "K2", -20.0]]  # one positive, one negative
    data = _read(tmp_path, sales)
    t = data.transactions.set_index("invoice")
    assert t.loc["C77", "kind"] == "credit" and t.loc["C77", "amount"] == -30.0
    assert t.loc["C78", "kind"] == "credit" and t.loc["C78", "amount"] == -20.0
    (warning,) = _warnings(data)  # the negative one needs no warning: its amount says so
    assert warning["cell"] == "Sales!A7"
    assert "1 row with a positive amount is subtracted from revenue" in str(warning["message"])


def test_a_written_kind_wins_over_the_number(tmp_path: Path) -> None:
    day = datetime(2026, 5, 1)
    sales: list[list[object]] = [
        ["Invoice", "Date", "Customer ID", "Amount", "Type"],
        ["INV1", day, "K1", 100.0, "Invoice"],
        ["INV2", day, "K1", 100.0, "Invoice"],
        ["INV3", day, "K1", 100.0, "Invoice"],
        ["C10", day, "K2", 60.0, "Invoice"],
        ["C11", day, "K2", 25.0, "Credit note"],
    ]
    data = _read(tmp_path, sales)
    t = data.transactions.set_index("invoice")
    assert t.loc["C10", "kind"] == "invoice" and t.loc["C10", "amount"] == 60.0
    assert t.loc["C11", "kind"] == "credit" and t.loc["C11", "amount"] == -25.0
    assert _warnings(data) == []  # every row says what it is


def test_cancellations_with_negative_quantities_need_no_warning(tmp_path: Path) -> None:
    day = datetime(2026, 5, 1)
    sales: list[list[object]] = [
        ["InvoiceNo", "InvoiceDate", "CustomerID", "Quantity", "UnitPrice"],
        ["536365", day, "K1", 6, 2.55],
        ["C536379", day, "K1", -1, 27.5],
    ]
    data = _read(tmp_path, sales)
    t = data.transactions.set_index("invoice")
    assert t.loc["C536379", "kind"] == "credit" and t.loc["C536379", "amount"] == -27.5
    assert _warnings(data) == []
