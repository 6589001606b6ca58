"""Golden workbooks: the enriched sample and its Problems report, compared part by part.

As XlsxWriter's comparison tests do, each output is unzipped and every part compared with a
saved reference, after removing a short list of known noise. A difference names the part and
shows the text around the first differing byte. When a change to the output is intended,
regenerate the references and review the diff of what changed::

    CRMSHEET_REGENERATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import math
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

import crmsheet
from crmsheet.cli import main

GOLDEN = Path(__file__).parent / "golden"
SAMPLE = Path(__file__).parents[1] / "examples" / "sample_customers.xlsx"
AS_OF = date(2026, 11, 1)
REGENERATE = os.environ.get("CRMSHEET_REGENERATE_GOLDEN") == "1"

#: Part -> patterns removed before comparing: the creation and save times (a workbook
#: written twice differs there and nowhere else).
NOISE: dict[str, tuple[bytes, ...]] = {
    "docProps/core.xml": (rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>",),
}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        out = {}
        for name in book.namelist():
            data = book.read(name)
            for pattern in NOISE.get(name, ()):
                data = re.sub(pattern, b"", data)
            out[name] = data
        return out


def _first_difference(a: bytes, b: bytes) -> str:
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return (f"at byte {at}: expected ...{a[max(at - 60, 0) : at + 60]!r}... "
            f"got ...{b[max(at - 60, 0) : at + 60]!r}...")  # fmt: skip


#: A number: ``<v>`` of a numeric cell, ``<c:v>`` of a chart's cache. Fitted figures (the
#: purchase and spend models) move in their last digits with another numpy or scipy build
#: (BFGS stops within its tolerance: up to 1e-6 relative seen between two releases), so they are
#: compared to 1e-5 relative, and tiny ones (a parameter run off towards 0) to 1e-9 absolute.
_NUMBER = re.compile(rb"<(c:)?v>(-?[0-9.]+(?:E[-+]?[0-9]+)?)</(?:c:)?v>")
_REL, _ABS = 1e-5, 1e-9


def _same(a: bytes, b: bytes) -> bool:
    """Equal bytes, or equal but for numbers within :data:`_REL` (or :data:`_ABS`) of each other."""
    if a == b:
        return True
    if _NUMBER.sub(b"<v/>", a) != _NUMBER.sub(b"<v/>", b):
        return False
    x, y = _NUMBER.findall(a), _NUMBER.findall(b)
    return all(math.isclose(float(u[1]), float(v[1]), rel_tol=_REL, abs_tol=_ABS)
               for u, v in zip(x, y, strict=True))  # fmt: skip


def assert_same_parts(expected: Path, got: Path) -> None:
    """The two packages hold the same parts, in the same order, with the same bytes."""
    want, have = _parts(expected), _parts(got)
    assert list(have) == list(want), "the package's parts (or their order) changed"
    for name in want:
        assert _same(want[name], have[name]), (
            f"{name} differs {_first_difference(want[name], have[name])}"
        )


def _check(reference: Path, made: Path) -> None:
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        shutil.copyfile(made, reference)
        pytest.skip(f"regenerated {reference.name}")
    assert reference.exists(), f"no reference {reference}: regenerate (see this module's docstring)"
    assert_same_parts(reference, made)


def test_enriched_sample_matches_the_golden_workbook(tmp_path: Path) -> None:
    out = tmp_path / "sample.enriched.xlsx"
    crmsheet.enrich(SAMPLE, as_of=AS_OF, output=out)
    _check(GOLDEN / "sample_enriched.xlsx", out)


def test_problems_report_matches_the_golden_workbook(tmp_path: Path) -> None:
    out = tmp_path / "problems.xlsx"
    assert main(["validate", str(SAMPLE), "--problems", str(out)]) == 1  # it has problems
    _check(GOLDEN / "sample_problems.xlsx", out)


def test_numbers_may_differ_in_their_last_digits_only() -> None:
    assert _same(b"<v>0.30000000000000004</v>", b"<v>0.3</v>")
    assert not _same(b"<v>0.3001</v>", b"<v>0.3</v>")
    assert not _same(b'<c r="A1"><v>1</v></c>', b'<c r="A2"><v>1</v></c>')


def test_a_changed_part_is_named(tmp_path: Path) -> None:
    """The comparison can fail: one changed cell is reported with its part."""
    reference = GOLDEN / "sample_problems.xlsx"
    if not reference.exists():
        pytest.skip("no reference yet")
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(reference) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", b'<row r="999"><c r="A999"><v>1</v></c></row></sheetData>'
                )
            dst.writestr(info, data)
    with pytest.raises(AssertionError, match=r"sheet1\.xml differs"):
        assert_same_parts(reference, changed)
