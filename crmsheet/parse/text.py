"""Yes/no, text and choice columns; choices are matched on :func:`normalise_token`.

Text is kept as written (stripped); numbers and dates in a text column become their plain
text. Yes/no cells are read in several languages and symbols (✓, ✗); choices map free text
onto canonical values through synonyms, compared after :func:`normalise_token`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .arrow import fullmatch, lower, make_text, subset
from .cells import BLANK, BOOL, DT, NUM, OTHER, TEXT, TIME, Cells, missing, safe_float, split
from .result import Parsed, series

__all__ = [
    "choice_by_words", "normalise_token", "parse_bool", "parse_choice", "parse_text",
    "referrer_in",
]  # fmt: skip

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
    c = split(s)
    n = len(c)
    val = np.zeros(n, dtype=bool)
    ok = c.kind == BOOL
    val[ok] = c.boolv[ok]
    m = c.kind == NUM
    val[m & (c.num == 1)] = True
    ok |= m & ((c.num == 1) | (c.num == 0))
    tm = c.kind == TEXT
    if tm.any():
        low = lower(subset(c.text, tm)).str.replace(".", "", regex=False)
        is_true = low.isin(list(_TRUE)).to_numpy()
        is_false = low.isin(list(_FALSE)).to_numpy()
        val[tm] = is_true
        ok[tm] = is_true | is_false
    bad = ~ok & (c.kind != BLANK)
    if bad.any():
        bad &= ~missing(c, bad)
    values = pd.array(val, dtype="boolean")
    values[~ok] = pd.NA
    return Parsed(values=series(values, s.index), bad=series(bad, s.index, bool))


def _num_text(x: Any) -> str:
    if isinstance(x, int | np.integer):
        return str(int(x))
    f = safe_float(x)
    if math.isfinite(f) and f.is_integer() and abs(f) < 1e16:
        return str(int(f))
    return str(f)


def _safe_str(x: Any) -> str:
    try:
        return str(x)
    except Exception:
        return ""


def _cells_as_text(c: Cells) -> np.ndarray:
    """Every cell as text (object array, None for blanks), stripped, nothing dropped."""
    n = len(c)
    out = np.full(n, None, dtype=object)
    tm = c.kind == TEXT
    out[tm] = c.text.to_numpy(dtype=object, na_value="")[tm]
    m = c.kind == NUM
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
    m = c.kind == BOOL
    out[m] = np.where(c.boolv[m], "TRUE", "FALSE")
    m = c.kind == DT
    if m.any():
        d = c.dt[m]
        midnight = d == d.astype("datetime64[D]")
        txt = np.where(
            midnight,
            np.datetime_as_string(d, unit="D"),
            np.char.replace(np.datetime_as_string(d, unit="s"), "T", " "),
        )
        out[m] = txt.astype(object)
    m = (c.kind == TIME) | (c.kind == OTHER)
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
    c = split(s)
    if c.obj is None and not ((c.kind != TEXT) & (c.kind != BLANK)).any():
        # text only (the usual column): stay in Arrow, no Python string per cell
        keep = (c.kind == TEXT) & ~fullmatch(c.text, "NULL")
        text = c.text.where(keep)  # NaN elsewhere, as below
        return Parsed(values=series(text.array, s.index),
                      bad=series(np.zeros(len(c), bool), s.index))  # fmt: skip
    out = _cells_as_text(c)
    out[out == "NULL"] = None
    values = pd.Series(make_text(np.where(pd.isna(out), "", out)).to_numpy(), dtype="str")
    values[pd.isna(out)] = np.nan
    return Parsed(values=series(values.array, s.index), bad=series(np.zeros(len(c), bool), s.index))


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
    # a canonical value that reads back as blank or missing (" ", "NULL") is no choice: a
    # cell mapped onto it would vanish the next time the column is read
    choices = list(dict.fromkeys(synonyms.values()))
    readable = parse_text(pd.Series(choices, dtype=object)).values.notna().to_numpy()
    usable = {v for v, ok in zip(choices, readable, strict=True) if ok}
    table: dict[str, str] = {normalise_token(v): v for v in usable}
    table.update({normalise_token(k): v for k, v in synonyms.items() if v in usable})
    text = parse_text(s).values
    codes, uniques = pd.factorize(text)  # blanks get code -1
    canon = np.array([table.get(normalise_token(u)) for u in uniques] + [None], dtype=object)
    hit = canon[codes]  # code -1 picks the trailing None
    known = np.array([c is not None for c in hit], dtype=bool) if len(hit) else hit.astype(bool)
    values = text.copy()
    if known.any():
        values[known] = hit[known]
    bad = text.notna().to_numpy() & ~known
    return Parsed(values=values, bad=series(bad, s.index, bool))


def choice_by_words(values: pd.Series, words: Sequence[tuple[str, Sequence[str]]]) -> pd.Series:
    """Per cell, the first choice of ``words`` whose word (or words) the cell contains.

    Words are whole: "Google ads" holds "ads", "Broadcast" holds no "ad". A cell with none
    of them is NA. Work is done once per distinct value.

    >>> choice_by_words(pd.Series(["Google ads", "fax"]), [("campaign", ("ads",))]).tolist()
    ['campaign', nan]
    """
    patterns = [(choice, [f" {normalise_token(w)} " for w in ws]) for choice, ws in words]
    codes, uniques = pd.factorize(values)

    def first(text: object) -> str | None:
        padded = f" {normalise_token(str(text))} "
        return next((c for c, ws in patterns if any(w in padded for w in ws)), None)

    found = np.array([first(u) for u in uniques] + [None], dtype=object)[codes]
    return pd.Series(found, index=values.index, dtype=object).where(pd.notna(found), np.nan)


_REFERRER = re.compile(
    r"^\s*(?:referr?al|referred|ref|recommended|recommendation|introduced|introduction)"
    r"\s*(?:(?:from|by|via|of)\b|[:\-\u2013])\s*(?P<who>\S.*?)\s*$",
    re.IGNORECASE,
)


def referrer_in(values: pd.Series) -> pd.Series:
    """The referrer named in a source such as "Referral from Bayside" or "referred by Ann".

    >>> referrer_in(pd.Series(["Referral from Bayside", "Referral", None])).tolist()
    ['Bayside', nan, nan]
    """
    who = values.astype("string").str.extract(_REFERRER, expand=False)
    return who.astype(object).where(who.notna(), np.nan)
