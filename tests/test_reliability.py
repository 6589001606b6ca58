"""Reliability and safety (issue 7): crmsheet never crashes, never loses or changes data, and
does bounded work on hostile files.

* every file of ../shared/testdata/messy goes through the CLI: exit 0/1/2, never a traceback;
* unusable files raise typed errors (also ``OSError``) and print one line naming the file;
* entity and zip bombs are refused in bounded time and memory; text never becomes a formula
  or a link in what crmsheet writes;
* inputs are never modified; writes are atomic even under SIGKILL;
* big and odd values (32,767-character text, NaN/inf, errors, formulas without values...);
* fuzzed workbooks only ever raise crmsheet's own errors.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from accounting import assert_rows_accounted_for
from conftest import TESTDATA, shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crmsheet
from crmsheet.cli import main
from crmsheet.errors import (
    CrmsheetError,
    EncryptedFileError,
    InputFileError,
    NoUsableDataError,
    OutputFileError,
    UnsupportedFormatError,
)
from crmsheet.io import xlsxread
from crmsheet.io.problems import write_problems
from crmsheet.io.tables import SheetSpec, write_tables
from crmsheet.reader import read_grids

MESSY = TESTDATA / "messy"
CALAMINE = MESSY / "python_calamine_tests"
AS_OF = dt.date(2026, 11, 1)

MESSY_FILES = sorted(p for p in MESSY.rglob("*") if p.is_file()) if MESSY.is_dir() else []
NO_MESSY = pytest.param(
    None, marks=pytest.mark.skip(reason=f"shared test data not found at {MESSY}"), id="absent"
)
CORPUS = [pytest.param(p, id=str(p.relative_to(MESSY))) for p in MESSY_FILES] or [NO_MESSY]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_exit(code: int, out: str, err: str, path: Path) -> None:
    """The CLI contract: 0/1/2, no traceback, and exit 2 is one plain line naming the file."""
    assert code in {0, 1, 2}, (code, err)
    assert "Traceback" not in out + err
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("crmsheet: ") and str(path) in lines[0], lines[0]
        assert "bug in crmsheet" not in lines[0], lines[0]  # the last-resort handler


def new_book(path: Path, **options: object) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
         "nan_inf_to_errors": True, **options},
    )  # fmt: skip


def customers_xlsx(path: Path, rows: int = 5, sheet: str = "Customers") -> Path:
    wb = new_book(path)
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, ["Customer ID", "Name", "Revenue", "First purchase"])
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"C{r:04d}", f"Customer {r}", r * 100.0, f"2024-0{1 + r % 9}-15"])
    wb.close()
    return path


def rezip(src: Path, dest: Path, replace: dict[str, bytes]) -> Path:
    """Copy a workbook's zip with some members' bytes replaced (valid CRCs: parsers see them)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
    return dest


# --------------------------------------------------------------------------------------------
# 1. The real messy corpus through the CLI


@pytest.mark.parametrize("path", CORPUS)
def test_corpus_validate_never_crashes(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(path)
    code, out, err = run_cli(capsys, "validate", path, "--as-of", AS_OF)
    assert_clean_exit(code, out, err, path)
    assert sha256(path) == before


@pytest.mark.slow  # about 10 s: five files are enriched for real
@pytest.mark.parametrize("path", CORPUS)
def test_corpus_enrich_never_crashes(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validated, _, _ = run_cli(capsys, "validate", path, "--as-of", AS_OF)
    before = sha256(path)
    target = tmp_path / "out.xlsx"
    code, out, err = run_cli(capsys, "enrich", path, "-o", target, "--as-of", AS_OF)
    assert_clean_exit(code, out, err, path)
    assert sha256(path) == before
    if validated in {0, 1}:  # what validates can be enriched
        assert code == 0, err
        book = openpyxl.load_workbook(target, read_only=True)
        assert "Customers" in book.sheetnames and "Problems" in book.sheetnames
        book.close()
    else:
        assert code == 2 and not target.exists()
    assert not list(tmp_path.glob(".*.tmp*"))


def test_enrich_refusal_is_one_line_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    code, out, err = run_cli(capsys, "enrich", path, "-o", tmp_path / "out.xlsx")
    assert code == 2
    assert_clean_exit(code, out, err, path)


# --------------------------------------------------------------------------------------------
# 2. Typed refusals: the exception class, its builtin, and the CLI's one line


def assert_refused(
    capsys: pytest.CaptureFixture[str], path: Path, cls: type[InputFileError], match: str
) -> InputFileError:
    with pytest.raises(cls, match=match) as info:
        crmsheet.read(path, as_of=AS_OF)
    assert isinstance(info.value, OSError) and isinstance(info.value, CrmsheetError)
    assert info.value.path == path
    code, out, err = run_cli(capsys, "validate", path)
    assert code == 2
    assert_clean_exit(code, out, err, path)
    assert re.search(match, err), err
    return info.value


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv"])
def test_zero_byte_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert_refused(capsys, path, NoUsableDataError, "empty")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"Customer ID,Name\nC1,Ann\n", "looks like a text file.*rename it to .csv"),
        (b"<!DOCTYPE html><html><body><table><tr><td>C1</td></tr></table>", "HTML web page"),
    ],
    ids=["text", "html"],
)
def test_text_and_html_named_xlsx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, match: str
) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    assert_refused(capsys, path, UnsupportedFormatError, match)


