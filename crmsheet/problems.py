"""The problem report: every cell or row crmsheet could not use, or thinks you should check.

Bad rows are data, not exceptions. Each problem has a stable ``code`` with one message
template (the catalogue below), so a report can be filtered, counted and compared in tests::

    report.frame[["row", "column", "code"]].values.tolist()
    == [[12, "Last purchase", "bad-date"], ...]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "CATALOGUE", "PROBLEM_COLUMNS", "ProblemCode", "ProblemReport", "ProblemType", "problem_rows",
]  # fmt: skip

Severity = Literal["error", "warning"]
Action = Literal["row skipped", "cell ignored", "kept", "sheet skipped"]


class ProblemCode(StrEnum):
    """Every problem code crmsheet reports; the value is the text of the report's ``code`` column.

    Problems are emitted by member (``ProblemCode.BAD_DATE``), so a misspelled code fails the
    type check (and raises AttributeError when run); :func:`problem_rows` raises ValueError
    for a string that is no code. Members equal their text: ``ProblemCode.BAD_DATE ==
    "bad-date"``.
    """

    BAD_DATE = "bad-date"
    AMBIGUOUS_DATE = "ambiguous-date"
    BAD_MONEY = "bad-money"
    BAD_NUMBER = "bad-number"
    BAD_COUNT = "bad-count"
    BAD_PERCENT = "bad-percent"
    OUT_OF_RANGE = "out-of-range"
    BAD_EMPLOYEES = "bad-employees"
    BAD_RATING = "bad-rating"
    EXCEL_ERROR = "excel-error"
    BAD_EMAIL = "bad-email"
    UNKNOWN_SOURCE = "unknown-source"
    UNKNOWN_CHOICE = "unknown-choice"
    UNKNOWN_KIND = "unknown-kind"
    MISSING_ID_AND_NAME = "missing-id-and-name"
    MISSING_CUSTOMER = "missing-customer"
    MISSING_DATE = "missing-date"
    MISSING_AMOUNT = "missing-amount"
    MISSING_SPEND_SOURCE = "missing-spend-source"
    MISSING_PERIOD = "missing-period"
    UNKNOWN_INVOICE = "unknown-invoice"
    EXTRA_FIELDS = "extra-fields"
    REPAIRED_ROW = "repaired-row"
    TOTAL_ROW = "total-row"
    REPEATED_HEADER = "repeated-header"
    DUPLICATE_ID = "duplicate-id"
    DUPLICATE_NAME = "duplicate-name"
    NEAR_DUPLICATE_NAME = "near-duplicate-name"
    LAST_BEFORE_FIRST = "last-before-first"
    FUTURE_DATE = "future-date"
    UNKNOWN_CUSTOMER = "unknown-customer"
    UNKNOWN_REFERRER = "unknown-referrer"
    UNKNOWN_PARENT = "unknown-parent"
    PARENT_CYCLE = "parent-cycle"
    DUPLICATE_HEADER = "duplicate-header"
    UNUSABLE_SHEET = "unusable-sheet"
    ENCODING_GUESS = "encoding-guess"
    ENCODING_ERRORS = "encoding-errors"
    NUL_BYTES = "nul-bytes"
    UNCLOSED_QUOTE = "unclosed-quote"
    FILE_NOTE = "file-note"
    # order statuses (issue 13, helper "status")
    STATUS_NOT_REVENUE = "status-not-revenue"
    UNKNOWN_STATUS = "unknown-status"
    # joins across files
    LINES_TOTAL_MISMATCH = "lines-total-mismatch"
    PAYMENT_UNKNOWN_ORDER = "payment-unknown-order"
    ORDER_WITHOUT_AMOUNT = "order-without-amount"
    # header words and sheet roles (issue 13)
    ROLE_CLOSE_CALL = "role-close-call"
    # rows: every row accounted for (issue 20)
    ROW_ABOVE_HEADER = "row-above-header"
    REORDERED_HEADER = "reordered-header"
    # ledger: repeated invoice totals, double-entry ledgers, one order in two tables
    LEDGER_UNBALANCED = "ledger-unbalanced"
    ORDER_IN_TWO_TABLES = "order-in-two-tables"
    ORDER_TOTALS_DIFFER = "order-totals-differ"
    # the same customer found by email (issue 13, helper "email")
    DUPLICATE_EMAIL = "duplicate-email"
    # the customer sheet's own totals and dates against the transactions (issue 14)
    SUMMARY_DISAGREES = "summary-disagrees"
    # phones and countries (issue 18, helper "phones")
    BAD_PHONE = "bad-phone"
    UNKNOWN_COUNTRY = "unknown-country"
    # an invoice number like C1001 read as a credit note, or as the shop's own numbering
    CREDIT_BY_NUMBER = "credit-by-number"
    # currencies and exchange rates (issue 18)
    NO_RATE = "no-rate"
    UNKNOWN_CURRENCY = "unknown-currency"
    BAD_RATE = "bad-rate"
    # "Same as": a customer row merged into another (issue 18)
    UNKNOWN_SAME_AS = "unknown-same-as"
    SAME_AS_SELF = "same-as-self"
    SAME_AS_CHAIN = "same-as-chain"
    SAME_AS_CYCLE = "same-as-cycle"
    # the History sheet of an earlier run, edited by hand (issue 17)
    BAD_HISTORY_CELL = "bad-history-cell"
    # a line or payment of an order row that was itself left out (issue 18)
    ORDER_LEFT_OUT = "order-left-out"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its code, how bad it is, what crmsheet did, and its message."""

    code: ProblemCode
    severity: Severity
    action: Action
    title: str
    template: str  # str.format fields: value, column, field, detail


