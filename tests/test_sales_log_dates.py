"""A sales log whose date header is a verb ("Paid On", "Issued", "Posted") is a sales log.

Red-team pass: with such a header the date was not recognised, the sheet was read as a
customer list and a customer's second sale was rejected as a duplicate name (70 lost).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import crmsheet

AS_OF = date(2026, 11, 1)


@pytest.mark.parametrize(
    "header",
    [("Invoice", "Name", "Amount", "Paid On"), ("Invoice #", "Client", "Total", "Issued"),
     ("Txn", "Account", "Amount", "Posted"), ("Sale", "Customer", "Amount", "Day")],
)  # fmt: skip
def test_a_log_with_a_verb_for_its_date_is_sales(tmp_path: Path, header: tuple[str, ...]) -> None:
    path = tmp_path / "export.csv"
    rows = [",".join(header), "INV1,Acme,50,2025-01-01", "INV2,Beta,60,2025-01-02",
            "INV3,Acme,70,2025-03-02"]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = crmsheet.read(path, as_of=AS_OF)
    (table,) = data.tables
    assert table.role == "transactions", table.reason
    revenue = data.transactions.groupby("customer_key")["amount"].sum().to_dict()
    assert revenue == {"Acme": 120.0, "Beta": 60.0}
