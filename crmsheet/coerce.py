"""Vectorised parsers that turn raw spreadsheet cells into typed columns.

Every parser takes a :class:`pandas.Series` of raw cells as a reader hands them over (object
dtype holding ``str``, ``int``, ``float``, ``bool``, ``datetime``/``date``/``time``,
``pd.Timestamp`` or missing values; pandas ``str`` dtype; numeric; ``datetime64``), never
raises on cell content, keeps the input's index, and returns a :class:`Parsed`: the values,
a ``bad`` mask (non-blank cells it could not read) and, for dates, an ``ambiguous`` mask.

Decisions that depend on the whole column (decimal comma or dot, day/month order, percent or
fraction) are taken once per column, never per cell, and explained in ``Parsed.note``.

Speed: string work goes through pandas' Arrow-backed ``str`` dtype and ``pyarrow.compute``
(RE2) when pyarrow is installed; the regexes below therefore avoid look-arounds and
back-references, and spell digits ``[0-9]`` so that RE2 and Python's ``re`` agree.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

try:  # pyarrow is optional: it makes the string work 5-20x faster
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
except ImportError:  # pragma: no cover - exercised only without pyarrow
    pa = None
    pc = None

__all__ = [
    "MISSING_TOKENS",
    "SIZE_BANDS",
    "Parsed",
    "blank_or_missing",
    "excel_serial_to_datetime",
    "is_blank",
    "normalise_token",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_employees",
    "parse_money",
    "parse_number",
    "parse_percent",
    "parse_text",
]

MISSING_TOKENS: frozenset[str] = frozenset(
    {"null", "n/a", "#n/a", "none", "-", "--", "\u2014", "nan"}
)
"""Lower-cased tokens that mean "no value" in number, date and yes/no columns (never "NA")."""

SIZE_BANDS: tuple[str, ...] = ("micro (1-9)", "small (10-49)", "medium (50-249)", "large (250+)")
"""Company size bands after the EU SME definition, smallest first."""

_DT_UNIT = "datetime64[us]"
_NAT = np.datetime64("NaT", "us")


@dataclass(frozen=True)
class Parsed:
    """The result of parsing one column.

    ``values`` holds the parsed values (missing where the cell was blank or unreadable),
    ``bad`` is True for non-blank cells that could not be read, ``ambiguous`` (dates only) is
    True where the reading rests on a day/month guess, and ``note`` explains column-level
    decisions in plain English. All Series share the input's index.
    """

    values: pd.Series
    bad: pd.Series
    ambiguous: pd.Series | None = None
    note: str | None = None
    votes: tuple[int, int] = (0, 0)
    """Dates: (cells that can only be day/month, cells that can only be month/day)."""


# --------------------------------------------------------------------------------------------
# String operations: Arrow (RE2) when the text is Arrow-backed, pandas/``re`` otherwise.
# Text series handed around internally are positional (RangeIndex) and hold "" instead of NA.


def _arrow(t: pd.Series) -> Any:
    if pc is None:
        return None
    arr = t.array
    if isinstance(arr, pd.arrays.ArrowStringArray) or hasattr(arr, "__arrow_array__"):
        try:
            return arr.__arrow_array__()
        except Exception:  # pragma: no cover - defensive
            return None
    return None  # pragma: no cover


def _np_bool(x: Any) -> np.ndarray:
    if pc is not None and isinstance(x, pa.ChunkedArray | pa.Array):
        x = pc.fill_null(x, False)
        return np.array(x.to_numpy(zero_copy_only=False), dtype=bool)  # writable copy
    return np.array(pd.Series(x).fillna(False).to_numpy(dtype=bool), dtype=bool)


def _fullmatch(t: pd.Series, pat: str) -> np.ndarray:
    a = _arrow(t)
    if a is not None:
        return _np_bool(pc.match_substring_regex(a, "^(?:" + pat + ")$"))
    return _np_bool(t.str.fullmatch(pat))


def _contains(t: pd.Series, pat: str) -> np.ndarray:
    a = _arrow(t)
    if a is not None:
        return _np_bool(pc.match_substring_regex(a, pat))
    return _np_bool(t.str.contains(pat, regex=True))


def _from_arrow(a: Any) -> pd.Series:
    return pd.Series(pd.array(pc.fill_null(a, ""), dtype="str"))


def _replace(t: pd.Series, pat: str, repl: str = "", *, literal: bool = False) -> pd.Series:
    a = _arrow(t)
    if a is not None:
        fn = pc.replace_substring if literal else pc.replace_substring_regex
        return _from_arrow(fn(a, pat, repl))
    return t.str.replace(pat, repl, regex=not literal).reset_index(drop=True)


def _extract(t: pd.Series, pat: str) -> dict[str, pd.Series]:
    """Named groups of a full match ("" where the group or the match is absent)."""
    names = re.findall(r"\(\?P<(\w+)>", pat)
    a = _arrow(t)
    if a is not None:
        st = pc.extract_regex(a, "^(?:" + pat + ")$")
        return {n: _from_arrow(pc.struct_field(st, n)) for n in names}
    df = t.str.extract("^(?:" + pat + ")$", expand=True)
    return {n: df[n].fillna("").astype(str).reset_index(drop=True) for n in names}


def _strip(t: pd.Series) -> pd.Series:
    a = _arrow(t)
    if a is not None:
        return _from_arrow(pc.utf8_trim_whitespace(a))
    return t.str.strip().reset_index(drop=True)


def _lower(t: pd.Series) -> pd.Series:
    a = _arrow(t)
    if a is not None:
        return _from_arrow(pc.utf8_lower(a))
    return t.str.lower().reset_index(drop=True)


def _to_float(t: pd.Series, ok: np.ndarray) -> np.ndarray:
    """Float value of the strings where ``ok`` (already validated as plain numbers)."""
    out = np.full(len(t), np.nan)
    if not ok.any():
        return out
    a = _arrow(t)
    if a is not None:
        try:
            cast = pc.cast(pc.if_else(pa.array(ok), a, None), pa.float64())
            vals = np.asarray(pc.fill_null(cast, np.nan).to_numpy(), dtype=float)
            out[ok] = vals[ok]
            return out
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover
            pass
    out[ok] = np.asarray(pd.to_numeric(t[ok], errors="coerce"), dtype=float)
    return out


def _to_int(t: pd.Series) -> np.ndarray:
    """Integer value of (regex-checked) digit strings, -1 where empty or not digits."""
    a = _arrow(t)
    if a is not None:
        try:
            cast = pc.cast(pc.if_else(pc.equal(a, ""), None, a), pa.int64())
            return np.asarray(pc.fill_null(cast, -1).to_numpy(), dtype=np.int64)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    ok = _fullmatch(t, "[0-9]{1,12}")
    f = _to_float(t, ok)
    return np.where(ok, np.nan_to_num(f, nan=-1.0), -1.0).astype(np.int64)


def _parts(t: pd.Series, sep: str, k: int) -> list[pd.Series]:
    """The first ``k`` pieces of each string split on the regex ``sep`` (cells have ``k``)."""
    a = _arrow(t)
    if a is not None:
        pieces = pc.split_pattern_regex(a, sep)
        return [_from_arrow(pc.list_element(pieces, i)) for i in range(k)]
    df = t.str.split(sep, regex=True, expand=True)
    return [df[i].fillna("").astype(str).reset_index(drop=True) for i in range(k)]


def _drop_chars(t: pd.Series, chars: str) -> pd.Series:
    """``t`` without any of ``chars`` (each searched first: replacing costs more)."""
    for ch in chars:
        a = _arrow(t)
        if a is not None and not pc.any(pc.match_substring(a, ch)).as_py():
            continue
        t = _replace(t, ch, "", literal=True)
    return t


def _slice(t: pd.Series, start: int, stop: int) -> pd.Series:
    a = _arrow(t)
    if a is not None:
        return _from_arrow(pc.utf8_slice_codeunits(a, start, stop))
    return t.str.slice(start, stop).reset_index(drop=True)


def _trim_chars(t: pd.Series, left: str, right: str) -> pd.Series:
    a = _arrow(t)
    if a is not None:
        return _from_arrow(pc.utf8_rtrim(pc.utf8_ltrim(a, characters=left), characters=right))
    return t.str.lstrip(left).str.rstrip(right).reset_index(drop=True)


def _length(t: pd.Series) -> np.ndarray:
    a = _arrow(t)
    if a is not None:
        return np.asarray(pc.fill_null(pc.utf8_length(a), 0).to_numpy(), dtype=np.int64)
    return np.asarray(t.str.len().fillna(0).to_numpy(), dtype=np.int64)


def _non_ascii(t: pd.Series) -> np.ndarray:
    a = _arrow(t)
    if a is not None:
        return ~_np_bool(pc.string_is_ascii(a))
    return ~_np_bool(t.str.isascii())


def _sub(t: pd.Series, mask: np.ndarray) -> pd.Series:
    return t[mask].reset_index(drop=True)


def _make_text(values: Any) -> pd.Series:
    """A positional ``str`` Series of the given strings (non-strings must already be "")."""
    try:
        return pd.Series(pd.array(values, dtype="str"))
    except Exception:
        # lone surrogates and the like cannot go to Arrow; replace what cannot be encoded
        fixed = [
            v.encode("utf-8", "replace").decode("utf-8") if isinstance(v, str) else ""
            for v in values
        ]
        return pd.Series(pd.array(fixed, dtype="str"))


# --------------------------------------------------------------------------------------------
# Splitting a raw column by cell type

_BLANK, _TEXT, _NUM, _BOOL, _DT, _TIME, _OTHER = range(7)

# exotic spaces, the minus sign, typographic apostrophes and BOMs, mapped to plain ASCII
_EXOTIC = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_EXOTIC_RE = "[" + _EXOTIC + "\u2212\u2019\u200b\ufeff]"


def _kind_of_type(tp: type) -> int:
    if issubclass(tp, bool | np.bool_):
        return _BOOL
    if issubclass(tp, str):
        return _TEXT
    if issubclass(tp, _dt.datetime | _dt.date | np.datetime64):  # Timestamp is a datetime
        return _DT
    if issubclass(tp, _dt.time):
        return _TIME
    if issubclass(tp, numbers.Real | decimal.Decimal) and not issubclass(tp, np.timedelta64):
        return _NUM
    return _OTHER


def _safe_float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError, decimal.InvalidOperation):
        return math.nan


def _isna_objects(obj: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(pd.isna(obj), dtype=bool)
    except Exception:  # pandas raises on Decimal("sNaN"); such a cell is simply not a value
        return np.fromiter((_isna_cell(x) for x in obj), dtype=bool, count=len(obj))


def _isna_cell(x: Any) -> bool:
    try:
        return bool(pd.isna(x))
    except Exception:
        return False


@dataclass
class _Cells:
    """A raw column taken apart by cell type; every array is positional."""

    kind: np.ndarray  # int8, one of _BLANK.._OTHER
    text: pd.Series  # str dtype, stripped text where kind == _TEXT, else ""
    num: np.ndarray  # float64 where kind == _NUM
    boolv: np.ndarray  # bool where kind == _BOOL
    dt: np.ndarray  # datetime64[us] where kind == _DT
    obj: np.ndarray | None  # the raw objects, for object input

    def __len__(self) -> int:
        return len(self.kind)


def _datetimes_from_objects(objs: np.ndarray) -> np.ndarray:
    try:
        res = pd.to_datetime(pd.Series(objs, dtype=object), errors="coerce")
        if getattr(res.dt, "tz", None) is not None:
            res = res.dt.tz_localize(None)
        return np.asarray(res.to_numpy()).astype(_DT_UNIT)
    except Exception:
        out = np.full(len(objs), _NAT)
        for i, x in enumerate(objs):
            try:
                ts = pd.Timestamp(x)
                if ts.tzinfo is not None:
                    ts = ts.tz_localize(None)
                out[i] = np.datetime64(ts.to_datetime64(), "us")
            except Exception:
                out[i] = _NAT
        return out


def _split(s: pd.Series) -> _Cells:
    n = len(s)
    kind = np.full(n, _BLANK, dtype=np.int8)
    num = np.full(n, np.nan)
    boolv = np.zeros(n, dtype=bool)
    dt = np.full(n, _NAT)
    obj: np.ndarray | None = None
    text: pd.Series | None = None
    dtype = s.dtype

    if isinstance(dtype, pd.CategoricalDtype):
        s = s.astype(object)
        dtype = s.dtype
    if isinstance(dtype, pd.StringDtype):
        na = s.isna().to_numpy()
        a = _arrow(s) if isinstance(s.array, pd.arrays.ArrowStringArray) else None
        if a is not None:
            text = _from_arrow(a)
        else:
            text = _make_text(s.to_numpy(dtype=object, na_value=""))
        kind[~na] = _TEXT
    elif pd.api.types.is_bool_dtype(dtype):
        na = s.isna().to_numpy()
        kind[~na] = _BOOL
        boolv = s.to_numpy(dtype=object, na_value=False).astype(bool)
    elif pd.api.types.is_numeric_dtype(dtype):
        num = np.array(s.to_numpy(dtype=float, na_value=np.nan), dtype=float)  # a copy
        kind[~np.isnan(num)] = _NUM
    elif isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        d = s.dt.tz_localize(None) if isinstance(dtype, pd.DatetimeTZDtype) else s
        dt = np.asarray(d.to_numpy()).astype(_DT_UNIT)
        kind[~np.isnat(dt)] = _DT
    else:
        obj = s.to_numpy(dtype=object)
        na = _isna_objects(obj)
        try:
            inferred = pd.api.types.infer_dtype(obj, skipna=True) if n else "empty"
        except Exception:  # e.g. Decimal("sNaN") refuses comparisons
            inferred = "mixed"
        if inferred == "string":
            kind[~na] = _TEXT
        elif inferred in ("floating", "integer", "mixed-integer-float", "decimal"):
            kind[~na] = _NUM
        else:
            types = [type(x) for x in obj]
            lut = {tp: _kind_of_type(tp) for tp in set(types)}
            kind = np.fromiter((lut[tp] for tp in types), dtype=np.int8, count=n)
            kind[na] = _BLANK
        m = kind == _NUM
        if m.any():
            sub = obj[m]
            try:
                vals = sub.astype(float)
            except (TypeError, ValueError, OverflowError, decimal.InvalidOperation):
                vals = np.fromiter((_safe_float(x) for x in sub), dtype=float, count=len(sub))
            num[m] = vals
            bad_num = np.zeros(n, dtype=bool)
            bad_num[m] = np.isnan(vals)
            kind[bad_num] = _OTHER  # numbers that are not numbers (sNaN, huge ints)
        m = kind == _BOOL
        boolv[m] = obj[m].astype(bool)
        m = kind == _DT
        if m.any():
            dt[m] = _datetimes_from_objects(obj[m])
            gone = np.zeros(n, dtype=bool)
            gone[m] = np.isnat(dt[m])
            kind[gone] = _OTHER
        tm = kind == _TEXT
        text = _make_text(np.where(tm, obj, ""))

    if text is None:
        text = _make_text(np.full(n, "", dtype=object))
    tm = kind == _TEXT
    if tm.any():
        exotic = _non_ascii(text) & tm
        if exotic.any():
            exotic[exotic] = _contains(_sub(text, exotic), _EXOTIC_RE)
        if exotic.any():
            fixed = _sub(text, exotic)
            fixed = _replace(fixed, "[" + _EXOTIC + "]", " ")
            fixed = _replace(fixed, "\u2212", "-", literal=True)
            fixed = _replace(fixed, "\u2019", "'", literal=True)
            fixed = _replace(fixed, "[\u200b\ufeff]", "")
            text = _put(text, exotic, fixed)
        text = _strip(text)
        empty = tm & (_length(text) == 0)
        kind[empty] = _BLANK
    return _Cells(kind=kind, text=text, num=num, boolv=boolv, dt=dt, obj=obj)


def _put(t: pd.Series, mask: np.ndarray, sub: pd.Series) -> pd.Series:
    """``t`` with the masked positions replaced, in order, by ``sub``."""
    a, b = _arrow(t), _arrow(sub)
    if a is not None and b is not None:
        try:
            a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
            b = b.combine_chunks() if isinstance(b, pa.ChunkedArray) else b
            return _from_arrow(pc.replace_with_mask(a, pa.array(mask), b.cast(a.type)))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover
            pass
    arr = t.to_numpy(dtype=object, na_value="")
    arr[mask] = sub.to_numpy(dtype=object, na_value="")
    return _make_text(arr)


def _missing(c: _Cells, mask: np.ndarray | None = None) -> np.ndarray:
    """Text cells (within ``mask``) holding a missing-value token like "n/a" or "-"."""
    tm = c.kind == _TEXT
    if mask is not None:
        tm &= mask
    out = np.zeros(len(c), dtype=bool)
    if tm.any():
        low = _lower(_sub(c.text, tm))
        out[tm] = low.isin(list(MISSING_TOKENS)).to_numpy()
    return out


def _series(values: Any, index: pd.Index, dtype: Any = None) -> pd.Series:
    return pd.Series(values, index=index, dtype=dtype, copy=False)


# --------------------------------------------------------------------------------------------
# Blanks


def is_blank(s: pd.Series) -> pd.Series:
    """True where a cell is empty: missing (None, NaN, NaT), "" or whitespace only.

    Missing-value words are *not* blank here (see :func:`blank_or_missing`), and "NA" never
    is: it is Namibia's country code.

    >>> is_blank(pd.Series(["x", " ", None, "NA"])).tolist()
    [False, True, True, False]
    """
    c = _split(s)
    return _series(c.kind == _BLANK, s.index, bool)


def blank_or_missing(s: pd.Series) -> pd.Series:
    """True where a cell is blank or holds a missing-value token from :data:`MISSING_TOKENS`.

    Use it for number, date and yes/no columns, where "n/a", "-" or "NULL" cannot be a value.
    Matching ignores case and surrounding spaces; "NA" is still not missing.

    >>> blank_or_missing(pd.Series(["n/a", "#N/A", " - ", "NA", 0])).tolist()
    [True, True, True, False, False]
    """
    c = _split(s)
    return _series((c.kind == _BLANK) | _missing(c), s.index, bool)


# --------------------------------------------------------------------------------------------
# Numbers

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
    core = _trim_chars(t, _SYMBOLS + "'(+- ", _SYMBOLS + ")+-% ")
    dot_ok = _fullmatch(core, _DOT_BODY)
    comma_ok = _fullmatch(core, _COMMA_BODY)
    fail = ~(dot_ok | comma_ok)
    if fail.any():
        fixed = _replace(_sub(t, fail), _EDGE_RE, "")
        core = _put(core, fail, fixed)
        dot_ok[fail] = _fullmatch(fixed, _DOT_BODY)
        comma_ok[fail] = _fullmatch(fixed, _COMMA_BODY)
    neg = np.zeros(n, dtype=bool)
    signed = fail | (_length(t) != _length(core))  # signs can only sit in what was trimmed
    if signed.any():
        signed[signed] = _contains(_sub(t, signed), r"[-()]")
    if signed.any():
        st = _sub(t, signed)
        minus = _contains(st, r"^[^0-9.,]*-|-[^0-9]*$")
        opened = _contains(st, r"^[^0-9.,]*\(")
        closed = _contains(st, r"\)[^0-9]*$")
        broken = np.zeros(n, dtype=bool)
        broken[signed] = _contains(st, _MULTI_NEG_RE) | (opened != closed)
        neg[signed] = minus | (opened & closed)
        dot_ok &= ~broken
        comma_ok &= ~broken

    dot_val = np.full(n, np.nan)
    if dot_ok.any():
        dot_val = _to_float(_drop_chars(core, ", '"), dot_ok)
    comma_val = np.full(n, np.nan)
    if comma_ok.any():
        cs = _replace(_drop_chars(_sub(core, comma_ok), ". '"), ",", ".", literal=True)
        comma_val[comma_ok] = _to_float(cs, np.ones(len(cs), dtype=bool))

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
) -> tuple[pd.Series, pd.Series, str | None, _Cells, np.ndarray]:
    c = _split(s)
    vals = np.where(c.kind == _NUM, c.num, np.nan)
    num_ok = (c.kind == _NUM) & np.isfinite(vals)
    vals[~num_ok] = np.nan
    tm = c.kind == _TEXT
    note = None
    from_text = np.zeros(len(c), dtype=bool)
    if tm.any():
        r = _numbers_from_text(_sub(c.text, tm), decimal_comma)
        vals[tm] = r.values
        from_text[tm] = r.ok
        if r.n_comma:
            note = (
                f"{what} read with a decimal comma (1.234,50 means one thousand two hundred "
                "thirty-four and a half)"
            )
    ok = num_ok | from_text
    bad = ~ok & (c.kind != _BLANK)
    if bad.any():
        bad &= ~_missing(c, bad)
    return (
        _series(vals, s.index, "float64"),
        _series(bad, s.index, bool),
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
    tm = c.kind == _TEXT
    if tm.any():
        has_pct[tm] = _contains(_sub(c.text, tm), "%")
    has_pct &= from_text
    v[has_pct] /= 100.0
    bare = np.isfinite(v) & ~has_pct
    notes = [note] if note else []
    if bare.any() and ((v[bare] < 0) | (v[bare] > 1)).any():
        v[bare] /= 100.0
        notes.append("numbers without a % sign read as percents (15 means 15%)")
    return Parsed(values=_series(v, s.index, "float64"), bad=bad, note="; ".join(notes) or None)


# --------------------------------------------------------------------------------------------
# Dates

_MONTHS: dict[str, int] = {}
_MONTH_LIST = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
for _i, _name in enumerate(_MONTH_LIST, start=1):
    _MONTHS[_name] = _i
    _MONTHS[_name[:3]] = _i
_MONTHS["sept"] = 9
_MONTH_NAMES = [name.title() for name in _MONTH_LIST]

_TIME_RE = (
    r"(?:[ T]+|, *)(?P<H>[0-9]{1,2}):(?P<MI>[0-9]{2})(?::(?P<S>[0-9]{2})"
    r"(?:[.,](?P<F>[0-9]{1,9}))?)? *(?P<AP>[AaPp]\.?[Mm]\.?)?"
    r" *(?:Z|[+-][0-9]{2}:?[0-9]{2}|UTC|GMT)?"
)
_ISO_RE = r"(?P<Y>[0-9]{4})[-/.](?P<M>[0-9]{1,2})[-/.](?P<D>[0-9]{1,2})(?:" + _TIME_RE + ")?"
_NUM_RE = (
    r"(?P<A>[0-9]{1,2})[-/.](?P<B>[0-9]{1,2})[-/.](?P<Y>[0-9]{4}|[0-9]{2})(?:" + _TIME_RE + ")?"
)
_DAY_NAME_RE = (
    r"(?:[A-Za-z]+\.?,? +)?(?P<D>[0-9]{1,2})(?:st|nd|rd|th)?[ \-/.]*(?P<MN>[A-Za-z]+)\.?,?"
    r"[ \-/.]*(?P<Y>[0-9]{4}|[0-9]{2})(?:" + _TIME_RE + ")?"
)
_NAME_DAY_RE = (
    r"(?:[A-Za-z]+\.?,? +)?(?P<MN>[A-Za-z]+)\.?[ \-/.]*(?P<D>[0-9]{1,2})(?:st|nd|rd|th)?,?"
    r"[ \-/.]*(?P<Y>[0-9]{4})(?:" + _TIME_RE + ")?"
)
_SERIAL_MAX_1900 = 2958466  # exclusive: 9999-12-31 is serial 2958465
_SERIAL_MAX_1904 = _SERIAL_MAX_1900 - 1462


def excel_serial_to_datetime(values: Any, *, epoch_1904: bool = False) -> Any:
    """Convert Excel serial day numbers to naive datetime64[us] (NaT where impossible).

    In the 1900 system serial 1 is 1900-01-01 and serial 60 is Excel's fictitious
    1900-02-29 (returned as NaT); in the 1904 system serial 0 is 1904-01-01. The fraction is
    the time of day, rounded to the millisecond. Returns a Series (same index) for a Series,
    otherwise a numpy array. No plausibility check is made here (see :func:`parse_date`).

    >>> excel_serial_to_datetime(np.array([45356.5]))
    array(['2024-03-05T12:00:00.000000'], dtype='datetime64[us]')
    """
    if isinstance(values, pd.Series):
        arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(excel_serial_to_datetime(arr, epoch_1904=epoch_1904), index=values.index)
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        if epoch_1904:
            ok = (x >= 0) & (x < _SERIAL_MAX_1904)
            base = np.datetime64("1904-01-01", "ms")
            days = x
        else:
            ok = (x >= 1) & (x < _SERIAL_MAX_1900) & ~((x >= 60) & (x < 61))
            base = np.datetime64("1899-12-30", "ms")
            days = np.where(x < 60, x + 1, x)  # Excel counts the missing 1900-02-29
        ms = np.round(np.where(ok, days, 0.0) * 86_400_000.0).astype(np.int64)
    out = (base + ms.astype("timedelta64[ms]")).astype(_DT_UNIT)
    out[~ok] = _NAT
    return out


def _assemble(
    y: np.ndarray,
    m: np.ndarray,
    d: np.ndarray,
    hh: np.ndarray | None = None,
    mi: np.ndarray | None = None,
    ss: np.ndarray | None = None,
    us: np.ndarray | None = None,
) -> np.ndarray:
    """datetime64[us] from integer parts, NaT where the parts do not make a real date."""
    zero = np.zeros(len(y), dtype=np.int64)
    hh = zero if hh is None else hh
    mi = zero if mi is None else mi
    ss = zero if ss is None else ss
    us = zero if us is None else us
    ok = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    ok &= (hh >= 0) & (hh <= 23) & (mi >= 0) & (mi <= 59) & (ss >= 0) & (ss <= 59)
    months = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # rejects 31/02
    secs = np.where(ok, (hh * 60 + mi) * 60 + ss, 0)
    out: np.ndarray = days.astype(_DT_UNIT) + (secs * 1_000_000 + np.where(ok, us, 0)).astype(
        "timedelta64[us]"
    )
    out[~ok] = _NAT
    return out


def _numbers_to_dates(x: np.ndarray, epoch_1904: bool) -> np.ndarray:
    """Dates from numbers: Excel serials, or yyyymmdd; bare years like 2024 are unreadable."""
    out: np.ndarray = excel_serial_to_datetime(x, epoch_1904=epoch_1904)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(x) & (x == np.floor(x))
        out[whole & (x >= 1900) & (x <= 2100)] = _NAT
        ymd = whole & (x >= 10_000_101) & (x <= 99_991_231)
    if ymd.any():
        v = x[ymd].astype(np.int64)
        out[ymd] = _assemble(v // 10000, v // 100 % 100, v % 100)
    return out


def _time_parts(g: dict[str, pd.Series]) -> tuple[np.ndarray, ...]:
    hh = np.maximum(_to_int(g["H"]), 0)
    mi = np.maximum(_to_int(g["MI"]), 0)
    ss = np.maximum(_to_int(g["S"]), 0)
    frac = g["F"].str.slice(0, 6).str.pad(6, side="right", fillchar="0")
    us = np.maximum(_to_int(frac), 0)
    ap = _lower(g["AP"]).str.slice(0, 1).to_numpy(dtype=object, na_value="")
    has_ap = ap != ""
    wrong = has_ap & ((hh < 1) | (hh > 12))  # "13:00 pm" is not a time
    hh = np.where(has_ap, hh % 12 + np.where(ap == "p", 12, 0), hh)
    hh = np.where(wrong, 99, hh)
    return hh, mi, ss, us


def _year(g: pd.Series) -> np.ndarray:
    """Four-digit years as written; two-digit ones with Excel's pivot (00-29 -> 20xx)."""
    y = _to_int(g)
    two = g.str.len().to_numpy() == 2
    return np.where(two, np.where(y <= 29, 2000 + y, 1900 + y), y)


