"""Email addresses checked with ``email-validator``: the standards' syntax, no network.

An address that passes comes back normalised (the domain in lower case and its Unicode
form, the name part as written); one that does not is kept as typed, with email-validator's
reason ("An email address cannot have two periods in a row."). Deliverability (does the
domain take mail?) would need the network and is never checked. Each distinct address is
checked once.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from .result import series

__all__ = ["parse_emails"]


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
        where, distinct = pd.factorize(values.astype(object)[present])
        results = [_one(str(v)) for v in distinct]
        u_out = np.array([r[0] for r in results], dtype=object)
        u_why = np.array([r[1] for r in results], dtype=object)
        out[present] = u_out[where]
        why[present] = u_why[where]
        bad[present] = u_why[where] != ""
    return series(out, index), series(bad, index), series(why, index)
