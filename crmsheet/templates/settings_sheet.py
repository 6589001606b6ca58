"""The templates' Settings sheet: crmsheet's thresholds, editable, each checked as typed.

The reader reads this sheet back (:func:`crmsheet.load_settings`); the bounds of each
check come from the :class:`~crmsheet.config.Settings` model, so a typo is caught in Excel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import annotated_types

from ..config import Settings
from .layout import Formats, print_setup

__all__ = ["settings_sheet"]


def settings_sheet(book: Any, fmt: Formats) -> None:
    """The Settings sheet: every setting, its value (editable), what it means, its default."""
    ws = book.add_worksheet("Settings")
    ws.write_string(0, 0, "Settings: the thresholds crmsheet uses for this workbook", fmt.title)
    ws.merge_range(
        1, 0, 1, 3, "Change a value in the yellow column to suit your business; crmsheet reads "
        "this sheet every time it analyses the workbook. Leave the names in column A as they "
        "are.", fmt.muted,
    )  # fmt: skip
    ws.set_row(1, 30)
    headers = ("setting", "value", "what it means", "default")
    for c, text in enumerate(headers):
        ws.write_string(3, c, text, fmt.bold)
    defaults = Settings()
    for r, (name, value, description) in enumerate(defaults.describe(), start=4):
        info = Settings.model_fields[name]
        share = isinstance(value, float) and _upper(info.metadata) == 1
        ws.write_string(r, 0, name)
        if isinstance(value, bool):  # an on/off setting: TRUE or FALSE
            ws.write_boolean(r, 1, value, fmt.setting_value)
            ws.write_boolean(r, 3, value)
        elif isinstance(value, str):  # a list or table, as text ("cancelled, void")
            ws.write_string(r, 1, value, fmt.setting_value)
            ws.write_string(r, 3, value)
            ws.write_string(r, 2, description, fmt.wrap)
            continue  # checked when read back (Settings names a bad value)
        else:
            ws.write_number(r, 1, value, fmt.setting_percent if share else fmt.setting_value)
            ws.write_number(r, 3, value, fmt.percent if share else None)
        ws.write_string(r, 2, description, fmt.wrap)
        ws.data_validation(r, 1, r, 1, _setting_check(name, value, description, info.metadata))
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 80)
    ws.set_column(3, 3, 9)
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
