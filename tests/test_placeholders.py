"""A placeholder in a customer column ("N/A", "-", "guest") names no customer (red-team pass).

On main each became a customer of its own: customer "N/A" could top the revenue ranking.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 11, 1)


def test_placeholder_customer_references_are_no_customers(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("Customer ID,Name\nC1,Ann\nC2,Bob\n-,-\nN/A,N/A\n", encoding="utf-8")
    sales = tmp_path / "sales.csv"
    sales.write_text(
        "Date,Customer ID,Amount\n2026-01-05,C1,100\n2026-01-06,N/A,1000\n2026-01-07,guest,500\n"
        "2026-01-08,?,50\n2026-01-09,C2,20\n",
        encoding="utf-8",
    )
    data = crmsheet.read(customers, transactions=sales, as_of=AS_OF)
    assert sorted(data.customers["customer_key"]) == ["C1", "C2"]
    assert sorted(data.transactions["customer_key"]) == ["C1", "C2"]
    codes = data.problems.frame.groupby("code")["row"].apply(sorted).to_dict()
    assert codes["missing-customer"] == [3, 4, 5]  # each sale of no one known is said
    assert codes["missing-id-and-name"] == [4, 5]
    assert_rows_accounted_for(data)


def test_a_customer_called_x_ray_is_still_a_customer(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("Customer ID,Name\nC1,X-Ray Ltd\nC2,None Such Bakery\n", encoding="utf-8")
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers["name"].tolist() == ["X-Ray Ltd", "None Such Bakery"]
