"""The blank templates: rebuilt and compared with the committed files, read back, filled in.

The committed ``templates/<kind>.xlsx`` are exactly what :func:`build_template` writes; a
filled-in template reads with every column on its intended field and no problems.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import crmsheet
from crmsheet.config import Settings
from crmsheet.errors import OutputFileError, SettingsError
from crmsheet.schema import ROLES, field_specs
from crmsheet.templates import (
    CHECKED_ROWS,
    KINDS,
    LISTS,
    SHEETS,
    TABLE_ROWS,
    build_all,
    build_template,
    template_columns,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
AS_OF = date(2026, 11, 1)
DATA_SHEETS = ("Customers", "Transactions", "Marketing Spend", "Support")
# Sheets that carry no data; the reader reports each as 'unusable-sheet' (a warning) today.
HELPER_SHEETS = {"Lists", "How to use"}


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def built(kind: str, tmp_path: Path) -> Path:
    return build_template(tmp_path / f"{kind}.xlsx", kind=kind)


# -- the committed files never drift --------------------------------------------------------


def _snapshot(path: Path) -> dict[str, Any]:
    """Everything a user sees, sheet by sheet, as openpyxl reads it."""
    book = openpyxl.load_workbook(path)
    sheets: dict[str, Any] = {}
    for ws in book.worksheets:
        sheets[ws.title] = {
            "state": ws.sheet_state,
            "freeze": ws.freeze_panes,
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "cells": {
                c.coordinate: (c.value, c.number_format)
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            },
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items())},
            "validations": sorted(
                (
                    str(v.sqref),
                    v.type,
                    v.operator,
                    v.formula1,
                    v.formula2,
                    v.errorStyle,
                    v.promptTitle,
                    v.prompt,
                    v.errorTitle,
                    v.error,
                )
                for v in ws.data_validations.dataValidation
            ),
            "tables": sorted(
                (t.name, t.ref, tuple(c.name for c in t.tableColumns)) for t in ws.tables.values()
            ),
        }
    return {"sheets": list(book.sheetnames), "by_sheet": sheets}


def test_committed_templates_are_what_build_template_writes(kind: str, built: Path) -> None:
    committed = TEMPLATES / f"{kind}.xlsx"
    assert committed.exists(), "run: python -m crmsheet.templates"
    want, got = _snapshot(committed), _snapshot(built)
    assert got["sheets"] == want["sheets"]
    for sheet in want["sheets"]:  # one sheet at a time: a failure names it
        assert got["by_sheet"][sheet] == want["by_sheet"][sheet], (
            f"{kind}: sheet {sheet} differs from templates/{kind}.xlsx; "
            "rebuild with: python -m crmsheet.templates"
        )


def test_a_rebuild_is_byte_identical(kind: str, built: Path, tmp_path: Path) -> None:
    again = build_template(tmp_path / "again.xlsx", kind=kind)
    assert again.read_bytes() == built.read_bytes()


def test_build_all_writes_every_kind(tmp_path: Path) -> None:
    paths = build_all(tmp_path / "out")
    assert [p.name for p in paths] == ["services.xlsx", "retail.xlsx", "b2b.xlsx"]


def test_an_unknown_kind_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="services, retail, b2b"):
        build_template(tmp_path / "x.xlsx", kind="shop")
    assert not (tmp_path / "x.xlsx").exists()


def test_an_existing_file_is_kept_unless_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"my own work")
    with pytest.raises(OutputFileError, match="already exists"):
        build_template(path)
    assert path.read_bytes() == b"my own work"
    build_template(path, overwrite=True)
    assert openpyxl.load_workbook(path).sheetnames == list(SHEETS)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.xlsx"]  # no temp file left


# -- what the workbook holds ------------------------------------------------------------------


def test_sheets_tables_and_hidden_lists(built: Path, kind: str) -> None:
    book = openpyxl.load_workbook(built)
    assert book.sheetnames == list(SHEETS)
    assert book["Lists"].sheet_state == "hidden"
    assert [book[s].sheet_state for s in SHEETS if s != "Lists"] == ["visible"] * 7
    columns = template_columns(kind)
    for sheet in DATA_SHEETS:
        ws = book[sheet]
        (table,) = ws.tables.values()
        headers = [c.name for c in table.tableColumns]
        assert headers == list(columns[sheet])
        assert table.ref.endswith(str(TABLE_ROWS + 1))
        assert ws.freeze_panes == "A2"


def _validations(ws: Any) -> dict[str, Any]:
    """Header -> the data validation on its column (one per column)."""
    headers = {c.column_letter: c.value for c in ws[1]}
    out = {}
    for v in ws.data_validations.dataValidation:
        (cells,) = v.sqref.ranges
        assert cells.min_row == 2 and cells.max_row == CHECKED_ROWS + 1
        assert cells.min_col == cells.max_col
        out[headers[openpyxl.utils.get_column_letter(cells.min_col)]] = v
    return out


def test_every_column_has_an_input_message_and_its_check(built: Path, kind: str) -> None:
    book = openpyxl.load_workbook(built)
    lists = book["Lists"]
    for sheet, columns in template_columns(kind).items():
        checks = _validations(book[sheet])
        assert set(checks) == set(columns), sheet
        for header, v in checks.items():
            assert v.showInputMessage and v.prompt and v.promptTitle == header[:32]
            assert len(v.prompt) <= 255
            if v.type == "list" and v.formula1.startswith("Lists!"):
                # the list the dropdown shows is exactly the list on the Lists sheet
                shown = [c.value for row in lists[v.formula1.split("!")[1]] for c in row]
                assert shown in [list(values) for _, values in LISTS.values()], header
    checks = _validations(book["Customers"])
    kinds = {h: (v.type, v.errorStyle or "stop") for h, v in checks.items()}  # stop: default
    assert kinds["Rating"] == ("list", "stop")
    assert kinds["Next follow-up"][0] == "date"
    source = "How did they find us?" if kind == "retail" else "Lead source"
    assert kinds[source] == ("list", "warning")  # their own words are allowed
    if kind != "retail":
        assert kinds["Industry"] == ("list", "warning")
    tx = {h: (v.type, v.operator or "between", v.errorStyle or "stop") for h, v in
          _validations(book["Transactions"]).items()}  # fmt: skip
    assert tx["Amount"] == ("decimal", "greaterThanOrEqual", "stop")
    assert tx["Discount"][:2] == ("decimal", "between")
    assert tx["Date"][0] == "date"
    assert tx["Type"][0] == "list"
    assert _validations(book["Marketing Spend"])["Source"].type == "list"


def test_formats(built: Path) -> None:
    book = openpyxl.load_workbook(built)
    # xlsxwriter stores column formats as column styles: a typed value takes them
    tx = book["Transactions"]
    styles = {tx.cell(1, c).value: tx.column_dimensions[tx.cell(1, c).column_letter]
              for c in range(1, tx.max_column + 1)}  # fmt: skip
    assert styles["Date"].number_format == "yyyy-mm-dd"
    assert styles["Amount"].number_format == "#,##0.00"
    assert styles["Discount"].number_format == "0.0%"


def test_help_is_short_enough_for_an_input_message() -> None:
    helps = [spec for role in ROLES for spec in field_specs(role).values()]
    assert all(len(h.what) <= 255 for h in helps)


def test_the_settings_sheet_lists_every_setting_with_its_default(built: Path) -> None:
    ws = openpyxl.load_workbook(built)["Settings"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0] in Settings.model_fields}
    assert list(rows) == list(Settings.model_fields)
    for name, value, description in Settings().describe():
        assert rows[name][:3] == (value, description, value), name


# -- reading it back --------------------------------------------------------------------------


def _reported(data: crmsheet.CrmData) -> list[tuple[str, str]]:
    frame = data.problems.frame
    return sorted(zip(frame["sheet"], frame["code"], strict=True))


def test_a_blank_template_reads_as_empty_tables(built: Path) -> None:
    data = crmsheet.read(built, as_of=AS_OF)
    assert {t.sheet: (t.role, t.rows_read) for t in data.tables} == {
        "Customers": ("customers", 0), "Transactions": ("transactions", 0),
        "Marketing Spend": ("spend", 0), "Support": ("support", 0),
    }  # fmt: skip
    assert data.customers.empty and data.transactions.empty
    assert data.spend.empty and data.support.empty
    assert _reported(data) == []  # the helper sheets (Lists, How to use) are skipped quietly
    assert Settings.load(data.settings_values) == Settings()


def test_the_helper_sheets_raise_no_warning(built: Path) -> None:
    assert _reported(crmsheet.read(built, as_of=AS_OF)) == []


ROWS: dict[str, dict[str, list[dict[str, Any]]]] = {
    "services": {
        "Customers": [
            {"Customer ID": "C001", "Customer name": "Harbour Dental", "Industry": "Healthcare",
             "Area": "Leeds", "Customer type": "Active customer", "Lead source": "Referral",
             "First purchase": datetime(2025, 12, 3), "Last purchase": datetime(2026, 6, 1),
             "Next follow-up": datetime(2026, 11, 20), "Rating": "A", "Support tier": "Premium",
             "Email": "info@harbourdental.example", "Phone": "0113 496 0000",
             "Notes": "prefers mornings"},
            {"Customer ID": "C002", "Customer name": "Bloom Florists", "Industry": "Retail",
             "Area": "York", "Customer type": "Active customer", "Lead source": "Web",
             "Referred by": "C001", "Rating": "B", "Support tier": "Base"},
            {"Customer ID": "C003", "Customer name": "Northgate Builders",
             "Industry": "Bespoke joinery", "Area": "Leeds", "Customer type": "Prospect",
             "Lead source": "Event", "Next follow-up": datetime(2026, 10, 1)},
        ],
    },
    "retail": {
        "Customers": [
            {"Name": "Ann Walker", "Email": "ann@example.org", "Phone": "07700 900123",
             "How did they find us?": "Walk-in", "First purchase": datetime(2025, 12, 3),
             "Rating": "A", "Notes": "likes new arrivals"},
            {"Name": "Ben Osei", "How did they find us?": "Referral",
             "Referred by": "Ann Walker", "Next follow-up": datetime(2026, 11, 10)},
            {"Name": "Chloe Martin", "How did they find us?": "Web"},
        ],
    },
    "b2b": {
        "Customers": [
            {"Customer ID": "C001", "Company": "Harbour Holdings Ltd",
             "Industry": "Finance & insurance", "Employees": "250-499", "Market": "UK",
             "Customer type": "Active customer", "Lead source": "Event",
             "Campaign": "Trade fair 2025", "Rating": "A", "Support tier": "Premium",
             "Email": "accounts@harbour.example"},
            {"Customer ID": "C002", "Company": "Harbour Logistics", "Employees": "45",
             "Market": "UK", "Customer type": "Active customer", "Lead source": "Referral",
             "Referred by": "C001", "Member of": "C001", "Rating set by hand": "A",
             "Support tier": "Base", "Next follow-up": datetime(2026, 11, 5)},
            {"Customer ID": "C003", "Company": "Fenwick Tools", "Size band": "small",
             "Industry": "Manufacturing", "Customer type": "Reseller", "Lead source": "Partner"},
        ],
    },
}  # fmt: skip
_KEYS = {"services": ("C001", "C002", "C003"), "b2b": ("C001", "C002", "C003"),
         "retail": ("Ann Walker", "Ben Osei", "Chloe Martin")}  # fmt: skip


def _activity(kind: str) -> dict[str, list[dict[str, Any]]]:
    """Sales, spend and support for the three customers of ``kind``."""
    a, b, c = _KEYS[kind]
    who = "Customer" if kind == "retail" else "Customer ID"
    campaign = "Trade fair 2025" if kind == "b2b" else None
    return {
        "Transactions": [
            {"Invoice no": "1001", "Date": datetime(2025, 12, 3), who: a,
             "Description": "Annual service", "Amount": 1200.0, "Type": "Invoice"},
            {"Invoice no": "1002", "Date": datetime(2026, 6, 1), who: a,
             "Description": "Repairs", "Qty": 3, "Unit price": 150.0, "Discount": 0.1,
             "Type": "Invoice"},
            {"Invoice no": "1003", "Date": datetime(2026, 9, 15), who: b, "Amount": 320.5},
            {"Invoice no": "1004", "Date": datetime(2026, 9, 20), who: b, "Amount": 50.0,
             "Type": "Credit", "Description": "Refund"},
            {"Invoice no": "Q-7", "Date": datetime(2026, 10, 2), who: c, "Amount": 5000.0,
             "Type": "Quote"},
        ],
        "Marketing Spend": [
            {"Month": datetime(2026, 1, 1), "Source": "Web", "Spend": 250.0},
            {"Month": datetime(2026, 2, 1), "Source": "Event", "Campaign": campaign,
             "Spend": 900.0},
        ],
        "Support": [
            {who: a, "Opened": datetime(2026, 5, 4), "Cases": 2, "Minutes": 45,
             "Severity": "High"},
            {who: b, "Opened": datetime(2026, 8, 1), "Minutes": 10},
        ],
    }  # fmt: skip


def _fill(path: Path, rows: dict[str, list[dict[str, Any]]], out: Path) -> Path:
    """Type rows into the tables' first rows, as a user would (openpyxl: lossy, fine here)."""
    book = openpyxl.load_workbook(path)
    for sheet, records in rows.items():
        ws = book[sheet]
        column = {c.value: c.column for c in ws[1]}
        for r, record in enumerate(records, start=2):
            for header, value in record.items():
                ws.cell(r, column[header], value)
    book.save(out)
    return out


