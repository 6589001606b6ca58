"""The table sheets of the enriched workbook: which frame goes on which sheet, how it looks.

:func:`workbook_sheets` turns an :class:`~crmsheet.analysis.Analysis` (and the data it was
read from) into one :class:`~crmsheet.io.tables.SheetSpec` per table sheet, in the order of
:data:`~crmsheet.workbook.SHEETS`: the frame under its display names, the colours of its
ratings, statuses and overdue dates, the formats the writer cannot guess. The Summary is
drawn separately (:mod:`crmsheet.workbook.summary`). To add a sheet, add it to ``SHEETS`` and
give it a spec here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..analysis import Analysis
from ..analysis.bgnbd import P_ALIVE_BLANK
from ..analysis.columns import Column, merged, row, text
from ..analysis.concentration import concentration_columns
from ..analysis.followups import FOLLOW_UP_SHOWN
from ..analysis.history import HISTORY_SHOWN, history_notes
from ..analysis.lapsed import LAPSED_SHOWN
from ..analysis.prediction import PREDICTION_SHOWN
from ..analysis.ratings import rating_columns
from ..analysis.referrals import REFERRAL_SHOWN
from ..analysis.retention import retention_columns
from ..analysis.rfm import RFM_SHOWN
from ..analysis.segments import DIMENSION_WORDS, SEGMENT_SHOWN
from ..analysis.sources import ROI_SHOWN
from ..data import CrmData
from ..io.styles import AMBER, BLUE, GREEN, RED, locale_currency, locale_currency_code
from ..io.tables import SheetSpec
from ..parse.currencies import DOLLARS, currency_code, money_sign
from .calls import carried_columns
from .customers import customer_sheet
from .duplicates import DUPLICATES_SHEET, duplicates_sheet
from .forecast import FORECAST_SHEET, forecast_sheet
from .labels import NO, RATING_COLOURS, STATUS_COLOURS, YES, shown

__all__ = ["PROBLEM_SHOWN", "book_currency", "workbook_sheets"]

#: The Problems sheet's columns (the report's own names are kept in its .csv).
PROBLEM_SHOWN: dict[str, Column] = {
    "file": text("File"), "sheet": text("Sheet"), "row": row("Row"),
    "column": text("Column"), "cell": text("Cell"), "field": text("crmsheet field"),
    "value": text("Value"), "severity": text("Severity"), "code": text("Code"),
    "action": text("What crmsheet did"), "message": text("What is wrong and what to do"),
}  # fmt: skip

#: Columns of long text: they wrap (about 50 characters a line) instead of running on.
WRAPPED = ("Why this rating", "Why this status", "Why", "What is wrong and what to do")

_RATING_COLOURS = {"Rating": RATING_COLOURS, "Revenue rating": RATING_COLOURS,
                   "Rating before": RATING_COLOURS, "Status": STATUS_COLOURS}  # fmt: skip


def book_currency(analysis: Analysis) -> str:
    """The currency money is shown in: the Settings' sign (€, "EUR "), else the base
    currency's ($ for a dollar currency, else its code; the locale's sign when the base is
    the computer's own currency), else the computer's locale's."""
    settings = analysis.settings
    shown = settings.currency.strip()
    is_code = len(shown) == 3 and currency_code(shown) == shown.upper()
    base = settings.base_currency or (shown.upper() if is_code else "")
    if shown and not is_code:  # a sign of the user's own (€, $), unless it names another
        named = currency_code(shown, dollar=base if base in DOLLARS else "USD")
        if not base or named in (None, base):
            return settings.currency
    if not base or base == locale_currency_code():
        return locale_currency()  # the computer's own sign (£ for GBP in en_GB), or none
    return money_sign(base)


