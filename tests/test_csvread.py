"""Tests of crmsheet.io.csvread: crafted files, then real exports from ../shared/testdata."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TESTDATA, shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmsheet.errors import (
    CrmsheetError,
    InputFileError,
    NoUsableDataError,
    SettingsError,
    UnsupportedFormatError,
)
from crmsheet.io import csvread
from crmsheet.io.csvread import read_csv_grid
from crmsheet.io.grid import Grid

NORTHWIND = TESTDATA / "real" / "northwind"
CSVKIT = TESTDATA / "messy" / "csvkit_examples"
HORROR = TESTDATA / "messy" / "messytables_horror"


def write(tmp_path: Path, content: str | bytes, name: str = "customers.csv") -> Path:
    p = tmp_path / name
    if isinstance(content, str):
        p.write_bytes(content.encode("utf-8"))
    else:
        p.write_bytes(content)
    return p


def values(grid: Grid) -> list[list[str | None]]:
    """The cells as lists, NA as None."""
    frame = grid.cells.astype(object)
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


def codes(grid: Grid) -> list[str]:
    return [n.code for n in grid.notes]


def assert_all_text(grid: Grid) -> None:
    assert list(grid.cells.columns) == list(range(grid.cells.shape[1]))
    for col in grid.cells.columns:
        s = grid.cells[col]
        assert s.dtype == object or pd.api.types.is_string_dtype(s.dtype), s.dtype
        assert all(isinstance(v, str) for v in s.dropna())
    assert grid.rows.dtype.kind == "i"
    assert len(grid.rows) == len(grid.cells)
    assert (np.diff(grid.rows) > 0).all()


@pytest.fixture(params=["arrow", "pandas-c"])
def fast_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with pyarrow's reader and again with pandas' C parser (no pyarrow)."""
    if request.param == "pandas-c":
        monkeypatch.setattr(csvread, "_read_arrow", lambda *a: None)
    return str(request.param)


# ---------------------------------------------------------------------------------------------
# the grid itself
# ---------------------------------------------------------------------------------------------


def test_basic_grid_shape(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, "Name,Zip,Country\r\nAnna,02134,NA\r\nBob,,US\r\n")
    g = read_csv_grid(p)
    assert isinstance(g, Grid)
    assert g.path == p
    assert g.sheet == "customers.csv"
    assert g.is_csv
    assert not g.decimal_comma
    assert g.notes == ()
    assert values(g) == [["Name", "Zip", "Country"], ["Anna", "02134", "NA"], ["Bob", None, "US"]]
    assert g.rows.tolist() == [1, 2, 3]
    assert_all_text(g)


