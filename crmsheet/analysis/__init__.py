"""The analyses: pure functions over DataFrames, run together by :func:`analyze`.

Each module answers one question (see its docstring for the why): metrics, ratings,
lapsed, followups, sources, concentration, referrals, segments, retention, rfm, bgnbd
(who is still a customer, and what they will buy). None reads
the clock or a file: every one takes an explicit ``as_of`` and the frozen
:class:`~crmsheet.config.Settings`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..config import Settings
from ..data import CrmData
from .bgnbd import BGNBDModel, fit_bgnbd, forecast
from .concentration import concentration, concentration_headline, top_parent
from .followups import follow_ups
from .lapsed import customer_status, expected_value_lost, lapsed_customers
from .metrics import customer_metrics, invoices
from .ratings import rate_customers
from .referrals import referral_value
from .retention import retention, retention_headline
from .rfm import rfm_summary, rfm_table
from .segments import segments, segments_headline
from .sources import source_roi, source_roi_headline

__all__ = ["Analysis", "BGNBDModel", "analyze", "fit_bgnbd", "rfm_summary"]


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything :func:`analyze` found. Every attribute but ``headline`` is a DataFrame.

    ``customers`` is one row per customer with the metrics, rating, status, parent group,
    RFM segment and (with a fitted ``bgnbd`` model) the forecast side by side; the others
    are the lists and tables behind each question. ``headline`` holds the figures a summary
    needs (``headline["prediction"]`` says whether and why the forecast was made), and
    ``actions`` what to do first. ``bgnbd`` is None when the data were too thin to fit it
    or ``settings.predict`` is off.
    """

    as_of: date
    settings: Settings
    customers: pd.DataFrame
    ratings: pd.DataFrame
    lapsed: pd.DataFrame
    follow_ups: pd.DataFrame
    source_roi: pd.DataFrame
    concentration: pd.DataFrame
    referrals: pd.DataFrame
    segments: pd.DataFrame
    retention: pd.DataFrame
    rfm: pd.DataFrame
    headline: dict[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    bgnbd: BGNBDModel | None = None

    def __repr__(self) -> str:
        h = self.headline
        return (f"<Analysis as of {self.as_of}: {h.get('customers', 0)} customers, "
                f"A/B/C {h.get('rated_A', 0)}/{h.get('rated_B', 0)}/{h.get('rated_C', 0)}, "
                f"{h.get('lapsed', 0)} lapsed>")  # fmt: skip

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th><td>{html.escape(value)}"
            "</td></tr>"
            for label, value in headline_rows(self.headline)
        )
        todo = "".join(f"<li>{html.escape(a)}</li>" for a in self.actions)
        return (f"<div><b>crmsheet analysis as of {self.as_of}</b><table>{rows}</table>"
                f"<p><b>What to do first</b></p><ol>{todo}</ol></div>")  # fmt: skip


def analyze(data: CrmData, *, as_of: date, settings: Settings | None = None) -> Analysis:
    """Run every analysis on what :func:`crmsheet.read` returned.

    >>> data = crmsheet.read("customers.xlsx")                      # doctest: +SKIP
    >>> result = crmsheet.analyze(data, as_of=date(2026, 11, 1))   # doctest: +SKIP
    >>> result.lapsed.head()                                      # doctest: +SKIP
    """
    settings = settings or Settings()
    combined = invoices(data.transactions, as_of=as_of)  # once, for every analysis
    metrics = customer_metrics(data.customers, data.transactions, as_of=as_of,
                               invoice_table=combined)  # fmt: skip
    ratings = rate_customers(metrics, data.transactions, data.support, as_of=as_of,
                             settings=settings, invoice_table=combined)  # fmt: skip
    status = customer_status(metrics, as_of=as_of, settings=settings)
    customers = metrics.rename(columns={"rating": "rating_before"}).drop(
        columns=["rating_before"]).join(ratings[["rating", "revenue_rating", "reasons",
                                                  "rating_before", "changed"]])  # fmt: skip
    customers = customers.join(status)
    customers["parent_group"] = top_parent(customers)

    purchases = combined.loc[combined["kind"] != "quote"]
    bought = purchases.loc[purchases["kind"] == "invoice"]  # no credits
    rfm = rfm_table(bought, as_of=as_of)
    customers = customers.join(rfm[["segment"]].rename(columns={"segment": "rfm_segment"}))
    predicted = forecast(rfm, revenue=bought.groupby("customer_key")["amount"].sum(),
                         settings=settings)  # fmt: skip
    if predicted.model is not None:  # else the lists keep the usual-gap rules and ranking
        rfm = rfm.join(predicted.table)
        customers = customers.join(predicted.table.drop(columns="order_value"))
        customers["expected_value_lost"] = expected_value_lost(customers)

    lapsed = lapsed_customers(customers)
    todo = follow_ups(customers, as_of=as_of, settings=settings)
    roi = source_roi(customers, data.spend, as_of=as_of)
    groups = concentration(customers, settings=settings)
    referrals = referral_value(customers)
    segs = segments(customers, settings=settings)
    cohorts = retention(purchases, as_of=as_of)

    headline = _headline(customers, lapsed, todo, settings)
    headline.update({f"roi_{k}": v for k, v in source_roi_headline(roi).items()})
    headline.update(
        {
            f"concentration_{k}": v
            for k, v in concentration_headline(customers, settings=settings, groups=groups).items()
        }
    )
    headline.update(
        {f"retention_{k}": v for k, v in retention_headline(purchases, as_of=as_of).items()}
    )
    headline["segments"] = segments_headline(segs)
    headline["prediction"] = predicted.note
    headline["predicted"] = predicted.model is not None
    return Analysis(
        as_of=as_of, settings=settings, customers=customers, ratings=ratings, lapsed=lapsed,
        follow_ups=todo, source_roi=roi, concentration=groups, referrals=referrals,
        segments=segs, retention=cohorts, rfm=rfm, headline=headline,
        actions=tuple(_actions(customers, lapsed, todo, groups, roi, headline)),
        bgnbd=predicted.model,
    )  # fmt: skip


