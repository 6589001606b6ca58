"""The Changes sheet (issue 17), right after the Summary: reopened with openpyxl, cell by cell.

Two runs of the shop in tests/history_data.py: Bolt slipped from A to B, Cedar lapsed, Elm
is new. The migration matrix counts and sums them, a native stacked chart is fed from it,
and every section names the customer and their contact columns.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from history_data import RUNS, export

import crmsheet
from crmsheet.workbook.changes import SECTION_ROWS


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("changes")
    out = folder / "shop.enriched.xlsx"
    crmsheet.enrich(export(folder / "sep.xlsx", RUNS[0]), output=out, as_of=RUNS[0])
    crmsheet.enrich(export(folder / "oct.xlsx", RUNS[1]), output=out, as_of=RUNS[1],
                    overwrite=True)  # fmt: skip
    return out


def cells(path: Path) -> list[list[object]]:
    book = openpyxl.load_workbook(path)
    ws = book["Changes"]
    return [[c.value for c in row] for row in ws.iter_rows()]


def find(rows: list[list[object]], first: object) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def test_it_follows_the_summary_and_says_since_when(two_runs: Path) -> None:
    book = openpyxl.load_workbook(two_runs, read_only=True)
    names = book.sheetnames
    book.close()  # a read-only book holds its file open until closed
    assert names[:2] == ["Summary", "Changes"] and names[-1] == "History"
    rows = cells(two_runs)
    assert rows[0][0] == "What changed since the last run"
    assert rows[1][0] == "as of 2026-10-01, since the run of 2026-09-01"
    assert [r[0] for r in rows[3:6]] == ["1 A customer slipped to B", "1 customer lapsed",
                                         "1 new customer"]  # fmt: skip


def test_the_migration_matrix_counts_and_revenue(two_runs: Path) -> None:
    rows = cells(two_runs)
    top = find(rows, "Customers: from")
    assert rows[top][1:5] == ["to A", "to B", "to C", "to lost"]
    assert rows[top + 6][0] == "Revenue (12 months): from"
    matrix = {r[0]: r[1:5] for r in rows[top + 1 : top + 5]}
    assert matrix == {"A": [2, 1, 0, 0], "B": [0, 1, 0, 0], "C": [0, 0, 1, 1],
                      "new": [0, 0, 1, 0]}  # fmt: skip
    revenue = {r[0]: r[1:5] for r in rows[top + 7 : top + 11]}
    assert revenue["A"] == [24000 + 7200, 2400, 0, 0]  # Acme and Fig; Bolt now
    assert revenue["C"][3] == 350  # Cedar's 12 months at the run before
    assert revenue["new"][2] == 100  # Elm


def test_a_native_stacked_chart_is_fed_from_the_matrix(two_runs: Path) -> None:
    with zipfile.ZipFile(two_runs) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    ours = [c for c in charts if "Rating migration" in c and "Rating at 2026-09-01" in c]
    assert len(ours) == 1
    chart = ours[0]
    assert "<c:barChart>" in chart and '<c:grouping val="stacked"/>' in chart
    assert chart.count("<c:ser>") == 4 and "Changes!$B$" in chart


def test_each_section_names_the_customer_and_their_contact(two_runs: Path) -> None:
    rows = cells(two_runs)
    i = find(rows, "Rating moves (1)")
    header = rows[i + 1]
    assert header[:5] == ["Customer", "Name", "Email", "Before", "Now"]
    bolt = dict(zip(header, rows[i + 2], strict=True))
    assert (bolt["Customer"], bolt["Name"], bolt["Email"]) == ("BO", "Bolt", "bo@example.com")
    assert (bolt["Before"], bolt["Now"]) == ("A", "B")
    assert bolt["Revenue (12 months) before"] == 11400 and bolt["Revenue (12 months)"] == 2400
    assert str(bolt["Why"]).startswith("B on revenue")
    j = find(rows, "Newly lapsed (1)")
    cedar = dict(zip(rows[j + 1], rows[j + 2], strict=True))
    assert (cedar["Name"], cedar["Before"], cedar["Now"]) == ("Cedar", "lapsing", "lapsed")
    assert "usually buys every" in str(cedar["Why"])
    k = find(rows, "New customers (1)")
    assert rows[k + 2][:2] == ["EL", "Elm"]
    assert find(rows, "Biggest 12-month revenue drops (3)") > k
    with pytest.raises(StopIteration):
        find(rows, "Won back (1)")  # nobody came back between these two runs
    assert SECTION_ROWS >= 100


def test_a_change_carries_the_columns_the_call_lists_carry(tmp_path: Path) -> None:
    def with_own_columns(path: Path) -> Path:
        book = openpyxl.load_workbook(path)
        ws = book["Customers"]
        ws.cell(1, 5, "Account manager")
        ws.cell(1, 6, "Region")
        for r in range(2, ws.max_row + 1):
            key = ws.cell(r, 1).value
            ws.cell(r, 5, "Priya" if key in ("BO", "CE") else None)
            ws.cell(r, 6, f"Region of {key}")
        book.save(path)
        return path

    out = tmp_path / "shop.enriched.xlsx"
    settings = crmsheet.Settings(carry_columns=("Region",))
    for run, overwrite in ((RUNS[0], False), (RUNS[1], True)):
        source = with_own_columns(export(tmp_path / f"{run}.xlsx", run))
        crmsheet.enrich(source, output=out, as_of=run, overwrite=overwrite, settings=settings)
    rows = cells(out)
    i = find(rows, "Rating moves (1)")
    header = rows[i + 1]
    # after the contact columns: the account manager (carried by its header) and Region
    assert header[:6] == ["Customer", "Name", "Email", "Account manager", "Region", "Before"]
    assert header[-1] == "Why"
    bolt = dict(zip(header, rows[i + 2], strict=True))
    assert (bolt["Customer"], bolt["Account manager"], bolt["Region"]) == (
        "BO", "Priya", "Region of BO")  # fmt: skip
    k = find(rows, "New customers (1)")
    elm = dict(zip(rows[k + 1], rows[k + 2], strict=True))
    assert (elm["Customer"], elm["Account manager"], elm["Region"]) == ("EL", None, "Region of EL")


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    first = export(tmp_path / "sep.xlsx", RUNS[0])
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(first, output=out, as_of=RUNS[0])
    formula = '=HYPERLINK("http://x")'  # Elm's name: text that looks like a formula
    second = export(tmp_path / "oct.xlsx", RUNS[1], names={"EL": formula})
    crmsheet.enrich(second, output=out, as_of=RUNS[1], overwrite=True)
    rows = cells(out)
    k = find(rows, "New customers (1)")
    assert rows[k + 2][1] == formula
    with zipfile.ZipFile(out) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet2.xml")
