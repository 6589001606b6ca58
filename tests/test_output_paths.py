"""Outputs never land on an input, in-place runs are safe, OS refusals are one line (issue 20).

Items 1, 2, 4, 5, 6 and 11 of issue 20: every file here is built in the test, the command is
run as a user would (the CLI's ``main``, or a subprocess where the process itself must be
limited), and the files on disk are read back afterwards.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

import crmsheet
from crmsheet.cli import main
from crmsheet.errors import OutputFileError
from crmsheet.io.graft import crmsheet_sheets

AS_OF = "2026-11-01"
ROOT = Path(__file__).resolve().parents[1]


# -- files ------------------------------------------------------------------------------------


def customers_csv(path: Path) -> Path:
    lines = ["Customer ID,Name,Email,First purchase"]
    lines += [f"C{i:03d},Client {i},c{i}@example.com,2024-0{i % 9 + 1}-15" for i in range(1, 13)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def invoices_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Invoices")
    ws.write_row(0, 0, ["Invoice", "Date", "Customer ID", "Amount"])
    start = datetime(2025, 1, 5)
    for n in range(1, 31):
        ws.write_row(n, 0, [f"INV{n:04d}", (start + timedelta(days=9 * n)).strftime("%Y-%m-%d"),
                            f"C{n % 12 + 1:03d}", 100.0 + n])  # fmt: skip
    book.close()
    return path


def table_xlsx(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Data")
    ws.write_row(0, 0, headers)
    for n, row in enumerate(rows, start=1):
        ws.write_row(n, 0, row)
    book.close()
    return path


#: A file each input option reads (the output is pointed at it).
INPUTS = {
    "--transactions": lambda p: invoices_xlsx(p / "other.xlsx"),
    "--spend": lambda p: table_xlsx(
        p / "other.xlsx", ["Month", "Source", "Spend"], [["2025-03-01", "Google Ads", 250.0]]
    ),
    "--support": lambda p: table_xlsx(
        p / "other.xlsx", ["Customer ID", "Opened", "Cases"], [["C001", "2025-03-01", 2]]
    ),
}


def book_xlsx(path: Path, *, pad: int = 0) -> Path:
    """A user's book (Customers and Invoices sheets); ``pad`` bytes of incompressible data."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Customers")
    ws.write_row(0, 0, ["Customer ID", "Name", "Email"])
    for i in range(1, 13):
        ws.write_row(i, 0, [f"C{i:03d}", f"Client {i}", f"c{i}@example.com"])
    inv = book.add_worksheet("Invoices")
    inv.write_row(0, 0, ["Invoice", "Date", "Customer ID", "Amount"])
    for n in range(1, 31):
        inv.write_row(n, 0, [f"INV{n:04d}", f"2025-{n % 12 + 1:02d}-10", f"C{n % 12 + 1:03d}",
                             50.0 + n])  # fmt: skip
    book.close()
    if pad:
        with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
            zf.writestr("customXml/pad.bin", os.urandom(pad))
    return path