def _headline(
    customers: pd.DataFrame, lapsed: pd.DataFrame, todo: pd.DataFrame, settings: Settings
) -> dict[str, Any]:
    rating = customers["rating"]
    status = customers["status"]
    a_lapsed = lapsed.loc[(lapsed["rating"] == "A") & (lapsed["status"] == "lapsed")]
    return {
        "customers": len(customers),
        "buying_customers": int((customers["transactions"] > 0).sum()),
        "prospects": int((status == "prospect").sum()),
        "revenue_12m": float(customers["revenue_12m"].sum()),
        "revenue_lifetime": float(customers["revenue"].sum()),
        "rated_A": int((rating == "A").sum()),
        "rated_B": int((rating == "B").sum()),
        "rated_C": int((rating == "C").sum()),
        "unrated": int((rating == "unrated").sum()),
        "ratings_changed": int(customers["changed"].sum()),
        "active": int(status.isin(["active", "new"]).sum()),
        "lapsing": int((status == "lapsing").sum()),
        "lapsed": int((status == "lapsed").sum()),
        "lapsed_value_at_risk": float(
            lapsed.loc[lapsed["status"] == "lapsed", "value_at_risk"].sum()
        ),
        "lapsed_A": len(a_lapsed),
        "lapsed_A_value": float(a_lapsed["value_at_risk"].sum()),
        "follow_ups_overdue": int((todo["action"] == "overdue").sum()),
        "follow_ups_due_soon": int((todo["action"] == "due soon").sum()),
        "a_without_follow_up": int((todo["action"] == "set a follow-up").sum()),
        "lapse_days": settings.lapse_days,
    }


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _n(count: int, one: str, many: str | None = None) -> str:
    """'1 customer', '3 customers' (or the plural given)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _actions(
    customers: pd.DataFrame,
    lapsed: pd.DataFrame,
    todo: pd.DataFrame,
    groups: pd.DataFrame,
    roi: pd.DataFrame,
    h: dict[str, Any],
) -> list[str]:
    """The few sentences a shop owner should read first, most valuable first."""
    out: list[str] = []
    if h["lapsed_A"]:
        out.append(
            f"{_n(h['lapsed_A'], 'lapsed A customer')} "
            f"{'was' if h['lapsed_A'] == 1 else 'were'} worth "
            f"{_money(h['lapsed_A_value'])} in their last year: call them (see Lapsed)."
        )
    lapsing = lapsed.loc[lapsed["status"] == "lapsing"]
    if len(lapsing):
        out.append(
            f"{_n(len(lapsing), 'customer')} {'is' if len(lapsing) == 1 else 'are'} "
            "slipping away (silent well past their usual gap), worth "
            f"{_money(lapsing['value_at_risk'].sum())}: contact them before they lapse."
        )
    overdue = h["follow_ups_overdue"]
    if overdue:
        out.append(
            f"{_n(overdue, 'follow-up')} {'is' if overdue == 1 else 'are'} overdue "
            "(see Follow-ups)."
        )
    if h["a_without_follow_up"]:
        out.append(
            f"{_n(h['a_without_follow_up'], 'A customer')} "
            f"{'has' if h['a_without_follow_up'] == 1 else 'have'} no next follow-up "
            "date: set one."
        )
    flagged = groups.loc[groups["flag"]] if "flag" in groups else groups.iloc[:0]
    for _, g in flagged.head(3).iterrows():
        out.append(
            f"{g['group_name']} makes {g['share']:.0%} of revenue: a dependence worth "
            "protecting, or reducing."
        )
    best = h.get("roi_top_source")
    if best:
        out.append(f"Best return on marketing: {best} (ROI {h.get('roi_top_roi', 0):.0%}).")
    thanks = int((todo["action"] == "thank you").sum())
    if thanks:
        out.append(f"{_n(thanks, 'customer')} bought in the last weeks: thank them.")
    return out


def headline_rows(h: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, formatted value) pairs for a summary table."""

    def pct(v: Any) -> str:
        return "unknown" if v is None or v != v else f"{v:.0%}"

    rows = [
        ("Customers", f"{h.get('customers', 0):,}"),
        ("Revenue, last 12 months", _money(h.get("revenue_12m", 0.0))),
        (
            "A / B / C customers",
            f"{h.get('rated_A', 0)} / {h.get('rated_B', 0)} / {h.get('rated_C', 0)}",
        ),
        (
            "Lapsed customers",
            f"{h.get('lapsed', 0)} (worth {_money(h.get('lapsed_value_at_risk', 0))}"
            " in their last year)",
        ),
        ("Lapsing customers", f"{h.get('lapsing', 0)}"),
        ("Follow-ups overdue", f"{h.get('follow_ups_overdue', 0)}"),
        ("Revenue from returning customers", pct(h.get("retention_returning_revenue_share_12m"))),
        ("Top source by ROI", str(h.get("roi_top_source") or "unknown (no spend data)")),
        ("Parent groups over the limit", f"{h.get('concentration_groups_over_limit', 0)}"),
    ]
    if h.get("prediction"):
        rows.append(("Who will buy again", str(h["prediction"])))
    return rows
