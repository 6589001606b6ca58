"""Dates and times: date cells, Excel serial numbers and dates written as text.

Excel stores dates as serial day numbers (1900 or 1904 system); people type ISO dates,
"05/03/2024", "5 Mar 2024" and "March 5, 2024". Day/month order is decided once per column
from the cells that can only be read one way (13/03/2024), never per cell; the decision and any
doubt are explained in ``Parsed.note`` and ``Parsed.ambiguous``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .arrow import extract, fullmatch, lower, parts, slice_text, subset, to_float, to_int
from .cells import BLANK, DT, DT_UNIT, NAT, NUM, TEXT, missing, split
from .result import Parsed, series

__all__ = ["excel_serial_to_datetime", "parse_date", "parse_month"]

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
    out = (base + ms.astype("timedelta64[ms]")).astype(DT_UNIT)
    out[~ok] = NAT
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
    out: np.ndarray = days.astype(DT_UNIT) + (secs * 1_000_000 + np.where(ok, us, 0)).astype(
        "timedelta64[us]"
    )
    out[~ok] = NAT
    return out


def _numbers_to_dates(x: np.ndarray, epoch_1904: bool) -> np.ndarray:
    """Dates from numbers: Excel serials, or yyyymmdd; bare years like 2024 are unreadable."""
    out: np.ndarray = excel_serial_to_datetime(x, epoch_1904=epoch_1904)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(x) & (x == np.floor(x))
        out[whole & (x >= 1900) & (x <= 2100)] = NAT
        ymd = whole & (x >= 10_000_101) & (x <= 99_991_231)
    if ymd.any():
        v = x[ymd].astype(np.int64)
        out[ymd] = _assemble(v // 10000, v // 100 % 100, v % 100)
    return out


def _time_parts(g: dict[str, pd.Series]) -> tuple[np.ndarray, ...]:
    hh = np.maximum(to_int(g["H"]), 0)
    mi = np.maximum(to_int(g["MI"]), 0)
    ss = np.maximum(to_int(g["S"]), 0)
    frac = g["F"].str.slice(0, 6).str.pad(6, side="right", fillchar="0")
    us = np.maximum(to_int(frac), 0)
    ap = lower(g["AP"]).str.slice(0, 1).to_numpy(dtype=object, na_value="")
    has_ap = ap != ""
    wrong = has_ap & ((hh < 1) | (hh > 12))  # "13:00 pm" is not a time
    hh = np.where(has_ap, hh % 12 + np.where(ap == "p", 12, 0), hh)
    hh = np.where(wrong, 99, hh)
    return hh, mi, ss, us


def _year(g: pd.Series) -> np.ndarray:
    """Four-digit years as written; two-digit ones with Excel's pivot (00-29 -> 20xx)."""
    y = to_int(g)
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
    out = np.full(n, NAT)
    todo = np.ones(n, dtype=bool)

    def match(pattern: str) -> np.ndarray:
        """Cells still to do that match ``pattern`` (tested on those cells only)."""
        hit = todo.copy()
        if hit.any():
            hit[hit] = fullmatch(t if hit.all() else subset(t, hit), pattern)
        return hit

    def take(pattern: str) -> tuple[np.ndarray, dict[str, pd.Series]] | None:
        hit = match(pattern)
        if not hit.any():
            return None
        return hit, extract(subset(t, hit), pattern)

    # the common clean shapes are sliced, not captured: RE2 captures are slow
    hit = match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    if hit.any():
        sub = subset(t, hit)
        out[hit] = _assemble(
            to_int(slice_text(sub, 0, 4)),
            to_int(slice_text(sub, 5, 7)),
            to_int(slice_text(sub, 8, 10)),
        )
        todo &= ~hit
    # numbers written as text: serials and yyyymmdd
    hit = match(r"[0-9]{1,8}(?:\.[0-9]+)?")
    if hit.any():
        out[hit] = _numbers_to_dates(
            to_float(subset(t, hit), np.ones(int(hit.sum()), bool)), epoch_1904
        )
        todo &= ~hit
    got = take(_ISO_RE)
    if got:
        hit, g = got
        out[hit] = _assemble(to_int(g["Y"]), to_int(g["M"]), to_int(g["D"]), *_time_parts(g))
        todo &= ~hit

    # day/month or month/day: collect first, decide per column
    a = np.full(n, -1, dtype=np.int64)
    b = np.full(n, -1, dtype=np.int64)
    yy = np.full(n, -1, dtype=np.int64)
    tparts = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    fam = np.zeros(n, dtype=bool)
    hit = match(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
    if hit.any():
        sub = subset(t, hit)
        a[hit] = to_int(slice_text(sub, 0, 2))
        b[hit] = to_int(slice_text(sub, 3, 5))
        yy[hit] = to_int(slice_text(sub, 6, 10))
        fam |= hit
        todo &= ~hit
    hit = match(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:[0-9]{2}|[0-9]{4})")
    if hit.any():
        pa_, pb_, py_ = parts(subset(t, hit), "[-/.]", 3)
        a[hit], b[hit], yy[hit] = to_int(pa_), to_int(pb_), _year(py_)
        fam |= hit
        todo &= ~hit
    got = take(_NUM_RE)
    if got:
        hit, g = got
        a[hit], b[hit], yy[hit] = to_int(g["A"]), to_int(g["B"]), _year(g["Y"])
        for arr, part in zip(tparts, _time_parts(g), strict=True):
            arr[hit] = part
        fam |= hit
        todo &= ~hit

    for pattern in (_DAY_NAME_RE, _NAME_DAY_RE):
        got = take(pattern)
        if got:
            hit, g = got
            month = lower(g["MN"]).map(_MONTHS).to_numpy(dtype=float, na_value=np.nan)
            month = np.nan_to_num(month, nan=-1).astype(np.int64)
            out[hit] = _assemble(_year(g["Y"]), month, to_int(g["D"]), *_time_parts(g))
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
    c = split(s)
    n = len(c)
    out = np.full(n, NAT)
    amb = np.zeros(n, dtype=bool)
    note = None
    m = c.kind == DT
    out[m] = c.dt[m]
    m = c.kind == NUM
    if m.any():
        out[m] = _numbers_to_dates(c.num[m], epoch_1904)
    tm = c.kind == TEXT
    votes = (0, 0)
    if tm.any():
        r = _dates_from_text(subset(c.text, tm), epoch_1904, dayfirst)
        out[tm] = r.values
        amb[tm] = r.ambiguous
        note = r.note
        votes = r.votes
    bad = np.isnat(out) & (c.kind != BLANK)
    if bad.any():
        bad &= ~missing(c, bad)
    return Parsed(
        values=series(out, s.index, DT_UNIT),
        bad=series(bad, s.index, bool),
        ambiguous=series(amb, s.index, bool),
        note=note,
        votes=votes,
    )


# months written without a day: "2025-01", "2025/01", "01/2025", "Jan 2025", "January 2025",
# "Sept. 2025", "Jan-25" (Excel's mmm-yy as text; a two-digit year only after - / or ')
_YEAR_MONTH_RE = r"(?P<Y>[0-9]{4})[-/.](?P<M>[0-9]{1,2})"
_MONTH_YEAR_RE = r"(?P<M>[0-9]{1,2})[-/.](?P<Y>[0-9]{4})"
_NAME_YEAR_RE = r"(?P<MN>[A-Za-z]+)\.?(?:[ \-/.,]*(?P<Y>[0-9]{4})|(?: *[-/] *| *')(?P<YY>[0-9]{2}))"


def _first_days(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    """The first day of each month (NaT where the year or month is impossible)."""
    return _assemble(years, months, np.ones(len(years), dtype=np.int64))


def _months_from_text(t: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(first days, cells written as a month) of stripped text cells; six digits are
    yyyymm (202501) and count as written as a month even when impossible (202513)."""
    n = len(t)
    out = np.full(n, NAT)
    hit = fullmatch(t, r"[0-9]{6}")
    if hit.any():
        v = to_int(subset(t, hit))
        out[hit] = _first_days(v // 100, v % 100)
    for pattern in (_YEAR_MONTH_RE, _MONTH_YEAR_RE):
        found = fullmatch(t, pattern) & ~hit
        if found.any():
            g = extract(subset(t, found), pattern)
            out[found] = _first_days(to_int(g["Y"]), to_int(g["M"]))
            hit |= found
    found = fullmatch(t, _NAME_YEAR_RE) & ~hit
    if found.any():
        g = extract(subset(t, found), _NAME_YEAR_RE)
        month = lower(g["MN"]).map(_MONTHS).to_numpy(dtype=float, na_value=np.nan)
        named = ~np.isnan(month)  # "Total 2025" is no month: left to parse_date
        years = np.where(g["Y"].str.len().to_numpy() == 4, to_int(g["Y"]), _year(g["YY"]))
        days = _first_days(years, np.nan_to_num(month, nan=-1).astype(np.int64))
        where = np.flatnonzero(found)
        out[where[named]] = days[named]
        hit[where[named]] = True
    return out, hit


def parse_month(s: pd.Series, *, epoch_1904: bool = False, dayfirst: bool | None = None) -> Parsed:
    """Read a column of months as the first day of each (naive datetime64[us]).

    For a month column only (a spend sheet's Month): a six-digit whole number or digit
    text is yyyymm (202501 is January 2025, not the Excel serial of 2454-06-04; 202513 is
    bad), and "2025-01", "2025/01", "01/2025", "Jan 2025", "January 2025" and "Jan-25" are
    months. Every other cell is read by :func:`parse_date` (a date stands for its month).

    >>> r = parse_month(pd.Series([202501, "2025-02", "Mar 2025", "04/2025", "2025-05-17"]))
    >>> [str(d.date()) for d in r.values]
    ['2025-01-01', '2025-02-01', '2025-03-01', '2025-04-01', '2025-05-17']
    """
    dates = parse_date(s, epoch_1904=epoch_1904, dayfirst=dayfirst)
    c = split(s)
    out = dates.values.to_numpy(dtype=DT_UNIT, copy=True)
    month = np.zeros(len(c), dtype=bool)
    numbers = c.kind == NUM
    if numbers.any():
        x = c.num[numbers]
        with np.errstate(invalid="ignore"):
            six = np.isfinite(x) & (x == np.floor(x)) & (x >= 100_000) & (x <= 999_999)
        v = np.where(six, x, 0).astype(np.int64)
        got = np.where(six, _first_days(v // 100, v % 100), out[numbers])
        out[numbers] = got
        month[numbers] = six
    text = c.kind == TEXT
    if text.any():
        days, hit = _months_from_text(subset(c.text, text))
        where = np.flatnonzero(text)[hit]
        out[where] = days[hit]
        month[where] = True
    bad = dates.bad.to_numpy(dtype=bool) & ~month
    bad |= month & np.isnat(out)
    ambiguous = None if dates.ambiguous is None else dates.ambiguous & ~month
    return Parsed(
        values=series(out, s.index, DT_UNIT),
        bad=series(bad, s.index, bool),
        ambiguous=ambiguous,
        note=dates.note,
        votes=dates.votes,
    )
