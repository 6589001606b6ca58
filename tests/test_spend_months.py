"""A spend sheet's Month is read as a month however it is written (issue 20, item 14b).

On main ``202501`` was read as an Excel serial (2454-06-04) and ``2025-01``, ``Jan 2025``,
``01/2025``, ``January 2025`` and ``2025/01`` were rejected (no period: the row was lost).
Only the spend ``month`` field reads them so: elsewhere a date is a date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

import crmsheet
from crmsheet.parse import parse_date

AS_OF = date(2025, 12, 1)
MONTHS = ["2025-01", "Jan 2025", "01/2025", "January 2025", "2025/01", "Jan-25", "1/2025"]


def _read_spend(tmp_path: Path, months: list[object]) -> crmsheet.CrmData:
    """A spend workbook: one row per month cell (numbers stay numbers), amount 10 each."""
    path = tmp_path / "spend.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Spend")
    ws.write_row(0, 0, ["Source", "Month", "Amount"])
    for r, month in enumerate(months, start=1):
        ws.write_string(r, 0, "web")
        if isinstance(month, int):
            ws.write_number(r, 1, month)
        else:
            ws.write_string(r, 1, str(month))
        ws.write_number(r, 2, 10)
    book.close()
    return crmsheet.read(path, as_of=AS_OF)


@pytest.mark.parametrize("month", [202501, "202501", *MONTHS])
def test_a_month_written_any_way_is_that_month(tmp_path: Path, month: object) -> None:
    data = _read_spend(tmp_path, [month])
    assert data.problems.frame.empty, data.problems.frame["message"].tolist()
    row = data.spend.iloc[0]
    assert (row["period_start"], row["period_end"]) == (
        pd.Timestamp(2025, 1, 1), pd.Timestamp(2025, 1, 31),
    )  # fmt: skip


def test_impossible_months_are_reported_and_dates_stay_dates(tmp_path: Path) -> None:
    months: list[object] = [202513, "2025-13", "Foo 2025", "2025-03-15", 45717, "15/03/2025"]
    data = _read_spend(tmp_path, months)
    problems = data.problems.frame
    assert problems.loc[problems["code"] == "bad-date", "cell"].tolist() == [
        "Spend!B2", "Spend!B3", "Spend!B4",
    ]  # fmt: skip
    assert problems.loc[problems["code"] == "missing-period", "row"].tolist() == [2, 3, 4]
    starts = [d.date() for d in data.spend["period_start"]]
    assert starts == [date(2025, 3, 1)] * 3  # a date stands for its month


def test_month_forms_are_for_the_month_field_only(tmp_path: Path) -> None:
    """A transaction dated 202501 is still an Excel serial; "2025-01" is still no date."""
    values = parse_date(pd.Series([202501, "2025-01", "Jan 2025"])).values
    assert str(values.iloc[0].date()) == "2454-06-04" and values.iloc[1:].isna().all()
    sales = tmp_path / "sales.csv"
    sales.write_text("Customer,Date,Amount\nAcme,2025-01,10\nAcme,2025-01-05,20\n")
    data = crmsheet.read(sales, as_of=AS_OF)
    assert len(data.transactions) == 1
    assert "missing-date" in set(data.problems.frame["code"])


def test_the_spend_counts_in_the_roi(tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text("Name,Source,First purchase\nAcme,web,2025-02-01\n")
    sales = tmp_path / "t.csv"
    sales.write_text("Customer,Date,Amount\nAcme,2025-02-01,100\n")
    spend = tmp_path / "s.csv"
    spend.write_text("Source,Month,Amount\nweb,202501,10\nweb,Feb 2025,10\n")
    data = crmsheet.read(customers, sales, spend, as_of=AS_OF)
    assert data.problems.frame.empty, data.problems.frame["message"].tolist()
    assert list(data.spend["period_start"]) == [pd.Timestamp(2025, 1, 1), pd.Timestamp(2025, 2, 1)]
    assert data.spend["amount"].sum() == 20
