"""Near misses: "did you mean Ironbark Renovations (C1042)?" for a customer no one knows.

A sale whose customer is not on the customer sheet is reported, never merged: a typo
("Ironbark Renovatons") and a new customer look the same to a lookup. This module only
words the hint. Names are compared after :func:`~crmsheet.checks.identity.customer_name_key`
with :func:`difflib.get_close_matches` (ratio at least :data:`CUTOFF`), against the known
names with the same first character and a length within :data:`LENGTH_WINDOW` (a cheap
pre-filter: a customer sheet can hold 100,000 names, and only the few distinct unknowns are
compared). An ID is a near miss when, read without case, spaces and dashes, with the letters
O and I/L taken as the digits 0 and 1 ("c1o42" as "C1042"), it names exactly one customer.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cells import as_text
from .identity import CustomerIndex, customer_name_key

__all__ = ["CUTOFF", "LENGTH_WINDOW", "NearMisses"]

#: Least :meth:`difflib.SequenceMatcher.ratio` of two name keys for a suggestion.
CUTOFF = 0.85
#: Known names compared: those whose key is at most this many characters longer or shorter.
LENGTH_WINDOW = 3
#: Suggestions named at most, best first.
_SHOWN = 2
#: Byte -> symbol counted: name keys hold 0-9, a-z and spaces; anything else counts as one.
_SYMBOL = np.full(256, 37, dtype=np.int64)
for _i, _c in enumerate(b"0123456789abcdefghijklmnopqrstuvwxyz "):
    _SYMBOL[_c] = _i
_SYMBOLS = 38


@dataclass(frozen=True)
class _Bucket:
    """Known name keys with one first character, shortest first."""

    lengths: np.ndarray  # int64, sorted
    names: list[str]
    counts: np.ndarray  # (names, _SYMBOLS) uint8: each name's characters, counted


def _char_counts(names: list[str]) -> np.ndarray:
    """(len(names), _SYMBOLS) counts of each name's characters, in one bincount."""
    data = "".join(names).encode("utf-8", errors="replace")
    if len(data) != sum(len(n) for n in names):  # not one byte a character: count per name
        rows = [np.bincount(_SYMBOL[np.frombuffer(n.encode(), dtype=np.uint8)],
                            minlength=_SYMBOLS) for n in names]  # fmt: skip
        return np.array(rows, dtype=np.int64).clip(max=255).astype(np.uint8).reshape(
            len(names), _SYMBOLS)  # fmt: skip
    lengths = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    row = np.repeat(np.arange(len(names), dtype=np.int64) * _SYMBOLS, lengths)
    row += _SYMBOL[np.frombuffer(data, dtype=np.uint8)]
    counts = np.bincount(row, minlength=len(names) * _SYMBOLS).reshape(len(names), _SYMBOLS)
    np.minimum(counts, 255, out=counts)
    return counts.astype(np.uint8)


def id_key(ids: pd.Series) -> pd.Series:
    """An ID as compared for a near miss: upper case, no spaces or punctuation, O/I/L as 0/1."""
    text = as_text(ids).str.upper().str.replace(r"[^0-9A-Z]+", "", regex=True)
    text = text.str.replace("O", "0", regex=False).str.replace(r"[IL]", "1", regex=True)
    return text.where(text.str.len() > 0)