def test_path_given_as_str(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b\n1,2\n")
    assert values(read_csv_grid(str(p))) == [["a", "b"], ["1", "2"]]


@pytest.mark.parametrize(
    "text",
    ["NA", "N/A", "NULL", "null", "None", "none", "nan", "NaN", "#N/A", "-", "TRUE", "1e5", " "],
)
def test_nothing_is_converted(tmp_path: Path, text: str, fast_parser: str) -> None:
    p = write(tmp_path, f"code,zip,amount\n{text},02134,0012.50\n")
    g = read_csv_grid(p)
    assert values(g)[1] == [text, "02134", "0012.50"]
    assert_all_text(g)


def test_quoted_values_keep_their_spaces_and_quotes(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, 'a,b,c\n" x ","say ""hi""",\n')
    assert values(read_csv_grid(p))[1] == [" x ", 'say "hi"', None]


# ---------------------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------------------


def test_utf8_bom_is_not_part_of_the_first_value(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, b"\xef\xbb\xbfName,City\nZo\xc3\xab,K\xc3\xb6ln\n")
    g = read_csv_grid(p)
    assert values(g) == [["Name", "City"], ["Zoë", "Köln"]]
    assert g.notes == ()


def test_cp1252_fallback_with_note(tmp_path: Path) -> None:
    p = write(tmp_path, "Name,Price\nCafé,€3\n".encode("cp1252"))
    g = read_csv_grid(p)
    assert values(g) == [["Name", "Price"], ["Café", "€3"]]
    assert codes(g) == ["encoding-guess"]
    note = g.notes[0]
    assert note.severity == "warning"
    assert note.row is None
    assert "Windows-1252" in note.message
    assert "Western European" in note.message


def test_mostly_utf8_with_a_bad_byte_stays_utf8(tmp_path: Path) -> None:
    raw = "Name,City\nZoë,Köln\nRenée,Besançon\n".encode() + b"Caf\xe9,Lyon\n"
    g = read_csv_grid(write(tmp_path, raw))
    assert values(g)[1:] == [["Zoë", "Köln"], ["Renée", "Besançon"], ["Caf\ufffd", "Lyon"]]
    assert codes(g) == ["encoding-errors"]


def test_cp1252_bytes_python_leaves_undefined_do_not_crash(tmp_path: Path) -> None:
    p = write(tmp_path, b"a,b\nx\x81y,\x9dz\x80\n")
    g = read_csv_grid(p)
    assert values(g)[1] == ["x\x81y", "\x9dz€"]
    assert codes(g) == ["encoding-guess"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("bom", [True, False])
def test_utf16(tmp_path: Path, codec: str, bom: bool) -> None:
    text = "Name;Ville;Montant\r\nÉlodie;Besançon;1,50\r\nZoë;Łódź;2\r\n"
    raw = text.encode(codec)
    if bom:
        raw = "\ufeff".encode(codec) + raw
    g = read_csv_grid(write(tmp_path, raw))
    assert values(g) == [
        ["Name", "Ville", "Montant"],
        ["Élodie", "Besançon", "1,50"],
        ["Zoë", "Łódź", "2"],
    ]
    assert g.decimal_comma
    assert g.notes == ()


def test_explicit_encoding_wins(tmp_path: Path) -> None:
    hello, world = "\u041f\u0440\u0438\u0432\u0435\u0442", "\u043c\u0438\u0440"  # Russian
    p = write(tmp_path, f"a,b\n{hello},{world}\n".encode("koi8-r"))
    assert values(read_csv_grid(p, encoding="koi8-r"))[1] == [hello, world]
    guessed = read_csv_grid(p)  # valid cp1252 too: read, but flagged as a guess
    assert codes(guessed) == ["encoding-guess"]


def test_explicit_utf8_on_a_file_with_bom(tmp_path: Path) -> None:
    p = write(tmp_path, b"\xef\xbb\xbfa,b\n1,2\n")
    assert values(read_csv_grid(p, encoding="utf-8"))[0] == ["a", "b"]
    assert values(read_csv_grid(p, encoding="utf-8-sig"))[0] == ["a", "b"]


def test_explicit_encoding_that_does_not_fit_is_noted(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b\nCafé,x\n".encode("cp1252"))
    g = read_csv_grid(p, encoding="utf-8")
    assert values(g)[1] == ["Caf\ufffd", "x"]
    assert codes(g) == ["encoding-errors"]


def test_unknown_encoding_is_a_settings_error(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(SettingsError, match="unknown encoding"):
        read_csv_grid(p, encoding="klingon")
    with pytest.raises(SettingsError, match="not a text encoding"):
        read_csv_grid(p, encoding="base64")


def test_nul_byte_is_removed_and_noted(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, b"a,b,c\n\x00,2,3\nx\x00y,5,6\n")
    g = read_csv_grid(p)
    assert values(g) == [["a", "b", "c"], [None, "2", "3"], ["xy", "5", "6"]]
    assert codes(g) == ["nul-bytes"]
    assert "2 NUL characters" in g.notes[0].message


# ---------------------------------------------------------------------------------------------
# delimiters
# ---------------------------------------------------------------------------------------------


def test_semicolon_with_decimal_commas(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, "Kunde;Umsatz;Rabatt\nMüller GmbH;1.234,50;0,1\nSchmidt;99,90;\n")
    g = read_csv_grid(p)
    assert g.decimal_comma
    assert values(g) == [
        ["Kunde", "Umsatz", "Rabatt"],
        ["Müller GmbH", "1.234,50", "0,1"],
        ["Schmidt", "99,90", None],
    ]


def test_semicolon_below_title_lines(tmp_path: Path) -> None:
    content = "Kundenliste 2024\n\nExportiert am 01.02.2024, 10:15\nName;Ort;Betrag\n"
    content += "".join(f"Kunde {i};Köln;{i},50\n" for i in range(5))
    g = read_csv_grid(write(tmp_path, content))
    assert g.decimal_comma
    assert values(g)[0] == ["Kundenliste 2024", None, None]
    assert values(g)[1] == ["Exportiert am 01.02.2024, 10:15", None, None]
    assert values(g)[2] == ["Name", "Ort", "Betrag"]
    assert g.rows.tolist()[:3] == [1, 3, 4]


def test_tab_delimited_csv_with_commas_in_values(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, "Name\tAddress\nBob\t1 Main St, Springfield\nAnn\t2 High St\n")
    g = read_csv_grid(p)
    assert values(g)[1] == ["Bob", "1 Main St, Springfield"]
    assert not g.decimal_comma


def test_tsv_suffix_means_tab(tmp_path: Path) -> None:
    p = write(tmp_path, "a,b,c\tx\n1,2,3\ty\n", name="export.tsv")
    g = read_csv_grid(p)
    assert values(g) == [["a,b,c", "x"], ["1,2,3", "y"]]
    assert g.sheet == "export.tsv"


def test_pipe(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, "id|name|amount\n1|Smith, J.|1,000\n2|Doe|20\n")
    assert values(read_csv_grid(p))[1] == ["1", "Smith, J.", "1,000"]


def test_explicit_delimiter_wins(tmp_path: Path) -> None:
    p = write(tmp_path, "a;b,c\n1;2,3\n")
    assert values(read_csv_grid(p, delimiter=";")) == [["a", "b,c"], ["1", "2,3"]]
    assert values(read_csv_grid(p, delimiter=",")) == [["a;b", "c"], ["1;2", "3"]]
    assert values(read_csv_grid(p, delimiter="tab")) == [["a;b,c"], ["1;2,3"]]


def test_excel_sep_line(tmp_path: Path, fast_parser: str) -> None:
    """Excel reads "sep=;" as the delimiter and hides the line: the header is row 1."""
    g = read_csv_grid(write(tmp_path, "sep=;\r\nName;Note\r\nAnn;a, b, c\r\n"))
    assert values(g) == [["Name", "Note"], ["Ann", "a, b, c"]]
    assert g.rows.tolist() == [1, 2]
    assert g.decimal_comma
    with pytest.raises(NoUsableDataError):
        read_csv_grid(write(tmp_path, "sep=,\n"))


@pytest.mark.parametrize("bad", ["", ";;", '"', "\n"])
def test_bad_delimiter_is_a_settings_error(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SettingsError, match="delimiter"):
        read_csv_grid(write(tmp_path, "a,b\n"), delimiter=bad)


def test_single_column(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, "Email\nanna@example.com\nbob@example.com\n")
    g = read_csv_grid(p)
    assert values(g) == [["Email"], ["anna@example.com"], ["bob@example.com"]]
    assert g.notes == ()


def test_single_column_with_a_quoted_comma(tmp_path: Path) -> None:
    p = write(tmp_path, 'Name\n"Smith, John"\nDoe\n')
    assert values(read_csv_grid(p)) == [["Name"], ["Smith, John"], ["Doe"]]


# ---------------------------------------------------------------------------------------------
# records, line endings and row numbers
# ---------------------------------------------------------------------------------------------


def test_cr_only_line_endings(tmp_path: Path, fast_parser: str) -> None:
    p = write(tmp_path, b'name,note\rAnn,"two\rlines"\r\rBob,x\r')
    g = read_csv_grid(p)
    assert values(g) == [["name", "note"], ["Ann", "two\rlines"], ["Bob", "x"]]
    assert g.rows.tolist() == [1, 2, 4]


def test_quoted_multiline_value_is_one_record(tmp_path: Path, fast_parser: str) -> None:
    content = (
        'name,address,city\r\nAnn,"1 Main St\r\nFlat 2\r\nBack door",Leeds\r\n'
        "Bob,2 High St,York\r\n"
    )
    g = read_csv_grid(write(tmp_path, content))
    assert values(g) == [
        ["name", "address", "city"],
        ["Ann", "1 Main St\r\nFlat 2\r\nBack door", "Leeds"],
        ["Bob", "2 High St", "York"],
    ]
    assert g.rows.tolist() == [1, 2, 3]  # Excel: Bob is on row 3, not line 5


def test_blank_lines_are_dropped_but_still_counted(tmp_path: Path, fast_parser: str) -> None:
    content = "\n\nname,city\n\nAnn,Leeds\n   \n,\n\t,  \nBob,York\n\n\n"
    g = read_csv_grid(write(tmp_path, content))
    assert values(g) == [["name", "city"], ["Ann", "Leeds"], ["Bob", "York"]]
    assert g.rows.tolist() == [3, 5, 9]


def test_row_numbers_with_multiline_values_and_blank_lines(tmp_path: Path) -> None:
    content = 'h1,h2\n"a\n\nb",1\n\nc,2\n"d\n",3\n'
    g = read_csv_grid(write(tmp_path, content))
    assert values(g) == [["h1", "h2"], ["a\n\nb", "1"], ["c", "2"], ["d\n", "3"]]
    assert g.rows.tolist() == [1, 2, 4, 5]


def test_no_final_newline(tmp_path: Path, fast_parser: str) -> None:
    g = read_csv_grid(write(tmp_path, "a,b\n1,2"))
    assert values(g) == [["a", "b"], ["1", "2"]]


# ---------------------------------------------------------------------------------------------
# ragged rows
# ---------------------------------------------------------------------------------------------


def test_extra_fields_are_kept_and_reported(tmp_path: Path) -> None:
    content = (
        "id,name,address,city\n"
        "1,Ann,10 Main St,Leeds\n"
        "2,Bob,Flat 3, 12 High St,York\n"
        "3,Cy,5 Low Rd,Hull\n"
        "4,Di,Unit 1, Dock 2, Pier 3,Cork\n"
    )
    g = read_csv_grid(write(tmp_path, content))
    assert values(g) == [
        ["id", "name", "address", "city", None, None],
        ["1", "Ann", "10 Main St", "Leeds", None, None],
        ["2", "Bob", "Flat 3", " 12 High St", "York", None],
        ["3", "Cy", "5 Low Rd", "Hull", None, None],
        ["4", "Di", "Unit 1", " Dock 2", " Pier 3", "Cork"],
    ]
    assert [(n.code, n.row, n.severity) for n in g.notes] == [
        ("extra-fields", 3, "error"),
        ("extra-fields", 5, "error"),
    ]
    assert g.notes[0].message == (
        "this row has 5 values but the header has 4: probably a comma inside a value that is "
        "not in quotes (often in an address). Put that value in quotes or remove the comma."
    )
    assert g.notes[1].message.startswith("this row has 6 values but the header has 4")


def test_extra_fields_with_semicolons(tmp_path: Path) -> None:
    g = read_csv_grid(write(tmp_path, "a;b\n1;2\n3;4;5\n6;7\n"))
    assert [(n.code, n.row) for n in g.notes] == [("extra-fields", 3)]
    assert "semicolon" in g.notes[0].message


def test_extra_field_beyond_the_sniffed_sample(tmp_path: Path, fast_parser: str) -> None:
    lines = ["id,name"] + [f"{i},n{i}" for i in range(300)] + ["300,Smith, J."]
    g = read_csv_grid(write(tmp_path, "\n".join(lines) + "\n"))
    assert g.cells.shape == (302, 3)
    assert values(g)[-1] == ["300", "Smith", " J."]
    assert [(n.code, n.row) for n in g.notes] == [("extra-fields", 302)]


def test_extra_empty_fields_are_harmless(tmp_path: Path, fast_parser: str) -> None:
    g = read_csv_grid(write(tmp_path, "a,b,c\n1,2,3,,\n4,5,6, ,\n7,8,9\n"))
    assert g.notes == ()
    assert values(g) == [
        ["a", "b", "c", None],
        ["1", "2", "3", None],
        ["4", "5", "6", " "],
        ["7", "8", "9", None],
    ]


def test_trailing_empty_columns_are_trimmed(tmp_path: Path, fast_parser: str) -> None:
    g = read_csv_grid(write(tmp_path, "a,b,,\n1,2,,\n,,,\n"))
    assert values(g) == [["a", "b"], ["1", "2"]]
    assert g.rows.tolist() == [1, 2]


def test_short_rows_are_padded_without_a_note(tmp_path: Path, fast_parser: str) -> None:
    g = read_csv_grid(write(tmp_path, "a,b,c,d\n1,2\n3\n4,5,6,7\n"))
    assert values(g) == [
        ["a", "b", "c", "d"],
        ["1", "2", None, None],
        ["3", None, None, None],
        ["4", "5", "6", "7"],
    ]
    assert g.notes == ()


def test_header_wider_than_rows_that_omit_trailing_blanks(tmp_path: Path) -> None:
    content = "a,b,c,d\n" + "".join(f"{i},x\n" for i in range(20)) + "9,x,y,z\n"
    assert read_csv_grid(write(tmp_path, content)).notes == ()


def test_slow_path_frame_matches_pandas(tmp_path: Path) -> None:
    content = 'a,b,c\n1,,"x\ny"\n\n2,3,4,5\n6\n  \n7,"",8\n'
    c_frame = csvread._read_pandas_c(content.encode(), ",", 4)
    py_frame = csvread._frame_from_records(content, ",", 4)
    assert c_frame is not None
    pd.testing.assert_frame_equal(c_frame, py_frame)


def test_unclosed_quote_is_reported(tmp_path: Path, fast_parser: str) -> None:
    content = 'name,note\nAnn,ok\n\nBob,"never closed\nCy,x\nDi,y\n'
    g = read_csv_grid(write(tmp_path, content))
    assert values(g)[-1] == ["Bob", "never closed\nCy,x\nDi,y\n"]
    assert [(n.code, n.row, n.severity) for n in g.notes] == [("unclosed-quote", 4, "error")]


def test_literal_quote_inside_a_value_is_not_an_unclosed_quote(tmp_path: Path) -> None:
    g = read_csv_grid(write(tmp_path, 'item,size\nTV,55" screen\nRadio,small\n'))
    assert values(g)[1] == ["TV", '55" screen']
    assert g.notes == ()


def test_very_long_value(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    long = "x" * 300_000
    g = read_csv_grid(write(tmp_path, f'a,b\n1,"{long}"\n2,3,4\n'))
    assert values(g)[1] == ["1", long, None]
    assert csv.field_size_limit() == limit


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found") as err:
        read_csv_grid(tmp_path / "nope.csv")
    assert err.value.path == tmp_path / "nope.csv"
    assert isinstance(err.value, OSError)


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="folder"):
        read_csv_grid(tmp_path)


@pytest.mark.parametrize(
    "raw", [b"", b"\n", b"  \r\n\t\n", b"\xef\xbb\xbf", b"\xff\xfe \x00\n\x00", b"\x00\n"]
)
def test_empty_file(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(NoUsableDataError, match="the file is empty"):
        read_csv_grid(write(tmp_path, raw))


def test_only_separators(tmp_path: Path) -> None:
    with pytest.raises(NoUsableDataError, match="the file is empty"):
        read_csv_grid(write(tmp_path, ",,,\n,,\n\n , \n"))


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("raw", "hint"),
    [
        (_xlsx_bytes(), "rename it to end in .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"PK\x03\x04" + bytes(100), "zip"),
        (b"<!DOCTYPE html>\n<html><table><tr><td>1</td></tr></table></html>", "web page"),
        (bytes(range(256)) * 4, "binary data"),
    ],
)
def test_binary_file_renamed_csv(tmp_path: Path, raw: bytes, hint: str) -> None:
    with pytest.raises(UnsupportedFormatError, match="is not a text CSV file") as err:
        read_csv_grid(write(tmp_path, raw))
    assert hint in str(err.value)
    assert "customers.csv" in str(err.value)


# ---------------------------------------------------------------------------------------------
# speed (marked slow: run with -m slow)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_100k_rows_are_read_whole(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    with p.open("w", encoding="utf-8", newline="") as f:
        f.write("id,first,last,email,phone,zip,city,country,signup,spend\r\n")
        for i in range(100_000):
            f.write(f"{i},Ann,Smith{i},a{i}@x.com,+1 555 {i % 10000:04d},{i % 100000:05d},")
            f.write(f"Leeds,UK,2023-01-{i % 28 + 1:02d},{i % 5000}.50\r\n")
    g = read_csv_grid(p)  # its speed: benchmarks/validate.py
    assert g.cells.shape == (100_001, 10)
    assert g.cells.iloc[8, 5] == "00007"


# ---------------------------------------------------------------------------------------------
# property tests
# ---------------------------------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_reads_or_raises_a_crmsheet_error(content: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.csv"
        p.write_text(content, encoding="utf-8", newline="")
        try:
            g = read_csv_grid(p)
        except CrmsheetError:
            return
        assert_all_text(g)
        assert len(g.cells) > 0


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_any_bytes_read_or_raise_a_crmsheet_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.csv"
        p.write_bytes(raw)
        try:
            g = read_csv_grid(p)
        except CrmsheetError:
            return
        assert_all_text(g)


_cell = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="\ufeff")
    | st.sampled_from(["\n", "\r", "\t", '"', ",", ";", " "]),
    max_size=12,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cell, min_size=1, max_size=6), min_size=1, max_size=12))
def test_values_written_by_csv_writer_read_back(table: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(table)
    expected_rows = []
    expected = []
    for n, row in enumerate(table, start=1):
        if all(not v.strip() for v in row):
            continue  # a record of blanks is dropped; its number is skipped
        expected_rows.append(n)
        expected.append([v if v != "" else None for v in row])
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.csv"
        p.write_text(buf.getvalue(), encoding="utf-8", newline="")
        if not expected:
            with pytest.raises(NoUsableDataError):
                read_csv_grid(p, delimiter=",")
            return
        g = read_csv_grid(p, delimiter=",")
    width = max(len(r) for r in expected)
    assert g.cells.shape[1] <= width  # trailing columns with nothing in them are trimmed
    got = [(row + [None] * width)[: len(exp)] for row, exp in zip(values(g), expected, strict=True)]
    assert got == expected
    assert g.rows.tolist() == expected_rows
    for row, exp in zip(values(g), expected, strict=True):
        assert all(v is None for v in row[len(exp) :])


# ---------------------------------------------------------------------------------------------
# real files (read in place from ../shared/testdata)
# ---------------------------------------------------------------------------------------------


def test_northwind_customers() -> None:
    """24 of 91 customers have an unquoted comma in the address (neo4j-contrib/northwind-neo4j)."""
    g = read_csv_grid(shared(NORTHWIND / "customers.csv"))
    assert_all_text(g)
    assert g.cells.shape == (92, 12)
    assert g.rows.tolist() == list(range(1, 93))
    assert values(g)[0][:3] == ["customerID", "companyName", "contactName"]
    assert values(g)[0][11] is None
    # ANATR: zero-padded postal code and a literal NULL region stay text
    assert values(g)[2][:2] == ["ANATR", "Ana Trujillo Emparedados y helados"]
    assert values(g)[2][6:9] == ["NULL", "05021", "Mexico"]
    notes = [n for n in g.notes if n.code == "extra-fields"]
    assert len(notes) == len(g.notes) == 24
    assert [n.row for n in notes[:3]] == [8, 9, 10]
    assert all(n.severity == "error" for n in notes)
    assert notes[0].message.startswith("this row has 12 values but the header has 11")
    # record 8: BLONP,...,24, place Kléber,Strasbourg,... -> the address split in two
    assert values(g)[7][:6] == [
        "BLONP",
        "Blondesddsl père et fils",
        "Frédérique Citeaux",
        "Marketing Manager",
        "24",
        " place Kléber",
    ]
    assert values(g)[7][11] == "88.60.15.32"
    # record 9: BOLID, "C/ Araquil, 67"
    assert values(g)[8][4:6] == ["C/ Araquil", " 67"]


def test_northwind_orders() -> None:
    g = read_csv_grid(shared(NORTHWIND / "orders.csv"))
    assert g.cells.shape == (831, 15)
    notes = g.notes
    assert len(notes) == 176
    assert {n.code for n in notes} == {"extra-fields"}
    assert [n.row for n in notes[:2]] == [4, 5]
    # record 4: 10250 HANAR ... "Rua do Paço, 67"
    assert values(g)[3][0] == "10250"
    assert values(g)[3][9:11] == ["Rua do Paço", " 67"]
    # record 5: 10251 VICTE ... "2, rue du Commerce"
    assert values(g)[4][9:11] == ["2", " rue du Commerce"]
    # last record is well formed: no note, NA in the extra column, shippedDate "NULL" kept
    assert values(g)[830][:1] + values(g)[830][5:6] == ["11077", "NULL"]
    assert values(g)[830][14] is None
    assert 831 not in {n.row for n in notes}


def test_northwind_order_details() -> None:
    g = read_csv_grid(shared(NORTHWIND / "order-details.csv"))
    assert g.cells.shape == (2156, 5)
    assert g.notes == ()
    assert values(g)[0] == ["orderID", "productID", "unitPrice", "quantity", "discount"]
    assert values(g)[1] == ["10248", "11", "14.00", "12", "0"]
    assert g.rows[-1] == 2156


@pytest.mark.parametrize("name", ["test_utf16_big.csv", "test_utf16_little.csv"])
def test_csvkit_utf16(name: str) -> None:
    g = read_csv_grid(shared(CSVKIT / name))
    assert values(g) == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "ʤ"]]
    assert g.notes == ()


