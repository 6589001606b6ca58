"""A zip package (an .xlsx) in memory: its parts, their relationships and content types.

Parts are read once and kept with their zip headers, so that :meth:`Package.save` writes
every part nobody edited with its original bytes, timestamp and compression method, in its
original order; parts added go at the end with a fixed timestamp, so the same input gives the
same bytes. Relationship targets are resolved to part names (and back) here, and a part's
reach (every part its relationships lead to) is worked out here. Each part's XML is checked
to be safe and well-formed (defusedxml: no entities, no DTDs) before it is read as text.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET

from ...errors import UnsupportedFormatError
from .xmltext import append_into, elements, first, replace_spans, set_attr

__all__ = [
    "DOC_REL",
    "Package",
    "Rel",
    "add_override",
    "closure",
    "content_types",
    "drop_overrides",
    "drop_rels",
    "free_name",
    "main_part",
    "moved_rels",
    "read_rels",
    "referenced",
    "rel_of_type",
    "relative",
    "rels_name",
    "resolve",
]

#: The officeDocument relationship namespace (relationship types and ``r:id`` attributes).
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: Timestamp of the parts added (constant, so two runs give the same bytes).
NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)
#: The way out when a book cannot be written into (the package is read for ``--in-place``).
NOT_IN_PLACE = "run without --in-place to write a separate enriched workbook"


def _stamp(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


class Package:
    """A zip package in memory: its members in order, with their zip headers.

    Every member is decompressed once, when the package is read; edits (:meth:`put`,
    :meth:`remove`) are made in memory and :meth:`save` writes the whole package.
    """

    def __init__(self, path: Path, opened: zipfile.ZipFile | None = None) -> None:
        """Read every member of the zip at ``path`` (through ``opened``, if it is open already)."""
        self.path = path
        try:
            self._stamp = _stamp(path)
            with zipfile.ZipFile(path) if opened is None else nullcontext(opened) as zf:
                self.infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
                self.data = {name: zf.read(name) for name in self.infos}
                self.comment = zf.comment
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UnsupportedFormatError(path, f"cannot be opened as a workbook ({exc})") from exc
        self.order = list(self.infos)
        self._lower = {n.lower(): n for n in self.order}

    def changed_on_disk(self) -> bool:
        """Whether the file at :attr:`path` was written since it was read (or is gone)."""
        try:
            return _stamp(self.path) != self._stamp
        except OSError:
            return True

    def has(self, name: str) -> bool:
        """Whether the part exists (part names are case-insensitive)."""
        return name.lower() in self._lower

    def name(self, name: str) -> str:
        """The member's name as stored: ``name`` itself when a member is so called (a case
        twin, ``[content_types].xml`` beside ``[Content_Types].xml``, is never the one meant)."""
        return name if name in self.infos else self._lower[name.lower()]

    def case_twins(self) -> list[tuple[str, str]]:
        """Pairs of members whose names differ only in case (one part, to OPC and to Excel)."""
        first: dict[str, str] = {}
        twins = []
        for name in self.order:
            seen = first.setdefault(name.lower(), name)
            if seen != name:
                twins.append((seen, name))
        return twins

    def text(self, name: str) -> str:
        """A part's XML as text (checked to be safe, well-formed XML first)."""
        raw = self.data[self.name(name)]
        try:
            SafeET.fromstring(raw)
        except Exception as exc:  # defusedxml's and expat's errors both mean: unusable
            raise UnsupportedFormatError(
                self.path, f"its part {name} is not well-formed or safe XML ({exc}); "
                f"open it in Excel and save it again, or {NOT_IN_PLACE}"
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
                                 f"{NOT_IN_PLACE}")  # fmt: skip


def rel_of_type(pkg: Package, part: str, kind: str) -> Rel | None:
    """The first relationship of ``part`` of the officeDocument type ``kind`` (``styles``...)."""
    return next((r for r in read_rels(pkg, part) if r.type == f"{DOC_REL}/{kind}"), None)


def closure(pkg: Package, roots: Iterable[str]) -> list[str]:
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


def referenced(pkg: Package, sources: Iterable[str], skip_rel_ids: set[str], wb: str) -> set[str]:
    """Lower-cased part names referred to by the relationships of ``sources``."""
    out = set()
    for part in sources:
        for r in read_rels(pkg, part):
            if r.target is not None and not (part == wb and r.id in skip_rel_ids):
                out.add(r.target.lower())
    return out


def drop_overrides(pkg: Package, parts: Iterable[str]) -> None:
    """Remove the content-type overrides of ``parts``."""
    text = pkg.text("[Content_Types].xml")
    names = {"/" + p.lower() for p in parts}
    edits = [(el.start, el.end, "") for el in elements(text, "Override")
             if el.attrs.get("PartName", "").lower() in names]  # fmt: skip
    if edits:
        pkg.put("[Content_Types].xml", replace_spans(text, edits))


def drop_rels(pkg: Package, part: str, ids: set[str]) -> None:
    """Remove the relationships ``ids`` of ``part``."""
    name = rels_name(part)
    text = pkg.text(name)
    edits = [(el.start, el.end, "") for el in elements(text, "Relationship")
             if el.attrs.get("Id") in ids]  # fmt: skip
    pkg.put(name, replace_spans(text, edits))


def content_types(pkg: Package) -> dict[str, str]:
    """Lower-cased part name -> content type (overrides, else the extension's default)."""
    text = pkg.text("[Content_Types].xml")
    defaults = {el.attrs.get("Extension", "").lower(): el.attrs.get("ContentType", "")
                for el in elements(text, "Default")}  # fmt: skip
    out = {p.lower(): defaults.get(posixpath.splitext(p)[1][1:].lower(), "") for p in pkg.order}
    for el in elements(text, "Override"):
        out[el.attrs.get("PartName", "").lstrip("/").lower()] = el.attrs.get("ContentType", "")
    return out


def add_override(pkg: Package, part: str, kind: str) -> None:
    """Declare the content type of a new part (``.rels`` parts have a default already)."""
    text = pkg.text("[Content_Types].xml")
    defaults = {el.attrs.get("Extension", "").lower() for el in elements(text, "Default")}
    if part.endswith(".rels") and "rels" in defaults:
        return
    root = first(text, "Types")
    assert root is not None
    entry = f'<Override PartName="/{escape(part)}" ContentType="{escape(kind)}"/>'
    pkg.put("[Content_Types].xml", append_into(text, root, entry))


def free_name(taken: set[str], part: str) -> str:
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


def moved_rels(new: Package, old: str, part: str, parts: Mapping[str, str]) -> str:
    """The relationships of ``new``'s part ``old`` for its copy ``part`` of another package.

    ``parts`` maps each moved part of ``new`` to its name in that package; targets among
    them are rewritten, every other relationship is kept as written.
    """
    text = new.text(rels_name(old))
    edits = []
    for el in elements(text, "Relationship"):
        if el.attrs.get("TargetMode") == "External":
            continue
        target = parts.get(resolve(old, el.attrs.get("Target", "")))
        if target is not None:
            fixed = set_attr(el.raw(text), "Target", relative(part, target))
            edits.append((el.start, el.end, fixed))
    return replace_spans(text, edits)
