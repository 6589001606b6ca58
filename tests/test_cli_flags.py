"""The command line's own surface: --help, --version, refusals before any work, its wording
(--force, not overwrite=True) and counts printed the same way by validate and enrich."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import crmsheet
from crmsheet.cli import main
from crmsheet.errors import OutputExistsError
from crmsheet.templates import build_template

AS_OF = "2026-11-01"

#: Every option of every command, exactly as the contract names them.
OPTIONS = {
    "validate": ["--transactions", "--spend", "--support", "--map", "--encoding", "--problems",
                 "--as-of", "--force", "--settings", "--help"],
    "enrich": ["--transactions", "--spend", "--support", "--output", "-o", "--force", "--as-of",
               "--settings", "--map", "--encoding", "--in-place", "--no-backup", "--help"],
    "template": ["--kind", "--force", "--help"],
    "version": ["--help"],
}  # fmt: skip
FLAGS = {"--force", "--in-place", "--no-backup", "--help", "--version"}
#: A Python type shown as a value to give: <bool>, <path>, <list[Path]>, list[str] ...
PYTHON_TYPE = re.compile(r"<(bool|str|int|float|path|Path)>|list\[")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def customers_csv(path: Path, rows: int = 3, bad_dates: int = 0) -> Path:
    lines = ["Customer ID,Name,Email,Customer since"]
    for i in range(rows):
        since = "not a date" if i < bad_dates else f"2025-{i % 12 + 1:02d}-15"
        lines.append(f"C{i:05d},Customer {i},c{i}@example.com,{since}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def everything_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- --help -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [None, *OPTIONS])
def test_help_shows_flags_bare_and_no_python_types(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*([command] if command else []), "--help"], capsys)
    assert code == 0, err
    assert not PYTHON_TYPE.search(out), out
    for option in OPTIONS.get(command or "", ["--version", "--help"]):
        assert re.search(rf"(^|[\s,│]){re.escape(option)}(\s|$)", out, re.M), (option, out)
    for line in out.splitlines():
        flag = next((f for f in FLAGS if re.search(rf"\s{f}\s", line)), None)
        if flag is not None:  # the flag, then its help: no value to give
            after = line.split(flag, 1)[1].strip(" │")
            assert after and after[0].isupper(), (flag, line)


def test_help_names_values_readably(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["enrich", "--help"], capsys)
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("│ -")}
    for option, metavar in [("--transactions", "FILE"), ("--output", "FILE"),
                            ("--as-of", "DATE"), ("--map", "FIELD=HEADER"),
                            ("--settings", "FILE"), ("--encoding", "NAME")]:  # fmt: skip
        assert metavar in rows[option].split(), (option, rows[option])
    assert "[OPTIONS] {FILE}..." in out


# -- --version ----------------------------------------------------------------------------


def test_version_option_and_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"], capsys) == (0, crmsheet.__version__ + "\n", "")
    assert run(["version"], capsys) == (0, crmsheet.__version__ + "\n", "")


# -- template x.csv -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.csv", "x.xls", "x.xlsm", "x"])
def test_template_not_xlsx_is_refused_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    target = tmp_path / name
    code, out, err = run(["template", str(target)], capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert str(target) in err and ".xlsx" in err
    assert everything_in(tmp_path) == []


def test_template_xlsx_in_capitals_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "START.XLSX"
    code, _, err = run(["template", str(target), "--kind", "retail"], capsys)
    assert code == 0, err
    assert "Customers" in openpyxl.load_workbook(target).sheetnames


# -- --problems x.txt ---------------------------------------------------------------------


def test_problems_not_csv_or_xlsx_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv")
    report = tmp_path / "x.txt"
    code, out, err = run(["validate", str(src), "--problems", str(report)], capsys)
    assert code == 2
    assert out == ""  # nothing read: no "What crmsheet read"
    assert len(err.strip().splitlines()) == 1, err
    assert "--problems" in err and str(report) in err and ".csv" in err
    assert everything_in(tmp_path) == ["c.csv"]
    # refused first: an input that does not even exist is never reached
    code, _, err = run(["validate", str(tmp_path / "missing.xlsx"), "--problems", str(report)],
                       capsys)  # fmt: skip
    assert code == 2 and "--problems" in err and "not found" not in err
    assert everything_in(tmp_path) == ["c.csv"]


def test_enrich_with_problems_option_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv")
    code, out, err = run(["enrich", str(src), "--problems", str(tmp_path / "x.txt"),
                          "--as-of", AS_OF], capsys)  # fmt: skip
    assert code == 2, (out, err)
    assert "--problems" in err
    assert everything_in(tmp_path) == ["c.csv"]  # no c.enriched.xlsx, no report


# -- "use --force" on the command line, overwrite=True in Python --------------------------


def test_an_existing_output_says_use_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv")
    enriched = tmp_path / "c.enriched.xlsx"
    template = tmp_path / "t.xlsx"
    report = tmp_path / "p.csv"
    for path in (enriched, template, report):
        path.write_bytes(b"mine")
    for args in (["enrich", str(src), "--as-of", AS_OF], ["template", str(template)],
                 ["validate", str(src), "--problems", str(report)]):  # fmt: skip
        code, out, err = run(args, capsys)
        assert code == 2, (args, out, err)
        assert "already exists; use --force to replace it" in err, err
        assert "=True" not in err and "overwrite" not in err, err
    assert all(p.read_bytes() == b"mine" for p in (enriched, template, report))


def test_the_python_api_says_overwrite_true(tmp_path: Path) -> None:
    src = customers_csv(tmp_path / "c.csv")
    (tmp_path / "c.enriched.xlsx").write_bytes(b"mine")
    (tmp_path / "t.xlsx").write_bytes(b"mine")
    with pytest.raises(OutputExistsError, match="pass overwrite=True") as caught:
        crmsheet.enrich(src, as_of=date(2026, 11, 1))
    assert "--force" not in str(caught.value)
    with pytest.raises(crmsheet.OutputFileError, match="pass overwrite=True") as caught:
        build_template(tmp_path / "t.xlsx")
    assert "--force" not in str(caught.value)
    assert (tmp_path / "t.xlsx").read_bytes() == b"mine"


# -- counts -------------------------------------------------------------------------------


def test_validate_and_enrich_print_counts_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = customers_csv(tmp_path / "c.csv", rows=1234, bad_dates=1001)
    code, checked, _ = run(["validate", str(src), "--as-of", AS_OF], capsys)
    assert code == 1
    code, enriched, err = run(["enrich", str(src), "--as-of", AS_OF], capsys)
    assert code == 0, err
    rows = "Rows read: 1,234, kept: 1,234, rejected: 0"
    assert rows + "." in checked
    assert rows + " (1,001 errors, 0 warnings: see the Problems sheet)." in enriched
    assert "1,001 errors, 0 warnings:" in checked
    assert re.search(r"│ bad-date\s+│ error\s+│\s+1,001 │", checked), checked
    assert "... and 976 more: use --problems" in checked
    assert re.search(r"│\s+1,234 │\s+1,234 │\s+0 │", checked), checked  # the per-sheet table
    assert "  Customers: 1,234" in enriched
    # no count of four digits or more is printed without its separator (row numbers aside)
    for text in (checked, enriched):
        plain_counts = re.findall(r"(?<![\w!.,:/-])\d{4,}(?![\w.,:/-])", text)
        assert plain_counts == [], plain_counts
