"""The Summary sheet: the headline figures, what to do first, and native Excel charts.

The first sheet a reader sees, laid out to print as one landscape page. Its charts are real
Excel charts (revenue by rating, return on marketing by source, the Pareto of parent groups),
fed from small tables written on the Summary itself, right of them. :func:`write_summary` is
the ``summary`` callback of :func:`~crmsheet.workbook.write_workbook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..analysis import Analysis
from ..analysis.headline import change_lines, summary_figures
from ..io.styles import INTEGER, PERCENT, PERCENT_ROUND, kind_format, money_format
from ..io.tables import page_footer
from .sheets import book_currency

__all__ = ["write_summary"]

#: Characters of a sentence the merged cells B:K hold a line (B is 34 wide, C:K about 8).
_TEXT_WIDTH = 95


def write_summary(book: Any, ws: Any, ctx: Mapping[str, Any], analysis: Analysis) -> None:
    """Draw the Summary of ``analysis`` on ``ws`` (``ctx["styles"]`` makes the cell formats)."""
    style = ctx["styles"]
    ws.set_landscape()
    ws.fit_to_pages(1, 1)  # the Summary prints (and renders to PDF) as one page
    page_footer(ws, "Summary", f"as of {analysis.as_of.isoformat()}")
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 50)
    ws.set_column(1, 1, 34)
    ws.write_string(0, 0, "crmsheet summary", style(bold=True, font_size=16))
    ws.write_string(1, 0, f"as of {analysis.as_of.isoformat()}", style(italic=True))
    currency = book_currency(analysis)
    row = 3
    for label, value, kind in summary_figures(analysis.headline):
        ws.write_string(row, 0, label, style(bold=True, valign="top"))
        if value is None:
            ws.write_string(row, 1, "unknown", style(align="right"))
        elif isinstance(value, str) and len(value) > _TEXT_WIDTH:  # a sentence: wrapped
            ws.merge_range(row, 1, row, 10, value, style(text_wrap=True, valign="top"))
            ws.set_row(row, 15.0 * -(-len(value) // _TEXT_WIDTH))
        elif isinstance(value, str):  # a word beside the numbers: aligned with them
            ws.write_string(row, 1, value, style(align="right"))
        else:
            number_format = kind_format(kind, currency)
            if kind == "money":
                number_format = money_format(currency, decimals=0)
            ws.write_number(row, 1, float(value), style(num_format=number_format, align="right"))
        row += 1
    base = analysis.settings.base_currency
    if base:
        ws.write_string(row, 0, "Base currency", style(bold=True, valign="top"))
        ws.write_string(row, 1, base, style(align="right"))
        row += 1
        rates = analysis.settings.rates
        if rates:
            said = ", ".join(f"{code} at {rate:g}" for code, rate in sorted(rates.items()))
            ws.write_string(row, 0, f"Other currencies converted to {base}: {said}.",
                            style(italic=True))  # fmt: skip
            row += 1
    if analysis.headline.concentration_reading:
        reading = f"Concentration: {analysis.headline.concentration_reading}."
        ws.write_string(row, 0, reading, style(italic=True))
        row += 1
    lines = change_lines(analysis.changes)
    if lines and analysis.changes.since is not None:  # one line per kind of change
        row += 1
        ws.write_string(row, 0, f"Since {analysis.changes.since.isoformat()} (see Changes)",
                        style(bold=True, font_size=13))  # fmt: skip
        row += 1
        for line in lines:
            ws.write_string(row, 0, line)
            row += 1
    row += 1
    ws.write_string(row, 0, "What to do first", style(bold=True, font_size=13))
    row += 1
    for i, action in enumerate(analysis.actions or ("Nothing urgent: well done.",), start=1):
        ws.write_string(row, 0, f"{i}. {action}", style(text_wrap=False))
        row += 1
    _charts(book, ws, style, analysis, first_row=row + 2, currency=currency)


def _charts(
    book: Any, ws: Any, style: Any, analysis: Analysis, *, first_row: int, currency: str
) -> None:
    """Native Excel charts, fed from small tables written on the Summary itself."""
    col = 12  # the small tables that feed the charts sit right of them
    ws.set_column(col, col + 2, 16)
    r = 3
    # revenue by rating
    by_rating = analysis.customers.groupby("rating")["revenue_12m"].agg(["count", "sum"])
    by_rating = by_rating.reindex(["A", "B", "C", "unrated"]).fillna(0)
    ws.write_row(r, col, ["Rating", "Customers", "Revenue (12 months)"], style(bold=True))
    for i, (rating, values) in enumerate(by_rating.iterrows(), start=1):
        ws.write_string(r + i, col, str(rating))
        ws.write_number(r + i, col + 1, float(values["count"]), style(num_format=INTEGER))
        ws.write_number(r + i, col + 2, float(values["sum"]),
                        style(num_format=money_format(currency)))  # fmt: skip
    chart = book.add_chart({"type": "column"})
    chart.add_series({
        "name": "Revenue (12 months)",
        "categories": ["Summary", r + 1, col, r + len(by_rating), col],
        "values": ["Summary", r + 1, col + 2, r + len(by_rating), col + 2],
        "data_labels": {"value": True, "num_format": money_format(currency, decimals=0)},
    })  # fmt: skip
    chart.set_title({"name": "Revenue by rating"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"num_format": money_format(currency, decimals=0)})
    ws.insert_chart(first_row, 0, chart, {"x_scale": 1.1, "y_scale": 1.0})

    # ROI by source, where it is known
    roi = analysis.source_roi
    known = roi.loc[roi["roi"].notna()] if "roi" in roi else roi.iloc[:0]
    if "campaign" in known:
        known = known.loc[known["campaign"].isna()]
    r2 = r + len(by_rating) + 3
    ws.write_row(r2, col, ["Source", "ROI"], style(bold=True))
    for i, (_, s) in enumerate(known.head(12).iterrows(), start=1):
        ws.write_string(r2 + i, col, str(s["source"]))
        ws.write_number(r2 + i, col + 1, float(s["roi"]), style(num_format=PERCENT))
    if len(known):
        chart = book.add_chart({"type": "bar"})
        chart.add_series({
            "name": "ROI",
            "categories": ["Summary", r2 + 1, col, r2 + min(len(known), 12), col],
            "values": ["Summary", r2 + 1, col + 1, r2 + min(len(known), 12), col + 1],
            "data_labels": {"value": True, "num_format": PERCENT_ROUND},
        })  # fmt: skip
        chart.set_title({"name": "Return on marketing spend by source"})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_format": PERCENT_ROUND})
        ws.insert_chart(first_row, 2, chart, {"x_scale": 1.1})
    else:
        ws.write_string(r2 + 1, col, "no marketing spend data: ROI unknown")

    # concentration Pareto: top groups' share and the cumulative line
    groups = analysis.concentration.head(10)
    r3 = r2 + 15
    ws.write_row(r3, col, ["Parent group", "Share", "Cumulative"], style(bold=True))
    for i, (_, g) in enumerate(groups.iterrows(), start=1):
        ws.write_string(r3 + i, col, str(g.get("group_name", g.get("group", ""))))
        for j, key in enumerate(("share", "cumulative_share"), start=1):
            value = g.get(key)
            if value is not None and value == value:
                ws.write_number(r3 + i, col + j, float(value), style(num_format=PERCENT))
    if len(groups):
        bars = book.add_chart({"type": "column"})
        bars.add_series({
            "name": "Share of revenue",
            "categories": ["Summary", r3 + 1, col, r3 + len(groups), col],
            "values": ["Summary", r3 + 1, col + 1, r3 + len(groups), col + 1],
        })  # fmt: skip
        line = book.add_chart({"type": "line"})
        line.add_series({
            "name": "Cumulative share",
            "categories": ["Summary", r3 + 1, col, r3 + len(groups), col],
            "values": ["Summary", r3 + 1, col + 2, r3 + len(groups), col + 2],
            "y2_axis": True,
            "marker": {"type": "circle"},
        })  # fmt: skip
        bars.combine(line)
        bars.set_title({"name": "Concentration by parent group (Pareto)"})
        bars.set_y_axis({"num_format": PERCENT_ROUND})
        line.set_y2_axis({"num_format": PERCENT_ROUND, "max": 1})
        ws.insert_chart(first_row + 16, 0, bars, {"x_scale": 1.6})
    ws.freeze_panes(0, 0)
