"""The Forecast sheet: which purchase model predicts, why, and how well it did on the holdout.

Drawn free-form like the Summary (a :class:`~crmsheet.io.tables.DrawnSheet`), to print as one
landscape page: the chosen model and the sentence saying why; every model tried on the sales
before the holdout with its error; each fit's parameters with their standard errors; the
backtest by frequency bucket (customers, actual and predicted purchases per customer) and a
native line chart of predicted against actual, fed from that table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..analysis import Analysis
from ..analysis.holdout import BACKTEST_SHOWN
from ..analysis.prediction import MODEL_NAMES, Prediction, Trial, short_reason
from ..io.styles import DECIMAL, DECIMAL_2, INTEGER, PARAMETER, PARAMETER_SMALL, kind_format
from ..io.tables import DrawnSheet, page_footer

__all__ = ["FORECAST_SHEET", "forecast_sheet"]

#: The sheet's name (its place in the book: right after RFM).
FORECAST_SHEET = "Forecast"

_WIDE = 9  # the merged cells B:J hold a sentence
_TEXT_WIDTH = 140  # characters a line of B:J holds


def forecast_sheet(analysis: Analysis) -> DrawnSheet:
    """The Forecast sheet of ``analysis``, drawn when the book is written."""
    return DrawnSheet(lambda book, ws, ctx: draw_forecast(book, ws, ctx, analysis))


def draw_forecast(book: Any, ws: Any, ctx: Mapping[str, Any], analysis: Analysis) -> None:
    """Draw the Forecast sheet of ``analysis`` on ``ws``."""
    style = ctx["styles"]
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    page_footer(ws, "Forecast", f"as of {analysis.as_of.isoformat()}")
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 10, 14)
    bold = style(bold=True)
    ws.write_string(0, 0, "Forecast: which purchase model, and how well it predicted",
                    style(bold=True, font_size=16))  # fmt: skip
    ws.write_string(1, 0, f"as of {analysis.as_of.isoformat()}", style(italic=True))
    p = analysis.prediction
    row = 3
    chosen = MODEL_NAMES.get(p.name or "", "none") if p is not None else "none"
    ws.write_string(row, 0, "Model used", bold)
    ws.write_string(row, 1, chosen, style(bold=True, align="left"))
    row += 1
    row = _sentence(ws, style, row, "Why", p.why if p is not None and p.why else
                    analysis.headline.prediction)  # fmt: skip
    if p is None or p.backtest is None:
        return
    check = p.backtest
    if p.name is not None:
        row = _sentence(ws, style, row, "What it predicts", _rest(p))
    ws.write_string(row, 0, "Held out", bold)
    ws.write_string(row, 1, f"the last {check.holdout_days:,} days, after "
                    f"{check.calibration_end.isoformat()}")  # fmt: skip
    row += 1
    for label, value in (("Customers checked", check.customers),
                         ("Purchases that happened", check.actual)):  # fmt: skip
        ws.write_string(row, 0, label, bold)
        ws.write_number(row, 1, float(value), style(num_format=INTEGER, align="right"))
        row += 1
    row = _models(ws, style, row + 1, p)
    row = _parameters(ws, style, row + 1, p)
    _buckets(book, ws, style, row + 1, p)


def _sentence(ws: Any, style: Any, row: int, label: str, text: str) -> int:
    """A labelled sentence across B:J, its row as tall as its lines."""
    ws.write_string(row, 0, label, style(bold=True, valign="top"))
    ws.merge_range(row, 1, row, _WIDE, text, style(text_wrap=True, valign="top"))
    ws.set_row(row, 15.0 * max(1, -(-len(text) // _TEXT_WIDTH)))
    return row + 1


def _rest(p: Prediction) -> str:
    """The note without the choice sentence (shown above it)."""
    return p.note.removeprefix(p.why).strip()


def _header(ws: Any, style: Any, row: int, headers: list[str]) -> None:
    ws.set_row(row, 30.0)
    ws.write_row(row, 0, headers, style(bold=True, bottom=1, text_wrap=True, valign="bottom"))


def _models(ws: Any, style: Any, row: int, p: Prediction) -> int:
    """Each model tried on the sales before the holdout: its error, totals and verdict."""
    check = p.backtest
    assert check is not None
    ws.write_string(row, 0, f"Models tried on the sales up to {check.calibration_end.isoformat()}",
                    style(bold=True, font_size=13))  # fmt: skip
    row += 1
    _header(ws, style, row, ["Model", "Mean error per customer", "Predicted purchases",
                             "Actual purchases", "Result"])  # fmt: skip
    for t in check.trials:
        row += 1
        ws.write_string(row, 0, MODEL_NAMES[t.name])
        if t.model is not None:
            ws.write_number(row, 1, t.error, style(num_format=DECIMAL_2))
            ws.write_number(row, 2, t.predicted, style(num_format=INTEGER))
        ws.write_number(row, 3, check.actual, style(num_format=INTEGER))
        ws.write_string(row, 4, _verdict(t, p))
    return row + 1


def _verdict(t: Trial, p: Prediction) -> str:
    used = "; used, fitted on all sales" if t.name == p.name else ""
    if t.model is None:
        return f"no fit: {t.failure}{used}"
    if t.failure:
        return f"degenerate: {t.failure}{used}"
    return f"sound{used}"


def _parameters(ws: Any, style: Any, row: int, p: Prediction) -> int:
    """Every fit's parameters with their standard errors, one row per parameter."""
    check = p.backtest
    assert check is not None
    ws.write_string(row, 0, "Parameters (with standard errors)", style(bold=True, font_size=13))
    row += 1
    _header(ws, style, row, ["Model", "Fitted on", "Parameter", "Value", "Standard error"])
    before = f"sales up to {check.calibration_end.isoformat()}"
    fits: list[tuple[str, str, Any]] = [
        (MODEL_NAMES[t.name], before, t.model) for t in check.trials if t.model is not None
    ]
    if p.model is not None and p.name is not None:
        fits.append((MODEL_NAMES[p.name], "all sales (the model used)", p.model))
    if p.spend_fit is not None:
        used = "" if p.spend is not None else ", not used"
        fits.append(("Gamma-Gamma (spend)", f"all repeat buyers{used}", p.spend_fit))

    def number(value: float) -> Any:  # 3.6e-12 is not 0.0000: tiny values in scientific
        small = value != 0 and abs(value) < 0.001
        return style(num_format=PARAMETER_SMALL if small else PARAMETER)

    for label, fitted_on, model in fits:
        if model.degenerate and model is not p.spend_fit:
            # a limiting case: where the optimiser stopped, not an estimate (its values differ
            # from one scipy build to the next); a spend fit with q <= 1 is still an estimate
            row += 1
            ws.write_string(row, 0, label)
            ws.write_string(row, 1, fitted_on)
            why = short_reason(model.degenerate)
            ws.write_string(row, 2, f"none shown: a limiting case ({why})")
            continue
        for key, value in model.params.items():
            row += 1
            ws.write_string(row, 0, label)
            ws.write_string(row, 1, fitted_on)
            ws.write_string(row, 2, key)
            ws.write_number(row, 3, float(value), number(float(value)))
            error = model.standard_errors.get(key, float("nan"))
            if error == error:  # NaN: not estimable, left blank
                ws.write_number(row, 4, float(error), number(float(error)))
    return row + 1