def test_csvkit_latin1() -> None:
    g = read_csv_grid(shared(CSVKIT / "test_latin1.csv"))
    assert values(g) == [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "©"]]
    assert codes(g) == ["encoding-guess"]


def test_csvkit_utf8_bom() -> None:
    g = read_csv_grid(shared(CSVKIT / "test_utf8_bom.csv"))
    assert values(g) == [["foo", "bar", "baz"], ["1", "2", "3"], ["4", "5", "ʤ"]]


def test_csvkit_mac_newlines() -> None:
    g = read_csv_grid(shared(CSVKIT / "mac_newlines.csv"))
    assert values(g) == [["a", "b", "c"], ["1", "2", "3"], ["Once upon\ra time", "5", "6"]]
    assert g.rows.tolist() == [1, 2, 3]


def test_csvkit_null_byte() -> None:
    g = read_csv_grid(shared(CSVKIT / "null_byte.csv"))
    assert values(g) == [["a", "b", "c"], [None, "2", "3"]]
    assert codes(g) == ["nul-bytes"]


def test_csvkit_locale() -> None:
    """Quoted decimal commas in a comma-separated file: the delimiter is still the comma."""
    g = read_csv_grid(shared(CSVKIT / "test_locale.csv"))
    assert values(g) == [["a", "b", "c"], ["1,7", "200.000.000", None]]
    assert not g.decimal_comma


