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

from .build import build_all, build_template
from .columns import CHECKED_ROWS, KINDS, LISTS, SHEETS, TABLE_ROWS, template_columns

__all__ = [
    "CHECKED_ROWS",
    "KINDS",
    "LISTS",
    "SHEETS",
    "TABLE_ROWS",
    "build_all",
    "build_template",
    "template_columns",
]
