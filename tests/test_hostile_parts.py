"""Crafted workbooks that passed the used-area guard and aborted the process (issue 20, item 8),
and the guard measured against calamine itself.

Each crafted book is 2-5 KB and asks calamine for 17 billion cells (a 512 GiB allocation:
exit 134 on main). They are read in a child process under a memory limit, so that a crash
there cannot take the test run down.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from crmsheet.io import usedarea, xlsxread

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
ROOT_RELS = (
    f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{DOC_REL}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
HEAD_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Customer ID</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>C1</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>Ann</t></is></c></row>'
)
FAR_CELL = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def worksheet(rows: str) -> str:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def book(
    path: Path,
    rows: str,
    *,
    sheet_part: str = "xl/worksheets/sheet1.xml",
    rels_part: str = "xl/_rels/workbook.xml.rels",
    target: str = "worksheets/sheet1.xml",
    extra: dict[str, str] | None = None,
) -> Path:
    """A one-sheet workbook ("Customers") written member by member."""
    workbook = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}"><sheets>'
        '<sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{DOC_REL}/worksheet" '
        f'Target="{target}"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr(rels_part, rels)
        zf.writestr(sheet_part, worksheet(rows))
        for name, body in (extra or {}).items():
            zf.writestr(name, body)
    return path


PROBE = r"""
import json, sys
import crmsheet
for path in sys.argv[1:]:
    try:
        data = crmsheet.read(path, as_of="2025-01-01")
        outcome = f"read {len(data.customers)}"
    except crmsheet.CrmsheetError as exc:
        outcome = type(exc).__name__ + ": " + str(exc)
    print(json.dumps({"path": path, "outcome": outcome}), flush=True)
"""


def probe(*paths: Path) -> dict[str, str]:
    """Read each file in one child process limited to 4 GiB of address space."""

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))

    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, paths)], capture_output=True, text=True,
        timeout=300, preexec_fn=limit, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"child died ({proc.returncode}): {proc.stderr[-1500:]}"
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    return {Path(r["path"]).name: r["outcome"] for r in results}


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("crafted")
    far = HEAD_ROWS + FAR_CELL
    bare = HEAD_ROWS + '<row r="1048576">' + "<c><v>1</v></c>" * 16_384 + "</row>"
    paths = [
        book(folder / "sheet-case.xlsx", far, sheet_part="xl/worksheets/Sheet1.xml"),
        book(folder / "rels-case.xlsx", far, rels_part="xl/_rels/Workbook.xml.rels"),
        book(folder / "bare-cells.xlsx", bare),
        # a row without r= is the one after the previous row: 1,048,575 + 1
        book(
            folder / "bare-rows.xlsx",
            HEAD_ROWS + '<row r="1048575"><c r="A1048575"><v>1</v>'
            "</c></row><row>" + "<c><v>1</v></c>" * 16_384 + "</row>",
        ),
        # calamine reads the target as written (&amp; stays), the OPC reading decodes it
        book(
            folder / "entity-target.xlsx",
            far,
            target="worksheets/sheet&amp;1.xml",
            sheet_part="xl/worksheets/sheet&amp;1.xml",
            extra={"xl/worksheets/sheet&1.xml": worksheet(HEAD_ROWS)},
        ),
        # a case twin of the sheet part, listed first: calamine takes the first match
        book(
            folder / "twin-part.xlsx", HEAD_ROWS, extra={"xl/worksheets/SHEET1.XML": worksheet(far)}
        ),
    ]
    for path in paths:
        assert path.stat().st_size < 200_000
    return probe(*paths)


@pytest.mark.parametrize(
    "name",
    ["sheet-case.xlsx", "rels-case.xlsx", "bare-cells.xlsx", "bare-rows.xlsx",
     "entity-target.xlsx", "twin-part.xlsx"],
)  # fmt: skip
def test_crafted_far_area_is_refused_not_an_abort(crafted: dict[str, str], name: str) -> None:
    outcome = crafted[name]
    assert outcome.startswith("UnsupportedFormatError"), outcome
    assert "1,048,576 rows x 16,384 columns" in outcome, outcome
    assert "refused as a safety measure" in outcome


def test_bare_cells_in_an_ordinary_sheet_still_read(tmp_path: Path) -> None:
    """Cells and rows without r= (some generators write them) are placed, not refused."""
    rows = "".join(
        f'<row><c t="inlineStr"><is><t>C{r}</t></is></c><c t="inlineStr"><is><t>N{r}</t>'
        "</is></c></row>"
        for r in range(1, 40)
    )
    head = ('<row><c t="inlineStr"><is><t>Customer ID</t></is></c><c t="inlineStr"><is>'
            "<t>Name</t></is></c></row>")  # fmt: skip
    path = book(tmp_path / "bare.xlsx", head + rows)
    grids = xlsxread.read_workbook_grids(path)
    assert grids[0].cells.shape == (40, 2)
    with zipfile.ZipFile(path) as zf, zf.open("xl/worksheets/sheet1.xml") as fh:
        assert usedarea.used_area(fh) == (40, 2)


# -- the guard measured against calamine ----------------------------------------------------

_cells = st.lists(
    st.tuples(st.none() | st.integers(0, 30), st.none() | st.integers(1, 40)),
    min_size=1, max_size=5,
)  # fmt: skip
_rows = st.lists(st.tuples(st.none() | st.integers(1, 40), _cells), min_size=1, max_size=8)


def _letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _xml(rows: list[tuple[int | None, list[tuple[int | None, int | None]]]]) -> str:
    parts = []
    for r, cells in rows:
        body = "".join(
            "<c><v>1</v></c>" if col is None or row is None
            else f'<c r="{_letters(col)}{row}"><v>1</v></c>'
            for col, row in cells
        )  # fmt: skip
        parts.append(f'<row r="{r}">{body}</row>' if r is not None else f"<row>{body}</row>")
    return "".join(parts)


@given(rows=_rows, chunk=st.sampled_from([7, 16, 33, 1 << 23]))
def test_used_area_is_what_calamine_lays_out(
    rows: list[tuple[int | None, list[tuple[int | None, int | None]]]], chunk: int
) -> None:
    """Every cell holds a value: the guard's area is exactly calamine's (A1 to its last cell),
    whatever mix of cells and rows with and without r=, and wherever the chunks are cut;
    a row's own r= counts even where calamine puts no cell (the guard never measures less)."""
    xml = worksheet(_xml(rows))
    buf = io.BytesIO()
    book_path = Path(f"/tmp/crmsheet-guard-{id(buf)}.xlsx")
    try:
        book(book_path, _xml(rows))
        wb = CalamineWorkbook.from_path(str(book_path))
        values = wb.get_sheet_by_name("Customers").to_python(skip_empty_area=False)
        wb.close()
    finally:
        book_path.unlink(missing_ok=True)
    row_attrs = [r for r, _ in rows if r is not None]
    expected = (max([len(values), *row_attrs]), max(map(len, values), default=0))
    assert usedarea.used_area(io.BytesIO(xml.encode()), chunk_size=chunk) == expected
