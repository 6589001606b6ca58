"""Write crmsheet's sheets into the user's own workbook, leaving every other part as it was.

``crmsheet enrich BOOK.xlsx --in-place`` (issue 8). openpyxl cannot be used for this: a load
and save drops shapes, extLst extensions, comment formatting, macros and cached formula
results. This module works on the zip *package* instead:

1. The standalone enriched workbook is built with the ordinary writer into a scratch file.
2. Its sheets and everything they reference (tables, drawings, charts, any media) are
   grafted into BOOK's package under fresh part names (``sheetN``, ``tableN``,
   ``drawingN``, ``chartN``: the first free number), with every relationship target
   rewritten. Every part of BOOK not named below is copied byte for byte, in its original
   zip order, with its original timestamp and compression method; new parts go at the end
   with a fixed timestamp, so the same input gives the same bytes.

The parts of BOOK that change, and only with small textual edits (the rest of their text,
including namespaces, extensions and whitespace, is kept exactly):

- ``[Content_Types].xml``: an ``Override`` per grafted part (removed with the part).
- the workbook part: a ``<sheet>`` entry per grafted sheet (appended, so the positions
  that ``localSheetId`` and ``activeTab`` refer to stay valid), hidden sheet-scoped marker
  names, and any defined names the writer made for its sheets.
- the workbook's ``.rels``: one relationship per grafted sheet (first free ``rIdN``).
- ``styles.xml``: the scratch file's number formats, fonts, fills, borders, cell formats
  and conditional (dxf) formats are *appended*; no existing index changes meaning. An
  entry identical to one already there is reused instead of appended (this is what makes a
  second run give the same package). Index 0 of fonts, fills, borders and cell formats maps
  to the book's own index 0: crmsheet's sheets take the book's default font.
- ``calcChain.xml`` is dropped only when it lists cells of a sheet being replaced (Excel
  rebuilds it; a stale one triggers a repair prompt).

Decisions:

- Strings: grafted ``t="s"`` cells become inline strings (``t="inlineStr"``, the shared
  string's ``<si>`` content copied into ``<is>``: the same content model). The book's
  sharedStrings part stays untouched, so no existing string index can shift. Excel,
  LibreOffice, openpyxl and calamine all read inline strings; Excel turns them into shared
  strings the next time the user saves.
- Marker: each grafted sheet gets a hidden, sheet-scoped defined name ``_crmsheet``. Sheet
  scope follows the sheet when the user renames, moves or re-saves it in Excel, so a later
  run recognises (and replaces) exactly the sheets an earlier run added, never a user's
  sheet that merely has the same name.
- Name clashes: a user sheet that has the name of a crmsheet sheet (say their own
  "Customers") is never touched; crmsheet's sheet is called "Customers (crmsheet)" instead
  (chart formulas and defined names are rewritten to match). Table names that clash with a
  table or defined name of the book get a ``_crmsheet`` suffix; table ids are renumbered
  above the book's.
- Replacing: the parts reachable from the marked sheets (through their relationships) are
  removed unless another remaining part still refers to them; their sheet entries, names
  and relationships go too, and the user's ``localSheetId``/``activeTab`` indices are
  shifted if the user had moved crmsheet's sheets between their own. Styles appended by an
  earlier run are left in place and reused.
- ``docProps/app.xml`` is not touched: its sheet-title list is informational (no reader
  relies on it; Excel rewrites it on every save), and leaving it keeps one more part
  byte-identical.
- Refused, with the file left untouched: anything but ``.xlsx``/``.xlsm``, encrypted
  (an OLE container, not a zip), non-zip or damaged files, Strict Open XML, workbooks
  whose structure is protected (no sheet may be added), and signed workbooks (a VBA
  project signature or a package signature: any change would invalidate it). An
  ``.xlsm`` keeps its ``vbaProject.bin`` and macro-enabled content type untouched.
- The book's XML is parsed with defusedxml (no entities, no DTDs) to read it; edits are
  made on the text so untouched bytes stay untouched.
- The write is atomic (:func:`~crmsheet.io.write.atomic_path`); a copy of the original,
  ``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` (or ``.xlsm``), is made first unless asked not to.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, unescape

import defusedxml.ElementTree as SafeET

from ..errors import OutputFileError, UnsupportedFormatError
from .atomic import atomic_path
from .markers import SHEET_MARKER
from .xlsxread import _precheck

__all__ = [
    "MARKER",
    "backup_path",
    "check_book",
    "crmsheet_sheets",
    "graft",
    "strip_previous",
    "write_in_place",
]

#: The hidden sheet-scoped defined name that marks a sheet crmsheet added.
MARKER = SHEET_MARKER
MARKER_VALUE = '"crmsheet"'

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SIGNATURE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature"
BOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Timestamp of the parts crmsheet adds (constant, so two runs give the same bytes).
NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)

_NOT_IN_PLACE = "run without --in-place to write a separate enriched workbook"


# -- a tiny, exact XML tag scanner ----------------------------------------------------------

_TAG = re.compile(
    r"""<(/?)((?:[A-Za-z_][\w.\-]*:)?)([A-Za-z_][\w.\-]*)"""
    r"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
)
_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_HIDDEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


@dataclass(frozen=True)
class Element:
    """One element found in a text: where it is, its attributes and its content's span."""

    start: int
    end: int
    prefix: str
    attrs: dict[str, str]
    inner: tuple[int, int]  # (start, end) of the content; empty for <x/>

    def raw(self, text: str) -> str:
        """The element's exact text."""
        return text[self.start : self.end]

    def content(self, text: str) -> str:
        """The exact text between its start and end tags."""
        return text[self.inner[0] : self.inner[1]]