@pytest.fixture
def filled(kind: str, built: Path, tmp_path: Path) -> Path:
    rows = {**ROWS[kind], **_activity(kind)}
    return _fill(built, rows, tmp_path / f"filled-{kind}.xlsx")


def test_a_filled_template_maps_every_header_to_its_field(filled: Path, kind: str) -> None:
    data = crmsheet.read(filled, as_of=AS_OF)
    mappings = {t.sheet: t.mapping for t in data.tables}
    assert mappings == template_columns(kind)
    assert all(not t.extra_columns for t in data.tables)


def test_a_filled_template_has_no_problems(filled: Path, kind: str) -> None:
    data = crmsheet.read(filled, as_of=AS_OF)
    problems = data.problems.frame
    real = problems[~problems["sheet"].isin(HELPER_SHEETS)]
    assert real.empty, real[["cell", "code", "message"]].to_string()
    assert {t.sheet: t.rows_kept for t in data.tables} == {
        "Customers": 3, "Transactions": 5, "Marketing Spend": 2, "Support": 2,
    }  # fmt: skip
    assert len(data.customers) == 3
    a, b, _ = _KEYS[kind]
    amounts = data.transactions.groupby("customer_key")["amount"].sum()
    assert amounts[a] == pytest.approx(1200 + 3 * 150 * 0.9)
    assert amounts[b] == pytest.approx(320.5 - 50)  # the credit, typed positive, counts minus


