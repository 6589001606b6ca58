"""Building a template: the data sheets as empty Excel tables with checks, Lists, How to use.

Each data sheet is an Excel table of :data:`~.columns.TABLE_ROWS` empty rows laid out as
every crmsheet table (:func:`crmsheet.io.tables.lay_out_table`); each column carries the
number format and data validation its field's kind calls for (down to
:data:`~.columns.CHECKED_ROWS` rows, far below the table, so rows added later are checked
too), and its field's help (:mod:`crmsheet.schema`) as the input message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..io.atomic import atomic_path
from ..io.tables import lay_out_table, new_workbook
from ..mapping import column_letter
from ..schema import Role, field_specs
from .columns import (
    CHECKED_ROWS,
    INTRO,
    KINDS,
    LISTS,
    SHEET_OF,
    TABLE_NAME,
    TABLE_ROWS,
    Column,
    check_kind,
    columns_of,
    list_source,
)
from .layout import Formats, print_setup
from .settings_sheet import rates_sheet, settings_sheet

__all__ = ["build_all", "build_template"]

#: Fixed document properties: a rebuild gives the same file.
CREATED = datetime(2026, 1, 1)


def build_template(path: str | Path, *, kind: str = "services", overwrite: bool = False) -> Path:
    """Write a blank CRM workbook of ``kind`` ("services", "retail" or "b2b") to ``path``.

    An unknown kind raises :class:`~crmsheet.errors.SettingsError`; an existing ``path``
    raises :class:`~crmsheet.errors.OutputFileError` unless ``overwrite=True``; a name not
    ending in .xlsx (the template is an Excel workbook) raises
    :class:`~crmsheet.errors.SettingsError` before anything is written. The file is written
    atomically, and the same call always writes the same workbook.

    >>> build_template("customers.xlsx", kind="b2b")      # doctest: +SKIP
    PosixPath('customers.xlsx')
    """
    check_kind(kind)
    if Path(path).suffix.lower() != ".xlsx":
        raise SettingsError(f"{path}: a template is an Excel workbook; give a file name ending "
                            "in .xlsx, e.g. customers.xlsx")  # fmt: skip
    with atomic_path(path, overwrite=overwrite) as tmp:
        book = new_workbook(tmp)
        try:
            _build(book, kind)
        finally:
            book.close()
    return Path(path)


def build_all(folder: str | Path) -> list[Path]:
    """Build every kind into ``folder`` as ``<kind>.xlsx`` (replacing what is there)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [build_template(folder / f"{k}.xlsx", kind=k, overwrite=True) for k in KINDS]


def _build(book: Any, kind: str) -> None:
    book.set_properties({
        "title": f"crmsheet template ({kind})",
        "subject": "A customer list that works as a CRM",
        "author": "crmsheet",
        "comments": f"Built by crmsheet.templates.build_template(kind={kind!r})",
        "created": CREATED,
    })  # fmt: skip
    fmt = Formats(book)
    columns = columns_of(kind)
    for role, cols in columns.items():
        _data_sheet(book, role, cols, fmt)
    settings_sheet(book, fmt)
    rates_sheet(book, fmt)
    _lists_sheet(book)
    _how_to_sheet(book, kind, columns, fmt)
    book.worksheets()[0].activate()


def _data_sheet(book: Any, role: Role, cols: Sequence[Column], fmt: Formats) -> None:
    """One data sheet: an empty table, each column with its format, check and help."""
    ws = book.add_worksheet(SHEET_OF[role])
    specs = field_specs(role)
    last = TABLE_ROWS  # zero-based row index of the last table row
    checked = CHECKED_ROWS  # zero-based row index of the last checked row, far below it
    for c, col in enumerate(cols):
        spec = specs[col.field]
        cell_format, validation = _rules(role, col, spec.kind, spec.ge, spec.le, fmt)
        if col.choices == "customers":  # column A of Customers: the ID (retail: the name)
            letter = column_letter(0)
            validation = {
                "validate": "list",
                "source": f"=Customers!${letter}$2:${letter}${checked + 1}",
                "error_type": "information",
            }
        elif col.choices is not None:
            validation = {
                "validate": "list",
                "source": list_source(col.choices),
                "error_type": "stop" if col.strict else "warning",
            }
        ws.set_column(c, c, max(col.width, len(col.header) + 4), cell_format)  # bold header
        if validation is not None:
            validation |= _messages(col.header, spec.what, validation)
            ws.data_validation(1, c, checked, c, validation)
    lay_out_table(ws, [col.header for col in cols], last, TABLE_NAME[role], fmt.header)
    ws.repeat_rows(0)
    print_setup(ws)