def _p(
    code: ProblemCode, severity: Severity, action: Action, title: str, template: str
) -> ProblemType:
    return ProblemType(code, severity, action, title, template)


CATALOGUE: dict[ProblemCode, ProblemType] = {p.code: p for p in [
    # cells that cannot be read
    _p(ProblemCode.BAD_DATE, "error", "cell ignored", "Not a date",
       "“{value}” in {column} is not a date crmsheet can read. Write it as a date such as "
       "2024-03-31, or make the cell an Excel date."),
    _p(ProblemCode.AMBIGUOUS_DATE, "warning", "kept", "Day or month first?",
       "Dates in {column} such as “{value}” could be day/month or month/day: {detail}. "
       "If that is wrong, write one date with a day above 12 (or as "
       "2024-03-05) so the column can tell."),
    _p(ProblemCode.BAD_MONEY, "error", "cell ignored", "Not an amount",
       "“{value}” in {column} is not an amount of money. Write a number such as 1234.50."),
    _p(ProblemCode.BAD_NUMBER, "error", "cell ignored", "Not a number",
       "“{value}” in {column} is not a number. Write a number such as 12 or 3.5."),
    _p(ProblemCode.BAD_COUNT, "error", "cell ignored", "Not a count",
       "“{value}” in {column} is not a whole number of 0 or more."),
    _p(ProblemCode.BAD_PERCENT, "error", "cell ignored", "Not a percentage",
       "“{value}” in {column} is not a percentage. Write it as 10% or 0.1."),
    _p(ProblemCode.OUT_OF_RANGE, "error", "cell ignored", "Out of range",
       "{value} in {column} is out of range: {detail}."),
    _p(ProblemCode.BAD_EMPLOYEES, "error", "cell ignored", "Not a number of employees",
       "“{value}” in {column} is not a number of employees. Write a number (45) or a range "
       "(50-99, 1,000+)."),
    _p(ProblemCode.BAD_RATING, "error", "cell ignored", "Not a rating",
       "“{value}” in {column} is not a rating. Use A, B or C."),
    _p(ProblemCode.EXCEL_ERROR, "warning", "cell ignored", "Excel error in a cell",
       "{column} shows the Excel error {value}: a formula failed, so there is no value. "
       "Fix the formula (or type the value) and run again."),
    _p(ProblemCode.BAD_EMAIL, "warning", "kept", "Odd email address",
       "“{value}” in {column} does not look like an email address (name@example.com)"
       "{detail}"),
    _p(ProblemCode.UNKNOWN_SOURCE, "warning", "kept", "New source",
       "“{value}” in {column} is not one of crmsheet's sources ({detail}); it is kept as a "
       "channel of its own. If it means one of those, write that instead."),
    _p(ProblemCode.UNKNOWN_CHOICE, "warning", "kept", "Unexpected value",
       "“{value}” in {column} is not one of the usual values ({detail}); it is kept as "
       "written."),
    _p(ProblemCode.UNKNOWN_KIND, "warning", "kept", "Unknown transaction type",
       "“{value}” in {column} is not invoice, quote or credit; the row is counted as an "
       "invoice."),
    # rows that cannot be used
    _p(ProblemCode.MISSING_ID_AND_NAME, "error", "row skipped", "No customer ID or name",
       "This row has no customer ID and no name, so it cannot be a customer. Fill in one "
       "of them, or delete the row."),
    _p(ProblemCode.MISSING_CUSTOMER, "error", "row skipped", "No customer",
       "This row names no customer, so it cannot be counted for anyone. Fill in the "
       "customer's ID or name."),
    _p(ProblemCode.MISSING_DATE, "error", "row skipped", "No date",
       "This row has no usable date in {column}, so it cannot be placed in time. Fill in "
       "the date."),
    _p(ProblemCode.MISSING_AMOUNT, "error", "row skipped", "No amount",
       "This row has no usable amount (nor quantity and unit price), so it adds nothing. "
       "Fill in the amount."),
    _p(ProblemCode.MISSING_SPEND_SOURCE, "error", "row skipped", "Spend without a source",
       "This spend row names no source or campaign, so it cannot be matched to customers. "
       "Fill in the source or campaign."),
    _p(ProblemCode.MISSING_PERIOD, "error", "row skipped", "Spend without a period",
       "This spend row has no period (start, end or month), so it cannot be matched to "
       "the customers it brought. Fill in the month or the start date."),
    _p(ProblemCode.UNKNOWN_INVOICE, "error", "row skipped", "Line of an unknown invoice",
       "Invoice “{value}” in {column} is on no order row, so this line has no customer "
       "or date. Check the invoice number."),
    _p(ProblemCode.EXTRA_FIELDS, "error", "row skipped", "Row with extra values",
       "{detail}"),
    _p(ProblemCode.REPAIRED_ROW, "warning", "kept", "Row put back together",
       "This row had more values than the header: a comma without quotes split one value. "
       "crmsheet joined it back as “{value}” in {column}. Check the row, and put such "
       "values in quotes."),
    _p(ProblemCode.TOTAL_ROW, "warning", "row skipped", "Total row",
       "This looks like a total row (“{value}”), not a record; it was left out so it is "
       "not counted twice."),
    _p(ProblemCode.REPEATED_HEADER, "warning", "row skipped", "Header repeated",
       "This row repeats the header row; it was left out."),
    _p(ProblemCode.DUPLICATE_ID, "error", "row skipped", "Duplicate customer ID",
       "Customer ID “{value}” is also on row {detail}; only that row was used. Give each "
       "customer its own ID, or merge the two rows."),
    _p(ProblemCode.DUPLICATE_NAME, "error", "row skipped", "Duplicate customer name",
       "“{value}” is also on row {detail}, and neither has a customer ID; only that row was "
       "used. Give each customer an ID, or merge the two rows."),
    # relations and dates worth a look
    _p(ProblemCode.NEAR_DUPLICATE_NAME, "warning", "kept", "Same customer twice?",
       "“{value}” looks like the same customer as {detail}. Merge them if they are one "
       "customer."),
    _p(ProblemCode.LAST_BEFORE_FIRST, "warning", "kept", "Latest before first",
       "The latest transaction ({value}) is before the first one ({detail}). Check the "
       "two dates."),
    _p(ProblemCode.FUTURE_DATE, "warning", "kept", "Date in the future",
       "{value} in {column} is after {detail}. Check the year."),
    _p(ProblemCode.UNKNOWN_CUSTOMER, "warning", "kept", "Customer not on the customer sheet",
       "“{value}” in {column} ({detail}) matches no customer on the customer sheet; "
       "crmsheet counts it as a customer of its own. Add it to the customer sheet or "
       "correct the name/ID."),
    _p(ProblemCode.UNKNOWN_REFERRER, "warning", "kept", "Referrer not a customer",
       "“{value}” in {column} matches no customer; it is kept as an outside associate."),
    _p(ProblemCode.UNKNOWN_PARENT, "warning", "kept", "Parent not a customer",
       "“{value}” in {column} matches no customer; it is kept as a group of its own."),
    _p(ProblemCode.PARENT_CYCLE, "error", "kept", "Parent chain loops",
       "The parent chain loops back on itself ({detail}). Give the top company no parent."),
    # sheets and columns
    _p(ProblemCode.DUPLICATE_HEADER, "warning", "kept", "Two columns with one name",
       "Two columns are called “{value}”; this one is read as “{detail}”."),
    _p(ProblemCode.UNUSABLE_SHEET, "warning", "sheet skipped", "Sheet not recognised",
       "{detail}"),
    _p(ProblemCode.ENCODING_GUESS, "warning", "kept", "Character set guessed", "{detail}"),
    _p(ProblemCode.ENCODING_ERRORS, "warning", "kept", "Damaged characters", "{detail}"),
    _p(ProblemCode.NUL_BYTES, "warning", "kept", "NUL bytes removed", "{detail}"),
    _p(ProblemCode.UNCLOSED_QUOTE, "error", "row skipped", "Quote never closed", "{detail}"),
    _p(ProblemCode.FILE_NOTE, "warning", "kept", "Note from the reader", "{detail}"),
    # order statuses (issue 13, helper "status")
    _p(ProblemCode.STATUS_NOT_REVENUE, "warning", "kept", "Not counted as revenue",
       "{detail} with status “{value}” in {column}: not counted as revenue (the rows stay "
       "in the data). To count them, take {value} out of excluded_statuses in Settings."),
    _p(ProblemCode.UNKNOWN_STATUS, "warning", "kept", "Unknown status",
       "“{value}” in {column} ({detail}) is not a status crmsheet knows, so it is counted as "
       "revenue. Say what it means in Settings, e.g. status_codes = {value}=cancelled (or "
       "completed, open, refunded...): the statuses in excluded_statuses are not revenue."),
    # joins across files
    _p(ProblemCode.LINES_TOTAL_MISMATCH, "warning", "kept", "Lines do not add up",
       "The lines of invoice “{value}” add up to {detail}. crmsheet counts the invoice "
       "total; check the lines and the total."),
    _p(ProblemCode.PAYMENT_UNKNOWN_ORDER, "warning", "row skipped", "Payment of an unknown order",
       "This payment names order “{value}” in {column}, which is on no order row, so it "
       "cannot be linked to a customer. Check the order number."),
    _p(ProblemCode.ORDER_WITHOUT_AMOUNT, "error", "row skipped", "Order without an amount",
       "Order “{value}” has no amount and {detail}, so it adds no sales. Give the file of "
       "order lines too (crmsheet joins them by order number), or map the amount column "
       "with --map amount=HEADER."),
    # header words and sheet roles (issue 13)
    _p(ProblemCode.ROLE_CLOSE_CALL, "warning", "kept", "Sheet could be read two ways",
       "{detail}"),
    # rows: every row accounted for (issue 20)
    _p(ProblemCode.ROW_ABOVE_HEADER, "warning", "row skipped", "Row above the header",
       "This row (“{value}”) is above the header row {detail}, so it was not read. Move it "
       "below the header row, or delete it if it is not a record."),
    _p(ProblemCode.REORDERED_HEADER, "warning", "row skipped", "Header again, in another order",
       "This row is the header again with its columns in another order; it was left out, and "
       "the rows below it were read by its own columns.{detail}"),
    # ledger: repeated invoice totals, double-entry ledgers, one order in two tables
    _p(ProblemCode.LEDGER_UNBALANCED, "warning", "kept", "Receivable differs from income",
       "Invoice “{value}” is booked to accounts receivable as {detail}. crmsheet counts the "
       "income lines; check the invoice in your accounting program."),
    _p(ProblemCode.ORDER_IN_TWO_TABLES, "warning", "kept", "Order in two tables",
       "Order “{value}” is also in {detail}, with the same customer and total, so crmsheet "
       "counts it once, from there. If it is really a second order, give it its own number."),
    _p(ProblemCode.ORDER_TOTALS_DIFFER, "warning", "kept", "One order, two totals",
       "Order “{value}” is also in {detail}. crmsheet counts it once, with the total from "
       "there (the table read first); correct the other one if it is wrong."),
    # the same customer found by email (issue 13, helper "email")
    _p(ProblemCode.DUPLICATE_EMAIL, "warning", "row skipped", "Same customer, by email",
       "This row has no customer ID and its email “{value}” is also on row {detail}, so it "
       "was counted as that customer and this row was not used. If they are two customers, "
       "give this row an ID (or its own email); if they are one, delete this row."),
    # the customer sheet's own totals and dates against the transactions (issue 14)
    _p(ProblemCode.SUMMARY_DISAGREES, "warning", "kept", "Sheet and transactions disagree",
       "{column} says {value}; {detail}. crmsheet's figures follow the transactions: "
       "check which is right (a column that counts something else can be left as it is)."),
    # phones and countries (issue 18, helper "phones")
    _p(ProblemCode.BAD_PHONE, "warning", "kept", "Odd phone number",
       "“{value}” in {column} does not look like a phone number: {detail}. It is kept as "
       "you typed it; check the digits, and write a number abroad with its country code "
       "(+44 20 7946 0958)."),
    _p(ProblemCode.UNKNOWN_COUNTRY, "warning", "cell ignored", "Unknown country",
       "“{value}” in {column} is not a country crmsheet knows, so this customer has no "
       "country (your text stays in your column). Write the country's name in English or "
       "its two-letter code, e.g. United Kingdom or GB, United States or US."),
    _p(ProblemCode.CREDIT_BY_NUMBER, "warning", "kept", "Credit note by its number",
       "“{value}” in {column}: {detail}"),
    _p(ProblemCode.NO_RATE, "error", "row skipped", "Currency without a rate",
       "This row is in {value} but there is no rate from {value} to {detail}, so its "
       "amount is left out (never added as if it were {detail}). Add the rate: a row "
       "“{value} | rate” on a Rates sheet in your workbook, a line {value} = rate under "
       "[rates] in settings.toml, or the rates setting: the rate is what one {value} is "
       "worth in {detail}."),
    _p(ProblemCode.UNKNOWN_CURRENCY, "error", "row skipped", "Unknown currency",
       "“{value}” in {column} is not a currency crmsheet knows, so this row's amount is "
       "left out. Write the currency's ISO code, e.g. EUR, USD, GBP{detail}."),
    _p(ProblemCode.BAD_RATE, "error", "cell ignored", "Not an exchange rate",
       "“{value}” in {column} is not an exchange rate ({detail}); this rate is not used. "
       "Write a currency's ISO code beside a number above 0: what one unit of it is worth "
       "in the base currency, e.g. EUR | 1.08."),
    # "Same as" (issue 18)
    _p(ProblemCode.UNKNOWN_SAME_AS, "warning", "kept", "Same as: no such customer",
       "“{value}” in {column} names no customer on the customer sheet, so this row was not "
       "merged into another. Write the ID (or the exact name) of the row to keep{detail}."),
    _p(ProblemCode.SAME_AS_SELF, "warning", "kept", "Same as: itself",
       "“{value}” in {column} names this same row, so nothing was merged. Leave the cell "
       "blank, or write the ID of the other row this customer is a copy of."),
    _p(ProblemCode.SAME_AS_CHAIN, "warning", "kept", "Same as: a chain",
       "“{value}” in {column} is itself merged into another customer ({detail}), so this "
       "row was merged into the last one of that chain. Write that customer's ID here to say "
       "so directly."),
    _p(ProblemCode.SAME_AS_CYCLE, "error", "kept", "Same as: a loop",
       "“{value}” in {column} goes round in a loop ({detail}), so none of these rows was "
       "merged. Keep one of them: leave its Same as blank."),
    # the History sheet of an earlier run, edited by hand (issue 17)
    _p(ProblemCode.BAD_HISTORY_CELL, "warning", "row skipped", "Bad cell in the History",
       "“{value}” in {column} of the History sheet is not {detail}, so this row of the history "
       "was left out (the other runs are kept). The History is crmsheet's record of earlier "
       "runs: leave it as crmsheet wrote it, or restore the cell from a backup."),
    _p(ProblemCode.ORDER_LEFT_OUT, "error", "row skipped", "Line of an order left out",
       "Order “{value}” in {column} was itself left out ({detail}: see its own problem), so "
       "this row is left out with it. Fix the order's row and this row counts again."),
]}  # fmt: skip

