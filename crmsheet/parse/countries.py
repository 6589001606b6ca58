"""Countries as ISO 3166-1 alpha-2 codes: "United Kingdom", "UK", "GB" and "England" are GB.

Names and codes come from ``pycountry`` (the ISO 3166 tables: alpha-2, alpha-3, the short,
official and common names), compared without case, accents, dots or punctuation
("U.S.A." = "usa"); :data:`ALIASES` adds what people and exports write that ISO does not
("UK", "America", "Holland", "South Korea", "Deutschland"). Each distinct cell is looked up
once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd
import pycountry

from .result import series

__all__ = ["ALIASES", "country_code", "country_name", "parse_countries"]

#: What people write for a country that ISO 3166 does not (keys compared as :func:`_key`).
ALIASES: dict[str, str] = {
    "uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "us": "US", "usa": "US", "united states": "US", "united states of america": "US",
    "america": "US", "the united states": "US", "the us": "US", "the usa": "US",
    "holland": "NL", "the netherlands": "NL", "nederland": "NL",
    "russia": "RU", "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "north korea": "KP", "iran": "IR", "vietnam": "VN", "syria": "SY", "laos": "LA",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD",
    "czech republic": "CZ", "czechia": "CZ", "ivory coast": "CI", "turkey": "TR",
    "turkiye": "TR", "uae": "AE", "emirates": "AE", "macedonia": "MK", "swaziland": "SZ",
    "burma": "MM", "cape verde": "CV", "east timor": "TL", "vatican": "VA",
    "vatican city": "VA", "palestine": "PS", "taiwan": "TW", "hong kong": "HK",
    "macau": "MO", "macao": "MO", "brunei": "BN", "micronesia": "FM",
    "deutschland": "DE", "allemagne": "DE", "espana": "ES", "espagne": "ES",
    "brasil": "BR", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "osterreich": "AT",
    "italia": "IT", "belgique": "BE", "belgie": "BE", "danmark": "DK", "sverige": "SE",
    "norge": "NO", "suomi": "FI", "polska": "PL", "eire": "IE", "mejico": "MX",
    "republic of ireland": "IE", "people s republic of china": "CN", "prc": "CN",
}  # fmt: skip

_PUNCTUATION = re.compile(r"[\s\-_/,;:'\"()\[\]\u2010-\u2015&]+")


def _key(text: str) -> str:
    """A country as compared: no accents, case, dots or punctuation ("U.S.A." -> "usa")."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold().replace(".", "")
    return _PUNCTUATION.sub(" ", s).strip()


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table.setdefault(_key(value), country.alpha_2)
    table.update(ALIASES)
    return table


def country_code(text: object) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country written as a name or a code; None if none.

    >>> country_code("United Kingdom"), country_code("U.S.A."), country_code("Atlantis")
    ('GB', 'US', None)
    """
    if text is None or text != text:
        return None
    return _table().get(_key(str(text)))


def country_name(code: str) -> str:
    """A country's usual English name from its alpha-2 code ("GB" -> "the United Kingdom")."""
    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        return code
    name = str(getattr(found, "common_name", None) or found.name)
    the = name.endswith(_THE_ENDINGS) or name in _THE_NAMES
    return f"the {name}" if the else name


#: English says "in the United States", "in the Bahamas": names that take "the".
_THE_ENDINGS = ("States", "Kingdom", "Netherlands", "Philippines", "Emirates", "Islands",
                "Republic")  # fmt: skip
_THE_NAMES = frozenset({"Bahamas", "Gambia", "Maldives", "Seychelles", "Comoros"})


def parse_countries(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(alpha-2 codes, unknown mask) for a text column: missing cells stay missing, a cell
    that names no country is missing in the codes and True in the mask."""
    index = values.index
    present = values.notna().to_numpy(dtype=bool)
    codes = np.full(len(values), None, dtype=object)
    if present.any():
        where, distinct = pd.factorize(values.astype(object)[present])
        found = np.array([country_code(v) for v in distinct], dtype=object)
        codes[present] = found[where]
    unknown = present & pd.isna(codes)
    return series(codes, index), series(unknown, index)
