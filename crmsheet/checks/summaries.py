"""The customer sheet's own totals and dates, against what the transactions say.

A customer sheet often carries its own summary columns (Total Spent, Orders, Client Since,
Last Order). With a transaction log beside it, crmsheet's figures come from the log and
those columns are not used; where the two disagree the user is told, never left to guess:
one ``summary-disagrees`` warning per customer and column, on the sheet's cell, naming both
values. When most customers disagree the same way, one reading note says the column
probably counts something else (tax or shipping, another period, record creation).

The transactions are counted exactly as every figure counts them: cut at ``as_of`` and
without the statuses that are not revenue (:func:`~crmsheet.analysis.metrics.counted_sales`),
combined per invoice (:func:`~crmsheet.analysis.metrics.invoices`), revenue net of credits
and purchases without quotes (:func:`~crmsheet.analysis.metrics.by_kind`).

A "first" date later than the first transaction disagrees. Earlier is normal for a column
that dates the record (Client Since, Created, Date added: a customer entered before buying)
and disagrees only for a column that names a purchase (First Order, First Purchase).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis.metrics import by_kind, counted_sales, invoices, purchase_totals
from ..config import Settings
from ..parse import normalise_token
from ..problems import ProblemCode
from .table import Table, report_back

__all__ = ["check_summaries"]

#: Customer fields compared, each with the column of :func:`purchase_totals` it summarises.
_FIELDS = {
    "revenue": "revenue",
    "transactions": "transactions",
    "first_transaction": "first_purchase",
    "last_transaction": "last_purchase",
}
#: A header naming a purchase, not the record ("First Order", not "Client Since").
_PURCHASE = re.compile(r"\b(order|purchase|sale|invoice|transaction|bought|buy)")
#: Disagreements needed, beyond half the customers compared, for a reading note.
_NOTE_AT_LEAST = 3


@dataclass
class _Found:
    """One field's comparison over the customer rows."""

    compared: pd.Series  # bool: the sheet has a value and the customer has purchases
    disagrees: pd.Series  # bool
    direction: pd.Series  # +1 sheet higher / later, -1 lower / earlier, 0 agrees
    values: pd.Series  # the sheet's value, as shown
    details: pd.Series  # what the transactions say


def check_summaries(
    tables: Sequence[Table],
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: date,
    settings: Settings,
) -> list[str]:
    """Warn, on the customer sheet's cells, where its own totals or dates disagree with the
    transactions; return a reading note per column where most customers disagree alike.

    ``tables`` are the customer tables ``customers`` was combined from; ``transactions``
    the sales with their ``customer_key`` and status kinds (after
    :func:`~crmsheet.checks.statuses.check_statuses` and refunds).
    """
    mapped = [f for f in _FIELDS if any(f in t.layout.field_columns for t in tables)]
    if not mapped or customers.empty or transactions.empty:
        return []
    filled = customers[[f for f in mapped if f in customers.columns]].notna().any(axis=1)
    if not filled.any():
        return []
    cut = counted_sales(transactions, as_of=as_of, settings=settings)
    # only the customers with a value to compare (an invoice is combined per customer, so
    # the others' rows change nothing here)
    log = cut.log.loc[cut.log["customer_key"].isin(customers.loc[filled, "customer_key"])]
    money, bought = by_kind(invoices(log))
    totals = purchase_totals(money, bought)
    if totals.empty:
        return []
    keys = customers["customer_key"].astype(object)
    has = keys.isin(totals.index).to_numpy(dtype=bool)
    if not has.any():
        return []
    mine = pd.DataFrame(
        {c: keys.map(totals[c]) for c in totals.columns}, index=customers.index
    )  # each customer row's own totals (NaN: no purchase)
    credits = money.loc[money["kind"] == "credit"].groupby("customer_key").size()
    mine["credits"] = keys.map(credits).fillna(0).astype(int)
    up_to = as_of.isoformat()
    notes: list[str] = []
    for name in mapped:
        found = _compare(name, customers, mine, has, tables, as_of, up_to)
        if found is None:
            continue
        report_back(tables, customers, found.disagrees, ProblemCode.SUMMARY_DISAGREES, [name],
                    values=found.values, details=found.details)  # fmt: skip
        notes.extend(_notes(name, tables, customers, found))
    return notes


