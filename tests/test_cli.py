"""`crmsheet validate`: what it prints, the files it writes, and its exit codes."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from crmsheet.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_validate_example_reports_errors_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", str(EXAMPLE), "--as-of", "2026-11-01"], capsys)
    assert code == 1
    assert err == ""
    assert "Customer ID -> customer_id" in out
    assert "duplicate-id" in out
    assert "Rows read:" in out


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("Name,Email\nAcme,a@acme.com\n", encoding="utf-8")
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 0
    assert "No problems found." in out


def test_problem_report_as_csv_and_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "c.csv"
    src.write_text("Name,First purchase,Notes\nAcme,not a date,=1+1\n,,orphan\n", encoding="utf-8")
    out_csv = tmp_path / "problems.csv"
    code, _, _ = run(["validate", str(src), "--problems", str(out_csv)], capsys)
    assert code == 1
    with open(out_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["row"], r["cell"], r["code"]) for r in rows] == [
        ("2", "c.csv!B2", "bad-date"),
        ("3", "c.csv!3:3", "missing-id-and-name"),
    ]
    out_xlsx = tmp_path / "problems.xlsx"
    run(["validate", str(src), "--problems", str(out_xlsx)], capsys)
    ws = openpyxl.load_workbook(out_xlsx)["Problems"]
    assert [c.value for c in ws[1]][:5] == ["file", "sheet", "row", "column", "cell"]
    assert ws["C2"].value == 2 and ws["E2"].value == "c.csv!B2"
    assert ws.freeze_panes == "A2"
    assert not list(tmp_path.glob(".*tmp*")), "no temp file may be left behind"


@pytest.mark.parametrize(
    ("content", "name", "needle"),
    [
        (None, "missing.xlsx", "file not found"),
        (b"", "empty.csv", "empty"),
        (b"<html><body>hi</body></html>", "page.xlsx", "not an Excel workbook"),
        (b"foo,bar\n1,2\n", "odd.csv", "no sheet has the columns crmsheet needs"),
        (b"%PDF-1.4 ...", "report.pdf", "crmsheet reads Excel workbooks"),
    ],
    ids=["a missing file", "an empty CSV", "HTML named .xlsx", "no known columns", "a PDF"],
)
def test_unusable_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, name: str,
    needle: str,
) -> None:  # fmt: skip
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert name in err and needle in err
    assert "Traceback" not in err


def test_bad_map_option_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name\nAcme\n", encoding="utf-8")
    code, _, err = run(["validate", str(path), "--map", "shoe=Name"], capsys)
    assert code == 2 and "not a crmsheet field" in err


def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Name\nAcme\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "crmsheet", "validate", str(path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "customers" in proc.stdout
