"""Who is still a customer? Status per customer, and the lapsed list worth a call.

"Contact those who have not done business lately." A global threshold alone misses that a
monthly buyer silent for four months is slipping away while a yearly buyer silent for eight
is fine, so each repeat buyer is also measured against their own usual gap. With a purchase
forecast (:mod:`~crmsheet.analysis.bgnbd`) the list is ranked by the value the model expects
to lose, not by what the customer used to spend.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..config import Settings
from .columns import Column, money, text
from .metrics import METRIC_COLUMNS, contact_beside_name
from .text import each_value

__all__ = [
    "LAPSED_SHOWN", "NOT_CUSTOMER_TYPES", "STATUSES", "customer_status", "expected_value_lost",
    "lapsed_customers",
]  # fmt: skip

#: Every status, from not-yet to gone; last, a row that is no customer at all.
STATUSES = ("prospect", "new", "active", "lapsing", "lapsed", "not a customer")

#: Customer types (``type`` choices) that say a row is not a customer while it has not
#: bought: a supplier or a competitor is neither counted as a customer nor as a prospect.
NOT_CUSTOMER_TYPES = frozenset({"supplier", "competitor"})

#: The status columns, and the lapsed list as a reader sees it.
LAPSED_SHOWN: dict[str, Column] = {
    **METRIC_COLUMNS, "status": text("Status"), "status_reason": text("Why this status"),
    "rating": text("Rating"), "expected_value_lost": money("Expected value lost"),
    "value_at_risk": money("Value at risk (last active year)"),
}  # fmt: skip
LAPSED_COLUMNS = [
    "name", "contact", "status", "rating", "expected_value_lost", "value_at_risk", "p_alive",
    "last_purchase", "days_since_last", "typical_gap_days", "transactions", "revenue", "email",
    "phone", "next_follow_up", "status_reason",
]  # fmt: skip


def customer_status(
    metrics: pd.DataFrame, *, as_of: date, settings: Settings | None = None
) -> pd.DataFrame:
    """Status and its reason per customer.

    - not a customer: no purchase, and its type says it is a supplier or a competitor
      (:data:`NOT_CUSTOMER_TYPES`): counted neither as a customer nor as a prospect;
    - prospect: no purchase yet;
    - lapsed: no purchase for ``lapse_days`` or more, or a repeat buyer silent for
      ``lapsed_multiple`` times their usual gap or more;
    - lapsing: a repeat buyer silent for ``lapsing_multiple`` times their usual gap or more,
      or a one-time buyer past half of ``lapse_days``;
    - new: first purchase within ``new_days`` (and not lapsing);
    - active: everyone else.

    The limits are reached on the day, as :class:`~crmsheet.config.Settings` words them ("no
    purchase for this many days has lapsed"): 365 days silent with ``lapse_days`` 365 is
    lapsed, 364 is not.
    """
    settings = settings or Settings()
    days = metrics["days_since_last"]
    gap = metrics["typical_gap_days"].where(metrics["typical_gap_days"] > 0)
    since_first = (pd.Timestamp(as_of) - metrics["first_purchase"]) / np.timedelta64(1, "D")
    silent = each_value(days, _whole)  # object even when empty
    usual = each_value(gap, _whole)

    never = metrics["last_purchase"].isna()
    over_limit = days >= settings.lapse_days
    over_own = gap.notna() & (days >= settings.lapsed_multiple * gap)
    lapsing_own = gap.notna() & (days >= settings.lapsing_multiple * gap)
    lapsing_once = gap.isna() & (days > settings.lapse_days / 2)
    new = since_first <= settings.new_days

    kind = (metrics["type"].astype(object) if "type" in metrics
            else pd.Series(None, index=metrics.index, dtype=object))  # fmt: skip
    other = never & kind.isin(NOT_CUSTOMER_TYPES)
    conditions = [other, never, over_limit, over_own, lapsing_own, lapsing_once, new]
    statuses = ["not a customer", "prospect", "lapsed", "lapsed", "lapsing", "lapsing", "new"]
    reasons = [
        "no purchase; its type is " + kind.astype(str),
        pd.Series("no purchase yet", index=metrics.index),
        "no purchase for " + silent + f" days (limit {settings.lapse_days})",
        "silent " + silent + " days; usually buys every " + usual + " days",
        "silent " + silent + " days; usually buys every " + usual + " days",
        "one purchase, " + silent + " days ago",
        "first purchase " + each_value(since_first, _whole) + " days ago",
    ]
    status = pd.Series("active", index=metrics.index, dtype=object)
    reason = ("last purchase " + silent + " days ago").astype(object)
    for cond, value, why in zip(
        reversed(conditions), reversed(statuses), reversed(reasons), strict=True
    ):  # the first matching rule wins
        hit = cond.fillna(False).astype(bool)
        status = status.where(~hit, value)
        reason = reason.where(~hit, why)
    return pd.DataFrame({"status": status, "status_reason": reason}, index=metrics.index)


def expected_value_lost(customers: pd.DataFrame) -> pd.Series:
    """What each customer used to bring in a year that the forecast no longer expects.

    ``revenue_last_active_year`` (the value at risk) minus ``expected_value_365`` (the
    expected spend: the purchases the chosen model expects in the next 365 days times the
    expected order value),
    never below 0: a weekly buyer gone quiet loses nearly all of it, a yearly buyer on
    schedule almost none. A customer the model cannot see (no dated purchase) keeps the
    whole value at risk.
    """
    at_risk = customers["revenue_last_active_year"].clip(lower=0.0)
    lost = (at_risk - customers["expected_value_365"]).clip(lower=0.0)
    return lost.fillna(at_risk).rename("expected_value_lost")


def lapsed_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """Lapsed and lapsing customers, most to lose first: the call list.

    ``customers`` is the metrics frame with ``status``, ``status_reason`` and ``rating``;
    value at risk is what the customer spent in their last year of activity. With a
    forecast (an ``expected_value_lost`` column, see :func:`expected_value_lost`) the list
    is ranked by it, then by value at risk; without one, by value at risk.
    """
    at_risk = customers.loc[customers["status"].isin(["lapsed", "lapsing"])].copy()
    at_risk["value_at_risk"] = at_risk["revenue_last_active_year"].clip(lower=0.0)
    if "contact" in at_risk:
        at_risk["contact"] = contact_beside_name(at_risk)
    cols = [c for c in LAPSED_COLUMNS if c in at_risk.columns and _shown(customers, c)]
    keys = ["value_at_risk", "_o"]
    if "expected_value_lost" in at_risk.columns:
        keys.insert(0, "expected_value_lost")
    order = at_risk["status"].map({"lapsed": 0, "lapsing": 1})
    at_risk = at_risk.assign(_o=order).sort_values(
        keys, ascending=[*([False] * (len(keys) - 1)), True], kind="stable")  # fmt: skip
    return at_risk[cols]


def _shown(customers: pd.DataFrame, column: str) -> bool:
    """The contact person is listed when the customer sheet names any beside the name."""
    return column != "contact" or bool(contact_beside_name(customers).notna().any())


def _whole(value: float) -> str:
    return f"{value:,.0f}"