def test_zip_of_a_text_file_named_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", "Customer ID,Name\nC1,Ann\n")
    assert_refused(capsys, path, UnsupportedFormatError, "zip archive, not an Excel workbook")


def test_truncated_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full = customers_xlsx(tmp_path / "full.xlsx", rows=300).read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(full[: len(full) // 2])
    assert_refused(capsys, path, UnsupportedFormatError, r"damaged \(incomplete zip\)")


def test_zip_asking_for_a_newer_zip_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # found by the long fuzz run: a directory entry's "version needed to extract" above 6.3 made
    # Python's zipfile raise NotImplementedError, which escaped as a traceback
    raw = bytearray(customers_xlsx(tmp_path / "full.xlsx", rows=5).read_bytes())
    at = raw.find(b"PK\x01\x02")
    raw[at + 6 : at + 8] = (64).to_bytes(2, "little")
    path = tmp_path / "newer.xlsx"
    path.write_bytes(bytes(raw))
    assert_refused(capsys, path, UnsupportedFormatError, "damaged")


def test_password_protected_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "password.xlsx"
    shutil.copyfile(shared(CALAMINE / "password.xlsx"), path)  # a copy: tmp_path in the message
    assert_refused(capsys, path, EncryptedFileError, "protected by a password")


@pytest.mark.parametrize("ext", [".xls", ".xlsb", ".ods"])
def test_legacy_formats_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ext: str
) -> None:
    # calamine's base files have no customer columns: the cells read, then a clear refusal
    path = tmp_path / f"base{ext}"
    shutil.copyfile(shared(CALAMINE / f"base{ext}"), path)
    grids = read_grids(path)
    assert grids and all(g.cells.shape[0] > 0 for g in grids)
    assert_refused(capsys, path, NoUsableDataError, "no sheet has the columns crmsheet needs")


@pytest.mark.parametrize("ext", [".xls", ".ods"])
def test_legacy_formats_with_customers_validate(
    capsys: pytest.CaptureFixture[str], ext: str
) -> None:
    path = shared(MESSY / "messytables_horror" / f"simple{ext}")
    code, out, err = run_cli(capsys, "validate", path)
    assert_clean_exit(code, out, err, path)


def test_workbook_without_usable_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "blank.xlsx"
    wb = new_book(empty)
    wb.add_worksheet("One")
    wb.add_worksheet("Two")
    wb.close()
    assert_refused(capsys, empty, NoUsableDataError, "every sheet is empty")

    other = tmp_path / "other.xlsx"
    wb = new_book(other)
    ws = wb.add_worksheet("Inventory")
    ws.write_row(0, 0, ["Part", "Bin", "Weight"])
    ws.write_row(1, 0, ["bolt", "A7", 0.2])
    wb.close()
    assert_refused(capsys, other, NoUsableDataError, "Headers seen: Bin, Part, Weight")


def test_uppercase_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = customers_xlsx(tmp_path / "CUSTOMERS.XLSX")
    data = crmsheet.read(path, as_of=AS_OF)
    assert len(data.customers) == 5
    code, out, err = run_cli(capsys, "validate", path)
    assert code == 0 and "Traceback" not in out + err


def test_unicode_sheet_name(tmp_path: Path) -> None:
    name = "Kunden ü € 客户"
    path = customers_xlsx(tmp_path / "unicode.xlsx", sheet=name)
    data = crmsheet.read(path, as_of=AS_OF)
    assert [t.sheet for t in data.tables] == [name]
    assert len(data.customers) == 5


def test_hidden_sheets_are_read(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xlsx"
    wb = new_book(path)
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name"])
    ws.write_row(1, 0, ["C1", "Ann"])
    hidden = wb.add_worksheet("Old customers")
    hidden.write_row(0, 0, ["Customer ID", "Name"])
    hidden.write_row(1, 0, ["C2", "Bob"])
    hidden.hide()
    wb.close()
    grids = read_grids(path)
    assert {g.sheet: g.hidden for g in grids} == {"Customers": False, "Old customers": True}
    data = crmsheet.read(path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    assert "Customers" in {t.sheet for t in data.tables}


# --------------------------------------------------------------------------------------------
# 3. Hostile content: bombs refused in bounded time and memory; text stays text

PROBE = r"""
import json, resource, sys, time
import crmsheet
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[1:]:
    started = time.perf_counter()
    try:
        data = crmsheet.read(path)
        longest = max((len(str(v)) for v in data.customers["name"].tolist()), default=0)
        outcome = f"read ({len(data.customers)} customers, longest name {longest})"
    except crmsheet.CrmsheetError as exc:
        outcome = type(exc).__name__ + ": " + str(exc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"path": path, "outcome": outcome, "seconds": time.perf_counter() - started,
                      "grew_mb": (peak - base) / 1024}), flush=True)
"""


def probe(*paths: Path) -> dict[str, dict[str, object]]:
    """Read each file in one child process (a crash or runaway there cannot take pytest down).

    ``grew_mb`` is the child's peak RSS after that file minus its peak after importing
    crmsheet: cumulative, so an upper bound of what each file cost.
    """

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (8 * 1024**3, 8 * 1024**3))

    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, paths)], capture_output=True, text=True,
        timeout=300, preexec_fn=limit, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"child died ({proc.returncode}): {proc.stderr[-2000:]}"
    results = {}
    for line in proc.stdout.splitlines():
        result = json.loads(line)
        results[Path(result.pop("path")).name] = result
        print(f"{line}")
    return results


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)  # &lol9; is 10**9 "lol"s: 3 GB if expanded


