"""Which customers may be one customer entered twice? Candidate pairs, scored, in words.

A small business's list has "ACME Ltd" and "Acme Limited (old)" with one phone number, or
"Bayside Builders" and "Bayside Builder" at one postcode, with the invoices split between
them. :func:`duplicate_candidates` finds such pairs without comparing every customer with
every other (100k customers would be 5 billion pairs):

1. **Blocking.** Only customers that share something are compared: the same email, phone
   (its last nine digits, so ``+44 20 7946 0000`` is ``020 7946 0000``), website domain,
   postcode and a word of the name, or a word of the cleaned name; and neighbours in the
   list sorted by cleaned name (sorted-neighbourhood, to catch a typo in every word). Within
   a block, each customer is paired with the next :data:`WINDOW` (or :data:`KEY_WINDOW`) in
   name order, so a big block (every "Builders") costs a window per customer, not its
   square: the cost is linear in customers.
2. **Scoring.** Each pair's names (legal words such as Ltd, Limited, Inc, GmbH, Pty,
   "& Sons" and bracketed notes such as "(old)" dropped) are compared with rapidfuzz, and
   so are the addresses; email, phone, website, postcode and city agree, differ or are
   unknown. Each piece of evidence adds or takes away log-odds (:data:`WEIGHTS`, in the
   spirit of Fellegi and Sunter); the score is the logistic of the sum, from 0 to 1, and
   pairs from :data:`MIN_SCORE` up are returned, the evidence in words.
3. **Survivor.** The customer with more history (transactions, else revenue) is suggested
   to survive, else the older one (earlier first purchase), else the lower id.

A key held by more than :data:`SHARED_KEY` customers (a switchboard number, a placeholder
``000000``, a franchise's website) says nothing of identity: it is neither blocked on nor
counted as evidence. Measured on the FEBRL synthetic benchmarks (see
``benchmarks/duplicates.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from .columns import Column, count, money, share, text

__all__ = [
    "DUPLICATES_SHOWN",
    "DUPLICATE_COLUMNS",
    "MIN_SCORE",
    "clean_names",
    "duplicate_candidates",
    "duplicate_preview",
]

#: The columns of :func:`duplicate_candidates`' table, in order.
DUPLICATE_COLUMNS = ["key_a", "key_b", "name_a", "name_b", "score", "evidence", "survivor"]

#: Pairs scoring below this are not candidates.
MIN_SCORE = 0.5

#: How many name-order neighbours each customer is compared with in a name block.
WINDOW = 8

#: ... and in a block of a strong key (email, phone, website, postcode + name word): every
#: pair of a block up to this size + 1.
KEY_WINDOW = 20

#: A key held by more customers than this is shared, not an identity (see the docstring).
SHARED_KEY = 20

#: Log-odds of each piece of evidence: (agree, differ). Unknown (a blank on either side) is 0.
WEIGHTS: dict[str, tuple[float, float]] = {
    "email": (5.0, -1.0),
    "phone": (4.0, -1.0),
    "website": (4.0, -0.5),
    "postcode": (3.0, -1.5),
    "city": (1.0, -1.0),
}

#: Name similarity (0-1) -> log-odds, interpolated: equal names alone make a candidate,
#: names 94 % alike need one more agreeing field.
_NAME_SIM = np.array([0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0])
_NAME_LOGODDS = np.array([-10.0, -8.5, -5.5, -2.0, 0.0, 0.6, 1.2])

#: Address similarity (0-1) -> log-odds, when both addresses are known.
_ADDRESS_SIM = np.array([0.0, 0.6, 0.75, 0.85, 0.95, 1.0])
_ADDRESS_LOGODDS = np.array([-1.5, -1.5, 0.0, 1.5, 2.8, 3.2])

_LEGAL_WORDS = (
    "ltd", "limited", "inc", "incorporated", "llc", "llp", "lp", "plc", "gmbh", "mbh", "pty",
    "pte", "co", "corp", "corporation", "company", "ag", "sa", "sas", "sarl", "bv", "nv",
    "srl", "spa", "kg", "oy", "ab", "as", "aps", "kk", "and sons", "and son", "and co",
    "sons", "holdings", "group",
)  # fmt: skip
# names hold only 0-9, a-z and spaces when these run (so " +", not "\s+": pyarrow runs " +")
_LEGAL_TAIL = r"(?: +(?:" + "|".join(w.replace(" ", " +") for w in _LEGAL_WORDS) + r"))+$"
_BRACKETS = r"\([^)]*\)?|\[[^\]]*\]?"

_ADDRESS_WORDS = {
    "street": "st", "road": "rd", "avenue": "ave", "av": "ave", "drive": "dr", "lane": "ln",
    "place": "pl", "court": "ct", "crescent": "cres", "boulevard": "blvd", "highway": "hwy",
    "terrace": "tce", "parade": "pde", "circuit": "cct", "close": "cl", "square": "sq",
    "north": "n", "south": "s", "east": "e", "west": "w", "unit": "u", "suite": "ste",
}  # fmt: skip


# -- cleaning ------------------------------------------------------------------------------


def _text(values: pd.Series) -> pd.Series:
    """Lower-case ASCII text, blanks as "" (accents dropped where there are any)."""
    text = values.astype("string").fillna("").str.strip()
    accented = text.str.contains(r"[^\x00-\x7f]", regex=True).to_numpy(dtype=bool)
    if accented.any():
        plain = text[accented].str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
        text = text.mask(accented, plain)
    return text.str.lower()


def clean_names(names: pd.Series) -> pd.Series:
    """Names as compared for 'one customer?': ``"Acme Limited (old)"`` -> ``"acme"``.

    Case, accents, punctuation and bracketed notes go; ``&`` reads as "and"; legal words at
    the end (Ltd, Limited, Inc, LLC, GmbH, Pty, "& Sons", ...) and a leading "The" go,
    unless nothing would be left. A blank name is "".
    """
    text = _text(names).str.replace(_BRACKETS, " ", regex=True)
    text = text.str.replace("['\u2019`]", "", regex=True).str.replace(r"[&+]", " and ", regex=True)
    text = text.str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    stripped = (" " + text).str.replace(_LEGAL_TAIL, "", regex=True).str.strip()
    stripped = stripped.str.replace(r"^the +", "", regex=True).str.replace(
        r"^and +", "", regex=True
    )
    stripped = stripped.str.replace(r" +", " ", regex=True)
    return stripped.where(stripped.str.len() > 0, text).astype(object)


def _phones(values: pd.Series) -> pd.Series:
    """The last nine digits of a phone number (extensions dropped); NA if under seven."""
    space = "[ \t\n\r\f\v]*"  # \s, as pyarrow runs it (NFKD made other spaces these)
    text = _text(values).str.replace(
        space + r"(?:ext|extn|x|#)\.?" + space + "[0-9]{1,5}$", "", regex=True
    )
    digits = text.str.replace(r"[^0-9]", "", regex=True)
    # one digit repeated (000000): the string equals itself turned by one place
    placeholder = (digits == digits.str.slice(1) + digits.str.slice(0, 1)).fillna(False)
    placeholder = placeholder.astype(bool)
    keep = (digits.str.len() >= 7) & ~placeholder
    return digits.str[-9:].where(keep)


def _emails(values: pd.Series) -> pd.Series:
    text = _text(values).str.replace(r"^mailto:", "", regex=True)
    return text.where(text.str.contains("@", regex=False))


def _domains(values: pd.Series) -> pd.Series:
    """``"https://www.Acme.co.uk/contact"`` -> ``"acme.co.uk"``; NA when no domain."""
    text = _text(values).str.replace(r"^[a-z][a-z0-9+.-]*://", "", regex=True)
    text = text.str.replace(r"^[^/@]*@", "", regex=True)  # user@ in a URL, or an email
    text = text.str.replace(r"[/:?#].*$", "", regex=True).str.replace(r"^www\d*\.", "", regex=True)
    text = text.str.strip(".")
    return text.where(text.str.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+").fillna(False).astype(bool))


def _postcodes(values: pd.Series) -> pd.Series:
    text = _text(values).str.replace(r"\.0$", "", regex=True)  # 87104.0: a number cell
    text = text.str.replace(r"[^0-9a-z]", "", regex=True)
    return text.where(text.str.len() > 0)


def _addresses(values: pd.Series) -> pd.Series:
    text = _text(values).str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    for word, short in _ADDRESS_WORDS.items():
        text = text.str.replace(rf"\b{word}\b", short, regex=True)
    return text.where(text.str.len() > 0)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name].reset_index(drop=True)
    return pd.Series([None] * len(frame), dtype=object)


# -- blocking ------------------------------------------------------------------------------


def _window_pairs(
    rows: np.ndarray, block: np.ndarray, order: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``rows`` in one block (``block`` codes, -1 = none) within ``window`` places
    of each other once sorted by block, then by ``order`` (a name)."""
    keep = block >= 0
    rows, block, order = rows[keep], block[keep], order[keep]
    if len(rows) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    sort = np.lexsort((order, block))
    rows, block = rows[sort], block[sort]
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for k in range(1, window + 1):
        if k >= len(rows):
            break
        same = block[:-k] == block[k:]
        if not same.any():
            break  # no block is longer than k
        left.append(rows[:-k][same])
        right.append(rows[k:][same])
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


