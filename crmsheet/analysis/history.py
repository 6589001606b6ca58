"""What crmsheet showed at each run: the history across runs, kept in the workbook itself.

A shop runs crmsheet every month; each run's ``as_of`` is a *run*. The history stores, per
run and customer, what the book showed: rating, status, revenue (12 months), P(alive) when
a forecast was made, expected value, next follow-up. Compact by design, so that 100k
customers over 36 monthly runs fit one sheet:

- one ``run`` row per run (its date, how many customers it had, their 12-month revenue);
- a ``state`` row for a customer at a run only when something shown changed since the run
  before (or the customer is new, or back in the data): *the same as before* otherwise;
- a ``gone`` row when a customer is no longer in the data at a run;
- beyond one sheet's rows (:data:`ROW_LIMIT`) the oldest runs are *folded*: their ``run``
  row becomes ``folded`` (counts kept: customers, revenue, customers per rating) and their
  customers' rows are dropped, the first run kept holding everyone's state. Never an error.

A customer's state at a run is their last ``state`` row at or before it, unless a ``gone``
row came after (:func:`reconstruct`). Values are compared as shown: money to the cent,
P(alive) to the whole percent. :func:`with_history` adds a run: the same ``as_of`` replaces
that run, an earlier one is inserted in order, a history without a customer in common is
refused (:class:`~crmsheet.errors.HistoryMismatchError`). All vectorised pandas.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import HistoryMismatchError
from ..io.historyread import HISTORY_HEADERS, RATINGS, empty_history
from ..io.tables import MAX_ROWS
from .columns import Column, count, day, money, share, text

if TYPE_CHECKING:  # the Analysis is only read: no import cycle at run time
    from . import Analysis

__all__ = [
    "FIELDS",
    "HISTORY_SHOWN",
    "ROW_LIMIT",
    "history_notes",
    "last_state",
    "previous_state",
    "reconstruct",
    "run_dates",
    "snapshot",
    "with_history",
]  # fmt: skip

#: What the history records of each customer at each run.
FIELDS = ["name", "rating", "status", "revenue_12m", "p_alive", "customer_value",
          "next_follow_up"]  # fmt: skip

#: The data rows one sheet holds (the header takes a row).
ROW_LIMIT = MAX_ROWS - 1

_KINDS = {"run": day, "entry": text, "customer_key": text, "name": text, "rating": text,
          "status": text, "revenue_12m": money, "p_alive": share, "customer_value": money,
          "next_follow_up": day, "customers": count}  # fmt: skip

#: The History sheet's columns (the headers are the reader's, :mod:`crmsheet.io.historyread`).
HISTORY_SHOWN: dict[str, Column] = {
    name: _KINDS[name](label) for name, label in HISTORY_HEADERS.items()
}

_COLUMNS = list(HISTORY_HEADERS)


def snapshot(current: Analysis | pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """One run as the history records it: one row per customer (``customer_key``, the
    :data:`FIELDS`), values rounded as shown, and its ``run`` date.

    ``current`` is an :class:`~crmsheet.analysis.Analysis`, or a frame indexed by customer
    key with (some of) the fields, ``as_of`` then given.
    """
    if isinstance(current, pd.DataFrame):
        if as_of is None:
            raise ValueError("snapshot() of a frame needs its as_of")
        customers = current
    else:
        customers, as_of = current.customers, current.as_of
    out = pd.DataFrame(index=pd.Index(customers.index.astype(str), name="customer_key"))
    for name in FIELDS:
        values = customers[name].to_numpy() if name in customers else None
        if name in ("revenue_12m", "customer_value") or name == "p_alive":
            out[name] = np.round(np.asarray(values, float), 2) if values is not None else np.nan
        elif name == "next_follow_up":
            out[name] = (pd.to_datetime(pd.Series(values, index=out.index)).astype(
                "datetime64[us]") if values is not None else pd.NaT)  # fmt: skip
        else:
            out[name] = (
                pd.Series(values, index=out.index, dtype=object) if values is not None else None
            )
    out["next_follow_up"] = out["next_follow_up"].astype("datetime64[us]")
    out = out.reset_index()
    out.insert(0, "run", pd.Timestamp(as_of))
    out["run"] = out["run"].astype("datetime64[us]")
    return out


def run_dates(history: pd.DataFrame | None, *, folded: bool = False) -> list[date]:
    """The runs in ``history``, oldest first (with ``folded=True`` the folded ones too)."""
    if history is None or history.empty:
        return []
    entries = ("run", "folded") if folded else ("run",)
    runs = history.loc[history["entry"].isin(entries), "run"]
    return sorted({t.date() for t in runs})


def reconstruct(history: pd.DataFrame | None) -> pd.DataFrame:
    """Every run that is not folded x every customer in it: the tidy frame (``run``,
    ``customer_key``, the :data:`FIELDS`), sorted by run then customer."""
    if history is None or history.empty:
        return _tidy_empty()
    runs = np.array(sorted(set(history.loc[history["entry"] == "run", "run"])),
                    dtype="datetime64[us]")  # fmt: skip
    rows = history.loc[history["entry"].isin(["state", "gone"])
                       & history["run"].isin(runs)].copy()  # fmt: skip
    if rows.empty or not len(runs):
        return _tidy_empty()
    rows["_i"] = np.searchsorted(runs, rows["run"].to_numpy(dtype="datetime64[us]"))
    rows = rows.sort_values(["customer_key", "_i", "entry"], kind="stable")
    # the same customer and run twice (a hand edit): the last row wins
    rows = rows.drop_duplicates(["customer_key", "_i"], keep="last")
    start = rows["_i"].to_numpy()
    key = rows["customer_key"].to_numpy(dtype=object)
    nxt = np.append(start[1:], len(runs))
    last = np.append(key[1:] != key[:-1], True)
    nxt[last] = len(runs)  # a customer's last entry holds to the end
    state = (rows["entry"] == "state").to_numpy()
    length = np.where(state, nxt - start, 0)
    picked = rows.loc[state, ["customer_key", *FIELDS]]
    reps = length[state]
    out = picked.loc[picked.index.repeat(reps)].reset_index(drop=True)
    offsets = np.arange(len(out)) - np.repeat(np.cumsum(reps) - reps, reps)
    out.insert(0, "run", runs[np.repeat(start[state], reps) + offsets])
    out = out.sort_values(["run", "customer_key"], kind="stable").reset_index(drop=True)
    return out


def last_state(history: pd.DataFrame | None) -> tuple[date | None, pd.DataFrame]:
    """The latest run in ``history`` and each customer's state at it (one row a customer)."""
    runs = run_dates(history)
    if history is None or not runs:
        return None, _tidy_empty()
    rows = history.loc[history["entry"].isin(["state", "gone"])]
    rows = rows.sort_values("run", kind="stable").drop_duplicates("customer_key", keep="last")
    rows = rows.loc[rows["entry"] == "state", ["run", "customer_key", *FIELDS]]
    rows = rows.assign(run=pd.Timestamp(runs[-1])).astype({"run": "datetime64[us]"})
    return runs[-1], rows.sort_values("customer_key").reset_index(drop=True)


