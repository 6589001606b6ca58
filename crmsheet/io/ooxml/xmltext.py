"""An exact XML tag scanner, and edits that leave every untouched byte of a part as it was.

The in-place writer must change a few elements of the user's parts (a ``<sheet>`` entry, a
``count`` attribute) and keep the rest of their text exactly: namespaces, prefixes, extension
lists and whitespace included, so a second run gives the same bytes. A parser that rebuilds
the tree cannot promise that; this scanner finds elements by their tags in the text (comments,
CDATA and processing instructions masked out) and edits are spans of that text. The parts'
safety and well-formedness are checked before (:meth:`crmsheet.io.ooxml.package.Package.text`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = [
    "Element",
    "append_into",
    "attrs_of",
    "children",
    "elements",
    "first",
    "in_root_ns",
    "replace_spans",
    "root_tag",
    "set_attr",
    "unescape_xml",
]

_TAG = re.compile(
    r"""<(/?)((?:[A-Za-z_][\w.\-]*:)?)([A-Za-z_][\w.\-]*)"""
    r"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
)
_ATTR = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_HIDDEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)


@dataclass(frozen=True)
class Element:
    """One element found in a text: where it is, its attributes and its content's span."""

    start: int
    end: int
    prefix: str
    attrs: dict[str, str]
    inner: tuple[int, int]  # (start, end) of the content; empty for <x/>
    name: str = ""  # the local name (set by :func:`children`)

    def raw(self, text: str) -> str:
        """The element's exact text."""
        return text[self.start : self.end]

    def content(self, text: str) -> str:
        """The exact text between its start and end tags."""
        return text[self.inner[0] : self.inner[1]]


def attrs_of(raw: str) -> dict[str, str]:
    """The attributes written in ``raw`` (a start tag's text), unescaped."""
    return {m[1]: _unescaped(m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(raw)}


_REFERENCE = re.compile(r"&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def unescape_xml(text: str) -> str:
    """``text`` with XML's five entities and its character references (``&#83;``, ``&#x53;``)
    decoded in one pass, as an XML parser reads them: ``&#83;ummary`` is the name Summary."""
    if "&" not in text:  # most values hold no entity (a third of a graft was unescaping)
        return text
    return _REFERENCE.sub(_decoded, text)


def _decoded(m: re.Match[str]) -> str:
    if m[3] is not None:
        return _NAMED[m[3]]
    code = int(m[1], 16) if m[1] is not None else int(m[2])
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m[0]


def _unescaped(value: str) -> str:
    return unescape_xml(value)


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
                attrs = attrs_of(opened[4])
                found.append(Element(lo + opened.start(), lo + m.end(), opened[2], attrs, inner))
                opened = None
        elif selfclosing:
            if depth == 0:
                end = lo + m.end()
                found.append(Element(lo + m.start(), end, m[2], attrs_of(m[4]), (end, end)))
        else:
            if depth == 0:
                opened = m
            depth += 1
    return found


def children(text: str, span: tuple[int, int]) -> list[Element]:
    """The elements directly inside ``span`` (an element's content), in document order."""
    lo, hi = span
    found: list[Element] = []
    depth = 0
    opened: re.Match[str] | None = None
    for m in _TAG.finditer(_masked(text[lo:hi])):
        if m[1] == "/":
            depth -= 1
            if depth == 0 and opened is not None:
                inner = (lo + opened.end(), lo + m.start())
                found.append(Element(lo + opened.start(), lo + m.end(), opened[2],
                                     attrs_of(opened[4]), inner, opened[3]))  # fmt: skip
                opened = None
        elif m[5] == "/":
            if depth == 0:
                end = lo + m.end()
                found.append(Element(lo + m.start(), end, m[2], attrs_of(m[4]), (end, end), m[3]))
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
    pattern = _attr_pattern(name)
    quoted = f'"{escape(value, {chr(34): "&quot;"})}"'
    if pattern.search(head):
        head = pattern.sub(lambda m: m[1] + quoted, head, count=1)
    else:
        cut = len(head) - 1 if head.endswith("/") else len(head)
        head = f"{head[:cut]} {name}={quoted}{head[cut:]}"
    return head + tag[end:]


@functools.cache
def _attr_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"""(\s{re.escape(name)}\s*=\s*)("[^"]*"|'[^']*')""")


def replace_spans(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, new) edits to ``text``."""
    out, pos = [], 0
    for start, end, new in sorted(edits):
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def root_tag(text: str) -> re.Match[str]:
    """The root element's start tag."""
    scan = _masked(text)
    for m in _TAG.finditer(scan):
        if m[1] != "/":
            return m
    raise ValueError("no root element")


def in_root_ns(text: str, fragment: str) -> str:
    """``fragment`` (unprefixed elements) made to mean the root's namespace.

    Books written by some libraries use a prefix (``<x:workbook xmlns:x=...>``) and no
    default namespace; each inserted top-level element then declares it itself.
    """
    root = root_tag(text)
    if not root[2]:
        return fragment
    ns = attrs_of(root[4]).get(f"xmlns:{root[2][:-1]}", "")
    if attrs_of(root[4]).get("xmlns") == ns:
        return fragment
    out, depth = [], 0
    pos = 0
    for m in _TAG.finditer(fragment):
        if m[1] == "/":
            depth -= 1
            continue
        if depth == 0 and "xmlns" not in attrs_of(m[4]):
            cut = m.end() - (2 if m[5] else 1)
            out.append(fragment[pos:cut] + f' xmlns="{ns}"')
            pos = cut
        if not m[5]:
            depth += 1
    out.append(fragment[pos:])
    return "".join(out)


def append_into(text: str, el: Element, fragment: str, *, count: int | None = None) -> str:
    """Insert ``fragment`` at the end of ``el``'s content (opening ``<x/>`` if needed)."""
    raw = el.raw(text)
    if el.inner[0] == el.end:  # self-closing
        name = raw[1:].split(None, 1)[0].rstrip("/>")
        new = raw[:-2].rstrip() + ">" + in_root_ns(text, fragment) + f"</{name}>"
    else:
        new = text[el.start : el.inner[1]] + in_root_ns(text, fragment) + text[el.inner[1] : el.end]
    if count is not None:
        new = set_attr(new, "count", str(count))
    return text[: el.start] + new + text[el.end :]
