"""Head counts and ranges of employees ("50-99", "1,000+", "<10") and company size bands.

A cell becomes a lower and an upper bound (NaN for open ranges) and one of :data:`SIZE_BANDS`,
after the EU SME definition, so that "about 40" and "10-49 staff" land in the same band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .arrow import extract, fullmatch, lower, replace, strip, subset, to_float
from .cells import BLANK, NUM, TEXT, missing, split
from .result import series

__all__ = ["SIZE_BANDS", "parse_employees"]

SIZE_BANDS: tuple[str, ...] = ("micro (1-9)", "small (10-49)", "medium (50-249)", "large (250+)")
"""Company size bands after the EU SME definition, smallest first."""


_EMP_NUM = r"[0-9]{1,3}(?:[,.' ][0-9]{3})+|[0-9]+"
_EMP_WORDS = (
    r"(?i)\b(?:employees?|employes|staff|people|persons?|ppl|fte|headcount|workers|emp|"
    r"approx|approximately|about|around|circa|ca|roughly|est|estimated|c)\b\.?|~|≈"
)


def _emp_int(g: pd.Series) -> np.ndarray:
    digits = replace(g, r"[,.' ]", "")
    ok = fullmatch(digits, "[0-9]{1,15}")
    return to_float(digits, ok)


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
    c = split(s)
    n = len(c)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        m = (c.kind == NUM) & (c.num >= 0) & (c.num < 1e15) & (c.num == np.floor(c.num))
    lo[m] = hi[m] = c.num[m] + 0.0  # -0.0 is 0 employees
    tm = c.kind == TEXT
    if tm.any():
        t = subset(c.text, tm)
        t = replace(t, "[\u2010-\u2015]", "-")
        t = strip(replace(replace(t, _EMP_WORDS, " "), " +", " "))
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
        low = lower(t)
        for pattern, lo_g, hi_g in forms:
            hit = todo & fullmatch(low, pattern)
            if not hit.any():
                continue
            g = extract(subset(low, hit), pattern)
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
            "employees_min": series(lo, s.index, "float64"),
            "employees_max": series(hi, s.index, "float64"),
            "size_band": series(names, s.index, "str"),
        },
        index=s.index,
    )
    bad = ~ok & (c.kind != BLANK)
    if bad.any():
        bad &= ~missing(c, bad)
    return frame, series(bad, s.index, bool)
