"""The Duplicates sheet (issue 18): written after Customers, reopened and read cell by cell.

The crafted small-business cases: "ACME Ltd" / "Acme Limited (old)" with one phone,
"Bayside Builders" / "Bayside Builder" at one postcode, invoices split between them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import xlsxwriter

import crmsheet
from crmsheet.workbook import SHEETS

AS_OF = date(2026, 6, 30)

CUSTOMERS = [
    ["Customer ID", "Company", "Phone", "Postcode", "Same as"],
    ["C001", "ACME Ltd", "+44 20 7946 0000", "", ""],
    ["C002", "Acme Limited (old)", "020 7946 0000", "", "{same}"],
    ["C003", "Bayside Builders", "", "BS1 4DJ", ""],
    ["C004", "Bayside Builder", "", "bs1 4dj", ""],
    ["C005", "Zenith Dental", "0161 496 0999", "M1 1AA", ""],
    ["C006", "Northwind Traders", "0117 496 0123", "BS2 0AA", ""],
]
INVOICES = [
    ["Invoice no", "Date", "Customer ID", "Amount"],
    ["1001", "2025-09-10", "C002", 400],
    ["1002", "2025-10-10", "C002", 500],
    ["1003", "2026-04-01", "C003", 600],
    ["1004", "2026-05-01", "C001", 300],
    ["1005", "2026-05-15", "C004", 100],
    ["1006", "2026-06-01", "C005", 5000],
    ["1007", "2026-03-01", "C006", 800],
    ["1008", "2026-03-20", "C003", 150],
]


def _book(path: Path, same: str) -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in (("Customers", CUSTOMERS), ("Invoices", INVOICES)):
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, [same if c == "{same}" else c for c in row])
    book.close()
    return path


def _cells(path: Path, sheet: str | None = None) -> list[tuple[object, ...]]:
    """A sheet's values (the first when ``sheet`` is None), with the file closed after."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:  # a read-only book holds its file open until closed
        return list(book[sheet or book.sheetnames[0]].iter_rows(values_only=True))
    finally:
        book.close()


def _sheet_names(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    cells = _cells(path, sheet)
    header = [h for h in cells[0] if h is not None]
    return [dict(zip(header, row[: len(header)], strict=True)) for row in cells[1:]
            if any(v is not None for v in row[: len(header)])]  # fmt: skip


def _enrich(tmp_path: Path, same: str, **settings: object) -> Path:
    source = _book(tmp_path / f"book{same}.xlsx", same)
    out = tmp_path / f"book{same}.enriched.xlsx"
    crmsheet.enrich(source, output=out, as_of=AS_OF, settings=crmsheet.Settings(**settings))
    return out


def test_the_crafted_pairs_are_on_the_duplicates_sheet_after_customers(tmp_path: Path) -> None:
    out = _enrich(tmp_path, "")
    names = _sheet_names(out)
    assert names == list(SHEETS) and names.index("Duplicates") == names.index("Customers") + 1
    rows = _rows(out, "Duplicates")
    assert [r["What"] for r in rows] == ["check", "check"]
    by_pair = {frozenset((r["Customer"], r["Other customer"])): r for r in rows}
    acme = by_pair[frozenset(("C001", "C002"))]
    assert {acme["Name"], acme["Other name"]} == {"ACME Ltd", "Acme Limited (old)"}
    assert "same phone" in str(acme["Why"])
    # C002 has two purchases to C001's one: more history, suggested to keep
    assert acme["Suggested to keep"] == "C002"
    assert acme["Revenue together"] == 1200 and acme["Transactions together"] == 3
    assert acme["Transactions moved"] is None and 0.5 <= float(acme["Score"]) <= 1  # type: ignore[arg-type]
    bay = by_pair[frozenset(("C003", "C004"))]
    assert "same postcode" in str(bay["Why"]) and "alike" in str(bay["Why"])
    assert bay["Suggested to keep"] == "C003" and bay["Revenue together"] == 850
    # the Summary says so
    text = " ".join(str(v) for row in _cells(out, "Summary") for v in row if v)
    assert "2 customers may be entered twice: see Duplicates" in text


def test_a_merge_is_listed_first_and_the_pair_is_gone(tmp_path: Path) -> None:
    out = _enrich(tmp_path, "C001")
    rows = _rows(out, "Duplicates")
    assert [r["What"] for r in rows] == ["merged", "check"]
    merged = rows[0]
    assert (merged["Customer"], merged["Name"]) == ("C002", "Acme Limited (old)")
    assert (merged["Other customer"], merged["Suggested to keep"]) == ("C001", "C001")
    assert merged["Transactions moved"] == 2 and merged["Revenue moved"] == 900
    assert merged["Support cases moved"] == 0
    assert merged["Revenue together"] == 1200 and merged["Transactions together"] == 3
    assert merged["Score"] is None
    assert {rows[1]["Customer"], rows[1]["Other customer"]} == {"C003", "C004"}
    # the Customers sheet: the merged row has no figures, its status says where it went
    customers = {r["Customer ID"]: r for r in _rows(out, "Customers")}
    assert customers["C002"]["Status"] == "merged"
    assert customers["C002"]["Why this status"] == "merged into C001 (Same as)"
    assert customers["C002"]["Revenue (lifetime)"] is None
    assert customers["C001"]["Revenue (lifetime)"] == 1200
    text = [str(v) for row in _cells(out, "Summary") for v in row if v]
    assert "1 customer may be entered twice: see Duplicates" in " ".join(text)
    assert "Customers merged (Same as)" in text


def test_the_search_can_be_turned_off(tmp_path: Path) -> None:
    out = _enrich(tmp_path, "C001", find_duplicates=False)
    rows = _rows(out, "Duplicates")
    assert [r["What"] for r in rows] == ["merged"]  # the merge is still done and listed
    ws = openpyxl.load_workbook(out)["Duplicates"]  # the note beside the table, in full
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "find_duplicates" in text