def _buckets(book: Any, ws: Any, style: Any, row: int, p: Prediction) -> None:
    """The backtest by frequency bucket and its line chart, predicted against actual."""
    check = p.backtest
    assert check is not None
    shown = [t for t in check.trials if t.model is not None]
    shown.sort(key=lambda t: t.name != p.name)  # the model used first
    ws.write_string(row, 0, f"The last {check.holdout_days:,} days by repeat purchases before",
                    style(bold=True, font_size=13))  # fmt: skip
    row += 1
    if not shown:
        ws.write_string(row, 0, "No model could be fitted on the earlier sales: nothing to "
                        "compare.", style(italic=True))  # fmt: skip
        return
    table = shown[0].table
    headers = [BACKTEST_SHOWN["bucket"].label, BACKTEST_SHOWN["customers"].label,
               BACKTEST_SHOWN["actual"].label]  # fmt: skip
    headers += [f"Predicted per customer ({MODEL_NAMES[t.name]})" for t in shown]
    _header(ws, style, row, headers)
    ws.set_row(row, 45.0)
    top = row + 1
    rate = style(num_format=kind_format("rate"))
    for i, bucket in enumerate(table["bucket"]):
        r = top + i
        ws.write_string(r, 0, str(bucket))
        ws.write_number(r, 1, float(table["customers"].iloc[i]), style(num_format=INTEGER))
        values = [table["actual"].iloc[i], *(t.table["predicted"].iloc[i] for t in shown)]
        for j, value in enumerate(values):
            if pd.notna(value):
                ws.write_number(r, 2 + j, float(value), rate)
    last = top + len(table) - 1
    chart = book.add_chart({"type": "line"})
    sheet = ws.get_name()
    for j, name in enumerate(["Actual", *(f"Predicted ({MODEL_NAMES[t.name]})" for t in shown)]):
        chart.add_series({
            "name": name,
            "categories": [sheet, top, 0, last, 0],
            "values": [sheet, top, 2 + j, last, 2 + j],
            "marker": {"type": "circle" if j == 0 else "diamond"},
            "line": {"dash_type": "solid" if j == 0 else "dash"},
        })  # fmt: skip
    chart.set_title({"name": "Purchases per customer in the holdout: predicted vs actual"})
    chart.set_x_axis({"name": "Repeat purchases before the holdout"})
    chart.set_y_axis({"name": "Purchases per customer", "num_format": DECIMAL})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(top - 1, 4 + len(shown), chart, {"x_scale": 1.25, "y_scale": 1.1})