def _compare(
    name: str,
    customers: pd.DataFrame,
    mine: pd.DataFrame,
    has: np.ndarray,
    tables: Sequence[Table],
    as_of: date,
    up_to: str,
) -> _Found | None:
    """The sheet's column ``name`` against the customers' own totals."""
    if name not in customers.columns:
        return None
    index = customers.index
    computed = mine[_FIELDS[name]]
    details = pd.Series("", index=index, dtype=object)
    values = pd.Series("", index=index, dtype=object)
    if name in ("revenue", "transactions"):
        sheet = pd.to_numeric(customers[name], errors="coerce").astype(float)
        compared = sheet.notna() & pd.Series(has, index=index)
        got = computed.astype(float)
        diff = (sheet - got).where(compared, 0.0)
        if name == "revenue":
            tol = np.maximum(1.0, 0.005 * np.maximum(sheet.abs(), got.abs()))
            disagrees = compared & (diff.abs() > tol.fillna(1.0))
        else:
            disagrees = compared & (diff.abs() >= 0.5)
        direction = np.sign(diff).where(disagrees, 0.0)
        hit = disagrees.to_numpy(dtype=bool)
        if hit.any():
            orders = mine.loc[hit, "transactions"].astype(int)
            if name == "revenue":
                values[hit] = sheet[hit].map("{:,.2f}".format)
                extra = mine.loc[hit, "credits"].map(
                    lambda k: "" if not k else f" and {k:,} credit" + ("s" if k > 1 else "")
                )
                details[hit] = [
                    f"the transactions add up to {g:,.2f} ({_orders(o)}{x} up to {up_to})"
                    for g, o, x in zip(got[hit], orders, extra, strict=True)
                ]
            else:
                values[hit] = sheet[hit].map(lambda v: f"{v:,.0f}")
                details[hit] = [f"the transactions count {_orders(o)} up to {up_to}"
                                for o in orders]  # fmt: skip
        return _Found(compared, disagrees, direction, values, details)
    sheet_dates = pd.to_datetime(customers[name], errors="coerce").dt.floor("D")
    limit = pd.Timestamp(as_of)
    # a sheet date after as_of is already reported as in the future
    compared = sheet_dates.notna() & (sheet_dates <= limit) & pd.Series(has, index=index)
    got_dates = pd.to_datetime(computed)
    later = compared & (sheet_dates > got_dates)
    earlier = compared & (sheet_dates < got_dates)
    if name == "first_transaction":  # earlier is normal for the record's own date
        worded = _purchase_worded(tables, customers, name)
        disagrees = later | (earlier & worded)
        what = "the first transaction is on"
    else:
        disagrees = later | earlier
        what = "the last transaction up to " + up_to + " is on"
    direction = pd.Series(0.0, index=index).mask(later, 1.0).mask(earlier, -1.0)
    direction = direction.where(disagrees, 0.0)
    hit = disagrees.to_numpy(dtype=bool)
    if hit.any():
        values[hit] = sheet_dates[hit].dt.strftime("%Y-%m-%d")
        details[hit] = (f"{what} " + got_dates[hit].dt.strftime("%Y-%m-%d")).to_numpy()
    return _Found(compared, disagrees, direction, values, details)


def _orders(n: int) -> str:
    return f"{n:,} order" + ("" if n == 1 else "s")


def _purchase_worded(tables: Sequence[Table], customers: pd.DataFrame, name: str) -> pd.Series:
    """True on the rows of tables whose column for ``name`` names a purchase."""
    out = pd.Series(False, index=customers.index)
    for t in tables:
        col = t.layout.field_columns.get(name)
        if col is None or not _PURCHASE.search(normalise_token(t.layout.headers[col])):
            continue
        out |= (customers["_file"] == str(t.layout.grid.path)) & (customers["_sheet"] == t.sheet)
    return out


def _notes(name: str, tables: Sequence[Table], customers: pd.DataFrame, found: _Found) -> list[str]:
    """A note per customer table where most customers compared disagree the same way."""
    notes = []
    for t in tables:
        col = t.layout.field_columns.get(name)
        if col is None:
            continue
        here = ((customers["_file"] == str(t.layout.grid.path))
                & (customers["_sheet"] == t.sheet)).to_numpy(dtype=bool)  # fmt: skip
        compared = int(found.compared[here].sum())
        if not compared:
            continue
        way = found.direction[here]
        for sign in (1.0, -1.0):
            k = int((way == sign).sum())
            if k < _NOTE_AT_LEAST or k * 2 <= compared:
                continue
            header = t.layout.headers[col]
            notes.append(f"{_where(t)}: {header} {_why(name, sign, k, compared)}")
    return notes


def _why(name: str, sign: float, k: int, n: int) -> str:
    """Why a column disagrees with the transactions for ``k`` of ``n`` customers."""
    of = f"for {k:,} of {n:,} customers"
    use = " crmsheet's figures follow the transactions."
    if name == "revenue":
        if sign > 0:
            return (f"is higher than the transactions add up to {of}: it probably counts "
                    "something else, e.g. tax or shipping included, or a longer period than "
                    "the transactions cover." + use)  # fmt: skip
        return (f"is lower than the transactions add up to {of}: it probably counts "
                "something else, e.g. a shorter period (this year), amounts before tax, or "
                "only some orders." + use)  # fmt: skip
    if name == "transactions":
        more = "more" if sign > 0 else "fewer"
        return (
            f"counts {more} orders than the transactions {of}: it probably counts "
            "something else, e.g. invoice lines or visits, or another period." + use
        )
    if name == "first_transaction":
        if sign > 0:
            return (f"is later than the first transaction {of}: it probably records something "
                    "else (when the record was created or changed), not the first purchase."
                    + use)  # fmt: skip
        return (
            f"is earlier than the first transaction {of}: the transactions probably "
            "start later than the customer sheet's history." + use
        )
    way = "later" if sign > 0 else "earlier"
    return (
        f"is {way} than the last transaction {of}: it is probably out of date or dates "
        "something else (a visit, a quote, a delivery)." + use
    )


def _where(t: Table) -> str:
    name = Path(t.file).name
    return name if t.sheet in ("", name, Path(name).stem) else f"{name} / {t.sheet}"
