"""Write crmsheet's sheets into the user's own workbook, leaving every other part as it was.

``crmsheet enrich BOOK.xlsx --in-place`` (issue 8). openpyxl cannot be used for this: a load
and save drops shapes, extLst extensions, comment formatting, macros and cached formula
results. This module works on the zip *package* instead (:mod:`crmsheet.io.ooxml`):

1. :func:`check_book` refuses a book crmsheet cannot write into and reads its package, once.
2. The standalone enriched workbook is built with the ordinary writer into a scratch file.
3. :func:`write_in_place` removes the sheets an earlier run added (:func:`strip_previous`),
   then grafts the scratch file's sheets and everything they reference (tables, drawings,
   charts, any media) into the package under fresh part names (``sheetN``, ``tableN``,
   ``drawingN``, ``chartN``: the first free number), with every relationship target
   rewritten, and replaces the book atomically.

Every part of BOOK is copied byte for byte except four, which get small textual edits (the
rest of their text, namespaces, extensions and whitespace included, is kept exactly):
``[Content_Types].xml`` (an ``Override`` per grafted part), the workbook part (a ``<sheet>``
entry per grafted sheet, appended so that the positions ``localSheetId`` and ``activeTab``
refer to stay valid, hidden marker names and the writer's defined names), the workbook's
``.rels`` (one relationship per grafted sheet) and ``styles.xml`` (appended styles:
:mod:`crmsheet.io.ooxml.styles`). The grafted charts are made self-contained
(:mod:`crmsheet.io.ooxml.charts`): the book's theme (LibreOffice saves none) and the
application its docProps/app.xml names decide how a chart's omitted elements and automatic
colours read, so crmsheet's charts say every one of them. ``calcChain.xml`` is dropped only
when it lists cells of a sheet being replaced.

Decisions:

- Strings: grafted ``t="s"`` cells become inline strings (``t="inlineStr"``, the shared
  string's ``<si>`` content copied into ``<is>``: the same content model). The book's
  sharedStrings part stays untouched, so no existing string index can shift. Excel,
  LibreOffice, openpyxl and calamine all read inline strings; Excel turns them into shared
  strings the next time the user saves.
- Marker: each grafted sheet gets a hidden, sheet-scoped defined name ``_crmsheet`` whose
  value records the name crmsheet gave the sheet (``"crmsheet:Summary"``). Sheet scope
  follows the sheet when the user moves or re-saves it in Excel; a later run replaces a
  marked sheet only while it still has the recorded name. A user's copy of a crmsheet sheet
  (Excel copies sheet-scoped names with it: "Summary (2)"), or one the user renamed, is the
  user's from then on and never deleted; neither is a user's sheet that merely has the same
  name (it carries no marker). Sheets marked by an earlier version (value ``"crmsheet"``, no
  name) are replaced only under a name crmsheet writes ("Summary", "Summary (crmsheet)"...).
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
- Read once: the package :func:`check_book` read is the one grafted into (``enrich`` keeps
  it while it reads and analyses the book). If the file changed on disk meanwhile (size,
  mtime, inode or the SHA-256 of its bytes, checked right before the replace), the run is
  refused and nothing is written (:mod:`crmsheet.io.inplace`), so another program's save is
  never overwritten. A lock file beside the book keeps a second crmsheet run out.
- A symlink is written through: the link's target is the book replaced (the link stays a
  link) and the backup goes beside the target, named after it.
- The write is atomic (:func:`~crmsheet.io.atomic.atomic_path`); a copy of the original,
  ``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` (or ``.xlsm``), is made first, from the bytes that
  were read and atomically, unless asked not to; it is removed again if the run fails.
"""

from __future__ import annotations