def lock_path(book: Path) -> Path:
    """The lock file crmsheet keeps beside a book it writes into (SECURITY.md)."""
    return book.with_name(f".{book.name}"[:241] + ".crmsheet-lock")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_names(path: Path) -> list[str]:
    return list(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI's exit code and its stderr."""
    code = main(args)
    return code, capsys.readouterr().err


def one_line(err: str, *names: str) -> str:
    """The single error line (never a bug report), which names each of ``names``."""
    assert err.count("\n") == 1 and err.startswith("crmsheet: "), err
    assert "bug in crmsheet" not in err, err
    for name in names:
        assert name in err, err
    return err


def leftovers(folder: Path) -> list[str]:
    """Temp files, lock files and backups left in ``folder``."""
    return sorted(p.name for p in folder.iterdir()
                  if re.search(r"tmp|lock|backup", p.name))  # fmt: skip


# -- item 1: --problems onto an input, or onto an existing file ------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_problems_report_onto_the_input_is_refused(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv")
    if suffix == ".xlsx":
        src = book_xlsx(tmp_path / "c.xlsx")
    before = digest(src)
    code, err = run(["validate", str(src), "--problems", str(src)], capsys)
    assert code == 2
    one_line(err, str(src), "is one of the inputs")
    assert digest(src) == before
    assert leftovers(tmp_path) == []


def test_problems_report_onto_an_existing_file_needs_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv")
    report = tmp_path / "report.csv"
    report.write_text("my own notes\n", encoding="utf-8")
    code, err = run(["validate", str(src), "--problems", str(report)], capsys)
    assert code == 2
    one_line(err, str(report), "already exists; use --force")
    assert report.read_text(encoding="utf-8") == "my own notes\n"
    code, err = run(["validate", str(src), "--problems", str(report), "--force"], capsys)
    assert code in (0, 1), err
    assert report.read_text(encoding="utf-8-sig").startswith("file,")


# -- item 2: any output equal to any input, however spelt ------------------------------------


@pytest.mark.parametrize("option", ["--transactions", "--spend", "--support", "--settings"])
def test_enrich_output_onto_any_input_is_refused(
    tmp_path: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "customers.csv")
    if option == "--settings":
        other = tmp_path / "settings.toml"
        other.write_text("[settings]\n", encoding="utf-8")
    else:
        other = INPUTS[option](tmp_path)
    before = digest(other)
    code, err = run(["enrich", str(src), option, str(other), "-o", str(other), "--force",
                     "--as-of", AS_OF], capsys)  # fmt: skip
    assert code == 2
    one_line(err, str(other), "is one of the inputs")
    assert digest(other) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink", "dotted"])
def test_output_reaching_an_input_through_another_path_is_refused(
    tmp_path: Path, link: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv")
    other = tmp_path / "sub" / "other.csv"
    other.parent.mkdir()
    if link == "symlink":
        other.symlink_to(src)
    elif link == "hardlink":
        os.link(src, other)
    else:
        other = tmp_path / "sub" / ".." / "c.csv"
    before = digest(src)
    code, err = run(["validate", str(src), "--problems", str(other)], capsys)
    assert code == 2
    one_line(err, "is one of the inputs")
    code, err = run(["enrich", str(src), "-o", str(other), "--force", "--as-of", AS_OF], capsys)
    assert code == 2
    one_line(err, "is one of the inputs")
    assert digest(src) == before


def test_output_in_another_case_on_a_case_insensitive_disk_is_refused(tmp_path: Path) -> None:
    src = customers_csv(tmp_path / "c.csv")
    if not (tmp_path / "C.CSV").exists():
        pytest.skip("this file system is case-sensitive: C.CSV is another file here")
    with pytest.raises(OutputFileError, match="is one of the inputs"):
        crmsheet.enrich(src, output=tmp_path / "C.CSV", overwrite=True)


# -- item 4: --in-place through a symlink --------------------------------------------------


def test_in_place_on_a_symlink_writes_into_its_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shared").mkdir()
    real = book_xlsx(tmp_path / "shared" / "book.xlsx")
    original = real.read_bytes()
    link = tmp_path / "desktop.xlsx"
    link.symlink_to(real)
    code, err = run(["enrich", str(link), "--in-place", "--as-of", AS_OF], capsys)
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert "Summary" in sheet_names(real) and "Summary" in crmsheet_sheets(real)
    backups = list(real.parent.glob("book.backup-*.xlsx"))  # beside the target, named after it
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == [backups[0].name]


# -- item 5: a save meanwhile, a second run, the backup's bytes ------------------------------


def test_a_save_by_another_program_during_the_run_is_never_overwritten(tmp_path: Path) -> None:
    book = book_xlsx(tmp_path / "book.xlsx")
    other = book_xlsx(tmp_path / "other.xlsx", pad=64)  # another program's save: new bytes

    def save_meanwhile(stage: str) -> None:
        if stage == "write":
            os.replace(other, book)

    with pytest.raises(OutputFileError, match="changed on disk since crmsheet read it"):
        crmsheet.enrich(book, in_place=True, progress=save_meanwhile,
                        as_of=datetime(2026, 11, 1).date())  # fmt: skip
    assert "Summary" not in sheet_names(book)
    assert leftovers(tmp_path) == []


def test_a_same_size_same_mtime_change_is_seen_by_the_hash(tmp_path: Path) -> None:
    book = book_xlsx(tmp_path / "book.xlsx", pad=4096)
    st = book.stat()
    data = bytearray(book.read_bytes())
    at = data.rindex(b"pad.bin") - 200  # inside the stored padding: still a valid zip? no matter

    def edit_in_place(stage: str) -> None:
        if stage == "write":
            data[at] ^= 0xFF
            with open(book, "r+b") as fh:  # same inode, same size
                fh.write(data)
            os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime

    with pytest.raises(OutputFileError, match="changed on disk since crmsheet read it"):
        crmsheet.enrich(book, in_place=True, progress=edit_in_place,
                        as_of=datetime(2026, 11, 1).date())  # fmt: skip
    assert book.read_bytes() == bytes(data)
    assert leftovers(tmp_path) == []


HOLD = """
import sys
from crmsheet.io.inplace import book_lock
with book_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


def _holder(book: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(book)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    assert proc.stdout is not None
    if proc.stdout.readline() != "held\n":
        proc.kill()
        proc.communicate()
        pytest.fail("the process holding the lock did not start")
    return proc


def test_a_second_run_on_the_same_book_is_refused_and_a_stale_lock_is_taken_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = book_xlsx(tmp_path / "book.xlsx")
    before = digest(book)
    holder = _holder(book)
    try:
        code, err = run(["enrich", str(book), "--in-place", "--as-of", AS_OF], capsys)
        assert code == 2
        one_line(err, str(book), "another crmsheet run is writing into this book")
        assert digest(book) == before
    finally:
        holder.kill()  # a run killed mid-way leaves its lock file behind ...
        holder.communicate()
    assert lock_path(book).exists()
    code, err = run(["enrich", str(book), "--in-place", "--as-of", AS_OF], capsys)
    assert code == 0, err  # ... and the next run takes it over, then removes it
    assert not lock_path(book).exists()
    assert "Summary" in crmsheet_sheets(book)


# -- item 6: a user's copy of a crmsheet sheet ---------------------------------------------


def _add_copy(book: Path, of: str, name: str, note: str) -> None:
    """Add a sheet ``name`` carrying ``of``'s marker, as Excel's Move or Copy does."""
    with zipfile.ZipFile(book) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    wb = members["xl/workbook.xml"].decode()
    count = wb.count("<sheet ")
    position = re.findall(r'<sheet name="([^"]*)"', wb).index(of)
    marker = re.search(rf'<definedName name="_crmsheet" localSheetId="{position}"[^>]*>'
                       r"([^<]*)</definedName>", wb)  # fmt: skip
    assert marker is not None
    members["xl/worksheets/sheet900.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{note}</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    wb = wb.replace("</sheets>", f'<sheet name="{name}" sheetId="900" r:id="rId900"/></sheets>')
    wb = wb.replace("</definedNames>", f'<definedName name="_crmsheet" localSheetId="{count}" '
                    f'hidden="1">{marker[1]}</definedName></definedNames>')  # fmt: skip
    members["xl/workbook.xml"] = wb.encode()
    rels = (
        members["xl/_rels/workbook.xml.rels"]
        .decode()
        .replace(
            "</Relationships>",
            (
                '<Relationship Id="rId900" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/worksheet" Target="worksheets/sheet900.xml"/></Relationships>'
            ),
        )
    )
    members["xl/_rels/workbook.xml.rels"] = rels.encode()
    types = (
        members["[Content_Types].xml"]
        .decode()
        .replace(
            "</Types>",
            (
                '<Override PartName="/xl/worksheets/sheet900.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
        )
    )
    members["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, body in members.items():
            zf.writestr(n, body)


def test_a_users_copy_of_a_crmsheet_sheet_survives_the_next_run(tmp_path: Path) -> None:
    book = book_xlsx(tmp_path / "book.xlsx")
    as_of = datetime(2026, 11, 1).date()
    crmsheet.enrich(book, in_place=True, backup=False, as_of=as_of)
    _add_copy(book, "Summary", "Summary (2)", "my notes on the summary")
    assert "Summary (2)" in sheet_names(book)
    assert "Summary (2)" not in crmsheet_sheets(book)
    crmsheet.enrich(book, in_place=True, backup=False, as_of=as_of)
    names = sheet_names(book)
    assert names.count("Summary") == 1 and "Summary (2)" in names
    copy = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Summary (2)")
    assert copy.to_python() == [["my notes on the summary"]]


# -- item 11: what the operating system refuses --------------------------------------------


def _limited(args: list[str], fsize: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI with no file larger than ``fsize`` bytes (a disk that fills up)."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write past it fails: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT)}
    command = [sys.executable, "-m", "crmsheet.cli", *args]
    return subprocess.run(command, preexec_fn=limit, capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)  # fmt: skip


def test_disk_full_while_writing_the_output(tmp_path: Path) -> None:
    src = customers_csv(tmp_path / "c.csv")
    out = tmp_path / "c.enriched.xlsx"
    done = _limited(["enrich", str(src), "--transactions", str(invoices_xlsx(tmp_path / "i.xlsx")),
                     "--as-of", AS_OF], 8_000, tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stderr
    one_line(done.stderr, str(out), "larger than this disk or a size limit allows")
    assert not out.exists() and leftovers(tmp_path) == []


def test_disk_full_while_writing_the_backup_leaves_no_truncated_backup(tmp_path: Path) -> None:
    book = book_xlsx(tmp_path / "book.xlsx", pad=400_000)
    before = digest(book)
    done = _limited(["enrich", str(book), "--in-place", "--as-of", AS_OF], 300_000, tmp_path)
    assert done.returncode == 2, done.stderr
    one_line(done.stderr, "book.backup-", "the backup cannot be written", "--no-backup")
    assert digest(book) == before
    assert leftovers(tmp_path) == []  # no backup, no temp file, no lock file


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder any user can enter (tmp_path's parents are private to the test's user)."""
    folder = Path(tempfile.mkdtemp(prefix="crmsheet-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def test_a_folder_that_cannot_be_written(
    shared_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(shared_folder / "c.csv")
    folder = shared_folder
    if os.geteuid() == 0:  # root writes into any folder whatever its mode; not into /sys
        if not Path("/sys/fs").is_dir():
            pytest.skip("running as root and no /sys to stand for an unwritable folder")
        folder = Path("/sys/fs")
    shared_folder.chmod(0o555)
    out = folder / "c.enriched.xlsx"
    code, err = run(["enrich", str(src), "-o", str(out), "--as-of", AS_OF], capsys)
    assert code == 2
    one_line(err, str(out), "permission denied")
    assert sorted(p.name for p in shared_folder.iterdir()) == ["c.csv"]


def test_a_read_only_book_in_place_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = book_xlsx(tmp_path / "book.xlsx")
    book.chmod(0o444)
    before = digest(book)
    code, err = run(["enrich", str(book), "--in-place", "--as-of", AS_OF], capsys)
    assert code == 2
    one_line(err, str(book), "is read-only")
    assert digest(book) == before and leftovers(tmp_path) == []


def test_names_near_255_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = customers_csv(tmp_path / ("k" * 250 + ".csv"))
    code, err = run(["enrich", str(src), "--as-of", AS_OF], capsys)
    assert code == 0, err  # the default output's name is shortened to fit
    (written,) = tmp_path.glob("*.enriched.xlsx")
    assert len(written.name.encode()) <= 255 and written.name.startswith("k" * 200)
    too_long = tmp_path / ("o" * 256 + ".xlsx")
    code, err = run(["enrich", str(src), "-o", str(too_long), "--as-of", AS_OF], capsys)
    assert code == 2
    one_line(err, "the file name is too long")
    assert leftovers(tmp_path) == []


def test_in_place_on_a_long_name_backs_up_and_locks_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = book_xlsx(tmp_path / ("b" * 250 + ".xlsx"))
    code, err = run(["enrich", str(book), "--in-place", "--as-of", AS_OF], capsys)
    assert code == 0, err
    (backup,) = tmp_path.glob("*.backup-*.xlsx")
    assert len(backup.name.encode()) <= 255 and not lock_path(book).exists()


def test_output_pointing_at_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = customers_csv(tmp_path / "c.csv")
    folder = tmp_path / "out"
    folder.mkdir()
    for args in (["enrich", str(src), "-o", str(folder), "--force", "--as-of", AS_OF],
                 ["validate", str(src), "--problems", str(folder), "--force"]):  # fmt: skip
        code, err = run(args, capsys)
        assert code == 2
        one_line(err, str(folder), "is a folder")
    assert folder.is_dir() and list(folder.iterdir()) == []


def _encrypt_member(path: Path, member: str) -> None:
    """Set the 'encrypted' flag of one zip member (local and central headers)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(member).header_offset
    data[offset + 6] |= 1
    at = data.find(b"PK\x01\x02")
    while at != -1:
        size = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + size]) == member.encode():
            data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 1)
    path.write_bytes(bytes(data))


def test_a_zip_encrypted_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = book_xlsx(tmp_path / "book.xlsx")
    _encrypt_member(book, "xl/worksheets/sheet1.xml")
    before = digest(book)
    for args in (["enrich", str(book), "--in-place", "--as-of", AS_OF],
                 ["validate", str(book)]):  # fmt: skip
        code, err = run(args, capsys)
        assert code == 2
        one_line(err, str(book))
    assert digest(book) == before and leftovers(tmp_path) == []
