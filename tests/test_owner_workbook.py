"""A small book computed by hand, enriched, and read back cell by cell as an owner reads it.

Four customers, eight invoices, as of 2026-11-01. By hand:

- revenue in the 12 months: Acme 6,000, Birch 3,000, Cedar 1,000 (a member of Birch),
  Dune 0 (last bought 2025-01-10, 660 days before as_of: lapsed);
- shares across single customers 0.6 / 0.3 / 0.1 / 0: HHI 3,600 + 900 + 100 = 4,600;
  after the roll-up (Cedar into Birch) 0.6 / 0.4: HHI 3,600 + 1,600 = 5,200.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

import crmsheet
from crmsheet.workbook import SHEETS

AS_OF = date(2026, 11, 1)

CUSTOMERS = [
    ("Customer ID", "Company", "Member of", "Email", "Phone", "Account manager", "Region",
     "Next follow-up"),
    ("C1", "Acme", None, "a@acme.example", "0101", "Chloe", "North", datetime(2026, 10, 20)),
    ("C2", "Birch", None, "b@birch.example", "0102", "Dev", "South", None),
    ("C3", "Cedar", "C2", "c@cedar.example", "0103", "Dev", "South", None),
    ("C4", "Dune", None, "d@dune.example", "0104", "Chloe", "East", None),
]  # fmt: skip
INVOICES = [
    ("Invoice", "Customer ID", "Date", "Amount"),
    ("I1", "C1", datetime(2026, 2, 1), 2000.0),
    ("I2", "C1", datetime(2026, 6, 1), 4000.0),
    ("I3", "C2", datetime(2026, 3, 1), 1000.0),
    ("I4", "C2", datetime(2026, 9, 1), 2000.0),
    ("I5", "C3", datetime(2026, 8, 1), 1000.0),
    ("I6", "C4", datetime(2024, 6, 1), 500.0),
    ("I7", "C4", datetime(2025, 1, 10), 700.0),
    ("I8", "C1", "sometime", 50.0),  # no date: the row is left out, with a problem
]  # fmt: skip


def _book(path: Path) -> Path:
    book = xlsxwriter.Workbook(path)
    for name, rows in (("Customers", CUSTOMERS), ("Invoices", INVOICES)):
        ws = book.add_worksheet(name)
        fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime):
                    ws.write_datetime(r, c, value, fmt)
                elif value is not None:
                    ws.write(r, c, value)
    book.close()
    return path


@pytest.fixture(scope="module")
def owner_book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    folder = tmp_path_factory.mktemp("owner")
    source = _book(folder / "shop.xlsx")
    settings = crmsheet.Settings(currency="$", carry_columns=("Region",), predict=False)
    result = crmsheet.enrich(source, as_of=AS_OF, settings=settings)
    return openpyxl.load_workbook(result.output)


def _table(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    headers = [c.value for c in ws[1]]
    return [
        {h: c for h, c in zip(headers, row, strict=False) if h is not None}
        for row in ws.iter_rows(min_row=2)
    ]


def test_every_header_is_words_not_a_field_name(owner_book: openpyxl.Workbook) -> None:
    raw = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$|^(source|spend|roi|flag|thin|dimension|T)$")
    for name in SHEETS[1:]:
        ws = owner_book[name]
        headers = [c.value for c in ws[1] if c.value is not None]
        assert headers, name
        bad = [h for h in headers if raw.match(str(h))]
        assert not bad, (name, bad)


def test_concentration_states_its_window_and_shows_the_hhi(
    owner_book: openpyxl.Workbook,
) -> None:
    ws = owner_book["Concentration"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["Parent group", "Group name", "Customers in group",
                           "Revenue (12 months)", "Share of revenue (12 months)",
                           "Cumulative share", "Rank", "Over the limit"]  # fmt: skip
    rows = _table(ws)
    assert [r["Group name"].value for r in rows] == ["Acme", "Birch", "Dune"]
    assert [r["Revenue (12 months)"].value for r in rows] == [6000, 3000 + 1000, 0]
    assert rows[0]["Revenue (12 months)"].number_format == '"$"#,##0.00;-"$"#,##0.00'
    assert rows[1]["Share of revenue (12 months)"].value == pytest.approx(0.4)
    assert rows[1]["Share of revenue (12 months)"].number_format == "0.0%"
    assert rows[1]["Customers in group"].value == 2
    assert rows[1]["Customers in group"].number_format == "#,##0"
    assert [r["Over the limit"].value for r in rows] == ["yes", "yes", "no"]
    note = next(c.value for c in ws[1][8:] if c.value)
    assert "HHI 5,200 after roll-up to parent groups (4,600 across customers)" in note
    assert "highly concentrated" in note


def test_summary_figures_are_numbers_with_formats(owner_book: openpyxl.Workbook) -> None:
    ws = owner_book["Summary"]
    figures = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, 30) if ws.cell(r, 1).value}
    revenue = figures["Revenue, last 12 months"]
    assert revenue.value == pytest.approx(10000.0) and revenue.data_type == "n"
    assert revenue.number_format == '"$"#,##0;-"$"#,##0'
    assert figures["Customers"].value == 4 and figures["Customers"].number_format == "#,##0"
    assert figures["Lapsed customers"].value == 1
    assert figures["Concentration (HHI) of parent groups"].value == pytest.approx(5200.0)
    assert figures["Concentration (HHI) of single customers"].value == pytest.approx(4600.0)
    share = figures["Revenue from returning customers (12 months)"]
    assert share.number_format == "0.0%" and 0 <= share.value <= 1


def test_formats_follow_meaning_not_names(owner_book: openpyxl.Workbook) -> None:
    segments = _table(owner_book["Segments"])
    assert {r["A customers"].number_format for r in segments} == {"#,##0"}  # a count
    assert {r["Grouped by"].value for r in segments} <= {"Industry", "Size", "Market",
                                                          "Customer type"}  # fmt: skip
    assert {r["Too few to judge"].alignment.horizontal for r in segments} == {"center"}
    ratings = _table(owner_book["Ratings"])
    assert {r["Share of revenue"].number_format for r in ratings} == {"0.0%"}  # a share
    assert {r["Purchases"].number_format for r in _table(owner_book["Customers"])} == {"#,##0"}
    assert {r["Rating changed"].value for r in ratings} <= {"yes", "no"}
    problems = _table(owner_book["Problems"])
    assert problems and {r["Row"].number_format for r in problems} == {"0"}
    assert any(r["Value"].value == "sometime" and r["Row"].value == 9 for r in problems)


def test_call_lists_carry_the_owners_contact_columns(owner_book: openpyxl.Workbook) -> None:
    lapsed = owner_book["Lapsed"]
    headers = [c.value for c in lapsed[1]]
    at = headers.index("Phone")
    assert headers[at + 1 : at + 3] == ["Account manager", "Region"]
    rows = _table(lapsed)
    dune = next(r for r in rows if r["Name"].value == "Dune")
    assert (dune["Account manager"].value, dune["Region"].value) == ("Chloe", "East")
    assert dune["Value at risk (last active year)"].number_format.startswith('"$"')
    follow = _table(owner_book["Follow-ups"])
    assert any(r["Account manager"].value == "Chloe" for r in follow)


def test_every_data_sheet_prints_landscape_one_page_wide_with_a_footer(
    owner_book: openpyxl.Workbook,
) -> None:
    drawn = ("Summary", "Forecast")  # one page each, drawn free-form
    for name in (n for n in SHEETS if n not in (*drawn, "Changes")):
        ws = owner_book[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth in (None, 1), name  # None: the default, 1
        assert ws.page_setup.fitToHeight == 0, name  # as many pages down as it takes
        assert ws.print_title_rows == "$1:$1", name
        footer = ws.oddFooter
        assert footer.left.text == name and "&P" in footer.center.text, name
        assert footer.right.text == "as of 2026-11-01", name
    for name in drawn:
        ws = owner_book[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 1)
        assert ws.oddFooter.left.text == name and ws.oddFooter.right.text == "as of 2026-11-01"
    ws = owner_book["Changes"]  # drawn free-form: one page wide, as many down as its lists
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    assert ws.oddFooter.left.text == "Changes" and ws.oddFooter.right.text == "as of 2026-11-01"


def test_long_reasons_wrap_in_rows_tall_enough(owner_book: openpyxl.Workbook) -> None:
    ws = owner_book["Problems"]
    headers = [c.value for c in ws[1]]
    message = ws.cell(2, headers.index("What is wrong and what to do") + 1)
    assert message.alignment.wrap_text and message.alignment.vertical == "top"
    lines = -(-len(message.value) // 48)  # a 50-wide column holds about 48 characters a line
    assert lines > 1 and (ws.row_dimensions[2].height or 15) >= 15 * lines
    assert ws.cell(2, 1).alignment.vertical == "top"  # the row reads across one line
    severity = headers.index("Severity") + 1
    letter = openpyxl.utils.get_column_letter(severity)
    ranges = [str(r.sqref) for r in ws.conditional_formatting]
    assert any(r.split(":")[0] == f"{letter}2" for r in ranges), ranges  # the colours apply


def test_a_carried_column_the_sheet_lacks_is_said_and_money_follows_the_currency(
    tmp_path: Path,
) -> None:
    source = _book(tmp_path / "shop.xlsx")
    settings = crmsheet.Settings(currency="EUR", carry_columns=("Territory",), predict=False)
    book = openpyxl.load_workbook(crmsheet.enrich(source, as_of=AS_OF, settings=settings).output)
    lapsed = book["Lapsed"]
    notes = [c.value for c in lapsed[1] if c.value and "Territory" in str(c.value)]
    assert notes and "does not have" in notes[0]
    rows = _table(book["Customers"])
    assert {r["Revenue (lifetime)"].number_format for r in rows} == {
        '"EUR "#,##0.00;-"EUR "#,##0.00'
    }


def test_without_a_currency_money_is_a_plain_number_and_own_columns_are_not_guessed(
    tmp_path: Path,
) -> None:
    book = xlsxwriter.Workbook(tmp_path / "own.xlsx")
    ws = book.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Company", "Revenue", "Discount rate"])
    ws.write_row(1, 0, ["C1", "Acme", 1200.0, 12.5])
    ws.write_row(2, 0, ["C2", "Birch", 300.0, 3.0])
    book.close()
    settings = crmsheet.Settings(currency="", predict=False)
    result = crmsheet.enrich(tmp_path / "own.xlsx", as_of=AS_OF, settings=settings)
    if result.analysis.settings.currency == "" and crmsheet.workbook.sheets.book_currency(
        result.analysis
    ):
        pytest.skip("this computer's locale names a currency")
    rows = _table(openpyxl.load_workbook(result.output)["Customers"])
    assert {r["Revenue (lifetime)"].number_format for r in rows} == {"#,##0.00"}
    assert {r["Discount rate"].number_format for r in rows} == {"General"}  # theirs, as typed
