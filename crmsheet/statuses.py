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

import pandas as pd

from .choices import TRANSACTION_STATUSES
from .parse import normalise_token, parse_choice, recode

__all__ = ["not_revenue", "not_revenue_sentence", "orders_per_status", "status_kinds"]

_WORDS: dict[str, str] = {
    normalise_token(word): kind for kind, words in TRANSACTION_STATUSES.items() for word in words
} | {normalise_token(kind): kind for kind in TRANSACTION_STATUSES}


def status_kinds(written: pd.Series, codes: Mapping[str, str]) -> tuple[pd.Series, pd.Series]:
    """(kind of each status as written, True where it is no status crmsheet knows).

    An unknown status is kept as written (so the user can see it and add it to
    ``status_codes``); a blank is NA and counts as a sale that stands.
    """
    parsed = parse_choice(recode(written, codes), _WORDS)
    return parsed.values, parsed.bad


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
    number = rows["invoice"].astype("string").str.strip() if "invoice" in rows else None
    order = pd.Series(rows.index.astype(str), index=rows.index, dtype="string")
    if number is not None:
        order = ("#" + number.mask(number == "")).fillna(order)
    counts = pd.DataFrame({"kind": kinds[mask], "order": order}).drop_duplicates()
    per = counts.groupby("kind", sort=False).size().sort_values(ascending=False, kind="stable")
    return {str(k): int(n) for k, n in per.items()}


def not_revenue_sentence(counts: Mapping[str, int]) -> str:
    """ "3 orders not counted as revenue: 2 cancelled, 1 refunded" ("" for none)."""
    total = sum(counts.values())
    if not total:
        return ""
    kinds = ", ".join(f"{n:,} {_label(kind, n)}" for kind, n in counts.items())
    return f"{total:,} {'order' if total == 1 else 'orders'} not counted as revenue: {kinds}"


def _label(kind: str, n: int) -> str:
    return "open deals" if kind == "open deal" and n != 1 else kind
