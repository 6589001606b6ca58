"""Header text as words, and which field a header's words name (one role at a time).

Exports write the same header in many ways: ``Sales Amount``, ``SalesAmount``, ``SALESAMOUNT``,
``sales_amount``, ``PARTNER.PARTNERID``. Each header becomes a tuple of lower-case words:
camelCase and every separator split it, and a run-together word (``CUSTOMERNAME``) is
segmented against the schema's own vocabulary (the words of every synonym), so a synonym
added in :mod:`crmsheet.schema` is understood in all these spellings.

Words naming a kind of record (``order``, ``payment``, ``sales``, ``line``...) say what the
sheet is, not which field: ``OrderQuantity`` is a quantity and ``paymentDate`` a date. They
are dropped when the whole header matches nothing, but never to reach an identity field: an
order id or a payment id is not a customer id.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from .schema import ROLES, Role, field_specs

__all__ = [
    "LONGEST_HEADER",
    "QUALIFIER_WORDS",
    "RECORD_WORDS",
    "Hit",
    "header_words",
    "lookup",
]

#: A cell longer than this is data, never a header: it is not normalised at all (a 50 MB CSV
#: field would otherwise be split into words on every layout).
LONGEST_HEADER = 200

#: Words that name the kind of record a sheet holds: they weigh on the sheet's role.
RECORD_WORDS = frozenset({
    "order", "orders", "ordered", "payment", "payments", "paid", "invoice", "invoices",
    "invoiced", "sales", "sale", "line", "lines", "item", "items", "transaction",
    "transactions", "purchase", "purchased", "receipt", "checkout",
})  # fmt: skip

#: Words that qualify a field without changing it (``billing_company`` is the company).
QUALIFIER_WORDS = frozenset({"billing", "bill", "shipping", "ship", "history", "primary",
                             "main", "default"})  # fmt: skip

#: Qualifiers of a delivery: ``shipName`` is the recipient, ``shipping_total`` the postage.
_DELIVERY_WORDS = frozenset({"shipping", "ship"})

#: Kinds a header may still reach once its record words are dropped: measures and dates.
_MEASURE_KINDS = frozenset({"money", "number", "count", "percent", "date"})

#: Words of no field's synonym that exports run together with synonym words.
_EXTRA_VOCABULARY = ("created", "at", "changed", "modified", "by", "address", "postal",
                     "first", "last", "legal", "form", "web", "status", "currency", "tax",
                     "stage", "close", "annual", "partner", "role", "owner", "fax")  # fmt: skip

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_PARENS = re.compile(r"\(.*?\)|\[.*?\]")
_NOISE = frozenset({"in", "excl", "incl", "usd", "eur", "gbp", "chf", "cad", "aud", "the",
                    "of", "s"})  # fmt: skip


def _raw_words(text: str) -> list[str]:
    s = text
    if not s.isascii():  # accents dropped: "Référé" -> "refere"
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c))
    s = _CAMEL.sub(" ", s).replace("#", " no ").replace("%", " pct ").casefold()
    s = s.replace("nº", " no ").replace("n°", " no ")
    return [w for w in _NON_WORD.split(s) if w]


def _vocabulary() -> frozenset[str]:
    words: set[str] = set(RECORD_WORDS | QUALIFIER_WORDS) | set(_EXTRA_VOCABULARY)
    for role in ROLES:
        for name, spec in field_specs(role).items():
            words.update(name.split("_"))
            for header in spec.headers:
                words.update(header.split())
    return frozenset(w for w in words if len(w) >= 2 and not w.isdigit())


VOCABULARY = _vocabulary()
_LONGEST_WORD = max(len(w) for w in VOCABULARY)


@lru_cache(maxsize=8192)
def _segment(token: str) -> tuple[str, ...]:
    """``customername`` -> ("customer", "name"): the fewest vocabulary words covering it.

    A token that is a word already, or that the vocabulary cannot cover entirely, stays
    whole (a word the schema does not know is never cut into pieces that it does).
    """
    if token in VOCABULARY or len(token) < 4 or not token.isalpha():
        return (token,)
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(max(0, end - _LONGEST_WORD), end):
            head = best[start]
            piece = token[start:end]
            if head is None or not (piece in VOCABULARY or piece.isdigit()):
                continue
            found = best[end]
            if found is None or len(head) + 1 < len(found):
                best[end] = (*head, piece)
    return best[n] or (token,)


@lru_cache(maxsize=65536)
def header_words(text: str) -> tuple[str, ...]:
    """The words of a header: ``"PARTNER.PARTNERID"`` -> ("partner", "partner", "id")."""
    if len(text) > LONGEST_HEADER:
        return ()
    words: list[str] = []
    for token in _raw_words(text):
        if token in VOCABULARY or len(token) < 4:
            words.append(token)
        else:
            words.extend(_segment(token))
    return tuple(words)


class Hit(NamedTuple):
    """A header read as ``field``; a lower ``rank`` is a more specific synonym."""

    field: str
    rank: int
    record_words: bool  # the header names a kind of record (order, payment, line...)


def _index(role: Role) -> dict[tuple[str, ...], tuple[str, int]]:
    """synonym words -> (field, rank); a field owns its own name first, then first come."""
    index: dict[tuple[str, ...], tuple[str, int]] = {}
    specs = field_specs(role)
    for name, spec in specs.items():
        index[header_words(spec.headers[0])] = (name, 0)
    for name, spec in specs.items():
        for rank, header in enumerate(spec.headers):
            index.setdefault(header_words(header), (name, rank))
    return index


_SYNONYMS: dict[Role, dict[tuple[str, ...], tuple[str, int]]] = {r: _index(r) for r in ROLES}
_KINDS: dict[Role, dict[str, str]] = {
    r: {name: spec.kind for name, spec in field_specs(r).items()} for r in ROLES
}
_IDENTITY = frozenset({"customer_id", "customer_name", "name", "invoice", "case_id", "product"})
#: Where a customer is: a delivery's address (shipCity on an order) is not the customer's, and
#: must not make an order list read as a customer list.
_WHERE = frozenset({"address", "city", "postcode", "country"})


#: Record words that stay in a reading: a line's or item's money is a field of its own.
_LINE_WORDS = frozenset({"line", "item"})


class _Readings(NamedTuple):
    """A header's words, and its looser readings, computed once for every role."""

    words: tuple[str, ...]
    plain: tuple[str, ...]  # without brackets and noise words
    unqualified: tuple[str, ...]  # ... and without qualifiers (billing, history)
    core: tuple[str, ...]  # ... and without record words (order, payment, sales)
    lined: tuple[str, ...]  # ... but keeping "line" and "item" (Order Line Amount)
    last: tuple[str, ...]  # the last part of a dotted path
    record: bool
    delivery: bool


