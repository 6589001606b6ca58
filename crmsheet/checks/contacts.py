"""Phones, emails and countries of one table, read into standard forms (issue 18).

After :mod:`crmsheet.checks.fields` has read each column as text, this step puts each in the
form crmsheet compares and dials: the country as its ISO 3166 code (``country``; the user's
text, when the sheet has no Market column, becomes the market), the phone as E.164
(``+442079460958``, read in the row's country, else in Settings' ``default_country``), the
email as email-validator normalises it (the domain in lower case). The user's cells stay as
they are on their own sheet; a value that is no phone, email or country is reported (a
warning) with its cell, and kept as typed (a country: left empty).
"""

from __future__ import annotations

import pandas as pd

from ..config import Settings
from ..headerwords import lookup
from ..parse.countries import parse_countries
from ..parse.emails import parse_emails
from ..parse.phones import parse_phones
from ..problems import ProblemCode
from ..schema import field_specs
from .table import Table

__all__ = ["check_contacts"]


def check_contacts(table: Table, settings: Settings) -> None:
    """Normalise the table's country, phone and email fields in place, reporting bad cells."""
    role = table.layout.role
    assert role is not None
    mapped = set(table.layout.mapping.values())
    specs = field_specs(role)
    f = table.frame
    for name in [n for n in specs if specs[n].kind == "country" and n in mapped]:
        written = f[name]
        codes, unknown = parse_countries(written)
        table.report(ProblemCode.UNKNOWN_COUNTRY, unknown, name, values=written)
        f[name] = codes.astype(written.dtype)
        if name == "country" and "market" in specs and _country_is_the_market(table):
            f["market"] = written  # markets stay as the user wrote them
    region: pd.Series | str = settings.default_country
    if "country" in f and "country" in mapped:
        region = f["country"].where(f["country"].notna(), settings.default_country or None)
    for name in [n for n in specs if specs[n].kind == "phone" and n in mapped]:
        phones = parse_phones(f[name], region)
        table.report(ProblemCode.BAD_PHONE, phones.bad, name, values=f[name],
                     details=phones.why)  # fmt: skip
        f[name] = phones.values.astype(f[name].dtype)
    for name in [n for n in specs if specs[n].kind == "email" and n in mapped]:
        emails, bad, why = parse_emails(f[name])
        said = why.map(lambda w: f": {w[:1].lower()}{w[1:]}" if w else ".")
        table.report(ProblemCode.BAD_EMAIL, bad, name, values=f[name], details=said)
        f[name] = emails.astype(f[name].dtype)


#: A market column named market, region, territory or area (the first synonyms of the
#: market field) says the market better than a country does; a state, city or location
#: column does not: the country is the market then, as before the country field existed.
_MARKET_WORDS = 4


def _country_is_the_market(table: Table) -> bool:
    """The country as written is the market: no market column, or only a looser one."""
    col = table.layout.field_columns.get("market")
    if col is None:
        return True
    hit = lookup("customers", table.layout.headers[col])
    return hit is None or hit.field != "market" or hit.rank % 100 >= _MARKET_WORDS
