"""Templates as a table grows, and their Settings sheet as a spreadsheet app shows it.

Every dropdown, check and Customer-ID pick list covers at least 10,000 rows below the header
(the table itself stays 200 rows: Excel extends it as rows are typed); on/off settings are
boolean cells shown TRUE/FALSE; the Settings rows are tall enough for their wrapped text,
checked where it went wrong: in a LibreOffice render (descriptions overlapped the next row).
"""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.cell_range import CellRange

from crmsheet.config import Settings
from crmsheet.io.styles import BOOLEAN
from crmsheet.templates import KINDS, TABLE_ROWS, build_template, template_columns

GROWTH = 10_000  # rows below the header every check must cover
DATA_SHEETS = ("Customers", "Transactions", "Marketing Spend", "Support")


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def book(kind: str, tmp_path: Path) -> Any:
    return openpyxl.load_workbook(build_template(tmp_path / f"{kind}.xlsx", kind=kind))


def _ranges(v: Any) -> list[CellRange]:
    return list(v.sqref.ranges)


def test_every_check_covers_ten_thousand_rows(book: Any, kind: str) -> None:
    for sheet in DATA_SHEETS:
        ws = book[sheet]
        validations = ws.data_validations.dataValidation
        assert len(validations) == len(template_columns(kind)[sheet]), sheet  # one a column
        for v in validations:
            (cells,) = _ranges(v)
            assert cells.min_row == 2, (sheet, str(v.sqref))  # from the first row under the header
            assert cells.max_row - 1 >= GROWTH, (sheet, str(v.sqref))
            assert cells.max_row > TABLE_ROWS + 1  # far below the table's first size
        (table,) = ws.tables.values()
        assert table.ref.endswith(str(TABLE_ROWS + 1))  # the table itself stays short


def test_the_customer_pick_list_reaches_as_deep_as_its_check(book: Any, kind: str) -> None:
    key = "Name" if kind == "retail" else "Customer ID"
    assert book["Customers"]["A1"].value == key
    picks = 0
    for sheet in DATA_SHEETS:
        for v in book[sheet].data_validations.dataValidation:
            if v.type != "list" or not v.formula1.startswith("Customers!"):
                continue
            picks += 1
            (cells,) = _ranges(v)
            match = re.fullmatch(r"Customers!\$A\$2:\$A\$(\d+)", v.formula1)
            assert match, v.formula1
            assert int(match[1]) == cells.max_row >= GROWTH + 1, (sheet, v.formula1)
    # Referred by and Same as (Customers), the customer of a sale (Transactions) and of a
    # case (Support)
    assert picks == 4


def test_a_row_typed_far_below_the_table_is_still_checked(book: Any, kind: str) -> None:
    """Row 5000 of Transactions carries the same checks as row 2."""
    ws = book["Transactions"]
    headers = {c.value: c.column_letter for c in ws[1]}
    who = "Customer" if kind == "retail" else "Customer ID"
    want = {"Amount": "decimal", "Date": "date", "Type": "list", who: "list"}
    for header, check in want.items():
        letter = headers[header]
        found = [
            v.type
            for v in ws.data_validations.dataValidation
            if f"{letter}5000" in v.sqref and f"{letter}2" in v.sqref
        ]
        assert found == [check], header


def _bool_settings() -> list[str]:
    return [name for name, value, _ in Settings().describe() if isinstance(value, bool)]


def test_on_off_settings_are_boolean_cells_with_a_true_false_dropdown(book: Any) -> None:
    assert _bool_settings(), "no on/off setting left to check"
    ws = book["Settings"]
    rows = {row[0].value: row for row in ws.iter_rows() if row[0].value in Settings.model_fields}
    for name in _bool_settings():
        value, default = rows[name][1], rows[name][3]
        for cell in (value, default):
            assert cell.data_type == "b" and type(cell.value) is bool, (name, cell.coordinate)
            # shown as TRUE/FALSE by LibreOffice too (a formatted boolean showed as 1)
            assert cell.number_format == BOOLEAN, (name, cell.coordinate)
        assert value.value is getattr(Settings(), name)
        (check,) = [v for v in ws.data_validations.dataValidation if value.coordinate in v.sqref]
        assert check.type == "list" and check.formula1 == '"TRUE,FALSE"', name
        assert check.errorStyle in (None, "stop")


