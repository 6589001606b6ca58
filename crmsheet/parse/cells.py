"""A raw column taken apart by cell type, and which of its cells are blank or missing.

Readers hand over columns of mixed cells (object dtype holding ``str``, numbers, ``bool``,
``datetime``/``date``/``time``, ``pd.Timestamp`` or missing values; pandas ``str``; numeric;
``datetime64``). :func:`split` sorts them once into :class:`Cells`, one array per kind of value,
so each parser works on whole arrays of one type. :func:`is_blank` and :func:`blank_or_missing`
are the public faces of that sorting.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .arrow import (
    as_arrow,
    contains,
    from_arrow,
    length,
    lower,
    make_text,
    non_ascii,
    put,
    replace,
    strip,
    subset,
)
from .result import series

__all__ = [
    "BLANK",
    "BOOL",
    "DT",
    "DT_UNIT",
    "MISSING_TOKENS",
    "NAT",
    "NUM",
    "OTHER",
    "TEXT",
    "TIME",
    "Cells",
    "blank_or_missing",
    "is_blank",
    "missing",
    "safe_float",
    "split",
]

MISSING_TOKENS: frozenset[str] = frozenset(
    {"null", "n/a", "#n/a", "none", "-", "--", "\u2014", "nan"}
)
"""Lower-cased tokens that mean "no value" in number, date and yes/no columns (never "NA")."""


DT_UNIT = "datetime64[us]"
"""The unit of every datetime a parser returns."""
NAT = np.datetime64("NaT", "us")


# the kinds of cell in Cells.kind
BLANK, TEXT, NUM, BOOL, DT, TIME, OTHER = range(7)

# exotic spaces, the minus sign, typographic apostrophes and BOMs, mapped to plain ASCII
_EXOTIC = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_EXOTIC_RE = "[" + _EXOTIC + "\u2212\u2019\u200b\ufeff]"


def _kind_of_type(tp: type) -> int:
    if issubclass(tp, bool | np.bool_):
        return BOOL
    if issubclass(tp, str):
        return TEXT
    if issubclass(tp, _dt.datetime | _dt.date | np.datetime64):  # Timestamp is a datetime
        return DT
    if issubclass(tp, _dt.time):
        return TIME
    if issubclass(tp, numbers.Real | decimal.Decimal) and not issubclass(tp, np.timedelta64):
        return NUM
    return OTHER


def safe_float(x: Any) -> float:
    """``float(x)``, NaN where that fails."""
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
class Cells:
    """A raw column taken apart by cell type; every array is positional."""

    kind: np.ndarray  # int8, one of BLANK.._OTHER
    text: pd.Series  # str dtype, stripped text where kind == TEXT, else ""
    num: np.ndarray  # float64 where kind == NUM
    boolv: np.ndarray  # bool where kind == BOOL
    dt: np.ndarray  # datetime64[us] where kind == DT
    obj: np.ndarray | None  # the raw objects, for object input

    def __len__(self) -> int:
        return len(self.kind)


def _datetimes_from_objects(objs: np.ndarray) -> np.ndarray:
    try:
        res = pd.to_datetime(pd.Series(objs, dtype=object), errors="coerce")
        if getattr(res.dt, "tz", None) is not None:
            res = res.dt.tz_localize(None)
        return np.asarray(res.to_numpy()).astype(DT_UNIT)
    except Exception:
        out = np.full(len(objs), NAT)
        for i, x in enumerate(objs):
            try:
                ts = pd.Timestamp(x)
                if ts.tzinfo is not None:
                    ts = ts.tz_localize(None)
                out[i] = np.datetime64(ts.to_datetime64(), "us")
            except Exception:
                out[i] = NAT
        return out


def split(s: pd.Series) -> Cells:
    """Take a raw column apart by cell type; text is cleaned of exotic spaces and stripped."""
    n = len(s)
    kind = np.full(n, BLANK, dtype=np.int8)
    num = np.full(n, np.nan)
    boolv = np.zeros(n, dtype=bool)
    dt = np.full(n, NAT)
    obj: np.ndarray | None = None
    text: pd.Series | None = None
    dtype = s.dtype

    if isinstance(dtype, pd.CategoricalDtype):
        s = s.astype(object)
        dtype = s.dtype
    if isinstance(dtype, pd.StringDtype):
        na = s.isna().to_numpy()
        a = as_arrow(s) if isinstance(s.array, pd.arrays.ArrowStringArray) else None
        text = from_arrow(a) if a is not None else make_text(s.to_numpy(dtype=object, na_value=""))
        kind[~na] = TEXT
    elif pd.api.types.is_bool_dtype(dtype):
        na = s.isna().to_numpy()
        kind[~na] = BOOL
        boolv = s.to_numpy(dtype=object, na_value=False).astype(bool)
    elif pd.api.types.is_numeric_dtype(dtype):
        num = np.array(s.to_numpy(dtype=float, na_value=np.nan), dtype=float)  # a copy
        kind[~np.isnan(num)] = NUM
    elif isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        d = s.dt.tz_localize(None) if isinstance(dtype, pd.DatetimeTZDtype) else s
        dt = np.asarray(d.to_numpy()).astype(DT_UNIT)
        kind[~np.isnat(dt)] = DT
    else:
        obj = s.to_numpy(dtype=object)
        na = _isna_objects(obj)
        try:
            inferred = pd.api.types.infer_dtype(obj, skipna=True) if n else "empty"
        except Exception:  # e.g. Decimal("sNaN") refuses comparisons
            inferred = "mixed"
        if inferred == "string":
            kind[~na] = TEXT
        elif inferred in ("floating", "integer", "mixed-integer-float", "decimal"):
            kind[~na] = NUM
        else:
            types = [type(x) for x in obj]
            lut = {tp: _kind_of_type(tp) for tp in set(types)}
            kind = np.fromiter((lut[tp] for tp in types), dtype=np.int8, count=n)
            kind[na] = BLANK
        m = kind == NUM
        if m.any():
            sub = obj[m]
            try:
                vals = sub.astype(float)
            except (TypeError, ValueError, OverflowError, decimal.InvalidOperation):
                vals = np.fromiter((safe_float(x) for x in sub), dtype=float, count=len(sub))
            num[m] = vals
            bad_num = np.zeros(n, dtype=bool)
            bad_num[m] = np.isnan(vals)
            kind[bad_num] = OTHER  # numbers that are not numbers (sNaN, huge ints)
        m = kind == BOOL
        boolv[m] = obj[m].astype(bool)
        m = kind == DT
        if m.any():
            dt[m] = _datetimes_from_objects(obj[m])
            gone = np.zeros(n, dtype=bool)
            gone[m] = np.isnat(dt[m])
            kind[gone] = OTHER
        tm = kind == TEXT
        text = make_text(np.where(tm, obj, ""))

    if text is None:
        text = make_text(np.full(n, "", dtype=object))
    tm = kind == TEXT
    if tm.any():
        exotic = non_ascii(text) & tm
        if exotic.any():
            exotic[exotic] = contains(subset(text, exotic), _EXOTIC_RE)
        if exotic.any():
            fixed = subset(text, exotic)
            fixed = replace(fixed, "[" + _EXOTIC + "]", " ")
            fixed = replace(fixed, "\u2212", "-", literal=True)
            fixed = replace(fixed, "\u2019", "'", literal=True)
            fixed = replace(fixed, "[\u200b\ufeff]", "")
            text = put(text, exotic, fixed)
        text = strip(text)
        empty = tm & (length(text) == 0)
        kind[empty] = BLANK
    return Cells(kind=kind, text=text, num=num, boolv=boolv, dt=dt, obj=obj)


def missing(c: Cells, mask: np.ndarray | None = None) -> np.ndarray:
    """Text cells (within ``mask``) holding a missing-value token like "n/a" or "-"."""
    tm = c.kind == TEXT
    if mask is not None:
        tm &= mask
    out = np.zeros(len(c), dtype=bool)
    if tm.any():
        low = lower(subset(c.text, tm))
        out[tm] = low.isin(list(MISSING_TOKENS)).to_numpy()
    return out


def is_blank(s: pd.Series) -> pd.Series:
    """True where a cell is empty: missing (None, NaN, NaT), "" or whitespace only.

    Missing-value words are *not* blank here (see :func:`blank_or_missing`), and "NA" never
    is: it is Namibia's country code.

    >>> is_blank(pd.Series(["x", " ", None, "NA"])).tolist()
    [False, True, True, False]
    """
    c = split(s)
    return series(c.kind == BLANK, s.index, bool)


def blank_or_missing(s: pd.Series) -> pd.Series:
    """True where a cell is blank or holds a missing-value token from :data:`MISSING_TOKENS`.

    Use it for number, date and yes/no columns, where "n/a", "-" or "NULL" cannot be a value.
    Matching ignores case and surrounding spaces; "NA" is still not missing.

    >>> blank_or_missing(pd.Series(["n/a", "#N/A", " - ", "NA", 0])).tolist()
    [True, True, True, False, False]
    """
    c = split(s)
    return series((c.kind == BLANK) | missing(c), s.index, bool)