def laughs_in_workbook_xml(folder: Path) -> Path:
    src = customers_xlsx(folder / "src-workbook.xlsx")
    with zipfile.ZipFile(src) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    body = workbook.split("?>", 1)[1].replace('name="Customers"', 'name="&lol9;"')
    return rezip(src, folder / "laughs-workbook.xlsx", {"xl/workbook.xml": LAUGHS + body.encode()})


def laughs_in_part(folder: Path, part: str) -> Path:
    src = folder / "src-part.xlsx"
    wb = new_book(src)
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name"])
    ws.write_row(1, 0, ["C1", "Ann"])
    wb.close()
    with zipfile.ZipFile(src) as zf:
        body = zf.read(part).decode().split("?>", 1)[1]
    if "sharedStrings" in part:
        body = body.replace("<t>Ann</t>", "<t>&lol9;</t>")
    else:
        body = body.replace("</sheetData>", '<row r="3"><c r="B3" t="inlineStr"><is><t>&lol9;'
                            "</t></is></c></row></sheetData>")  # fmt: skip
    assert "&lol9;" in body
    name = "laughs-strings.xlsx" if "sharedStrings" in part else "laughs-sheet.xlsx"
    return rezip(src, folder / name, {part: LAUGHS + body.encode()})


def zip_bomb(folder: Path, megabytes: int = 200) -> Path:
    """A workbook whose sheet is ``megabytes`` MB of zeros (~1000:1), written streaming."""
    path = folder / "zip-bomb.xlsx"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='S' r:id='rId1'/></sheets>"
                    "</workbook>")  # fmt: skip
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(zeros)
    assert path.stat().st_size < 2 << 20
    return path


def lying_zip(folder: Path) -> Path:
    """Headers say the sheet is 1 KB; it inflates to 50 MB."""
    src = customers_xlsx(folder / "src-liar.xlsx")
    with zipfile.ZipFile(src) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    big = sheet.replace(b"</sheetData>", b" " * (50 << 20) + b"</sheetData>")
    path = rezip(src, folder / "liar.xlsx", {"xl/worksheets/sheet1.xml": big})
    raw = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = raw.find(sig)  # local and central headers: patch the uncompressed size
        while pos >= 0:
            if raw[pos + name_at : pos + name_at + len(name)] == name:
                raw[pos + size_at : pos + size_at + 4] = (1024).to_bytes(4, "little")
            pos = raw.find(sig, pos + 4)
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(name.decode()).file_size == 1024
    return path


