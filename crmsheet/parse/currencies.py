"""Currencies as ISO 4217 codes: "EUR", "eur", "€" and "Euro" are EUR.

Codes and names come from ``pycountry`` (the ISO 4217 table); :data:`SYMBOLS` adds the signs
people type that name one currency only (€, £, ¥, ₹...). ``$`` names a dozen currencies: it is
read as the base currency when that is a dollar one (see :func:`currency_code`'s ``dollar``).
"""

from __future__ import annotations

from functools import cache

import pycountry

__all__ = ["DOLLARS", "SYMBOLS", "currency_code", "money_sign", "parse_rate"]

#: Currencies written with a plain ``$`` at home: a book in one of them shows money as $.
DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "BSD", "BBD",
                     "BMD", "BZD", "FJD", "JMD", "KYD", "LRD", "NAD", "SBD", "SRD", "TTD",
                     "XCD", "GYD", "BND"})  # fmt: skip

#: Signs that name one currency (compared without spaces; ``US$`` and ``A$`` say which dollar).
SYMBOLS: dict[str, str] = {
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY",
    "₪": "ILS", "₫": "VND", "₱": "PHP", "₦": "NGN", "฿": "THB", "₴": "UAH", "zł": "PLN",
    "us$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD", "nz$": "NZD",
    "s$": "SGD", "hk$": "HKD", "r$": "BRL", "fr": "CHF", "sfr": "CHF", "kr": "",
    # words people write for a currency (ISO's names are "US Dollar", "Pound Sterling")
    "dollar": "$", "dollars": "$", "usdollars": "USD", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "gbpsterling": "GBP", "yen": "JPY",
    "rupee": "INR", "rupees": "INR", "swissfrancs": "CHF", "swissfranc": "CHF",
}  # fmt: skip


@cache
def _names() -> dict[str, str]:
    """Lower-case ISO 4217 codes and names -> code ("euro" -> "EUR")."""
    table: dict[str, str] = {}
    for currency in pycountry.currencies:
        table[currency.alpha_3.casefold()] = currency.alpha_3
        table.setdefault(currency.name.casefold(), currency.alpha_3)
    return table


def currency_code(value: object, *, dollar: str = "USD") -> str | None:
    """The ISO 4217 code ``value`` names, or None (blank, or no currency crmsheet knows).

    ``dollar`` is the code a bare ``$`` stands for (the base currency, when it is a dollar).

    >>> currency_code(" eur "), currency_code("£"), currency_code("Pound Sterling")
    ('EUR', 'GBP', 'GBP')
    >>> currency_code("$", dollar="CAD"), currency_code("XYZ")
    ('CAD', None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if not text:
        return None
    key = "".join(text.split()).casefold().rstrip(".")
    alias = SYMBOLS.get(key, key)
    if alias == "$":
        return dollar
    if alias != key or not alias:
        return alias or None  # "kr" is the krona or the krone: say which
    return _names().get(key) or _names().get(" ".join(text.split()).casefold())


def money_sign(code: str) -> str:
    """How a book in ``code`` shows money: "$" for a dollar currency, else the code."""
    return "$" if code in DOLLARS else code


def parse_rate(value: object) -> float | None:
    """An exchange rate as a number above 0 ("1.08", 1.08, "1,08" alike), or None."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if 0 < number < float("inf") else None
