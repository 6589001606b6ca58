"""Order, invoice and deal statuses: what each means, and which rows are not revenue.

A status cell is read in two steps: the user's own codes first (``Settings.status_codes``,
e.g. SAP's ``X`` = cancelled), then the words of
:data:`~crmsheet.choices.TRANSACTION_STATUSES`. What is left unknown is counted as revenue
(with a warning from the checks), never dropped. The rows whose kind is in
``Settings.excluded_statuses`` stay in the data; :func:`crmsheet.analyze` leaves them out
of every figure, at its one cut, and the checks and the Summary count them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from .choices import TRANSACTION_STATUSES
from .parse import normalise_token

__all__ = ["not_revenue", "not_revenue_sentence", "orders_per_status", "status_kinds"]

_WORDS: dict[str, str] = {
    normalise_token(word): kind for kind, words in TRANSACTION_STATUSES.items() for word in words
} | {normalise_token(kind): kind for kind in TRANSACTION_STATUSES}


def status_kinds(written: pd.Series, codes: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """(kind of each status as written, True where it is no status crmsheet knows).

    ``written`` is a text column (:func:`~crmsheet.parse.parse_text`). The user's ``codes``
    are looked up first, then crmsheet's words; both compared after
    :func:`~crmsheet.parse.normalise_token`, once per distinct value. An unknown status is
    kept as written (so the user can see it and add it to ``status_codes``); a blank is NA
    and counts as a sale that stands.
    """
    at, uniques = pd.factorize(written)  # blanks get -1
    own = {normalise_token(code): normalise_token(kind) for code, kind in codes.items()}
    shown: list[object] = []
    unknown: list[bool] = []
    for value in uniques:
        key = normalise_token(value)
        kind = _WORDS.get(own.get(key, key))
        shown.append(kind or (str(value).strip() if key else np.nan))
        unknown.append(kind is None and bool(key))
    values = np.array([*shown, np.nan], dtype=object)[at]
    bad = np.array([*unknown, False], dtype=bool)[at]
    return pd.Series(values, index=written.index), pd.Series(bad, index=written.index)


def not_revenue(
    frame: pd.DataFrame, codes: Mapping[str, str], excluded: Iterable[str]
) -> tuple[pd.Series, pd.Series]:
    """(True for the rows whose status is one of ``excluded``, each row's status kind).

    The kinds are read again from ``status_written`` (what the file says) with ``codes``, so
    the Settings of the analysis decide; a frame without a status column excludes nothing.
    """
    if "status_written" not in frame.columns or frame.empty:
        none = pd.Series(pd.NA, index=frame.index, dtype=object)
        return pd.Series(False, index=frame.index), none
    kinds, _ = status_kinds(frame["status_written"], codes)
    return kinds.isin(list(excluded)).fillna(False).astype(bool), kinds


def orders_per_status(frame: pd.DataFrame, mask: pd.Series, kinds: pd.Series) -> dict[str, int]:
    """Orders (distinct invoice numbers; a row without one is an order of its own) per kind
    among the rows in ``mask``, most first."""
    rows = frame.loc[mask]
    if rows.empty:
        return {}
    order = np.arange(len(rows), dtype=np.int64)  # a row without a number: its own order
    if "invoice" in rows:  # invoice numbers are read as stripped text
        number_at, _ = pd.factorize(rows["invoice"].where(rows["invoice"] != ""))
        numbered = number_at >= 0
        order[numbered] = number_at[numbered] + len(rows)
    kind_at, names = pd.factorize(kinds[mask])
    pairs = pd.DataFrame({"kind": kind_at, "order": order}).drop_duplicates()
    per = pairs.groupby("kind", sort=False).size().sort_values(ascending=False, kind="stable")
    return {str(names[k]): int(n) for k, n in per.items()}


def not_revenue_sentence(counts: Mapping[str, int]) -> str:
    """ "3 orders not counted as revenue: 2 cancelled, 1 refunded" ("" for none)."""
    total = sum(counts.values())
    if not total:
        return ""
    kinds = ", ".join(f"{n:,} {_label(kind, n)}" for kind, n in counts.items())
    return f"{total:,} {'order' if total == 1 else 'orders'} not counted as revenue: {kinds}"


def _label(kind: str, n: int) -> str:
    return "open deals" if kind == "open deal" and n != 1 else kind