import contextlib
import html
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import EncryptedFileError, OutputFileError, UnsupportedFormatError
from .atomic import atomic_path, write_target
from .inplace import (
    BUSY,
    BookState,
    backup_path,
    book_lock,
    read_state,
    refuse_if_changed,
    write_backup,
)
from .markers import SHEET_MARKER, marked_name, sheet_marker_value
from .ooxml.charts import Palette, palette_of, self_contained
from .ooxml.package import (
    NOT_IN_PLACE,
    Package,
    add_override,
    closure,
    content_types,
    drop_overrides,
    drop_rels,
    free_name,
    main_part,
    moved_rels,
    read_rels,
    referenced,
    rel_of_type,
    rels_name,
)
from .ooxml.styles import StyleMap, merge_styles, styles_part
from .ooxml.workbook import (
    Sheet,
    add_sheets,
    defined_names,
    drop_stale_calc_chain,
    read_sheets,
    remove_sheets,
    rename_in,
    sheets_named,
)
from .ooxml.xmltext import attrs_of, elements, first, root_tag, set_attr
from .sniff import IN_PLACE_SUFFIXES, check_zip_limits, open_workbook

__all__ = [
    "MARKER",
    "HostBook",
    "backup_path",
    "check_book",
    "crmsheet_sheets",
    "graft",
    "strip_previous",
    "write_in_place",
]

#: The hidden sheet-scoped defined name that marks a sheet crmsheet added.
MARKER = SHEET_MARKER

STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
SIGNATURE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature"


# -- checks ----------------------------------------------------------------------------------


class HostBook(Package):
    """The user's book read for ``--in-place``, with the bytes and identity it was read from."""

    original: BookState


def check_book(path: str | Path) -> HostBook:
    """Refuse, with a message saying what to do, a file crmsheet cannot write into.

    Returns the book's package, read once (the zip the checks opened is the one read), for
    :func:`write_in_place`. A symlink is followed: the package is its target's.
    """
    path = write_target(path)
    if path.suffix.lower() not in IN_PLACE_SUFFIXES:
        kind = path.suffix or "a file without an extension"
        raise UnsupportedFormatError(
            path, f"--in-place writes into an Excel workbook (.xlsx or .xlsm), not {kind}; "
            f"{NOT_IN_PLACE}, or save the data as .xlsx first"
        )  # fmt: skip
    # missing, empty, encrypted (an OLE container), not a zip, bombs
    with open_workbook(path) as (kind, zf):
        if kind != "ooxml":
            inside = {"xls": "a legacy .xls workbook", "xlsb": "a binary .xlsb workbook",
                      "ods": "an OpenDocument spreadsheet"}.get(kind, kind)  # fmt: skip
            raise UnsupportedFormatError(
                path, f"is {inside} under another name; open it in Excel and save it as an "
                f"Excel Workbook (.xlsx), or {NOT_IN_PLACE}"
            )  # fmt: skip
        try:
            pkg = HostBook(path, zf)
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise EncryptedFileError(
                path, f"a part of it is encrypted ({exc}); remove the password in Excel and "
                f"save a copy, or {NOT_IN_PLACE}"
            ) from exc  # fmt: skip
    pkg.original = read_state(path)
    if pkg.changed_on_disk():  # written to between the package read and the bytes read
        raise OutputFileError(path, BUSY)
    _check_package(pkg)
    return pkg


def _check_package(pkg: Package) -> None:
    """Refuse signed, Strict Open XML, ambiguous (case twins) and protected packages."""
    twins = pkg.case_twins()
    if twins:
        one, other = twins[0]
        raise UnsupportedFormatError(
            pkg.path, f"holds two parts whose names differ only in case ({one} and {other}); "
            "programs disagree on which one counts, so crmsheet does not write into it; open "
            f"it in Excel and save it again, or {NOT_IN_PLACE}"
        )  # fmt: skip
    names = {n.lower() for n in pkg.order}
    signed_vba = any(posixpath.basename(n).startswith("vbaprojectsignature") for n in names)
    signed = any(n.startswith("_xmlsignatures/") for n in names) or any(
        r.type == SIGNATURE_REL for r in read_rels(pkg, ""))  # fmt: skip
    if signed_vba or signed:
        what = "its macros are digitally signed" if signed_vba else "it is digitally signed"
        raise UnsupportedFormatError(
            pkg.path, f"{what}, and any change would break the signature; {NOT_IN_PLACE}"
        )
    wb = main_part(pkg)
    text = pkg.text(wb)
    if STRICT_NS in text[: root_tag(text).end()]:
        raise UnsupportedFormatError(
            pkg.path, "is saved as Strict Open XML; save it in Excel as an ordinary "
            f"Excel Workbook (.xlsx), or {NOT_IN_PLACE}"
        )  # fmt: skip
    lock = first(text, "workbookProtection")
    # xsd:boolean: surrounding whitespace is allowed (" 1" and "true " lock the structure)
    if lock is not None and lock.attrs.get("lockStructure", "").strip() in ("1", "true"):
        raise UnsupportedFormatError(
            pkg.path, "its structure is protected (Review > Protect Workbook), so no sheet may "
            f"be added; unprotect it in Excel, or {NOT_IN_PLACE}"
        )  # fmt: skip
    if rel_of_type(pkg, wb, "styles") is None:
        raise UnsupportedFormatError(
            pkg.path, f"has no styles part; open it in Excel and save it again, or {NOT_IN_PLACE}"
        )