def _codes(keys: pd.Series) -> np.ndarray:
    """Block codes of a key column: -1 for a blank key or one shared by too many."""
    codes, _ = pd.factorize(keys, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    counts = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, np.int64)
    shared = np.zeros(len(codes), dtype=bool)
    shared[codes >= 0] = counts[codes[codes >= 0]] > SHARED_KEY
    codes[shared] = -1
    return codes


def _tokens(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, word code) for every distinct word of two letters or more of each cleaned
    name (split by pyarrow: a Python split of 100,000 names took a tenth of a second)."""
    lists = pc.split_pattern(pa.array(names, type=pa.string()), " ")
    words = pc.list_flatten(lists)
    rows = np.asarray(pc.list_parent_indices(lists), dtype=np.int64)
    long = np.asarray(pc.greater_equal(pc.utf8_length(words), 2), dtype=bool)
    codes, _ = pd.factorize(pd.Series(words.filter(pa.array(long)), dtype="string"))
    rows = rows[long]
    width = np.int64(codes.max() + 1 if len(codes) else 1)
    pair = pd.unique(rows * width + codes.astype(np.int64))  # each word once a name
    return pair // width, pair % width


def _candidate_pairs(
    names: np.ndarray, keys: dict[str, pd.Series], postcodes: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair sharing a block, once, as (a, b) with a < b."""
    n = len(names)
    rows = np.arange(n, dtype=np.int64)
    order = names.astype(str)
    found: list[tuple[np.ndarray, np.ndarray]] = []
    for values in keys.values():  # email, phone, website
        found.append(_window_pairs(rows, _codes(values), order, KEY_WINDOW))
    named = np.array([bool(x) for x in names])
    # sorted neighbourhood: the whole name, and its words sorted (Smith John = John Smith)
    one_block = np.where(named, 0, -1).astype(np.int64)
    found.append(_window_pairs(rows, one_block, order, WINDOW))
    swapped = np.array([" ".join(sorted(x.split())) for x in order], dtype=object).astype(str)
    found.append(_window_pairs(rows, one_block, swapped, WINDOW))
    # a word of the name, alone and with the postcode
    token_rows, words = _tokens(names)
    if len(token_rows):
        word_order = order[token_rows]
        found.append(_window_pairs(token_rows, _codes(pd.Series(words)), word_order, WINDOW))
        place = postcodes.to_numpy(object)[token_rows]
        has_pc = pd.notna(place)
        at = pd.Series(np.where(has_pc, place.astype(str), "") + "\x00" + words.astype(str))
        at = at.where(has_pc)
        found.append(_window_pairs(token_rows, _codes(at), word_order, KEY_WINDOW))
    a = np.concatenate([f[0] for f in found])
    b = np.concatenate([f[1] for f in found])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair = pd.unique(lo[lo != hi] * np.int64(n) + hi[lo != hi])  # hashed: no sort
    return pair // n, pair % n


