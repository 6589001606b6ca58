"""Blank workbooks a small business can start its CRM from: ``crmsheet template OUT.xlsx``.

>>> from crmsheet.templates import build_template
>>> build_template("customers.xlsx", kind="retail")        # doctest: +SKIP

Three kinds, because fewer columns get filled in sooner ("simplify as much as you can: this
makes user adoption faster"): ``services`` (trades, agencies, consultants), ``retail`` (a
shop: a name and a way to reach them is enough) and ``b2b`` (selling to companies: size,
groups and campaigns matter). Every kind has the same sheets: Customers, Transactions,
Marketing Spend, Support (Excel tables with dropdowns, date and number checks and a note
on each column saying what to type), Settings (crmsheet's thresholds, editable), a hidden
Lists sheet feeding the dropdowns, and How to use (what each column is for, and why).

Every header is one crmsheet's own header mapping understands (a test reads a filled-in
template back and checks each column lands on the intended field), and the build is
deterministic: ``templates/*.xlsx`` in the repository are exactly what :func:`build_all`
writes (a test rebuilds and compares them cell by cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import annotated_types
import xlsxwriter

from .config import Settings
from .errors import SettingsError
from .io.atomic import atomic_path
from .mapping import column_letter
from .schema import CUSTOMER_TYPES, SOURCES, SUPPORT_TIERS, Role, field_specs

__all__ = [
    "HELP",
    "KINDS",
    "LISTS",
    "SHEETS",
    "TABLE_ROWS",
    "build_all",
    "build_template",
    "template_columns",
]

#: The kinds of template, in the order the CLI lists them.
KINDS: tuple[str, ...] = ("services", "retail", "b2b")

#: Sheet names, in workbook order (the four data sheets first).
SHEETS: tuple[str, ...] = (
    "Customers", "Transactions", "Marketing Spend", "Support", "Settings", "Lists", "How to use",
)  # fmt: skip

#: Empty table rows: dropdowns, checks and formats cover them, and Excel extends a table
#: (with its checks) when a row is typed just below it.
TABLE_ROWS = 200

#: Fixed document properties: a rebuild gives the same file.
CREATED = datetime(2026, 1, 1)

DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "mmm yyyy"
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0%"
TEXT_FORMAT = "@"  # typed IDs and phone numbers stay text: 0412 345 678 keeps its 0
WHOLE_FORMAT = "0"


# -- the dropdown lists (the hidden Lists sheet) ----------------------------------------------

INDUSTRIES: tuple[str, ...] = (
    "Agriculture", "Automotive", "Beauty & wellness", "Construction", "Education",
    "Finance & insurance", "Healthcare", "Hospitality", "IT & software", "Manufacturing",
    "Marketing & media", "Non-profit", "Professional services", "Public sector",
    "Real estate", "Retail", "Trades", "Transport & logistics", "Wholesale", "Other",
)  # fmt: skip


def _label(value: str) -> str:
    """A canonical choice as shown in a dropdown: 'walk-in' -> 'Walk-in'."""
    return value[:1].upper() + value[1:]


#: List name -> (header on the Lists sheet, values). Values read back to the canonical
#: choices (crmsheet ignores case), so a picked value never raises a warning.
LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "source": ("Lead sources", tuple(_label(s) for s in SOURCES)),
    # "Active customer", not "Customer": a cell holding just "Customer" reads as a header
    # (of the customer's name), and crmsheet would take the Lists sheet for a customer table
    "type": (
        "Customer types",
        tuple("Active customer" if t == "customer" else _label(t) for t in CUSTOMER_TYPES),
    ),
    "industry": ("Industries", INDUSTRIES),
    "size_band": ("Size bands", ("micro", "small", "medium", "large")),
    "rating": ("Ratings", ("A", "B", "C")),
    "support_tier": ("Support tiers", tuple(_label(t) for t in SUPPORT_TIERS)),
    "kind": ("Transaction types", ("Invoice", "Quote", "Credit")),
    "severity": ("Severities", ("Low", "Normal", "High", "Urgent")),
}


def _list_source(name: str) -> str:
    col = column_letter(list(LISTS).index(name))
    return f"=Lists!${col}$2:${col}${len(LISTS[name][1]) + 1}"


# -- columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Help:
    """What to type in a column (its input message), and why the field matters."""

    what: str
    why: str = ""


#: (role, field) -> help. ``what`` is shown when a cell is selected (255 characters at
#: most); ``what`` and ``why`` are on the How to use sheet. The reasons come from the
#: seed articles: segments, channel ROI, referrers, group concentration, key dates, A/B/C.
HELP: dict[tuple[str, str], Help] = {
    ("customers", "customer_id"): Help(
        "Your own number or code for the customer, e.g. C001. Give each customer a "
        "different one.",
        "Links sales, support cases and referrals to the right customer, even when two "
        "names look alike.",
    ),
    ("customers", "name"): Help(
        "The customer's name as you know it.",
        "Only an ID or a name is needed on each row: fill in the rest when you know it.",
    ),
    ("customers", "industry"): Help(
        "Pick from the list, or type your own (e.g. Bakery).",
        "Shows how much you rely on one kind of customer, and where there is room to grow.",
    ),
    ("customers", "employees"): Help(
        "How many people work there: a number, or a range such as 10-49 or 1,000+.",
        "Bigger customers buy and need differently; crmsheet works out the size band.",
    ),
    ("customers", "size_band"): Help(
        "micro (1-9 staff), small (10-49), medium (50-249) or large (250+). Leave blank "
        "when you fill in Employees.",
        "Groups customers by size when you know roughly how big they are.",
    ),
    ("customers", "market"): Help(
        "Where the customer is, or which market: a town, region or country.",
        "Shows which areas bring in your business.",
    ),
    ("customers", "type"): Help(
        "Prospect, Active customer, Former customer, Partner, Supplier... Pick from the list.",
        "Keeps prospects and suppliers apart from the customers who pay you.",
    ),
    ("customers", "source"): Help(
        "How they found you: Referral, Campaign, Web, Phone, Email, Event, Walk-in, "
        "Partner or Other. Pick from the list.",
        "Together with your marketing spend, shows which way of finding customers pays "
        "back best, so you spend where it works.",
    ),
    ("customers", "campaign"): Help(
        "The campaign that brought them in, e.g. Spring flyer. Write it the same way as "
        "on the Marketing Spend sheet.",
        "Measures each campaign, not only each channel.",
    ),
    ("customers", "referred_by"): Help(
        "Who sent them to you: a customer (pick their ID or name) or another person.",
        "Shows who sends you business, so you can thank them and look after them.",
    ),
    ("customers", "parent_organization"): Help(
        "The group or head office this customer belongs to (its ID or name).",
        "Adds up sales per group, and warns when too much of your business depends on "
        "one group.",
    ),
    ("customers", "first_transaction"): Help(
        "Date of their first purchase, e.g. 2026-03-31. Not needed when you list their "
        "sales on Transactions.",
        "Tells new customers from long-standing ones.",
    ),
    ("customers", "last_transaction"): Help(
        "Date of their latest purchase. Not needed when you list their sales on "
        "Transactions.",
        "Finds customers who have not bought for a while, so you can call them before "
        "they are gone, and those who just did, to thank them.",
    ),
    ("customers", "next_follow_up"): Help(
        "When you plan to contact them next, e.g. 2026-04-15.",
        "Lists follow-ups that are overdue or due soon, so nobody is forgotten.",
    ),
    ("customers", "rating"): Help(
        "A, B or C as you see them today (A = your best customers). Optional.",
        "Customers are not all equal: crmsheet works out A/B/C from sales and support, "
        "and shows where it differs from yours.",
    ),
    ("customers", "rating_override"): Help(
        "A, B or C to fix the rating yourself; leave blank to let crmsheet decide.",
        "For a customer you know better than the numbers do, e.g. a new key account.",
    ),
    ("customers", "support_tier"): Help(
        "Base or Premium: the support the customer pays for.",
        "A customer who pays for base support but asks for premium support is rated one "
        "step down.",
    ),
    ("customers", "email"): Help(
        "Email address, for follow-ups.", "So you can reach them when a follow-up is due."
    ),
    ("customers", "phone"): Help(
        "Phone number, for follow-ups. It stays as you type it (a leading 0 is kept).",
        "So you can call them when a follow-up is due.",
    ),
    ("customers", "notes"): Help(
        "Anything worth remembering.", "Kept as it is; crmsheet does not change it."
    ),
    ("transactions", "invoice"): Help(
        "The invoice, receipt or quote number. Lines with the same number are one sale.",
        "Counts purchases right when one sale has several lines.",
    ),
    ("transactions", "date"): Help(
        "Date of the sale, e.g. 2026-03-31.",
        "Who buys often, who has gone quiet, who came back: it all comes from these dates.",
    ),
    ("transactions", "customer_id"): Help(
        "The customer's ID, as on the Customers sheet: pick it from the list.",
        "Links the sale to the customer.",
    ),
    ("transactions", "customer_name"): Help(
        "The customer's name, written as on the Customers sheet: pick it from the list.",
        "Links the sale to the customer.",
    ),
    ("transactions", "description"): Help("What you sold.", "For your own records."),
    ("transactions", "quantity"): Help("How many units (optional).", "With Unit price, "
                                       "gives the amount when you leave Amount blank."),
    ("transactions", "unit_price"): Help("Price of one unit (optional).", "With Qty, gives "
                                         "the amount when you leave Amount blank."),
    ("transactions", "discount"): Help(
        "Discount given, e.g. 10%. Leave blank for none.",
        "A customer who always pushes for a lower price is rated one step down.",
    ),
    ("transactions", "amount"): Help(
        "The total before tax. Leave blank to use Qty x Unit price less the Discount.",
        "Sales per customer decide who your A, B and C customers are.",
    ),
    ("transactions", "kind"): Help(
        "Invoice (a sale), Quote, or Credit (a refund: type the amount without a minus).",
        "Credits reduce sales; quotes show what was asked, and invoices far below their "
        "quote count as price pushing.",
    ),
    ("spend", "month"): Help(
        "The month the money was spent: type its first day, e.g. 2026-03-01.",
        "Spend up to the day of the analysis counts; a month still running counts in part.",
    ),
    ("spend", "source"): Help(
        "Where the money went: the same list as Lead source on the Customers sheet.",
        "Compared with the sales from the customers each source brought in, this gives "
        "the return on your marketing.",
    ),
    ("spend", "campaign"): Help(
        "The campaign name (optional), written as on the Customers sheet.",
        "Measures each campaign on its own.",
    ),
    ("spend", "amount"): Help("How much you spent.", "The cost side of your marketing "
                              "return."),
    ("support", "customer_id"): Help(
        "The customer's ID, as on the Customers sheet: pick it from the list.",
        "Links the case to the customer.",
    ),
    ("support", "customer_name"): Help(
        "The customer's name, written as on the Customers sheet: pick it from the list.",
        "Links the case to the customer.",
    ),
    ("support", "date"): Help("When the request came in, e.g. 2026-03-31."),
    ("support", "cases"): Help(
        "How many requests this row counts. Blank counts as 1.",
        "A customer who needs much more help than they pay for is rated one step down: "
        "support costs your staff's time.",
    ),
    ("support", "minutes"): Help(
        "Time your staff spent on it, in minutes.",
        "Time is what support really costs you.",
    ),
    ("support", "severity"): Help("Low, Normal, High or Urgent, or your own words.",
                                  "For your own records."),
}  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column of a template sheet: its header and the crmsheet field it fills."""

    header: str
    field: str
    width: float
    choices: str | None = None  # a list on the Lists sheet (or "customers": their keys)
    strict: bool = False  # only values from the list (else a note, and the value is kept)


