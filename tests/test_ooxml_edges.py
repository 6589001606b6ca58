"""Package edge cases of issue 20 (items 13c and 14c-f): a book of thousands of sheets read
from one zip handle, character references in sheet names, a case twin of
``[Content_Types].xml``, ``lockStructure`` with whitespace, and the part limit honoured by
the in-place writer as by the reader.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from test_hostile_parts import DOC_REL, HEAD_ROWS, MAIN, PKG_REL, ROOT_RELS, TYPES, worksheet

import crmsheet
from crmsheet.errors import UnsupportedFormatError
from crmsheet.io.graft import check_book
from crmsheet.io.ooxml.package import Package
from crmsheet.io.sniff import MAX_MEMBERS
from crmsheet.io.xlsxread import read_workbook_grids

AS_OF = date(2026, 11, 1)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rewrite(path: Path, edit: dict[str, bytes], extra: dict[str, bytes] | None = None) -> None:
    """Rewrite the package at ``path`` with some members replaced and others appended."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, edit.get(name, body))
        for name, body in (extra or {}).items():
            zf.writestr(name, body)


def example_copy(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(EXAMPLE, path)
    return path


def workbook_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/workbook.xml").decode()


# -- item 13c: thousands of sheets ---------------------------------------------------------


def many_sheets(path: Path, n: int) -> Path:
    """A book of ``n`` sheets, all empty but the last (a header and one customer)."""
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, n + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{DOC_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}">'
                    f"<sheets>{sheets}</sheets></workbook>")  # fmt: skip
        zf.writestr("xl/_rels/workbook.xml.rels",
                    f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>')  # fmt: skip
        for i in range(1, n + 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", worksheet(HEAD_ROWS if i == n else ""))
    return path


def test_thousands_of_empty_sheets_are_read_from_one_zip_handle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4,985 empty sheets took 79 s (396 s on a loaded machine): the zip was reopened, and
    its 5,000-entry directory read again, for every sheet. One handle: about 3 s. Counted
    here (the real ZipFile, its openings of this file listed), never timed."""
    path = many_sheets(tmp_path / "many.xlsx", 4_985)
    opened: list[str] = []
    real_init = zipfile.ZipFile.__init__

    def counted(self: zipfile.ZipFile, file: Any, *args: Any, **kwargs: Any) -> None:
        opened.append(str(file))
        real_init(self, file, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counted)
    grids = read_workbook_grids(path)
    assert [g.sheet for g in grids] == ["S4985"]
    assert opened.count(str(path)) == 1, opened.count(str(path))


# -- item 14: the in-place writer's package edge cases -------------------------------------


def test_character_reference_in_a_sheet_name_is_that_name(tmp_path: Path) -> None:
    """A user sheet written ``&#83;ummary`` is called Summary: crmsheet's own Summary takes
    another name instead of making a second sheet called Summary (Excel repairs such a book)."""
    path = example_copy(tmp_path)
    text = workbook_xml(path)
    assert 'name="Customers"' in text
    rewrite(path, {"xl/workbook.xml": text.replace('name="Customers"', 'name="&#83;ummary"',
                                                   1).encode()})  # fmt: skip
    crmsheet.enrich(path, in_place=True, as_of=AS_OF, backup=False)
    names = CalamineWorkbook.from_path(str(path)).sheet_names
    assert names.count("Summary") == 1, names
    assert len({n.casefold() for n in names}) == len(names), names
    assert "Summary (crmsheet)" in names


def test_a_case_twin_of_content_types_is_refused(tmp_path: Path) -> None:
    """``[content_types].xml`` beside ``[Content_Types].xml``: the edits went to the twin
    (the last one listed), which Excel ignores. The exact name is the part; the ambiguous
    package is refused for writing, and left as it was."""
    path = example_copy(tmp_path)
    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml")
    rewrite(path, {}, {"[content_types].xml": types})
    pkg = Package(path)
    assert pkg.name("[Content_Types].xml") == "[Content_Types].xml"
    before = sha256(path)
    with pytest.raises(UnsupportedFormatError, match=r"differ only in case \(\[Content_Types\]"):
        crmsheet.enrich(path, in_place=True, as_of=AS_OF, backup=False)
    assert sha256(path) == before


@pytest.mark.parametrize("value", [" 1", "true ", "\n1\t"])
def test_lock_structure_with_whitespace_is_protected(tmp_path: Path, value: str) -> None:
    """xsd:boolean collapses whitespace: ``lockStructure=" 1"`` locks the structure too."""
    path = example_copy(tmp_path)
    text = workbook_xml(path).replace(
        "</sheets>", f'</sheets><workbookProtection lockStructure="{value}"/>'
    )
    rewrite(path, {"xl/workbook.xml": text.encode()})
    with pytest.raises(UnsupportedFormatError, match="structure is protected"):
        check_book(path)


def test_in_place_never_writes_a_book_its_reader_refuses(tmp_path: Path) -> None:
    """A 9,980-part book grafted past 10,000 parts was then refused by crmsheet itself; now
    the graft is refused before the book is replaced, and the book is left as it was."""
    path = example_copy(tmp_path)
    with zipfile.ZipFile(path) as zf:
        have = len(zf.infolist())
    extra = {f"customXml/item{i}.xml": b"<x/>" for i in range(9_980 - have)}
    rewrite(path, {}, extra)
    with zipfile.ZipFile(path) as zf:
        assert len(zf.infolist()) == 9_980 <= MAX_MEMBERS
    before = sha256(path)
    with pytest.raises(UnsupportedFormatError, match=r"would be refused when read again .*"
                       r"more than 10,000\)"):  # fmt: skip
        crmsheet.enrich(path, in_place=True, as_of=AS_OF, backup=False)
    assert sha256(path) == before
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file is left behind"
    assert len(crmsheet.read(path, as_of=AS_OF).customers) > 0  # still readable