PROBLEM_COLUMNS = [
    "file", "sheet", "row", "column", "cell", "field", "value", "severity", "code",
    "action", "message",
]  # fmt: skip


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | np.datetime64):
        ts = pd.Timestamp(value)
        return str(ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat(sep=" "))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def problem_rows(
    code: ProblemCode,
    *,
    file: str,
    sheet: str,
    rows: Sequence[int] | np.ndarray,
    column: str = "",
    cells: Sequence[str] | None = None,
    field: str = "",
    values: Iterable[Any] | None = None,
    details: Iterable[Any] | Any = "",
) -> pd.DataFrame:
    """A frame of problems of one code, one per row number, with messages filled in.

    Raises ValueError for a code that is not a :class:`ProblemCode` (never a silent guess).
    """
    kind = CATALOGUE[ProblemCode(code)]
    n = len(rows)
    vals = [_text(v) for v in values] if values is not None else [""] * n
    if isinstance(details, str) or not isinstance(details, Iterable):
        dets = [_text(details)] * n
    else:
        dets = [_text(d) for d in details]
    messages = [
        kind.template.format(value=v, column=column or "this row", field=field, detail=d)
        for v, d in zip(vals, dets, strict=True)
    ]
    return pd.DataFrame(
        {
            "file": file,
            "sheet": sheet,
            "row": pd.array(list(rows), dtype="Int64"),
            "column": column,
            "cell": list(cells) if cells is not None else [""] * n,
            "field": field,
            "value": vals,
            "severity": kind.severity,
            "code": kind.code.value,  # plain text: the report holds strings, not members
            "action": kind.action,
            "message": messages,
        },
        columns=PROBLEM_COLUMNS,
    )


