"""``crmsheet.enrich``: read, validate, analyze and write the enriched workbook.

The I/O edge of the main job. The analyses are pure (:mod:`crmsheet.analysis`); this module
turns their frames into the sheets of :data:`~crmsheet.io.enriched.SHEETS`, draws the
Summary (headline figures, what to do first, native charts) and writes it all atomically
beside the input, never touching the input itself.
"""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .analysis import Analysis, analyze, headline_rows
from .config import Settings
from .errors import OutputFileError, SettingsError
from .io.enriched import write_workbook
from .io.graft import check_book, write_in_place
from .io.styles import AMBER, BLUE, DECIMAL_2, GREEN, GREY, INTEGER, MONEY, PERCENT, RED
from .io.tables import SheetSpec
from .reader import read
from .schema import normalise_header
from .validate import CrmData

__all__ = ["default_output", "enrich", "load_settings", "write_enriched"]

RATING_COLOURS = {"A": GREEN, "B": AMBER, "C": RED, "unrated": GREY}
STATUS_COLOURS = {"lapsed": RED, "lapsing": AMBER, "new": BLUE, "prospect": GREY}

#: Display names for the enriched columns (the user's own columns keep theirs).
LABELS = {
    "customer_key": "Customer", "name": "Name", "rating": "Rating",
    "revenue_rating": "Revenue rating", "reasons": "Why this rating",
    "rating_before": "Rating before", "changed": "Rating changed", "status": "Status",
    "status_reason": "Why this status", "revenue": "Revenue (lifetime)",
    "revenue_12m": "Revenue (12 months)", "revenue_first_12m": "Revenue (first 12 months)",
    "revenue_window": "Revenue (rating window)", "transactions": "Purchases",
    "average_transaction": "Average purchase", "first_purchase": "First purchase",
    "last_purchase": "Last purchase", "days_since_last": "Days since last purchase",
    "typical_gap_days": "Usual days between purchases", "expected_next": "Next purchase expected",
    "purchases_per_year": "Purchases a year", "follow_up": "Follow-up",
    "next_follow_up": "Next follow-up", "parent_group": "Parent group",
    "rfm_segment": "RFM segment", "value_at_risk": "Value at risk", "email": "Email",
    "phone": "Phone", "action": "Action", "why": "Why", "days_overdue": "Days overdue",
    "revenue_share": "Share of revenue", "cumulative_share": "Cumulative share",
    "support_cases": "Support cases", "support_minutes": "Support minutes",
    "support_per_1000": "Support per 1,000 revenue", "average_discount": "Average discount",
    "quote_reduction": "Invoice under quote", "downgrades": "Steps down",
    "p_alive": "P(alive)", "expected_purchases_30": "Expected purchases (30 days)",
    "expected_purchases_90": "Expected purchases (90 days)",
    "expected_purchases_365": "Expected purchases (365 days)",
    "order_value": "Average order value", "expected_value_365": "Expected value (365 days)",
    "expected_value_lost": "Expected value lost",
}  # fmt: skip

#: Number formats of the forecast's columns (the others are guessed from name and type).
FORECAST_FORMATS = {
    "P(alive)": PERCENT, "Expected purchases (30 days)": DECIMAL_2,
    "Expected purchases (90 days)": DECIMAL_2, "Expected purchases (365 days)": DECIMAL_2,
}  # fmt: skip