def _customer_columns(kind: str) -> tuple[Column, ...]:
    name = {"services": "Customer name", "retail": "Name", "b2b": "Company"}[kind]
    every = {
        "customer_id": Column("Customer ID", "customer_id", 13),
        "name": Column(name, "name", 28),
        "industry": Column("Industry", "industry", 22, "industry"),
        "employees": Column("Employees", "employees", 12),
        "size_band": Column("Size band", "size_band", 12, "size_band", strict=True),
        "market": Column("Area" if kind == "services" else "Market", "market", 16),
        "type": Column("Customer type", "type", 16, "type"),
        "source": Column(
            "How did they find us?" if kind == "retail" else "Lead source",
            "source",
            16,
            "source",
        ),
        "campaign": Column("Campaign", "campaign", 18),
        "referred_by": Column("Referred by", "referred_by", 18, "customers"),
        "parent_organization": Column("Member of", "parent_organization", 20),
        "first_transaction": Column("First purchase", "first_transaction", 15),
        "last_transaction": Column("Last purchase", "last_transaction", 15),
        "next_follow_up": Column("Next follow-up", "next_follow_up", 15),
        "rating": Column("Rating", "rating", 9, "rating", strict=True),
        "rating_override": Column(
            "Rating set by hand", "rating_override", 12, "rating", strict=True
        ),
        "support_tier": Column("Support tier", "support_tier", 13, "support_tier"),
        "email": Column("Email", "email", 28),
        "phone": Column("Phone", "phone", 16),
        "notes": Column("Notes", "notes", 40),
    }
    fields = {
        "services": ("customer_id", "name", "industry", "market", "type", "source",
                     "referred_by", "first_transaction", "last_transaction",
                     "next_follow_up", "rating", "support_tier", "email", "phone", "notes"),
        "retail": ("name", "email", "phone", "source", "referred_by", "first_transaction",
                   "last_transaction", "next_follow_up", "rating", "notes"),
        "b2b": tuple(every),
    }[kind]  # fmt: skip
    return tuple(every[f] for f in fields)


