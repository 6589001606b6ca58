"""Currencies: every amount of sales and spend in one base currency, or left out with the reason.

A sales or spend table with a currency column may hold rows in several currencies. The base
currency is decided once (:func:`decide_base`); a row in another currency has its amounts
multiplied by that currency's rate (what one unit is worth in the base currency: Settings
``rates``, a Rates sheet, a ``[rates]`` table in settings.toml). A row in a currency with no
rate is rejected (``no-rate``), a currency that is no ISO 4217 code too
(``unknown-currency``): never summed as if it were the base currency.

Sales logs (a table complete in itself) and spend are converted row by row. Invoice lines
and payments are in the currency of their order (:func:`_convert_lines`): an order table
(number, customer, date, currency) whose lines carry the money has each line converted with
its order's currency, and a line whose order's currency has no rate is left out with the
reason, never summed as if it were the base currency. A line's own currency cell counts only
when its order names none: SAP's salesOrderItem.csv writes each line's currency (15 of them)
on orders that are all in EUR, with amounts in EUR (they add up to the order's totals).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Settings
from ..io.grid import Grid, column_letter
from ..parse.currencies import DOLLARS, currency_code, parse_rate
from ..problems import ProblemCode, problem_rows
from ..schema import field_specs, normalise_header
from .joins import join_keys, unpad
from .table import Table

__all__ = [
    "RATE_SHEETS",
    "Conversion",
    "convert_currencies",
    "decide_base",
    "is_rates_table",
    "rates_from_grid",
]

#: Sheet names (as normalised headers) read as a table of exchange rates, not as data.
RATE_SHEETS = frozenset({"rates", "rate", "exchange rates", "exchange rate", "currency rates",
                         "fx rates", "fx", "forex", "currencies", "conversion rates"})  # fmt: skip


@dataclass(frozen=True)
class Conversion:
    """What :func:`convert_currencies` did: the base currency, the rates used, sentences."""

    base: str
    rates: dict[str, float]
    notes: tuple[str, ...] = ()


def _converted(t: Table) -> bool:
    """A table whose rows carry their own currency: a whole sales log, or spend."""
    role, part = t.layout.role, t.layout.part
    return "currency" in t.layout.field_columns and (
        role == "spend" or (role == "transactions" and part is None)
    )


def decide_base(settings: Settings, found: Counter[str], locale_code: str = "") -> tuple[str, str]:
    """(base currency, how it was decided): the setting, the one in the data, the locale.

    In order: ``base_currency``; the ``currency`` display setting when it names one currency
    (EUR, €; not a bare $); the single currency of the rows; the one currency of the rows
    that the rates do not name (they are rates to it); the computer's locale; the currency
    of most rows. ("", "") when nothing says.
    """
    if settings.base_currency:
        return settings.base_currency, "the base_currency setting"
    shown = settings.currency.strip()
    if shown and shown != "$" and (code := currency_code(shown)) is not None:
        return code, f"the currency setting ({shown})"
    if len(found) == 1:
        return next(iter(found)), "the one currency of your sales"
    unrated = [code for code in found if code not in settings.rates]
    if settings.rates and len(unrated) == 1:  # rates are given to one currency: the base
        return unrated[0], "the one currency of your sales the rates do not name"
    if locale_code:
        return locale_code, "the computer's own currency (its locale)"
    if found:
        code, _ = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return code, "the currency of most rows"
    return "", ""


def convert_currencies(
    tables: Sequence[Table], settings: Settings, *, locale_code: str = ""
) -> Conversion:
    """Convert the amounts of rows in another currency; reject those that cannot be.

    Money fields (amount, unit price, line amount, refunded) of a row in currency X become
    ``value * rates[X]``; the currency column keeps the row's code as read (ISO). Lines and
    payments are converted with their order's currency (:func:`_convert_lines`).
    """
    chosen = [t for t in tables if _converted(t)]
    sales = [t for t in tables if t.layout.role == "transactions"]
    orders = [t for t in sales if t.layout.part == "orders" and _has_currency(t)]
    referring = [t for t in sales if t.layout.part in ("lines", "payments")]
    dollar = next((c for c in (settings.base_currency, currency_code(settings.currency) or "",
                               locale_code) if c in DOLLARS), "USD")  # fmt: skip
    cells = {id(t): _Cells.of(t, dollar) for t in [*chosen, *orders]}
    found: Counter[str] = Counter()
    for t in [*chosen, *orders]:
        found.update(cells[id(t)].counts(~t.rejected.to_numpy()))
    if not found:  # no order names a currency: the lines' own say what they are in
        for t in referring:
            if _has_currency(t):
                found.update(_Cells.of(t, dollar).counts(~t.rejected.to_numpy()))
    base, how = decide_base(settings, found, locale_code)
    if not chosen and not (referring and any(_has_currency(t) for t in [*orders, *referring])):
        return Conversion(base, dict(settings.rates))
    notes: list[str] = []
    if base and len(found) > 1:  # one currency throughout: nothing to say
        notes.append(f"Base currency {base} ({how}): every amount is in {base}.")
    used: Counter[str] = Counter()
    own: Counter[str] = Counter()  # converted at the row's own exchange rate
    for t in chosen:
        by_table, by_row, said = _convert(t, cells[id(t)], base, settings.rates)
        used.update(by_table)
        own.update(by_row)
        notes += said
    line_notes = _convert_lines(sales, cells, used, base, settings.rates, dollar)
    for code, n in sorted(used.items()):
        notes.append(f"{_rows(n, 'row')} in {code} converted to {base} at "
                     f"{settings.rates[code]:g}.")  # fmt: skip
    for code, n in sorted(own.items()):
        notes.append(f"{_rows(n, 'row')} in {code} converted to {base} at their own exchange "
                     "rate.")  # fmt: skip
    return Conversion(base, dict(settings.rates), (*notes, *line_notes))


def _has_currency(t: Table) -> bool:
    return "currency" in t.layout.field_columns


def _convert_lines(
    sales: Sequence[Table],
    cells: dict[int, _Cells],
    used: Counter[str],
    base: str,
    rates: dict[str, float],
    dollar: str,
) -> list[str]:
    """Lines and payments converted with the currency of their order; the reading notes.

    The order is found as :func:`~crmsheet.checks.joins.join_transactions` finds it (the
    same keys; an invoice with a total first). An order in an order table whose currency is
    no ISO code is rejected (``unknown-currency``; its lines then say so). A line takes its
    order's currency, else its own cell's; in a currency with no rate it is rejected
    (``no-rate``, on its order-number cell when the currency is its order's).
    """
    full = [t for t in sales if t.layout.part is None]
    heads = [t for t in [*full, *(t for t in sales if t.layout.part == "orders")]
             if "invoice" in t.layout.field_columns]  # fmt: skip
    referring = [t for t in sales if t.layout.part in ("lines", "payments")]
    if not referring or not heads or not any(_has_currency(t) for t in [*heads, *referring]):
        return []  # no currency named anywhere: nothing to convert, no keys to make
    hint = "" if not base else f" (your base currency is {base})"
    for t in heads:  # an order table's currency cell that names none: the order is out
        if t.layout.part == "orders" and id(t) in cells:
            unknown = ~t.rejected.to_numpy() & cells[id(t)].rows(
                [c is None for c in cells[id(t)].codes], False, "bool")  # fmt: skip
            t.report(ProblemCode.UNKNOWN_CURRENCY, pd.Series(unknown, index=t.frame.index),
                     "currency", details=hint, reject=True)  # fmt: skip
    keys = unpad([join_keys(t.frame["invoice"]) for t in [*heads, *referring]])
    per_order = []
    for t, key in zip(heads, keys[: len(heads)], strict=True):
        if id(t) in cells:
            code = pd.Series(cells[id(t)].rows(cells[id(t)].codes, None), index=key.index)
            alive = ~t.rejected & key.notna() & code.notna()
            per_order.append(pd.DataFrame({"_k": key[alive], "code": code[alive]}))
    if not per_order:  # no order names a currency: a line's own cell is all there is
        orders = pd.Series(dtype=object)
    else:
        orders = pd.concat(per_order).drop_duplicates("_k").set_index("_k")["code"]
    notes: list[str] = []
    for t, key in zip(referring, keys[len(heads) :], strict=True):
        notes += _convert_referring(t, key.map(orders), dollar, used, base, rates)
    return notes


def _convert_referring(
    t: Table,
    order_code: pd.Series,
    dollar: str,
    used: Counter[str],
    base: str,
    rates: dict[str, float],
) -> list[str]:
    """One table of lines or payments converted with ``order_code`` (per row), else its own."""
    index = t.frame.index
    alive = ~t.rejected
    order_code = order_code.astype(object).where(order_code.notna(), None)
    own = pd.Series(None, index=index, dtype=object)
    notes: list[str] = []
    if _has_currency(t):
        mine = _Cells.of(t, dollar)
        own = pd.Series(mine.rows(mine.codes, None), index=index, dtype=object)
        written = pd.Series(mine.positions >= 0, index=index)
        t.report(ProblemCode.UNKNOWN_CURRENCY, alive & order_code.isna() & written & own.isna(),
                 "currency", details="" if not base else f" (your base currency is {base})",
                 reject=True)  # fmt: skip
        differ = alive & order_code.notna() & own.notna() & (own != order_code)
        if differ.any():
            named = ", ".join(sorted(set(own[differ])))
            notes.append(
                f"{_name(t)}: {_rows(int(differ.sum()), 'line')} name another currency "
                f"({named}) than their order: read in their order's currency"
            )
    alive = ~t.rejected
    code = order_code.where(order_code.notna(), own)
    foreign = alive & code.notna() & (code != base)
    rate = code.map(lambda c: rates.get(c, np.nan) if c else np.nan).astype("float64")
    missing = foreign & rate.isna()
    from_order = order_code.notna()
    t.report(ProblemCode.NO_RATE, missing & from_order, "invoice", values=code,
             details=base or "your base currency (name it in the base_currency setting)",
             reject=True)  # fmt: skip
    t.report(ProblemCode.NO_RATE, missing & ~from_order, "currency", values=code,
             details=base or "your base currency (name it in the base_currency setting)",
             reject=True)  # fmt: skip
    convert = foreign & rate.notna()
    if convert.any():
        role = t.layout.role
        assert role is not None
        factor = rate.where(convert, 1.0).to_numpy()
        for name, spec in field_specs(role).items():
            if spec.kind == "money" and name in t.frame:
                t.frame[name] = t.frame[name] * factor
        used.update(code[convert].value_counts().to_dict())
        lent = int((convert & from_order).sum())
        if lent:
            notes.append(f"{_name(t)}: {_rows(lent, 'line')} in their order's currency, "
                         f"converted to {base}")  # fmt: skip
    return notes


def _name(t: Table) -> str:
    """A table as the user knows it: the file, and the sheet when a workbook has several."""
    return t.file if t.sheet == t.file else f"{t.file} ({t.sheet})"


def _rows(n: int, what: str) -> str:
    return f"1 {what}" if n == 1 else f"{n:,} {what}s"


@dataclass(frozen=True)
class _Cells:
    """A currency column as its distinct cells: each looked up once, rows by position."""

    positions: np.ndarray  # per row: the index of its cell in ``codes``; -1 for a blank
    codes: list[str | None]  # per distinct cell: its ISO code, None when it names none
    written: list[object]  # per distinct cell: as read

    @classmethod
    def of(cls, t: Table, dollar: str) -> _Cells:
        positions, uniques = pd.factorize(t.frame["currency"])
        written = list(uniques)
        return cls(positions, [currency_code(v, dollar=dollar) for v in written], written)

    def rows(self, per_cell: Sequence[object], blank: object, dtype: str = "object") -> np.ndarray:
        """``per_cell`` spread over the rows (``blank`` for a blank cell)."""
        spread: np.ndarray = np.array([*per_cell, blank], dtype=dtype)[self.positions]
        return spread

    def counts(self, rows: np.ndarray) -> Counter[str]:
        """Rows per ISO code among ``rows`` (a mask)."""
        per_cell = np.bincount(self.positions[rows & (self.positions >= 0)],
                               minlength=len(self.codes))  # fmt: skip
        out: Counter[str] = Counter()
        for code, n in zip(self.codes, per_cell.tolist(), strict=True):
            if code is not None and n:
                out[code] += n
        return out


def _convert(
    t: Table, cells: _Cells, base: str, rates: dict[str, float]
) -> tuple[Counter[str], Counter[str], list[str]]:
    """Convert one table's rows in place; report the rows that cannot be. Rows per code
    converted at the rates table's rate and at the row's own exchange rate; notes."""
    index = t.frame.index
    alive = ~t.rejected.to_numpy()
    unknown = alive & cells.rows([c is None for c in cells.codes], False, "bool")
    hint = "" if not base else f" (your base currency is {base})"
    t.report(ProblemCode.UNKNOWN_CURRENCY, pd.Series(unknown, index=index), "currency",
             details=hint, reject=True)  # fmt: skip
    foreign = alive & cells.rows([c is not None and c != base for c in cells.codes], False,
                                 "bool")  # fmt: skip
    rated = cells.rows([rates.get(c, np.nan) if c else np.nan for c in cells.codes], np.nan,
                       "float64")  # fmt: skip
    own, notes = _own_rates(t, cells, base, alive, foreign)
    by_row = foreign & ~np.isnan(own)
    rated = np.where(by_row, own, rated)
    codes = pd.Series(cells.rows(cells.codes, None), index=index, dtype=object)
    missing = foreign & np.isnan(rated)
    t.report(ProblemCode.NO_RATE, pd.Series(missing, index=index), "currency", values=codes,
             details=base or "your base currency (name it in the base_currency setting)",
             reject=True)  # fmt: skip
    convert = foreign & ~np.isnan(rated)
    if convert.any():
        role = t.layout.role
        assert role is not None
        factor = np.where(convert, rated, 1.0)
        for name, spec in field_specs(role).items():
            if spec.kind == "money" and name in t.frame:
                t.frame[name] = t.frame[name] * factor
    shown = [c if c is not None else w for c, w in zip(cells.codes, cells.written, strict=True)]
    if shown != cells.written:  # "eur", "€" written as EUR; an arrow take, not a new column
        column = t.frame["currency"]
        typed = pd.array(shown, dtype=column.dtype)
        t.frame["currency"] = pd.Series(typed.take(cells.positions, allow_fill=True), index=index)
    return cells.counts(convert & ~by_row), cells.counts(convert & by_row), notes


def _own_rates(
    t: Table, cells: _Cells, base: str, alive: np.ndarray, foreign: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Per row, its own exchange rate to ``base`` (NaN: none, or not usable); notes.

    A row's Exchange Rate (Zoho writes one on every row) is what one unit of its currency was
    worth in the export's own base currency that day. It is the rate to ``base`` unless a row
    says the export's base is another: a row in ``base`` at a rate other than 1, or a row in
    another currency at exactly 1. Then the column is not used (a note says so) and the
    rates table converts the rows.
    """
    none = np.full(len(t.frame), np.nan)
    if "exchange_rate" not in t.frame or not foreign.any():
        return none, []
    rate = pd.to_numeric(t.frame["exchange_rate"], errors="coerce").to_numpy(
        "float64", na_value=np.nan
    )
    at_base = alive & cells.rows([c == base for c in cells.codes], False, "bool")
    one = ~np.isnan(rate) & (np.abs(rate - 1.0) <= 1e-9)
    # a row in the base at another rate, or one in another currency at 1: another base
    off = (at_base & ~np.isnan(rate) & ~one) | (alive & foreign & one)
    if off.any():
        header = t.layout.headers[t.layout.field_columns["exchange_rate"]]
        at = int(np.argmax(off))
        code = cells.codes[cells.positions[at]] if cells.positions[at] >= 0 else base
        row = int(t.frame["_row"].iloc[at])
        said = (f"{_name(t)}: {header} is not the rate to {base} (row {row}, in {code}, has "
                f"{rate[at]:g}), so the rates table converts its rows instead")  # fmt: skip
        return none, [said]
    return np.where(rate > 0, rate, np.nan), []


#: Header words of a Rates sheet's columns: the currency and its rate.
_CODE_HEADERS = frozenset({"currency", "code", "currency code", "ccy", "iso", "iso code"})
_RATE_HEADERS = frozenset({"rate", "exchange rate", "rate to base", "value", "fx rate",
                           "conversion rate", "in base currency", "rate in base"})  # fmt: skip


def is_rates_table(grid: Grid) -> bool:
    """A table of exchange rates: named Rates (Exchange rates, FX...), or a sheet or file of
    two columns headed Currency and Rate."""
    if normalise_header(grid.sheet) in RATE_SHEETS:
        return True
    top = grid.cells.iloc[:30]  # the header is near the top: a long sheet is not read
    filled = top.notna().any(axis=1).to_numpy()
    if top.empty or not filled.any():
        return False
    first = top.iloc[int(filled.argmax())].dropna().tolist()
    if len(first) != 2 or not all(isinstance(v, str) for v in first):
        return False
    words = [normalise_header(v) for v in first]
    return words[0] in _CODE_HEADERS and words[1] in _RATE_HEADERS


def rates_from_grid(grid: Grid) -> tuple[dict[str, float], pd.DataFrame]:
    """``currency | rate`` rows of a Rates sheet, and a ``bad-rate`` problem per bad cell.

    The columns are the ones headed Currency and Rate when a row has such headers, else the
    first two. A row whose currency is no ISO code, or whose rate is no number above 0, is
    reported ("cell ignored") and its rate not used; blank rows and the header are skipped.
    """
    cells = grid.cells
    empty = pd.DataFrame()
    if cells.shape[1] < 2 or cells.empty:
        return {}, empty
    code_col, rate_col, start = 0, 1, 0
    for i in range(min(len(cells), 10)):
        words = [normalise_header(v) if isinstance(v, str) else "" for v in cells.iloc[i]]
        codes = [c for c, w in enumerate(words) if w in _CODE_HEADERS]
        rated = [c for c, w in enumerate(words) if w in _RATE_HEADERS]
        if codes and rated:
            code_col, rate_col, start = codes[0], rated[0], i + 1
            break
    header = [str(v) for v in cells.iloc[start - 1]] if start else []
    rates: dict[str, float] = {}
    problems: list[pd.DataFrame] = []

    def bad(row: int, col: int, value: object, why: str) -> None:
        problems.append(problem_rows(
            ProblemCode.BAD_RATE, file=grid.path.name, sheet=grid.sheet, rows=[row],
            column=header[col] if start else f"Column {column_letter(col)}",
            cells=[f"{grid.sheet}!{column_letter(col)}{row}"], field="rates",
            values=[value], details=[why],
        ))  # fmt: skip

    first = True
    for i in range(start, len(cells)):
        code_cell, rate_cell = cells.iat[i, code_col], cells.iat[i, rate_col]
        if _blank(code_cell) and _blank(rate_cell):
            continue
        row = int(grid.rows[i]) if len(grid.rows) > i else i + 1
        rate = parse_rate(rate_cell)
        if first and not start and currency_code(code_cell) is None and rate is None:
            first = False
            continue  # a header of the user's own words above the rates
        first = False
        code = None if _blank(code_cell) else currency_code(code_cell)
        if code is None:
            bad(row, code_col, "" if _blank(code_cell) else code_cell, "no currency crmsheet knows")
        elif rate is None:
            bad(
                row,
                rate_col,
                "" if _blank(rate_cell) else rate_cell,
                f"the rate of {code} must be a number above 0",
            )
        else:
            rates[code] = rate
    report = pd.concat(problems, ignore_index=True) if problems else empty
    return rates, report


def _blank(value: object) -> bool:
    return value is None or value != value or (isinstance(value, str) and not value.strip())