def test_csvkit_bad() -> None:
    g = read_csv_grid(shared(CSVKIT / "bad.csv"))
    assert values(g) == [
        ["column_a", "column_b", "column_c", None],
        ["1", "27", None, "I'm too long!"],
        [None, "I'm too short!", None, None],
        ["0", "mixed types.... uh oh", "17", None],
    ]
    assert [(n.code, n.row) for n in g.notes] == [("extra-fields", 2)]
    assert g.notes[0].message.startswith("this row has 4 values but the header has 3")


@pytest.mark.parametrize("name", ["empty.csv"])
def test_csvkit_empty(name: str) -> None:
    with pytest.raises(NoUsableDataError, match="the file is empty"):
        read_csv_grid(shared(CSVKIT / name))


@pytest.mark.parametrize("name", ["dummy.xlsx", "sheets.xls"])
def test_csvkit_workbooks_are_not_csv(name: str) -> None:
    with pytest.raises(UnsupportedFormatError, match="is not a text CSV file"):
        read_csv_grid(shared(CSVKIT / name))


def test_horror_utf16le() -> None:
    g = read_csv_grid(shared(HORROR / "utf-16le_encoded.csv"))
    assert g.cells.shape == (328, 19)
    assert g.notes == ()
    assert values(g)[0][:2] == ["Organisation_code", "Organisation_name"]
    row = values(g)[1]
    assert row[:2] == ["5C1", "Enfield PCT"]
    assert row[2] == "NHS Facilities" + " " * 36  # trailing spaces are the file's
    assert row[3] == "2010-11"


