"""The Changes sheet: what moved since the previous run, and the rating migration matrix.

Drawn free-form like the Forecast (a :class:`~crmsheet.io.tables.DrawnSheet`), right after
the Summary: the rating migration matrix (from A/B/C/new at the previous run to A/B/C/lost
now: customers, and their 12-month revenue) with a native stacked column chart fed from it,
then one section per kind of change (:data:`~crmsheet.analysis.changes.CHANGE_KINDS`), each
row naming the customer and their contact columns, and the columns the call lists carry
(contact person, account manager, notes, ``Settings.carry_columns``: :mod:`.calls`), so a
change can be acted on from this sheet. On the first run it says so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..analysis import Analysis
from ..analysis.changes import CHANGE_KINDS, CHANGES_SHOWN, FROM_RATINGS, TO_RATINGS
from ..analysis.columns import Column
from ..analysis.headline import change_lines
from ..io.styles import DATE, INTEGER, money_format
from ..io.tables import CHARS_PER_UNIT, LINE_HEIGHT, DrawnSheet, page_footer
from .calls import Carried
from .sheets import book_currency

__all__ = ["CHANGES_SHEET", "SECTION_ROWS", "changes_sheet"]

#: The sheet's name (its place in the book: right after the Summary).
CHANGES_SHEET = "Changes"

#: Rows a section lists at most (the rest counted: the other sheets list every customer).
SECTION_ROWS = 500
#: The width of the last column, the reasons (wrapped within it).
WHY_WIDTH = 72

_CONTACT = ("contact", "email", "phone")


def changes_sheet(analysis: Analysis, carried: Carried | None = None) -> DrawnSheet:
    """The Changes sheet of ``analysis``, drawn when the book is written; ``carried``: the
    user's columns the call lists carry, shown beside each customer's contact columns."""
    return DrawnSheet(lambda book, ws, ctx: draw_changes(book, ws, ctx, analysis, carried))


def draw_changes(
    book: Any, ws: Any, ctx: Mapping[str, Any], analysis: Analysis, carried: Carried | None = None
) -> None:
    """Draw the Changes sheet of ``analysis`` on ``ws``."""
    style = ctx["styles"]
    changes = analysis.changes
    currency = book_currency(analysis)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    page_footer(ws, CHANGES_SHEET, f"as of {analysis.as_of.isoformat()}")
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 28)
    table = changes.table
    shown: dict[str, Column] = dict(CHANGES_SHOWN)
    # the same columns in every section (contact columns the data has), so they line up
    columns = [c for c in CHANGES_SHOWN if c not in _CONTACT or table[c].notna().any()]
    if carried is not None and not carried.frame.empty and len(table):
        extra = carried.frame.reindex(table["customer_key"].to_numpy())
        extra = extra.loc[:, extra.notna().any().to_numpy()]  # a column with nothing to show
        if extra.shape[1]:
            table = pd.concat([table, extra.set_axis(table.index)], axis=1)
            at = max(columns.index(c) for c in ("name", *_CONTACT) if c in columns) + 1
            columns[at:at] = list(extra.columns)
            shown |= {c: carried.shown[c] for c in extra.columns}
    ws.set_column(2, len(columns) - 2, 14)
    for j, c in enumerate(columns):
        if c in ("contact", "email"):
            ws.set_column(j, j, 32)
        elif c.startswith("carried_"):
            ws.set_column(j, j, 22)
    ws.set_column(len(columns) - 1, len(columns) - 1, WHY_WIDTH)  # the reasons
    ws.write_string(0, 0, "What changed since the last run", style(bold=True, font_size=16))
    if changes.since is None:
        ws.write_string(1, 0, f"as of {analysis.as_of.isoformat()}: the first run in this "
                        "workbook's History. The next run will show what changed since "
                        "this one.", style(italic=True))  # fmt: skip
        return
    ws.write_string(1, 0, f"as of {analysis.as_of.isoformat()}, since the run of "
                    f"{changes.since.isoformat()}", style(italic=True))  # fmt: skip
    row = 3
    for line in change_lines(changes) or ["Nothing shown changed."]:
        ws.write_string(row, 0, line)
        row += 1
    row = _matrix(book, ws, style, row + 1, analysis, currency)
    for kind, heading in CHANGE_KINDS.items():
        part = table.loc[table["kind"] == kind]
        if part.empty:
            continue
        row = _section(ws, style, row + 1, heading, part[columns], currency, shown)


def _matrix(book: Any, ws: Any, style: Any, row: int, analysis: Analysis, currency: str) -> int:
    """The migration matrix (customers, then their revenue under it) and its chart beside."""
    changes = analysis.changes
    bold = style(bold=True, bottom=1)
    ws.write_string(row, 0, "Rating migration", style(bold=True, font_size=13))
    ws.write_string(row + 1, 0, f"Where the customers rated at {changes.since} are now "
                    "(lost: lapsed, or no longer in your data); new: not in that run.",
                    style(italic=True))  # fmt: skip
    top = row + 2
    number = style(num_format=INTEGER)
    cash = style(num_format=money_format(currency, decimals=0))
    blocks = (("Customers: from", changes.migration, number),
              ("Revenue (12 months): from", changes.migration_revenue, cash))  # fmt: skip
    for b, (title, matrix, fmt) in enumerate(blocks):
        head = top + b * (len(FROM_RATINGS) + 2)
        ws.write_string(head, 0, title, bold)
        for j, to in enumerate(TO_RATINGS, start=1):
            ws.write_string(head, j, f"to {to}", bold)
        for i, frm in enumerate(FROM_RATINGS, start=1):
            ws.write_string(head + i, 0, frm)
            for j, to in enumerate(TO_RATINGS, start=1):
                ws.write_number(head + i, j, float(matrix.loc[frm, to]), fmt)
    last = top + len(FROM_RATINGS)
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    sheet = ws.get_name()
    for j in range(1, len(TO_RATINGS) + 1):
        chart.add_series({
            "name": [sheet, top, j],
            "categories": [sheet, top + 1, 0, last, 0],
            "values": [sheet, top + 1, j, last, j],
        })  # fmt: skip
    chart.set_title({"name": "Rating migration"})
    chart.set_x_axis({"name": f"Rating at {changes.since}"})
    chart.set_y_axis({"name": "Customers", "num_format": INTEGER})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(row, len(TO_RATINGS) + 2, chart, {"x_scale": 1.0, "y_scale": 0.9})
    return max(top + 2 * (len(FROM_RATINGS) + 2), row + 15)


def _section(
    ws: Any,
    style: Any,
    row: int,
    heading: str,
    part: pd.DataFrame,
    currency: str,
    shown: Mapping[str, Column],
) -> int:
    """One kind of change: its heading, count, and a row per customer (at most SECTION_ROWS)."""
    ws.write_string(row, 0, f"{heading} ({len(part):,})", style(bold=True, font_size=13))
    row += 1
    columns = list(part.columns)
    ws.write_row(row, 0, [shown[c].label for c in columns],
                 style(bold=True, bottom=1, text_wrap=True, valign="bottom"))  # fmt: skip
    formats = {  # every cell at the top of its row: a row reads across, its reason wrapped
        "money": style(num_format=money_format(currency), valign="top"),
        "date": style(num_format=DATE, valign="top"),
        "wrap": style(text_wrap=True, valign="top"),
        "text": style(valign="top"),
    }
    per_line = max(1, int(WHY_WIDTH * CHARS_PER_UNIT) - 2)
    for _, r in part.head(SECTION_ROWS).iterrows():
        row += 1
        why = r.get("why")
        if isinstance(why, str) and len(why) > per_line:  # LibreOffice does not grow the row
            ws.set_row(row, LINE_HEIGHT * len(textwrap.wrap(why, per_line)))
        for j, c in enumerate(columns):
            value = r[c]
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            kind = shown[c].kind
            if kind == "money":
                ws.write_number(row, j, float(value), formats["money"])
            elif kind == "date":
                ws.write_datetime(row, j, pd.Timestamp(value).to_pydatetime(), formats["date"])
            elif c == "why":
                ws.write_string(row, j, str(value), formats["wrap"])
            else:
                ws.write_string(row, j, str(value), formats["text"])
    if len(part) > SECTION_ROWS:
        row += 1
        ws.write_string(row, 0, f"... and {len(part) - SECTION_ROWS:,} more (see Customers)",
                        style(italic=True))  # fmt: skip
    return row + 2