def _rules(
    role: Role, col: Column, kind: str, ge: float | None, le: float | None, fmt: Formats
) -> tuple[Any, dict[str, Any] | None]:
    """The number format and data validation a field's kind calls for."""
    if kind == "date":
        month = role == "spend" and col.field == "month"
        check = {"validate": "date", "criteria": "between", "minimum": datetime(1900, 1, 1),
                 "maximum": datetime(2199, 12, 31), "error_type": "stop"}  # fmt: skip
        return (fmt.month if month else fmt.date), check
    if kind in ("money", "number", "count"):
        # a refund is a Credit with a positive amount: crmsheet turns it negative
        check = {"validate": "integer" if kind == "count" else "decimal", "criteria": ">=",
                 "value": 0, "error_type": "stop"}  # fmt: skip
        style = {"money": fmt.money, "count": fmt.whole, "number": fmt.number}[kind]
        return style, check
    if kind == "percent":
        low, high = ge if ge is not None else 0, le if le is not None else 1
        check = {"validate": "decimal", "criteria": "between", "minimum": low,
                 "maximum": high, "error_type": "stop"}  # fmt: skip
        return fmt.percent, check
    if kind in ("id", "phone"):
        return fmt.text, {"validate": "any"}
    return None, {"validate": "any"}


def _messages(header: str, helptext: str, validation: dict[str, Any]) -> dict[str, Any]:
    """Input message (what to type) and, for checked cells, a plain error message."""
    out: dict[str, Any] = {"input_title": header[:32], "input_message": helptext}
    check = validation["validate"]
    if check == "list":
        allowed = {
            "stop": "Pick a value from the list.",
            "warning": "This value is not on the list. Keep it anyway?",
            "information": "This is not on the list; it is kept as you typed it.",
        }
        out |= {"error_title": header[:32], "error_message": allowed[validation["error_type"]]}
    elif check == "date":
        out |= {"error_title": "Not a date",
                "error_message": "Type a date, e.g. 2026-03-31 (or as your Excel usually "
                "writes dates)."}  # fmt: skip
    elif check in ("decimal", "integer"):
        words = {"integer": "a whole number, 0 or more", "decimal": "a number, 0 or more"}
        if validation.get("criteria") == "between":
            words["decimal"] = "a percentage from 0% to 100%, e.g. 10%"
        out |= {"error_title": "Not a number",
                "error_message": f"Type {words[check]}. {helptext}"[:255]}  # fmt: skip
    assert len(out["input_message"]) <= 255, header
    return out


def _lists_sheet(book: Any) -> None:
    """The hidden sheet the dropdowns read their lists from."""
    ws = book.add_worksheet("Lists")
    for c, (header, values) in enumerate(LISTS.values()):
        ws.write_string(0, c, header)
        for r, value in enumerate(values, start=1):
            ws.write_string(r, c, value)
        ws.set_column(c, c, 22)
    ws.hide()


def _how_to_sheet(  # the sheet of what each column is for, and why
    book: Any, kind: str, columns: dict[Role, tuple[Column, ...]], fmt: Formats
) -> None:
    ws = book.add_worksheet("How to use")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 60)
    lines: list[tuple[str, ...]] = [
        ("How to use this workbook",),
        (INTRO[kind],),
        ("Put one customer on each row of the Customers sheet, and each sale on the "
         "Transactions sheet. Marketing Spend and Support are optional: they show which way "
         "of finding customers pays back, and which customers take the most of your time.",),
        ("When you select a cell, a note says what to type. Where a small arrow appears "
         "beside the cell, pick from its list; where it makes sense you can type your own "
         "words too.",),
        ("Add columns of your own at the right of a sheet: crmsheet keeps them as they are. "
         "Keep the column names as they are, or use names crmsheet knows (Company, Lead "
         "source, Member of...).",),
        ("Then run: crmsheet enrich this-file.xlsx. It writes a new workbook beside this one "
         "(never changing it) with A/B/C ratings and why, customers to call back, follow-ups "
         "due, which lead source pays back best, and a list of anything it could not read, "
         "cell by cell.",),
        ("The Settings sheet holds the thresholds (for example, after how many days without "
         "a purchase a customer counts as lapsed): change them there.",),
    ]  # fmt: skip
    r = 0
    for i, (text,) in enumerate(lines):
        ws.merge_range(r, 0, r, 2, text, fmt.title if i == 0 else fmt.wrap)
        if i:
            ws.set_row(r, 15 * (1 + len(text) // 135))
        r += 1
    for role, cols in columns.items():
        r += 1
        ws.write_string(r, 0, f"The {SHEET_OF[role]} sheet", fmt.heading)
        ws.write_string(r, 1, "What to type", fmt.heading)
        ws.write_string(r, 2, "Why it matters", fmt.heading)
        r += 1
        specs = field_specs(role)
        for c, col in enumerate(cols):
            helptext = specs[col.field]
            # "Column A: Customer ID", never the bare header: a cell holding only a header
            # would make crmsheet take this sheet for a table of customers
            ws.write_string(r, 0, f"Column {column_letter(c)}: {col.header}", fmt.wrap)
            ws.write_string(r, 1, helptext.what, fmt.wrap)
            ws.write_string(r, 2, helptext.why, fmt.muted)
            longest = max(len(helptext.what), len(helptext.why))
            ws.set_row(r, 15 * (1 + longest // 62))
            r += 1
    print_setup(ws)