# -- scoring -------------------------------------------------------------------------------


def _ratio(left: np.ndarray, right: np.ndarray, scorer: Any = fuzz.ratio) -> np.ndarray:
    """Pairwise similarity (0-1) of two equally long arrays of strings."""
    if not len(left):
        return np.zeros(0)
    out = process.cpdist(left.tolist(), right.tolist(), scorer=scorer, dtype=np.float32)
    return out.astype(np.float64) / 100.0


def _logit(p: float) -> float:
    """The log-odds of a score: the total evidence a pair needs to score ``p``."""
    if p <= 0:
        return -np.inf
    if p >= 1:
        return np.inf
    return float(np.log(p / (1 - p)))


class _NameParts:
    """The cleaned names' pieces, made once: names' similarity (0-1) is the whole names'
    (the best of token-sort and of the names without spaces), averaged with their least
    alike word's (first with first and last with last, or crossed, whichever fits better;
    1 when one name's two or more words are all in the other's): "Walter White" and
    "Skyler White" share a surname, not a name."""

    def __init__(self, names: np.ndarray) -> None:
        text = pd.Series(names, dtype="string")
        self.names = names
        self.first = text.str.replace(r" .*$", "", regex=True).to_numpy(object)  # in pyarrow
        self.last = text.str.replace(r"^.* ", "", regex=True).to_numpy(object)
        self.squashed = text.str.replace(" ", "", regex=False).to_numpy(object)
        self.two = text.str.contains(" ", regex=False).to_numpy(dtype=bool)  # "John" is in
        # any John's name: one word is never all of another name

    def whole(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        names, squashed = self.names, self.squashed
        out: np.ndarray = np.maximum(_ratio(names[a], names[b], fuzz.token_sort_ratio),
                          _ratio(squashed[a], squashed[b]))  # fmt: skip
        return out

    def words(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        first, last, names = self.first, self.last, self.names
        straight = np.minimum(_ratio(first[a], first[b]), _ratio(last[a], last[b]))
        crossed = np.minimum(_ratio(first[a], last[b]), _ratio(last[a], first[b]))
        subset = self.two[a] & self.two[b]
        at = np.flatnonzero(subset)
        subset[at] = _ratio(names[a[at]], names[b[at]], fuzz.token_set_ratio) >= 1
        out: np.ndarray = np.where(subset, 1.0, np.maximum(straight, crossed))
        return out


def _agreement(values: pd.Series, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 where both sides agree, 0 where they differ, NaN where either is blank."""
    codes, _ = pd.factorize(values, use_na_sentinel=True)  # equal values, equal codes
    codes = np.asarray(codes, dtype=np.int64)  # (a blank is -1): pairs compare integers
    ca, cb = codes[a], codes[b]
    known = (ca >= 0) & (cb >= 0)
    out = np.full(len(a), np.nan)
    out[known] = (ca[known] == cb[known]).astype(float)
    return out


def _percent(similarity: float) -> int:
    """A similarity in whole percent, never 100 % unless equal."""
    return min(round(similarity * 100), 99) if similarity < 1 else 100


def _evidence(
    name_sim: np.ndarray, address_sim: np.ndarray, agree: dict[str, np.ndarray]
) -> list[str]:
    words = {"email": "email", "phone": "phone", "website": "website",
             "postcode": "postcode", "city": "city"}  # fmt: skip
    out: list[str] = []
    for i in range(len(name_sim)):
        same = [f"same {words[k]}" for k in ("email", "phone", "website") if agree[k][i] == 1]
        if name_sim[i] >= 1:
            same.append("same name")
        elif not np.isnan(name_sim[i]):
            same.append(f"names {_percent(name_sim[i])} % alike")
        if address_sim[i] >= 1:
            same.append("same address")
        elif address_sim[i] >= 0.6:
            same.append(f"addresses {_percent(address_sim[i])} % alike")
        same += [f"same {words[k]}" for k in ("postcode", "city") if agree[k][i] == 1]
        differ = [words[k] for k in WEIGHTS if agree[k][i] == 0]
        if address_sim[i] < 0.6:
            differ.append("address")
        text = ", ".join(same)
        if differ:
            text += f", but different {', '.join(differ)}"
        out.append(text)
    return out


def _survivors(frame: pd.DataFrame, keys: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, a's or b's key: more history, else the older, else the lower id."""
    first_b = np.zeros(len(a), dtype=bool)  # True: b survives
    decided = np.zeros(len(a), dtype=bool)
    for name in ("transactions", "revenue"):
        if name in frame:
            v = pd.to_numeric(_column(frame, name), errors="coerce").fillna(0).to_numpy(float)
            more_b, more_a = v[b] > v[a], v[a] > v[b]
            first_b |= ~decided & more_b
            decided |= more_a | more_b
    for name in ("first_purchase", "first_transaction"):
        if name in frame:
            d = pd.to_datetime(_column(frame, name), errors="coerce")
            v = d.to_numpy("datetime64[ns]")
            known = ~np.isnat(v[a]) & ~np.isnat(v[b])
            older_b = known & (v[b] < v[a])
            older_a = known & (v[a] < v[b])
            first_b |= ~decided & older_b
            decided |= older_a | older_b
    ka, kb = keys[a], keys[b]
    lower_b = np.array([_id_order(y) < _id_order(x) for x, y in zip(ka, kb, strict=True)],
                       dtype=bool)  # fmt: skip
    first_b |= ~decided & lower_b
    survivors: np.ndarray = np.where(first_b, kb, ka)
    return survivors


def _id_order(key: object) -> tuple[int, float, str]:
    """Ids compared as numbers when they are (C9 < C10: by the number after the letters)."""
    text = str(key)
    digits = "".join(ch for ch in text if ch.isdigit())
    prefix = text.rstrip("0123456789")
    if digits and text[len(prefix) :].isdigit():
        return (0, float(text[len(prefix) :]), prefix)
    return (1, 0.0, text)


def duplicate_candidates(customers: pd.DataFrame, *, min_score: float = MIN_SCORE) -> pd.DataFrame:
    """Pairs of customers that may be one customer entered twice, best first.

    ``customers`` is a frame of customers, one per row, such as :attr:`CrmData.customers`
    or :attr:`Analysis.customers`: its key is ``customer_key`` (else ``customer_id``, else
    the index); ``name``, ``email``, ``phone``, ``website``, ``postcode``, ``address`` and
    ``city`` are read when present, and ``transactions``/``revenue`` and
    ``first_purchase``/``first_transaction`` decide the survivor. Returns one row per pair
    (:data:`DUPLICATE_COLUMNS`): both keys and names, the score (0-1), the evidence in
    words ("same phone, names 94 % alike, same postcode") and the suggested survivor's key.
    """
    frame = customers.reset_index(drop="customer_key" in customers or "customer_id" in customers)
    if "customer_key" in frame:
        keys = frame["customer_key"].to_numpy(object)
    elif "customer_id" in frame:
        keys = frame["customer_id"].to_numpy(object)
    else:
        keys = frame.iloc[:, 0].to_numpy(object)
    if len(frame) < 2:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DUPLICATE_COLUMNS}).astype(
            {"score": float}
        )
    shown_names = _column(frame, "name").to_numpy(object)
    names = clean_names(_column(frame, "name")).to_numpy(object)
    strong = {
        "email": _emails(_column(frame, "email")),
        "phone": _phones(_column(frame, "phone")),
        "website": _domains(_column(frame, "website")),
    }
    postcodes = _postcodes(_column(frame, "postcode"))
    a, b = _candidate_pairs(names, strong, postcodes)

    # the fields first (cheap), then names and addresses only for the pairs that can still
    # reach min_score: each step's best case bounds the score, so the pairs kept are exactly
    # those scoring every pair in full would keep (at a fraction of the string comparisons)
    city = _text(_column(frame, "city")).str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    fields = {**strong, "postcode": postcodes, "city": city.where(city.str.len() > 0)}
    agree: dict[str, np.ndarray] = {}
    total = np.zeros(len(a))
    for field, values in fields.items():
        if field in strong:  # a shared key (placeholder, switchboard) is no evidence
            codes = _codes(values)
            values = pd.Series(codes, dtype="Int64").where(codes >= 0)
        agree[field] = _agreement(values, a, b)  # places are shared by nature: all count
        yes, no = WEIGHTS[field]
        total += np.where(agree[field] == 1, yes, np.where(agree[field] == 0, no, 0.0))

    addresses = _addresses(_column(frame, "address")).to_numpy(object)
    has_address = pd.notna(addresses)  # per customer, then per pair
    both = has_address[a] & has_address[b]
    named = (names[a] != "") & (names[b] != "")
    need = _logit(min_score) - 1e-9
    best_address = np.where(both, _ADDRESS_LOGODDS[-1], 0.0)
    live = total + best_address + np.where(named, _NAME_LOGODDS[-1], 0.0) >= need

    name_sim = np.full(len(a), np.nan)
    at = np.flatnonzero(live & named)
    parts = _NameParts(names)
    whole = parts.whole(a[at], b[at])
    # the words' similarity is at most 1: the whole names' bounds the name's
    best_name = np.interp((whole + 1) / 2, _NAME_SIM, _NAME_LOGODDS)
    hope = total[at] + best_address[at] + best_name >= need
    live[at[~hope]] = False
    at, whole = at[hope], whole[hope]
    name_sim[at] = (whole + parts.words(a[at], b[at])) / 2
    total += np.where(named, np.interp(np.nan_to_num(name_sim), _NAME_SIM, _NAME_LOGODDS), 0.0)

    address_sim = np.full(len(a), np.nan)
    at = np.flatnonzero(live & both)
    address_sim[at] = _ratio(addresses[a[at]], addresses[b[at]], fuzz.token_sort_ratio)
    total += np.where(
        both, np.interp(np.nan_to_num(address_sim), _ADDRESS_SIM, _ADDRESS_LOGODDS), 0
    )

    score = 1.0 / (1.0 + np.exp(-total))
    keep = live & (score >= min_score)
    a, b, score = a[keep], b[keep], score[keep]
    name_sim, address_sim = name_sim[keep], address_sim[keep]
    agree = {k: v[keep] for k, v in agree.items()}
    out = pd.DataFrame({
        "key_a": keys[a], "key_b": keys[b], "name_a": shown_names[a], "name_b": shown_names[b],
        "score": score.round(3), "evidence": _evidence(name_sim, address_sim, agree),
        "survivor": _survivors(frame, keys, a, b),
    })  # fmt: skip

    def order(column: pd.Series) -> pd.Series:
        return column if column.name == "score" else column.astype(str)

    out = out.sort_values(["score", "key_a", "key_b"], ascending=[False, True, True],
                          kind="stable", key=order)  # fmt: skip
    return out.reset_index(drop=True)[DUPLICATE_COLUMNS]


#: The Duplicates sheet's candidate columns (:func:`duplicate_preview`), as it shows them.
DUPLICATES_SHOWN: dict[str, Column] = {
    "key_a": text("Customer"), "name_a": text("Name"), "key_b": text("Other customer"),
    "name_b": text("Other name"), "score": share("Score"), "evidence": text("Why"),
    "survivor": text("Suggested to keep"), "combined_revenue": money("Revenue together"),
    "combined_transactions": count("Transactions together"),
}  # fmt: skip

#: What :func:`duplicate_preview` reads of the customer sheet beside the analysis' figures.
_IDENTITY = ("email", "phone", "website", "postcode", "address", "city")


def duplicate_preview(
    customers: pd.DataFrame, sheet: pd.DataFrame, *, min_score: float = MIN_SCORE
) -> pd.DataFrame:
    """:func:`duplicate_candidates` over an analysis' customers (indexed by
    ``customer_key``, with name, revenue, transactions and first_purchase), their
    identity fields taken from ``sheet`` (the customer rows, by ``customer_key``), with
    each pair's revenue and transactions together: what the survivor would show merged."""
    frame = customers[[c for c in ("name", "revenue", "transactions", "first_purchase")
                       if c in customers]].copy()  # fmt: skip
    if "customer_key" in sheet and len(sheet):
        info = sheet.drop_duplicates("customer_key").set_index("customer_key")
        for col in _IDENTITY:
            if col in info:
                frame[col] = info[col].reindex(frame.index)
    frame.index.name = "customer_key"
    found = duplicate_candidates(frame.reset_index(), min_score=min_score)
    revenue = customers["revenue"] if "revenue" in customers else pd.Series(dtype=float)
    bought = customers["transactions"] if "transactions" in customers else pd.Series(dtype=float)
    rev = revenue.astype(float).fillna(0.0)
    buys = bought.astype(float).fillna(0.0)
    found["combined_revenue"] = (rev.reindex(found["key_a"]).fillna(0.0).to_numpy()
                                 + rev.reindex(found["key_b"]).fillna(0.0).to_numpy())  # fmt: skip
    found["combined_transactions"] = (buys.reindex(found["key_a"]).fillna(0.0).to_numpy()
                                      + buys.reindex(found["key_b"]).fillna(0.0).to_numpy()
                                      ).astype(np.int64)  # fmt: skip
    return found[list(DUPLICATES_SHOWN)]