@lru_cache(maxsize=65536)
def _readings(header: str) -> _Readings | None:
    words = header_words(header)
    if not any(w in VOCABULARY for w in words):
        return None  # every synonym is made of vocabulary words: nothing can match
    bracketed = "(" in header or "[" in header
    plain_words = header_words(_PARENS.sub(" ", header)) if bracketed else words
    plain = tuple(w for w in plain_words if w not in _NOISE)
    unqualified = tuple(w for w in plain if w not in QUALIFIER_WORDS)
    core = tuple(w for w in unqualified if w not in RECORD_WORDS)
    lined = tuple(w for w in unqualified if w not in RECORD_WORDS or w in _LINE_WORDS)
    last = header_words(header.rsplit(".", 1)[1]) if "." in header else ()
    return _Readings(
        words,
        plain,
        unqualified,
        core,
        lined,
        last,
        any(w in RECORD_WORDS for w in words),
        any(w in _DELIVERY_WORDS for w in plain),
    )


def lookup(role: Role, header: str) -> Hit | None:
    """Which field of ``role`` a header names, trying looser readings in turn.

    Exactly (any casing or separators), then without brackets or currency/noise words,
    then without qualifiers (``billing``, ``history``), then without record words for a
    measure or a date (``SalesAmount`` -> amount), then the last part of a dotted path
    (``PARTNER.PARTNERID`` -> partner id). Each looser reading ranks below a closer one.
    """
    r = _readings(header)
    if r is None:
        return None
    table = _SYNONYMS[role]
    kinds = _KINDS[role]
    if r.words in table:
        return Hit(*table[r.words], r.record)
    if r.plain in table:
        name, rank = table[r.plain]
        return Hit(name, rank + 100, r.record)
    if r.unqualified and r.unqualified != r.plain and r.unqualified in table:
        name, rank = table[r.unqualified]
        # shipping_total is the postage, shipName the recipient: neither is the sale's
        if kinds[name] != "money" and not (r.delivery and name in _IDENTITY | _WHERE):
            return Hit(name, rank + 200, r.record)
    if r.lined != r.unqualified and r.lined != r.core and r.lined in table:
        name, rank = table[r.lined]  # "Order Line Amount" is a line's amount, like "Line Amount"
        if kinds[name] in _MEASURE_KINDS and name not in _IDENTITY:
            return Hit(name, rank + 250, r.record)
    if r.core and r.core != r.unqualified and r.core in table:
        name, rank = table[r.core]
        if kinds[name] in _MEASURE_KINDS and name not in _IDENTITY:
            return Hit(name, rank + 300, r.record)
    if r.last in table:
        name, rank = table[r.last]
        return Hit(name, rank + 400, r.record)
    return None