def _attrs(raw: str) -> dict[str, str]:
    return {m[1]: unescape(m[2] if m[2] is not None else m[3], _ENTITIES)
            for m in _ATTR.finditer(raw)}  # fmt: skip


def _masked(text: str) -> str:
    """``text`` with comments, CDATA and processing instructions blanked (same length)."""
    return _HIDDEN.sub(lambda m: " " * len(m[0]), text)


def elements(text: str, local: str, span: tuple[int, int] | None = None) -> list[Element]:
    """Every outermost element called ``local`` (any prefix), in document order.

    ``span`` limits the search to a part of ``text`` (an element's content).
    """
    lo, hi = span or (0, len(text))
    scan = _masked(text[lo:hi])
    found: list[Element] = []
    depth = 0
    opened: re.Match[str] | None = None
    for m in _TAG.finditer(scan):
        if m[3] != local:
            continue
        closing, selfclosing = m[1] == "/", m[5] == "/"
        if closing:
            depth -= 1
            if depth == 0 and opened is not None:
                inner = (lo + opened.end(), lo + m.start())
                found.append(
                    Element(lo + opened.start(), lo + m.end(), opened[2], _attrs(opened[4]), inner)
                )
                opened = None
        elif selfclosing:
            if depth == 0:
                end = lo + m.end()
                found.append(Element(lo + m.start(), end, m[2], _attrs(m[4]), (end, end)))
        else:
            if depth == 0:
                opened = m
            depth += 1
    return found


def first(text: str, local: str, span: tuple[int, int] | None = None) -> Element | None:
    """The first element called ``local``, or None."""
    found = elements(text, local, span)
    return found[0] if found else None


def set_attr(tag: str, name: str, value: str) -> str:
    """``tag`` (a start tag or a whole element) with attribute ``name`` set to ``value``."""
    end = tag.index(">")
    head = tag[:end]
    pattern = re.compile(rf"""(\s{re.escape(name)}\s*=\s*)("[^"]*"|'[^']*')""")
    quoted = f'"{escape(value, {chr(34): "&quot;"})}"'
    if pattern.search(head):
        head = pattern.sub(lambda m: m[1] + quoted, head, count=1)
    else:
        cut = len(head) - 1 if head.endswith("/") else len(head)
        head = f"{head[:cut]} {name}={quoted}{head[cut:]}"
    return head + tag[end:]


def _replace(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, new) edits to ``text``."""
    out, pos = [], 0
    for start, end, new in sorted(edits):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _root(text: str) -> re.Match[str]:
    """The root element's start tag."""
    scan = _masked(text)
    for m in _TAG.finditer(scan):
        if m[1] != "/":
            return m
    raise ValueError("no root element")


def _in_ns(text: str, fragment: str) -> str:
    """``fragment`` (unprefixed elements) made to mean the root's namespace.

    Books written by some libraries use a prefix (``<x:workbook xmlns:x=...>``) and no
    default namespace; each inserted top-level element then declares it itself.
    """
    root = _root(text)
    if not root[2]:
        return fragment
    ns = _attrs(root[4]).get(f"xmlns:{root[2][:-1]}", "")
    if _attrs(root[4]).get("xmlns") == ns:
        return fragment
    out, depth = [], 0
    pos = 0
    for m in _TAG.finditer(fragment):
        if m[1] == "/":
            depth -= 1
            continue
        if depth == 0 and "xmlns" not in _attrs(m[4]):
            cut = m.end() - (2 if m[5] else 1)
            out.append(fragment[pos:cut] + f' xmlns="{ns}"')
            pos = cut
        if not m[5]:
            depth += 1
    out.append(fragment[pos:])
    return "".join(out)


def _append_into(text: str, el: Element, fragment: str, *, count: int | None = None) -> str:
    """Insert ``fragment`` at the end of ``el``'s content (opening ``<x/>`` if needed)."""
    raw = el.raw(text)
    if el.inner[0] == el.end:  # self-closing
        name = raw[1:].split(None, 1)[0].rstrip("/>")
        new = raw[:-2].rstrip() + ">" + _in_ns(text, fragment) + f"</{name}>"
    else:
        new = text[el.start : el.inner[1]] + _in_ns(text, fragment) + text[el.inner[1] : el.end]
    if count is not None:
        new = set_attr(new, "count", str(count))
    return text[: el.start] + new + text[el.end :]


# -- the package -----------------------------------------------------------------------------