def far_cell(folder: Path) -> Path:
    path = folder / "far-cell.xlsx"
    wb = new_book(path)
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name"])
    ws.write_row(1, 0, ["C1", "Ann"])
    ws.write_string(1_048_575, 16_383, "stray")
    wb.close()
    assert path.stat().st_size < 10_000
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Every hostile file, built here, read in one child process."""
    folder = tmp_path_factory.mktemp("hostile")
    started = time.perf_counter()
    bomb = zip_bomb(folder)
    print(f"built a 200 MB zip bomb ({bomb.stat().st_size:,} bytes) in "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    paths = [
        laughs_in_workbook_xml(folder),
        laughs_in_part(folder, "xl/worksheets/sheet1.xml"),
        laughs_in_part(folder, "xl/sharedStrings.xml"),
        bomb,
        lying_zip(folder),
        far_cell(folder),
    ]
    return probe(*paths)


def assert_bounded(result: dict[str, object], refused: str | None = None) -> None:
    assert float(result["seconds"]) < 10, result  # type: ignore[arg-type]
    assert float(result["grew_mb"]) < 300, result  # type: ignore[arg-type]
    if refused is not None:
        assert str(result["outcome"]).startswith(refused), result


def test_entity_bomb_in_workbook_xml(hostile: dict[str, dict[str, object]]) -> None:
    assert_bounded(hostile["laughs-workbook.xlsx"], refused="UnsupportedFormatError")


@pytest.mark.parametrize("name", ["laughs-sheet.xlsx", "laughs-strings.xlsx"])
def test_entity_bomb_in_sheet_or_strings(hostile: dict[str, dict[str, object]], name: str) -> None:
    result = hostile[name]
    assert_bounded(result)
    outcome = str(result["outcome"])
    if outcome.startswith("read"):  # the entity was not expanded: nothing huge was read
        assert int(re.findall(r"longest name (\d+)", outcome)[0]) < 1000, outcome
    else:
        assert outcome.startswith("UnsupportedFormatError"), outcome


def test_zip_bomb_is_refused_fast(hostile: dict[str, dict[str, object]]) -> None:
    result = hostile["zip-bomb.xlsx"]
    assert_bounded(result, refused="UnsupportedFormatError")
    assert "zip bombs" in str(result["outcome"])


def test_zip_that_lies_about_its_size_is_refused(hostile: dict[str, dict[str, object]]) -> None:
    """Python's zipfile stops at the declared size and the CRC does not match: refused before
    calamine parses the sheet (the used-area scan reads it through zipfile first)."""
    result = hostile["liar.xlsx"]
    assert_bounded(result, refused="UnsupportedFormatError")


def test_stray_far_cell_is_refused_not_a_crash(hostile: dict[str, dict[str, object]]) -> None:
    """One value in XFD1048576 (a 5 KB file) made calamine allocate 17 billion cells: the
    process died with SIGABRT ("memory allocation failed"), no message, no exit code 2."""
    result = hostile["far-cell.xlsx"]
    assert_bounded(result, refused="UnsupportedFormatError")
    assert "XFD1048576" in str(result["outcome"])


def test_used_area_scan_is_exact_and_not_fooled() -> None:
    xml = (
        b'<worksheet xmlns:r="http://x"><dimension ref="A1:B2"/><sheetData>'
        b'<row r="2"><c r="B2" t="s"><v>0</v></c><c r = "AB17"><v>1</v></c></row>'
        b'<row r="40"/></sheetData><pageMargins header="0.3" footer="0.3"/></worksheet>'
    )
    assert xlsxread._used_area(io.BytesIO(xml)) == (40, 28)
    for chunk in (7, 16, 33):  # references cut by the chunk boundary
        assert xlsxread._used_area(io.BytesIO(xml), chunk_size=chunk) == (40, 28)
    assert xlsxread._used_area(io.BytesIO(b"<c r='xfd1048576'/>")) == (1_048_576, 16_384)


def test_big_but_legitimate_area_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = customers_xlsx(tmp_path / "ok.xlsx", rows=30)  # 31 rows x 4 columns = 124 cells
    monkeypatch.setattr(xlsxread, "MAX_CELLS", 124)
    assert len(crmsheet.read(path, as_of=AS_OF).customers) == 30
    monkeypatch.setattr(xlsxread, "MAX_CELLS", 123)
    with pytest.raises(UnsupportedFormatError, match=r"reaches cell D31 \(31 rows x 4 columns"):
        crmsheet.read(path, as_of=AS_OF)


RISKY = ["=1+2", "+41 22 555", "-2+3", "@SUM(A1:A9)", "\tTab", "\rReturn", "\nNewline",
         '=HYPERLINK("http://evil.example","click")', "=cmd|' /C calc'!A0"]  # fmt: skip
URLS = ["http://example.com/a", "https://example.com", "mailto:ann@example.com", "www.example.com"]


@pytest.fixture
def hostile_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.xlsx"
    wb = new_book(path)
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name", "Notes", "Balance", "First purchase"])
    for r, text in enumerate(RISKY + URLS, start=1):
        ws.write_row(r, 0, [f"C{r}", f"Name {text}", text])
        ws.write_number(r, 3, -12.5 * r)
        ws.write_string(r, 4, text)  # not a date: reported with the text as the value
    wb.close()
    return path


def test_enriched_workbook_text_never_becomes_formula_or_link(
    hostile_workbook: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(hostile_workbook, output=out, as_of=AS_OF)
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
                assert b"<hyperlink" not in xml, name
        rels = [n for n in zf.namelist() if n.endswith(".rels")]
        for name in rels:
            assert b"relationships/hyperlink" not in zf.read(name), name
    book = openpyxl.load_workbook(out)
    for sheet in ("Customers", "Problems"):
        seen = {}
        for row in book[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    seen[cell.value] = cell.data_type
                    assert cell.hyperlink is None
        for text in ["=1+2", "@SUM(A1:A9)", '=HYPERLINK("http://evil.example","click")', *URLS]:
            assert seen.get(text) == "s", (sheet, text)
    customers = book["Customers"]
    header = [c.value for c in customers[1]]
    balance = header.index("Balance") + 1
    values = [customers.cell(row=r, column=balance) for r in range(2, 2 + len(RISKY + URLS))]
    assert all(c.data_type == "n" and c.value < 0 for c in values)  # real negatives stay numbers


def test_problem_csv_prefixes_formula_text(
    hostile_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "problems.csv"
    code, _, err = run_cli(capsys, "validate", hostile_workbook, "--problems", report)
    assert code == 1, err
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    values = {r["cell"]: r["value"] for r in rows if r["code"] == "bad-date"}
    for r, text in enumerate(RISKY, start=1):
        if text.startswith("\r"):
            continue  # the record is split: see test_problem_csv_keeps_a_bare_cr_in_one_record
        assert values[f"Customers!E{r + 1}"] == "'" + text
    for r, text in enumerate(URLS, start=len(RISKY) + 1):
        assert values[f"Customers!E{r + 1}"] == text  # not formula-like: unchanged
    for row in rows:  # nothing in any column starts a formula
        for value in row.values():
            if not isinstance(value, str):
                continue  # defensive: a split record would have ragged fields
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), row


def test_problem_csv_keeps_a_bare_cr_in_one_record(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(b'Customer ID,Name,First purchase\nC1,Ann,"\rReturn"\nC2,Bob,2024-01-05\n')
    data = crmsheet.read(path, as_of=AS_OF)
    assert list(data.problems.frame["value"]) == ["\rReturn"]
    report = write_problems(data.problems.frame, tmp_path / "problems.csv")
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1, rows
    assert rows[0]["value"] == "'\rReturn"


def test_problem_xlsx_keeps_formula_text_as_text(
    hostile_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "problems.xlsx"
    code, _, err = run_cli(capsys, "validate", hostile_workbook, "--problems", report)
    assert code == 1, err
    with zipfile.ZipFile(report) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")
    ws = openpyxl.load_workbook(report)["Problems"]
    values = [c for c in ws["G"][1:] if isinstance(c.value, str) and c.value.startswith("=")]
    assert values and all(c.data_type == "s" for c in values)


# --------------------------------------------------------------------------------------------
# 4. Nothing lost: inputs unchanged, atomic writes, every row accounted for


def test_inputs_unchanged_by_validate_and_enrich(
    hostile_workbook: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_in = tmp_path / "customers.csv"
    csv_in.write_text('Customer ID,Name,Revenue\nC1,Ann,"1,234.50"\nC2,=1+2,-5\n', "utf-8")
    for path in (hostile_workbook, csv_in):
        before, mtime = sha256(path), path.stat().st_mtime_ns
        assert run_cli(capsys, "validate", path)[0] in {0, 1}
        assert run_cli(capsys, "enrich", path, "--as-of", AS_OF)[0] == 0  # writes beside it
        assert run_cli(capsys, "enrich", path, "--as-of", AS_OF)[0] == 2  # exists: refused
        assert run_cli(capsys, "enrich", path, "--force", "-o", path)[0] == 2  # over itself
        assert sha256(path) == before and path.stat().st_mtime_ns == mtime
    assert not list(tmp_path.glob(".*.tmp*"))


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp*"))


def _big_customers_csv(path: Path, rows: int) -> Path:
    i = pd.RangeIndex(rows)
    frame = pd.DataFrame(
        {
            "Customer ID": [f"C{n:07d}" for n in i],
            "Name": [f"Customer {n} & Sons" for n in i],
            "Revenue": i * 1.25,
            "First purchase": pd.Timestamp("2020-01-01") + pd.to_timedelta(i % 2000, unit="D"),
        }
    )
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def _start_enrich(src: Path, dest: Path, log: Path) -> subprocess.Popen[bytes]:
    """A real ``crmsheet enrich SRC -o DEST --force`` in a child process (what a user runs)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "crmsheet", "enrich", str(src), "-o", str(dest), "--force",
             "--as-of", AS_OF.isoformat()],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _growing_temp(dest: Path, proc: subprocess.Popen[bytes], at_least: int) -> Path:
    """Wait until the temp file beside ``dest`` holds ``at_least`` bytes and is still growing
    (the enriched workbook is being streamed into it); return it. The write is then mid-way:
    the child is alive and the file not yet complete."""
    seen: dict[Path, int] = {}
    give_up = time.monotonic() + 600
    while time.monotonic() < give_up:
        assert proc.poll() is None, "enrich ended before the kill: make the input bigger"
        for temp in dest.parent.glob(f".{dest.stem}.*.tmp{dest.suffix}"):
            with contextlib.suppress(FileNotFoundError):
                size = temp.stat().st_size
                if size >= at_least and size > seen.get(temp, size):
                    return temp
                seen[temp] = size
        time.sleep(0.005)
    pytest.fail(f"no growing temp file beside {dest} after 600 s")


