"""What the command line prints of a file is plain text (issue 20, item 9).

Cell text, headers, sheet and file names reach the terminal as they are written: rich markup
(``[/]``, ``[/b]``, ``[link=...]``) and emoji codes are neither applied nor able to crash the
print, and controls (ESC, OSC 8 links, clear screen, C1, bidirectional overrides) are shown as
escapes, never obeyed. A report that cannot be encoded is written with escapes rather than
failing after the output was written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from crmsheet.cli import main

ROOT = Path(__file__).resolve().parents[1]

#: Everything a terminal obeys that a cell can carry: CSI clear screen, an OSC 8 link,
#: a bell, a C1 CSI, DEL, a right-to-left override and a left-to-right isolate.
CONTROLS = "\x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\\x07\x9b31m\x7f\u202e\u2066"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _book(path: Path, sheet: str, rows: list[list[str]]) -> Path:
    """An .xlsx with ``rows`` as text cells (xlsxwriter writes controls as ``_x001B_``)."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    book.close()
    return path


_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _unsafe(text: str) -> list[str]:
    """The characters of ``text`` a terminal would obey (none may be printed)."""
    return [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c in _BIDI]


def test_visible_shows_every_control_as_an_escape() -> None:
    from crmsheet.terminal import plain, visible  # new on this branch

    shown = visible(CONTROLS)
    assert _unsafe(shown) == []
    assert shown.startswith("\\x1b[2J\\x1b]8;;http://evil.example\\x1b\\click")
    assert "\\x07\\x9b31m\\x7f\\u202e\\u2066" in shown
    assert visible("Zoë [b]x[/b] :smile:") == "Zoë [b]x[/b] :smile:"
    assert plain("[/]").plain == "[/]" and plain("\x1b").plain == "\\x1b"


def test_markup_in_names_and_headers_is_printed_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On main: ``[/]`` crashed validate ("MarkupError ... a bug in crmsheet"), the file name
    ``c[foo bar].csv`` printed as ``c.csv`` and ``[link=...]`` was swallowed."""
    src = tmp_path / "c[foo bar].csv"
    src.write_text(
        "Name,[/],Email\n"
        "[/b],x,[link=http://evil.example]mail[/link]\n"
        "[/b],y,b@example.com\n"
        ":smile: [bold]Co[/bold],z,c@example.com\n",
        encoding="utf-8",
    )
    code, out, err = run(["validate", str(src), "--as-of", "2026-01-01"], capsys)
    assert err == ""
    assert code == 1  # the duplicate name is an error in the data, not a crash
    assert "c[foo bar].csv" in out and "c[foo bar].csv!A3" in out
    assert "kept as your own columns: [/]" in out
    assert "“[/b]” is also on row 2" in out
    assert "“[link=http://evil.example]mail[/link]” in Email" in out


def test_controls_in_cells_and_file_names_are_made_visible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On main the ESC sequences of a customer's name, the sheet's RTL override and the
    file name's colour code reached the terminal untouched."""
    name = "Eve" + CONTROLS
    rows = [["Name", "Email"], [name, "bad"], [name, "e@example.com"]]
    src = _book(tmp_path / "list\x1b[31m.xlsx", "Shop\u202eX", rows)
    code, out, err = run(["validate", str(src), "--as-of", "2026-01-01"], capsys)
    assert code == 1 and err == ""
    assert _unsafe(out) == []
    assert "list\\x1b[31m.xlsx" in out and "Shop\\u202eX!A3" in out
    assert "“Eve\\x1b[2J\\x1b]8;;http://evil.example\\x1b\\click" in out


def _shop(tmp_path: Path, source: str, name: str) -> list[str]:
    """A customer list, its invoices and its spend; ``source`` and ``name`` end up in the
    headline and in "What to do first", both printed after the workbook was written."""
    _book(tmp_path / "cust.xlsx", "Customers", [["Name", "Source"], [name, source],
                                                 ["Beta", source]])  # fmt: skip
    _book(tmp_path / "tx.xlsx", "Invoices", [["Customer", "Date", "Amount"],
          [name, "2025-03-01", "100"], ["Beta", "2025-04-01", "200"],
          [name, "2025-06-01", "50"]])  # fmt: skip
    (tmp_path / "spend.csv").write_text(
        f"Source,Month,Amount\n{source},2025-03-01,10\n", encoding="utf-8"
    )
    return [
        "enrich", str(tmp_path / "cust.xlsx"), "--transactions", str(tmp_path / "tx.xlsx"),
        "--spend", str(tmp_path / "spend.csv"), "-o", str(tmp_path / "out.xlsx"),
        "--as-of", "2025-12-01",
    ]  # fmt: skip


def test_enrich_summary_prints_markup_and_controls_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On main a source named ``[/]`` crashed the summary after out.xlsx was written: half a
    summary, exit 2 and "This is a bug in crmsheet" for a finished run."""
    code, out, err = run(_shop(tmp_path, "[/]", "Acme" + CONTROLS), capsys)
    assert (code, err) == (0, "")
    assert "Top source by ROI: [/]" in out
    assert "Best return on marketing: [/] (ROI" in out
    assert "Acme\\x1b[2J" in out and _unsafe(out) == []
    assert out.rstrip().splitlines()[-1].startswith(f"Wrote {tmp_path / 'out.xlsx'} in ")
    book = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    assert "Customers" in book.sheetnames
    book.close()


def test_a_report_the_terminal_cannot_encode_is_escaped_not_an_error(tmp_path: Path) -> None:
    """On main, with an ASCII stdout, ``Łukasz`` in "What to do first" raised
    UnicodeEncodeError once the workbook was written: exit 2 and "a bug in crmsheet"."""
    args = _shop(tmp_path, "web", "Łukasz 😀")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "crmsheet.cli", *args], env=env,
                          capture_output=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert done.stderr == b""
    assert b"\\u0141ukasz \\U0001f600 makes" in done.stdout
    assert b"Wrote " in done.stdout


def test_the_error_line_shows_controls_in_a_file_name_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On main the one error line carried the file name's ESC sequence raw to stderr."""
    missing = tmp_path / "gone\x1b[2J\x1b]8;;evil.example\x1b\\.csv"
    code, out, err = run(["validate", str(missing)], capsys)
    assert code == 2 and out == ""
    assert "gone\\x1b[2J\\x1b]8;;evil.example\\x1b\\.csv" in err
    assert _unsafe(err) == [] and err.count("\n") == 1