class Package:
    """A zip package in memory: its members in order, with their zip headers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with zipfile.ZipFile(path) as zf:
                self.infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
                self.data = {name: zf.read(name) for name in self.infos}
                self.comment = zf.comment
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UnsupportedFormatError(path, f"cannot be opened as a workbook ({exc})") from exc
        self.order = list(self.infos)
        self._lower = {n.lower(): n for n in self.order}

    def has(self, name: str) -> bool:
        """Whether the part exists (part names are case-insensitive)."""
        return name.lower() in self._lower

    def name(self, name: str) -> str:
        """The member's name as stored."""
        return self._lower[name.lower()]

    def text(self, name: str) -> str:
        """A part's XML as text (checked to be safe, well-formed XML first)."""
        raw = self.data[self.name(name)]
        try:
            SafeET.fromstring(raw)
        except Exception as exc:  # defusedxml's and expat's errors both mean: unusable
            raise UnsupportedFormatError(
                self.path, f"its part {name} is not well-formed or safe XML ({exc}); "
                f"open it in Excel and save it again, or {_NOT_IN_PLACE}"
            ) from exc  # fmt: skip
        return raw.decode("utf-8")

    def put(self, name: str, data: str | bytes) -> None:
        """Replace a part's content (keeping its place and zip header) or add a new part."""
        body = data.encode("utf-8") if isinstance(data, str) else data
        if self.has(name):
            self.data[self.name(name)] = body
            return
        info = zipfile.ZipInfo(name, date_time=NEW_PART_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        self.infos[name] = info
        self.data[name] = body
        self.order.append(name)
        self._lower[name.lower()] = name

    def remove(self, name: str) -> None:
        """Drop a part."""
        stored = self._lower.pop(name.lower())
        del self.infos[stored], self.data[stored]
        self.order.remove(stored)

    def save(self, dest: Path) -> None:
        """Write the members in order; kept members keep their timestamp and compression."""
        with zipfile.ZipFile(dest, "w", allowZip64=True) as zf:
            zf.comment = self.comment
            for name in self.order:
                old = self.infos[name]
                info = zipfile.ZipInfo(name, date_time=old.date_time)
                info.compress_type = old.compress_type
                info.external_attr = old.external_attr
                info.create_system = old.create_system
                info.comment = old.comment
                zf.writestr(info, self.data[name])


@dataclass(frozen=True)
class Rel:
    """One relationship: its Id, type, and the part it points to (None if external)."""

    id: str
    type: str
    target: str | None
    raw_target: str


def rels_name(part: str) -> str:
    """``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels`` (``""`` -> ``_rels/.rels``)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve(source: str, target: str) -> str:
    """The part name a relationship target of ``source`` points to."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, target: str) -> str:
    """The relationship target from ``source`` to the part ``target``."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def read_rels(pkg: Package, part: str) -> list[Rel]:
    """The relationships of ``part`` (empty when it has none)."""
    name = rels_name(part)
    if not pkg.has(name):
        return []
    text = pkg.text(name)
    out = []
    for el in elements(text, "Relationship"):
        a = el.attrs
        external = a.get("TargetMode", "Internal") == "External"
        target = None if external else resolve(part, a.get("Target", ""))
        out.append(Rel(a.get("Id", ""), a.get("Type", ""), target, a.get("Target", "")))
    return out


def main_part(pkg: Package) -> str:
    """The workbook part (from the package relationships)."""
    for rel in read_rels(pkg, ""):
        if rel.type.endswith("/officeDocument") and rel.target and pkg.has(rel.target):
            return pkg.name(rel.target)
    raise UnsupportedFormatError(pkg.path, f"is not an Excel workbook (no workbook part); "
                                 f"{_NOT_IN_PLACE}")  # fmt: skip


def _rel_of_type(pkg: Package, part: str, kind: str) -> Rel | None:
    return next((r for r in read_rels(pkg, part) if r.type == f"{DOC_REL}/{kind}"), None)


# -- checks ----------------------------------------------------------------------------------


def check_book(path: str | Path) -> None:
    """Refuse, with a message saying what to do, a file crmsheet cannot write into."""
    path = Path(path)
    if path.suffix.lower() not in BOOK_SUFFIXES:
        kind = path.suffix or "a file without an extension"
        raise UnsupportedFormatError(
            path, f"--in-place writes into an Excel workbook (.xlsx or .xlsm), not {kind}; "
            f"{_NOT_IN_PLACE}, or save the data as .xlsx first"
        )  # fmt: skip
    kind = _precheck(path)  # missing, empty, encrypted (an OLE container), not a zip, bombs
    if kind != "ooxml":
        inside = {"xls": "a legacy .xls workbook", "xlsb": "a binary .xlsb workbook",
                  "ods": "an OpenDocument spreadsheet"}.get(kind, kind)  # fmt: skip
        raise UnsupportedFormatError(
            path, f"is {inside} under another name; open it in Excel and save it as an "
            f"Excel Workbook (.xlsx), or {_NOT_IN_PLACE}"
        )  # fmt: skip
    _check_package(Package(path))


def _check_package(pkg: Package) -> None:
    """Refuse signed and Strict Open XML packages."""
    names = {n.lower() for n in pkg.order}
    signed_vba = any(posixpath.basename(n).startswith("vbaprojectsignature") for n in names)
    signed = any(n.startswith("_xmlsignatures/") for n in names) or any(
        r.type == SIGNATURE_REL for r in read_rels(pkg, ""))  # fmt: skip
    if signed_vba or signed:
        what = "its macros are digitally signed" if signed_vba else "it is digitally signed"
        raise UnsupportedFormatError(
            pkg.path, f"{what}, and any change would break the signature; {_NOT_IN_PLACE}"
        )
    wb = main_part(pkg)
    text = pkg.text(wb)
    if STRICT_NS in text[: _root(text).end()]:
        raise UnsupportedFormatError(
            pkg.path, "is saved as Strict Open XML; save it in Excel as an ordinary "
            f"Excel Workbook (.xlsx), or {_NOT_IN_PLACE}"
        )  # fmt: skip
    lock = first(text, "workbookProtection")
    if lock is not None and lock.attrs.get("lockStructure") in ("1", "true"):
        raise UnsupportedFormatError(
            pkg.path, "its structure is protected (Review > Protect Workbook), so no sheet may "
            f"be added; unprotect it in Excel, or {_NOT_IN_PLACE}"
        )  # fmt: skip
    if _rel_of_type(pkg, wb, "styles") is None:
        raise UnsupportedFormatError(
            pkg.path, f"has no styles part; open it in Excel and save it again, or {_NOT_IN_PLACE}"
        )


# -- the workbook part's sheets and names ----------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One ``<sheet>`` entry: its position, name, sheetId, relationship Id and part."""

    position: int
    name: str
    sheet_id: int
    rel_id: str
    part: str | None


def _rel_id_attr(attrs: Mapping[str, str]) -> str:
    return next((v for k, v in attrs.items() if k.endswith(":id") or k == "id"), "")


def read_sheets(pkg: Package, wb: str) -> list[Sheet]:
    """The workbook's sheets in tab order."""
    text = pkg.text(wb)
    box = first(text, "sheets")
    if box is None:
        return []
    parts = {r.id: r.target for r in read_rels(pkg, wb)}
    out = []
    for i, el in enumerate(elements(text, "sheet", box.inner)):
        rid = _rel_id_attr(el.attrs)
        sheet_id = int(el.attrs.get("sheetId", "0") or 0)
        out.append(Sheet(i, el.attrs.get("name", ""), sheet_id, rid, parts.get(rid)))
    return out


def _names(text: str) -> list[Element]:
    box = first(text, "definedNames")
    return elements(text, "definedName", box.inner) if box is not None else []


def crmsheet_sheets(path: str | Path) -> list[str]:
    """Names of the sheets an earlier ``--in-place`` run added to the workbook at ``path``."""
    pkg = Package(Path(path))
    wb = main_part(pkg)
    return [s.name for s in _marked(pkg, wb)]


def _marked(pkg: Package, wb: str) -> list[Sheet]:
    text = pkg.text(wb)
    positions = {
        int(n.attrs["localSheetId"])
        for n in _names(text)
        if n.attrs.get("name") == MARKER and n.attrs.get("localSheetId", "").isdigit()
    }
    return [s for s in read_sheets(pkg, wb) if s.position in positions]


# -- removing an earlier run -----------------------------------------------------------------


def _closure(pkg: Package, roots: Iterable[str]) -> list[str]:
    """``roots`` and every part reachable from them through relationships, in BFS order."""
    seen: list[str] = []
    queue = [pkg.name(r) for r in roots if pkg.has(r)]
    while queue:
        part = queue.pop(0)
        if part in seen:
            continue
        seen.append(part)
        queue.extend(pkg.name(r.target) for r in read_rels(pkg, part)
                     if r.target is not None and pkg.has(r.target))  # fmt: skip
    return seen


def _referenced(pkg: Package, sources: Iterable[str], skip_rel_ids: set[str], wb: str) -> set[str]:
    """Lower-cased part names referred to by the relationships of ``sources``."""
    out = set()
    for part in sources:
        for r in read_rels(pkg, part):
            if r.target is not None and not (part == wb and r.id in skip_rel_ids):
                out.add(r.target.lower())
    return out


@dataclass
class _Removed:
    """What stripping an earlier run changed: positions of the removed sheets, and names."""

    positions: list[int]
    names: list[str]
    active: dict[str, str]  # bookViews attribute -> name of the removed sheet it pointed to


def strip_previous(pkg: Package) -> _Removed:
    """Remove the sheets an earlier run added, with their parts, entries and names."""
    wb = main_part(pkg)
    marked = _marked(pkg, wb)
    if not marked:
        return _Removed([], [], {})
    rel_ids = {s.rel_id for s in marked}
    doomed = _closure(pkg, [s.part for s in marked if s.part])
    others = [p for p in pkg.order if not p.endswith(".rels") and p not in doomed]
    keep = _referenced(pkg, others, rel_ids, wb)
    gone = [p for p in doomed if p.lower() not in keep]
    for part in gone:
        for name in (part, rels_name(part)):
            if pkg.has(name):
                pkg.remove(name)
    _drop_overrides(pkg, gone)
    _drop_rels(pkg, wb, rel_ids)
    positions = [s.position for s in marked]
    active = _edit_workbook_removal(pkg, wb, marked)
    _drop_stale_calc_chain(pkg, wb, {s.sheet_id for s in marked})
    return _Removed(positions, [s.name for s in marked], active)


def _drop_overrides(pkg: Package, parts: Iterable[str]) -> None:
    text = pkg.text("[Content_Types].xml")
    names = {"/" + p.lower() for p in parts}
    edits = [(el.start, el.end, "") for el in elements(text, "Override")
             if el.attrs.get("PartName", "").lower() in names]  # fmt: skip
    if edits:
        pkg.put("[Content_Types].xml", _replace(text, edits))


def _drop_rels(pkg: Package, part: str, ids: set[str]) -> None:
    name = rels_name(part)
    text = pkg.text(name)
    edits = [(el.start, el.end, "") for el in elements(text, "Relationship")
             if el.attrs.get("Id") in ids]  # fmt: skip
    pkg.put(name, _replace(text, edits))


def _shift(old: int, removed: list[int]) -> int:
    return old - sum(1 for r in removed if r < old)


def _edit_workbook_removal(pkg: Package, wb: str, marked: list[Sheet]) -> dict[str, str]:
    """Drop the marked ``<sheet>`` entries and their names; shift later positions."""
    text = pkg.text(wb)
    removed = [s.position for s in marked]
    box = first(text, "sheets")
    assert box is not None
    edits = [(el.start, el.end, "") for i, el in enumerate(elements(text, "sheet", box.inner))
             if i in removed]  # fmt: skip
    for n in _names(text):
        local = n.attrs.get("localSheetId")
        if local is None or not local.isdigit():
            continue
        if int(local) in removed:
            edits.append((n.start, n.end, ""))
        elif _shift(int(local), removed) != int(local):
            new = set_attr(n.raw(text), "localSheetId", str(_shift(int(local), removed)))
            edits.append((n.start, n.end, new))
    active: dict[str, str] = {}
    by_pos = {s.position: s.name for s in marked}
    for view in elements(text, "workbookView"):
        raw = view.raw(text)
        for attr in ("activeTab", "firstSheet"):
            value = view.attrs.get(attr)
            if value is None or not value.isdigit():
                continue
            if int(value) in by_pos:
                active[attr] = by_pos[int(value)]
                raw = set_attr(raw, attr, "0")
            elif _shift(int(value), removed) != int(value):
                raw = set_attr(raw, attr, str(_shift(int(value), removed)))
        if raw != view.raw(text):
            edits.append((view.start, view.end, raw))
    text = _replace(text, edits)
    box = first(text, "definedNames")
    if box is not None and not elements(text, "definedName", box.inner):
        text = text[: box.start] + text[box.end :]
    pkg.put(wb, text)
    return active


def _drop_stale_calc_chain(pkg: Package, wb: str, sheet_ids: set[int]) -> None:
    """Drop calcChain.xml if it lists a cell of a removed sheet (Excel rebuilds it)."""
    rel = _rel_of_type(pkg, wb, "calcChain")
    if rel is None or rel.target is None or not pkg.has(rel.target):
        return
    current, stale = 0, False
    for m in re.finditer(r"<(?:\w+:)?c\b([^>]*)/?>", pkg.text(rel.target)):
        found = re.search(r'\bi="(\d+)"', m[1])
        current = int(found[1]) if found else current
        stale = stale or current in sheet_ids
    if stale:
        pkg.remove(rel.target)
        _drop_overrides(pkg, [rel.target])
        _drop_rels(pkg, wb, {rel.id})


# -- styles ----------------------------------------------------------------------------------

#: The order of styleSheet's children (where to put a collection the book lacks).
STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
               "cellStyles", "dxfs", "tableStyles", "colors", "extLst")  # fmt: skip
