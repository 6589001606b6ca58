"""Styles of one workbook merged into another's styles.xml, so that no existing index changes.

The scratch file's number formats, fonts, fills, borders, cell formats and conditional (dxf)
formats are *appended* to the book's; an entry identical to one already there is reused
instead (this is what makes a second run give the same package: styles appended by an
earlier run are found and reused, never appended twice). Index 0 of fonts, fills, borders and
cell formats maps to the book's own index 0, so crmsheet's sheets take the book's default
font. The :class:`StyleMap` says where each scratch index went, for the cells, rows,
columns and conditional formats of the sheets that move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...errors import UnsupportedFormatError
from .package import Package, main_part, rel_of_type
from .xmltext import (
    append_into,
    attrs_of,
    elements,
    first,
    in_root_ns,
    root_tag,
    set_attr,
)

__all__ = ["StyleMap", "merge_styles", "styles_part"]

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
        raw = in_root_ns(book, raw)  # as it would read in the book (a prefixed one declares it)
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
            value = attrs_of(raw[: raw.index(">")]).get(attr)
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
        a = attrs_of(raw)
        have.setdefault(a.get("formatCode", ""), int(a.get("numFmtId", "0")))
    top = max([163, *have.values()])
    out: dict[int, int] = {}
    for raw in _children(scratch, "numFmts"):
        a = attrs_of(raw)
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
        return append_into(text, box, "".join(children), count=count)
    later = STYLE_ORDER[STYLE_ORDER.index(collection) + 1 :]
    starts = [el.start for name in later for el in elements(text, name)[:1]]
    root = root_tag(text)
    at = min(starts) if starts else text.rindex("</")
    if collection == "numFmts":
        at = root.end()
    new = f'<{collection} count="{len(children)}">{"".join(children)}</{collection}>'
    return text[:at] + in_root_ns(text, new) + text[at:]


def styles_part(pkg: Package) -> str:
    """The name of the workbook's styles part."""
    rel = rel_of_type(pkg, main_part(pkg), "styles")
    if rel is None or rel.target is None or not pkg.has(rel.target):
        raise UnsupportedFormatError(pkg.path, "has no styles part")
    return pkg.name(rel.target)