def load_settings(
    path: str | Path | None = None, *, sheet: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from a TOML file (``[settings]`` table or top level) over a Settings sheet."""
    values: dict[str, Any] = dict(sheet or {})
    if path is not None:
        path = Path(path)
        try:
            parsed = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"{path}: settings file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from None
        values.update(parsed.get("settings", parsed))
    return Settings.load(values)


def default_output(path: str | Path) -> Path:
    """``customers.xlsx`` -> ``customers.enriched.xlsx`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.enriched.xlsx")


def enrich(
    *paths: str | Path,
    transactions: str | Path | Sequence[str | Path] | None = None,
    spend: str | Path | Sequence[str | Path] | None = None,
    support: str | Path | Sequence[str | Path] | None = None,
    output: str | Path | None = None,
    as_of: date | None = None,
    settings: Settings | str | Path | None = None,
    column_map: Mapping[str, str] | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    return_data: bool = False,
    in_place: bool = False,
    backup: bool = True,
) -> Any:
    """Read, validate, analyze and write ``<stem>.enriched.xlsx``; return the analysis.

    The input is never modified; an existing output is only replaced with
    ``overwrite=True``. ``as_of`` defaults to today. ``settings`` is a
    :class:`~crmsheet.Settings`, or the path of a settings.toml whose values win over a
    Settings sheet in the input; without it the Settings sheet (if any) is used.
    ``return_data=True`` returns ``(analysis, data)`` (the CLI prints both).

    ``in_place=True`` writes crmsheet's sheets into the first workbook itself (an .xlsx or
    .xlsm), replacing the ones an earlier run added and leaving everything else in it as
    it was (see :mod:`crmsheet.io.graft`); a copy ``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` is
    made first unless ``backup=False``.

    >>> result = crmsheet.enrich("customers.xlsx", as_of=date(2026, 11, 1))  # doctest: +SKIP
    >>> result                                  # shows the summary in a notebook
    """
    if not paths:
        raise SettingsError("enrich() needs the customer workbook or file")
    as_of = as_of or date.today()
    step = progress or (lambda _: None)
    if in_place:
        if output is not None:
            raise SettingsError("--in-place writes into the workbook itself: leave out --output")
        check_book(Path(paths[0]))  # refused before any work, the book untouched
    else:
        out = Path(output) if output is not None else default_output(paths[0])
        if out.exists() and not overwrite:
            raise OutputFileError(out, "already exists; use --force (overwrite=True) to replace it")
        inputs = [Path(p).resolve() for p in paths]
        if out.resolve() in inputs:
            raise OutputFileError(out, "is one of the inputs; crmsheet never writes over its input")
    step("read")
    data = read(*paths, transactions=transactions, spend=spend, support=support,
                column_map=column_map, as_of=as_of)  # fmt: skip
    if not isinstance(settings, Settings):
        settings = load_settings(settings, sheet=data.settings_values)
    step("analyze")
    result = analyze(data, as_of=as_of, settings=settings)
    step("write")
    if in_place:
        copy = _write_into_book(result, data, Path(paths[0]), backup=backup)
        if copy is not None:
            step(f"backup:{copy}")
    else:
        write_enriched(result, data, out, overwrite=overwrite)
    return (result, data) if return_data else result


def _write_into_book(result: Analysis, data: CrmData, book: Path, *, backup: bool) -> Path | None:
    """Build the enriched sheets in a scratch file and graft them into ``book``; the backup."""
    with tempfile.TemporaryDirectory(prefix="crmsheet-") as folder:
        scratch = Path(folder) / "enriched.xlsx"
        write_enriched(result, data, scratch, overwrite=True)
        return write_in_place(book, scratch, backup=backup)


def write_enriched(
    result: Analysis, data: CrmData, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write the 13 sheets of the enriched workbook for ``result`` (read from ``data``)."""
    specs = _sheets(result, data)
    return write_workbook(path, specs, summary=lambda book, ws, ctx: _summary(
        book, ws, ctx, result), overwrite=overwrite)  # fmt: skip


# -- sheets -------------------------------------------------------------------------------


def _labelled(frame: pd.DataFrame, *, index: bool = True) -> pd.DataFrame:
    f = frame.reset_index() if index else frame
    return f.rename(columns={c: LABELS.get(c, _title(c)) for c in f.columns})


def _title(name: str) -> str:
    return str(name).replace("_", " ").strip().capitalize() if "_" in str(name) else str(name)


ENRICHED_CUSTOMER_COLUMNS = [
    "rating", "reasons", "status", "status_reason", "revenue", "revenue_12m", "transactions",
    "average_transaction", "first_purchase", "last_purchase", "days_since_last",
    "typical_gap_days", "expected_next", "follow_up", "parent_group", "rfm_segment",
]  # fmt: skip
#: The forecast's columns on the Customers sheet, when there is one.
FORECAST_CUSTOMER_COLUMNS = ["p_alive", "expected_purchases_90", "expected_value_365"]


def _customer_sheet(result: Analysis, data: CrmData) -> pd.DataFrame:
    """The user's rows and columns unchanged, then the enriched columns.

    Customers that appear only in the transactions follow the sheet's rows, with their key
    (and name, when the log has one) in the sheet's ID and name columns. Without a customer
    sheet the table starts with Customer and Name.
    """
    c = result.customers.copy()
    follow = result.follow_ups.reset_index()
    first_action = follow.drop_duplicates("customer_key").set_index("customer_key")["action"]
    c["follow_up"] = first_action.reindex(c.index)
    columns = ENRICHED_CUSTOMER_COLUMNS + [x for x in FORECAST_CUSTOMER_COLUMNS if x in c]
    own = data.customer_sheet.reset_index(drop=True)
    if own.empty:
        return _labelled(c[["name", *columns]])
    keys = data.customers["customer_key"].reset_index(drop=True)
    taken = {normalise_header(h) for h in own.columns}

    def enriched(frame: pd.DataFrame) -> pd.DataFrame:
        out = _labelled(frame[columns], index=False)
        out.columns = [_free_header(h, taken) for h in out.columns]
        return out

    table = pd.concat([own, enriched(c.reindex(keys.to_numpy()).reset_index(drop=True))], axis=1)
    extra = c.loc[~c.index.isin(keys)]
    if len(extra):
        fields = {f: h for t in data.tables if t.role == "customers" for h, f in t.mapping.items()}
        rows = pd.DataFrame(index=range(len(extra)), columns=own.columns, dtype=object)
        key_header = fields.get("customer_id") or fields.get("name") or own.columns[0]
        rows[key_header] = extra.index.to_numpy()
        if "name" in fields and fields["name"] != key_header:
            rows[fields["name"]] = extra["name"].to_numpy()
        rows = pd.concat([rows, enriched(extra.reset_index(drop=True))], axis=1)
        table = pd.concat([table, rows], ignore_index=True)
    return table


def _free_header(header: str, taken: set[str]) -> str:
    """``header``, or "header (crmsheet)", "header (crmsheet 2)"... if the user's sheet has it."""
    candidate, n = header, 1
    while normalise_header(candidate) in taken:
        candidate = f"{header} (crmsheet{'' if n == 1 else f' {n}'})"
        n += 1
    return candidate


def _sheets(result: Analysis, data: CrmData) -> dict[str, SheetSpec]:
    rating_cols = {"Rating": RATING_COLOURS, "Revenue rating": RATING_COLOURS,
                   "Rating before": RATING_COLOURS, "Status": STATUS_COLOURS}  # fmt: skip
    today = f"DATE({result.as_of.year},{result.as_of.month},{result.as_of.day})"
    customers = _customer_sheet(result, data)
    ratings = result.ratings.join(result.customers[["name"]])
    ratings = ratings[["name", *[c for c in result.ratings.columns if c != "name"]]]
    lapsed, rfm = _labelled(result.lapsed), _labelled(result.rfm)
    specs = {
        "Customers": SheetSpec(
            customers,
            formats=_forecast_formats(customers),
            colours={
                "Rating (crmsheet)"
                if "Rating (crmsheet)" in customers
                else "Rating": RATING_COLOURS,
                "Status": STATUS_COLOURS,
            },
        ),
        "Ratings": SheetSpec(_labelled(ratings), colours=rating_cols),
        "Lapsed": SheetSpec(
            lapsed,
            colours=rating_cols,
            formats={
                "Value at risk": MONEY,
                "Expected value lost": MONEY,
                **_forecast_formats(lapsed),
            },
        ),
        "Follow-ups": SheetSpec(
            _labelled(result.follow_ups),
            colours={
                "Next follow-up": {f"<{today}": RED},
                "Rating": RATING_COLOURS,
                "Action": {
                    "overdue": RED,
                    "due soon": AMBER,
                    "set a follow-up": BLUE,
                    "thank you": GREEN,
                },
            },
        ),
        "Source ROI": SheetSpec(_labelled(result.source_roi, index=False)),
        "Concentration": SheetSpec(
            _labelled(result.concentration, index=False), colours={"Flag": {"TRUE": RED}}
        ),
        "Referrals": SheetSpec(_labelled(result.referrals, index=False)),
        "Segments": SheetSpec(_labelled(result.segments, index=False)),
        "Retention": SheetSpec(_labelled(result.retention, index=False)),
        "RFM": SheetSpec(rfm, formats=_forecast_formats(rfm)),
        "Problems": SheetSpec(
            _labelled(data.problems.frame, index=False),
            colours={"Severity": {"error": RED, "warning": AMBER}},
        ),
        "Settings": SheetSpec(_settings_frame(result, data)),
    }
    return specs


def _forecast_formats(frame: pd.DataFrame) -> dict[str, str]:
    """P(alive) as a percentage, expected purchases to two decimals.

    On the Customers sheet our column is "P(alive) (crmsheet)" when the user has their own
    "P(alive)": theirs keeps its format.
    """
    out = {}
    for header, fmt in FORECAST_FORMATS.items():
        ours = f"{header} (crmsheet)"
        if ours in frame.columns or header in frame.columns:
            out[ours if ours in frame.columns else header] = fmt
    return out


def _settings_frame(result: Analysis, data: CrmData) -> pd.DataFrame:
    rows: list[tuple[str, Any, str]] = [
        ("as_of", result.as_of.isoformat(), "The date every figure is computed for."),
        ("crmsheet_version", __version__, "The crmsheet that wrote this workbook."),
    ]
    rows.extend((name, value, text) for name, value, text in result.settings.describe())
    for t in data.tables:
        where = f"{Path(t.file).name} / {t.sheet}"
        rows.append(
            (
                f"input: {where}",
                t.role or "",
                f"header on row {t.header_row}; "
                f"{t.rows_read} rows read, {t.rows_kept} kept, {t.rows_rejected} rejected",
            )
        )
        for header, field_name in t.mapping.items():
            rows.append((f"  {header}", field_name, f"column of {where}"))
    return pd.DataFrame(rows, columns=["Setting", "Value", "What it means"]).astype(
        {"Value": str})  # fmt: skip


# -- the Summary sheet ----------------------------------------------------------------


def _summary(book: Any, ws: Any, ctx: Mapping[str, Any], result: Analysis) -> None:
    style = ctx["styles"]
    ws.set_landscape()
    ws.fit_to_pages(1, 1)  # the Summary prints (and renders to PDF) as one page
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 38)
    ws.set_column(1, 1, 34)
    ws.write_string(0, 0, "crmsheet summary", style(bold=True, font_size=16))
    ws.write_string(1, 0, f"as of {result.as_of.isoformat()}", style(italic=True))
    row = 3
    for label, value in headline_rows(result.headline):
        ws.write_string(row, 0, label, style(bold=True))
        ws.write_string(row, 1, value)
        row += 1
    row += 1
    ws.write_string(row, 0, "What to do first", style(bold=True, font_size=13))
    row += 1
    for i, action in enumerate(result.actions or ("Nothing urgent: well done.",), start=1):
        ws.write_string(row, 0, f"{i}. {action}", style(text_wrap=False))
        row += 1
    _charts(book, ws, style, result, first_row=row + 2)


