"""The enriched sample's Forecast sheet, right after RFM: numbers with formats and a line chart;
Customers and RFM carry Expected spend (12 months) and Customer value, never negative."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import crmsheet
from crmsheet.workbook import SHEETS

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_customers.xlsx"
AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forecast") / "sample.enriched.xlsx"
    crmsheet.enrich(SAMPLE, as_of=AS_OF, output=out, overwrite=True)
    return out


def test_the_forecast_sheet_follows_rfm(enriched: Path) -> None:
    book = openpyxl.load_workbook(enriched, read_only=True)
    names = book.sheetnames
    book.close()  # a read-only book holds its file open until closed
    assert names == list(SHEETS)
    assert names.index("Forecast") == names.index("RFM") + 1


def test_its_figures_are_numbers_with_formats(enriched: Path) -> None:
    ws = openpyxl.load_workbook(enriched)["Forecast"]
    cells = {c.coordinate: c for row in ws.iter_rows() for c in row if c.value is not None}
    labels = {c.value: c for c in cells.values() if isinstance(c.value, str)}
    numbers = [c for c in cells.values() if c.data_type == "n"]
    assert len(numbers) > 40
    assert all(c.number_format != "General" for c in numbers)
    # the held-out purchases, the parameters with standard errors, the bucket table
    happened = labels["Purchases that happened"]
    assert (
        ws.cell(happened.row, 2).value == 555 and ws.cell(happened.row, 2).number_format == "#,##0"
    )
    assert "Standard error" in labels and "Repeat purchases before the holdout" in labels
    bucket = labels["Repeat purchases before the holdout"]
    buckets = [ws.cell(bucket.row + i, 1).value for i in range(1, 9)]
    assert buckets == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    customers = [ws.cell(bucket.row + i, 2).value for i in range(1, 9)]
    assert sum(customers) == ws.cell(labels["Customers checked"].row, 2).value
    assert ws.cell(bucket.row + 1, 3).number_format == "#,##0.00"


def test_it_has_a_native_line_chart_of_predicted_against_actual(enriched: Path) -> None:
    with zipfile.ZipFile(enriched) as book:
        charts = [book.read(n).decode() for n in book.namelist() if n.startswith("xl/charts/")]
    lines = [c for c in charts if "<c:lineChart>" in c and "Forecast" in c]
    assert len(lines) == 1
    assert "Actual" in lines[0] and "Predicted (" in lines[0]


def test_spend_and_value_on_customers_and_rfm_are_money_and_never_negative(enriched: Path) -> None:
    book = openpyxl.load_workbook(enriched)
    for sheet in ("Customers", "RFM"):
        ws = book[sheet]
        headers = [c.value for c in ws[1]]
        for header in ("Expected spend (12 months)", "Customer value"):
            assert header in headers, (sheet, header)
            i = headers.index(header) + 1
            cells = [ws.cell(r, i) for r in range(2, ws.max_row + 1)]
            values = [c.value for c in cells if c.value is not None]
            assert len(values) > 250 and min(values) >= 0
            assert {c.number_format for c in cells if c.value is not None} == {"#,##0.00"}


def test_a_lapsed_customer_with_a_high_p_alive_is_explained(enriched: Path) -> None:
    """On the sample the chosen model finds customers seldom leave: lapsed customers keep a
    high P(alive), and the Lapsed sheet says why beside the table."""
    book = openpyxl.load_workbook(enriched)
    ws = book["Lapsed"]
    headers = [c.value for c in ws[1]]
    status, alive = headers.index("Status"), headers.index("P(alive)")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    high = sum(1 for r in rows if r[status] == "lapsed" and (r[alive] or 0) > 0.5)
    notes = " ".join(str(c.value) for c in ws[1][len([h for h in headers if h]) :] if c.value)
    assert high > 0
    assert f"{high:,} lapsed customers still show P(alive) above 50 %" in notes
    assert "no purchase for 365 days" in notes
