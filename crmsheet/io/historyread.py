"""Read the History sheet of an earlier enriched workbook (or of the in-place book itself).

The sheet holds crmsheet's compact history across runs (see
:mod:`crmsheet.analysis.history`): its headers are :data:`HISTORY_HEADERS`. A user may have
edited it by hand: a cell that cannot be what its column holds (a run date that is no date,
an unknown entry, a rating or status crmsheet never writes, text in a money column) is one
``bad-history-cell`` problem naming the cell, and its row is ignored; the rest is kept.
Never a crash: a sheet whose headers are not the History's is no history (a warning).
"""

from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine

from ..errors import HistoryWarning, InputFileError
from ..problems import ProblemCode, problem_rows
from .grid import column_letter
from .sniff import workbook_kind

__all__ = [
    "ENTRIES", "HISTORY_HEADERS", "HISTORY_SHEET", "RATINGS", "empty_history", "history_sheet",
    "parse_history", "read_history",
]  # fmt: skip

#: The sheet's name in the enriched workbook (in place: possibly "History (crmsheet)").
HISTORY_SHEET = "History"

#: The History sheet's columns: the name code uses, its header on the sheet.
HISTORY_HEADERS: dict[str, str] = {
    "run": "Run (as of)", "entry": "Entry", "customer_key": "Customer", "name": "Name",
    "rating": "Rating", "status": "Status", "revenue_12m": "Revenue (12 months)",
    "p_alive": "P(alive)", "customer_value": "Expected value",
    "next_follow_up": "Next follow-up", "customers": "Customers in the run",
}  # fmt: skip

#: What a row of the History is: a run (its count), a run folded into counts (its customers'
#: rows dropped to stay within one sheet), a customer's state from that run on, a customer
#: gone from the data at that run.
ENTRIES = ("run", "folded", "state", "gone")

#: The ratings and statuses crmsheet writes.
RATINGS = ("A", "B", "C", "unrated")
_STATUSES = ("prospect", "new", "active", "lapsing", "lapsed", "not a customer")
_MONEY = ("revenue_12m", "customer_value")


def empty_history() -> pd.DataFrame:
    """A history with no run: its columns and dtypes."""
    return pd.DataFrame({
        "run": pd.Series(dtype="datetime64[us]"), "entry": pd.Series(dtype=object),
        "customer_key": pd.Series(dtype=object), "name": pd.Series(dtype=object),
        "rating": pd.Series(dtype=object), "status": pd.Series(dtype=object),
        "revenue_12m": pd.Series(dtype=float), "p_alive": pd.Series(dtype=float),
        "customer_value": pd.Series(dtype=float),
        "next_follow_up": pd.Series(dtype="datetime64[us]"),
        "customers": pd.Series(dtype=float),
    })  # fmt: skip


def history_sheet(path: str | Path, names: list[str]) -> str | None:
    """The History sheet among ``names`` (a sheet list): "History", else "History (crmsheet)"."""
    for wanted in (HISTORY_SHEET, f"{HISTORY_SHEET} (crmsheet)"):
        if wanted in names:
            return wanted
    return None


