"""The headline: the figures a summary shows, typed, and the few sentences to act on first.

:class:`Headline` holds one field per figure (None where the figure is unknown: no spend
data, no revenue), built once by :func:`make_headline` from the tables :func:`analyze`
computed; :func:`headline_rows` formats it for the Summary sheet and the command line, and
:func:`actions` writes what a shop owner should do first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..config import Settings
from ..statuses import not_revenue_sentence
from .changes import Changes

__all__ = [
    "Headline", "actions", "change_actions", "change_lines", "change_sentence", "headline_rows",
    "make_headline", "summary_figures",
]  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """The figures of one analysis. Counts are customers unless the name says otherwise.

    ``roi_*`` come from the ROI table (``roi_top_source``: the source with the best known
    ROI), ``concentration_*`` from the parent-group roll-up (HHI 0-10,000; shares 0-1),
    ``retention_*`` from the 12 months up to ``as_of``; ``not_revenue`` the orders left out
    of revenue by their status, per kind; ``segments`` is the top segment and
    the thin niches per dimension; ``prediction`` says whether and why the purchase forecast
    was made, ``predicted`` whether it was.
    """

    customers: int
    buying_customers: int
    prospects: int
    revenue_12m: float
    revenue_lifetime: float
    rated_A: int
    rated_B: int
    rated_C: int
    unrated: int
    ratings_changed: int
    active: int
    lapsing: int
    lapsed: int
    lapsed_value_at_risk: float
    lapsed_A: int
    lapsed_A_value: float
    follow_ups_overdue: int
    follow_ups_due_soon: int
    a_without_follow_up: int
    lapse_days: int
    roi_top_source: str | None
    roi_top_roi: float | None
    roi_total_spend: float
    roi_new_customers: int
    roi_spend_without_customers: float
    concentration_hhi_customers: float | None
    concentration_top1_share_customers: float | None
    concentration_top5_share_customers: float | None
    concentration_top10_share_customers: float | None
    concentration_hhi_groups: float | None
    concentration_top1_share_groups: float | None
    concentration_top5_share_groups: float | None
    concentration_top10_share_groups: float | None
    concentration_groups_over_limit: int
    concentration_revenue_basis: str
    retention_revenue_last_12m: float
    retention_returning_revenue_share_12m: float | None
    retention_repeat_purchase_rate: float | None
    retention_customers_active_12m: int
    retention_new_customers_12m: int
    segments: Mapping[str, Mapping[str, Any]]
    prediction: str
    predicted: bool
    not_revenue: Mapping[str, int] = field(default_factory=dict)
    """Orders up to as_of left out of revenue by their status, per status kind."""
    retention_note: str = ""
    """Which quarters the retention table shows (the one under way is left out), in words."""
    concentration_reading: str = ""
    """The HHI in one line: groups' HHI, its band, the customers' HHI beside it."""
    concentration_hhi_reading_customers: str = ""
    """The customers' HHI read in the usual bands ("HHI 2,100: moderately concentrated")."""
    concentration_hhi_reading_groups: str = ""
    """The parent groups' HHI read in the usual bands."""
    duplicates: int = 0
    """Pairs of customers that may be one customer entered twice (the Duplicates sheet)."""
    merged: int = 0
    """Customer rows merged into another by their Same as cell."""
    not_customers: int = 0
    """Rows of the customer sheet that are no customer: a supplier or competitor that has
    not bought (their type says so); counted in no other figure."""


def _known(value: float) -> float | None:
    """None for a figure that is unknown (NaN)."""
    return None if math.isnan(value) else value


