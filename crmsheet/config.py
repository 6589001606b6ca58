"""Settings: every threshold the analyses use, in one frozen, documented object.

>>> from crmsheet import Settings
>>> Settings()                                 # the defaults
>>> Settings(lapse_days=180, pareto_a=0.7)      # a stricter shop
>>> Settings.model_validate({"lapse_days": "180"})   # from a Settings sheet or TOML

Every field has a one-line description (shown in the enriched workbook's Settings sheet and
in the README) and bounds; a wrong value raises :class:`~crmsheet.errors.SettingsError`
with the field named.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .choices import NOT_REVENUE_STATUSES, TRANSACTION_STATUSES
from .errors import SettingsError
from .parse.countries import country_code
from .parse.currencies import currency_code, parse_rate

__all__ = ["Settings", "settings_file_values"]


class Settings(BaseModel):
    """Thresholds for ratings, lapsed customers, follow-ups, ROI, concentration, prediction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- ratings -------------------------------------------------------------------------
    rating_window_days: int = Field(
        365, ge=1, le=3650,
        description="Revenue over this many days before as_of decides the A/B/C rating.",
    )  # fmt: skip
    pareto_a: float = Field(
        0.80, gt=0, lt=1,
        description="A = the customers who together make this share of revenue (top first).",
    )  # fmt: skip
    pareto_b: float = Field(
        0.95, gt=0, le=1,
        description="B = the next customers up to this cumulative share; C = the rest.",
    )  # fmt: skip
    support_multiple: float = Field(
        3.0, gt=0,
        description="Support demand per unit of revenue above this multiple of the median "
        "downgrades the rating one step.",
    )  # fmt: skip
    premium_cases_per_year: float = Field(
        12.0, gt=0,
        description="Support cases a year that count as premium-level demand; a base-tier "
        "customer at or above it is downgraded one step.",
    )  # fmt: skip
    discount_threshold: float = Field(
        0.15, ge=0, le=1,
        description="Average discount above this share (or invoices this much below their "
        "quotes) counts as price grinding and downgrades the rating one step.",
    )  # fmt: skip
    # -- lapsed customers and follow-ups ------------------------------------------------
    lapse_days: int = Field(
        365, ge=1,
        description="A customer with no purchase for this many days has lapsed.",
    )  # fmt: skip
    lapsing_multiple: float = Field(
        3.0, gt=1,
        description="A repeat buyer silent for this many times their usual gap between "
        "purchases is lapsing (a monthly buyer silent for 3 months).",
    )  # fmt: skip
    lapsed_multiple: float = Field(
        6.0, gt=1,
        description="A repeat buyer silent for this many times their usual gap has lapsed, "
        "even within lapse_days.",
    )  # fmt: skip
    new_days: int = Field(
        90, ge=0, description="A customer whose first purchase is this recent is new."
    )
    follow_up_soon_days: int = Field(
        14, ge=0, description="Follow-ups due within this many days are listed as due soon."
    )
    thank_you_days: int = Field(
        30, ge=0, description="Customers who bought within this many days get a thank-you."
    )
    # -- concentration, segments ----------------------------------------------------------
    concentration_limit: float = Field(
        0.10, gt=0, le=1,
        description="A parent group with this share of revenue or more is flagged (10 % is "
        "the US GAAP disclosure threshold for one customer).",
    )  # fmt: skip
    thin_segment_customers: int = Field(
        3, ge=1, description="A segment with fewer customers than this is a thin niche."
    )
    # -- prediction (purchase models) -------------------------------------------------------------
    predict: bool = Field(
        True,
        description="Predict who is still a customer and their purchases to come (BG/NBD, "
        "MBG/NBD or Pareto/NBD model, checked on your last days of sales; needs at least 20 "
        "customers who bought more than once) and rank the Lapsed list by expected value lost.",
    )  # fmt: skip
    predict_penalizer: float = Field(
        0.001, ge=0, le=10,
        description="Steadies the prediction model on little or unusual data by pulling its "
        "parameters towards 0 (lifetimes' penalizer_coef; 0 = plain maximum likelihood, "
        "0.01-0.1 when the Summary says the model found no steady answer).",
    )  # fmt: skip
    purchase_model: Literal["auto", "bg/nbd", "mbg/nbd", "pareto/nbd"] = Field(
        "auto",
        description="Which purchase model predicts: auto = the one that best predicted the "
        "held-out last days of your sales; or name one: bg/nbd, mbg/nbd (lets one-time "
        "buyers stop too), pareto/nbd.",
    )  # fmt: skip
    clv_months: int = Field(
        12, ge=1, le=120,
        description="Customer value counts the purchases expected in this many months ahead.",
    )  # fmt: skip
    clv_discount_rate: float = Field(
        0.01, ge=0, le=0.5,
        description="Customer value counts money further ahead for less, by this share a month "
        "(0.01 = 1 % a month, about 12 % a year).",
    )  # fmt: skip
    holdout_days: int | None = Field(
        None, ge=30, le=3650,
        description="The last days of your sales kept aside to check the prediction: the "
        "model learns from the days before and its forecast is compared with what happened. "
        "Empty: chosen from the data's span (a quarter of it, 90 to 365 days).",
    )  # fmt: skip
    find_duplicates: bool = Field(
        True,
        description="Look for customers that may be entered twice (same phone, email, "
        "website, or similar names at one postcode) and list them on the Duplicates sheet. "
        "Merging is yours: write the ID of the row to keep in the duplicate's Same as column.",
    )  # fmt: skip

    # -- order statuses ---------------------------------------------------------------------
    excluded_statuses: tuple[str, ...] = Field(
        NOT_REVENUE_STATUSES,
        description="Order, invoice or deal statuses that are not revenue: such rows stay in "
        "the data but are left out of revenue, ratings and every figure (the Summary and "
        "Problems count them). Kinds: " + ", ".join(TRANSACTION_STATUSES) + ".",
    )  # fmt: skip
    status_codes: dict[str, str] = Field(
        default_factory=dict,
        description="Your system's status codes and what they mean, e.g. X=cancelled, "
        "C=completed (SAP's one-letter codes). A code not known is counted as revenue, "
        "with a warning.",
    )  # fmt: skip

    # -- the workbook -----------------------------------------------------------------------
    currency: str = Field(
        "", max_length=12,
        description="The currency shown on money, e.g. $, €, EUR. Empty: the computer's "
        "own currency (its locale), or none.",
    )  # fmt: skip
    base_currency: str = Field(
        "", max_length=3,
        description="The currency every figure is in (an ISO code: EUR, USD, GBP): amounts "
        "in another currency are converted to it with the rates. Empty: the currency "
        "setting when it is a code, else the one currency of your sales, else the "
        "computer's own (its locale).",
    )  # fmt: skip
    rates: dict[str, float] = Field(
        default_factory=dict,
        description="What one unit of each other currency is worth in the base currency, "
        "e.g. EUR=1.08, GBP=1.27 (a Rates sheet in your workbook, or a [rates] table in "
        "settings.toml, gives them too). A sale in a currency with no rate is left out, "
        "with the reason, never added as if it were the base currency.",
    )  # fmt: skip
    default_country: str = Field(
        "", max_length=60,
        description="The country of phone numbers written without a + and country code, "
        "e.g. GB or United Kingdom: they are stored as +44 20 7946 0958 and shown on the "
        "call lists as you dial them at home; a customer's own Country column wins. Empty: "
        "only numbers written with + are tidied, the others stay as typed.",
    )  # fmt: skip
    carry_columns: tuple[str, ...] = Field(
        (),
        description="Your own columns to show on the call lists (Lapsed, Follow-ups) beside "
        "name, email and phone, e.g. Account manager, Region. Contact person, account "
        "manager and notes columns are shown without being named here.",
    )  # fmt: skip

    @field_validator("default_country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        """A two-letter ISO code, or a country's name ("United Kingdom", "UK" -> "GB")."""
        return _code(value, country_code, "is not a country; write its two-letter code, e.g. "
                     "GB, US, DE, or its name in English")  # fmt: skip

    @field_validator("base_currency", mode="before")
    @classmethod
    def _base(cls, value: Any) -> Any:
        """An ISO 4217 code, or a currency's sign or name ("€", "euro" -> "EUR")."""
        return _code(value, currency_code, "is not a currency; write its ISO code, e.g. EUR, "
                     "USD, GBP")  # fmt: skip

    @field_validator("rates", mode="before")
    @classmethod
    def _rate_table(cls, value: Any) -> Any:
        """A mapping, or text from a Settings sheet ("EUR=1.08, GBP=1.27"); codes checked."""
        if isinstance(value, str):
            pairs = [item.replace(":", "=", 1).partition("=") for item in _split_items(value)]
            if any(not sep or not code.strip() for code, sep, _ in pairs):
                raise ValueError("write it as CODE=RATE pairs, e.g. EUR=1.08, GBP=1.27")
            value = {code.strip(): rate.strip() for code, _, rate in pairs}
        if not isinstance(value, Mapping):
            return value
        table: dict[str, float] = {}
        for code, rate in value.items():
            iso = currency_code(code)
            if iso is None:
                raise ValueError(f"{code!r} is not a currency; write its ISO code, e.g. EUR")
            number = parse_rate(rate)
            if number is None:
                raise ValueError(f"the rate of {iso} ({rate!r}) is not a number above 0")
            table[iso] = number
        return table

    @field_validator("purchase_model", mode="before")
    @classmethod
    def _model_name(cls, value: Any) -> Any:
        """A model as typed in a Settings sheet: "BG/NBD", "mbgnbd", "Pareto NBD", "Auto"."""
        if not isinstance(value, str):
            return value
        key = re.sub(r"[\s/_-]+", "", value.casefold())
        return {"auto": "auto", "bgnbd": "bg/nbd", "mbgnbd": "mbg/nbd",
                "paretonbd": "pareto/nbd"}.get(key, value)  # fmt: skip

    @field_validator("carry_columns", mode="before")
    @classmethod
    def _column_list(cls, value: Any) -> Any:
        """A list, or text from a Settings sheet ("Account manager, Region")."""
        items = _split_items(value) if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            return value
        return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))

    @field_validator("excluded_statuses", mode="before")
    @classmethod
    def _status_list(cls, value: Any) -> Any:
        """A list, or text from a Settings sheet ("cancelled, refunded"); kinds checked."""
        items = _split_items(value) if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            return value
        return tuple(dict.fromkeys(_status_kind(str(item)) for item in items))

    @field_validator("status_codes", mode="before")
    @classmethod
    def _code_table(cls, value: Any) -> Any:
        """A mapping, or text from a Settings sheet ("X=cancelled, C=completed")."""
        if isinstance(value, str):
            pairs = [item.replace(":", "=", 1).partition("=") for item in _split_items(value)]
            if any(not sep or not code.strip() for code, sep, _ in pairs):
                raise ValueError("write it as CODE=STATUS pairs, e.g. X=cancelled, C=completed")
            value = {code.strip(): kind.strip() for code, _, kind in pairs}
        if not isinstance(value, Mapping):
            return value
        return {str(code).strip(): _status_kind(str(kind)) for code, kind in value.items()}

    @model_validator(mode="after")
    def _ordered(self) -> Settings:
        if self.pareto_b <= self.pareto_a:
            raise ValueError("pareto_b must be above pareto_a")
        if self.lapsed_multiple <= self.lapsing_multiple:
            raise ValueError("lapsed_multiple must be above lapsing_multiple")
        return self

    @classmethod
    def load(cls, values: Mapping[str, Any] | None = None) -> Settings:
        """Build settings from a mapping (a TOML table, a Settings sheet), naming bad keys."""
        try:
            return cls.model_validate(dict(values or {}))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "settings"
            error = first.get("ctx", {}).get("error")  # a validator's own sentence, as written
            said = str(error) if isinstance(error, ValueError) else first["msg"]
            if first["type"] == "extra_forbidden":
                close = difflib.get_close_matches(where, list(cls.model_fields), n=1)
                said = "crmsheet has no such setting" + (
                    f"; did you mean {close[0]}?" if close else " (the README lists them)"
                )
            raise SettingsError(f"setting {where}: {said}") from None

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, description) for every setting: the Settings sheet's rows.

        A list or table setting is shown as the text a Settings sheet takes back
        ("cancelled, void", "X=cancelled, C=completed").
        """
        return [
            (name, _shown(getattr(self, name)), info.description or "")
            for name, info in type(self).model_fields.items()
        ]


def _split_items(text: str) -> list[str]:
    """Items of a list typed in one cell: separated by commas, semicolons or new lines."""
    return [item.strip() for item in re.split(r"[,;\n]", text) if item.strip()]


def _code(value: Any, lookup: Callable[[Any], str | None], wrong: str) -> str:
    """``value``'s standard code by ``lookup``; "" for a blank; ValueError saying ``wrong``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    code = lookup(value)
    if code is None:
        raise ValueError(f"{value!r} {wrong}")
    return code


