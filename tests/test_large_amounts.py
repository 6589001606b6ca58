"""Figures beyond any real amount are refused cell by cell, so no sum is ever inf (issue 20,
item 14a).

On main, two invoices of 1e308 summed to infinity ("Lapsed customers: 2 (worth inf in their
last year)") and a count of 1e308 crashed enrich. A cell beyond
:data:`crmsheet.parse.LARGEST_NUMBER` (1e15, either way) is now reported as out of range,
with its cell, and ignored.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import crmsheet
from crmsheet.cli import main

AS_OF = date(2025, 12, 1)


def _shop(tmp_path: Path) -> dict[str, Path]:
    files = {
        "customers": ("Name,Revenue,Orders\nAcme,1e308,1e308\nBeta,-1.7e308,3\nGamma,1e15,2\n"),
        "transactions": (
            "Customer,Date,Amount,Qty\n"
            "Acme,2024-03-01,1e308,1\n"  # row 2: amount
            "Acme,2024-04-01,,1e308\n"  # row 3: quantity (no amount)
            "Beta,2025-04-01,1e20,2\n"  # row 4: amount
            "Beta,2025-05-01,100,1\n"
            "Gamma,2025-06-01,1000000000000000,1\n"  # exactly the bound: kept
            "Gamma,2025-07-01,1e308,1\n"  # row 7: amount
        ),
        "spend": "Source,Month,Amount\nweb,2025-03-01,1e308\nweb,2025-04-01,50\n",
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_figures_beyond_the_bound_are_out_of_range_cells(tmp_path: Path) -> None:
    files = _shop(tmp_path)
    data = crmsheet.read(*files.values(), as_of=AS_OF)
    frame = data.problems.frame
    huge = frame[(frame["code"] == "out-of-range")]
    assert sorted(huge["cell"]) == sorted([
        "customers.csv!B2", "customers.csv!C2", "customers.csv!B3",
        "transactions.csv!C2", "transactions.csv!D3", "transactions.csv!C4",
        "transactions.csv!C7", "spend.csv!C2",
    ])  # fmt: skip
    assert huge["message"].str.contains("up to 1,000,000,000,000,000").all()
    assert (huge["severity"] == "error").all()
    assert data.transactions["amount"].abs().max() == 1e15  # the bound itself is kept
    for table in (data.customers, data.transactions, data.spend):
        numbers = table.select_dtypes("number")
        assert numbers.abs().max().max() <= 1e15


def _numbers_and_texts(path: Path) -> tuple[list[float], list[str]]:
    book = openpyxl.load_workbook(path)
    numbers, texts = [], []
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, bool):
                    continue
                if isinstance(value, int | float):
                    numbers.append(float(value))
                elif isinstance(value, str):
                    texts.append(value)
    book.close()
    return numbers, texts


def test_no_sum_in_the_enriched_book_or_the_summary_is_inf_or_nan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On main: exit 2 (a count of 1e308 could not become an integer); without the count,
    "worth inf" in the summary."""
    files = _shop(tmp_path)
    out = tmp_path / "out.xlsx"
    args = ["enrich", str(files["customers"]), "--transactions", str(files["transactions"]),
            "--spend", str(files["spend"]), "-o", str(out), "--as-of", str(AS_OF)]  # fmt: skip
    code = main(args)
    printed = capsys.readouterr()
    assert (code, printed.err) == (0, "")
    assert " inf" not in printed.out and "nan" not in printed.out
    numbers, texts = _numbers_and_texts(out)
    assert all(math.isfinite(n) for n in numbers)
    assert all(abs(n) < 1e30 for n in numbers)
    assert not [t for t in texts if t.startswith("#") or " inf" in t or "nan" in t.split()]
    summary = openpyxl.load_workbook(out)["Summary"]
    cells = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert cells["Revenue, last 12 months"] == 1_000_000_000_000_100
    assert math.isfinite(cells["Lapsed customers' revenue in their last active year"])


def test_two_huge_invoices_no_longer_make_an_infinite_lapsed_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: on main "Lapsed customers: 2 (worth inf in their last year)"."""
    customers = tmp_path / "c.csv"
    customers.write_text("Name\nAcme\nBeta\n", encoding="utf-8")
    sales = tmp_path / "t.csv"
    sales.write_text(
        "Customer,Date,Amount\nAcme,2024-03-01,1e308\nAcme,2024-04-01,1e308\n"
        "Beta,2025-04-01,100\nBeta,2025-05-01,1e308\n",
        encoding="utf-8",
    )
    args = ["enrich", str(customers), "--transactions", str(sales), "-o",
            str(tmp_path / "o.xlsx"), "--as-of", AS_OF.isoformat()]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "inf" not in printed.replace("info", "")
    assert "rejected: 3" in printed