def _charts(book: Any, ws: Any, style: Any, result: Analysis, *, first_row: int) -> None:
    """Native Excel charts, fed from small tables written on the Summary itself."""
    col = 12  # the small tables that feed the charts sit right of them
    ws.set_column(col, col + 2, 16)
    r = 3
    # revenue by rating
    by_rating = result.customers.groupby("rating")["revenue_12m"].agg(["count", "sum"])
    by_rating = by_rating.reindex(["A", "B", "C", "unrated"]).fillna(0)
    ws.write_row(r, col, ["Rating", "Customers", "Revenue (12 months)"], style(bold=True))
    for i, (rating, values) in enumerate(by_rating.iterrows(), start=1):
        ws.write_string(r + i, col, str(rating))
        ws.write_number(r + i, col + 1, float(values["count"]), style(num_format=INTEGER))
        ws.write_number(r + i, col + 2, float(values["sum"]), style(num_format=MONEY))
    chart = book.add_chart({"type": "column"})
    chart.add_series({
        "name": "Revenue (12 months)",
        "categories": ["Summary", r + 1, col, r + len(by_rating), col],
        "values": ["Summary", r + 1, col + 2, r + len(by_rating), col + 2],
        "data_labels": {"value": True, "num_format": "#,##0"},
    })  # fmt: skip
    chart.set_title({"name": "Revenue by rating"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"num_format": "#,##0"})
    ws.insert_chart(first_row, 0, chart, {"x_scale": 1.1, "y_scale": 1.0})

    # ROI by source, where it is known
    roi = result.source_roi
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
            "data_labels": {"value": True, "num_format": "0%"},
        })  # fmt: skip
        chart.set_title({"name": "Return on marketing spend by source"})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_format": "0%"})
        ws.insert_chart(first_row, 2, chart, {"x_scale": 1.1})
    else:
        ws.write_string(r2 + 1, col, "no marketing spend data: ROI unknown")

    # concentration Pareto: top groups' share and the cumulative line
    groups = result.concentration.head(10)
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
        bars.set_y_axis({"num_format": "0%"})
        line.set_y2_axis({"num_format": "0%", "max": 1})
        ws.insert_chart(first_row + 16, 0, bars, {"x_scale": 1.6})
    ws.freeze_panes(0, 0)