def make_headline(
    customers: pd.DataFrame,
    lapsed: pd.DataFrame,
    todo: pd.DataFrame,
    settings: Settings,
    *,
    roi: Mapping[str, Any],
    concentration: Mapping[str, Any],
    retention: Mapping[str, Any],
    segments: Mapping[str, Mapping[str, Any]],
    prediction: str,
    predicted: bool,
    not_revenue: Mapping[str, int] | None = None,
    retention_note: str = "",
    duplicates: int = 0,
    merged: int = 0,
) -> Headline:
    """The headline of one analysis: the customer counts, plus the tables' own headlines."""
    rating = customers["rating"]
    status = customers["status"]
    a_lapsed = lapsed.loc[(lapsed["rating"] == "A") & (lapsed["status"] == "lapsed")]
    c = concentration
    return Headline(
        customers=int((status != "not a customer").sum()),
        buying_customers=int((customers["transactions"] > 0).sum()),
        prospects=int((status == "prospect").sum()),
        revenue_12m=float(customers["revenue_12m"].sum()),
        revenue_lifetime=float(customers["revenue"].sum()),
        rated_A=int((rating == "A").sum()),
        rated_B=int((rating == "B").sum()),
        rated_C=int((rating == "C").sum()),
        unrated=int((rating == "unrated").sum()),
        ratings_changed=int(customers["changed"].sum()),
        active=int(status.isin(["active", "new"]).sum()),
        lapsing=int((status == "lapsing").sum()),
        lapsed=int((status == "lapsed").sum()),
        lapsed_value_at_risk=float(lapsed.loc[lapsed["status"] == "lapsed", "value_at_risk"].sum()),
        lapsed_A=len(a_lapsed),
        lapsed_A_value=float(a_lapsed["value_at_risk"].sum()),
        follow_ups_overdue=int((todo["action"] == "overdue").sum()),
        follow_ups_due_soon=int((todo["action"] == "due soon").sum()),
        a_without_follow_up=int((todo["action"] == "set a follow-up").sum()),
        lapse_days=settings.lapse_days,
        roi_top_source=roi["top_source"],
        roi_top_roi=_known(roi["top_roi"]),
        roi_total_spend=roi["total_spend"],
        roi_new_customers=roi["new_customers"],
        roi_spend_without_customers=roi["spend_without_customers"],
        concentration_hhi_customers=_known(c["hhi_customers"]),
        concentration_top1_share_customers=_known(c["top1_share_customers"]),
        concentration_top5_share_customers=_known(c["top5_share_customers"]),
        concentration_top10_share_customers=_known(c["top10_share_customers"]),
        concentration_hhi_groups=_known(c["hhi_groups"]),
        concentration_top1_share_groups=_known(c["top1_share_groups"]),
        concentration_top5_share_groups=_known(c["top5_share_groups"]),
        concentration_top10_share_groups=_known(c["top10_share_groups"]),
        concentration_groups_over_limit=c["groups_over_limit"],
        concentration_revenue_basis=c["revenue_basis"],
        retention_revenue_last_12m=retention["revenue_last_12m"],
        retention_returning_revenue_share_12m=retention["returning_revenue_share_12m"],
        retention_repeat_purchase_rate=retention["repeat_purchase_rate"],
        retention_customers_active_12m=retention["customers_active_12m"],
        retention_new_customers_12m=retention["new_customers_12m"],
        segments=segments,
        prediction=prediction,
        predicted=predicted,
        not_revenue=dict(not_revenue or {}),
        retention_note=retention_note,
        concentration_reading=c.get("reading", ""),
        concentration_hhi_reading_customers=c.get("hhi_reading_customers", ""),
        concentration_hhi_reading_groups=c.get("hhi_reading_groups", ""),
        duplicates=duplicates,
        merged=merged,
        not_customers=int((status == "not a customer").sum()),
    )


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _n(count: int, one: str, many: str | None = None) -> str:
    """'1 customer', '3 customers' (or the plural given)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def actions(
    lapsed: pd.DataFrame, todo: pd.DataFrame, groups: pd.DataFrame, h: Headline
) -> list[str]:
    """The few sentences a shop owner should read first, most valuable first.

    The biggest lapsed customer is named however small the shop: the lapsed A customers when
    there are some (rated on the last 12 months, a customer gone a year is rarely still A),
    else the lapsed customer worth most in their last year. At most two lines on
    concentration: the biggest groups over the limit, the rest counted on the second.
    """
    out: list[str] = []
    gone = lapsed.loc[(lapsed["status"] == "lapsed") & (lapsed["value_at_risk"] > 0)]
    a_gone = gone.loc[gone["rating"] == "A"]
    if h.lapsed_A and len(a_gone):
        top = _biggest(a_gone)
        if h.lapsed_A == 1:
            out.append(
                f"Your lapsed A customer, {top[0]}, was worth {_money(h.lapsed_A_value)} in "
                "their last year: call them (see Lapsed)."
            )
        else:
            out.append(
                f"{_n(h.lapsed_A, 'lapsed A customer')} were worth "
                f"{_money(h.lapsed_A_value)} in their last year, the biggest {top[0]} "
                f"({_money(top[1])}): call them (see Lapsed)."
            )
    elif h.lapsed_A:  # A customers whose last year was worth nothing: counted, unnamed
        out.append(
            f"{_n(h.lapsed_A, 'lapsed A customer')} "
            f"{'was' if h.lapsed_A == 1 else 'were'} worth "
            f"{_money(h.lapsed_A_value)} in their last year: call them (see Lapsed)."
        )
    elif len(gone):
        name, value = _biggest(gone)
        out.append(
            f"Your biggest lapsed customer, {name}, was worth {_money(value)} in their last "
            "year: call them (see Lapsed)."
        )
    lapsing = lapsed.loc[lapsed["status"] == "lapsing"]
    if len(lapsing):
        out.append(
            f"{_n(len(lapsing), 'customer')} {'is' if len(lapsing) == 1 else 'are'} "
            "slipping away (silent well past their usual gap), worth "
            f"{_money(lapsing['value_at_risk'].sum())}: contact them before they lapse."
        )
    overdue = h.follow_ups_overdue
    if overdue:
        out.append(
            f"{_n(overdue, 'follow-up')} {'is' if overdue == 1 else 'are'} overdue "
            "(see Follow-ups)."
        )
    if h.a_without_follow_up:
        out.append(
            f"{_n(h.a_without_follow_up, 'A customer')} "
            f"{'has' if h.a_without_follow_up == 1 else 'have'} no next follow-up "
            "date: set one."
        )
    flagged = groups.loc[groups["flag"]] if "flag" in groups else groups.iloc[:0]
    more = len(flagged) - 2
    for i, (_, g) in enumerate(flagged.head(2).iterrows()):
        rest = (f" ({_n(more, 'more group')} over the limit: see Concentration)"
                if i == 1 and more > 0 else "")  # fmt: skip
        out.append(
            f"{g['group_name']} makes {g['share']:.0%} of revenue: a dependence worth "
            f"protecting, or reducing{rest}."
        )
    if h.roi_top_source:  # a top source has a known ROI
        out.append(f"Best return on marketing: {h.roi_top_source} (ROI {h.roi_top_roi or 0:.0%}).")
    thanks = int((todo["action"] == "thank you").sum())
    if thanks:
        out.append(f"{_n(thanks, 'customer')} bought in the last weeks: thank them.")
    if h.duplicates:
        out.append(
            f"{_n(h.duplicates, 'customer')} may be entered twice: see Duplicates (to merge "
            "two rows, write the ID of the one to keep in the other's Same as column)."
        )
    return out


def _biggest(lapsed: pd.DataFrame) -> tuple[str, float]:
    """The name (the key without one) and value at risk of the lapsed customer worth most."""
    key = lapsed["value_at_risk"].astype(float).idxmax()
    row = lapsed.loc[key]
    name = row["name"] if "name" in lapsed and isinstance(row["name"], str) else None
    return (name.strip() if name and name.strip() else str(key)), float(row["value_at_risk"])


def headline_rows(h: Headline) -> list[tuple[str, str]]:
    """(label, formatted value) pairs for a summary table."""
    share = h.retention_returning_revenue_share_12m
    rows = [
        ("Customers", f"{h.customers:,}"),
        ("Revenue, last 12 months", _money(h.revenue_12m)),
        ("A / B / C customers", f"{h.rated_A:,} / {h.rated_B:,} / {h.rated_C:,}"),
        (
            "Lapsed customers",
            f"{h.lapsed:,} (worth {_money(h.lapsed_value_at_risk)} in their last year)",
        ),
        ("Lapsing customers", f"{h.lapsing:,}"),
        ("Follow-ups overdue", f"{h.follow_ups_overdue:,}"),
        (
            "Revenue from returning customers",
            "unknown" if share is None or share != share else f"{share:.0%}",
        ),
        ("Top source by ROI", h.roi_top_source or "unknown (no spend data)"),
        ("Parent groups over the limit", f"{h.concentration_groups_over_limit:,}"),
    ]
    if h.prediction:
        rows.append(("Who will buy again", h.prediction))
    if sum(h.not_revenue.values()):  # "3 orders not counted as revenue: 2 cancelled, ..."
        total, _, kinds = not_revenue_sentence(h.not_revenue).partition(": ")
        rows.append((total[:1].upper() + total[1:], kinds))
    rows.extend(_duplicate_rows(h))
    return rows


def _duplicate_rows(h: Headline) -> list[tuple[str, str]]:
    """The merges done and the pairs found, when there are any."""
    rows = []
    if h.not_customers:
        rows.append(("Suppliers and competitors (not counted)", f"{h.not_customers:,}"))
    if h.merged:
        rows.append(("Customers merged (Same as)", f"{h.merged:,}"))
    if h.duplicates:
        rows.append(("Possible duplicates", f"{h.duplicates:,} (see Duplicates)"))
    return rows


def summary_figures(h: Headline) -> list[tuple[str, float | str | None, str]]:
    """(label, value, kind) per Summary row: numbers stay numbers (formatted by their kind,
    see :mod:`crmsheet.analysis.columns`), None where a figure is unknown."""
    share = h.retention_returning_revenue_share_12m
    rows: list[tuple[str, float | str | None, str]] = [
        ("Customers", h.customers, "count"),
        ("Revenue, last 12 months", h.revenue_12m, "money"),
        ("A customers", h.rated_A, "count"),
        ("B customers", h.rated_B, "count"),
        ("C customers", h.rated_C, "count"),
        ("Lapsed customers", h.lapsed, "count"),
        ("Lapsed customers' revenue in their last active year", h.lapsed_value_at_risk, "money"),
        ("Lapsing customers", h.lapsing, "count"),
        ("Follow-ups overdue", h.follow_ups_overdue, "count"),
        ("Revenue from returning customers (12 months)",
         None if share is None or share != share else share, "share"),
        ("Top source by ROI", h.roi_top_source or "unknown (no spend data)", "text"),
        ("Parent groups over the limit", h.concentration_groups_over_limit, "count"),
        ("Concentration (HHI) of parent groups", h.concentration_hhi_groups, "count"),
        ("Concentration (HHI) of single customers", h.concentration_hhi_customers, "count"),
    ]  # fmt: skip
    if h.prediction:
        rows.append(("Who will buy again", h.prediction, "text"))
    if sum(h.not_revenue.values()):
        total, _, kinds = not_revenue_sentence(h.not_revenue).partition(": ")
        rows.append((total[:1].upper() + total[1:], kinds, "text"))
    if h.not_customers:
        rows.append(("Suppliers and competitors (not counted)", h.not_customers, "count"))
    if h.merged:
        rows.append(("Customers merged (Same as)", h.merged, "count"))
    if h.duplicates:
        rows.append(("Possible duplicates (see Duplicates)", h.duplicates, "count"))
    return rows


def change_lines(changes: Changes) -> list[str]:
    """One line per kind of change since the previous run, for the Summary ("2 A customers
    slipped to B; 1 C customer rose to B", "3 customers lapsed", "1 came back", ...); none
    on the first run or when nothing changed."""
    if changes.since is None:
        return []
    t = changes.table
    out: list[str] = []
    moves = t.loc[t["kind"] == "rating"]
    if len(moves):
        pairs = moves.groupby(["before", "now"], sort=False, dropna=False).size()
        words = []
        for (frm, to), n in pairs.items():
            down = _RANK.get(str(to), 3) > _RANK.get(str(frm), 3)
            words.append(f"{_n(int(n), f'{frm} customer')} {'slipped' if down else 'rose'} to {to}")
        out.append("; ".join(words))
    for kind, one, verb in (("lapsed", "customer", "lapsed"), ("lapsing", "customer",
                            "started lapsing"), ("won back", "customer", "came back")):  # fmt: skip
        n = changes.count(kind)
        if n:
            out.append(f"{_n(n, one)} {verb}")
    if changes.count("new"):
        out.append(f"{_n(changes.count('new'), 'new customer')}")
    passed = t.loc[t["kind"] == "follow-up"]
    if len(passed):
        open_ = int((passed["now"] == "no new date").sum())
        rest = f" ({open_:,} without a new date)" if open_ else ""
        out.append(f"{_n(len(passed), 'follow-up date')} passed{rest}")
    return out


def change_sentence(changes: Changes) -> str:
    """The changes in one sentence: "Since 2026-11-01: 2 A customers slipped to B, 3
    customers lapsed, 1 customer came back"; "" on the first run or when nothing changed."""
    lines = change_lines(changes)
    if not lines or changes.since is None:
        return ""
    return f"Since {changes.since.isoformat()}: " + ", ".join(lines)


def change_actions(changes: Changes) -> list[str]:
    """What the changes ask for: the A customers who slipped and the newly lapsed, named."""
    if changes.since is None:
        return []
    t = changes.table
    out: list[str] = []
    since = changes.since.isoformat()
    slipped = t.loc[(t["kind"] == "rating") & (t["before"] == "A")]
    if len(slipped):
        names = ", ".join(_who(r) for _, r in slipped.head(3).iterrows())
        more = f" and {len(slipped) - 3:,} more" if len(slipped) > 3 else ""
        out.append(f"Since {since}, {_n(len(slipped), 'A customer')} slipped ({names}{more}): "
                   "ask what changed (see Changes).")  # fmt: skip
    gone = t.loc[t["kind"] == "lapsed"]
    if len(gone):
        names = ", ".join(_who(r) for _, r in gone.head(3).iterrows())
        more = f" and {len(gone) - 3:,} more" if len(gone) > 3 else ""
        out.append(f"Since {since}, {_n(len(gone), 'customer')} lapsed ({names}{more}): call "
                   "them before they settle elsewhere (see Changes).")  # fmt: skip
    return out


_RANK = {"A": 0, "B": 1, "C": 2, "unrated": 3}


def _who(row: pd.Series) -> str:
    name = row.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else str(row["customer_key"])