#: Collection -> its child element.
COLLECTIONS = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
               "cellXfs": "xf", "dxfs": "dxf"}  # fmt: skip


def _children(text: str, collection: str) -> list[str]:
    box = first(text, collection)
    if box is None:
        return []
    return [el.raw(text) for el in elements(text, COLLECTIONS[collection], box.inner)]


@dataclass
class StyleMap:
    """How the scratch file's style indices map to the merged book's."""

    xf: dict[int, int]
    dxf: dict[int, int]


def merge_styles(book: str, scratch: str) -> tuple[str, StyleMap]:
    """The book's styles.xml with the scratch file's styles appended (or reused)."""
    added: dict[str, list[str]] = {c: [] for c in COLLECTIONS}
    existing = {c: _children(book, c) for c in COLLECTIONS}

    def place(collection: str, raw: str, fixed: Mapping[int, int], index: int) -> int:
        if index in fixed:
            return fixed[index]
        raw = _in_ns(book, raw)  # as it would read in the book (a prefixed one declares it)
        have = existing[collection] + added[collection]
        if raw in have:
            return have.index(raw)
        added[collection].append(raw)
        return len(have)

    formats = _merge_num_fmts(book, scratch, added["numFmts"])
    maps: dict[str, dict[int, int]] = {}
    fixed = {"fonts": {0: 0}, "fills": {0: 0, 1: 1}, "borders": {0: 0}}
    for collection, pinned in fixed.items():
        raws = _children(scratch, collection)
        maps[collection] = {i: place(collection, r, pinned, i) for i, r in enumerate(raws)}
    xf_map = {}
    for i, raw in enumerate(_children(scratch, "cellXfs")):
        new = raw
        for attr, table in (("numFmtId", formats), ("fontId", maps["fonts"]),
                            ("fillId", maps["fills"]), ("borderId", maps["borders"])):  # fmt: skip
            value = _attrs(raw[: raw.index(">")]).get(attr)
            if value is not None and int(value) in table:
                new = set_attr(new, attr, str(table[int(value)]))
        new = set_attr(new, "xfId", "0")
        xf_map[i] = place("cellXfs", new, {0: 0}, i)
    dxf_map = {i: place("dxfs", r, {}, i) for i, r in enumerate(_children(scratch, "dxfs"))}
    for collection, new_children in added.items():
        if new_children:
            book = _extend(book, collection, new_children)
    return book, StyleMap(xf_map, dxf_map)