@pytest.mark.slow
def test_sigkill_during_enrich_leaves_the_old_output_and_only_a_temp_file(tmp_path: Path) -> None:
    """SIGKILL a real ``crmsheet enrich`` while it streams a big enriched workbook (the writer
    of :mod:`crmsheet.io.tables` and :mod:`crmsheet.io.sheetxml`): the old output stays byte
    for byte, nothing partial stands at the output path, the temp file is the only leftover."""
    rows = 50_000  # ~3 s of writing on a loaded 2-core machine, after ~4 s of reading
    src = _big_customers_csv(tmp_path / "customers.csv", rows)
    small = tmp_path / "small.csv"
    small.write_text("Customer ID,Name,Revenue\nC1,Ann,12.50\nC2,Bob,3\n", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    dest = folder / "customers.enriched.xlsx"
    log = tmp_path / "enrich.log"

    # an uninterrupted run first: it completes, leaves no temp file and gives the final size
    assert main(["enrich", str(small), "-o", str(dest), "--as-of", AS_OF.isoformat()]) == 0
    old_bytes = dest.read_bytes()
    started = time.perf_counter()
    assert _start_enrich(src, dest, log).wait(timeout=600) == 0, log.read_text()
    duration = time.perf_counter() - started
    book = openpyxl.load_workbook(dest, read_only=True)
    assert book["Customers"].max_row == rows + 1
    book.close()
    assert sorted(folder.iterdir()) == [dest]
    full = dest.stat().st_size
    report = [f"uninterrupted enrich of {rows:,} customers: {duration:.1f} s, {full:,} bytes"]

    old = hashlib.sha256(old_bytes).hexdigest()
    for share in (0.0, 0.4, 0.8):  # of the final size: as the rows start, half-way, near the end
        dest.write_bytes(old_bytes)
        proc = _start_enrich(src, dest, log)
        temp = _growing_temp(dest, proc, int(share * full))
        at = temp.stat().st_size
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL, "the child was not killed mid-write"
        assert sha256(dest) == old, "the old output changed"
        assert sorted(folder.iterdir()) == sorted([dest, temp]), "more than the temp file left"
        assert temp.stat().st_size < full, "the temp file is complete: not killed mid-write"
        report.append(f"SIGKILL at {at:,} of {full:,} bytes: old output intact, one temp file left")
        temp.unlink()  # a killed process cannot clean up; cleared for the next round
    print("\n".join(report))


def test_failed_write_leaves_no_temp_and_keeps_old_file(tmp_path: Path) -> None:
    dest = tmp_path / "out.xlsx"
    write_tables(dest, {"Customers": SheetSpec(pd.DataFrame({"a": [1]}))})
    old = sha256(dest)
    with pytest.raises(OutputFileError, match=r"cannot have a sheet named 'bad/name': ") as info:
        write_tables(dest, {"bad/name": SheetSpec(pd.DataFrame({"a": [2]}))}, overwrite=True)
    assert info.value.path == dest and "rename the sheet" in info.value.message
    assert sha256(dest) == old
    assert _temps(tmp_path) == []


IDS = st.sampled_from(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "", "  "])
NAMES = st.sampled_from(["Ann", "Bob & Co", "Zoë GmbH", "", "O'Brien", "Acme, Inc.", "=1+2"])
DATES = st.sampled_from(
    ["2024-03-31", "31/03/2024", "03/04/2024", "2024-02-30", "yesterday", "", "45000", "1899-12-31"]
)  # fmt: skip
MONEY = st.sampled_from(["$1,234.50", "1.234,50 €", "(12.00)", "12", "abc", "", "-5", "1e3"])
ROW = st.one_of(
    st.tuples(IDS, NAMES, DATES, MONEY).map(list),
    st.tuples(IDS, NAMES, DATES, MONEY, st.sampled_from(["x", "extra", "1"])).map(list),
    st.just([]),  # a blank line
    st.just(["", "", "", ""]),  # a row of empty fields
)