def test_horror_tsv() -> None:
    g = read_csv_grid(shared(HORROR / "example.tsv"))
    assert g.cells.shape == (141, 17)
    assert values(g)[0][:2] == ["hour", "expr1_0_imp"]
    assert values(g)[1][:3] == ["2012-06-22 00:00:00", "15955", "144"]
    assert values(g)[-1][-1] == "0.0000"


def test_horror_psv() -> None:
    g = read_csv_grid(shared(HORROR / "simple.psv"))
    assert g.cells.shape == (29, 6)
    assert values(g)[0][:2] == ["Year", "New dwellings"]
    assert values(g)[1] == ["1986", "44000", "35000", "36000", "27000", "45000"]
    assert g.rows[-1] == 29


def test_horror_ssv_is_semicolon_separated() -> None:
    g = read_csv_grid(shared(HORROR / "simple.ssv"))
    assert g.decimal_comma
    assert values(g)[0] == ["date", "temperature", "place"]
    assert values(g)[2] == ["2011-01-02", "-1", "Galway"]
    assert g.cells.shape == (7, 3)


def test_horror_spanish_chars() -> None:
    g = read_csv_grid(shared(HORROR / "spanish_chars.csv"))
    assert codes(g) == ["encoding-guess"]
    assert values(g)[0][6:8] == ["Gasto total 2011", "Descripción"]
    assert values(g)[1][3] == "Gobierno"
    assert values(g)[1][6] == "229,932.50"
    assert values(g)[2][4] == "Legislación"
    # record 116 is ",,,,,,," (dropped); the footnote on record 117 keeps its number
    assert 116 not in g.rows.tolist()
    assert g.rows[-1] == 117
    assert values(g)[-1][0].startswith("Fuente: Presupuesto de Egresos de la Federación")