def test_the_boolean_format_shows_true_and_false() -> None:
    """Sections positive;negative;zero: 1 (TRUE) shows TRUE, 0 (FALSE) shows FALSE."""
    positive, negative, zero = BOOLEAN.split(";")
    assert (positive, negative, zero) == ('"TRUE"', '"TRUE"', '"FALSE"')


def test_settings_rows_are_tall_enough_for_their_wrapped_text(book: Any) -> None:
    """At 1.2 characters a unit of width (a generous line of prose), no text needs more."""
    ws = book["Settings"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCD"}
    assert widths["C"] >= 60 and widths["B"] >= 15 and widths["D"] >= 15
    for row in ws.iter_rows(min_row=5):
        if row[0].value not in Settings.model_fields:
            continue
        needed = 1
        for cell in row[:4]:
            if isinstance(cell.value, str) and cell.value:
                width = widths[cell.column_letter]
                needed = max(needed, math.ceil(len(cell.value) / (width * 1.2)))
        height = ws.row_dimensions[row[0].row].height or 15
        assert height >= 15 * needed, (row[0].value, height, needed)


# -- as LibreOffice shows it ---------------------------------------------------------------------

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _settings_page_words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    """The words (box, text) of the PDF page holding the Settings sheet."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for page in out.split("<page ")[1:]:
        words = [
            (float(a), float(b), float(c), float(d), html.unescape(t))
            for a, b, c, d, t in WORD.findall(page)
        ]
        if [w[4] for w in words[:2]] == ["Settings:", "the"]:
            return words
    raise AssertionError("no page of the PDF shows the Settings sheet")


def _overlapping(words: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (boxes sharing more than a sliver)."""
    clashes = []
    ordered = sorted(words, key=lambda w: w[1])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b[1] >= a[3] - 1:  # b starts below a: so do all after it
                break
            if min(a[2], b[2]) - max(a[0], b[0]) > 1:
                clashes.append((a[4], b[4]))
    return clashes


def _render(path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "pdf"
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out / f"{path.stem}.pdf"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) not installed")
def test_libreoffice_shows_every_description_whole_inside_its_row(tmp_path: Path) -> None:
    """Each description's last word is on the page, below its setting's name and above the
    next setting's; no word is drawn over another; on/off settings read TRUE, never 1."""
    pdf = _render(build_template(tmp_path / "services.xlsx", kind="services"), tmp_path)
    words = _settings_page_words(pdf)
    settings = Settings().describe()
    column_b = min(w[0] for w in words if w[4] == "value")  # the header of column B
    column_c = min(w[0] for w in words if w[4] == "what")  # "what it means"
    names = {w[4]: w for w in words if w[0] < column_b}
    tops = [names[name][1] for name, _, _ in settings]  # KeyError: a name not shown
    assert tops == sorted(tops)
    bottoms = [*tops[1:], math.inf]
    for (name, _, description), top, next_top in zip(settings, tops, bottoms, strict=True):
        last = description.split()[-1]
        inside = [
            w for w in words
            if w[4] == last and w[0] >= column_c - 1 and top - 1 <= w[1] and w[3] <= next_top + 1
        ]  # fmt: skip
        assert inside, f"{name}: the description's last word {last!r} is not inside its row"
    assert _overlapping(words) == []
    column_d = min(w[0] for w in words if w[4] == "default")
    for name in _bool_settings():
        shown = str(getattr(Settings(), name)).upper()  # TRUE
        line = [w for w in words if abs(w[1] - names[name][1]) < 1]
        assert [w[4] for w in line if w[0] < column_c] == [name, shown]  # the value
        assert [w[4] for w in line if w[0] >= column_d - 1] == [shown]  # the default
