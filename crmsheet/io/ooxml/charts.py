"""Chart parts that draw the same in every book, whichever application saved the book.

xlsxwriter writes a chart as Excel 2007 did: an element left at its default is omitted and
every colour is "automatic" (chart style 2: the theme's accent colours for the series, its
text colour tinted for lines). Two things make that read right, both true of crmsheet's own
workbook and neither of every user's book that ``--in-place`` writes into:

- **The application named in docProps/app.xml.** LibreOffice reads an omitted element as
  Excel 2007 meant it only when app.xml names "Microsoft..." with AppVersion 12.x (xlsxwriter
  writes exactly that; oox ``XmlFilterBase::checkDocumentProperties``). In any other book (saved
  by LibreOffice, openpyxl, Excel 2010 or later) an omitted ``c:showCatName``,
  ``c:showSerName`` or ``c:showLegendKey`` means *shown* (labels "A; Revenue (12 months);
  32,820"), an omitted ``c:smooth`` a smoothed line, ``c:varyColors`` a colour per point,
  ``c:overlay`` a title drawn over the plot, ``c:majorTickMark`` ticks across the axis. The
  user's app.xml is theirs, and kept.
- **A theme.** Automatic colours are the book's theme colours; a book without a theme part
  (LibreOffice saves none) has no accent colours, and the bars, lines, markers and gridlines
  are drawn in nothing. A book with another theme would draw crmsheet's charts in its colours.

:func:`self_contained` writes both out in the chart XML that is grafted: each flag above with
the value Excel 2007 gives it when omitted, each automatic fill and line of the chart area,
plot area, series, markers, axes and gridlines as the RGB colour crmsheet's own theme (the
scratch workbook's) gives it, with its theme line width, and the chart's default text in the
theme's body font and text colour. The chart then draws as in the standalone workbook in
Excel and in LibreOffice, with or without a theme in the book. What is written already is
kept; only missing elements are inserted, each at its place in the schema sequence (so Excel
reads the part without repair). The chart area's own border and fill are left automatic: Excel
and LibreOffice both draw them without a theme (LibreOffice in a fixed light grey, as it draws
the standalone book's), and Excel's colour written out would draw LibreOffice's darker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .xmltext import Element, attrs_of, children, first, root_tag

__all__ = ["OFFICE_2007", "Palette", "palette_of", "self_contained"]


@dataclass(frozen=True)
class Palette:
    """The theme colours automatic chart formatting uses, as RRGGBB."""

    accents: tuple[str, str, str, str, str, str]
    text: str  # dk1 (tx1)
    background: str  # lt1 (bg1)
    font: str  # the minor (body) font's latin typeface: a chart's text


#: The Office 2007 theme xlsxwriter writes (used when the scratch book has no theme).
OFFICE_2007 = Palette(("4F81BD", "C0504D", "9BBB59", "8064A2", "4BACC6", "F79646"),
                      "000000", "FFFFFF", "Calibri")  # fmt: skip


def palette_of(theme: str | None) -> Palette:
    """The colour scheme of a theme part's text (``None``: :data:`OFFICE_2007`)."""
    if theme is None:
        return OFFICE_2007
    scheme = first(theme, "clrScheme")
    if scheme is None:
        return OFFICE_2007

    def colour(name: str, fallback: str) -> str:
        el = first(theme, name, scheme.inner)
        if el is None:
            return fallback
        for kid in children(theme, el.inner):
            value = kid.attrs.get("lastClr" if kid.name == "sysClr" else "val", "")
            if kid.name in ("srgbClr", "sysClr") and len(value) == 6:
                return value.upper()
        return fallback

    a = [colour(f"accent{i + 1}", OFFICE_2007.accents[i]) for i in range(6)]
    minor = first(theme, "minorFont")
    latin = first(theme, "latin", minor.inner) if minor is not None else None
    font = latin.attrs.get("typeface", "") if latin is not None else ""
    return Palette((a[0], a[1], a[2], a[3], a[4], a[5]), colour("dk1", OFFICE_2007.text),
                   colour("lt1", OFFICE_2007.background), font or OFFICE_2007.font)  # fmt: skip


