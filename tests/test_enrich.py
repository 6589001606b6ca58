"""The enriched workbook, opened again and checked cell by cell."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from test_read import write_book

import crmsheet
from crmsheet import OutputFileError, Settings
from crmsheet.cli import main
from crmsheet.workbook import SHEETS

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"

AS_OF = date(2026, 6, 30)
d = datetime


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """The workbook of test_analysis_core, plus text that looks like formulas."""
    return write_book(tmp_path / "shop.xlsx", {
        "Customers": [
            ["Customer ID", "Name", "Support plan", "Rating", "Rating override", "Next follow-up",
             "Notes", "Own column"],
            ["A1", "Alpha", "Base", "B", None, d(2026, 6, 1), "=HYPERLINK(\"http://x\")", 1],
            ["B2", "Beta", "Premium", None, None, None, "+1 555 0100", 2],
            ["C3", "Gamma", None, None, None, None, "@someone", 3],
            ["D4", "=1+1", None, None, "A", None, "-5 apples", 4],
        ],
        "Invoices": [
            ["Invoice", "Date", "Customer ID", "Qty", "Unit price", "Discount", "Amount", "Type"],
            ["INV1", d(2025, 7, 10), "A1", None, None, None, 60, None],
            ["INV1", d(2025, 7, 10), "A1", None, None, None, 40, None],
            ["INV2", d(2026, 1, 10), "A1", None, None, None, 200, None],
            ["INV3", d(2026, 6, 20), "A1", None, None, None, 300, None],
            ["INV4", d(2026, 3, 1), "B2", 10, 10, 0.2, None, None],
            ["C5", d(2026, 4, 1), "B2", None, None, None, -30, None],
            ["Q6", d(2026, 5, 1), "A1", None, None, None, 1000, "Quote"],
            ["INV7", d(2024, 1, 1), "D4", None, None, None, 50, None],
            ["INV8", d(2026, 6, 29), "E5", None, None, None, 20, None],
        ],
        "Support": [["Customer ID", "Opened", "Cases"], ["A1", d(2026, 2, 1), 13]],
        "Marketing": [["Month", "Channel", "Spend"], [d(2026, 1, 1), "Web", 100]],
    })  # fmt: skip


@pytest.fixture
def enriched(shop: Path) -> tuple[Path, crmsheet.EnrichResult]:
    result = crmsheet.enrich(shop, as_of=AS_OF)
    return shop.with_name("shop.enriched.xlsx"), result


def column(ws: openpyxl.worksheet.worksheet.Worksheet, header: str) -> list[object]:
    headers = [c.value for c in ws[1]]
    i = headers.index(header)
    return [row[i].value for row in ws.iter_rows(min_row=2)]


def test_every_sheet_is_a_table_with_a_frozen_header(enriched: tuple[Path, object]) -> None:
    path, _ = enriched
    book = openpyxl.load_workbook(path)
    assert tuple(book.sheetnames) == SHEETS
    for name in SHEETS[1:]:
        if name in ("Forecast", "Changes"):  # drawn like the Summary (test_forecast_sheet.py)
            continue
        ws = book[name]
        assert len(ws.tables) == 1, name
        (table,) = ws.tables.values()
        assert table.ref.startswith("A1:"), name
        assert ws.freeze_panes == "A2", name


def test_customers_sheet_keeps_the_users_columns_then_adds_the_enriched_ones(
    enriched: tuple[Path, object],
) -> None:
    path, _ = enriched
    ws = openpyxl.load_workbook(path)["Customers"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["Customer ID", "Name", "Support plan", "Rating", "Rating override",
                           "Next follow-up", "Notes", "Own column"]  # fmt: skip
    assert headers[8:12] == ["Rating (crmsheet)", "Why this rating", "Status", "Why this status"]
    assert column(ws, "Customer ID") == ["A1", "B2", "C3", "D4", "E5"]
    assert column(ws, "Own column") == [1, 2, 3, 4, None]
    assert column(ws, "Rating") == ["B", None, None, None, None]  # the sheet's, unchanged
    assert column(ws, "Rating (crmsheet)") == ["B", "C", "unrated", "A", "C"]
    assert column(ws, "Status") == ["active", "active", "prospect", "lapsed", "new"]
    assert column(ws, "Revenue (lifetime)") == [600, 50, 0, 50, 20]
    assert column(ws, "Next follow-up")[0] == d(2026, 6, 1)
    assert column(ws, "Last purchase")[:2] == [d(2026, 6, 20), d(2026, 3, 1)]
    i = headers.index("Revenue (lifetime)")
    assert ws.cell(row=2, column=i + 1).number_format == "#,##0.00"
    i = headers.index("Last purchase")
    assert ws.cell(row=2, column=i + 1).number_format == "yyyy-mm-dd"
    assert ws.conditional_formatting, "ratings and statuses are coloured"


def test_text_that_looks_like_a_formula_stays_text(enriched: tuple[Path, object]) -> None:
    path, _ = enriched
    ws = openpyxl.load_workbook(path)["Customers"]
    notes = column(ws, "Notes")
    assert notes[:4] == ['=HYPERLINK("http://x")', "+1 555 0100", "@someone", "-5 apples"]
    assert column(ws, "Name")[3] == "=1+1"
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} became a formula"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)
        assert not any(n.startswith("xl/worksheets/_rels") and "hyperlink" in z.read(n).decode()
                       for n in z.namelist())  # fmt: skip


def test_ratings_lapsed_and_follow_ups_sheets(enriched: tuple[Path, object]) -> None:
    path, _ = enriched
    book = openpyxl.load_workbook(path)
    ratings = book["Ratings"]
    assert column(ratings, "Customer") == ["A1", "B2", "C3", "D4", "E5"]
    assert column(ratings, "Why this rating")[1] == (
        "B on revenue (50 in the last 12 months, top 97 % cumulative); grinds on price "
        "(average discount 20 %): down one to C"
    )
    i = [c.value for c in ratings[1]].index("Share of revenue")
    assert ratings.cell(row=2, column=i + 1).number_format == "0.0%"
    assert column(book["Lapsed"], "Customer") == ["D4"]
    assert column(book["Lapsed"], "Value at risk (last active year)") == [50]
    follow = book["Follow-ups"]
    assert list(zip(column(follow, "Action"), column(follow, "Customer"), strict=True)) == [
        ("overdue", "A1"),
        ("set a follow-up", "D4"),
        ("thank you", "A1"),
        ("thank you", "E5"),
    ]


def test_summary_has_the_headline_the_actions_and_three_native_charts(
    enriched: tuple[Path, crmsheet.Analysis],
) -> None:
    path, result = enriched
    ws = openpyxl.load_workbook(path)["Summary"]
    labels = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, 15)}
    assert labels["Customers"] == 5  # a number, formatted as a count
    assert ws.cell(row=4, column=2).number_format == "#,##0"
    assert (labels["A customers"], labels["B customers"], labels["C customers"]) == (1, 1, 2)
    assert labels["Lapsed customers"] == 1
    assert labels["Lapsed customers' revenue in their last active year"] == 50
    texts = [ws.cell(row=r, column=1).value or "" for r in range(1, 30)]
    assert texts[texts.index("What to do first") + 1 :][:3] == [
        # named, the name as typed (a formula-looking name stays text)
        "1. Your lapsed A customer, =1+1, was worth 50 in their last year: call them (see Lapsed).",
        "2. 1 follow-up is overdue (see Follow-ups).",
        "3. 1 A customer has no next follow-up date: set one.",
    ]
    assert result.analysis.headline.rated_A == 1
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3


def test_enrich_returns_what_it_did(enriched: tuple[Path, crmsheet.EnrichResult]) -> None:
    path, result = enriched
    assert isinstance(result, crmsheet.EnrichResult)
    assert isinstance(result.analysis, crmsheet.Analysis)
    assert isinstance(result.data, crmsheet.CrmData) and result.data.rows_kept > 0
    assert (result.output, result.backup) == (path, None)
    assert repr(result) == f"<EnrichResult written to {path}: {result.analysis!r}>"
    shown = result._repr_html_()  # what a notebook displays: the summary, then where
    assert "What to do first" in shown and f"<code>{path}</code>" in shown
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.output = path  # type: ignore[misc]


def test_settings_sheet_records_the_run(enriched: tuple[Path, object]) -> None:
    path, _ = enriched
    ws = openpyxl.load_workbook(path)["Settings"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert values["as_of"] == "2026-06-30"
    assert values["lapse_days"] == "365"
    assert values["crmsheet_version"] == crmsheet.__version__
    assert values["input: shop.xlsx / Invoices"] == "transactions"
    assert values["  Unit price"] == "unit_price"


def test_input_is_never_changed_and_output_is_never_overwritten_silently(shop: Path) -> None:
    before = hashlib.sha256(shop.read_bytes()).hexdigest()
    crmsheet.enrich(shop, as_of=AS_OF)
    assert hashlib.sha256(shop.read_bytes()).hexdigest() == before
    with pytest.raises(OutputFileError, match="already exists"):
        crmsheet.enrich(shop, as_of=AS_OF)
    crmsheet.enrich(shop, as_of=AS_OF, overwrite=True)
    with pytest.raises(OutputFileError, match="never writes over its input"):
        crmsheet.enrich(shop, as_of=AS_OF, output=shop, overwrite=True)
    assert sorted(p.name for p in shop.parent.iterdir()) == ["shop.enriched.xlsx", "shop.xlsx"]


def test_cli_enrich_prints_a_summary(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = shop.with_name("settings.toml")
    settings.write_text("[settings]\nlapse_days = 100\n", encoding="utf-8")
    out = shop.with_name("out.xlsx")
    code = main(["enrich", str(shop), "--as-of", "2026-06-30", "-o", str(out),
                 "--settings", str(settings)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "A / B / C customers: 1 / 1 / 2" in printed
    assert f"Wrote {out}" in printed
    ws = openpyxl.load_workbook(out)["Settings"]
    assert {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}["lapse_days"] == "100"
    assert main(["enrich", str(shop), "-o", str(out)]) == 2  # exists, no --force


def test_bad_settings_file_is_a_clear_error(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = shop.with_name("bad.toml")
    bad.write_text("pareto_a = 3\n", encoding="utf-8")
    assert main(["enrich", str(shop), "--settings", str(bad)]) == 2
    assert "setting pareto_a" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        (
            "lapse_day = 90\n",
            "setting lapse_day: crmsheet has no such setting; did you mean lapse_days?",
        ),
        ("zzz = 1\n", "setting zzz: crmsheet has no such setting (the README lists them)"),
        (
            'base_currency = "XXQ"\n',
            "setting base_currency: 'XXQ' is not a currency; write its "
            "ISO code, e.g. EUR, USD, GBP",
        ),
        (
            '[rates]\nEUR = "abc"\n',
            "setting rates: the rate of EUR ('abc') is not a number above 0",
        ),
    ],
)
def test_a_bad_setting_names_the_file_and_says_it_plainly(
    shop: Path, capsys: pytest.CaptureFixture[str], toml: str, said: str
) -> None:
    bad = shop.with_name("bad.toml")
    bad.write_text(toml, encoding="utf-8")
    for command in ("validate", "enrich"):
        assert main([command, str(shop), "--settings", str(bad)]) == 2
        err = " ".join(capsys.readouterr().err.split())
        assert f"{bad}: {said}" in err, err
        assert "Value error" not in err and "Extra inputs" not in err, err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_output_opens_in_libreoffice(enriched: tuple[Path, object], tmp_path: Path) -> None:
    path, _ = enriched
    out = tmp_path / "pdf"
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "pdf", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    pdf = out / "shop.enriched.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000


def test_settings_change_the_analysis(shop: Path) -> None:
    result = crmsheet.enrich(shop, as_of=AS_OF, settings=Settings(lapse_days=200),
                             output=shop.with_name("strict.xlsx"))  # fmt: skip
    # one purchase, 121 days ago: past half of 200 days
    assert result.analysis.customers.loc["B2", "status"] == "lapsing"


def test_a_settings_sheet_in_the_input_is_used_and_a_toml_file_wins(
    shop: Path, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(shop)
    ws = book.create_sheet("Settings")
    ws.append(["crmsheet settings", None, None])
    ws.append(["Setting", "Value", "What it means"])
    ws.append(["Lapse days", 200, "no purchase for this long: lapsed"])
    ws.append(["thank_you_days", 5, None])
    path = tmp_path / "with_settings.xlsx"
    book.save(path)
    result = crmsheet.enrich(path, as_of=AS_OF)
    used = result.analysis.settings
    assert (used.lapse_days, used.thank_you_days) == (200, 5)
    assert result.analysis.customers.loc["B2", "status"] == "lapsing"
    toml = tmp_path / "s.toml"
    toml.write_text("lapse_days = 400\n", encoding="utf-8")
    result = crmsheet.enrich(path, as_of=AS_OF, settings=toml, overwrite=True)
    used = result.analysis.settings
    assert (used.lapse_days, used.thank_you_days) == (400, 5)
    problems = crmsheet.read(path, as_of=AS_OF).problems.frame
    assert "unusable-sheet" not in set(problems["code"])


def test_headers_that_clash_with_enriched_columns_get_a_free_name(tmp_path: Path) -> None:
    src = tmp_path / "clash.csv"
    src.write_text(
        "Customer ID,Name,Status,Status (crmsheet),Purchases\nC1,Ann,vip,x,lots\nC2,Bob,,y,few\n",
        encoding="utf-8",
    )
    out = tmp_path / "clash.enriched.xlsx"
    crmsheet.enrich(src, output=out, as_of=date(2026, 11, 1))
    ws = openpyxl.load_workbook(out)["Customers"]
    header = [c.value for c in ws[1]]
    assert len(header) == len(set(header))
    assert header[:5] == ["Customer ID", "Name", "Status", "Status (crmsheet)", "Purchases"]
    assert "Status (crmsheet 2)" in header and "Purchases (crmsheet)" in header
    assert [ws.cell(row=r, column=4).value for r in (2, 3)] == ["x", "y"]  # the user's own


def test_an_enriched_workbook_is_refused_as_input(tmp_path: Path) -> None:
    out = tmp_path / "sample.enriched.xlsx"
    crmsheet.enrich(SAMPLE, output=out, as_of=date(2026, 11, 1))
    with pytest.raises(crmsheet.NoUsableDataError, match="enriched workbook that crmsheet wrote"):
        crmsheet.read(out, as_of=date(2026, 11, 1))
    with pytest.raises(crmsheet.NoUsableDataError, match="original customer file"):
        crmsheet.enrich(out, output=tmp_path / "again.xlsx", as_of=date(2026, 11, 1))
