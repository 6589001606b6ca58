"""Tests of crmsheet.io.xlsxread: crafted workbooks, bad files, and real files read in place."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from conftest import TESTDATA, shared

from crmsheet.errors import (
    EncryptedFileError,
    InputFileError,
    NoUsableDataError,
    SettingsError,
    UnsupportedFormatError,
)
from crmsheet.io import sniff, xlsxread
from crmsheet.io.grid import Grid
from crmsheet.io.xlsxread import read_workbook_grids

RETAIL = TESTDATA / "real" / "online_retail_II_continental_subset.xlsx"
CALAMINE = TESTDATA / "messy" / "python_calamine_tests"
HORROR = TESTDATA / "messy" / "messytables_horror"
CSVKIT = TESTDATA / "messy" / "csvkit_examples"


def only(grids: list[Grid], sheet: str) -> Grid:
    (grid,) = [g for g in grids if g.sheet == sheet]
    return grid


def row_of(grid: Grid, excel_row: int) -> list[object]:
    (pos,) = np.flatnonzero(grid.rows == excel_row)
    return grid.cells.iloc[pos].tolist()


def new_workbook(path: Path, **options: object) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, **options})


# --------------------------------------------------------------------------------------------
# Crafted workbooks


def test_title_rows_and_leading_empty_rows_keep_excel_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet("Customers")
    ws.write_string(2, 1, "ACME customers")  # B3: title after two empty rows
    ws.write_string(3, 1, "exported 2024-05-01")  # B4
    ws.write_row(5, 1, ["ID", "Name", "Balance"])  # header on Excel row 6 (row 5 empty)
    ws.write_row(6, 1, ["001", "Ann", 10.5])
    ws.write_row(8, 1, ["002", "Bob", 0])  # Excel row 8 left empty
    wb.close()

    (grid,) = read_workbook_grids(path)
    assert grid.sheet == "Customers"
    assert grid.rows.tolist() == [3, 4, 6, 7, 9]
    assert len(grid.cells) == len(grid.rows)
    assert list(grid.cells.columns) == [0, 1, 2, 3]  # column 0 is Excel column A (empty)
    assert grid.cells[0].isna().all()
    assert row_of(grid, 6)[1:] == ["ID", "Name", "Balance"]
    assert row_of(grid, 7)[1:] == ["001", "Ann", 10.5]
    assert row_of(grid, 9)[1:] == ["002", "Bob", 0.0]
    assert row_of(grid, 3)[1] == "ACME customers"
    assert row_of(grid, 3)[2] is None  # blanks are None
    assert not grid.hidden and not grid.epoch_1904 and grid.notes == ()
    assert all(dtype is np.dtype(object) for dtype in grid.cells.dtypes)


@pytest.mark.parametrize("date_1904", [False, True])
def test_date_cells_are_datetimes_in_both_date_systems(tmp_path: Path, date_1904: bool) -> None:
    path = tmp_path / "dates.xlsx"
    wb = new_workbook(path, date_1904=date_1904)
    ws = wb.add_worksheet()
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_row(0, 0, ["joined", "last order", "serial"])
    ws.write_datetime(1, 0, dt.datetime(2024, 3, 5), day)
    ws.write_datetime(1, 1, dt.datetime(2024, 3, 13, 10, 30), stamp)
    ws.write_number(1, 2, 45000)  # a bare serial number with no date format
    ws.write_datetime(2, 0, dt.datetime(1999, 12, 31), day)
    ws.write_datetime(2, 1, dt.datetime(2024, 3, 13), stamp)  # midnight, datetime format
    wb.close()

    (grid,) = read_workbook_grids(path)
    assert grid.epoch_1904 is date_1904
    assert row_of(grid, 2) == [dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 13, 10, 30), 45000.0]
    assert row_of(grid, 3) == [dt.datetime(1999, 12, 31), dt.datetime(2024, 3, 13), None]
    # calamine gives datetime.date for midnight values: widened to datetime, one type a column
    for value in grid.cells.iloc[1:, :2].to_numpy().ravel():
        assert type(value) is dt.datetime
    assert type(row_of(grid, 2)[2]) is float  # the serial stays a number (epoch_1904 tells how)


def test_epoch_flag_read_from_workbook_xml_even_when_false_is_spelled_out(tmp_path: Path) -> None:
    path = tmp_path / "calc.xlsx"
    wb = new_workbook(path)
    wb.add_worksheet().write(0, 0, "x")
    wb.close()
    rewritten = tmp_path / "calc2.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                assert b"<workbookPr" in data
                data = data.replace(b"<workbookPr", b'<workbookPr date1904="false"', 1)
            dst.writestr(info, data)
    assert read_workbook_grids(rewritten)[0].epoch_1904 is False


def test_text_that_looks_like_numbers_or_na_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "zips.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["zip", "country", "flag", "amount"])
    ws.write_row(1, 0, ["02134", "NA", True, 1.5])
    ws.write_row(2, 0, ["00007", "None", False, -3])
    ws.write_row(3, 0, ["1e5", "null", "TRUE", "1,234.50"])
    wb.close()

    (grid,) = read_workbook_grids(path)
    assert row_of(grid, 2) == ["02134", "NA", True, 1.5]
    assert row_of(grid, 3) == ["00007", "None", False, -3.0]
    assert row_of(grid, 4) == ["1e5", "null", "TRUE", "1,234.50"]
    assert type(row_of(grid, 2)[2]) is bool


def test_hidden_sheets_included_empty_and_chart_sheets_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sheets.xlsx"
    wb = new_workbook(path)
    wb.add_worksheet("Visible").write_row(0, 0, ["a", 1])
    wb.add_worksheet("Empty")
    hidden = wb.add_worksheet("Lists")
    hidden.write_column(0, 0, ["lead", "customer"])
    hidden.hide()
    very = wb.add_worksheet("Secret")
    very.write(0, 0, "s")
    very.very_hidden()
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Visible!$B$1:$B$1"})
    wb.add_chartsheet("Chart").set_chart(chart)
    wb.close()

    grids = read_workbook_grids(path)
    assert [(g.sheet, g.hidden) for g in grids] == [
        ("Visible", False),
        ("Lists", True),
        ("Secret", True),
    ]
    assert only(grids, "Lists").cells[0].tolist() == ["lead", "customer"]


def test_unicode_sheet_name_and_sheet_selection(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    wb = new_workbook(path)
    wb.add_worksheet("Clientes São Paulo ☕").write(0, 0, "nome")
    wb.add_worksheet("Другие").write(0, 0, "имя")
    wb.add_worksheet("Empty")
    wb.close()

    names = [g.sheet for g in read_workbook_grids(path)]
    assert names == ["Clientes São Paulo ☕", "Другие"]
    picked = read_workbook_grids(path, sheets=["Другие", "Clientes São Paulo ☕"])
    assert [g.sheet for g in picked] == ["Другие", "Clientes São Paulo ☕"]
    assert picked[0].cells.iat[0, 0] == "имя"
    with pytest.raises(SettingsError, match="no sheet named 'Nope'"):
        read_workbook_grids(path, sheets=["Nope"])
    with pytest.raises(NoUsableDataError, match="selected sheets are empty"):
        read_workbook_grids(path, sheets=["Empty"])


@pytest.mark.parametrize("name", ["macro.xlsm", "SHOUTING.XLSX", "Mixed.XlSx", "no_extension"])
def test_extensions(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    wb = xlsxwriter.Workbook(str(path) if name.endswith(".xlsm") else io.BytesIO())
    wb.add_worksheet().write_row(0, 0, ["id", "02134"])
    if name.endswith(".xlsm"):
        wb.close()
    else:
        buffer = wb.filename
        wb.close()
        path.write_bytes(buffer.getvalue())
    (grid,) = read_workbook_grids(path)
    assert grid.cells.iloc[0].tolist() == ["id", "02134"]


def test_xlsx_renamed_xls_is_read_by_content(tmp_path: Path) -> None:
    path = tmp_path / "really_an_xlsx.xls"
    wb = new_workbook(path)
    wb.add_worksheet("S").write(0, 0, "ok")
    wb.close()
    (grid,) = read_workbook_grids(path)
    assert grid.cells.iat[0, 0] == "ok"


def test_error_cells_are_kept_as_their_text_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "errors.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["name", "ratio", "lookup"])
    ws.write_string(1, 0, "Ann")
    ws.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 2, '=VLOOKUP("x",A1:A2,1,FALSE)', None, "#N/A")
    ws.write_formula(3, 2, "=NA()", None, "#N/A")  # the only value of Excel row 4
    wb.close()

    (grid,) = read_workbook_grids(path)
    assert grid.rows.tolist() == [1, 2, 4]  # row 4 holds only an error: not dropped as empty
    assert row_of(grid, 2) == ["Ann", "#DIV/0!", "#N/A"]
    assert row_of(grid, 4) == [None, None, "#N/A"]
    assert [(n.code, n.row) for n in grid.notes] == [
        ("excel-error", 2),
        ("excel-error", 2),
        ("excel-error", 4),
    ]
    assert "B2" in grid.notes[0].message and "#DIV/0!" in grid.notes[0].message


def test_error_cells_written_by_openpyxl_without_formulas(tmp_path: Path) -> None:
    path = tmp_path / "errors_openpyxl.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["id", "value"])
    ws.append(["1", "#REF!"])  # openpyxl stores known error strings as error cells
    ws.append(["2", ""])
    wb.save(path)

    (grid,) = read_workbook_grids(path)
    assert row_of(grid, 2) == ["1", "#REF!"]
    assert grid.notes[0].row == 2


def test_error_notes_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsxread, "MAX_ERROR_NOTES", 3)
    path = tmp_path / "many_errors.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet()
    for r in range(10):
        ws.write_formula(r, 0, "=NA()", None, "#N/A")
    wb.close()
    (grid,) = read_workbook_grids(path)
    assert grid.cells[0].tolist() == ["#N/A"] * 10
    assert len(grid.notes) == 4 and grid.notes[-1].row is None
    assert grid.notes[-1].message.startswith("7 more cells")


def test_error_scan_across_chunk_boundaries() -> None:
    cells = b"".join(
        b'<c r="B%d" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C%d"><v>1</v></c>' % (i, i)
        for i in range(1, 400)
    )
    xml = b"<worksheet><sheetData>" + cells + b"<c r='A1' t='e'><v>#N/A</v></c></sheetData>"
    xml += b'<x:c r="D9" t="e"><x:v>#NAME?</x:v></x:c><c r="E1" t="e"/><is><t>t="e"</t></is>'
    for chunk_size in (7, 100, 4096, 1 << 20):
        found = xlsxread._scan_error_cells(io.BytesIO(xml), chunk_size=chunk_size)
        assert sorted(found) == sorted(
            [(i - 1, 1, "#DIV/0!") for i in range(1, 400)] + [(0, 0, "#N/A"), (8, 3, "#NAME?")]
        )


def test_bools_ints_and_wide_sheets(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    wb = new_workbook(path)
    ws = wb.add_worksheet()
    ws.write_boolean(0, 0, False)
    ws.write_number(0, 29, 7)  # column AD
    wb.close()
    (grid,) = read_workbook_grids(path)
    assert grid.cells.shape == (1, 30)
    assert grid.cells.iat[0, 0] is False
    assert grid.cells.iat[0, 29] == 7


def test_workbook_with_only_empty_sheets(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    wb = new_workbook(path)
    wb.add_worksheet("One")
    wb.add_worksheet("Two").write_string(3, 3, "")  # an empty string is not data
    wb.close()
    with pytest.raises(NoUsableDataError, match="every sheet is empty"):
        read_workbook_grids(path)


# --------------------------------------------------------------------------------------------
# Bad files


def _real_xlsx(path: Path) -> Path:
    wb = new_workbook(path)
    ws = wb.add_worksheet()
    for r in range(200):
        ws.write_row(r, 0, [f"{r:05d}", f"customer {r}", r * 1.5])
    wb.close()
    return path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found") as info:
        read_workbook_grids(tmp_path / "nope.xlsx")
    assert type(info.value) is InputFileError


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    with pytest.raises(InputFileError, match="folder"):
        read_workbook_grids(folder)


def test_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(NoUsableDataError) as info:
        read_workbook_grids(path)
    assert info.value.message == "the file is empty (0 bytes)"
    assert info.value.path == path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"id,name\n02134,Ann\n", "rename it to .csv"),
        ("id;naam\n1;Zoë\n".encode("cp1252"), "rename it to .csv"),
        ("\ufeffid,name\n1,Ann\n".encode("utf-16"), "rename it to .csv"),
        (b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table></html>", "HTML web page"),
        (b"  <html><body><table></table></body></html>", "HTML web page"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (
            b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "Excel 2003 XML",
        ),
        (bytes(range(256)) * 4, "not recognised"),
    ],
)
def test_renamed_non_workbooks(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnsupportedFormatError, match=expected) as info:
        read_workbook_grids(path)
    assert "is not an Excel workbook" in str(info.value) or "2003" in str(info.value)


def test_real_html_file_renamed_xls(tmp_path: Path) -> None:
    path = tmp_path / "download.xls"
    shutil.copyfile(shared(HORROR / "html.html"), path)
    with pytest.raises(UnsupportedFormatError, match=r"\.xls is not an Excel workbook.*HTML"):
        read_workbook_grids(path)


def test_truncated_zip(tmp_path: Path) -> None:
    full = _real_xlsx(tmp_path / "full.xlsx").read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(UnsupportedFormatError, match=r"damaged \(incomplete zip\)") as info:
        read_workbook_grids(path)
    assert info.value.__cause__ is not None


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("customers.csv", "id,name\n1,Ann\n")
    with pytest.raises(UnsupportedFormatError, match=r"zip archive.*customers\.csv.*unzip"):
        read_workbook_grids(path)


def test_word_document_renamed(tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnsupportedFormatError, match="Word document"):
        read_workbook_grids(path)


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            for _ in range(100):  # 100 MiB of zeros, about 100 KB compressed
                fh.write(zeros)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UnsupportedFormatError, match="zip bombs"):
        read_workbook_grids(path)


def test_zip_bomb_total_size_and_member_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _real_xlsx(tmp_path / "ok.xlsx")
    monkeypatch.setattr(sniff, "MAX_TOTAL_UNCOMPRESSED", 1000)
    with pytest.raises(UnsupportedFormatError, match="would unpack to"):
        read_workbook_grids(path)
    monkeypatch.undo()

    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(sniff.MAX_MEMBERS):
            zf.writestr(f"x/{i}", b"")
    with pytest.raises(UnsupportedFormatError, match="10,001 parts"):
        read_workbook_grids(many)


def test_xml_entity_bomb_in_workbook_xml(tmp_path: Path) -> None:
    src = _real_xlsx(tmp_path / "src.xlsx")
    path = tmp_path / "laughs.xlsx"
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<workbook><workbookPr date1904='&lol2;'/></workbook>"
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = bomb if info.filename == "xl/workbook.xml" else zin.read(info)
            zout.writestr(info, data)
    with pytest.raises(UnsupportedFormatError, match="could not be read") as info:
        read_workbook_grids(path)
    assert info.value.__cause__ is not None


def test_corrupt_sheet_xml_becomes_plain_error_with_cause(tmp_path: Path) -> None:
    src = _real_xlsx(tmp_path / "src.xlsx")
    path = tmp_path / "corrupt.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"<<<&&&"
            zout.writestr(info, data)
    with pytest.raises(UnsupportedFormatError, match="could not be read") as info:
        read_workbook_grids(path)
    assert info.value.__cause__ is not None
    assert "Traceback" not in str(info.value)


def test_encrypted_ooxml_is_recognised_before_parsing(tmp_path: Path) -> None:
    # the shape of an encrypted .xlsx: an OLE2 container holding an EncryptedPackage stream
    path = tmp_path / "locked.xlsx"
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    with pytest.raises(EncryptedFileError, match="protected by a password"):
        read_workbook_grids(path)


# --------------------------------------------------------------------------------------------
# Real files, read in place


def test_online_retail_two_sheets() -> None:
    grids = read_workbook_grids(shared(RETAIL))
    assert [g.sheet for g in grids] == ["Year 2009-2010", "Year 2010-2011"]
    first, second = grids
    assert len(first.cells) == 14_269 + 1 and len(second.cells) == 20_497 + 1
    assert first.rows[0] == 1 and first.rows[-1] == 14_270 and second.rows[-1] == 20_498
    header = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price"]
    assert row_of(first, 1) == [*header, "Customer ID", "Country"]
    # values checked against openpyxl (UCI Online Retail II, CC BY 4.0)
    assert row_of(first, 2) == [
        490397.0,
        21844.0,
        "RETRO SPOT MUG",
        6.0,
        dt.datetime(2009, 12, 6, 10, 30),
        2.95,
        12417.0,
        "Belgium",
    ]
    assert row_of(first, 168) == [
        "C497951",
        "M",
        "Manual",
        -1.0,
        dt.datetime(2010, 2, 15, 12, 29),
        1508.65,
        12380.0,
        "Belgium",
    ]
    assert row_of(first, 14_270)[2] == "GROW YOUR OWN BASIL IN ENAMEL MUG"
    assert row_of(second, 2)[4] == dt.datetime(2010, 12, 3, 16, 35)
    spans = [("2009-12-01", "2010-12-10"), ("2010-12-01", "2011-12-10")]
    for grid, (lo, hi) in zip(grids, spans, strict=True):
        assert not grid.hidden and not grid.epoch_1904 and grid.notes == ()
        dates = grid.cells[4].iloc[1:]
        assert all(type(v) is dt.datetime for v in dates)
        assert pd.Timestamp(lo) <= pd.to_datetime(dates).min()
        assert pd.to_datetime(dates).max() <= pd.Timestamp(hi)
    assert second.cells[6].iloc[1:].isna().any()  # rows with no customer


@pytest.mark.parametrize("ext", ["xlsx", "xls", "xlsb", "ods"])
def test_password_protected_files(ext: str) -> None:
    with pytest.raises(EncryptedFileError, match="password") as info:
        read_workbook_grids(shared(CALAMINE / f"password.{ext}"))
    assert "Traceback" not in str(info.value)


def test_xls_encrypted_with_excels_default_password() -> None:
    with pytest.raises(EncryptedFileError, match="encrypted"):
        read_workbook_grids(shared(HORROR / "encrypted_no_password.xls"))


@pytest.mark.parametrize("ext", ["xlsx", "xlsb", "ods"])
def test_zero_byte_real_files(ext: str) -> None:
    with pytest.raises(NoUsableDataError, match=r"empty \(0 bytes\)"):
        read_workbook_grids(shared(CALAMINE / f"empty_file.{ext}"))


@pytest.mark.parametrize("ext", ["xlsx", "xls", "xlsb", "ods"])
def test_any_sheets_hidden_and_chart_sheets(ext: str) -> None:
    path = shared(CALAMINE / f"any_sheets.{ext}")
    grids = read_workbook_grids(path)  # the .xlsb chartsheet would make calamine fail
    assert [g.sheet for g in grids] == ["Visible"]  # Hidden/VeryHidden hold no cells
    assert grids[0].rows.tolist() == [1, 2, 3, 5]  # Excel row 4 is empty
    assert grids[0].cells.values.tolist()[:3] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert row_of(grids[0], 5)[0].startswith("This workbook contains 4 sheets")
    with pytest.raises(NoUsableDataError):
        read_workbook_grids(path, sheets=["Hidden", "VeryHidden"])


def test_real_zip_with_a_csv_inside(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"simple\.csv"):
        read_workbook_grids(shared(HORROR / "simple.zip"))
    renamed = tmp_path / "simple.xlsx"
    shutil.copyfile(HORROR / "simple.zip", renamed)
    with pytest.raises(UnsupportedFormatError, match="zip archive"):
        read_workbook_grids(renamed)


def test_libreoffice_xlsx_with_an_empty_sheet() -> None:
    with pytest.raises(NoUsableDataError, match="every sheet is empty"):
        read_workbook_grids(shared(HORROR / "libreoffice.xlsx"))


def test_sw_gen_long_ids_stay_text() -> None:
    (grid,) = read_workbook_grids(shared(HORROR / "sw_gen.xlsx"))
    assert grid.sheet == "tweets"
    assert row_of(grid, 1)[:3] == ["id_str", "tweet_url", "created_at"]
    assert row_of(grid, 2)[0] == "474939423470395392"
    assert grid.rows.tolist() == list(range(1, len(grid.cells) + 1))


def test_csvkit_skip_lines() -> None:
    (grid,) = read_workbook_grids(shared(CSVKIT / "test_skip_lines.xlsx"))
    assert grid.rows[0] == 4  # three empty lines above the header
    assert row_of(grid, 4)[:3] == ["text", "date", "integer"]
    assert row_of(grid, 5)[:4] == ["Chicago Reader", dt.datetime(1971, 1, 1), 40.0, True]


def test_real_xlsm_with_title_rows() -> None:
    path = shared(HORROR / "bian-anal-mca-2005-dols-eng-1011-0312-tab3.xlsm")
    (grid,) = read_workbook_grids(path)
    assert grid.sheet == "Definitions"
    assert grid.rows[0] == 10
    assert str(row_of(grid, 10)[1]).startswith("Bi-annual analysis of Mental Capacity Act")


def test_legacy_and_other_formats() -> None:
    (mes,) = read_workbook_grids(shared(HORROR / "unicode_sheet_name.xls"))
    assert mes.sheet == "mês"
    (ods,) = read_workbook_grids(shared(HORROR / "simple.ods"))
    assert row_of(ods, 2) == ["Bob", 20.0, dt.datetime(2010, 10, 10)]
    grids = read_workbook_grids(shared(CSVKIT / "sheets.xls"))
    assert [g.sheet for g in grids] == ["data", "ʤ"]


def test_xls_renamed_xlsx_is_read(tmp_path: Path) -> None:
    path = tmp_path / "legacy.xlsx"
    shutil.copyfile(shared(CSVKIT / "sheets.xls"), path)
    grids = read_workbook_grids(path)
    assert [g.sheet for g in grids] == ["data", "ʤ"]