# -- an earlier run's sheets -----------------------------------------------------------------


def crmsheet_sheets(path: str | Path | Package) -> list[str]:
    """Names of the sheets an earlier ``--in-place`` run added to the workbook at ``path``
    (or in a package already read)."""
    pkg = path if isinstance(path, Package) else Package(Path(path))
    return [s.name for s in _marked_sheets(pkg, main_part(pkg))]


def _marked_sheets(pkg: Package, wb: str, legacy: Collection[str] | None = None) -> list[Sheet]:
    """The sheets crmsheet wrote: marked, and still under the name their marker records.

    A marker without a name (an earlier version's) counts when the sheet has one of the
    ``legacy`` names (any name when ``legacy`` is None).
    """
    text = pkg.text(wb)
    recorded: dict[int, str | None] = {}
    for el in defined_names(text):
        local = el.attrs.get("localSheetId", "")
        if el.attrs.get("name") == MARKER and local.isdigit():
            recorded[int(local)] = marked_name(html.unescape(el.content(text)))
    out = []
    for sheet in sheets_named(pkg, wb, MARKER):
        name = recorded.get(sheet.position)
        if name == sheet.name or (name is None and (legacy is None or sheet.name in legacy)):
            out.append(sheet)
    return out


@dataclass
class _Removed:
    """What stripping an earlier run changed: positions of the removed sheets, and names."""

    positions: list[int]
    names: list[str]
    active: dict[str, str]  # bookViews attribute -> name of the removed sheet it pointed to


def strip_previous(pkg: Package, legacy: Collection[str] | None = None) -> _Removed:
    """Remove the sheets an earlier run added, with their parts, entries and names.

    Only sheets still under the name crmsheet gave them (:func:`_marked_sheets`).
    """
    wb = main_part(pkg)
    marked = _marked_sheets(pkg, wb, legacy)
    if not marked:
        return _Removed([], [], {})
    rel_ids = {s.rel_id for s in marked}
    doomed = closure(pkg, [s.part for s in marked if s.part])
    others = [p for p in pkg.order if not p.endswith(".rels") and p not in doomed]
    keep = referenced(pkg, others, rel_ids, wb)
    gone = [p for p in doomed if p.lower() not in keep]
    for part in gone:
        for name in (part, rels_name(part)):
            if pkg.has(name):
                pkg.remove(name)
    drop_overrides(pkg, gone)
    drop_rels(pkg, wb, rel_ids)
    positions = [s.position for s in marked]
    active = remove_sheets(pkg, wb, marked)
    drop_stale_calc_chain(pkg, wb, {s.sheet_id for s in marked})
    return _Removed(positions, [s.name for s in marked], active)


# -- where the scratch parts go -------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Where each scratch part goes in the book, and the names it gets."""

    parts: dict[str, str]  # scratch part -> book part
    sheets: list[tuple[Sheet, str]]  # scratch sheet, its name in the book
    tables: dict[str, tuple[int, str]]  # scratch table part -> (id, name)


