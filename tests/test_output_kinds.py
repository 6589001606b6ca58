"""Outputs that are not ordinary files, odd encodings and dates: one clear line, nothing lost.

Found by a red-team pass (issue 20): ``-o /dev/null --force`` replaced the machine's null
device with an ordinary file (os.replace renames over whatever is there); ``--encoding
punycode`` and ``--as-of 0001-01-01`` ended in "This is a bug in crmsheet"; ``--encoding
unicode_escape`` rewrote the text of the file it read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import crmsheet
from crmsheet.cli import main
from crmsheet.errors import OutputFileError, SettingsError


def _customers(folder: Path) -> Path:
    path = folder / "c.csv"
    path.write_text("Customer ID,Name\nC1,Ann\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("option", ["-o", "--problems"])
def test_a_pipe_is_never_replaced_by_a_file(
    tmp_path: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _customers(tmp_path)
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    command = "enrich" if option == "-o" else "validate"
    code = main([command, str(source), option, str(fifo), "--force"])
    assert code == 2
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe
    assert "not an ordinary file" in capsys.readouterr().err


def test_enrich_in_python_refuses_a_pipe(tmp_path: Path) -> None:
    source = _customers(tmp_path)
    fifo = tmp_path / "out.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(OutputFileError, match="not an ordinary file"):
        crmsheet.enrich(source, output=fifo, overwrite=True)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize(
    "name", ["punycode", "undefined", "unicode_escape", "raw_unicode_escape", "idna"]
)
def test_codecs_no_file_is_saved_in_are_refused(tmp_path: Path, name: str) -> None:
    source = tmp_path / "c.csv"
    source.write_bytes(b"id,name,notes\n1,Acme\\u0041,C:\\new\n")
    with pytest.raises(SettingsError, match="not a text encoding files are saved in"):
        crmsheet.read(source, encoding=name)


def test_a_real_encoding_still_reads(tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_bytes("id,name\n1,Müller\n".encode("cp437"))
    data = crmsheet.read(source, encoding="CP437")
    assert data.customers["name"].tolist() == ["Müller"]


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "1899-12-31"])
def test_an_as_of_before_1900_is_one_line(
    tmp_path: Path, day: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _customers(tmp_path)
    assert main(["enrich", str(source), "-o", str(tmp_path / "o.xlsx"), "--as-of", day]) == 2
    err = capsys.readouterr().err
    assert "from 1900-01-01 on" in err and "bug" not in err
    assert not (tmp_path / "o.xlsx").exists()
