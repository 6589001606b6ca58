"""Numbers, amounts of money and percentages written every way people write them.

"1,234.50", "1.234,50", "1 234,50", "(12.00)", "12-", "$5", "EUR 5", "15%": text cells are read
by regex in Arrow, numeric cells as they are. Whether a comma is the decimal separator, and
whether bare numbers in a percent column are fractions or percents, is decided once per column,
never per cell, and explained in ``Parsed.note``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arrow import (
    contains,
    drop_chars,
    fullmatch,
    length,
    put,
    replace,
    subset,
    to_float,
    trim_chars,
)
from .cells import BLANK, NUM, TEXT, Cells, missing, split
from .result import Parsed, series

__all__ = ["LARGEST_NUMBER", "parse_money", "parse_number", "parse_percent"]

#: The largest amount, count or number a cell may hold, either way (a million billion):
#: beyond it a value is a typo or not a figure, and sums of such values (1e308 + 1e308)
#: would overflow to infinity. The checks report a larger cell as out of range.
LARGEST_NUMBER = 1e15

_SYMBOLS = "$€£¥₹₩₽¢₪₺₫₴₦₱฿₡₲₵"
_CUR = (
    r"[A-Za-z]{0,3}\$|[€£¥₹₩₽¢₪₺₫₴₦₱฿₡₲₵]|(?i:usd|eur|gbp|chf|jpy|cny|rmb|aud|cad|nzd|sek"
    r"|nok|dkk|isk|pln|czk|huf|ron|bgn|inr|zar|brl|mxn|sgd|hkd|krw|try|ils|aed|sar|kr\.?"
    r"|zł|zl|sfr\.?|fr\.?|rs\.?|lei|kč|ft|kn|din|yen|euros?|dollars?)"
)
# runs of signs, brackets, spaces, currency and (for percents) % at either end of a number
_EDGE_RE = rf"^(?:'|[(+\- ]|{_CUR})+|(?:[)+\- %]|{_CUR})+$"
_EXP = r"(?:[eE][+-]?[0-9]{1,3})?"
_DOT_BODY = (
    r"(?:[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+|[1-9][0-9]{0,2}(?: [0-9]{3})+"
    r"|[1-9][0-9]{0,2}(?:'[0-9]{3})+)(?:\.[0-9]+)?" + _EXP + r"|\.[0-9]+" + _EXP
)
_COMMA_BODY = (
    r"(?:[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[1-9][0-9]{0,2}(?: [0-9]{3})+"
    r"|[1-9][0-9]{0,2}(?:'[0-9]{3})+)(?:,[0-9]+)?|,[0-9]+"
)
# two negative markers ("--5", "(-5)", "-5-") make a cell unreadable rather than positive
_MULTI_NEG_RE = r"^[^0-9]*[-(][^0-9]*[-(]|[-)][^0-9]*[-)][^0-9]*$|^[^0-9]*-.*-[^0-9]*$"


@dataclass
class _NumText:
    values: np.ndarray
    ok: np.ndarray
    decimal_comma: bool  # the column-level choice for cells that could be read either way
    n_comma: int  # cells read with a decimal comma


def _numbers_from_text(t: pd.Series, decimal_comma: bool | None) -> _NumText:
    """Parse stripped text cells as numbers, choosing the decimal separator per column."""
    n = len(t)
    # cheap first: trim symbols and signs off the ends; codes like "USD" take the regex path
    core = trim_chars(t, _SYMBOLS + "'(+- ", _SYMBOLS + ")+-% ")
    dot_ok = fullmatch(core, _DOT_BODY)
    comma_ok = fullmatch(core, _COMMA_BODY)
    fail = ~(dot_ok | comma_ok)
    if fail.any():
        fixed = replace(subset(t, fail), _EDGE_RE, "")
        core = put(core, fail, fixed)
        dot_ok[fail] = fullmatch(fixed, _DOT_BODY)
        comma_ok[fail] = fullmatch(fixed, _COMMA_BODY)
    neg = np.zeros(n, dtype=bool)
    signed = fail | (length(t) != length(core))  # signs can only sit in what was trimmed
    if signed.any():
        signed[signed] = contains(subset(t, signed), r"[-()]")
    if signed.any():
        st = subset(t, signed)
        minus = contains(st, r"^[^0-9.,]*-|-[^0-9]*$")
        opened = contains(st, r"^[^0-9.,]*\(")
        closed = contains(st, r"\)[^0-9]*$")
        broken = np.zeros(n, dtype=bool)
        broken[signed] = contains(st, _MULTI_NEG_RE) | (opened != closed)
        neg[signed] = minus | (opened & closed)
        dot_ok &= ~broken
        comma_ok &= ~broken

    dot_val = np.full(n, np.nan)
    if dot_ok.any():
        dot_val = to_float(drop_chars(core, ", '"), dot_ok)
    comma_val = np.full(n, np.nan)
    if comma_ok.any():
        cs = replace(drop_chars(subset(core, comma_ok), ". '"), ",", ".", literal=True)
        comma_val[comma_ok] = to_float(cs, np.ones(len(cs), dtype=bool))

    if decimal_comma is None:
        n_comma_ev = int((comma_ok & ~dot_ok).sum())
        n_dot_ev = int((dot_ok & ~comma_ok).sum())
        use_comma = n_comma_ev > n_dot_ev
        either = np.where(dot_ok & comma_ok, comma_val if use_comma else dot_val, np.nan)
        vals = np.where(
            dot_ok & ~comma_ok, dot_val, np.where(comma_ok & ~dot_ok, comma_val, either)
        )
        read_comma = comma_ok & (~dot_ok | use_comma) & (dot_val != comma_val)
    else:
        use_comma = decimal_comma
        vals = comma_val if decimal_comma else dot_val
        read_comma = comma_ok & (dot_val != comma_val) if decimal_comma else np.zeros(n, bool)
    vals = np.where(neg, -vals, vals)
    ok = np.isfinite(vals)
    vals = np.where(ok, vals, np.nan)
    return _NumText(vals, ok, use_comma, int((read_comma & ok).sum()))


def _parse_numeric(
    s: pd.Series, decimal_comma: bool | None, *, what: str = "numbers"
) -> tuple[pd.Series, pd.Series, str | None, Cells, np.ndarray]:
    c = split(s)
    vals = np.where(c.kind == NUM, c.num, np.nan)
    num_ok = (c.kind == NUM) & np.isfinite(vals)
    vals[~num_ok] = np.nan
    tm = c.kind == TEXT
    note = None
    from_text = np.zeros(len(c), dtype=bool)
    if tm.any():
        r = _numbers_from_text(subset(c.text, tm), decimal_comma)
        vals[tm] = r.values
        from_text[tm] = r.ok
        if r.n_comma:
            note = (
                f"{what} read with a decimal comma (1.234,50 means one thousand two hundred "
                "thirty-four and a half)"
            )
    ok = num_ok | from_text
    bad = ~ok & (c.kind != BLANK)
    if bad.any():
        bad &= ~missing(c, bad)
    return (
        series(vals, s.index, "float64"),
        series(bad, s.index, bool),
        note,
        c,
        from_text,
    )


def parse_number(s: pd.Series, *, decimal_comma: bool | None = None) -> Parsed:
    """Read a column of numbers written every way people write them, as float64.

    Accepts numbers as they are (``True``/``False`` cells are bad), and text such as
    "1,234.50", "1.234,50", "1 234,50", "12,5", "(12.00)" (accounting negative), "12-",
    "+5", "1e3", with currency symbols or codes at either end. With ``decimal_comma=None``
    the separator is chosen once for the column: cells that can only be read one way
    ("12,5", "1.234,56", "200.000.000" vs "12.5", "1,234.56") are evidence, the majority
    wins (ties: dot) and settles cells like "1,234" that could go either way. Cells that are
    unambiguous are always read their own way; with an explicit ``decimal_comma`` cells
    that contradict it are bad.

    >>> parse_number(pd.Series(["1.234,50", "12,5", "1.234"])).values.tolist()
    [1234.5, 12.5, 1234.0]
    """
    values, bad, note, _, _ = _parse_numeric(s, decimal_comma)
    return Parsed(values=values, bad=bad, note=note)


def parse_money(s: pd.Series, *, decimal_comma: bool | None = None) -> Parsed:
    """Read a column of amounts of money as float64, dropping currency symbols and codes.

    Same rules as :func:`parse_number` ("$1,234.50" -> 1234.5, "1.234,50 €" -> 1234.5,
    "(12.00)" -> -12.0, "-$5" and "$-5" -> -5.0). The currency itself is not kept: a column
    is expected to hold one currency.

    >>> parse_money(pd.Series(["$1,234.50", "(12.00)", "EUR 5"])).values.tolist()
    [1234.5, -12.0, 5.0]
    """
    values, bad, note, _, _ = _parse_numeric(s, decimal_comma, what="amounts")
    return Parsed(values=values, bad=bad, note=note)


def parse_percent(s: pd.Series, *, decimal_comma: bool | None = None) -> Parsed:
    """Read a column of percentages as fractions (float64): "15%" -> 0.15.

    Cells with a "%" sign are divided by 100. Cells without one are taken as fractions when
    every such value in the column lies in [0, 1] (Excel stores 15% as 0.15), and otherwise
    as percents (divided by 100, with a note). Values outside 0-100% are kept; the caller
    checks the range.

    >>> parse_percent(pd.Series(["15%", "0.2", 0.05])).values.tolist()
    [0.15, 0.2, 0.05]
    """
    values, bad, note, c, from_text = _parse_numeric(s, decimal_comma)
    v = values.to_numpy(dtype=float, copy=True)
    has_pct = np.zeros(len(c), dtype=bool)
    tm = c.kind == TEXT
    if tm.any():
        has_pct[tm] = contains(subset(c.text, tm), "%")
    has_pct &= from_text
    v[has_pct] /= 100.0
    bare = np.isfinite(v) & ~has_pct
    notes = [note] if note else []
    if bare.any() and ((v[bare] < 0) | (v[bare] > 1)).any():
        v[bare] /= 100.0
        notes.append("numbers without a % sign read as percents (15 means 15%)")
    return Parsed(values=series(v, s.index, "float64"), bad=bad, note="; ".join(notes) or None)