def _candidates(wanted: str) -> list[str]:
    """The names crmsheet may give its sheet ``wanted``, in order of preference."""
    names = [wanted, f"{wanted} (crmsheet)"]
    return [n[:31] for n in names + [f"{wanted} (crmsheet {n})" for n in range(2, 100)]]


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted (crmsheet)`` when the book already has a sheet so called."""
    for name in _candidates(wanted):
        if name[:31].casefold() not in taken:
            taken.add(name[:31].casefold())
            return name[:31]
    raise OutputFileError(Path(wanted), "no free sheet name")  # pragma: no cover


def _book_tables(pkg: Package) -> tuple[int, set[str]]:
    """The highest table id in the book and every table and defined name (casefolded)."""
    top, names = 0, set[str]()
    for part in pkg.order:
        if part.lower().startswith("xl/tables/") and part.lower().endswith(".xml"):
            root = root_tag(pkg.text(part))
            a = attrs_of(root[4])
            top = max(top, int(a.get("id", "0") or 0))
            names.update(a.get(k, "").casefold() for k in ("name", "displayName"))
    for n in defined_names(pkg.text(main_part(pkg))):
        names.add(n.attrs.get("name", "").casefold())
    return top, names


def _plan(pkg: Package, new: Package) -> _Plan:
    wb, new_wb = main_part(pkg), main_part(new)
    taken_sheets = {s.name.casefold() for s in read_sheets(pkg, wb)}
    sheets = [(s, _sheet_name(s.name, taken_sheets)) for s in read_sheets(new, new_wb)]
    taken = {n.lower() for n in pkg.order}
    parts: dict[str, str] = {}
    for sheet, _ in sheets:
        for part in closure(new, [sheet.part] if sheet.part else []):
            if part not in parts:
                parts[part] = free_name(taken, part)
    top, names = _book_tables(pkg)
    tables: dict[str, tuple[int, str]] = {}
    for part in parts:
        if part.startswith("xl/tables/"):
            wanted = attrs_of(root_tag(new.text(part))[4]).get("name", "Table")
            name = wanted
            n = 1
            while name.casefold() in names:
                name = f"{wanted}_crmsheet" + (f"{n}" if n > 1 else "")
                n += 1
            names.add(name.casefold())
            top += 1
            tables[part] = (top, name)
    return _Plan(parts, sheets, tables)


# -- grafting --------------------------------------------------------------------------------


def graft(pkg: Package, scratch: Path, dest: Path) -> list[str]:
    """Write the book's package (checked) with the scratch workbook's sheets grafted in to ``dest``.

    ``pkg`` is edited in memory. Returns the names crmsheet's sheets got in the book.
    """
    new = Package(scratch)
    legacy = {n for s in read_sheets(new, main_part(new)) for n in _candidates(s.name)}
    removed = strip_previous(pkg, legacy)
    plan = _plan(pkg, new)
    book_styles = styles_part(pkg)
    merged, style_map = merge_styles(pkg.text(book_styles), new.text(styles_part(new)))
    pkg.put(book_styles, merged)
    strings = _shared_strings(new)
    renames = {s.name: name for s, name in plan.sheets if s.name != name}
    kinds = content_types(new)
    palette = _palette(new)
    for old, part in plan.parts.items():
        body = new.data[new.name(old)]
        kind = kinds.get(old.lower(), "")
        if kind.endswith("worksheet+xml"):
            body = _graft_sheet(body.decode("utf-8"), strings, style_map).encode("utf-8")
        elif kind.endswith("table+xml"):
            body = _graft_table(body.decode("utf-8"), plan.tables[old], style_map)
        elif kind.endswith("chart+xml"):
            chart = self_contained(body.decode("utf-8"), palette)
            body = rename_in(chart, "f", renames).encode("utf-8")
        pkg.put(part, body)
        if new.has(rels_name(old)):
            pkg.put(rels_name(part), moved_rels(new, old, part, plan.parts))
        add_override(pkg, part, kind)
    _add_sheets(pkg, new, plan, renames, removed)
    _check_limits(pkg, dest)
    pkg.save(dest)
    with zipfile.ZipFile(dest) as written:  # the ratio needs the compressed sizes
        _check_limits(pkg, dest, written.infolist())
    return [name for _, name in plan.sheets]


def _check_limits(pkg: Package, dest: Path, written: list[zipfile.ZipInfo] | None = None) -> None:
    """Refuse to write a book crmsheet's own reader would refuse (:func:`.sniff.check_zip_limits`):
    before writing from the parts in memory, after it from the zip's directory."""
    infos = written
    if infos is None:
        infos = []
        for name in pkg.order:
            info = zipfile.ZipInfo(name)
            info.file_size = info.compress_size = len(pkg.data[name])  # no ratio before writing
            infos.append(info)
    try:
        check_zip_limits(dest, infos)
    except UnsupportedFormatError as exc:
        raise UnsupportedFormatError(
            pkg.path, f"with crmsheet's sheets added the book would be refused when read again "
            f"({exc.message}); {NOT_IN_PLACE}"
        ) from exc  # fmt: skip