def _merge_num_fmts(book: str, scratch: str, added: list[str]) -> dict[int, int]:
    """Scratch numFmtId -> the book's: an equal format code is reused, else a new id."""
    have: dict[str, int] = {}
    for raw in _children(book, "numFmts"):
        a = _attrs(raw)
        have.setdefault(a.get("formatCode", ""), int(a.get("numFmtId", "0")))
    top = max([163, *have.values()])
    out: dict[int, int] = {}
    for raw in _children(scratch, "numFmts"):
        a = _attrs(raw)
        code, old = a.get("formatCode", ""), int(a.get("numFmtId", "0"))
        if code not in have:
            top += 1
            have[code] = top
            added.append(set_attr(raw, "numFmtId", str(top)))
        out[old] = have[code]
    return out


def _extend(text: str, collection: str, children: list[str]) -> str:
    """Append ``children`` to a collection of styles.xml (making it where needed)."""
    box = first(text, collection)
    if box is not None:
        count = len(elements(text, COLLECTIONS[collection], box.inner)) + len(children)
        return _append_into(text, box, "".join(children), count=count)
    later = STYLE_ORDER[STYLE_ORDER.index(collection) + 1 :]
    starts = [el.start for name in later for el in elements(text, name)[:1]]
    root = _root(text)
    at = min(starts) if starts else text.rindex("</")
    if collection == "numFmts":
        at = root.end()
    new = f'<{collection} count="{len(children)}">{"".join(children)}</{collection}>'
    return text[:at] + _in_ns(text, new) + text[at:]