# -- the schema sequences (ECMA-376 dml-chart.xsd): where an inserted element goes ----------

_AXIS = ("axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title",
         "numFmt", "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx",
         "crosses", "crossesAt", "crossBetween", "auto", "lblAlgn", "lblOffset", "tickLblSkip",
         "tickMarkSkip", "majorUnit", "minorUnit", "baseTimeUnit", "majorTimeUnit",
         "minorTimeUnit", "dispUnits", "noMultiLvlLbl", "extLst")  # fmt: skip
_GROUP = ("barDir", "wireframe", "scatterStyle", "radarStyle", "grouping", "varyColors", "ser",
          "dLbls", "gapWidth", "overlap", "dropLines", "hiLowLines", "upDownBars", "marker",
          "smooth", "serLines", "firstSliceAng", "holeSize", "axId", "extLst")  # fmt: skip
_SERIES = ("idx", "order", "tx", "spPr", "invertIfNegative", "pictureOptions", "marker",
           "explosion", "dPt", "dLbls", "trendline", "errBars", "cat", "val", "xVal", "yVal",
           "smooth", "shape", "bubbleSize", "bubble3D", "extLst")  # fmt: skip
SEQUENCES: dict[str, tuple[str, ...]] = {
    "chartSpace": ("date1904", "lang", "roundedCorners", "AlternateContent", "style",
                   "clrMapOvr", "pivotSource", "protection", "chart", "spPr", "txPr",
                   "externalData", "printSettings", "userShapes", "extLst"),
    "chart": ("title", "autoTitleDeleted", "pivotFmts", "view3D", "floor", "sideWall",
              "backWall", "plotArea", "legend", "plotVisOnly", "dispBlanksAs",
              "showDLblsOverMax", "extLst"),
    "title": ("tx", "layout", "overlay", "spPr", "txPr", "extLst"),
    "legend": ("legendPos", "legendEntry", "layout", "overlay", "spPr", "txPr", "extLst"),
    "plotArea": ("layout", "charts", "axes", "dTable", "spPr", "extLst"),
    "dLbls": ("dLbl", "delete", "numFmt", "spPr", "txPr", "dLblPos", "showLegendKey",
              "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize",
              "separator", "showLeaderLines", "leaderLines", "extLst"),
    "marker": ("symbol", "size", "spPr", "extLst"),
    "majorGridlines": ("spPr",),
    "minorGridlines": ("spPr",),
}  # fmt: skip
AXES = ("catAx", "valAx", "dateAx", "serAx")
#: Type groups whose series fill an area (a bar's, an area's) or draw a line.
FILLED = ("barChart", "bar3DChart", "areaChart", "area3DChart", "pieChart", "pie3DChart",
          "doughnutChart", "ofPieChart", "bubbleChart")  # fmt: skip
LINES = ("lineChart", "line3DChart", "scatterChart", "radarChart", "stockChart")
SEQUENCES.update({name: _AXIS for name in AXES})
SEQUENCES.update({name: _GROUP for name in FILLED + LINES})
SEQUENCES["ser"] = _SERIES
#: The data-label flags: all six are required by the schema; omitted, Excel 2007 showed none.
LABEL_FLAGS = ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
               "showBubbleSize")  # fmt: skip
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DML_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
#: Theme line widths (EMU): the subtle line style, and a series line (300% of it).
THIN, SERIES_LINE = 9525, 28575


def _rank(parent: str, name: str) -> int:
    order = SEQUENCES.get(parent, ())
    if parent == "plotArea" and name.endswith("Chart"):
        name = "charts"
    elif parent == "plotArea" and name in AXES:
        name = "axes"
    return order.index(name) if name in order else len(order)