def _columns(kind: str) -> dict[Role, tuple[Column, ...]]:
    # a retail shop rarely numbers its customers: sales and cases name them instead
    who = (Column("Customer", "customer_name", 24, "customers") if kind == "retail"
           else Column("Customer ID", "customer_id", 13, "customers"))  # fmt: skip
    return {
        "customers": _customer_columns(kind),
        "transactions": (
            Column("Invoice no", "invoice", 12),
            Column("Date", "date", 12),
            who,
            Column("Description", "description", 30),
            Column("Qty", "quantity", 8),
            Column("Unit price", "unit_price", 12),
            Column("Discount", "discount", 10),
            Column("Amount", "amount", 13),
            Column("Type", "kind", 10, "kind", strict=True),
        ),
        "spend": (
            Column("Month", "month", 11),
            Column("Source", "source", 14, "source"),
            Column("Campaign", "campaign", 22),
            Column("Spend", "amount", 13),
        ),
        "support": (
            who,
            Column("Opened", "date", 12),
            Column("Cases", "cases", 8),
            Column("Minutes", "minutes", 10),
            Column("Severity", "severity", 12, "severity"),
        ),
    }


def template_columns(kind: str) -> dict[str, dict[str, str]]:
    """Sheet -> header -> field for a kind of template: what crmsheet should read back."""
    _check_kind(kind)
    return {
        _SHEET_OF[role]: {c.header: c.field for c in cols} for role, cols in _columns(kind).items()
    }