class NearMisses:
    """The known customers of a :class:`CustomerIndex`, ready for near-miss lookups."""

    def __init__(self, index: CustomerIndex) -> None:
        customers = index.customers
        self._name = pd.Series(customers["name"].to_numpy(), index=customers["customer_key"])
        self._name = self._name[~self._name.index.duplicated()]
        ids = customers["customer_id"]
        self._id = pd.Series(ids.to_numpy(), index=customers["customer_key"])
        self._id = self._id[~self._id.index.duplicated()]
        # names: by first character, sorted by length (a search finds the length window),
        # each with its character counts (a bound on the ratio, computed for a whole window)
        by_name = index.by_name
        names = [str(k) for k in by_name.index]
        lengths = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
        firsts = np.array([n[:1] for n in names], dtype=object)
        self._buckets: dict[str, _Bucket] = {}
        order = np.lexsort((lengths, firsts)) if names else np.zeros(0, dtype=np.int64)
        counts = _char_counts(names)
        starts = np.flatnonzero(np.r_[bool(names), firsts[order][1:] != firsts[order][:-1]])
        for lo, hi in zip(starts, [*starts[1:], len(order)], strict=True):
            at = order[lo:hi]
            if not lengths[at[0]]:
                continue  # an empty key names nothing
            self._buckets[str(firsts[at[0]])] = _Bucket(
                lengths[at], [names[i] for i in at], counts[at]
            )
        self._by_name = by_name
        # IDs: a confusable-free key naming exactly one customer
        probe = pd.Series(id_key(ids).to_numpy(), index=customers["customer_key"].to_numpy())
        probe = probe[probe.notna()]
        self._by_id = probe.index.to_series(index=probe.to_numpy())
        self._by_id = self._by_id[~self._by_id.index.duplicated(keep=False)]

    def close_names(self, key: str) -> list[str]:
        """Known name keys close to ``key``, best first (at most :data:`_SHOWN`).

        Of the window (same first character, length within :data:`LENGTH_WINDOW`), only the
        names whose shared characters could reach :data:`CUTOFF` (difflib's quick ratio,
        for the whole window at once) are handed to :func:`difflib.get_close_matches`.
        """
        bucket = self._buckets.get(key[:1])
        if bucket is None:
            return []
        lo = int(np.searchsorted(bucket.lengths, len(key) - LENGTH_WINDOW, side="left"))
        hi = int(np.searchsorted(bucket.lengths, len(key) + LENGTH_WINDOW, side="right"))
        if lo >= hi:
            return []
        mine = _char_counts([key])[0]
        shared = np.minimum(bucket.counts[lo:hi], mine).sum(axis=1, dtype=np.int64)
        bound = 2.0 * shared / (bucket.lengths[lo:hi] + len(key))
        near = np.flatnonzero(bound >= CUTOFF) + lo
        if not len(near):
            return []
        names = [bucket.names[i] for i in near]
        return difflib.get_close_matches(key, names, n=_SHOWN, cutoff=CUTOFF)

    def suggest(self, ids: pd.Series, names: pd.Series) -> pd.Series:
        """Per reference: "did you mean Ironbark Renovations (C1042)?", or "" for none.

        ``ids`` and ``names`` are what was written (references that matched no customer).
        Each distinct reference is looked up once.
        """
        if not len(ids):
            return pd.Series("", index=ids.index, dtype=object)
        # an ID written in the customer column ("C1O42" under Customer) is read as an ID
        # too, when it has a digit (no company name becomes an ID by O and I turned digits)
        written = as_text(names)
        id_like = written.where(written.str.contains(r"\d", regex=True).fillna(False))
        id_keys = id_key(ids).fillna(id_key(id_like))
        name_keys = customer_name_key(written.fillna(as_text(ids)))
        pair = id_keys.fillna("\0") + "\x01" + name_keys.fillna("\0")
        hints: dict[str, str] = {}
        for both, idk, name in zip(pair, id_keys, name_keys, strict=True):
            if both in hints:
                continue
            found: list[object] = []
            if isinstance(idk, str) and idk in self._by_id.index:
                found.append(self._by_id[idk])
            if not found and isinstance(name, str) and name:
                found = [self._by_name[k] for k in self.close_names(name)]
            labels = " or ".join(self._label(k) for k in found)
            hints[both] = f"did you mean {labels}?" if found else ""
        return pair.map(hints).astype(object)

    def _label(self, key: object) -> str:
        """A customer as the user wrote it: "Ironbark Renovations (C1042)"."""
        name, cid = self._name.get(key), self._id.get(key)
        named = isinstance(name, str) and name.strip() != ""
        has_id = cid is not None and not pd.isna(cid)
        if named and has_id:
            return f"{name} ({cid})"
        return str(name) if named else str(cid)
