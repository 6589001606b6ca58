"""The workbook part of a package: its sheets, its defined names, and edits to both.

A sheet is found through its ``<sheet>`` entry (tab order, name, ``sheetId``, relationship);
sheet-scoped names and the book views refer to sheets by *position* (``localSheetId``,
``activeTab``, ``firstSheet``), so removing entries shifts every later position, and new
entries are appended so that no existing position changes. Formulas refer to sheets by name
(``'Summary (crmsheet)'!A1``): :func:`rename_refs` rewrites those when a sheet has to take
another name. The calculation chain lists cells by ``sheetId``: one that lists a removed
sheet is dropped (Excel rebuilds it; a stale one makes it offer a repair).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .package import (
    DOC_REL,
    Package,
    drop_overrides,
    drop_rels,
    read_rels,
    rel_of_type,
    relative,
    rels_name,
)
from .xmltext import (
    Element,
    append_into,
    attrs_of,
    elements,
    first,
    in_root_ns,
    replace_spans,
    root_tag,
    set_attr,
    unescape_xml,
)

__all__ = [
    "Sheet",
    "add_sheets",
    "defined_names",
    "drop_stale_calc_chain",
    "read_sheets",
    "remove_sheets",
    "rename_in",
    "rename_refs",
    "sheets_named",
]


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


def defined_names(text: str) -> list[Element]:
    """The ``<definedName>`` elements of a workbook part's text."""
    box = first(text, "definedNames")
    return elements(text, "definedName", box.inner) if box is not None else []


def sheets_named(pkg: Package, wb: str, name: str) -> list[Sheet]:
    """The sheets that carry a sheet-scoped defined name called ``name``."""
    text = pkg.text(wb)
    positions = {
        int(n.attrs["localSheetId"])
        for n in defined_names(text)
        if n.attrs.get("name") == name and n.attrs.get("localSheetId", "").isdigit()
    }
    return [s for s in read_sheets(pkg, wb) if s.position in positions]


# -- removing sheets -------------------------------------------------------------------------


def _shift(old: int, removed: list[int]) -> int:
    return old - sum(1 for r in removed if r < old)


def remove_sheets(pkg: Package, wb: str, marked: list[Sheet]) -> dict[str, str]:
    """Drop the ``<sheet>`` entries of ``marked`` and their names; shift later positions.

    Returns the book-view attributes (``activeTab``, ``firstSheet``) that pointed at a
    removed sheet, with that sheet's name (they are set to 0 meanwhile).
    """
    text = pkg.text(wb)
    removed = [s.position for s in marked]
    box = first(text, "sheets")
    assert box is not None
    edits = [(el.start, el.end, "") for i, el in enumerate(elements(text, "sheet", box.inner))
             if i in removed]  # fmt: skip
    for n in defined_names(text):
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
    text = replace_spans(text, edits)
    box = first(text, "definedNames")
    if box is not None and not elements(text, "definedName", box.inner):
        text = text[: box.start] + text[box.end :]
    pkg.put(wb, text)
    return active


def drop_stale_calc_chain(pkg: Package, wb: str, sheet_ids: set[int]) -> None:
    """Drop calcChain.xml if it lists a cell of a removed sheet (Excel rebuilds it)."""
    rel = rel_of_type(pkg, wb, "calcChain")
    if rel is None or rel.target is None or not pkg.has(rel.target):
        return
    current, stale = 0, False
    for m in re.finditer(r"<(?:\w+:)?c\b([^>]*)/?>", pkg.text(rel.target)):
        found = re.search(r'\bi="(\d+)"', m[1])
        current = int(found[1]) if found else current
        stale = stale or current in sheet_ids
    if stale:
        pkg.remove(rel.target)
        drop_overrides(pkg, [rel.target])
        drop_rels(pkg, wb, {rel.id})


# -- adding sheets ---------------------------------------------------------------------------


def add_sheets(pkg: Package, wb: str, sheets: Sequence[tuple[str, str]], names: Sequence[str],
               views: Mapping[str, int]) -> None:  # fmt: skip
    """Append a ``<sheet>`` entry and a relationship per (name, part), then ``names``.

    New entries take the first free ``rIdN`` and the next ``sheetId``; ``names`` are
    ``<definedName>`` elements (appended to the book's); ``views`` sets book-view attributes
    (``activeTab``...) to positions.
    """
    rels_text = pkg.text(rels_name(wb))
    ids = {r.id for r in read_rels(pkg, wb)}
    next_id = max([s.sheet_id for s in read_sheets(pkg, wb)] or [0])
    entries, rel_entries = [], []
    for name, part in sheets:
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        ids.add(rid)
        next_id += 1
        target = relative(wb, part)
        rel_entries.append(f'<Relationship Id="{rid}" Type="{DOC_REL}/worksheet" '
                           f'Target="{escape(target)}"/>')  # fmt: skip
        entries.append(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{next_id}" '
                       f'r:id="{rid}"/>')  # fmt: skip
    root = first(rels_text, "Relationships")
    assert root is not None
    pkg.put(rels_name(wb), append_into(rels_text, root, "".join(rel_entries)))
    pkg.put(wb, _workbook_with(pkg.text(wb), entries, names, views))


def _workbook_with(text: str, entries: list[str], names: Sequence[str],
                   views: Mapping[str, int]) -> str:  # fmt: skip
    """The workbook part with the new sheet entries and names (and views pointing back)."""
    root = root_tag(text)
    rel_prefix = next((k.split(":", 1)[1] for k, v in attrs_of(root[4]).items()
                       if k.startswith("xmlns:") and v == DOC_REL), None)  # fmt: skip
    fragment = "".join(entries)
    if rel_prefix is None:
        fragment = fragment.replace(' r:id="', f' xmlns:r="{DOC_REL}" r:id="')
    elif rel_prefix != "r":
        fragment = fragment.replace(" r:id=", f" {rel_prefix}:id=")
    box = first(text, "sheets")
    assert box is not None
    text = append_into(text, box, fragment)
    box = first(text, "definedNames")
    if box is not None:
        text = append_into(text, box, "".join(names))
    else:
        after = [el.end for name in ("sheets", "functionGroups", "externalReferences")
                 for el in elements(text, name)[:1]]  # fmt: skip
        at = max(after)
        block = in_root_ns(text, f"<definedNames>{''.join(names)}</definedNames>")
        text = text[:at] + block + text[at:]
    if views:
        edits = []
        for view in elements(text, "workbookView"):
            raw = view.raw(text)
            for attr, position in views.items():
                raw = set_attr(raw, attr, str(position))
            edits.append((view.start, view.end, raw))
        text = replace_spans(text, edits)
    return text


# -- sheet references in formulas ------------------------------------------------------------

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


def rename_in(text: str, local: str, renames: Mapping[str, str]) -> str:
    """Rename sheet references in the text of every ``local`` element."""
    if not renames:
        return text
    edits = []
    for el in elements(text, local):
        content = el.content(text)
        new = escape(rename_refs(unescape_xml(content), renames))
        if new != content:
            edits.append((el.inner[0], el.inner[1], new))
    return replace_spans(text, edits)
