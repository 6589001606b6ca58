"""Each mapped column parsed into its field, with a problem for every cell that is not one.

The field's ``kind`` in :mod:`crmsheet.schema` picks its parser (:mod:`crmsheet.parse`)
and its ``ge``/``le`` bound its range. A bad cell is reported and left empty; the row stays
unless the field is required (:data:`REQUIRED`), which :mod:`crmsheet.checks.rows` decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import parse
from ..choices import SOURCE_WORDS
from ..problems import ProblemCode
from ..schema import Role, field_specs
from .cells import excel_errors
from .table import Table

_TOO_LARGE = (
    f"crmsheet reads figures up to {parse.LARGEST_NUMBER:,.0f} (a million billion) either "
    "way; check for a typo or a value in the wrong column"
)

#: The first day Excel can show (it would show 1899-12-31 as "1900-01-00").
_EXCEL_FIRST_DAY = pd.Timestamp(1900, 1, 1)


def parse_dates(table: Table, role: Role) -> dict[int, parse.Parsed]:
    """Parse every date column, deciding day/month order for the table as a whole.

    Each column decides from its own cells that can only be read one way (13/03/2024). A
    column with none follows the other date columns of the sheet: the same person typed
    them all. Only such columns are parsed twice, and only when it changes something.
    """
    specs = field_specs(role)
    epoch = table.layout.grid.epoch_1904
    parsed: dict[int, parse.Parsed] = {}
    months = _month_columns(table, role)
    for col, name in table.layout.mapping.items():
        if specs[name].kind == "date":
            read = parse.parse_month if col in months else parse.parse_date
            parsed[col] = read(_without_errors(table.raw(col)), epoch_1904=epoch)
    day = sum(p.votes[0] for p in parsed.values())
    month = sum(p.votes[1] for p in parsed.values())
    if day != month:
        for col, p in parsed.items():
            silent = p.votes == (0, 0) and p.ambiguous is not None and p.ambiguous.any()
            if silent and day > month:  # month-first is already the default reading
                raw = _without_errors(table.raw(col))
                read = parse.parse_month if col in months else parse.parse_date
                parsed[col] = read(raw, epoch_1904=epoch, dayfirst=True)
    return parsed


def _month_columns(table: Table, role: Role) -> set[int]:
    """The columns that hold months (a spend sheet's Month): 202501 and "Jan 2025" are
    months there (:func:`crmsheet.parse.parse_month`), and only there."""
    if role != "spend":
        return set()
    return {col for col, name in table.layout.mapping.items() if name == "month"}


def _without_errors(raw: pd.Series) -> pd.Series:
    """Excel error cells blanked (they are reported by the field, once)."""
    errors = excel_errors(raw)
    return raw.mask(errors) if errors.any() else raw


def parse_field(
    table: Table, name: str, col: int, *, dates: Mapping[int, parse.Parsed] | None = None
) -> None:
    """Coerce one mapped column into ``table.frame[name]``, reporting bad cells."""
    role = table.layout.role
    assert role is not None
    spec = field_specs(role)[name]
    raw = table.raw(col)
    errors = excel_errors(raw)
    if errors.any():
        table.report(ProblemCode.EXCEL_ERROR, errors, name)
        raw = raw.mask(errors)
    kind = spec.kind
    epoch = table.layout.grid.epoch_1904
    if kind in ("id", "text", "phone", "email", "country"):
        # phones, emails and countries are put in standard form by checks.contacts
        values = parse.parse_text(raw).values
    elif name == "status":  # read with the user's codes across tables (checks.statuses)
        values = parse.parse_text(raw).values
    elif kind == "choice":
        assert spec.choices is not None
        parsed = parse.parse_choice(raw, _synonyms(spec.choices))
        values, unknown = parsed.values, parsed.bad
        if name == "source":
            values, unknown = _source_words(table, values, unknown)
            table.report(ProblemCode.UNKNOWN_SOURCE, unknown, name, details=", ".join(spec.choices))
        elif name == "kind":
            table.report(ProblemCode.UNKNOWN_KIND, unknown, name)
            values = values.where(~unknown, "invoice")
        else:
            table.report(ProblemCode.UNKNOWN_CHOICE, unknown, name, details=", ".join(spec.choices))
    elif kind == "rating":
        parsed = parse.parse_choice(raw, _synonyms(_RATINGS))
        table.report(ProblemCode.BAD_RATING, parsed.bad, name)
        values = parsed.values.where(~parsed.bad)
    elif kind == "date":
        parsed = (dates or {}).get(col) or parse.parse_date(raw, epoch_1904=epoch)
        values = parsed.values
        if name not in REQUIRED.get(role, ()):
            table.report(ProblemCode.BAD_DATE, parsed.bad, name)
        if parsed.ambiguous is not None and parsed.ambiguous.any():
            first = parsed.ambiguous & (parsed.ambiguous.cumsum() == 1)
            table.report(ProblemCode.AMBIGUOUS_DATE, first, name,
                         details=parsed.note or "month/day/year")  # fmt: skip
        # Excel shows no date before 1900-01-01 (it would write 1899-12-31 as "1900-01-00"):
        # such a date is a typo in a customer sheet, reported and ignored, never shifted.
        early = (values < _EXCEL_FIRST_DAY).fillna(False)
        if early.any():
            if name not in REQUIRED.get(role, ()):
                table.report(ProblemCode.OUT_OF_RANGE, early, name,
                             details="it must be a date from 1900-01-01 on")  # fmt: skip
            values = values.where(~early)
        if spec.name != "date":  # key dates on the customer sheet are days
            values = values.dt.normalize()
    elif kind in ("money", "number", "count", "percent"):
        if kind == "percent":
            parsed = parse.parse_percent(raw)
        elif kind == "money":
            parsed = parse.parse_money(raw)
        else:
            parsed = parse.parse_number(raw)
        values = parsed.values.astype("float64")
        code = {
            "money": ProblemCode.BAD_MONEY,
            "percent": ProblemCode.BAD_PERCENT,
            "count": ProblemCode.BAD_COUNT,
        }.get(kind, ProblemCode.BAD_NUMBER)
        bad = parsed.bad.copy()
        if kind == "count":
            frac = values.notna() & ((values % 1 != 0) | (values < 0))
            bad |= frac
            values = values.where(~frac)
        if name not in REQUIRED.get(role, ()):
            table.report(code, bad, name)
        values = values.where(~bad)
        # beyond any real figure, and sums of such cells overflow to inf: out of range
        huge = values.abs() > parse.LARGEST_NUMBER
        if huge.any():
            table.report(ProblemCode.OUT_OF_RANGE, huge, name, details=_TOO_LARGE)
            values = values.where(~huge)
        out = pd.Series(False, index=values.index)
        if spec.ge is not None:
            out |= values < spec.ge
        if spec.le is not None:
            out |= values > spec.le
        if out.any():
            lo = "" if spec.ge is None else f"at least {spec.ge:g}"
            hi = "" if spec.le is None else f"at most {spec.le:g}"
            rule = " and ".join(p for p in (lo, hi) if p)
            if kind == "percent":
                rule += " (as a share: 10% = 0.1)"
            table.report(ProblemCode.OUT_OF_RANGE, out, name, details=f"it must be {rule}")
            values = values.where(~out)
        if kind == "count":
            values = values.astype("Int64")
    elif kind == "employees":
        # few distinct values ("10-49", "1,000+"): parse each once, then spread them
        codes, uniques = pd.factorize(raw.astype(object))
        distinct = pd.Series([*uniques, None], dtype=object)
        u_frame, u_bad = parse.parse_employees(distinct)
        u_text = parse.parse_text(distinct).values
        frame = u_frame.iloc[codes].set_axis(raw.index)
        bad = pd.Series(u_bad.to_numpy()[codes], index=raw.index)
        text = pd.Series(u_text.to_numpy()[codes], index=raw.index, dtype=u_text.dtype)
        table.report(ProblemCode.BAD_EMPLOYEES, bad, name)
        values = text.where(~bad)
        table.frame["employees_min"] = frame["employees_min"]
        table.frame["employees_max"] = frame["employees_max"]
        table.frame["_size_band_derived"] = frame["size_band"]
    else:  # pragma: no cover - schema and parser disagree
        raise AssertionError(f"no parser for kind {kind!r}")
    table.frame[name] = values


def _source_words(
    table: Table, values: pd.Series, unknown: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Sources not on the list read by their words: "Referral from Bayside" is a referral
    (Bayside the referrer, kept for an empty referred_by), "Google ads" a campaign, "Email
    newsletter" email (see :data:`~crmsheet.choices.SOURCE_WORDS` for which word wins)."""
    if not unknown.any():
        return values, unknown
    written = values.where(unknown)
    by_words = parse.choice_by_words(written, SOURCE_WORDS)
    found = by_words.notna() & unknown
    referrer = parse.referrer_in(written).where(by_words == "referral")
    if referrer.notna().any():
        table.frame["_referrer_from_source"] = referrer
    return values.where(~found, by_words), unknown & ~found


#: What people type in a customer column when there is no customer: never a customer's id or
#: name (a sale under "N/A" is a sale of no one known, reported as such).
PLACEHOLDERS = frozenset({"n/a", "na", "#n/a", "-", "--", "\u2014", "none", "null", "nil", "?",
                          "??", "unknown", "guest", "tbc", "tbd", "no name", "x"})  # fmt: skip
_REFERENCES = ("customer_id", "customer_name", "name")


def derive_fields(table: Table) -> None:
    """Fields made from others once every column is read: the size band from employees,
    the name from first + last name, the referrer from the source ("Referral from Ann"),
    the market from the city when the sheet names no market.

    A name written (or a company read as the name) wins; the contact person is the contact
    written, else first + last name; a customer with no name is named after that person.
    """
    f = table.frame
    for name in _REFERENCES:  # "N/A", "-", "guest": no customer named, not a customer
        if name in f and f[name].notna().any():
            said = f[name].astype("string").str.strip().str.casefold()
            f[name] = f[name].where(~said.isin(PLACEHOLDERS).fillna(False).astype(bool))
    if "_size_band_derived" in f:  # a size band written by hand wins
        f["size_band"] = f["size_band"].fillna(f.pop("_size_band_derived"))
    if "_referrer_from_source" in f:
        f["referred_by"] = f["referred_by"].fillna(f.pop("_referrer_from_source"))
    mapped = set(table.layout.mapping.values())
    if table.layout.role == "customers" and "city" in mapped and "market" not in mapped:
        f["market"] = f["city"]  # a City column was the market before it was a field
    if table.layout.role != "customers" or not {"first_name", "last_name", "contact"} & mapped:
        return
    if {"first_name", "last_name"} & mapped:
        parts = f[["first_name", "last_name"]].astype("string")
        person = parts["first_name"].str.cat(parts["last_name"], sep=" ", na_rep="").str.strip()
        f["contact"] = f["contact"].fillna(person.where(person != "").astype(object))
    f["name"] = f["name"].fillna(f["contact"])  # a list of people: the person is the name


_RATINGS = {
    "A": ("a", "a rated", "a rating", "rating a", "tier a", "class a", "1", "tier 1", "key",
          "key account", "top"),
    "B": ("b", "b rated", "b rating", "rating b", "tier b", "class b", "2", "tier 2"),
    "C": ("c", "c rated", "c rating", "rating c", "tier c", "class c", "3", "tier 3"),
}  # fmt: skip
_SYN_CACHE: dict[int, dict[str, str]] = {}


def _synonyms(choices: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """normalised word -> canonical choice, built once per choice table."""
    key = id(choices)
    if key not in _SYN_CACHE:
        table: dict[str, str] = {}
        for canonical, words in choices.items():
            table.setdefault(parse.normalise_token(canonical), canonical)
            for word in words:
                table.setdefault(parse.normalise_token(word), canonical)
        _SYN_CACHE[key] = table
    return _SYN_CACHE[key]


# fields whose absence makes a row unusable: reported once, as a rejected row
REQUIRED: dict[str, tuple[str, ...]] = {"transactions": ("date", "amount"), "spend": ("amount",)}


def empty_field(kind: str) -> object:
    """The dtype of a field of ``kind`` (for columns and frames with no rows)."""
    if kind in ("money", "number", "percent"):
        return "float64"
    if kind == "count":
        return "Int64"
    if kind == "date":
        return "datetime64[us]"
    return "object"


def empty_column(kind: str, index: pd.Index) -> pd.Series:
    """A field the table does not have: all missing, in its dtype."""
    dtype = empty_field(kind)
    fill = {"float64": np.nan, "datetime64[us]": pd.NaT, "Int64": pd.NA}.get(str(dtype))
    return pd.Series(fill, index=index, dtype=dtype)