def test_a_filled_template_enriches_with_its_settings(
    filled: Path, tmp_path: Path, kind: str
) -> None:
    book = openpyxl.load_workbook(filled)
    ws = book["Settings"]
    (row,) = [r for r in ws.iter_rows() if r[0].value == "lapse_days"]
    row[1].value = 200
    book.save(filled)
    result = crmsheet.enrich(filled, as_of=AS_OF, output=tmp_path / "out.xlsx")
    assert result.analysis.settings.lapse_days == 200
    assert result.analysis.settings.thank_you_days == Settings().thank_you_days
    assert result.analysis.customers.loc[_KEYS[kind][0], "rating"] == "A"
    assert (tmp_path / "out.xlsx").stat().st_size > 0


def test_a_template_with_sales_in_another_currency_and_its_rate(
    filled: Path, tmp_path: Path, kind: str
) -> None:
    book = openpyxl.load_workbook(filled)
    sales = book["Transactions"]
    currency = next(c.column for c in sales[1] if c.value == "Currency")
    sales.cell(4, currency, "EUR")  # invoice 1003, 320.50 in euros
    (row,) = [r for r in book["Settings"].iter_rows() if r[0].value == "base_currency"]
    row[1].value = "GBP"
    book["Rates"].append(["EUR", 0.86])  # below its header, as a user types it
    book.save(filled)
    data = crmsheet.read(filled, as_of=AS_OF)
    _, b, _ = _KEYS[kind]
    amounts = data.transactions.groupby("customer_key")["amount"].sum()
    assert amounts[b] == pytest.approx(320.5 * 0.86 - 50)
    assert data.base_currency == "GBP" and data.rates == {"EUR": 0.86}
    real = data.problems.frame[~data.problems.frame["sheet"].isin(HELPER_SHEETS)]
    assert real.empty, real[["cell", "code", "message"]].to_string()
    book = openpyxl.load_workbook(filled)
    book["Rates"].delete_rows(5)  # the rate gone: the euro sale is left out, with the reason
    book.save(filled)
    data = crmsheet.read(filled, as_of=AS_OF)
    hit = data.problems.frame.loc[data.problems.frame["code"] == "no-rate", "cell"].tolist()
    assert hit == [f"Transactions!{chr(64 + currency)}4"]


