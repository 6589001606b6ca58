"""Who to contact and when: overdue and due follow-ups, key accounts with none, thank-yous.

"Be sure to follow up in a timely way", and "thank those who have" done business lately.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..config import Settings
from .columns import Column, days, money, text
from .metrics import METRIC_COLUMNS, contact_beside_name
from .text import each_value

__all__ = ["FOLLOW_UP_ACTIONS", "FOLLOW_UP_SHOWN", "follow_ups"]

#: Actions in the order they should be done.
FOLLOW_UP_ACTIONS = ("overdue", "due soon", "set a follow-up", "thank you")

#: The follow-up list as a reader sees it.
FOLLOW_UP_SHOWN: dict[str, Column] = {
    **METRIC_COLUMNS, "action": text("Action"), "rating": text("Rating"),
    "status": text("Status"), "days_overdue": days("Days overdue"),
    "expected_value_lost": money("Expected value lost"), "why": text("Why"),
}  # fmt: skip
FOLLOW_UP_COLUMNS = [
    "action", "name", "contact", "rating", "status", "next_follow_up", "days_overdue",
    "last_purchase", "revenue_12m", "expected_value_lost", "email", "phone", "why",
]  # fmt: skip


def follow_ups(
    customers: pd.DataFrame, *, as_of: date, settings: Settings | None = None
) -> pd.DataFrame:
    """One row per customer and action, most urgent first.

    ``customers`` is the metrics frame with ``rating`` and ``status``. Actions:
    overdue (next follow-up before ``as_of``), due soon (within ``follow_up_soon_days``),
    set a follow-up (an A customer with none set), thank you (bought within
    ``thank_you_days``). Within an action, customers with the most expected value lost come
    first when there is a forecast (an ``expected_value_lost`` column); then by rating, the
    follow-up date and revenue.
    """
    settings = settings or Settings()
    today = pd.Timestamp(as_of)
    nxt = customers["next_follow_up"]
    overdue_days = ((today - nxt) / np.timedelta64(1, "D")).astype("float64")
    since = customers["days_since_last"]
    picks = {
        "overdue": (
            nxt < today,
            "follow-up was due " + each_value(overdue_days, _days) + " ago",
        ),
        "due soon": (
            (nxt >= today) & (nxt <= today + pd.Timedelta(days=settings.follow_up_soon_days)),
            "follow-up due in " + each_value(-overdue_days, _days),
        ),
        "set a follow-up": (
            (customers["rating"] == "A") & nxt.isna(),
            pd.Series("an A customer with no follow-up date", index=customers.index),
        ),
        "thank you": (
            since <= settings.thank_you_days,
            "bought " + each_value(since, _days) + " ago: thank them (and offer something useful)",
        ),
    }
    parts = []
    for action, (mask, why) in picks.items():
        hit = mask.fillna(False).astype(bool)
        if hit.any():
            part = customers.loc[hit].copy()
            part["action"] = action
            part["why"] = why[hit]
            part["days_overdue"] = overdue_days[hit] if action == "overdue" else np.nan
            parts.append(part)
    if not parts:
        named = bool(contact_beside_name(customers).notna().any())
        cols = [c for c in FOLLOW_UP_COLUMNS if (c != "expected_value_lost" or c in customers)
                and (c != "contact" or named)]  # fmt: skip
        return pd.DataFrame(columns=cols, index=pd.Index([], name="customer_key"))
    out = pd.concat(parts)
    out["_a"] = out["action"].map({a: i for i, a in enumerate(FOLLOW_UP_ACTIONS)})
    out["_r"] = out["rating"].map({"A": 0, "B": 1, "C": 2}).fillna(3)
    keys, ascending = ["_a", "_r", "next_follow_up", "revenue_12m"], [True, True, True, False]
    if "expected_value_lost" in out.columns:
        keys.insert(1, "expected_value_lost")
        ascending.insert(1, False)
    out = out.sort_values(keys, ascending=ascending, kind="stable")
    named = bool(contact_beside_name(customers).notna().any())
    if "contact" in out:
        out["contact"] = contact_beside_name(out)
    return out[[c for c in FOLLOW_UP_COLUMNS if c in out.columns and (c != "contact" or named)]]


def _days(value: float) -> str:
    if value != value:
        return ""
    n = round(value)
    return "today" if n == 0 else f"{n:,} day" + ("" if abs(n) == 1 else "s")