@dataclass
class _Node:
    """An element rebuilt: its start tag, its children (rebuilt or inserted) and end tag."""

    name: str
    head: str
    kids: list[_Node | str]  # a str is text kept as it was (a leaf's content, whitespace)
    tail: str

    def names(self) -> list[str]:
        return [k.name for k in self.kids if isinstance(k, _Node)]

    def has(self, name: str) -> bool:
        return name in self.names()

    def val(self) -> str:
        """The ``val`` attribute of the start tag ("" when it has none)."""
        return attrs_of(self.head).get("val", "")

    def child(self, name: str) -> _Node | None:
        return next((k for k in self.kids if isinstance(k, _Node) and k.name == name), None)

    def insert(self, fragment: str, name: str) -> None:
        """Insert ``fragment`` (one ``c:`` element called ``name``) at its schema place."""
        rank = _rank(self.name, name)
        at = len(self.kids)
        for i, kid in enumerate(self.kids):
            if isinstance(kid, _Node) and _rank(self.name, kid.name) > rank:
                at = i
                break
        self.kids.insert(at, _Node(name, fragment, [], ""))

    def ensure(self, name: str, fragment: str) -> None:
        if not self.has(name):
            self.insert(fragment, name)

    def text(self) -> str:
        return self.head + "".join(k if isinstance(k, str) else k.text() for k in self.kids) + (
            self.tail)  # fmt: skip


def _tree(text: str, el: Element) -> _Node:
    kids = children(text, el.inner)
    if el.inner[0] == el.end:  # <x/>: opened, so that children can be inserted
        raw = el.raw(text)
        tag = raw[1:].split(None, 1)[0].rstrip("/>")
        return _Node(el.name, raw[:-2].rstrip() + ">", [], f"</{tag}>")
    head, tail = text[el.start : el.inner[0]], text[el.inner[1] : el.end]
    if not kids:
        return _Node(el.name, head, [el.content(text)], tail)
    out: list[_Node | str] = []
    pos = el.inner[0]
    for kid in kids:
        if kid.start > pos:
            out.append(text[pos : kid.start])
        out.append(_tree(text, kid))
        pos = kid.end
    if el.inner[1] > pos:
        out.append(text[pos : el.inner[1]])
    return _Node(el.name, head, out, tail)


def _closed(node: _Node) -> str:
    """A node's text, an element with nothing in it written ``<x/>`` again."""
    if not node.kids and node.tail:
        return node.head[:-1] + "/>"
    return node.head + "".join(k if isinstance(k, str) else _closed(k) for k in node.kids) + (
        node.tail)  # fmt: skip


# -- what is written out ---------------------------------------------------------------------


def _rgb(value: str, mods: str = "") -> str:
    return f'<a:srgbClr val="{value}">{mods}</a:srgbClr>' if mods else f'<a:srgbClr val="{value}"/>'


def _fill(value: str) -> str:
    return f"<a:solidFill>{_rgb(value)}</a:solidFill>"


#: The theme's subtle line style (Office 2007: line style 1) applied to an automatic line.
SUBTLE = '<a:shade val="95000"/><a:satMod val="105000"/>'


def _line(colour: str, width: int = THIN) -> str:
    return f'<a:ln w="{width}"><a:solidFill>{colour}</a:solidFill></a:ln>'


def _flag(name: str, on: bool = False) -> str:
    return f'<c:{name} val="{int(on)}"/>'


def _text(p: Palette) -> str:
    """The chart's default text: the theme's body font, in its text colour."""
    font = escape(p.font, {'"': "&quot;"})
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr>{_fill(p.text)}'
            f'<a:latin typeface="{font}"/></a:defRPr></a:pPr><a:endParaRPr lang="en-US"/>'
            "</a:p></c:txPr>")  # fmt: skip


def _frame_line(p: Palette) -> str:
    """The automatic line of the axes and gridlines: the text colour at tint 75%, with the
    theme's subtle line style (its width, shade 95% and saturation 105%) applied."""
    return _line(_rgb(p.text, '<a:tint val="75000"/>' + SUBTLE))