def test_every_dropdown_value_reads_back_without_a_warning(
    built: Path, kind: str, tmp_path: Path
) -> None:
    """A value picked from a dropdown is never reported as unknown."""
    book = openpyxl.load_workbook(built)
    headers = [c.value for c in book["Customers"][1]]
    picks = {h: LISTS[f][1] for h, f in template_columns(kind)["Customers"].items()
             if f in LISTS}  # fmt: skip
    longest = max(len(v) for v in picks.values())
    rows = [{h: v[i % len(v)] for h, v in picks.items()} for i in range(longest)]
    key = "Customer ID" if "Customer ID" in headers else "Name"
    for i, row in enumerate(rows):
        row[key] = f"C{i:03d}"
    filled = _fill(built, {"Customers": rows}, tmp_path / "picks.xlsx")
    problems = crmsheet.read(filled, as_of=AS_OF).problems.frame
    problems = problems[~problems["sheet"].isin(HELPER_SHEETS)]
    assert problems.empty, problems[["cell", "code", "message"]].to_string()


# -- a spreadsheet app opens it ------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_opens_in_libreoffice(built: Path, kind: str, tmp_path: Path) -> None:
    out = tmp_path / "pdf"
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "pdf", "--outdir", str(out), str(built)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    pdf = out / f"{kind}.pdf"
    assert pdf.exists() and pdf.stat().st_size > 5_000


def test_a_blank_template_enriches_to_an_empty_but_complete_workbook(
    built: Path, tmp_path: Path
) -> None:
    # regression: analyze() crashed on zero customers (TypeError joining str and float)
    out = tmp_path / "blank.enriched.xlsx"
    result = crmsheet.enrich(built, as_of=AS_OF, output=out)
    assert result.analysis.headline.customers == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"