@dataclass
class _TextDates:
    values: np.ndarray
    ambiguous: np.ndarray
    note: str | None
    votes: tuple[int, int] = (0, 0)


def _dates_from_text(t: pd.Series, epoch_1904: bool, dayfirst: bool | None) -> _TextDates:
    n = len(t)
    out = np.full(n, _NAT)
    todo = np.ones(n, dtype=bool)

    def match(pattern: str) -> np.ndarray:
        """Cells still to do that match ``pattern`` (tested on those cells only)."""
        hit = todo.copy()
        if hit.any():
            hit[hit] = _fullmatch(t if hit.all() else _sub(t, hit), pattern)
        return hit

    def take(pattern: str) -> tuple[np.ndarray, dict[str, pd.Series]] | None:
        hit = match(pattern)
        if not hit.any():
            return None
        return hit, _extract(_sub(t, hit), pattern)

    # the common clean shapes are sliced, not captured: RE2 captures are slow
    hit = match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    if hit.any():
        sub = _sub(t, hit)
        out[hit] = _assemble(
            _to_int(_slice(sub, 0, 4)), _to_int(_slice(sub, 5, 7)), _to_int(_slice(sub, 8, 10))
        )
        todo &= ~hit
    # numbers written as text: serials and yyyymmdd
    hit = match(r"[0-9]{1,8}(?:\.[0-9]+)?")
    if hit.any():
        out[hit] = _numbers_to_dates(
            _to_float(_sub(t, hit), np.ones(int(hit.sum()), bool)), epoch_1904
        )
        todo &= ~hit
    got = take(_ISO_RE)
    if got:
        hit, g = got
        out[hit] = _assemble(_to_int(g["Y"]), _to_int(g["M"]), _to_int(g["D"]), *_time_parts(g))
        todo &= ~hit

    # day/month or month/day: collect first, decide per column
    a = np.full(n, -1, dtype=np.int64)
    b = np.full(n, -1, dtype=np.int64)
    yy = np.full(n, -1, dtype=np.int64)
    tparts = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    fam = np.zeros(n, dtype=bool)
    hit = match(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
    if hit.any():
        sub = _sub(t, hit)
        a[hit] = _to_int(_slice(sub, 0, 2))
        b[hit] = _to_int(_slice(sub, 3, 5))
        yy[hit] = _to_int(_slice(sub, 6, 10))
        fam |= hit
        todo &= ~hit
    hit = match(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:[0-9]{2}|[0-9]{4})")
    if hit.any():
        pa_, pb_, py_ = _parts(_sub(t, hit), "[-/.]", 3)
        a[hit], b[hit], yy[hit] = _to_int(pa_), _to_int(pb_), _year(py_)
        fam |= hit
        todo &= ~hit
    got = take(_NUM_RE)
    if got:
        hit, g = got
        a[hit], b[hit], yy[hit] = _to_int(g["A"]), _to_int(g["B"]), _year(g["Y"])
        for arr, part in zip(tparts, _time_parts(g), strict=True):
            arr[hit] = part
        fam |= hit
        todo &= ~hit

    for pattern in (_DAY_NAME_RE, _NAME_DAY_RE):
        got = take(pattern)
        if got:
            hit, g = got
            month = _lower(g["MN"]).map(_MONTHS).to_numpy(dtype=float, na_value=np.nan)
            month = np.nan_to_num(month, nan=-1).astype(np.int64)
            out[hit] = _assemble(_year(g["Y"]), month, _to_int(g["D"]), *_time_parts(g))
            todo &= ~hit

    amb = np.zeros(n, dtype=bool)
    note = None
    n_df = n_mf = 0
    if fam.any():
        df_ev = fam & (a > 12) & (a <= 31) & (b >= 1) & (b <= 12)
        mf_ev = fam & (b > 12) & (b <= 31) & (a >= 1) & (a <= 12)
        n_df, n_mf = int(df_ev.sum()), int(mf_ev.sum())
        use_df = (n_df > n_mf) if dayfirst is None else dayfirst
        day, month = (a, b) if use_df else (b, a)
        res = _assemble(yy, month, day, *tparts)
        out[fam] = res[fam]
        order = "day/month/year" if use_df else "month/day/year"
        if dayfirst is None:
            minority = int((mf_ev if use_df else df_ev).sum())
            if n_df != n_mf:
                ex = t[df_ev if use_df else mf_ev].iloc[0]
                note = f"dates read as {order} ({ex} shows it)"
                if minority:
                    note += f"; {minority} written the other way round could not be read"
            else:
                amb = fam & ~np.isnat(out) & (a <= 12) & (b <= 12) & (a != b)
                if amb.any():
                    i = int(np.flatnonzero(amb)[0])
                    ex = t.iloc[i]
                    first = f"{a[i]} {_MONTH_NAMES[b[i] - 1]}"
                    second = f"{b[i]} {_MONTH_NAMES[a[i] - 1]}"
                    note = (
                        f"dates like {ex} could be {second} or {first}; read as {order} "
                        f"({second}), as Excel does by default"
                    )
                if minority:
                    note = (note + "; " if note else "") + (
                        f"{minority} dates written day/month could not be read"
                    )
    return _TextDates(out, amb, note, (n_df, n_mf))


def parse_date(s: pd.Series, *, epoch_1904: bool = False, dayfirst: bool | None = None) -> Parsed:
    """Read a column of dates (with times when given) as naive datetime64[us].

    Accepts date/datetime cells; Excel serial numbers (as numbers or digit text, in the 1900
    or, with ``epoch_1904``, the 1904 system); yyyymmdd numbers; ISO text ("2024-03-05",
    "2024-03-05 14:30", "2024-03-05T14:30:00Z", offsets dropped, wall time kept);
    "05/03/2024", "5.3.2024", "05-03-24" (two-digit years: 00-29 -> 2000s, as Excel);
    month names ("5 Mar 2024", "March 5, 2024"). Bare whole numbers 1900-2100 look like
    years, not serials, and are bad; so are times without a date and impossible dates
    (31/02/2024). Day/month order is chosen once per column when ``dayfirst`` is None:
    cells like 13/03/2024 or 03/13/2024 are evidence, the majority wins and cells written
    the other way are bad; with no (or tied) evidence dates are read month/day/year (Excel's
    default) and cells like 05/03/2024 are flagged in ``ambiguous``.

    >>> r = parse_date(pd.Series(["13/03/2024", "05/03/2024", 45356]))
    >>> [str(d.date()) for d in r.values]
    ['2024-03-13', '2024-03-05', '2024-03-05']
    >>> r.note
    'dates read as day/month/year (13/03/2024 shows it)'
    """
    c = _split(s)
    n = len(c)
    out = np.full(n, _NAT)
    amb = np.zeros(n, dtype=bool)
    note = None
    m = c.kind == _DT
    out[m] = c.dt[m]
    m = c.kind == _NUM
    if m.any():
        out[m] = _numbers_to_dates(c.num[m], epoch_1904)
    tm = c.kind == _TEXT
    votes = (0, 0)
    if tm.any():
        r = _dates_from_text(_sub(c.text, tm), epoch_1904, dayfirst)
        out[tm] = r.values
        amb[tm] = r.ambiguous
        note = r.note
        votes = r.votes
    bad = np.isnat(out) & (c.kind != _BLANK)
    if bad.any():
        bad &= ~_missing(c, bad)
    return Parsed(
        values=_series(out, s.index, _DT_UNIT),
        bad=_series(bad, s.index, bool),
        ambiguous=_series(amb, s.index, bool),
        note=note,
        votes=votes,
    )


# --------------------------------------------------------------------------------------------
# Yes/no, text, choices

_TRUE = frozenset(
    {"yes", "y", "true", "t", "1", "x", "on", "\u2713", "\u2714", "\u2611", "ja", "oui", "si"}
)
_FALSE = frozenset(
    {"no", "n", "false", "f", "0", "off", "\u2717", "\u2718", "\u2610", "nein", "non"}
)


def parse_bool(s: pd.Series) -> Parsed:
    """Read a yes/no column as pandas' nullable ``boolean``.

    True: yes, y, true, t, 1, x, on, ✓; False: no, n, false, f, 0, off, ✗ (any case);
    boolean cells as they are; numbers 1 and 0. Blank and missing tokens stay NA: a blank
    is not a "no" (the caller decides).

    >>> parse_bool(pd.Series(["Yes", "x", "off", None, "maybe"])).values.tolist()
    [True, True, False, <NA>, <NA>]
    """
    c = _split(s)
    n = len(c)
    val = np.zeros(n, dtype=bool)
    ok = c.kind == _BOOL
    val[ok] = c.boolv[ok]
    m = c.kind == _NUM
    val[m & (c.num == 1)] = True
    ok |= m & ((c.num == 1) | (c.num == 0))
    tm = c.kind == _TEXT
    if tm.any():
        low = _lower(_sub(c.text, tm)).str.replace(".", "", regex=False)
        is_true = low.isin(list(_TRUE)).to_numpy()
        is_false = low.isin(list(_FALSE)).to_numpy()
        val[tm] = is_true
        ok[tm] = is_true | is_false
    bad = ~ok & (c.kind != _BLANK)
    if bad.any():
        bad &= ~_missing(c, bad)
    values = pd.array(val, dtype="boolean")
    values[~ok] = pd.NA
    return Parsed(values=_series(values, s.index), bad=_series(bad, s.index, bool))


def _num_text(x: Any) -> str:
    if isinstance(x, int | np.integer):
        return str(int(x))
    f = _safe_float(x)
    if math.isfinite(f) and f.is_integer() and abs(f) < 1e16:
        return str(int(f))
    return str(f)


def _safe_str(x: Any) -> str:
    try:
        return str(x)
    except Exception:
        return ""


def _cells_as_text(c: _Cells) -> np.ndarray:
    """Every cell as text (object array, None for blanks), stripped, nothing dropped."""
    n = len(c)
    out = np.full(n, None, dtype=object)
    tm = c.kind == _TEXT
    out[tm] = c.text.to_numpy(dtype=object, na_value="")[tm]
    m = c.kind == _NUM
    if m.any():
        if c.obj is not None:
            out[m] = pd.Series(c.obj[m]).map(_num_text).to_numpy(dtype=object)
        else:
            x = c.num[m]
            whole = (x == np.floor(x)) & (np.abs(x) < 1e16)
            txt = np.empty(len(x), dtype=object)
            txt[whole] = x[whole].astype(np.int64).astype(str)
            if (~whole).any():
                txt[~whole] = pd.Series(x[~whole]).map(lambda v: str(float(v))).to_numpy()
            out[m] = txt
    m = c.kind == _BOOL
    out[m] = np.where(c.boolv[m], "TRUE", "FALSE")
    m = c.kind == _DT
    if m.any():
        d = c.dt[m]
        midnight = d == d.astype("datetime64[D]")
        txt = np.where(
            midnight,
            np.datetime_as_string(d, unit="D"),
            np.char.replace(np.datetime_as_string(d, unit="s"), "T", " "),
        )
        out[m] = txt.astype(object)
    m = (c.kind == _TIME) | (c.kind == _OTHER)
    if m.any() and c.obj is not None:
        out[m] = [_safe_str(x).strip() for x in c.obj[m]]
        out[m & (out == "")] = None
    return out


def parse_text(s: pd.Series) -> Parsed:
    """Read a text column as pandas ``str``: stripped, inner spaces kept, blanks NA.

    Whole numbers become integer text (2134.0 -> "2134"; a lost leading zero cannot come
    back), other numbers their shortest form ("12.5"), dates ISO text ("2024-03-05", with
    the time when not midnight). Only the exact token "NULL" (as databases export) is
    missing; "NA", "None" and "null" are text. ``bad`` is all False.

    >>> parse_text(pd.Series([" Acme  Ltd ", 2134.0, "NA", "NULL"])).values.tolist()
    ['Acme  Ltd', '2134', 'NA', nan]
    """
    c = _split(s)
    if c.obj is None and not ((c.kind != _TEXT) & (c.kind != _BLANK)).any():
        # text only (the usual column): stay in Arrow, no Python string per cell
        keep = (c.kind == _TEXT) & ~_fullmatch(c.text, "NULL")
        text = c.text.where(keep)  # NaN elsewhere, as below
        return Parsed(values=_series(text.array, s.index),
                      bad=_series(np.zeros(len(c), bool), s.index))  # fmt: skip
    out = _cells_as_text(c)
    out[out == "NULL"] = None
    values = pd.Series(_make_text(np.where(pd.isna(out), "", out)).to_numpy(), dtype="str")
    values[pd.isna(out)] = np.nan
    return Parsed(
        values=_series(values.array, s.index), bad=_series(np.zeros(len(c), bool), s.index)
    )


_TOKEN_SEP = re.compile(r"[\s\-_./,;:'\"()\[\]\u2010-\u2015]+")


def normalise_token(text: str) -> str:
    """Casefold, turn runs of spaces and punctuation (-_./,;:'"()) into one space, strip.

    Used for the keys of :func:`parse_choice` synonyms and for the cells it looks up.

    >>> normalise_token("  Word-of_Mouth. ")
    'word of mouth'
    """
    return _TOKEN_SEP.sub(" ", str(text).casefold()).strip()


def parse_choice(s: pd.Series, synonyms: Mapping[str, str]) -> Parsed:
    """Map free-text cells onto canonical choices through ``synonyms``.

    Each cell is normalised with :func:`normalise_token` and looked up in ``synonyms``
    (keys normalised the same way); each canonical value also matches itself. Unknown
    values are kept as written (stripped) and flagged in ``bad`` so the caller can decide
    whether that deserves a warning. Work is done once per distinct value.

    >>> r = parse_choice(pd.Series(["E-mail", "referral", "fax"]), {"e-mail": "Email"})
    >>> r.values.tolist(), r.bad.tolist()
    (['Email', 'referral', 'fax'], [False, True, True])
    """
    table: dict[str, str] = {normalise_token(v): v for v in synonyms.values()}
    table.update({normalise_token(k): v for k, v in synonyms.items()})
    text = parse_text(s).values
    codes, uniques = pd.factorize(text)  # blanks get code -1
    canon = np.array([table.get(normalise_token(u)) for u in uniques] + [None], dtype=object)
    hit = canon[codes]  # code -1 picks the trailing None
    known = np.array([c is not None for c in hit], dtype=bool) if len(hit) else hit.astype(bool)
    values = text.copy()
    if known.any():
        values[known] = hit[known]
    bad = text.notna().to_numpy() & ~known
    return Parsed(values=values, bad=_series(bad, s.index, bool))


# --------------------------------------------------------------------------------------------
# Employees

_EMP_NUM = r"[0-9]{1,3}(?:[,.' ][0-9]{3})+|[0-9]+"
_EMP_WORDS = (
    r"(?i)\b(?:employees?|employes|staff|people|persons?|ppl|fte|headcount|workers|emp|"
    r"approx|approximately|about|around|circa|ca|roughly|est|estimated|c)\b\.?|~|≈"
)


def _emp_int(g: pd.Series) -> np.ndarray:
    digits = _replace(g, r"[,.' ]", "")
    ok = _fullmatch(digits, "[0-9]{1,15}")
    return _to_float(digits, ok)


def _band_index(x: np.ndarray) -> np.ndarray:
    return np.select([x < 10, x < 50, x < 250], [0, 1, 2], 3)


def parse_employees(s: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Read head counts and ranges into ``employees_min``, ``employees_max``, ``size_band``.

    Accepts numbers, "12", "50-99", "50 \u2013 99", "50 to 99", "1,000+", ">1000" (1001 up),
    "<10" (1 to 9), "1-9 employees", "approx 40". Open ranges have ``employees_max`` NaN.
    ``size_band`` is one of :data:`SIZE_BANDS`: the band holding the whole range, else the
    band of its midpoint (open ranges: of the lower bound). Returns the frame and a bad mask.

    >>> df, bad = parse_employees(pd.Series(["50-99", "1,000+", "<10"]))
    >>> df["size_band"].tolist()
    ['medium (50-249)', 'large (250+)', 'micro (1-9)']
    """
    c = _split(s)
    n = len(c)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        m = (c.kind == _NUM) & (c.num >= 0) & (c.num < 1e15) & (c.num == np.floor(c.num))
    lo[m] = hi[m] = c.num[m] + 0.0  # -0.0 is 0 employees
    tm = c.kind == _TEXT
    if tm.any():
        t = _sub(c.text, tm)
        t = _replace(t, "[\u2010-\u2015]", "-")
        t = _strip(_replace(_replace(t, _EMP_WORDS, " "), " +", " "))
        tlo = np.full(len(t), np.nan)
        thi = np.full(len(t), np.nan)
        todo = np.ones(len(t), dtype=bool)
        forms = [  # (pattern, lower bound from, upper bound from)
            (rf"(?P<N>{_EMP_NUM})", "N", "N"),
            (rf"(?P<L>{_EMP_NUM}) *(?:-|to|until|bis|a|/) *(?P<U>{_EMP_NUM})", "L", "U"),
            (rf"(?P<L>{_EMP_NUM}) *(?:\+|or more|and (?:up|above|over|more)|plus)", "L", ""),
            (rf"(?:>=|≥|at least|min\.?|minimum) *(?P<L>{_EMP_NUM})", "L", ""),
            (rf"(?:>|over|more than|above) *(?P<G>{_EMP_NUM})", "G", ""),
            (rf"(?:<=|≤|up to|max\.?|maximum) *(?P<U>{_EMP_NUM})", "", "U"),
            (rf"(?:<|under|less than|fewer than|below) *(?P<B>{_EMP_NUM})", "", "B"),
        ]
        low = _lower(t)
        for pattern, lo_g, hi_g in forms:
            hit = todo & _fullmatch(low, pattern)
            if not hit.any():
                continue
            g = _extract(_sub(low, hit), pattern)
            if lo_g:
                tlo[hit] = _emp_int(g[lo_g]) + (1 if lo_g == "G" else 0)
            else:
                tlo[hit] = 1.0
            if hi_g:
                thi[hit] = _emp_int(g[hi_g]) - (1 if hi_g == "B" else 0)
            todo &= ~hit
        lo[tm] = tlo
        hi[tm] = thi
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(lo) & ~(hi < lo)
    lo[~ok] = np.nan
    hi[~ok] = np.nan
    band_lo = _band_index(np.nan_to_num(lo))
    band_hi = _band_index(np.nan_to_num(hi))
    band_mid = _band_index(np.nan_to_num((lo + hi) / 2))
    band = np.where(np.isnan(hi) | (band_lo == band_hi), band_lo, band_mid)
    names = np.array(SIZE_BANDS, dtype=object)[band]
    names[~ok] = None
    frame = pd.DataFrame(
        {
            "employees_min": _series(lo, s.index, "float64"),
            "employees_max": _series(hi, s.index, "float64"),
            "size_band": _series(names, s.index, "str"),
        },
        index=s.index,
    )
    bad = ~ok & (c.kind != _BLANK)
    if bad.any():
        bad &= ~_missing(c, bad)
    return frame, _series(bad, s.index, bool)