def workbook_sheets(analysis: Analysis, data: CrmData) -> dict[str, SheetSpec]:
    """The 15 sheets after the Summary and the Changes for ``analysis``, read from ``data``
    (all tables but the Forecast, drawn like the Summary)."""
    currency = book_currency(analysis)
    window = analysis.settings.rating_window_days
    today = f"DATE({analysis.as_of.year},{analysis.as_of.month},{analysis.as_of.day})"

    def spec(
        frame: pd.DataFrame,
        declared: dict[str, Column],
        *,
        index: bool = True,
        colours: dict[str, Any] | None = None,
        notes: tuple[str, ...] = (),
    ) -> SheetSpec:
        table = shown(frame, declared, index=index, currency=currency)
        wrap = [c for c in WRAPPED if c in table.frame.columns]
        return SheetSpec(table.frame, formats=table.formats, colours=colours, wrap=wrap,
                         notes=notes, centred=table.flags)  # fmt: skip

    customers = customer_sheet(analysis, data, currency=currency)
    rating_key = "Rating (crmsheet)" if "Rating (crmsheet)" in customers.frame else "Rating"
    ratings = analysis.ratings.join(analysis.customers[["name"]])
    ratings = ratings[["name", *[c for c in analysis.ratings.columns if c != "name"]]]
    calls = carried_columns(data, analysis.settings.carry_columns)
    h = analysis.headline
    basis = h.concentration_revenue_basis
    palive = _p_alive_note(analysis)
    specs = {
        "Customers": SheetSpec(
            customers.frame,
            formats=customers.formats,
            colours={rating_key: RATING_COLOURS, "Status": STATUS_COLOURS},
            wrap=[c for c in WRAPPED if c in customers.frame.columns],
            notes=palive,
        ),
        DUPLICATES_SHEET: duplicates_sheet(analysis, currency=currency),
        "Ratings": spec(
            ratings,
            merged(
                rating_columns(window), {"name": text("Name"), "customer_key": text("Customer")}
            ),
            colours=_RATING_COLOURS,
        ),
        "Lapsed": spec(
            calls.beside(analysis.lapsed),
            merged(LAPSED_SHOWN, PREDICTION_SHOWN, calls.shown),
            colours=_RATING_COLOURS,
            notes=(*calls.notes, *palive),
        ),
        "Follow-ups": spec(
            calls.beside(analysis.follow_ups),
            merged(FOLLOW_UP_SHOWN, calls.shown),
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
            notes=calls.notes,
        ),
        "Source ROI": spec(analysis.source_roi, ROI_SHOWN, index=False),
        "Concentration": spec(
            analysis.concentration,
            concentration_columns(basis),
            index=False,
            colours={"Over the limit": {YES: RED}},
            notes=_hhi_notes(analysis),
        ),
        "Referrals": spec(analysis.referrals, REFERRAL_SHOWN, index=False),
        "Segments": spec(_worded(analysis.segments), SEGMENT_SHOWN, index=False),
        "Retention": spec(
            analysis.retention,
            retention_columns(analysis.retention),
            index=False,
            notes=_retention_notes(analysis),
        ),
        "RFM": spec(analysis.rfm, merged(RFM_SHOWN, PREDICTION_SHOWN), notes=palive),
        FORECAST_SHEET: forecast_sheet(analysis),
        "Problems": spec(
            data.problems.frame,
            PROBLEM_SHOWN,
            index=False,
            colours={"Severity": {"error": RED, "warning": AMBER}},
        ),
        "Settings": SheetSpec(_settings_frame(analysis, data), wrap=["What it means"]),
        "History": spec(
            analysis.history
            if analysis.history is not None
            else pd.DataFrame(columns=list(HISTORY_SHOWN)),
            HISTORY_SHOWN,
            index=False,
            colours=_RATING_COLOURS,
            notes=history_notes(analysis.history),
        ),
    }
    return specs


def _hhi_notes(analysis: Analysis) -> tuple[str, ...]:
    """The HHI after the roll-up to parent groups, and before it, read in one line."""
    reading = analysis.headline.concentration_reading
    return (f"Concentration: {reading}.",) if reading else ()


def _worded(segments: pd.DataFrame) -> pd.DataFrame:
    """The segments with each dimension in words ("Size", not size_band)."""
    out = segments.copy()
    out["dimension"] = out["dimension"].map(DIMENSION_WORDS).fillna(out["dimension"])
    return out


def _retention_notes(analysis: Analysis) -> tuple[str, ...]:
    """How to read the cohorts, and which quarter is left out as under way."""
    how = ("Each row is the customers whose first purchase was in that quarter; Q+1, Q+2, ... "
           "the share of them who bought again 1, 2, ... quarters later.")  # fmt: skip
    note = analysis.headline.retention_note
    return (how, note) if note else (how,)


def _p_alive_note(analysis: Analysis) -> tuple[str, ...]:
    """Why a P(alive) is blank (one-time buyers), when the forecast left some blank; and why
    a lapsed customer may still show a high one (the model and the lapse rule differ)."""
    customers = analysis.customers
    if "p_alive" not in customers:
        return ()
    notes: list[str] = []
    if customers.loc[customers["transactions"] > 0, "p_alive"].isna().any():
        notes.append(P_ALIVE_BLANK + ".")
    high = int(((customers["status"] == "lapsed") & (customers["p_alive"] > 0.5)).sum())
    if high:
        notes.append(
            f"{high:,} lapsed customer{'s' if high != 1 else ''} still show P(alive) above 50 %: "
            "the model, fitted on this shop's own history, finds that customers here seldom "
            "leave for good; the status follows your lapse rule (no purchase for "
            f"{analysis.settings.lapse_days:,} days, or far past their usual gap)."
        )
    return tuple(notes)


def _settings_frame(analysis: Analysis, data: CrmData) -> pd.DataFrame:
    """as_of, the version, every setting used, and each input table with its mapping."""
    rows: list[tuple[str, Any, str]] = [
        ("as_of", analysis.as_of.isoformat(), "The date every figure is computed for."),
        ("crmsheet_version", __version__, "The crmsheet that wrote this workbook."),
    ]
    for name, value, what in analysis.settings.describe():
        shown_value = (YES if value else NO) if isinstance(value, bool) else value
        rows.append((name, shown_value, what))
    for t in data.tables:
        where = f"{Path(t.file).name} / {t.sheet}"
        rows.append(
            (
                f"input: {where}",
                t.role or "",
                f"header on row {t.header_row}; "
                f"{t.rows_read:,} rows read, {t.rows_kept:,} kept, {t.rows_rejected:,} rejected",
            )
        )
        for header, field_name in t.mapping.items():
            rows.append((f"  {header}", field_name, f"column of {where}"))
    return pd.DataFrame(rows, columns=["Setting", "Value", "What it means"]).astype(
        {"Value": str})  # fmt: skip