def with_history(
    previous: pd.DataFrame | None,
    current: Analysis | pd.DataFrame,
    *,
    limit: int = ROW_LIMIT,
) -> pd.DataFrame:
    """The history ``previous`` (None: none yet) with the run ``current`` added.

    ``current`` is an :class:`~crmsheet.analysis.Analysis` or a :func:`snapshot`. A run at an
    ``as_of`` already in the history replaces it; an earlier one is inserted in order. A
    previous history with customers, none of them in this run, is another customer base's:
    :class:`~crmsheet.errors.HistoryMismatchError`. Beyond ``limit`` rows the oldest runs are
    folded into counts (see the module's docstring).
    """
    now = current if isinstance(current, pd.DataFrame) else snapshot(current)
    if now.empty:  # a run without customers records nothing (and loses nothing)
        return _sorted(previous) if previous is not None else _compact(now, _folded_rows(None))
    as_of = pd.Timestamp(now["run"].iloc[0])
    if previous is None or previous.empty:
        return _fold(_compact(now, _folded_rows(None)), limit)
    known = previous.loc[previous["entry"] == "state", "customer_key"]
    if len(known) and len(now) and not known.isin(now["customer_key"]).any():
        raise HistoryMismatchError(
            "the previous History has no customer in common with this run: it is another "
            "customer base's history. Give the enriched workbook of these customers, or leave "
            "out --since (since=) to start a new history."
        )
    runs = run_dates(previous)
    folded = _folded_rows(previous).loc[lambda f: f["run"] != as_of]
    if runs and as_of > pd.Timestamp(runs[-1]):  # the usual case: only the last state is read
        _, before = last_state(previous)
        added = _sorted(pd.concat([_run_rows(now), _changed(before, now, as_of)]))
        out = pd.concat([_typed(previous), added], ignore_index=True)  # the new run comes last
        return _fold(out, limit)
    tidy = reconstruct(previous)
    tidy = pd.concat([tidy.loc[tidy["run"] != as_of], now], ignore_index=True)
    return _fold(_compact(tidy, folded), limit)


