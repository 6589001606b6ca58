"""The analyses: pure functions over DataFrames, run together by :func:`analyze`.

Each module answers one question (see its docstring for the why): metrics, ratings,
lapsed, followups, sources, concentration, referrals, segments, retention, rfm, bgnbd
(who is still a customer, and what they will buy); headline sums them up. None reads
the clock or a file: every one takes an explicit ``as_of`` and the frozen
:class:`~crmsheet.config.Settings`, and the frames :func:`analyze` prepares once: the
transactions and support cut at ``as_of`` (:func:`crmsheet.cutoff.until`), the invoice
table and its two kind filters (:func:`~crmsheet.analysis.metrics.by_kind`). To add an
analysis: a module with a pure function over those frames, called from :func:`analyze`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import import_module
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data import CrmData
from .changes import Changes
from .headline import Headline, headline_rows

# The analyses are imported when analyze runs (scipy with the purchase models), so reading
# and validating (the checks use .metrics) never pay for them.
if TYPE_CHECKING:
    from ..config import Settings
    from .bgnbd import BGNBDModel, fit_bgnbd
    from .prediction import FittedModel, Prediction
    from .rfm import rfm_summary

#: The names this package also gives, imported on first use (PEP 562).
_WHERE = {"BGNBDModel": ".bgnbd", "fit_bgnbd": ".bgnbd", "rfm_summary": ".rfm"}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Analysis", "BGNBDModel", "Headline", "analyze", "fit_bgnbd", "headline_rows", "rfm_summary",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything :func:`analyze` found. Every attribute but ``headline`` is a DataFrame.

    ``customers`` is one row per customer with the metrics, rating, status, parent group,
    RFM segment and (with a fitted ``bgnbd`` model) the forecast side by side; the others
    are the lists and tables behind each question. ``headline`` holds the figures a summary
    needs (a :class:`~crmsheet.analysis.headline.Headline`; ``headline.prediction`` says
    whether and why the forecast was made), and ``actions`` what to do first. ``bgnbd`` is
    the BG/NBD model fitted on all sales, None when the data were too thin to fit it or
    ``settings.predict`` is off; ``model`` is the purchase model the forecast uses (chosen
    by the backtest or named in Settings: BG/NBD, MBG/NBD or Pareto/NBD), and
    ``prediction`` the whole story: the backtest of every model, why this one, the spend
    model (see :func:`~crmsheet.analysis.prediction.predict`). ``merged`` lists the
    customers merged by their Same as cell (:func:`~crmsheet.analysis.merging.merge_table`;
    every other figure counts them as their survivor), ``duplicates`` the pairs of the
    merged customers that may still be one, with their revenue together
    (:func:`~crmsheet.analysis.duplicates.duplicate_preview`; empty when
    ``settings.find_duplicates`` is off).
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
    headline: Headline
    actions: tuple[str, ...] = ()
    bgnbd: BGNBDModel | None = None
    model: FittedModel | None = None
    prediction: Prediction | None = None
    merged: pd.DataFrame = field(default_factory=pd.DataFrame)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame | None = None
    changes: Changes = field(default_factory=Changes)

    def __repr__(self) -> str:
        h = self.headline
        return (f"<Analysis as of {self.as_of}: {h.customers} customers, "
                f"A/B/C {h.rated_A}/{h.rated_B}/{h.rated_C}, {h.lapsed} lapsed>")  # fmt: skip

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th><td>{html.escape(value)}"
            "</td></tr>"
            for label, value in headline_rows(self.headline)
        )
        todo = "".join(f"<li>{html.escape(a)}</li>" for a in self.actions)
        return (f"<div><b>crmsheet analysis as of {self.as_of}</b><table>{rows}</table>"
                f"<p><b>What to do first</b></p><ol>{todo}</ol></div>")  # fmt: skip


def _with_currency(settings: Settings, data: CrmData) -> Settings:
    """``settings`` naming the base currency the amounts were read in, and the rates used."""
    base = data.base_currency or settings.base_currency
    rates = {**data.rates, **settings.rates}
    if base == settings.base_currency and rates == settings.rates:
        return settings
    return settings.model_copy(update={"base_currency": base, "rates": rates})


def analyze(
    data: CrmData,
    *,
    as_of: date,
    settings: Settings | None = None,
    history: pd.DataFrame | None = None,
) -> Analysis:
    """Run every analysis on what :func:`crmsheet.read` returned.

    ``history`` is the compact history of earlier runs (read from an earlier enriched
    workbook's History sheet): the run is added to it (``Analysis.history``) and compared with
    the run before ``as_of`` (``Analysis.changes``); a history of other customers raises
    :class:`~crmsheet.errors.HistoryMismatchError`.

    The transactions and support log are cut at ``as_of`` here, once (nothing after it is
    seen below), and the invoice table and its two kind filters are made once and handed
    to every analysis that needs them. Orders whose status is not revenue
    (``settings.excluded_statuses``: cancelled, refunded, ...) are left out here too, once:
    their customers still appear, but no figure counts them (the headline does).

    >>> data = crmsheet.read("customers.xlsx")                      # doctest: +SKIP
    >>> result = crmsheet.analyze(data, as_of=date(2026, 11, 1))   # doctest: +SKIP
    >>> result.lapsed.head()                                      # doctest: +SKIP
    """
    from ..config import Settings
    from ..cutoff import until
    from ..statuses import orders_per_status
    from .changes import changes
    from .concentration import concentration, concentration_headline, top_parent
    from .duplicates import duplicate_preview
    from .followups import follow_ups
    from .headline import actions, change_actions, make_headline
    from .history import previous_state, with_history
    from .lapsed import customer_status, expected_value_lost, lapsed_customers
    from .merging import merge_same_as, merge_table
    from .metrics import by_kind, counted_sales, customer_metrics, invoices
    from .prediction import predict
    from .ratings import rate_customers
    from .referrals import referral_value
    from .retention import comebacks, retention, retention_headline, retention_note
    from .rfm import rfm_table
    from .segments import segments, segments_headline
    from .sources import source_roi, source_roi_headline

    settings = _with_currency(settings or Settings(), data)
    # "Same as" merges first: every figure below sees one customer (analysis.merging)
    merged = merge_same_as(data.customers, data.transactions, data.support, data.same_as)
    # who appears at all (unsold orders included); the sales (cancelled, refunded...: none)
    seen, unsold, kinds, log = counted_sales(merged.transactions, as_of=as_of, settings=settings)
    not_counted = orders_per_status(seen, unsold, kinds) if unsold.any() else {}
    support = until(merged.support, as_of, undated=True)  # an undated case counts as recent
    table = invoices(log)
    money, bought = by_kind(table)  # revenue (no quotes); purchases (no credits either)
    metrics = customer_metrics(merged.customers, seen, money, bought, as_of=as_of)
    ratings = rate_customers(metrics, table, support, as_of=as_of, settings=settings)
    status = customer_status(metrics, as_of=as_of, settings=settings)
    customers = metrics.rename(columns={"rating": "rating_before"}).drop(
        columns=["rating_before"]).join(ratings[["rating", "revenue_rating", "reasons",
                                                  "rating_before", "changed"]])  # fmt: skip
    customers = customers.join(status)
    customers["parent_group"] = top_parent(customers)

    rfm = rfm_table(bought, as_of=as_of)
    customers = customers.join(rfm[["segment"]].rename(columns={"segment": "rfm_segment"}))
    predicted = predict(bought, rfm, revenue=bought.groupby("customer_key")["amount"].sum(),
                        as_of=as_of, settings=settings)  # fmt: skip
    bgnbd = _bgnbd(predicted, rfm, settings)
    if predicted.model is not None:  # else the lists keep the usual-gap rules and ranking
        rfm = rfm.join(predicted.table)
        customers = customers.join(predicted.table.drop(columns="order_value"))
        customers["expected_value_lost"] = expected_value_lost(customers)

    lapsed = _dialled(lapsed_customers(customers), settings)
    todo = _dialled(follow_ups(customers, as_of=as_of, settings=settings), settings)
    roi = source_roi(customers, data.spend, as_of=as_of)
    groups = concentration(customers, settings=settings)
    referrals = referral_value(customers)
    segs = segments(customers, settings=settings)
    came_back = comebacks(money)
    cohorts = retention(came_back, as_of=as_of)
    merges = merge_table(merged, data.customers, log)
    looked = customers if settings.find_duplicates else customers.iloc[:0]
    dupes = duplicate_preview(looked, merged.customers)

    headline = make_headline(
        customers, lapsed, todo, settings,
        roi=source_roi_headline(roi),
        concentration=concentration_headline(customers, groups),
        retention=retention_headline(money, came_back, as_of=as_of),
        segments=segments_headline(segs),
        prediction=predicted.note,
        predicted=predicted.model is not None,
        not_revenue=not_counted,
        retention_note=retention_note(as_of),
        duplicates=len(dupes),
        merged=len(merges),
    )  # fmt: skip
    result = Analysis(
        as_of=as_of, settings=settings, customers=customers, ratings=ratings, lapsed=lapsed,
        follow_ups=todo, source_roi=roi, concentration=groups, referrals=referrals,
        segments=segs, retention=cohorts, rfm=rfm, headline=headline,
        bgnbd=bgnbd, model=predicted.model, prediction=predicted,
        merged=merges, duplicates=dupes,
    )  # fmt: skip
    since, before = previous_state(history, as_of)
    changed = changes(before, customers, since=since, as_of=as_of)
    todo_first = [*change_actions(changed), *actions(lapsed, todo, groups, headline)]
    return replace(result, history=with_history(history, result), changes=changed,
                   actions=tuple(todo_first))  # fmt: skip


def _dialled(calls: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """A call list's phones as dialled: national format for numbers of the default
    country, international for the others (the data keeps E.164)."""
    from ..parse.phones import dialling_format

    if "phone" not in calls or calls.empty:
        return calls
    return calls.assign(phone=dialling_format(calls["phone"], settings.default_country))


def _bgnbd(predicted: Prediction, rfm: pd.DataFrame, settings: Settings) -> BGNBDModel | None:
    """The BG/NBD fit on all sales: the chosen model's when it is BG/NBD, else fitted too."""
    from ..errors import ThinDataError
    from .bgnbd import BGNBDModel, fit_bgnbd

    if isinstance(predicted.model, BGNBDModel):
        return predicted.model
    if predicted.model is None:
        return None
    try:
        return fit_bgnbd(rfm, penalizer=settings.predict_penalizer)
    except ThinDataError:
        return None
