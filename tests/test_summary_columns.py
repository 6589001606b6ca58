"""The customer sheet's own totals and dates against the transactions (issue 14, check 1).

Each test writes a real workbook (a customer sheet with its own summary columns, a
transactions sheet) to tmp_path, reads it with ``crmsheet.read(..., as_of=...)`` and looks
for the ``summary-disagrees`` warnings: on the customer sheet's cell, naming both values.
The expected figures are computed here from the rows the test wrote.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import TESTDATA, shared

import crmsheet

AS_OF = date(2026, 11, 1)
CODE = "summary-disagrees"


def _book(path: Path, customers: list[list[Any]], sales: list[list[Any]]) -> Path:
    """A workbook with a Customers and a Transactions sheet (first list: the headers)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    for row in customers:
        sheet.append(row)
    log = book.create_sheet("Transactions")
    for row in sales:
        log.append(row)
    book.save(path)
    return path


SALES_HEADER = ["Invoice No", "Date", "Customer ID", "Amount", "Status"]


def _sales() -> list[list[Any]]:
    """C1: 3 orders (1,180.00), one cancelled order (not revenue) and one after AS_OF;
    C2: 2 orders (200.00); C3: 1 order (50.00)."""
    return [
        SALES_HEADER,
        ["INV1", datetime(2025, 3, 2), "C1", 500.0, "Completed"],
        ["INV2", datetime(2026, 1, 10), "C1", 380.0, "Completed"],
        ["INV3", datetime(2026, 10, 1, 16, 30), "C1", 300.0, "Paid"],
        ["INV4", datetime(2026, 10, 5), "C1", 999.0, "Cancelled"],
        ["INV5", datetime(2026, 11, 20), "C1", 70.0, "Completed"],  # after AS_OF
        ["INV6", datetime(2025, 6, 1), "C2", 120.0, "Completed"],
        ["INV7", datetime(2026, 2, 1), "C2", 80.0, "Completed"],
        ["INV8", datetime(2026, 5, 5), "C3", 50.0, "Completed"],
    ]


def _found(data: crmsheet.CrmData) -> pd.DataFrame:
    f = data.problems.frame
    return f.loc[f["code"] == CODE].reset_index(drop=True)


def test_total_count_and_dates_that_disagree_are_named_with_both_values(tmp_path: Path) -> None:
    customers = [
        ["Customer ID", "Company", "Total Spent", "Orders", "First Order", "Last Order"],
        ["C1", "Ironbark Renovations", 1250.0, 5, datetime(2025, 4, 1), datetime(2026, 9, 1)],
        # C2 agrees: within a currency unit, same count, same days
        ["C2", "Bayside Bakery", 200.6, 2, datetime(2025, 6, 1), datetime(2026, 2, 1)],
        ["C3", "Corner Shop", None, None, None, None],  # nothing to compare
        ["C4", "No Sales Yet", 900.0, 4, datetime(2024, 1, 1), datetime(2025, 1, 1)],
    ]
    path = _book(tmp_path / "book.xlsx", customers, _sales())
    data = crmsheet.read(path, as_of=AS_OF)
    found = _found(data)
    got = found[["sheet", "row", "column", "cell", "value", "severity"]].values.tolist()
    assert got == [
        ["Customers", 2, "Total Spent", "Customers!C2", "1,250.00", "warning"],
        ["Customers", 2, "Orders", "Customers!D2", "5", "warning"],
        ["Customers", 2, "First Order", "Customers!E2", "2025-04-01", "warning"],
        ["Customers", 2, "Last Order", "Customers!F2", "2026-09-01", "warning"],
    ]
    messages = found.set_index("column")["message"]
    # 500 + 380 + 300: the cancelled order and the one after AS_OF are not counted
    assert messages["Total Spent"].startswith(
        "Total Spent says 1,250.00; the transactions add up to 1,180.00 "
        "(3 orders up to 2026-11-01)."
    )
    assert messages["Orders"].startswith(
        "Orders says 5; the transactions count 3 orders up to 2026-11-01."
    )
    assert messages["First Order"].startswith(
        "First Order says 2025-04-01; the first transaction is on 2025-03-02."
    )
    assert messages["Last Order"].startswith(
        "Last Order says 2026-09-01; the last transaction up to 2026-11-01 is on 2026-10-01."
    )
    # a warning, not a change: crmsheet's figures still follow the transactions
    result = crmsheet.analyze(data, as_of=AS_OF)
    assert result.customers.loc["C1", "revenue"] == pytest.approx(1180.0)
    assert result.customers.loc["C1", "transactions"] == 3


def test_a_tolerance_of_one_unit_or_half_a_percent(tmp_path: Path) -> None:
    sales = [
        SALES_HEADER,
        ["INV1", datetime(2026, 1, 1), "C1", 100_000.0, "Completed"],
        ["INV2", datetime(2026, 1, 1), "C2", 100_000.0, "Completed"],
        ["INV3", datetime(2026, 1, 1), "C3", 10.0, "Completed"],
        ["INV4", datetime(2026, 1, 1), "C4", 10.0, "Completed"],
    ]
    customers = [
        ["Customer ID", "Company", "Total Spent"],
        ["C1", "A", 100_499.0],  # 0.499 %: agrees
        ["C2", "B", 100_600.0],  # 0.6 %: disagrees
        ["C3", "C", 10.99],  # under 1 unit: agrees
        ["C4", "D", 11.5],  # 1.5 units: disagrees
    ]
    data = crmsheet.read(_book(tmp_path / "b.xlsx", customers, sales), as_of=AS_OF)
    assert _found(data)[["row", "value"]].values.tolist() == [[3, "100,600.00"], [5, "11.50"]]