_SHEET_OF: dict[Role, str] = {
    "customers": "Customers",
    "transactions": "Transactions",
    "spend": "Marketing Spend",
    "support": "Support",
}
_TABLE_NAME: dict[Role, str] = {
    "customers": "Customers",
    "transactions": "Transactions",
    "spend": "MarketingSpend",
    "support": "SupportCases",
}

_INTRO: dict[str, str] = {
    "services": "This workbook is set up for a service business (trades, agencies, "
    "consultants, salons...). Start with a customer ID and a name; fill in the rest "
    "when you know it.",
    "retail": "This workbook is set up for a shop. A name and a way to reach the customer "
    "are enough to start; fill in the rest when you know it.",
    "b2b": "This workbook is set up for a business that sells to other businesses. Start "
    "with a customer ID and the company name; size, group (Member of) and campaign "
    "show where your business comes from and how much depends on one group.",
}


# -- building -------------------------------------------------------------------------------


def build_template(path: str | Path, *, kind: str = "services", overwrite: bool = False) -> Path:
    """Write a blank CRM workbook of ``kind`` ("services", "retail" or "b2b") to ``path``.

    An unknown kind raises :class:`~crmsheet.errors.SettingsError`; an existing ``path``
    raises :class:`~crmsheet.errors.OutputFileError` unless ``overwrite=True``. The file is
    written atomically, and the same call always writes the same workbook.

    >>> build_template("customers.xlsx", kind="b2b")      # doctest: +SKIP
    PosixPath('customers.xlsx')
    """
    _check_kind(kind)
    with atomic_path(path, overwrite=overwrite) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False, "nan_inf_to_errors": True},
        )  # fmt: skip
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


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise SettingsError(f"template kind {kind!r}: choose one of {', '.join(KINDS)}")


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.month = book.add_format({"num_format": MONTH_FORMAT})
        self.money = book.add_format({"num_format": MONEY_FORMAT})
        self.percent = book.add_format({"num_format": PERCENT_FORMAT})
        self.text = book.add_format({"num_format": TEXT_FORMAT})
        self.whole = book.add_format({"num_format": WHOLE_FORMAT})
        self.number = book.add_format({"num_format": "0.##"})
        # Excel draws the table style; other apps (LibreOffice) need the header's own format
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "font_size": 12, "top": 1})
        self.bold = book.add_format({"bold": True, "bottom": 1, "text_wrap": True,
                                     "valign": "top"})  # fmt: skip
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.setting_value = book.add_format({"bg_color": "#FFF2CC", "border": 1})
        self.setting_percent = book.add_format({"bg_color": "#FFF2CC", "border": 1,
                                                "num_format": "0%"})  # fmt: skip
        self.muted = book.add_format({"font_color": "#595959", "text_wrap": True,
                                      "valign": "top"})  # fmt: skip


