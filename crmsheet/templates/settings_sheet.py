"""The templates' Settings sheet: crmsheet's thresholds, editable, each checked as typed.

The reader reads this sheet back (:func:`crmsheet.load_settings`); the bounds of each
check come from the :class:`~crmsheet.config.Settings` model, so a typo is caught in Excel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import annotated_types

from ..config import Settings
from .layout import Formats, print_setup, wrapped_height

__all__ = ["WIDTHS", "settings_sheet"]


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
