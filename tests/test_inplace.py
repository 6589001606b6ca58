"""``enrich --in-place``: crmsheet's sheets grafted into the user's own workbook.

Every part of the book other than the four it must edit stays byte-identical; the user's
sheets read back cell for cell; crmsheet's sheets read back as in the standalone output; a
second run gives the same package; refusals leave the file untouched.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from pandas.testing import assert_frame_equal

import crmsheet
from crmsheet.cli import main
from crmsheet.errors import (
    EncryptedFileError,
    OutputFileError,
    SettingsError,
    UnsupportedFormatError,
)
from crmsheet.io.graft import MARKER, backup_path, check_book, crmsheet_sheets, write_in_place
from crmsheet.io.ooxml.package import Package
from crmsheet.io.ooxml.workbook import rename_refs
from crmsheet.workbook import SHEETS

# openpyxl (used here only to read back) warns that it would drop the extLst parts we keep
pytestmark = pytest.mark.filterwarnings("ignore:.*is not supported and will be removed")

AS_OF = date(2026, 11, 1)
#: The only parts of the book an in-place run may change (named in the issue).
EDITED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"


# -- building test books ---------------------------------------------------------------------


def png(width: int = 4, height: int = 3) -> bytes:
    """A tiny valid PNG (xlsxwriter reads its size from the header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def vba_project() -> tuple[bytes, bool]:
    """A vbaProject.bin: a real one when one is at hand, else an opaque stand-in.

    No vbaProject.bin ships with crmsheet's dependencies or the shared test data; set
    CRMSHEET_TEST_VBA to one (XlsxWriter's sdist has examples/vbaProject.bin) to use it. The
    graft never reads the macro part, only keeps its bytes and content type, so an OLE-headed
    stand-in exercises the same code.
    """
    given = os.environ.get("CRMSHEET_TEST_VBA")
    if given and Path(given).is_file():
        return Path(given).read_bytes(), True
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8, False


def build_book(path: Path, *, macro: bytes | None = None) -> Path:
    """A user's workbook with data crmsheet reads and the parts openpyxl would lose.

    Sheets: Customers (with the user's own table called "Customers", a comment, a data
    validation list from another sheet, a data bar and sparklines: extLst), Invoices (an
    autofilter, a formula with a cached result), Summary (a chart and an image: a name
    crmsheet also uses), Lists; workbook- and sheet-scoped defined names; a macro project
    when ``macro`` is given.
    """
    book = xlsxwriter.Workbook(str(path))
    if macro is not None:
        book.add_vba_project(io.BytesIO(macro), is_stream=True)
    bold = book.add_format({"bold": True, "font_name": "Arial", "font_size": 10})
    money = book.add_format({"num_format": "#,##0.00 [$EUR]", "bg_color": "#FFFF00"})
    customers = book.add_worksheet("Customers")
    invoices = book.add_worksheet("Invoices")
    summary = book.add_worksheet("Summary")
    lists = book.add_worksheet("Lists")
    rows = [(f"C{i:03d}", f"Client {i}", ["retail", "services", "b2b"][i % 3], 100.0 * i)
            for i in range(1, 9)]  # fmt: skip
    customers.add_table(0, 0, len(rows), 3, {
        "name": "Customers",
        "columns": [{"header": h} for h in ("Customer ID", "Company", "Industry", "Budget")],
        "data": [list(r) for r in rows],
    })  # fmt: skip
    customers.write_comment("B2", "Our oldest client", {"author": "Ann", "font_size": 12})
    customers.data_validation(1, 2, len(rows), 2, {"validate": "list",
                                                   "source": "=Lists!$A$1:$A$3"})  # fmt: skip
    customers.conditional_format(1, 3, len(rows), 3, {"type": "data_bar",
                                                      "data_bar_2010": True})  # fmt: skip
    customers.conditional_format(1, 3, len(rows), 3, {"type": "cell", "criteria": ">",
                                                      "value": 500, "format": money})  # fmt: skip
    customers.add_sparkline("F2", {"range": "Customers!D2:D9"})
    lists.write_column(0, 0, ["retail", "services", "b2b"])
    invoices.write_row(0, 0, ["Invoice", "Date", "Customer ID", "Amount"], bold)
    start = datetime(2024, 1, 5)
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    n = 0
    for i, (cid, *_rest) in enumerate(rows):
        for k in range(i % 4 + 2):
            n += 1
            invoices.write_string(n, 0, f"INV{n:04d}")
            invoices.write_datetime(n, 1, start + timedelta(days=97 * k + 13 * i), date_fmt)
            invoices.write_string(n, 2, cid)
            invoices.write_number(n, 3, 120.0 + 35 * i + 10 * k, money)
    invoices.autofilter(0, 0, n, 3)
    invoices.write_formula(n + 2, 3, f"=SUM(D2:D{n + 1})", money, 4242.5)
    summary.write_string(0, 0, "My own dashboard", bold)
    summary.write_column(1, 0, [3, 5, 2])
    chart = book.add_chart({"type": "pie"})
    chart.add_series({"values": "=Summary!$A$2:$A$4"})
    summary.insert_chart("C2", chart)
    summary.insert_image("C20", "dot.png", {"image_data": io.BytesIO(png())})
    book.define_name("Industries", "=Lists!$A$1:$A$3")
    book.define_name("Summary!Local", "=Summary!$A$2")
    book.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    """Every member of a zip package, by name."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def member_order(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheetnames(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def calamine_values(path: Path, sheet: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python()


def openpyxl_cells(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """Value, number format, bold, font, fill colour of every cell: what a user sees."""
    ws = openpyxl.load_workbook(path)[sheet]
    return [(c.coordinate, c.value, c.number_format, c.font.b, c.font.name, c.font.sz,
             c.fill.fgColor.rgb) for row in ws.iter_rows() for c in row]  # fmt: skip


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return build_book(tmp_path / "book.xlsx")


def enriched_in_place(path: Path, **kwargs: Any) -> crmsheet.EnrichResult:
    return crmsheet.enrich(path, in_place=True, as_of=AS_OF, **kwargs)


# -- the package -----------------------------------------------------------------------------


def test_every_other_part_is_byte_identical(book: Path) -> None:
    before = parts(book)
    order = member_order(book)
    enriched_in_place(book, backup=False)
    after = parts(book)
    assert set(before) <= set(after), "no part of the book may disappear"
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= EDITED
    assert member_order(book)[: len(order)] == order, "the book's parts keep their zip order"
    added = set(after) - set(before)
    assert {n.rsplit("/", 1)[0] for n in added} <= {
        "xl/worksheets", "xl/worksheets/_rels", "xl/tables", "xl/drawings",
        "xl/drawings/_rels", "xl/charts",
    }  # fmt: skip
    # the user's own parts were not renamed over: their first numbers are still theirs
    for name in ("xl/worksheets/sheet1.xml", "xl/tables/table1.xml", "xl/charts/chart1.xml",
                 "xl/drawings/drawing1.xml", "xl/comments1.xml", "xl/vbaProject.bin"):  # fmt: skip
        assert before.get(name) == after.get(name)
    assert after["xl/sharedStrings.xml"] == before["xl/sharedStrings.xml"]
    assert b"extLst" in after["xl/worksheets/sheet1.xml"]


def test_user_sheets_read_back_cell_for_cell(book: Path) -> None:
    original = book.with_name("original.xlsx")
    shutil.copyfile(book, original)
    enriched_in_place(book, backup=False)
    for sheet in ("Customers", "Invoices", "Summary", "Lists"):
        assert calamine_values(book, sheet) == calamine_values(original, sheet)
        assert openpyxl_cells(book, sheet) == openpyxl_cells(original, sheet)
    # cached formula results survive (openpyxl's own save would blank them)
    cached = openpyxl.load_workbook(book, data_only=True)["Invoices"]
    assert any(c.value == 4242.5 for row in cached.iter_rows() for c in row)
    names = openpyxl.load_workbook(book)
    assert names.defined_names["Industries"].attr_text == "Lists!$A$1:$A$3"
    assert names["Summary"].defined_names["Local"].attr_text == "Summary!$A$2"


def test_crmsheet_sheets_read_back_as_in_the_standalone_output(book: Path) -> None:
    standalone = book.with_name("standalone.xlsx")
    crmsheet.enrich(book, output=standalone, as_of=AS_OF)
    names = enriched_in_place(book, backup=False) and crmsheet_sheets(book)
    expected = list(SHEETS)
    # the user's Customers and Summary are theirs: crmsheet's get a suffix
    assert names == [f"{s} (crmsheet)" if s in ("Summary", "Customers") else s
                     for s in expected]  # fmt: skip
    for mine, theirs in zip(names, expected, strict=True):
        assert calamine_values(book, mine) == calamine_values(standalone, theirs), mine
    # formats and colours came along with their meaning
    ws = openpyxl.load_workbook(book)["Lapsed"]
    assert ws.tables and ws.conditional_formatting
    alone = openpyxl.load_workbook(standalone)["Lapsed"]
    for row_a, row_b in zip(ws.iter_rows(max_row=5), alone.iter_rows(max_row=5), strict=True):
        assert [c.number_format for c in row_a] == [c.number_format for c in row_b]
    dxfs = [r.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting for r in cf.rules]
    alone_dxfs = [r.dxf.fill.bgColor.rgb for cf in alone.conditional_formatting
                  for r in cf.rules]  # fmt: skip
    assert dxfs == alone_dxfs


def test_charts_point_at_the_renamed_summary(book: Path) -> None:
    enriched_in_place(book, backup=False)
    after = parts(book)
    charts = [n for n in after if n.startswith("xl/charts/chart")]
    ours = [after[n].decode() for n in charts if n != "xl/charts/chart1.xml"]
    assert ours and all("'Summary (crmsheet)'!$" in c for c in ours)
    assert "Summary!$A$2:$A$4" in after["xl/charts/chart1.xml"].decode()


def test_table_names_and_ids_are_unique(book: Path) -> None:
    enriched_in_place(book, backup=False)
    ids, names = [], []
    for name, body in parts(book).items():
        if name.startswith("xl/tables/"):
            tag = body.decode().split("<table ", 1)[1].split(">", 1)[0]
            attrs = dict(a.split("=", 1) for a in tag.replace('"', "").split() if "=" in a)
            ids.append(attrs["id"])
            names.append(attrs["name"].casefold())
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    assert "customers_crmsheet" in names and "customers" in names


def test_only_one_sheet_is_selected(book: Path) -> None:
    enriched_in_place(book, backup=False)
    after = parts(book)
    selected = [n for n, b in after.items() if b'tabSelected="1"' in b]
    assert selected == ["xl/worksheets/sheet1.xml"]


def test_second_run_gives_the_same_package(book: Path) -> None:
    enriched_in_place(book, backup=False)
    first = book.read_bytes()
    enriched_in_place(book, backup=False)
    second = book.read_bytes()
    assert first == second, "same input and date: the very same bytes"


def test_styles_keep_their_meaning_and_are_reused(book: Path) -> None:
    before = parts(book)["xl/styles.xml"].decode()
    enriched_in_place(book, backup=False)
    after = parts(book)["xl/styles.xml"].decode()
    for tag in ("<fonts", "<fills", "<borders", "<cellXfs", "<dxfs"):
        head = before.split(tag, 1)[1].split("</", 1)[0]
        # every existing entry is still there, at the same place, unchanged
        assert after.split(tag, 1)[1].startswith(head.split('count="', 1)[0])
    enriched_in_place(book, backup=False)
    assert parts(book)["xl/styles.xml"].decode() == after
    # every count attribute matches its children (Excel repairs the file otherwise)
    root = ElementTree.fromstring(after)
    for box in root:
        if "count" in box.attrib:
            assert int(box.attrib["count"]) == len(box), box.tag


# -- macros ----------------------------------------------------------------------------------


def test_macro_workbook_keeps_its_project(tmp_path: Path) -> None:
    data, _real = vba_project()
    book = build_book(tmp_path / "book.xlsm", macro=data)
    before = parts(book)
    when = datetime(2026, 11, 30, 9, 5, 7)
    scratch = tmp_path / "scratch.xlsx"
    crmsheet.enrich(book, output=scratch, as_of=AS_OF)
    copy = write_in_place(book, scratch, now=lambda: when)
    assert copy == tmp_path / "book.backup-20261130-090507.xlsm"
    assert copy is not None and parts(copy) == before
    after = parts(book)
    assert after["xl/vbaProject.bin"] == data
    assert b"macroEnabled" in after["[Content_Types].xml"]
    assert {n for n in before if before[n] != after[n]} <= EDITED


def test_backup_names(tmp_path: Path) -> None:
    book = tmp_path / "crm.xlsx"
    when = datetime(2026, 1, 2, 3, 4, 5)
    assert backup_path(book, when).name == "crm.backup-20260102-030405.xlsx"
    (tmp_path / "crm.backup-20260102-030405.xlsx").write_bytes(b"")
    assert backup_path(book, when).name == "crm.backup-20260102-030405-2.xlsx"


# -- recognising an earlier run ----------------------------------------------------------------


def _edit(path: Path, part: str, old: str, new: str) -> None:
    """Change one part of a package (as a user's other tool might)."""
    members = parts(path)
    assert old in members[part].decode()
    members[part] = members[part].decode().replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)


def test_renamed_crmsheet_sheet_becomes_the_users(book: Path) -> None:
    # issue 20 item 6: only sheets still under the name crmsheet gave them are replaced; one
    # the user renamed (their notes, their copy) is kept, and a fresh one is added
    enriched_in_place(book, backup=False)
    _edit(book, "xl/workbook.xml", 'name="Ratings"', 'name="Old ratings"')
    assert "Old ratings" not in crmsheet_sheets(book)
    enriched_in_place(book, backup=False)
    names = sheetnames(book)
    assert "Old ratings" in names and names.count("Ratings") == 1
    assert len(names) == 4 + len(SHEETS) + 1


def test_a_user_sheet_with_a_crmsheet_name_is_never_touched(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(EXAMPLE, path)
    # the example's own "Customers" sheet has no marker: it stays the user's
    members = parts(path)
    enriched_in_place(path, backup=False)
    assert crmsheet_sheets(path)[0] == "Summary"
    assert "Customers (crmsheet)" in crmsheet_sheets(path)
    for name, body in members.items():
        if name not in EDITED:
            assert parts(path)[name] == body


def test_marker_is_a_hidden_sheet_scoped_name(book: Path) -> None:
    enriched_in_place(book, backup=False)
    text = parts(book)["xl/workbook.xml"].decode()
    assert text.count(f'name="{MARKER}"') == len(SHEETS)
    assert f'<definedName name="{MARKER}" localSheetId="4" hidden="1">' in text


def test_rename_refs() -> None:
    renames = {"Summary": "Summary (crmsheet)", "Source ROI": "It's ROI"}
    assert rename_refs("Summary!$A$1:$B$2", renames) == "'Summary (crmsheet)'!$A$1:$B$2"
    assert rename_refs("'Source ROI'!$A$1", renames) == "'It''s ROI'!$A$1"
    assert rename_refs("Other!$A$1+MySummary!A1", renames) == "Other!$A$1+MySummary!A1"


# -- refusals --------------------------------------------------------------------------------


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and everything printed (stdout, then stderr)."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_result_names_the_book_and_its_backup(book: Path) -> None:
    original = book.read_bytes()
    result = enriched_in_place(book)
    assert result.output == book
    assert result.backup is not None and result.backup.read_bytes() == original
    assert result.backup.parent == book.parent and result.backup.name.startswith("book.backup-")
    assert f"written to {book} (backup: {result.backup})" in repr(result)
    assert enriched_in_place(book, backup=False).backup is None


def test_cli_in_place_makes_a_backup(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = book.read_bytes()
    code, err = run_cli(["enrich", str(book), "--in-place", "--as-of", "2026-11-01"], capsys)
    assert code == 0, err
    backups = list(book.parent.glob("book.backup-*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert "Backup of the original" in err
    assert not list(book.parent.glob(".*tmp*")), "no temp file may be left behind"


def test_cli_no_backup(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_cli(["enrich", str(book), "--in-place", "--no-backup",
                         "--as-of", "2026-11-01"], capsys)  # fmt: skip
    assert code == 0, err
    assert not list(book.parent.glob("*backup*"))
    assert "Summary (crmsheet)" in sheetnames(book)


def _refused(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    before = digest(path)
    code, err = run_cli(["enrich", str(path), "--in-place", *extra], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("crmsheet: ")
    assert digest(path) == before, "the file must be left as it was"
    assert [p.name for p in path.parent.iterdir() if "backup" in p.name or "tmp" in p.name] == []
    return err


def test_refuses_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name,Email\nAcme,a@acme.com\n", encoding="utf-8")
    assert ".xlsx or .xlsm" in _refused(path, capsys)


def test_refuses_non_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("Name,Email\nAcme,a@acme.com\n", encoding="utf-8")
    assert "fake.xlsx" in _refused(path, capsys)


def test_refuses_encrypted(
    tmp_path: Path, testdata: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "password.xlsx"
    shutil.copyfile(testdata / "messy" / "python_calamine_tests" / "password.xlsx", path)
    assert "password" in _refused(path, capsys)
    with pytest.raises(EncryptedFileError):
        enriched_in_place(path)


def test_refuses_signed_macros(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = build_book(tmp_path / "book.xlsm", macro=vba_project()[0])
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProjectSignature.bin", b"\xd0\xcf\x11\xe0signature")
    assert "signed" in _refused(path, capsys)


def test_refuses_output_with_in_place(book: Path) -> None:
    with pytest.raises(SettingsError):
        enriched_in_place(book, output=book.with_name("x.xlsx"))


def test_failure_leaves_the_book_untouched(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(book)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("crmsheet.io.graft.Package.save", broken)
    with pytest.raises(RuntimeError):
        enriched_in_place(book)
    assert digest(book) == before
    assert [p.name for p in book.parent.iterdir()] == ["book.xlsx"]


# -- real files saved by Excel and others ------------------------------------------------------

REAL_BOOKS = [
    "messy/messytables_horror/bian-anal-mca-2005-dols-eng-1011-0312-tab3.xlsm",  # image, printer
    "messy/python_calamine_tests/any_sheets.xlsx",  # chartsheet, chart style parts, hidden sheets
    "messy/python_calamine_tests/table-multiple.xlsx",  # several tables on a sheet
    "messy/csvkit_examples/realdata/ne_1033_data.xlsx",  # a drawing
    "messy/messytables_horror/libreoffice.xlsx",  # saved by LibreOffice
]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scratch") / "enriched.xlsx"
    crmsheet.enrich(EXAMPLE, output=path, as_of=AS_OF)
    return path


@pytest.mark.parametrize("name", REAL_BOOKS)
def test_real_books(name: str, testdata: Path, tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / Path(name).name
    shutil.copyfile(testdata / name, path)
    before = parts(path)
    sheets = python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    write_in_place(path, scratch, backup=False)
    after = parts(path)
    assert {n for n in before if before.get(n) != after.get(n)} <= EDITED
    for sheet in sheets:
        original = python_calamine.CalamineWorkbook.from_path(str(testdata / name))
        assert calamine_values(path, sheet) == original.get_sheet_by_name(sheet).to_python()
    assert sheetnames(path)[: len(sheets)] == sheets
    once = path.read_bytes()
    write_in_place(path, scratch, backup=False)
    assert path.read_bytes() == once


def test_real_excel_transaction_log(testdata: Path, tmp_path: Path) -> None:
    path = tmp_path / "retail.xlsx"
    shutil.copyfile(testdata / "real" / "online_retail_II_continental_subset.xlsx", path)
    before = parts(path)
    enriched_in_place(path, backup=False)
    after = parts(path)
    assert {n for n in before if before[n] != after[n]} <= EDITED
    names = python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    assert names[:2] == ["Year 2009-2010", "Year 2010-2011"] and "Summary" in names


# -- LibreOffice -------------------------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_opens_it(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    data, _ = vba_project()
    book = build_book(tmp_path / "book.xlsm", macro=data)
    enriched_in_place(book, backup=False)
    out = tmp_path / "out"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "xlsx", "--outdir", str(out), str(book)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    saved = out / "book.xlsx"
    assert saved.exists(), done.stdout + done.stderr
    names = sheetnames(saved)
    assert names == sheetnames(book)
    # LibreOffice keeps the markers: a run after a LibreOffice save still finds its sheets
    assert crmsheet_sheets(saved) == crmsheet_sheets(book)


def test_unsupported_format_error_type(tmp_path: Path) -> None:
    path = tmp_path / "x.ods"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormatError):
        enriched_in_place(path)


def test_user_sheet_moved_after_crmsheet_sheets_keeps_its_names_and_tab(book: Path) -> None:
    """The user moved their "Lists" sheet to the end and made it the active tab."""
    enriched_in_place(book, backup=False)
    first = parts(book)
    text = first["xl/workbook.xml"].decode()
    lists = re.search(r'<sheet name="Lists"[^>]*/>', text)
    assert lists is not None
    moved = text.replace(lists[0], "").replace("</sheets>", lists[0] + "</sheets>")
    at = sheetnames(book).index("Lists")
    moved = re.sub(  # every sheet's own names follow it, as Excel moves them (markers, print)
        r'(<definedName name="[^"]*" localSheetId=")(\d+)"',
        lambda m: f'{m[1]}{int(m[2]) - 1 if int(m[2]) > at else int(m[2])}"', moved,
    )  # fmt: skip
    last = len(sheetnames(book)) - 1
    moved = moved.replace("<workbookView ", f'<workbookView activeTab="{last}" ')
    _edit(book, "xl/workbook.xml", text, moved)
    assert sheetnames(book)[-1] == "Lists"
    enriched_in_place(book, backup=False)
    again = parts(book)
    assert sheetnames(book)[:4] == ["Customers", "Invoices", "Summary", "Lists"]
    rerun = again["xl/workbook.xml"].decode()
    assert 'activeTab="3"' in rerun
    assert rerun.replace('activeTab="3" ', "") == text
    assert {n for n in first if first[n] != again[n]} == {"xl/workbook.xml"}


def test_standalone_enrich_does_not_read_crmsheet_sheets_as_input(book: Path) -> None:
    standalone = book.with_name("before.xlsx")
    crmsheet.enrich(book, output=standalone, as_of=AS_OF)
    enriched_in_place(book, backup=False)
    after = book.with_name("after.xlsx")
    result = crmsheet.enrich(book, output=after, as_of=AS_OF)
    assert len(result.analysis.customers) == 8
    for sheet in SHEETS:
        assert calamine_values(after, sheet) == calamine_values(standalone, sheet), sheet


def _prefixed(xml: str, root: str) -> str:
    """``xml`` rewritten to use an ``x:`` prefix for the main namespace (as some .NET tools do)."""
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = xml.replace(f'<{root} xmlns="{main_ns}"', f'<{root} xmlns:x="{main_ns}"')
    return re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s/>])", r"<\1x:\2", xml)


def test_book_with_prefixed_main_namespace(tmp_path: Path, scratch: Path) -> None:
    path = tmp_path / "prefixed.xlsx"
    shutil.copyfile(EXAMPLE, path)
    members = parts(path)
    members["xl/workbook.xml"] = _prefixed(members["xl/workbook.xml"].decode(), "workbook").encode()
    members["xl/styles.xml"] = _prefixed(members["xl/styles.xml"].decode(), "styleSheet").encode()
    # and no r: prefix declared on the root: each new <sheet> must declare its own
    text = members["xl/workbook.xml"].decode()
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    text = text.replace(f' xmlns:r="{rel_ns}"', "").replace(" r:id=", f' xmlns:r="{rel_ns}" r:id=')
    members["xl/workbook.xml"] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    original = tmp_path / "original.xlsx"
    shutil.copyfile(path, original)
    write_in_place(path, scratch, backup=False)
    assert sheetnames(path)[4:] == crmsheet_sheets(path) and len(crmsheet_sheets(path)) == 17
    for sheet in ("Customers", "Invoices"):
        assert openpyxl_cells(path, sheet) == openpyxl_cells(original, sheet)
    ws = openpyxl.load_workbook(path)["Lapsed"]
    assert ws["E2"].number_format == "#,##0.00" and ws.conditional_formatting
    once = path.read_bytes()
    write_in_place(path, scratch, backup=False)
    assert path.read_bytes() == once


# -- a pivot table (made by LibreOffice: xlsxwriter cannot, and the shared data has none) ------

PIVOT_ODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>
<table:table table:name="Data">{rows}</table:table>
<table:table table:name="Pivot"><table:table-row><table:table-cell/></table:table-row></table:table>
<table:data-pilot-tables>
<table:data-pilot-table table:name="DataPilot1" table:target-range-address="Pivot.A1:B6"
 table:buttons="Pivot.A1">
<table:source-cell-range table:cell-range-address="Data.A1:Data.B5"/>
<table:data-pilot-field table:source-field-name="Region" table:orientation="row"/>
<table:data-pilot-field table:source-field-name="Amount" table:orientation="data"
 table:function="sum"/>
</table:data-pilot-table>
</table:data-pilot-tables>
</office:spreadsheet></office:body></office:document-content>"""
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def soffice_convert(path: Path, out: Path) -> Path:
    """``path`` converted to .xlsx by LibreOffice headless (skips when it is not installed)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{out}/lo",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    result = out / f"{path.stem}.xlsx"
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result


@pytest.mark.slow
def test_pivot_table_book(tmp_path: Path, scratch: Path) -> None:
    table = [("Region", "Amount"), ("North", 10), ("South", 20), ("North", 5), ("East", 7)]

    def cell(v: object) -> str:
        if isinstance(v, str):
            text = f"<text:p>{v}</text:p>"
            return f'<table:table-cell office:value-type="string">{text}</table:table-cell>'
        return f'<table:table-cell office:value-type="float" office:value="{v}"/>'

    rows = "".join(
        "<table:table-row>" + "".join(map(cell, r)) + "</table:table-row>" for r in table
    )
    ods = tmp_path / "pivot.ods"
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", PIVOT_ODS.format(rows=rows), zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", ODS_MANIFEST, zipfile.ZIP_DEFLATED)
    made = tmp_path / "made"
    book = soffice_convert(ods, made)
    before = parts(book)
    pivot_parts = [n for n in before if "pivot" in n.lower()]
    if not pivot_parts:
        pytest.skip("this LibreOffice did not export the pivot table")
    original = tmp_path / "original.xlsx"
    shutil.copyfile(book, original)
    write_in_place(book, scratch, backup=False)
    after = parts(book)
    assert {n for n in before if before[n] != after[n]} <= EDITED
    assert all(after[n] == before[n] for n in pivot_parts)
    for sheet in ("Data", "Pivot"):
        assert calamine_values(book, sheet) == calamine_values(original, sheet)
    once = book.read_bytes()
    write_in_place(book, scratch, backup=False)
    assert book.read_bytes() == once
    # and LibreOffice opens the result, pivot table included
    again = soffice_convert(book, tmp_path / "again")
    assert any("pivotTable" in n for n in parts(again))
    assert sheetnames(again) == sheetnames(book)


def test_refuses_protected_structure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "locked.xlsx"
    shutil.copyfile(EXAMPLE, path)
    _edit(path, "xl/workbook.xml", "</sheets>", '</sheets><workbookProtection lockStructure="1"/>')
    assert "protected" in _refused(path, capsys)


def test_validate_skips_the_sheets_an_earlier_run_added(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = crmsheet.read(book, as_of=date(2026, 11, 1))
    assert main(["enrich", str(book), "--in-place", "--no-backup", "--as-of", "2026-11-01"]) == 0
    after = crmsheet.read(book, as_of=date(2026, 11, 1))
    assert [t.sheet for t in after.tables] == [t.sheet for t in before.tables]
    assert after.rows_read == before.rows_read
    assert_frame_equal(after.problems.frame, before.problems.frame)


# -- the book is read once -------------------------------------------------------------------


def test_the_book_is_read_once(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real = Package.__init__

    def counted(self: Package, path: Path, opened: zipfile.ZipFile | None = None) -> None:
        reads.append(path)
        real(self, path, opened)

    monkeypatch.setattr(Package, "__init__", counted)
    enriched_in_place(book, backup=False)
    assert reads.count(book) == 1  # the other package read is the scratch workbook's


def test_a_book_saved_again_meanwhile_is_refused(book: Path, scratch: Path) -> None:
    # issue 20 item 5: another program's save is never overwritten; nothing is written
    checked = check_book(book)
    newer = xlsxwriter.Workbook(str(book.with_name("newer.xlsx")))
    newer.add_worksheet("Saved meanwhile").write(0, 0, "kept")
    newer.close()
    os.replace(book.with_name("newer.xlsx"), book)
    saved = digest(book)
    with pytest.raises(OutputFileError, match="changed on disk since crmsheet read it"):
        write_in_place(checked, scratch)
    assert digest(book) == saved and sheetnames(book) == ["Saved meanwhile"]
    assert [p.name for p in book.parent.iterdir()] == ["book.xlsx"]


def test_a_renamed_crmsheet_sheet_is_kept_but_never_read_as_data(book: Path) -> None:
    # the copy is the user's to keep (issue 20 item 6), but its cells are crmsheet's output:
    # reading it as customers would count every customer twice
    enriched_in_place(book, backup=False)
    _edit(book, "xl/workbook.xml", 'name="Ratings"', 'name="Old ratings"')
    data = crmsheet.read(book, as_of=AS_OF)
    assert "Old ratings" not in {t.sheet for t in data.tables}
    assert not (data.problems.frame["code"] == "duplicate-id").any()