def read_history(
    path: str | Path, *, sheet: str | None = None
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The compact history on the History sheet of ``path``, and the problems found in it.

    Returns ``(None, no problems)`` with a :class:`~crmsheet.errors.HistoryWarning` when the
    workbook has no History sheet (written before histories, or not by crmsheet). A file that
    cannot be opened as a workbook is an :class:`~crmsheet.errors.InputFileError`.
    """
    path = Path(path)
    none = problem_rows(ProblemCode.BAD_HISTORY_CELL, file=path.name, sheet="", rows=[])
    workbook_kind(path)  # missing, a folder, empty, a CSV, encrypted, damaged, a zip bomb: said
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors are not one class
        raise InputFileError(path, f"cannot be read as a workbook ({exc})") from None
    name = sheet or history_sheet(path, list(book.sheet_names))
    if name is None:
        warnings.warn(f"{path.name} has no History sheet: this run starts a new history",
                      HistoryWarning, stacklevel=2)  # fmt: skip
        return None, none
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return parse_history(rows, file=path.name, sheet=name)


def parse_history(
    rows: list[list[Any]], *, file: str, sheet: str
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The compact history in ``rows`` (the sheet's cells, header first), and its problems."""
    none = problem_rows(ProblemCode.BAD_HISTORY_CELL, file=file, sheet=sheet, rows=[])
    if not rows:
        return None, none
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    where = {h: i for i, h in enumerate(header) if h}
    missing = [label for name, label in HISTORY_HEADERS.items()
               if label not in where and name in ("run", "entry", "customer_key")]  # fmt: skip
    if missing:
        warnings.warn(f"{file}: sheet {sheet} is not a crmsheet History (no column "
                      f"{', '.join(missing)}): this run starts a new history",
                      HistoryWarning, stacklevel=3)  # fmt: skip
        return None, none
    width = len(header)
    raw = pd.DataFrame(rows[1:], dtype=object).reindex(columns=range(width))
    raw = raw.where(raw.notna() & (raw != ""), None)
    blank = raw.isna().all(axis=1)
    out: dict[str, pd.Series] = {}
    bad = pd.DataFrame(False, index=raw.index, columns=list(HISTORY_HEADERS))
    for name, label in HISTORY_HEADERS.items():
        col = raw[where[label]] if label in where else pd.Series(None, index=raw.index,
                                                                  dtype=object)  # fmt: skip
        values, wrong = _parse(name, col)
        out[name] = values
        bad[name] = wrong & ~blank
    frame = pd.DataFrame(out)
    entry = frame["entry"]
    bad["entry"] |= entry.isna() & ~blank
    bad["run"] |= frame["run"].isna() & ~blank
    customer_row = entry.isin(["state", "gone"])
    bad["customer_key"] |= customer_row & frame["customer_key"].isna()
    problems = _problems(bad, raw, where, file=file, sheet=sheet)
    keep = ~blank & ~bad.any(axis=1)
    return frame.loc[keep].reset_index(drop=True), problems


def _parse(name: str, col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """One column's values in their type, and which non-blank cells could not be read."""
    present = col.notna().to_numpy()
    kinds = col.map(type)  # one pass: the cells calamine gives are of a few types
    strings = kinds.isin([str]).to_numpy()
    if name in ("run", "next_follow_up"):
        values = pd.Series(pd.NaT, index=col.index, dtype="datetime64[us]")
        days = kinds.isin([datetime, date, pd.Timestamp]).to_numpy()
        if days.any():
            values[days] = pd.to_datetime(col[days]).dt.normalize().astype("datetime64[us]")
        if strings.any():
            values[strings] = col[strings].map(_day).astype("datetime64[us]")
        return values, pd.Series(present & values.isna().to_numpy(), index=col.index)
    if name in ("revenue_12m", "p_alive", "customer_value", "customers"):
        numbers = kinds.isin([float, int]).to_numpy()
        out = np.full(len(col), np.nan)
        if numbers.any():
            out[numbers] = col[numbers].astype(float).to_numpy()
        if strings.any():
            out[strings] = col[strings].map(_number).astype(float).to_numpy()
        out[~np.isfinite(out)] = np.nan
        wrong = present & np.isnan(out)
        if name == "p_alive":
            wrong |= (out < 0) | (out > 1)
        if name == "customers":
            wrong |= out < 0
        return pd.Series(out, index=col.index), pd.Series(wrong, index=col.index)
    text = pd.Series(None, index=col.index, dtype=object)
    if strings.any():
        stripped = col[strings].str.strip()
        text[strings] = stripped.where(stripped != "", None)
    others = present & ~strings
    if others.any():
        text[others] = col[others].map(_text)
    allowed = {"entry": ENTRIES, "rating": RATINGS, "status": _STATUSES}.get(name)
    if allowed is None:
        return text, pd.Series(False, index=col.index)
    return text, pd.Series(present, index=col.index) & ~text.isin(allowed)


def _day(value: Any) -> Any:
    try:
        return pd.Timestamp(date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        return pd.NaT


def _number(value: Any) -> float:
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return np.nan


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():  # a key retyped as a number
        return str(int(value))
    return str(value).strip() or None


def _problems(
    bad: pd.DataFrame, raw: pd.DataFrame, where: dict[str, int], *, file: str, sheet: str
) -> pd.DataFrame:
    """One ``bad-history-cell`` problem per bad cell, naming it."""
    parts = []
    for name, label in HISTORY_HEADERS.items():
        rows = np.flatnonzero(bad[name].to_numpy())
        if not len(rows):
            continue
        index = where.get(label)
        letter = column_letter(index) if index is not None else ""
        values = raw[index].iloc[rows] if index is not None else [""] * len(rows)
        parts.append(problem_rows(
            ProblemCode.BAD_HISTORY_CELL, file=file, sheet=sheet, rows=rows + 2, column=label,
            cells=[f"{sheet}!{letter}{r + 2}" for r in rows], values=values,
            details=_EXPECTED[name],
        ))  # fmt: skip
    if not parts:
        return problem_rows(ProblemCode.BAD_HISTORY_CELL, file=file, sheet=sheet, rows=[])
    return pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")


_EXPECTED = {
    "run": "a date", "entry": "run, folded, state or gone", "customer_key": "a customer",
    "name": "text", "rating": "A, B, C or unrated", "status": ", ".join(_STATUSES),
    "revenue_12m": "an amount", "p_alive": "a share between 0 and 100 %",
    "customer_value": "an amount", "next_follow_up": "a date",
    "customers": "a count",
}  # fmt: skip
