"""Which zip members calamine reads as the sheets of an .xlsx: the parts the used-area guard
measures before calamine lays them out.

calamine finds a part by a name compared without ASCII case (``xl/worksheets/SHEET1.xml``
answers for ``sheet1.xml``), takes the first such member, reads the workbook's relationship
targets as written (no entity decoding, no ``..`` resolution: ``/xl/x`` is ``xl/x``, ``x`` is
``xl/x``) and treats a target under ``xl/worksheets/`` as a worksheet. A guard that looks
names up exactly, or resolves targets another way, measures another part than the one parsed.
So every member that any reading could give a sheet is measured: each case variant and
duplicate of the workbook part, of its relationships and of each target, with the target
decoded and as written.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

from .markers import SHEET_MARKER
from .ooxml.xmltext import unescape_xml

__all__ = ["SheetParts", "by_lower_name", "sheet_parts"]

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"

_RELATIONSHIP = re.compile(
    rb"""<(?:[\w.\-]+:)?Relationship((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>"""
)
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass
class SheetParts:
    """The members each sheet may be read from, and every member read as a worksheet."""

    by_sheet: dict[str, list[zipfile.ZipInfo]] = field(default_factory=dict)
    worksheets: list[zipfile.ZipInfo] = field(default_factory=list)
    epoch_1904: bool = False
    # sheets carrying crmsheet's marker (--in-place), copies and renamed ones included: their
    # cells are crmsheet's output, never read as data (the grafter replaces only those still
    # under the name the marker records; a copy stays in the book, the user's)
    marked: set[str] = field(default_factory=set)


def by_lower_name(zf: zipfile.ZipFile) -> dict[str, list[zipfile.ZipInfo]]:
    """Lower-cased member name -> the members so named, in zip order (case twins, duplicates)."""
    out: dict[str, list[zipfile.ZipInfo]] = {}
    for info in zf.infolist():
        if not info.is_dir():
            out.setdefault(info.filename.lower(), []).append(info)
    return out


def sheet_parts(zf: zipfile.ZipFile, members: dict[str, list[zipfile.ZipInfo]]) -> SheetParts:
    """Where each sheet of the workbook in ``zf`` may be read from (see the module's notes)."""
    out = SheetParts()
    targets: dict[str, set[str]] = {}
    for info in members.get(WORKBOOK_RELS, []):
        for rel_id, target in _relationships(zf.read(info)):
            targets.setdefault(rel_id, set()).add(target)
    seen: set[int] = set()
    for rel_targets in targets.values():
        for info in _members(members, rel_targets, worksheets_only=True):
            if info.header_offset not in seen:
                seen.add(info.header_offset)
                out.worksheets.append(info)
    for n, info in enumerate(members.get(WORKBOOK, [])):
        sheets = _read_workbook(zf.read(info), out, first=n == 0)
        for name, ids in sheets:
            wanted = set().union(*(targets.get(i, set()) for i in ids))
            found = out.by_sheet.setdefault(name, [])
            found.extend(i for i in _members(members, wanted) if i not in found)
    return out


def _relationships(raw: bytes) -> list[tuple[str, str]]:
    """(Id, Target) pairs of a relationships part, each as written and as decoded."""
    SafeET.fromstring(raw)  # refuses DTDs and entity bombs, and malformed XML
    out = []
    for tag in _RELATIONSHIP.finditer(raw):
        attrs = {m[1]: (m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(tag[1])}
        rel_id = attrs.get(b"Id", b"").decode("utf-8", "replace")
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        for i in {rel_id, unescape_xml(rel_id)}:
            out += [(i, target), (i, unescape_xml(target))]
    return out


def _read_workbook(raw: bytes, out: SheetParts, *, first: bool) -> list[tuple[str, set[str]]]:
    """(name, relationship ids) of each ``<sheet>``; the first workbook part sets the facts."""
    sheets: list[tuple[str, set[str]]] = []
    marked: set[int] = set()
    for el in SafeET.fromstring(raw).iter():
        local = el.tag.rsplit("}", 1)[-1]
        if local == "sheet":
            ids = {v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"}
            sheets.append((el.get("name", ""), ids))
        elif local == "workbookPr" and first:
            out.epoch_1904 = el.get("date1904", "").strip().lower() in {"1", "true"}
        elif local == "definedName" and el.get("name") == SHEET_MARKER:
            position = el.get("localSheetId", "").strip()
            if position.isdigit():
                marked.add(int(position))
    if first:
        out.marked = {sheets[i][0] for i in marked if i < len(sheets)}
    return sheets


def _paths(target: str) -> set[str]:
    """The part names a workbook relationship target may mean: calamine's and the OPC one."""
    if target.startswith("/xl/"):
        calamine = target[1:]
    elif target.startswith("xl/"):
        calamine = target
    else:
        calamine = f"xl/{target}"
    opc = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return {calamine, posixpath.normpath(opc)}


def _members(
    members: dict[str, list[zipfile.ZipInfo]], targets: Iterable[str], *,
    worksheets_only: bool = False,
) -> list[zipfile.ZipInfo]:  # fmt: skip
    """The members any of ``targets`` may name (every case variant and duplicate)."""
    found: list[zipfile.ZipInfo] = []
    for target in targets:
        for path in _paths(target):
            if worksheets_only and path.split("/")[1:2] != ["worksheets"]:
                continue
            found.extend(i for i in members.get(path.lower(), []) if i not in found)
    return found
