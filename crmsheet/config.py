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

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import SettingsError

__all__ = ["Settings"]


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
    # -- prediction (BG/NBD) ----------------------------------------------------------------
    predict: bool = Field(
        True,
        description="Predict who is still a customer and their purchases to come (BG/NBD "
        "model; needs at least 20 customers who bought more than once) and rank the Lapsed "
        "list by expected value lost.",
    )  # fmt: skip
    predict_penalizer: float = Field(
        0.001, ge=0, le=10,
        description="Steadies the prediction model on little or unusual data by pulling its "
        "parameters towards 0 (lifetimes' penalizer_coef; 0 = plain maximum likelihood, "
        "0.01-0.1 when the Summary says the model found no steady answer).",
    )  # fmt: skip

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
            raise SettingsError(f"setting {where}: {first['msg']}") from None

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, description) for every setting: the Settings sheet's rows."""
        return [
            (name, getattr(self, name), info.description or "")
            for name, info in type(self).model_fields.items()
        ]
