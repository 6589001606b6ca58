"""The templates' Settings sheet: crmsheet's thresholds, editable, each checked as typed.

The reader reads this sheet back (:func:`crmsheet.load_settings`); the bounds of each
check come from the :class:`~crmsheet.config.Settings` model, so a typo is caught in Excel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import annotated_types

from ..config import Settings
from .columns import list_source
from .layout import Formats, print_setup, wrapped_height

__all__ = ["RATE_ROWS", "WIDTHS", "rates_sheet", "settings_sheet"]


#: Column widths (in digits): setting, value, what it means, default. The value and default
#: columns are wide enough for a number and wrap a list ("cancelled, void, ...").
WIDTHS: tuple[float, float, float, float] = (26, 22, 80, 22)


def settings_sheet(book: Any, fmt: Formats) -> None:
    """The Settings sheet: every setting, its value (editable), what it means, its default.

    Each row is as tall as its longest wrapped text (:func:`~.layout.wrapped_height`):
    LibreOffice does not grow a row to fit its text, and its descriptions overlapped.
    """
    ws = book.add_worksheet("Settings")
    ws.write_string(0, 0, "Settings: the thresholds crmsheet uses for this workbook", fmt.title)
    intro = (
        "Change a value in the yellow column to suit your business; crmsheet reads this sheet "
        "every time it analyses the workbook. Leave the names in column A as they are."
    )
    ws.merge_range(1, 0, 1, 3, intro, fmt.muted)
    ws.set_row(1, wrapped_height([(intro, sum(WIDTHS))]))
    headers = ("setting", "value", "what it means", "default")
    for c, text in enumerate(headers):
        ws.write_string(3, c, text, fmt.bold)
    defaults = Settings()
    for r, (name, value, description) in enumerate(defaults.describe(), start=4):
        info = Settings.model_fields[name]
        share = isinstance(value, float) and _upper(info.metadata) == 1
        ws.write_string(r, 0, name, fmt.top)
        ws.write_string(r, 2, description, fmt.wrap)
        texts = [(name, WIDTHS[0]), (description, WIDTHS[2])]
        if isinstance(value, bool):  # an on/off setting: TRUE or FALSE, as a boolean
            ws.write_boolean(r, 1, value, fmt.setting_boolean)
            ws.write_boolean(r, 3, value, fmt.top_boolean)
        elif isinstance(value, str):  # a list or table, as text ("cancelled, void")
            ws.write_string(r, 1, value, fmt.setting_text)
            ws.write_string(r, 3, value, fmt.wrap)
            texts += [(value, WIDTHS[1]), (value, WIDTHS[3])]
        else:
            ws.write_number(r, 1, value, fmt.setting_percent if share else fmt.setting_value)
            ws.write_number(r, 3, value, fmt.top_percent if share else fmt.top)
        ws.set_row(r, wrapped_height(texts))
        if not isinstance(value, str):  # a text is checked when read back (Settings names it)
            check = _setting_check(name, value, description, info.metadata)
            ws.data_validation(r, 1, r, 1, check)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    ws.freeze_panes(4, 0)
    print_setup(ws)
    ws.fit_to_pages(1, 1)  # every setting on one printed page, read at a glance


#: Rows of the Rates sheet with a check (a currency from the list, a rate above 0).
RATE_ROWS = 50


def rates_sheet(book: Any, fmt: Formats) -> None:
    """The Rates sheet: Currency | Rate rows, what one unit of a currency is worth in yours.

    Empty in a template: a business that sells in one currency leaves it so. crmsheet reads
    a sheet named Rates as exchange rates, never as data.
    """
    ws = book.add_worksheet("Rates")
    ws.write_string(0, 0, "Rates: what one unit of another currency is worth in yours", fmt.title)
    intro = (
        "Only if you sell (or spend) in more than one currency. A Currency cell on "
        "Transactions or Marketing Spend left blank is your own currency (name it in the "
        "base_currency setting); a row in another currency is converted with its rate "
        "here, e.g. EUR | 0.86 when your currency is GBP. A row in a currency with no rate "
        "is left out and reported, never added as if it were yours."
    )
    ws.merge_range(1, 0, 1, 3, intro, fmt.muted)
    ws.set_row(1, wrapped_height([(intro, 14 + 14 + 40 + 20)]))
    ws.write_string(3, 0, "Currency", fmt.header)
    ws.write_string(3, 1, "Rate", fmt.header)
    last = 3 + RATE_ROWS
    ws.data_validation(4, 0, last, 0, {
        "validate": "list", "source": list_source("currency"), "error_type": "information",
        "input_title": "Currency", "input_message": "Its ISO code, e.g. EUR, USD, GBP.",
        "error_title": "Currency", "error_message": "Not in the list: crmsheet reads any "
        "ISO 4217 code (EUR, USD, GBP...).",
    })  # fmt: skip
    ws.data_validation(4, 1, last, 1, {
        "validate": "decimal", "criteria": ">", "value": 0, "error_type": "stop",
        "input_title": "Rate", "input_message": "What one unit of this currency is worth "
        "in your own currency, e.g. 0.86.",
        "error_title": "Not a rate", "error_message": "Type a number above 0.",
    })  # fmt: skip
    for c, width in enumerate((14, 14, 40, 20)):
        ws.set_column(c, c, width, fmt.number if c == 1 else None)
    ws.freeze_panes(4, 0)
    print_setup(ws)


def _upper(metadata: Sequence[object]) -> float | None:
    """A setting's upper bound (``le`` or ``lt``), if it has one."""
    return _bound(metadata, {annotated_types.Le: "le", annotated_types.Lt: "lt"})


def _lower(metadata: Sequence[object]) -> float | None:
    """A setting's lower bound (``ge`` or ``gt``), if it has one."""
    return _bound(metadata, {annotated_types.Ge: "ge", annotated_types.Gt: "gt"})


def _bound(metadata: Sequence[object], attrs: Mapping[type, str]) -> float | None:
    for m in metadata:
        for kind, attr in attrs.items():
            if isinstance(m, kind):
                return float(getattr(m, attr))
    return None


def _setting_check(
    name: str, value: object, description: str, metadata: Sequence[object]
) -> dict[str, Any]:
    """Bounds from the Settings model, so a typo is caught while typing."""
    if isinstance(value, bool):
        return {
            "validate": "list", "source": ["TRUE", "FALSE"], "error_type": "stop",
            "input_title": name[:32], "input_message": description[:255],
            "error_title": "On or off", "error_message": f"{name}: choose TRUE or FALSE.",
        }  # fmt: skip
    low, high = _lower(metadata), _upper(metadata)
    check: dict[str, Any] = {"validate": "integer" if isinstance(value, int) else "decimal",
                             "error_type": "stop"}  # fmt: skip
    if low is not None and high is not None:
        check |= {"criteria": "between", "minimum": low, "maximum": high}
        limits = f"from {low:g} to {high:g}" if high != 1 else "from 0% to 100%"
    elif low is not None:
        check |= {"criteria": ">=", "value": low}
        limits = f"{low:g} or more"
    else:  # every setting has a lower bound today; keep a check anyway
        check |= {"criteria": ">=", "value": 0}
        limits = "0 or more"
    check |= {
        "input_title": name[:32],
        "input_message": description[:255],
        "error_title": "Value out of range",
        "error_message": f"{name}: type a number {limits}.",
    }
    return check