def _check_row_accounting(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Customer ID", "Name", "First purchase", "Revenue"])
            writer.writerows(rows)
        try:
            data = crmsheet.read(path, as_of=AS_OF)
        except NoUsableDataError:
            return  # e.g. every data row blank
        assert_rows_accounted_for(data)
        frame = data.problems.frame
        for t in data.tables:
            skipped = frame[(frame["sheet"] == t.sheet) & (frame["action"] == "row skipped")]
            assert skipped["row"].nunique() == t.rows_rejected, skipped
            if t.role == "customers":
                assert len(data.customers) == t.rows_kept


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=25))
def test_every_row_is_kept_or_reported_skipped(rows: list[list[str]]) -> None:
    _check_row_accounting(rows)


@pytest.mark.slow  # longer files, twice the examples of the hypothesis profile in force
@settings(max_examples=2 * settings().max_examples, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=60))
def test_every_row_is_kept_or_reported_skipped_long_run(rows: list[list[str]]) -> None:
    _check_row_accounting(rows)


# --------------------------------------------------------------------------------------------
# 5. Big and odd values


def test_longest_excel_string_is_kept_whole(tmp_path: Path) -> None:
    long = "x" * 32_000 + "é" * 766 + "!"
    assert len(long) == 32_767
    path = tmp_path / "long.xlsx"
    wb = new_book(path)
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name", "Notes"])
    ws.write_row(1, 0, ["C1", "Ann", long])
    wb.close()
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers["notes"].iloc[0] == long
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(path, output=out, as_of=AS_OF)
    ws = openpyxl.load_workbook(out)["Customers"]
    assert long in [c.value for c in ws[2]]


