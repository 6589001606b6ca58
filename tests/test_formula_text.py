"""Formula-like text in CSV output is inert however it is written (issue 20, item 15).

A spreadsheet opening a CSV may run ``=1+2`` written with a full-width sign (U+FF1D) or
after a Unicode space (``\\u3000=1+2``, ``\\u00a0=1+2``): such text gets the ``'`` prefix as
``=1+2`` does, in the problem report and in anything else :func:`write_csv` writes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from crmsheet.cli import main
from crmsheet.io.problems import write_csv

#: Each is a formula (or a sign that starts one) once NFKC-normalised and stripped of the
#: Unicode spaces, controls and format characters before it.
FORMULA_LIKE = [
    "\uff1d1+2", "\u3000=1+2", "\u00a0=1+2", "\uff0b1+2", "\uff0d1+2", "\uff20SUM(A1)", "\ufe661+2",
    "\u2003=1+2", "\u200b=1+2", "\ufeff=1+2", "\u2028=1+2", "\x0b=1+2", "\x1f=1+2",
    " =1+2", "\u3000\uff1dHYPERLINK(\"http://evil.example\")",
]  # fmt: skip
HARMLESS = ["1+2", "x=1", "Acme (UK)", "née", "\uff11\uff12\uff13", "a\u3000=b"]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_write_csv_prefixes_formula_like_text(tmp_path: Path, text: str) -> None:
    """On main these were written as they are."""
    path = write_csv(pd.DataFrame({"value": [text, "plain"]}), tmp_path / "out.csv")
    assert [row["value"] for row in _read_csv(path)] == ["'" + text, "plain"]


def test_harmless_text_and_numbers_are_left_alone(tmp_path: Path) -> None:
    frame = pd.DataFrame({"value": HARMLESS, "n": [-1.5, 2, 3, 4, 5, 6]})
    rows = _read_csv(write_csv(frame, tmp_path / "out.csv"))
    assert [row["value"] for row in rows] == HARMLESS
    assert [row["n"] for row in rows] == ["-1.5", "2.0", "3.0", "4.0", "5.0", "6.0"]


def test_problem_report_csv_prefixes_full_width_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: cells that are not dates land in the report's ``value`` column."""
    src = tmp_path / "c.csv"
    body = "".join(f"Customer {i},{text}\n" for i, text in enumerate(FORMULA_LIKE[:4]))
    src.write_text("Name,First purchase\n" + body, encoding="utf-8")
    report = tmp_path / "problems.csv"
    assert main(["validate", str(src), "--problems", str(report), "--as-of", "2026-01-01"]) == 1
    capsys.readouterr()
    values = [row["value"] for row in _read_csv(report) if row["code"] == "bad-date"]
    assert values == ["'" + text for text in FORMULA_LIKE[:4]]