def test_client_since_before_the_first_purchase_is_normal(tmp_path: Path) -> None:
    customers = [
        ["Customer ID", "Company", "Client Since"],
        ["C1", "Ironbark Renovations", datetime(2024, 12, 1)],  # record before buying: fine
        ["C2", "Bayside Bakery", datetime(2025, 7, 1)],  # after the first purchase: warned
        ["C3", "Corner Shop", datetime(2026, 5, 5, 9, 15)],  # same day, other hour: fine
        ["C4", "Far Future", datetime(2027, 1, 1)],  # after AS_OF: a future date, not this
    ]
    data = crmsheet.read(_book(tmp_path / "b.xlsx", customers, _sales()), as_of=AS_OF)
    found = _found(data)
    assert found[["row", "column", "value"]].values.tolist() == [[3, "Client Since", "2025-07-01"]]
    assert found.loc[0, "message"].startswith(
        "Client Since says 2025-07-01; the first transaction is on 2025-06-01."
    )
    f = data.problems.frame
    on_sheet = f.loc[f["sheet"] == "Customers", ["row", "code"]].values.tolist()
    assert on_sheet == [[3, CODE], [5, "future-date"]]
    assert not [n for n in data.notes if "Client Since" in n]  # one in three: no note


def test_most_customers_disagreeing_alike_give_one_note(tmp_path: Path) -> None:
    """Totals 8 % above the transactions for four of five customers: tax included?"""
    sales = [SALES_HEADER]
    customers: list[list[Any]] = [["Customer ID", "Company", "Total Spent"]]
    for i in range(5):
        sales.append([f"INV{i}", datetime(2026, 3, 1 + i), f"C{i}", 100.0 * (i + 1), "Paid"])
        total = 100.0 * (i + 1) * (1.08 if i else 1.0)
        customers.append([f"C{i}", f"Customer {i}", total])
    data = crmsheet.read(_book(tmp_path / "b.xlsx", customers, sales), as_of=AS_OF)
    assert len(_found(data)) == 4
    notes = [n for n in data.notes if "Total Spent" in n]
    assert len(notes) == 1
    assert notes[0].startswith(
        "b.xlsx / Customers: Total Spent is higher than the transactions add up to for 4 of 5 "
        "customers: it probably counts something else, e.g. tax or shipping included"
    )


def test_a_customer_sheet_alone_is_not_compared(tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [["Customer ID", "Company", "Total Spent", "Last Order"],
                ["C1", "A", 100.0, datetime(2026, 1, 1)]]:  # fmt: skip
        sheet.append(row)
    book.save(path)
    data = crmsheet.read(path, as_of=AS_OF)
    assert _found(data).empty


def test_salesforce_created_dates_later_than_the_first_won_deal() -> None:
    """Salesforce's CREATEDDATE (the account record) against the accounts' won deals: every
    account with a won deal was created after its first one closed (the sample was loaded
    later), so each is warned and one note says the column dates something else."""
    folder = shared(TESTDATA / "real" / "exports" / "salesforce_dataloader")
    accounts = pd.read_csv(folder / "accountData.csv", encoding="cp1252", dtype=str)
    deals = pd.read_csv(folder / "opportunityData.csv", dtype=str)
    won = deals.loc[deals["STAGENAME"] == "Closed Won"]
    first = pd.to_datetime(won["CLOSEDATE"]).groupby(won["ACCOUNTID"]).min()
    created = pd.to_datetime(accounts.set_index("ID")["CREATEDDATE"].str[:10])[first.index]
    later = {k: (c.date().isoformat(), f.date().isoformat())
             for k, c, f in zip(first.index, created, first, strict=True) if c > f}  # fmt: skip
    assert len(later) == 3  # the file as the MANIFEST describes it

    data = crmsheet.read(folder / "accountData.csv", folder / "opportunityData.csv", as_of=AS_OF)
    found = _found(data)
    assert set(found["column"]) == {"CREATEDDATE"}
    rows = accounts.index[accounts["ID"].isin(list(later))] + 2  # Excel rows under the header
    assert sorted(found["row"]) == sorted(rows)
    ids = accounts.loc[found["row"] - 2, "ID"].tolist()
    for key, message in zip(ids, found["message"], strict=True):
        says, first_day = later[key]
        assert message.startswith(
            f"CREATEDDATE says {says}; the first transaction is on {first_day}."
        )
    notes = [n for n in data.notes if "CREATEDDATE" in n]
    assert notes == [
        "accountData.csv: CREATEDDATE is later than the first transaction for 3 of 3 "
        "customers: it probably records something else (when the record was created or "
        "changed), not the first purchase. crmsheet's figures follow the transactions."
    ]