def _status_kind(word: str) -> str:
    """The status kind a word names ("Canceled" -> "cancelled"); ValueError if none."""
    key = " ".join(re.split(r"[\s\-_./]+", word.casefold())).strip()
    for kind, words in TRANSACTION_STATUSES.items():
        if key == " ".join(re.split(r"[\s\-_./]+", kind)) or key in words:
            return kind
    raise ValueError(f"{word!r} is not a status; use one of: " + ", ".join(TRANSACTION_STATUSES))


def _shown(value: Any) -> Any:
    """A setting's value as a Settings sheet holds it."""
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, dict):
        return ", ".join(f"{code}={kind}" for code, kind in value.items())
    if value is None:  # "chosen by crmsheet": a blank cell, which reads back as None
        return ""
    return value


def settings_file_values(path: str | Path | None) -> dict[str, Any]:
    """The values of a settings.toml as :func:`crmsheet.read` takes them (over a Settings
    sheet in the input): the ``[settings]`` table or the top level, and a ``[rates]`` table
    (``EUR = 1.08``); {} for no file. Here, not in enrich, so that validate reads it without
    importing the analyses and the writer."""
    if path is None:
        return {}
    path = Path(path)
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    values = dict(parsed.get("settings", parsed))
    rates = parsed.get("rates")
    try:  # a bad value is the file's: said with its name, before any sheet is read
        if "settings" in parsed and isinstance(rates, dict):  # [rates] beside [settings]
            given = values.get("rates")
            values["rates"] = {**Settings.load({"rates": given}).rates, **rates} if given else rates
        Settings.load(values)
    except SettingsError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    return values