def _palette(pkg: Package) -> Palette:
    """The colours of the scratch workbook's theme: those its charts were drawn in."""
    rel = rel_of_type(pkg, main_part(pkg), "theme")
    theme = pkg.text(rel.target) if rel is not None and rel.target and pkg.has(rel.target) else None
    return palette_of(theme)


def _shared_strings(pkg: Package) -> list[str]:
    """The content of each ``<si>`` of the scratch file (as XML text)."""
    rel = rel_of_type(pkg, main_part(pkg), "sharedStrings")
    if rel is None or rel.target is None:
        return []
    text = pkg.text(rel.target)
    return [el.content(text) for el in elements(text, "si")]


_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)


def _graft_sheet(text: str, strings: list[str], styles: StyleMap) -> str:
    """A scratch worksheet with inline strings, the book's style indices, not selected."""

    def cell(m: re.Match[str]) -> str:
        head, body = m[1], m[3]
        a = attrs_of(head)
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
    root = root_tag(text)
    tag = root[0]
    for attr, value in (("id", str(ident[0])), ("name", ident[1]), ("displayName", ident[1])):
        tag = set_attr(tag, attr, value)
    text = text[: root.start()] + tag + text[root.end() :]
    text = re.sub(r'(\s\w*[dD]xfId=")(\d+)"', lambda m: f'{m[1]}{styles.dxf.get(int(m[2]), 0)}"',
                  text)  # fmt: skip
    return text.encode("utf-8")


def _add_sheets(pkg: Package, new: Package, plan: _Plan, renames: Mapping[str, str],
                removed: _Removed) -> None:  # fmt: skip
    """Append the ``<sheet>`` entries, their relationships, markers and names."""
    wb = main_part(pkg)
    offset = len(read_sheets(pkg, wb))
    names = [f'<definedName name="{MARKER}" localSheetId="{offset + i}" hidden="1">'
             f"{escape(sheet_marker_value(name))}</definedName>"
             for i, (_, name) in enumerate(plan.sheets)]  # fmt: skip
    new_text = new.text(main_part(new))
    for n_el in defined_names(new_text):
        raw = n_el.raw(new_text)
        local = n_el.attrs.get("localSheetId")
        if local is not None and local.isdigit():
            raw = set_attr(raw, "localSheetId", str(offset + int(local)))
        names.append(rename_in(raw, "definedName", renames))
    position = {name: offset + i for i, (_, name) in enumerate(plan.sheets)}
    views = {attr: position.get(was, 0) for attr, was in removed.active.items()}
    sheets = [(name, plan.parts[sheet.part or ""]) for sheet, name in plan.sheets]
    add_sheets(pkg, wb, sheets, names, views)


# -- the whole operation ---------------------------------------------------------------------


def write_in_place(
    book: Package | str | Path,
    scratch: str | Path,
    *,
    backup: bool = True,
    now: Callable[[], datetime] = datetime.now,
) -> Path | None:
    """Graft the scratch workbook's sheets into ``book``, atomically; return the backup path.

    ``book`` is the package :func:`check_book` returned (edited here: use it once), or a
    path, then checked here. The book is only replaced once the new package is complete and
    the book on disk is still the one read; on any error it is left as it was (and no backup
    is kept). The book's lock (:func:`~crmsheet.io.inplace.book_lock`) is held meanwhile.
    """
    with book_lock(book.path if isinstance(book, Package) else book):
        pkg = book if isinstance(book, HostBook) else check_book(
            book.path if isinstance(book, Package) else book)  # fmt: skip
        state, scratch = pkg.original, Path(scratch)
        refuse_if_changed(state)
        copy = write_backup(state, now()) if backup else None
        try:
            with atomic_path(state.path, before_replace=lambda: refuse_if_changed(state)) as tmp:
                graft(pkg, scratch, tmp)
        except BaseException:
            if copy is not None:
                with contextlib.suppress(OSError):
                    copy.unlink()
            raise
    return copy
