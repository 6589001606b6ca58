"""Email addresses checked with ``email-validator``: the standards' syntax, no network.

An address that passes comes back normalised (the domain in lower case and its Unicode
form, the name part as written); one that does not is kept as typed, with email-validator's
reason ("An email address cannot have two periods in a row."). Deliverability (does the
domain take mail?) would need the network and is never checked. Each distinct address is
checked once, and the plain addresses most lists hold (``ann.lee@shop.co.uk``: ASCII
letters, digits and ``._%+-``, a dotted domain with a letter TLD) pass a vectorised
pattern that email-validator accepts just the same, so only the rest are checked one by
one (100k distinct plain addresses: 0.2 s instead of 3 s; ``tests/test_emails_countries.py``
holds the two to the same answers).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from .result import series

__all__ = ["PLAIN_EMAIL", "parse_emails"]

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: An address email-validator accepts as it is (its domain aside, lower-cased): a dot-atom
#: name of common characters, dotted labels, a TLD of letters; with the checks of
#: :func:`_plain` (lengths, no "--", no reserved TLD). No look-arounds: it runs in RE2.
PLAIN_EMAIL = rf"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"
_RESERVED = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _plain(text: pd.Series) -> np.ndarray:
    """The cells that are plain addresses (:data:`PLAIN_EMAIL`), vectorised."""
    ok: np.ndarray = text.str.fullmatch(PLAIN_EMAIL).fillna(False).to_numpy(dtype=bool, copy=True)
    if not ok.any():
        return ok
    parts = text.str.rpartition("@")
    name, domain = parts[0], parts[2].str.lower()
    tld = domain.str.rpartition(".")[2]
    ok &= (name.str.len() <= 64).fillna(False).to_numpy(dtype=bool)
    ok &= (text.str.len() <= 254).fillna(False).to_numpy(dtype=bool)
    ok &= ~domain.str.contains("--", regex=False).fillna(True).to_numpy(dtype=bool)
    ok &= ~tld.isin(_RESERVED).to_numpy(dtype=bool)
    return ok


@lru_cache(maxsize=65536)
def _one(text: str) -> tuple[str, str]:
    """(normalised address or the text as typed, why it is no address or "")."""
    try:
        return validate_email(text, check_deliverability=False).normalized, ""
    except EmailNotValidError as exc:
        return text, str(exc)


def parse_emails(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(addresses, bad mask, why) for a text column; missing cells stay missing."""
    index = values.index
    n = len(values)
    out = np.array(values.astype(object).to_numpy(), dtype=object, copy=True)
    bad = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    present = values.notna().to_numpy(dtype=bool)
    if present.any():
        text = values.astype("str")
        plain = _plain(text) & present
        if plain.any():
            parts = text[plain].str.rpartition("@")
            out[plain] = (parts[0] + "@" + parts[2].str.lower()).to_numpy(dtype=object)
            present = present & ~plain
    if present.any():
        where, distinct = pd.factorize(values.astype(object)[present])
        results = [_one(str(v)) for v in distinct]
        u_out = np.array([r[0] for r in results], dtype=object)
        u_why = np.array([r[1] for r in results], dtype=object)
        out[present] = u_out[where]
        why[present] = u_why[where]
        bad[present] = u_why[where] != ""
    return series(out, index), series(bad, index), series(why, index)