# -- grafting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Where each scratch part goes in the book, and the names it gets."""

    parts: dict[str, str]  # scratch part -> book part
    sheets: list[tuple[Sheet, str]]  # scratch sheet, its name in the book
    tables: dict[str, tuple[int, str]]  # scratch table part -> (id, name)


def _free_name(taken: set[str], part: str) -> str:
    """``part`` renumbered to the first free number (``sheet3.xml`` -> ``sheet5.xml``)."""
    folder, base = posixpath.split(part)
    m = re.fullmatch(r"(.*?)(\d*)(\.[^.]+)", base)
    stem, ext = (m[1], m[3]) if m else (base, "")
    n = 1
    while True:
        name = posixpath.join(folder, f"{stem}{n}{ext}")
        if name.lower() not in taken:
            taken.add(name.lower())
            return name
        n += 1


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted (crmsheet)`` when the book already has a sheet so called."""
    candidates = [wanted, f"{wanted} (crmsheet)"]
    candidates += [f"{wanted} (crmsheet {n})" for n in range(2, 100)]
    for name in candidates:
        if name[:31].casefold() not in taken:
            taken.add(name[:31].casefold())
            return name[:31]
    raise OutputFileError(Path(wanted), "no free sheet name")  # pragma: no cover


def _book_tables(pkg: Package) -> tuple[int, set[str]]:
    """The highest table id in the book and every table and defined name (casefolded)."""
    top, names = 0, set[str]()
    for part in pkg.order:
        if part.lower().startswith("xl/tables/") and part.lower().endswith(".xml"):
            root = _root(pkg.text(part))
            a = _attrs(root[4])
            top = max(top, int(a.get("id", "0") or 0))
            names.update(a.get(k, "").casefold() for k in ("name", "displayName"))
    for n in _names(pkg.text(main_part(pkg))):
        names.add(n.attrs.get("name", "").casefold())
    return top, names


def _plan(pkg: Package, new: Package) -> _Plan:
    wb, new_wb = main_part(pkg), main_part(new)
    taken_sheets = {s.name.casefold() for s in read_sheets(pkg, wb)}
    sheets = [(s, _sheet_name(s.name, taken_sheets)) for s in read_sheets(new, new_wb)]
    taken = {n.lower() for n in pkg.order}
    parts: dict[str, str] = {}
    for sheet, _ in sheets:
        for part in _closure(new, [sheet.part] if sheet.part else []):
            if part not in parts:
                parts[part] = _free_name(taken, part)
    top, names = _book_tables(pkg)
    tables: dict[str, tuple[int, str]] = {}
    for part in parts:
        if part.startswith("xl/tables/"):
            wanted = _attrs(_root(new.text(part))[4]).get("name", "Table")
            name = wanted
            n = 1
            while name.casefold() in names:
                name = f"{wanted}_crmsheet" + (f"{n}" if n > 1 else "")
                n += 1
            names.add(name.casefold())
            top += 1
            tables[part] = (top, name)
    return _Plan(parts, sheets, tables)


def graft(book: Path, scratch: Path, dest: Path) -> list[str]:
    """Write BOOK with the scratch workbook's sheets grafted in to ``dest``.

    Returns the names crmsheet's sheets got in the book.
    """
    pkg, new = Package(book), Package(scratch)
    _check_package(pkg)
    removed = strip_previous(pkg)
    plan = _plan(pkg, new)
    styles_part = _styles_part(pkg)
    merged, style_map = merge_styles(pkg.text(styles_part), new.text(_styles_part(new)))
    pkg.put(styles_part, merged)
    strings = _shared_strings(new)
    renames = {s.name: name for s, name in plan.sheets if s.name != name}
    content_types = _content_types(new)
    for old, part in plan.parts.items():
        body = new.data[new.name(old)]
        kind = content_types.get(old.lower(), "")
        if kind.endswith("worksheet+xml"):
            body = _graft_sheet(body.decode("utf-8"), strings, style_map).encode("utf-8")
        elif kind.endswith("table+xml"):
            body = _graft_table(body.decode("utf-8"), plan.tables[old], style_map)
        elif kind.endswith("chart+xml"):
            body = _rename_in(body.decode("utf-8"), "f", renames).encode("utf-8")
        pkg.put(part, body)
        if new.has(rels_name(old)):
            pkg.put(rels_name(part), _graft_rels(new, old, part, plan.parts))
        _add_override(pkg, part, kind)
    _add_sheets(pkg, new, plan, renames, removed)
    out = dest
    pkg.save(out)
    return [name for _, name in plan.sheets]


def _styles_part(pkg: Package) -> str:
    rel = _rel_of_type(pkg, main_part(pkg), "styles")
    if rel is None or rel.target is None or not pkg.has(rel.target):
        raise UnsupportedFormatError(pkg.path, "has no styles part")
    return pkg.name(rel.target)


def _shared_strings(pkg: Package) -> list[str]:
    """The content of each ``<si>`` of the scratch file (as XML text)."""
    rel = _rel_of_type(pkg, main_part(pkg), "sharedStrings")
    if rel is None or rel.target is None:
        return []
    text = pkg.text(rel.target)
    return [el.content(text) for el in elements(text, "si")]


def _content_types(pkg: Package) -> dict[str, str]:
    """Lower-cased part name -> content type (overrides, else the extension's default)."""
    text = pkg.text("[Content_Types].xml")
    defaults = {el.attrs.get("Extension", "").lower(): el.attrs.get("ContentType", "")
                for el in elements(text, "Default")}  # fmt: skip
    out = {p.lower(): defaults.get(posixpath.splitext(p)[1][1:].lower(), "") for p in pkg.order}
    for el in elements(text, "Override"):
        out[el.attrs.get("PartName", "").lstrip("/").lower()] = el.attrs.get("ContentType", "")
    return out


def _add_override(pkg: Package, part: str, kind: str) -> None:
    text = pkg.text("[Content_Types].xml")
    defaults = {el.attrs.get("Extension", "").lower() for el in elements(text, "Default")}
    if part.endswith(".rels") and "rels" in defaults:
        return
    root = first(text, "Types")
    assert root is not None
    entry = f'<Override PartName="/{escape(part)}" ContentType="{escape(kind)}"/>'
    pkg.put("[Content_Types].xml", _append_into(text, root, entry))


_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)


