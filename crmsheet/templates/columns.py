"""What a template holds: its kinds, sheets, columns, and the lists behind the dropdowns.

Data only, no workbook: :mod:`.build` lays these out. Each column names the crmsheet field
it fills (its help text, check and format come from that field in :mod:`crmsheet.schema`),
and every header is one crmsheet's own header mapping reads back to that field.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import CUSTOMER_TYPES, SOURCES, SUPPORT_TIERS
from ..errors import SettingsError
from ..mapping import column_letter
from ..schema import Role

__all__ = [
    "CHECKED_ROWS",
    "INTRO",
    "KINDS",
    "LISTS",
    "SHEETS",
    "SHEET_OF",
    "TABLE_NAME",
    "TABLE_ROWS",
    "Column",
    "check_kind",
    "columns_of",
    "list_source",
    "template_columns",
]

#: The kinds of template, in the order the CLI lists them.
KINDS: tuple[str, ...] = ("services", "retail", "b2b")

#: Sheet names, in workbook order (the four data sheets first).
SHEETS: tuple[str, ...] = (
    "Customers", "Transactions", "Marketing Spend", "Support", "Settings", "Rates", "Lists",
    "How to use",
)  # fmt: skip

#: Empty table rows; Excel extends the table when a row is typed just below it.
TABLE_ROWS = 200

#: Rows below the header that the dropdowns, checks and the pick list of customers cover:
#: the table grows as rows are typed, and a check stopping at the table's first size left
#: row 202 on unchecked. One range per column (A2:A10001), so the file stays as small.
CHECKED_ROWS = 10_000


# -- the dropdown lists (the hidden Lists sheet) ----------------------------------------------

INDUSTRIES: tuple[str, ...] = (
    "Agriculture", "Automotive", "Beauty & wellness", "Construction", "Education",
    "Finance & insurance", "Healthcare", "Hospitality", "IT & software", "Manufacturing",
    "Marketing & media", "Non-profit", "Professional services", "Public sector",
    "Real estate", "Retail", "Trades", "Transport & logistics", "Wholesale", "Other",
)  # fmt: skip


#: The currencies the dropdowns offer first (a currency column takes any ISO code).
CURRENCIES: tuple[str, ...] = (
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "CNY", "INR", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "ZAR", "BRL", "MXN",
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
    # the common ones; any ISO 4217 code (or €, £) is read too
    "currency": ("Currencies", CURRENCIES),
}


def list_source(name: str) -> str:
    """The dropdown source of a list: its cells on the hidden Lists sheet."""
    col = column_letter(list(LISTS).index(name))
    return f"=Lists!${col}$2:${col}${len(LISTS[name][1]) + 1}"


# -- columns ----------------------------------------------------------------------------------


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
        # last: filled in only on a customer entered twice (the ID of the row to keep)
        "same_as": Column("Same as", "same_as", 13, "customers"),
    }
    fields = {
        "services": ("customer_id", "name", "industry", "market", "type", "source",
                     "referred_by", "first_transaction", "last_transaction",
                     "next_follow_up", "rating", "support_tier", "email", "phone", "notes",
                     "same_as"),
        "retail": ("name", "email", "phone", "source", "referred_by", "first_transaction",
                   "last_transaction", "next_follow_up", "rating", "notes", "same_as"),
        "b2b": tuple(every),
    }[kind]  # fmt: skip
    return tuple(every[f] for f in fields)


def columns_of(kind: str) -> dict[Role, tuple[Column, ...]]:
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
            # blank: your own currency; another is converted with its rate (the Rates sheet)
            Column("Currency", "currency", 10, "currency"),
        ),
        "spend": (
            Column("Month", "month", 11),
            Column("Source", "source", 14, "source"),
            Column("Campaign", "campaign", 22),
            Column("Spend", "amount", 13),
            Column("Currency", "currency", 10, "currency"),
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
    check_kind(kind)
    return {
        SHEET_OF[role]: {c.header: c.field for c in cols} for role, cols in columns_of(kind).items()
    }


SHEET_OF: dict[Role, str] = {
    "customers": "Customers",
    "transactions": "Transactions",
    "spend": "Marketing Spend",
    "support": "Support",
}
TABLE_NAME: dict[Role, str] = {
    "customers": "Customers",
    "transactions": "Transactions",
    "spend": "MarketingSpend",
    "support": "SupportCases",
}

INTRO: dict[str, str] = {
    "services": "This workbook is set up for a service business (trades, agencies, "
    "consultants, salons...). Start with a customer ID and a name; fill in the rest "
    "when you know it.",
    "retail": "This workbook is set up for a shop. A name and a way to reach the customer "
    "are enough to start; fill in the rest when you know it.",
    "b2b": "This workbook is set up for a business that sells to other businesses. Start "
    "with a customer ID and the company name; size, group (Member of) and campaign "
    "show where your business comes from and how much depends on one group.",
}


def check_kind(kind: str) -> None:
    """Raise :class:`~crmsheet.errors.SettingsError` unless ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise SettingsError(f"template kind {kind!r}: choose one of {', '.join(KINDS)}")
