"""String kernels for the parsers: pyarrow.compute (RE2) on Arrow-backed text, pandas otherwise.

pyarrow is a dependency of crmsheet, and pandas' ``str`` dtype is Arrow-backed with it, so the
parsers' text work runs in Arrow rather than cell by cell in Python. The regexes handed to
these functions therefore avoid look-arounds and back-references and spell digits ``[0-9]``, so that
RE2 and Python's ``re`` (the pandas path, for text that is not Arrow-backed) agree. Text series
handed around between the parsers are positional (RangeIndex) and hold "" instead of NA.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "as_arrow",
    "contains",
    "drop_chars",
    "extract",
    "from_arrow",
    "fullmatch",
    "length",
    "lower",
    "make_text",
    "non_ascii",
    "parts",
    "put",
    "replace",
    "slice_text",
    "strip",
    "subset",
    "to_float",
    "to_int",
    "trim_chars",
]


def as_arrow(t: pd.Series) -> Any:
    """The Arrow array behind ``t``, or None when ``t`` is not Arrow-backed."""
    arr = t.array
    if isinstance(arr, pd.arrays.ArrowStringArray) or hasattr(arr, "__arrow_array__"):
        try:
            return arr.__arrow_array__()
        except Exception:  # pragma: no cover - defensive
            return None
    return None  # pragma: no cover


def _np_bool(x: Any) -> np.ndarray:
    if isinstance(x, pa.ChunkedArray | pa.Array):
        x = pc.fill_null(x, False)
        return np.array(x.to_numpy(zero_copy_only=False), dtype=bool)  # writable copy
    return np.array(pd.Series(x).fillna(False).to_numpy(dtype=bool), dtype=bool)


def fullmatch(t: pd.Series, pat: str) -> np.ndarray:
    """True where the whole string matches the regex ``pat``."""
    a = as_arrow(t)
    if a is not None:
        return _np_bool(pc.match_substring_regex(a, "^(?:" + pat + ")$"))
    return _np_bool(t.str.fullmatch(pat))


def contains(t: pd.Series, pat: str) -> np.ndarray:
    """True where the regex ``pat`` matches somewhere in the string."""
    a = as_arrow(t)
    if a is not None:
        return _np_bool(pc.match_substring_regex(a, pat))
    return _np_bool(t.str.contains(pat, regex=True))


def from_arrow(a: Any) -> pd.Series:
    """A positional ``str`` Series of an Arrow string array, nulls as ""."""
    return pd.Series(pd.array(pc.fill_null(a, ""), dtype="str"))


def replace(t: pd.Series, pat: str, repl: str = "", *, literal: bool = False) -> pd.Series:
    """``t`` with every match of ``pat`` (a regex, or plain text when ``literal``) replaced."""
    a = as_arrow(t)
    if a is not None:
        fn = pc.replace_substring if literal else pc.replace_substring_regex
        return from_arrow(fn(a, pat, repl))
    return t.str.replace(pat, repl, regex=not literal).reset_index(drop=True)


def extract(t: pd.Series, pat: str) -> dict[str, pd.Series]:
    """Named groups of a full match ("" where the group or the match is absent)."""
    names = re.findall(r"\(\?P<(\w+)>", pat)
    a = as_arrow(t)
    if a is not None:
        st = pc.extract_regex(a, "^(?:" + pat + ")$")
        return {n: from_arrow(pc.struct_field(st, n)) for n in names}
    df = t.str.extract("^(?:" + pat + ")$", expand=True)
    return {n: df[n].fillna("").astype(str).reset_index(drop=True) for n in names}


def strip(t: pd.Series) -> pd.Series:
    """``t`` without leading and trailing whitespace."""
    a = as_arrow(t)
    if a is not None:
        return from_arrow(pc.utf8_trim_whitespace(a))
    return t.str.strip().reset_index(drop=True)


def lower(t: pd.Series) -> pd.Series:
    """``t`` in lower case."""
    a = as_arrow(t)
    if a is not None:
        return from_arrow(pc.utf8_lower(a))
    return t.str.lower().reset_index(drop=True)


def to_float(t: pd.Series, ok: np.ndarray) -> np.ndarray:
    """Float value of the strings where ``ok`` (already validated as plain numbers)."""
    out = np.full(len(t), np.nan)
    if not ok.any():
        return out
    a = as_arrow(t)
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


def to_int(t: pd.Series) -> np.ndarray:
    """Integer value of (regex-checked) digit strings, -1 where empty or not digits."""
    a = as_arrow(t)
    if a is not None:
        try:
            cast = pc.cast(pc.if_else(pc.equal(a, ""), None, a), pa.int64())
            return np.asarray(pc.fill_null(cast, -1).to_numpy(), dtype=np.int64)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    ok = fullmatch(t, "[0-9]{1,12}")
    f = to_float(t, ok)
    return np.where(ok, np.nan_to_num(f, nan=-1.0), -1.0).astype(np.int64)


def parts(t: pd.Series, sep: str, k: int) -> list[pd.Series]:
    """The first ``k`` pieces of each string split on the regex ``sep`` (cells have ``k``)."""
    a = as_arrow(t)
    if a is not None:
        pieces = pc.split_pattern_regex(a, sep)
        return [from_arrow(pc.list_element(pieces, i)) for i in range(k)]
    df = t.str.split(sep, regex=True, expand=True)
    return [df[i].fillna("").astype(str).reset_index(drop=True) for i in range(k)]


def drop_chars(t: pd.Series, chars: str) -> pd.Series:
    """``t`` without any of ``chars`` (each searched first: replacing costs more)."""
    for ch in chars:
        a = as_arrow(t)
        if a is not None and not pc.any(pc.match_substring(a, ch)).as_py():
            continue
        t = replace(t, ch, "", literal=True)
    return t


def slice_text(t: pd.Series, start: int, stop: int) -> pd.Series:
    """Characters ``start`` to ``stop`` of each string."""
    a = as_arrow(t)
    if a is not None:
        return from_arrow(pc.utf8_slice_codeunits(a, start, stop))
    return t.str.slice(start, stop).reset_index(drop=True)


def trim_chars(t: pd.Series, left: str, right: str) -> pd.Series:
    """``t`` without any of ``left`` at the start and any of ``right`` at the end."""
    a = as_arrow(t)
    if a is not None:
        return from_arrow(pc.utf8_rtrim(pc.utf8_ltrim(a, characters=left), characters=right))
    return t.str.lstrip(left).str.rstrip(right).reset_index(drop=True)


def length(t: pd.Series) -> np.ndarray:
    """Length of each string in characters."""
    a = as_arrow(t)
    if a is not None:
        return np.asarray(pc.fill_null(pc.utf8_length(a), 0).to_numpy(), dtype=np.int64)
    return np.asarray(t.str.len().fillna(0).to_numpy(), dtype=np.int64)


def non_ascii(t: pd.Series) -> np.ndarray:
    """True where a string holds a character outside ASCII."""
    a = as_arrow(t)
    if a is not None:
        return ~_np_bool(pc.string_is_ascii(a))
    return ~_np_bool(t.str.isascii())


def subset(t: pd.Series, mask: np.ndarray) -> pd.Series:
    """The masked strings, as a new positional Series."""
    return t[mask].reset_index(drop=True)


def make_text(values: Any) -> pd.Series:
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


def put(t: pd.Series, mask: np.ndarray, sub: pd.Series) -> pd.Series:
    """``t`` with the masked positions replaced, in order, by ``sub``."""
    a, b = as_arrow(t), as_arrow(sub)
    if a is not None and b is not None:
        try:
            a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
            b = b.combine_chunks() if isinstance(b, pa.ChunkedArray) else b
            return from_arrow(pc.replace_with_mask(a, pa.array(mask), b.cast(a.type)))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover
            pass
    arr = t.to_numpy(dtype=object, na_value="")
    arr[mask] = sub.to_numpy(dtype=object, na_value="")
    return make_text(arr)