class ProblemReport:
    """All problems found, as one DataFrame (``.frame``), with safe writers.

    Columns: file, sheet, row (the Excel row number the user sees), column (header text),
    cell (e.g. ``Customers!D12``), field, value, severity (error/warning), code, action
    (row skipped, cell ignored, kept, sheet skipped) and message (what to fix).
    """

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        if frame is None or frame.empty:
            frame = pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in PROBLEM_COLUMNS})
        else:
            frame = frame.astype(_DTYPES).reset_index(drop=True)
        self.frame: pd.DataFrame = frame

    @classmethod
    def concat(cls, frames: Iterable[pd.DataFrame]) -> ProblemReport:
        parts = [f for f in frames if not f.empty]
        return cls(pd.concat(parts, ignore_index=True) if parts else None)

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"<ProblemReport: {self.errors} errors, {self.warnings} warnings>"

    def _repr_html_(self) -> str:
        return f"<p>{self.errors} errors, {self.warnings} warnings</p>" + str(
            self.frame.head(50).to_html(index=False)
        )

    @property
    def errors(self) -> int:
        return int((self.frame["severity"] == "error").sum())

    @property
    def warnings(self) -> int:
        return int((self.frame["severity"] == "warning").sum())

    def by_code(self) -> pd.DataFrame:
        """Counts per code, worst first: what to fix first."""
        f = self.frame
        if f.empty:
            return pd.DataFrame(columns=["code", "severity", "count", "title"])
        out = f.groupby(["severity", "code"], sort=False).size().rename("count").reset_index()
        out["title"] = out["code"].map(lambda c: CATALOGUE[ProblemCode(c)].title)
        out["_order"] = (out["severity"] != "error").astype(int)
        out = out.sort_values(["_order", "count"], ascending=[True, False]).drop(columns="_order")
        return out[["code", "severity", "count", "title"]].reset_index(drop=True)


_DTYPES = {c: "object" for c in PROBLEM_COLUMNS} | {"row": "Int64"}
