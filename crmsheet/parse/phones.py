"""Phone numbers read with libphonenumber (the ``phonenumbers`` package): E.164 in, dialling
format out.

A number is read in its customer's country (the row's country, else the default one), so
"020 7946 0958" of a London customer is ``+442079460958``. A number written with its
country code (``+44 20 7946 0958``, ``0044 20 7946 0958``) needs no country. Without any
country a number is kept as typed, and only one that cannot be a phone number at all (fewer
than 5 digits, more than 16) is reported. ``phonenumbers`` reads one value at a time (about
40 µs), so each distinct (number, country) pair is read once and the result spread back: a
list of 100k customers sharing a few switchboard numbers costs a few reads.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from .result import series

__all__ = ["PhoneReading", "dialling_format", "parse_phones"]

_EXT = re.compile(r"(?i)\s*(?:[;,]?\s*(?:ext|extn|extension|x|#)\.?\s*|;ext=)(\d{1,7})\s*$")
_DIGIT = re.compile(r"\d")
#: Fewer digits than this is no phone number anywhere (the shortest subscriber numbers
#: have 5); more than :data:`_MOST` neither (E.164 allows 15, plus a trunk 0).
_FEWEST, _MOST = 5, 16
_E164_EXT = ";ext="
_TOO_FEW = "it has too few digits for a phone number"
_TOO_MANY = "it has too many digits for one phone number"


class PhoneReading(NamedTuple):
    """Phones read: ``values`` E.164 (``+442079460958``, an extension as ``;ext=12``)
    where the number was read, else the cell's text; ``bad`` the cells that are no valid
    number, ``why`` a few words saying why (for the problem report); ``read`` the cells
    turned into E.164."""

    values: pd.Series
    bad: pd.Series
    why: pd.Series
    read: pd.Series


def _country_name(region: str) -> str:
    from .countries import country_name

    return country_name(region)


def _one(text: str, region: str | None) -> tuple[str, bool, str]:
    """(E.164 or the text as typed, bad?, why) for one number."""
    main = _EXT.sub("", text)
    digits = len(_DIGIT.findall(main))
    if digits < _FEWEST:
        return text, True, _TOO_FEW
    if digits > _MOST:
        return text, True, _TOO_MANY
    written = text.strip()
    if written.startswith("00"):  # the international prefix of most of the world
        written = "+" + written[2:]
    international = written.startswith("+")
    if not international and region is None:
        return text, False, ""  # no country to read it in: kept as typed
    try:
        number = phonenumbers.parse(written, None if international else region)
    except NumberParseException:
        return text, True, "it is not a phone number"
    if not phonenumbers.is_valid_number(number):
        where = phonenumbers.region_code_for_number(number) or region
        if not international and region is not None:
            return text, True, f"it is not a valid number in {_country_name(region)}"
        if where:
            return text, True, f"it is not a valid number in {_country_name(where)}"
        return text, True, f"+{number.country_code} is no country's dialling code"
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.extension:
        e164 += _E164_EXT + number.extension
    return e164, False, ""


def parse_phones(values: pd.Series, regions: pd.Series | str | None = None) -> PhoneReading:
    """Read phone numbers (text, as :func:`crmsheet.parse.parse_text` leaves them).

    ``regions`` is each row's country (ISO 3166 alpha-2, missing for none) or one country
    for all; a number without a +country code is read as a number of that country.
    """
    index = values.index
    n = len(values)
    out = np.array(values.astype(object).to_numpy(), dtype=object, copy=True)
    bad = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    read = np.zeros(n, dtype=bool)
    present = values.notna().to_numpy(dtype=bool)
    if not present.any():
        return PhoneReading(series(out, index), series(bad, index), series(why, index),
                            series(read, index))  # fmt: skip
    if isinstance(regions, pd.Series):
        region = regions.astype(object).where(regions.notna(), "").to_numpy(dtype=object)
    else:
        region = np.full(n, regions or "", dtype=object)
    supported = phonenumbers.SUPPORTED_REGIONS
    text = values.astype("str")
    international = text.str.lstrip().str.match(r"\+|00").fillna(False).to_numpy(dtype=bool)
    r_codes, r_distinct = pd.factorize(region)  # a few countries: each looked at once
    known = np.array([str(r).upper() in supported for r in r_distinct], dtype=bool)
    in_country = known[r_codes] if len(known) else np.zeros(n, dtype=bool)
    # no country to read it in: kept as typed, only its digits counted (vectorised)
    typed = present & ~international & ~in_country
    if typed.any():
        main = text[typed]
        worded = main.str.contains(r"[A-Za-z#;]").fillna(False).to_numpy(dtype=bool)
        if worded.any():  # "ext 12", "x12": the extension's digits do not count (few cells)
            main = main.copy()
            main[worded] = [_EXT.sub("", v) for v in main[worded]]
        digits = main.str.replace(r"\D", "", regex=True).str.len().to_numpy(dtype=int)
        few, many = digits < _FEWEST, digits > _MOST
        bad[typed] = few | many
        why[typed] = np.where(few, _TOO_FEW, np.where(many, _TOO_MANY, ""))
        present = present & ~typed
    pos = np.flatnonzero(present)
    if not len(pos):
        return PhoneReading(series(out, index), series(bad, index), series(why, index),
                            series(read, index))  # fmt: skip
    pairs = pd.DataFrame({"t": values.to_numpy(dtype=object)[pos], "r": region[pos]})
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(pairs))
    results = [
        _one(str(t), str(r).upper() if r and str(r).upper() in supported else None)
        for t, r in distinct
    ]
    u_out = np.array([r[0] for r in results], dtype=object)
    u_bad = np.array([r[1] for r in results], dtype=bool)
    u_why = np.array([r[2] for r in results], dtype=object)
    out[pos] = u_out[codes]
    bad[pos] = u_bad[codes]
    why[pos] = u_why[codes]
    read[pos] = np.array([str(v).startswith("+") for v in u_out], dtype=bool)[codes]
    return PhoneReading(series(out, index), series(bad, index), series(why, index),
                        series(read, index))  # fmt: skip


def dialling_format(phones: pd.Series, home: str = "") -> pd.Series:
    """E.164 numbers as dialled: a number of ``home`` (ISO alpha-2) in national format
    (``020 7946 0958``), others in international format (``+1 212-842-5500``); text that
    is no E.164 number (kept as typed) is left as it is. Each distinct value is formatted
    once."""
    if phones.empty or not phones.notna().any():
        return phones
    home = (home or "").upper()
    codes, distinct = pd.factorize(phones.astype(object), use_na_sentinel=True)
    shown = np.array([_dialled(v, home) for v in distinct], dtype=object)
    out = np.where(codes >= 0, shown[np.maximum(codes, 0)] if len(shown) else None, None)
    return pd.Series(out, index=phones.index, dtype=object, name=phones.name).where(
        phones.notna(), phones
    )


def _dialled(value: object, home: str) -> object:
    text = str(value)
    if not text.startswith("+"):
        return value
    number = _from_e164(text)
    if number is None:
        return value
    at_home = bool(home) and number.country_code == phonenumbers.country_code_for_region(home)
    style = PhoneNumberFormat.NATIONAL if at_home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def _from_e164(text: str) -> phonenumbers.PhoneNumber | None:
    """The number an E.164 text (as :func:`parse_phones` writes it) stands for, built from
    its parts without parsing it again (country codes are prefix-free: the first known
    one of 1 to 3 digits is it)."""
    number_text, _, extension = text.partition(_E164_EXT)
    digits = number_text[1:]
    if not digits.isdigit():
        return None
    for size in (1, 2, 3):
        code = int(digits[:size])
        if phonenumbers.region_code_for_country_code(code) != phonenumbers.UNKNOWN_REGION:
            rest = digits[size:]
            if not rest:
                return None
            zeros = len(rest) - len(rest.lstrip("0"))
            return phonenumbers.PhoneNumber(
                country_code=code, national_number=int(rest), extension=extension or None,
                italian_leading_zero=zeros > 0 or None,
                number_of_leading_zeros=zeros if zeros > 1 else None,
            )  # fmt: skip
    return None