def _graft_sheet(text: str, strings: list[str], styles: StyleMap) -> str:
    """A scratch worksheet with inline strings, the book's style indices, not selected."""

    def cell(m: re.Match[str]) -> str:
        head, body = m[1], m[3]
        a = _attrs(head)
        if "s" in a:
            head = set_attr(head + ">", "s", str(styles.xf.get(int(a["s"]), 0)))[:-1]
        if a.get("t") == "s" and body is not None:
            index = re.search(r"<v>(\d+)</v>", body)
            if index is not None:
                head = set_attr(head + ">", "t", "inlineStr")[:-1]
                return f"<c{head}><is>{strings[int(index[1])]}</is></c>"
        return f"<c{head}{m[2]}"

    text = _CELL.sub(cell, text)
    text = re.sub(r'(<row\b[^>]*?\ss=")(\d+)"',
                  lambda m: f'{m[1]}{styles.xf.get(int(m[2]), 0)}"', text)  # fmt: skip
    text = re.sub(r'(<col\b[^>]*?\sstyle=")(\d+)"',
                  lambda m: f'{m[1]}{styles.xf.get(int(m[2]), 0)}"', text)  # fmt: skip
    text = re.sub(r'(\sdxfId=")(\d+)"', lambda m: f'{m[1]}{styles.dxf.get(int(m[2]), 0)}"', text)
    return re.sub(r'(<sheetView\b[^>]*?)\stabSelected="(?:1|true)"', r"\1", text)


def _graft_table(text: str, ident: tuple[int, str], styles: StyleMap) -> bytes:
    """A scratch table with its new id and name, and the book's dxf indices."""
    root = _root(text)
    tag = root[0]
    for attr, value in (("id", str(ident[0])), ("name", ident[1]), ("displayName", ident[1])):
        tag = set_attr(tag, attr, value)
    text = text[: root.start()] + tag + text[root.end() :]
    text = re.sub(r'(\s\w*[dD]xfId=")(\d+)"', lambda m: f'{m[1]}{styles.dxf.get(int(m[2]), 0)}"',
                  text)  # fmt: skip
    return text.encode("utf-8")


def _graft_rels(new: Package, old: str, part: str, parts: Mapping[str, str]) -> str:
    """The scratch part's relationships, pointing at the renamed parts."""
    text = new.text(rels_name(old))
    edits = []
    for el in elements(text, "Relationship"):
        if el.attrs.get("TargetMode") == "External":
            continue
        target = parts.get(resolve(old, el.attrs.get("Target", "")))
        if target is not None:
            fixed = set_attr(el.raw(text), "Target", relative(part, target))
            edits.append((el.start, el.end, fixed))
    return _replace(text, edits)


_REF = re.compile(r"('(?:[^']|'')+'|[A-Za-z_\\][\w.]*)!")