def _series(ser: _Node, group: str, p: Palette) -> None:
    idx = ser.child("idx")
    number = int(idx.val()) if idx is not None and idx.val().isdigit() else 0
    accent = p.accents[number % len(p.accents)]
    if group in LINES:
        ser.ensure("spPr", f"<c:spPr>{_line(_rgb(accent, SUBTLE), SERIES_LINE)}</c:spPr>")
        marker = ser.child("marker")
        if marker is not None:
            symbol = marker.child("symbol")
            if symbol is None or symbol.val() != "none":
                marker.ensure(
                    "spPr", f"<c:spPr>{_fill(accent)}{_line(_rgb(accent, SUBTLE))}</c:spPr>"
                )
        if group != "radarChart":
            ser.ensure("smooth", _flag("smooth"))
    elif group in FILLED:
        ser.ensure("spPr", f"<c:spPr>{_fill(accent)}<a:ln><a:noFill/></a:ln></c:spPr>")
        if group in ("barChart", "bar3DChart", "bubbleChart"):
            ser.ensure("invertIfNegative", _flag("invertIfNegative"))


def _labels(dlbls: _Node) -> None:
    if dlbls.has("delete"):
        return
    for name in LABEL_FLAGS:
        dlbls.ensure(name, _flag(name))


def _walk(node: _Node, visit: Callable[[_Node, _Node | None], None],
          parent: _Node | None = None) -> None:  # fmt: skip
    for kid in list(node.kids):
        if isinstance(kid, _Node):
            _walk(kid, visit, node)
    visit(node, parent)


def self_contained(text: str, palette: Palette = OFFICE_2007) -> str:
    """A chart part's XML with its defaults and automatic colours written out (see above)."""
    root = root_tag(text)
    declared = attrs_of(root[4])
    if root[2] != "c:" or declared.get("xmlns:c") != CHART_NS or declared.get("xmlns:a") != DML_NS:
        return text  # not written the way crmsheet's writer writes it: left as it is
    el = children(text, (root.start(), len(text)))[0]
    tree = _tree(text, el)
    frame = _frame_line(palette)

    def visit(node: _Node, parent: _Node | None) -> None:
        name = node.name
        if name == "chartSpace":
            node.ensure("roundedCorners", _flag("roundedCorners"))
            node.ensure("txPr", _text(palette))
        elif name == "chart":
            node.ensure("autoTitleDeleted", _flag("autoTitleDeleted"))
            node.ensure("dispBlanksAs", '<c:dispBlanksAs val="gap"/>')
        elif name in ("title", "legend"):
            node.ensure("overlay", _flag("overlay"))
        elif name == "plotArea":
            node.ensure("spPr", f"<c:spPr>{_fill(palette.background)}</c:spPr>")
        elif name.endswith("Chart") and parent is not None and parent.name == "plotArea":
            if name not in ("stockChart", "surfaceChart", "surface3DChart"):
                node.ensure("varyColors", _flag("varyColors"))
            for ser in (k for k in node.kids if isinstance(k, _Node) and k.name == "ser"):
                _series(ser, name, palette)
        elif name == "dLbls":
            _labels(node)
        elif name in AXES:
            node.ensure("delete", _flag("delete"))
            node.ensure("majorTickMark", '<c:majorTickMark val="out"/>')
            node.ensure("minorTickMark", '<c:minorTickMark val="none"/>')
            deleted = node.child("delete")
            if deleted is not None and deleted.val() in ("0", "false"):
                node.ensure("spPr", f"<c:spPr>{frame}</c:spPr>")
        elif name in ("majorGridlines", "minorGridlines"):
            node.ensure("spPr", f"<c:spPr>{frame}</c:spPr>")

    _walk(tree, visit)
    return text[: el.start] + _closed(tree) + text[el.end :]