def test_nan_inf_and_error_cells(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    wb = new_book(path)  # nan_inf_to_errors: xlsx cannot hold NaN/inf, they become #NUM!/#DIV/0!
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name", "Revenue", "Employees"])
    ws.write_row(1, 0, ["C1", "Ann"])
    ws.write_number(1, 2, float("nan"))
    ws.write_number(1, 3, float("inf"))
    ws.write_row(2, 0, ["C2", "Bob"])
    ws.write_formula(2, 2, "=NA()", None, "#N/A")
    ws.write_formula(2, 3, "=1/0", None, "#DIV/0!")
    ws.write_row(3, 0, ["C3", "Cy", 10.0, 5])
    wb.close()
    data = crmsheet.read(path, as_of=AS_OF)
    assert len(data.customers) == 3
    f = data.problems.frame
    errors = f[f["code"] == "excel-error"]
    assert set(errors["cell"]) == {"Customers!C2", "Customers!D2", "Customers!C3", "Customers!D3"}
    c = data.customers.set_index("customer_id")
    assert pd.isna(c.loc["C1", "revenue"]) and pd.isna(c.loc["C2", "revenue"])
    assert c.loc["C3", "revenue"] == 10.0
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(path, output=out, as_of=AS_OF)
    openpyxl.load_workbook(out).close()


def test_date_before_1900_is_reported_not_silently_changed(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text("Customer ID,Name,First purchase\nC1,Ann,1899-12-31\nC2,Bob,2024-01-05\n")
    data = crmsheet.read(path, as_of=AS_OF)
    f = data.problems.frame
    # decided: no customer bought before 1900; the cell is a typo, reported and ignored
    assert set(f.loc[f["cell"] == "old.csv!C2", "code"]) & {"bad-date", "out-of-range"}
    assert pd.isna(data.customers.set_index("customer_id").loc["C1", "first_transaction"])


def test_date_before_1900_never_written_as_another_date(tmp_path: Path) -> None:
    """Whatever is decided about 1899 dates, the enriched workbook must not show 1900-01-00."""
    path = tmp_path / "old.csv"
    path.write_text("Customer ID,Name,First purchase\nC1,Ann,2024-01-05\n")
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(path, output=out, as_of=AS_OF)
    ws = openpyxl.load_workbook(out)["Customers"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("First purchase") + 1).value == "2024-01-05"


def test_formulas_without_cached_values_read_as_blank(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Customers"
    ws.append(["Customer ID", "Name", "Revenue", "Employees"])
    ws.append(["C1", "Ann", "=D2*2", 10])
    ws.append(["C2", '=UPPER("bob")', 5.0, "=1+1"])
    book.save(path)  # openpyxl stores formulas with no cached value
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.rows_read == 2
    assert_rows_accounted_for(data)
    c = data.customers.set_index("customer_id")
    assert pd.isna(c.loc["C1", "revenue"])  # blank, not "=D2*2" and not a crash
    assert c.loc["C2", "revenue"] == 5.0
    assert not any(str(v).startswith("=") for v in data.customers["name"].tolist())


def test_merged_and_duplicate_headers(tmp_path: Path) -> None:
    path = tmp_path / "headers.xlsx"
    wb = new_book(path)
    ws = wb.add_worksheet("Customers")
    ws.merge_range(0, 0, 0, 1, "Customer list 2024")  # a merged title above the header
    ws.write_row(1, 0, ["Customer ID", "Name", "Name", "Revenue"])
    ws.merge_range(1, 4, 1, 5, "Contact")  # a merged header cell over two columns
    ws.write_row(2, 0, ["C1", "Ann", "Ann B.", 100, "ann@x.com", "555"])
    ws.write_row(3, 0, ["C2", "Bob", "Bob C.", 200, "bob@x.com", "556"])
    wb.close()
    data = crmsheet.read(path, as_of=AS_OF)
    (table,) = data.tables
    assert table.header_row == 2
    assert table.rows_read == 2
    assert_rows_accounted_for(data)
    assert "duplicate-header" in set(data.problems.frame["code"])
    assert list(data.customers["name"]) == ["Ann", "Bob"]


@pytest.mark.slow
def test_a_million_rows(tmp_path: Path) -> None:
    """1,048,575 data rows + header = Excel's 1,048,576-row limit, as CSV (an xlsx that size
    takes minutes to write with xlsxwriter). Read and validated in a child: time and peak RSS."""
    rows = 1_048_575
    path = tmp_path / "million.csv"
    started = time.perf_counter()
    i = pd.RangeIndex(rows)
    frame = pd.DataFrame(
        {
            "Customer ID": "C" + pd.Series(i).astype(str).str.zfill(7),
            "Name": "Customer " + pd.Series(i).astype(str),
            "Revenue": (pd.Series(i) % 5000) * 1.5,
            "First purchase": (pd.Timestamp("2015-01-01")
                               + pd.to_timedelta(pd.Series(i) % 3000, unit="D")).dt.date,
        }
    )  # fmt: skip
    frame.to_csv(path, index=False)
    built = time.perf_counter() - started
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-m", "crmsheet", "validate", str(path), "--as-of", "2026-11-01"],
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        f"built {path.stat().st_size / 1e6:.0f} MB CSV in {built:.1f} s; validate: "
        f"{seconds:.1f} s, exit {proc.returncode}, peak RSS {max(peak, before) / 1024:.0f} MB"
    )
    assert proc.returncode in {0, 1}, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"Rows read: {rows:,}, kept: {rows:,}, rejected: 0." in proc.stdout


# --------------------------------------------------------------------------------------------
# 6. Fuzzing: mutated workbooks only ever raise crmsheet's own errors


def _seed_workbook() -> bytes:
    base = CALAMINE / "base.xlsx"
    if base.exists():
        return base.read_bytes()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name", "Revenue", "First purchase"])
    ws.write_row(1, 0, ["C1", "Ann", 12.5])
    ws.write_datetime(1, 3, dt.datetime(2024, 3, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()
    return buf.getvalue()


SEED = _seed_workbook()


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        else:
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(chunk)] = chunk
    return bytes(data)


def _read_only_crmsheet_errors(raw: bytes, suffix: str = ".xlsx") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(raw)
        with contextlib.suppress(CrmsheetError):
            crmsheet.read(path, as_of=AS_OF)


# A failing example's bytes print as a repr over hypothesis's 30 kB limit; its warning (an error
# under filterwarnings=error) would hide the real failure, so the fuzz tests let it through.
LARGE_REPR = "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"


@pytest.mark.filterwarnings(LARGE_REPR)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated(SEED))
def test_fuzz_mutated_xlsx_bytes(raw: bytes) -> None:
    _read_only_crmsheet_errors(raw)


def _members(seed: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(seed)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


MEMBERS = _members(SEED)
XML_PARTS = sorted(n for n in MEMBERS if n.endswith((".xml", ".rels")))


@st.composite
def mutated_member(draw: st.DrawFn) -> bytes:
    """A workbook whose zip is valid but one XML part is damaged: the parsers see it."""
    part = draw(st.sampled_from(XML_PARTS))
    members = dict(MEMBERS)
    members[part] = draw(mutated(MEMBERS[part]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.filterwarnings(LARGE_REPR)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated_member())
def test_fuzz_damaged_xml_parts(raw: bytes) -> None:
    _read_only_crmsheet_errors(raw)


@pytest.mark.slow  # both mutations, five times the examples of the hypothesis profile in force
@pytest.mark.filterwarnings(LARGE_REPR)
@settings(max_examples=5 * settings().max_examples, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(mutated(SEED), mutated_member()))
def test_fuzz_long_run(raw: bytes) -> None:
    _read_only_crmsheet_errors(raw)