def rename_refs(formula: str, renames: Mapping[str, str]) -> str:
    """``formula`` with sheet references renamed (``Summary!A1`` -> ``'Summary (crmsheet)'!A1``)."""

    def one(m: re.Match[str]) -> str:
        ref = m[1]
        name = ref[1:-1].replace("''", "'") if ref.startswith("'") else ref
        if name not in renames:
            return m[0]
        return "'" + renames[name].replace("'", "''") + "'!"

    return _REF.sub(one, formula) if renames else formula


def _rename_in(text: str, local: str, renames: Mapping[str, str]) -> str:
    """Rename sheet references in the text of every ``local`` element."""
    if not renames:
        return text
    edits = []
    for el in elements(text, local):
        content = el.content(text)
        new = escape(rename_refs(unescape(content, _ENTITIES), renames))
        if new != content:
            edits.append((el.inner[0], el.inner[1], new))
    return _replace(text, edits)


def _add_sheets(pkg: Package, new: Package, plan: _Plan, renames: Mapping[str, str],
                removed: _Removed) -> None:  # fmt: skip
    """Append the ``<sheet>`` entries, their relationships, markers and names."""
    wb = main_part(pkg)
    rels_text = pkg.text(rels_name(wb))
    ids = {r.id for r in read_rels(pkg, wb)}
    existing = read_sheets(pkg, wb)
    next_id = max([s.sheet_id for s in existing] or [0])
    offset = len(existing)
    entries, rel_entries, names = [], [], []
    for i, (sheet, name) in enumerate(plan.sheets):
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        ids.add(rid)
        next_id += 1
        target = relative(wb, plan.parts[sheet.part or ""])
        rel_entries.append(f'<Relationship Id="{rid}" Type="{DOC_REL}/worksheet" '
                           f'Target="{escape(target)}"/>')  # fmt: skip
        entries.append(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{next_id}" '
                       f'r:id="{rid}"/>')  # fmt: skip
        names.append(f'<definedName name="{MARKER}" localSheetId="{offset + i}" hidden="1">'
                     f"{escape(MARKER_VALUE)}</definedName>")  # fmt: skip
    new_text = new.text(main_part(new))
    for n_el in _names(new_text):
        raw = n_el.raw(new_text)
        local = n_el.attrs.get("localSheetId")
        if local is not None and local.isdigit():
            raw = set_attr(raw, "localSheetId", str(offset + int(local)))
        names.append(_rename_in(raw, "definedName", renames))
    root = first(rels_text, "Relationships")
    assert root is not None
    pkg.put(rels_name(wb), _append_into(rels_text, root, "".join(rel_entries)))
    pkg.put(wb, _workbook_with(pkg.text(wb), entries, names, plan, removed, offset))


def _workbook_with(text: str, entries: list[str], names: list[str], plan: _Plan,
                   removed: _Removed, offset: int) -> str:  # fmt: skip
    """The workbook part with the new sheet entries and names (and views pointing back)."""
    root = _root(text)
    rel_prefix = next((k.split(":", 1)[1] for k, v in _attrs(root[4]).items()
                       if k.startswith("xmlns:") and v == DOC_REL), None)  # fmt: skip
    fragment = "".join(entries)
    if rel_prefix is None:
        fragment = fragment.replace(' r:id="', f' xmlns:r="{DOC_REL}" r:id="')
    elif rel_prefix != "r":
        fragment = fragment.replace(" r:id=", f" {rel_prefix}:id=")
    box = first(text, "sheets")
    assert box is not None
    text = _append_into(text, box, fragment)
    box = first(text, "definedNames")
    if box is not None:
        text = _append_into(text, box, "".join(names))
    else:
        after = [el.end for name in ("sheets", "functionGroups", "externalReferences")
                 for el in elements(text, name)[:1]]  # fmt: skip
        at = max(after)
        block = _in_ns(text, f"<definedNames>{''.join(names)}</definedNames>")
        text = text[:at] + block + text[at:]
    if removed.active:
        position = {name: offset + i for i, (_, name) in enumerate(plan.sheets)}
        edits = []
        for view in elements(text, "workbookView"):
            raw = view.raw(text)
            for attr, was in removed.active.items():
                raw = set_attr(raw, attr, str(position.get(was, 0)))
            edits.append((view.start, view.end, raw))
        text = _replace(text, edits)
    return text


# -- the whole operation ---------------------------------------------------------------------


def backup_path(book: Path, now: datetime) -> Path:
    """``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` beside the book (a free name)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = book.with_name(f"{book.stem}.backup-{stamp}{book.suffix}")
    n = 2
    while candidate.exists():
        candidate = book.with_name(f"{book.stem}.backup-{stamp}-{n}{book.suffix}")
        n += 1
    return candidate


def write_in_place(
    book: str | Path,
    scratch: str | Path,
    *,
    backup: bool = True,
    now: Callable[[], datetime] = datetime.now,
) -> Path | None:
    """Graft the scratch workbook's sheets into ``book``, atomically; return the backup path.

    The book is only replaced once the new package is complete; on any error it is left as
    it was (and no backup is made).
    """
    book, scratch = Path(book), Path(scratch)
    check_book(book)
    copy: Path | None = None
    with atomic_path(book, overwrite=True) as tmp:
        graft(book, scratch, tmp)
        if backup:
            copy = backup_path(book, now())
            try:
                shutil.copy2(book, copy)
            except OSError as exc:
                raise OutputFileError(copy, f"the backup cannot be written ({exc}); use "
                                      "--no-backup to skip it") from exc  # fmt: skip
    return copy