# -- compacting and folding ------------------------------------------------------------------


def _changed(before: pd.DataFrame, now: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The rows run ``as_of`` adds after a run whose states are ``before``."""
    b = before.set_index("customer_key")[FIELDS]
    n = now.set_index("customer_key")[FIELDS]
    common = n.index.intersection(b.index)
    differs = _differs(n.loc[common], b.loc[common])
    new = n.index.difference(b.index)
    states = n.loc[common[differs].append(new)].reset_index()
    states.insert(0, "run", as_of)
    states.insert(1, "entry", "state")
    gone = pd.DataFrame({"run": as_of, "entry": "gone",
                         "customer_key": b.index.difference(n.index)})  # fmt: skip
    return pd.concat([_typed(states), _typed(gone)], ignore_index=True)


def _differs(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Per row: whether any field differs (two blanks are the same)."""
    out = np.zeros(len(a), dtype=bool)
    for name in FIELDS:
        x, y = a[name], b[name]
        both_blank = x.isna().to_numpy() & y.isna().to_numpy()
        same = (x.to_numpy() == y.to_numpy()) if len(x) else np.zeros(0, bool)
        out |= ~(np.asarray(same, dtype=bool) | both_blank)
    return out


def _compact(tidy: pd.DataFrame, folded: pd.DataFrame) -> pd.DataFrame:
    """The compact history of the tidy frame (runs x customers) plus the folded runs."""
    if tidy.empty:
        return _sorted(pd.concat([_typed(tidy.iloc[:0]), folded], ignore_index=True))
    runs = np.array(sorted(set(tidy["run"])), dtype="datetime64[us]")
    t = tidy.sort_values(["customer_key", "run"], kind="stable").reset_index(drop=True)
    i = np.searchsorted(runs, t["run"].to_numpy(dtype="datetime64[us]"))
    key = t["customer_key"].to_numpy(dtype=object)
    same_key = np.append(False, key[1:] == key[:-1])
    follows = same_key & np.append(False, i[1:] == i[:-1] + 1)
    prev = t.shift(1)
    changed = np.ones(len(t), dtype=bool)
    changed[follows] = _differs(t.loc[follows, FIELDS], prev.loc[follows, FIELDS])
    states = t.loc[changed].copy()
    states.insert(1, "entry", "state")
    # a customer whose next row is not the next run (or who has none before the last run)
    nxt_key = np.append(key[1:] == key[:-1], False)
    nxt_follows = nxt_key & np.append(i[1:] == i[:-1] + 1, False)
    leaves = ~nxt_follows & (i + 1 < len(runs))
    gone = pd.DataFrame({"run": runs[i[leaves] + 1], "entry": "gone",
                         "customer_key": key[leaves]})  # fmt: skip
    counts = [_run_rows(part) for _, part in tidy.groupby("run", sort=True)]
    return _sorted(pd.concat([_typed(states), _typed(gone), *counts, folded],
                             ignore_index=True))  # fmt: skip


def _run_rows(run: pd.DataFrame) -> pd.DataFrame:
    """The ``run`` row of one run's snapshot."""
    return _typed(pd.DataFrame({
        "run": [run["run"].iloc[0]], "entry": ["run"], "customers": [float(len(run))],
        "revenue_12m": [round(float(run["revenue_12m"].sum()), 2)],
    }))  # fmt: skip


def _folded_rows(history: pd.DataFrame | None) -> pd.DataFrame:
    if history is None or history.empty:
        return _typed(pd.DataFrame({"run": [], "entry": []}))
    return history.loc[history["entry"] == "folded"].copy()


def _fold(history: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Fold the oldest runs into counts until the history fits ``limit`` rows."""
    while len(history) > limit:
        runs = run_dates(history)
        if len(runs) <= 1:  # one run bigger than a sheet: its rows cannot be spared
            break
        tidy = reconstruct(history)
        oldest = pd.Timestamp(runs[0])
        part = tidy.loc[tidy["run"] == oldest]
        ratings = part["rating"].value_counts()
        summary = ", ".join(f"{r} {int(ratings.get(r, 0)):,}" for r in RATINGS)
        folded = _typed(pd.DataFrame({
            "run": [oldest], "entry": ["folded"], "customers": [float(len(part))],
            "revenue_12m": [round(float(part["revenue_12m"].sum()), 2)],
            "name": [f"folded into counts: {summary}"],
        }))  # fmt: skip
        earlier = pd.concat([_folded_rows(history), folded], ignore_index=True)
        history = _compact(tidy.loc[tidy["run"] != oldest], earlier)
    return history


_ORDER = {"folded": 0, "run": 1, "state": 2, "gone": 3}


def _sorted(history: pd.DataFrame) -> pd.DataFrame:
    """By run, then the run row, states and gone rows by customer."""
    order = history["entry"].map(_ORDER).to_numpy()
    keys = history["customer_key"].fillna("").astype(str).to_numpy()
    idx = np.lexsort((keys, order, history["run"].to_numpy(dtype="datetime64[us]")))
    return _typed(history.iloc[idx].reset_index(drop=True))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every history column, in order and type."""
    base = empty_history()
    out = frame.reindex(columns=_COLUMNS)
    return out.astype(base.dtypes.to_dict()).reset_index(drop=True)


def _tidy_empty() -> pd.DataFrame:
    return _typed(pd.DataFrame()).drop(columns=["entry", "customers"])


def previous_state(
    history: pd.DataFrame | None, as_of: date
) -> tuple[date | None, pd.DataFrame | None]:
    """The run before ``as_of`` in ``history`` and each customer's state at it (None, None
    when there is none)."""
    runs = [r for r in run_dates(history) if r < as_of]
    if not runs:
        return None, None
    latest, state = last_state(history)
    if latest is not None and latest == runs[-1]:
        return latest, state
    tidy = reconstruct(history)
    return runs[-1], tidy.loc[tidy["run"] == pd.Timestamp(runs[-1])].reset_index(drop=True)


def history_notes(history: pd.DataFrame | None) -> tuple[str, ...]:
    """How to read the History sheet, and the runs folded into counts."""
    notes = [
        "crmsheet's record of its runs, kept from one run to the next: leave it as it is. Each "
        "run has a 'run' row; a customer has a 'state' row at a run only when something shown "
        "changed (the same as before otherwise), a 'gone' row when no longer in the data. "
        "crmsheet.history(path) in Python gives every run x customer.",
    ]
    folded = run_dates(history, folded=True)
    kept = run_dates(history)
    if len(folded) > len(kept):
        notes.append(f"{len(folded) - len(kept):,} oldest runs are folded into counts to stay "
                     "within one sheet.")  # fmt: skip
    return tuple(notes)