def _build(book: xlsxwriter.Workbook, kind: str) -> None:
    book.set_properties({
        "title": f"crmsheet template ({kind})",
        "subject": "A customer list that works as a CRM",
        "author": "crmsheet",
        "comments": f"Built by crmsheet.templates.build_template(kind={kind!r})",
        "created": CREATED,
    })  # fmt: skip
    fmt = _Formats(book)
    columns = _columns(kind)
    for role, cols in columns.items():
        _data_sheet(book, role, cols, columns, fmt)
    _settings_sheet(book, fmt)
    _lists_sheet(book)
    _how_to_sheet(book, kind, columns, fmt)
    book.worksheets()[0].activate()


def _data_sheet(
    book: xlsxwriter.Workbook,
    role: Role,
    cols: Sequence[Column],
    every: dict[Role, tuple[Column, ...]],
    fmt: _Formats,
) -> None:
    ws = book.add_worksheet(_SHEET_OF[role])
    specs = field_specs(role)
    last = TABLE_ROWS  # zero-based row index of the last table row
    for c, col in enumerate(cols):
        spec = specs[col.field]
        cell_format, validation = _rules(role, col, spec.kind, spec.ge, spec.le, fmt)
        if col.choices == "customers":  # column A of Customers: the ID (retail: the name)
            letter = column_letter(0)
            validation = {
                "validate": "list",
                "source": f"=Customers!${letter}$2:${letter}${last + 1}",
                "error_type": "information",
            }
        elif col.choices is not None:
            validation = {
                "validate": "list",
                "source": _list_source(col.choices),
                "error_type": "stop" if col.strict else "warning",
            }
        ws.set_column(c, c, max(col.width, len(col.header) + 4), cell_format)  # bold header
        if validation is not None:
            helptext = HELP[(role, col.field)].what
            validation |= _messages(col.header, helptext, validation)
            ws.data_validation(1, c, last, c, validation)
    ws.add_table(
        0, 0, last, len(cols) - 1,
        {"name": _TABLE_NAME[role], "style": "Table Style Medium 2",
         "columns": [{"header": col.header, "header_format": fmt.header} for col in cols]},
    )  # fmt: skip
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    _print_setup(ws)


def _print_setup(ws: Any) -> None:
    """Printed, a sheet fits the page width, in landscape."""
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _rules(
    role: Role, col: Column, kind: str, ge: float | None, le: float | None, fmt: _Formats
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


def _settings_sheet(book: xlsxwriter.Workbook, fmt: _Formats) -> None:
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
    _print_setup(ws)


def _upper(metadata: Sequence[object]) -> float | None:
    for m in metadata:
        if isinstance(m, annotated_types.Le):
            return float(m.le)  # type: ignore[arg-type]
        if isinstance(m, annotated_types.Lt):
            return float(m.lt)  # type: ignore[arg-type]
    return None


def _lower(metadata: Sequence[object]) -> float | None:
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            return float(m.ge)  # type: ignore[arg-type]
        if isinstance(m, annotated_types.Gt):
            return float(m.gt)  # type: ignore[arg-type]
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


def _lists_sheet(book: xlsxwriter.Workbook) -> None:
    ws = book.add_worksheet("Lists")
    for c, (header, values) in enumerate(LISTS.values()):
        ws.write_string(0, c, header)
        for r, value in enumerate(values, start=1):
            ws.write_string(r, c, value)
        ws.set_column(c, c, 22)
    ws.hide()


def _how_to_sheet(
    book: xlsxwriter.Workbook, kind: str, columns: dict[Role, tuple[Column, ...]], fmt: _Formats
) -> None:
    ws = book.add_worksheet("How to use")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 60)
    lines: list[tuple[str, ...]] = [
        ("How to use this workbook",),
        (_INTRO[kind],),
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
        ws.write_string(r, 0, f"The {_SHEET_OF[role]} sheet", fmt.heading)
        ws.write_string(r, 1, "What to type", fmt.heading)
        ws.write_string(r, 2, "Why it matters", fmt.heading)
        r += 1
        for c, col in enumerate(cols):
            helptext = HELP[(role, col.field)]
            # "Column A: Customer ID", never the bare header: a cell holding only a header
            # would make crmsheet take this sheet for a table of customers
            ws.write_string(r, 0, f"Column {column_letter(c)}: {col.header}", fmt.wrap)
            ws.write_string(r, 1, helptext.what, fmt.wrap)
            ws.write_string(r, 2, helptext.why, fmt.muted)
            longest = max(len(helptext.what), len(helptext.why))
            ws.set_row(r, 15 * (1 + longest // 62))
            r += 1
    _print_setup(ws)


if __name__ == "__main__":  # python -m crmsheet.templates [FOLDER]: rebuild templates/
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "templates"
    for built in build_all(target):
        print(built)
