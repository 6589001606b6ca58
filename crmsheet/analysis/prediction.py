"""Which purchase model to trust, checked on the user's own sales, and what customers are worth.

BG/NBD, the modified BG/NBD and Pareto/NBD each predict who will buy again; none of them says
how well it does on *this* shop's customers. :func:`predict` holds out the last
``holdout_days`` of the sales (:mod:`~crmsheet.analysis.holdout`), fits every model of
:data:`PURCHASE_MODELS` on the days before, predicts each customer's purchases in the held-out
days and compares them with what happened: the mean absolute error per customer, the totals,
and the same by frequency bucket. It chooses the model with the smaller error (a degenerate
fit is never chosen), or the one Settings name (``purchase_model``), refits it on all sales
and forecasts every customer with it. The Gamma-Gamma spend model
(:mod:`~crmsheet.analysis.gammagamma`) turns expected purchases into money: expected spend in
the next 12 months and the discounted customer value (``clv_months``, ``clv_discount_rate``);
where it cannot be fitted, or its fit is degenerate, each customer's own average order value
is used instead, and the note says so. Money is never negative.

>>> result = predict(purchases, rfm, revenue=revenue, as_of=date(2026, 11, 1),
...                  settings=Settings())                                 # doctest: +SKIP
>>> result.note                                                           # doctest: +SKIP
'BG/NBD chosen (holdout error 0.41 vs 0.44 for MBG/NBD). Last 180 days: predicted ...'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

import numpy as np
import pandas as pd

from ..config import Settings
from ..errors import ThinDataError
from .bgnbd import FORECAST_SHOWN, HORIZONS, MIN_REPEAT_BUYERS, fit_bgnbd, order_value
from .columns import Column, money
from .gammagamma import GammaGammaModel, PurchaseModel, fit_gamma_gamma
from .holdout import backtest_sentence, backtest_table, calibration_holdout, default_holdout_days
from .likelihood import NO_MODEL, penalizer_advice, plural
from .mbgnbd import fit_mbgnbd
from .paretonbd import fit_pareto_nbd

__all__ = [
    "MODEL_NAMES", "PREDICTION_COLUMNS", "PREDICTION_SHOWN", "PURCHASE_MODELS", "Backtest",
    "FittedModel", "Prediction", "Trial", "predict", "short_reason",
]  # fmt: skip


class FittedModel(PurchaseModel, Protocol):
    """What every purchase model of :data:`PURCHASE_MODELS` gives (BGNBDModel's interface)."""

    @property
    def params(self) -> dict[str, float]: ...
    @property
    def standard_errors(self) -> dict[str, float]: ...
    @property
    def degenerate(self) -> str: ...
    @property
    def customers(self) -> int: ...
    @property
    def repeat_buyers(self) -> int: ...
    def p_alive(self, rfm: pd.DataFrame) -> pd.Series: ...


#: The purchase models, by the name Settings' ``purchase_model`` takes: their fit functions.
PURCHASE_MODELS: dict[str, Callable[..., FittedModel]] = {
    "bg/nbd": fit_bgnbd,
    "mbg/nbd": fit_mbgnbd,
    "pareto/nbd": fit_pareto_nbd,
}

#: How each model is called in a sentence.
MODEL_NAMES = {"bg/nbd": "BG/NBD", "mbg/nbd": "MBG/NBD", "pareto/nbd": "Pareto/NBD"}

#: Models that estimate P(alive) for one-time buyers too (BG/NBD cannot: it shows 100 %).
_ALIVE_FOR_ALL = ("mbg/nbd", "pareto/nbd")

#: The prediction's columns, in order.
PREDICTION_COLUMNS = [
    "p_alive", *(f"expected_purchases_{d}" for d in HORIZONS), "order_value",
    "expected_order_value", "expected_value_365", "customer_value",
]  # fmt: skip

#: The prediction's columns as a reader sees them.
PREDICTION_SHOWN: dict[str, Column] = {
    **FORECAST_SHOWN,
    "expected_order_value": money("Expected order value"),
    "expected_value_365": money("Expected spend (12 months)"),
    "customer_value": money("Customer value"),
}


@dataclass(frozen=True, eq=False)
class Trial:
    """One model fitted on the calibration days and checked on the holdout.

    ``model`` is None when it could not be fitted (``failure`` says why, in plain words);
    ``failure`` also holds the degeneracy sentence of a fit that is a limiting case (it is
    then not chosen by ``auto``). ``error`` is the mean absolute difference per customer
    between predicted and actual holdout purchases; ``predicted`` their total; ``table`` the
    :func:`~crmsheet.analysis.holdout.backtest_table` (empty without a model).
    """

    name: str
    model: FittedModel | None
    failure: str = ""
    error: float = float("nan")
    predicted: float = float("nan")
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def sound(self) -> bool:
        """Fitted, not degenerate, with a finite error: a model ``auto`` may choose."""
        return self.model is not None and not self.model.degenerate and bool(
            np.isfinite(self.error))  # fmt: skip


@dataclass(frozen=True, eq=False)
class Backtest:
    """The held-out check: the days, the customers checked, what happened, each model's try."""

    holdout_days: int
    calibration_end: date
    customers: int
    actual: float
    trials: tuple[Trial, ...]
    thin: str = ""  # why no model was fitted at all (too few repeat buyers), else ""
    of_customers: int = 0  # all customers when ``customers`` is a sample of them, else 0

    def trial(self, name: str) -> Trial | None:
        return next((t for t in self.trials if t.name == name), None)


@dataclass(frozen=True, eq=False)
class Prediction:
    """:func:`predict`'s answer.

    ``name`` is the chosen model's registry name (None without a model), ``model`` its fit
    on all sales, ``why`` one sentence on the choice, ``note`` the Summary's sentence(s),
    ``table`` :data:`PREDICTION_COLUMNS` indexed like the RFM frame (no rows without a
    model), ``backtest`` the held-out check (None when prediction is turned off), ``spend``
    the Gamma-Gamma fit (None when it failed or was degenerate) and ``spend_note`` why not.
    """

    name: str | None
    model: FittedModel | None
    why: str
    note: str
    table: pd.DataFrame
    backtest: Backtest | None = None
    spend: GammaGammaModel | None = None
    spend_fit: GammaGammaModel | None = None
    spend_note: str = ""


def predict(
    purchases: pd.DataFrame,
    rfm: pd.DataFrame,
    *,
    revenue: pd.Series,
    as_of: date,
    settings: Settings,
) -> Prediction:
    """Backtest the purchase models, choose one, refit it on all sales, forecast everyone.

    ``purchases`` are the dated purchase rows (customer_key, date, amount) up to ``as_of``;
    ``rfm`` their :func:`~crmsheet.analysis.rfm.rfm_table`; ``revenue`` each customer's.
    Never raises on the data: a thin history or failed fits give no model and a note saying
    exactly what was tried and why it failed.
    """
    empty = pd.DataFrame(columns=PREDICTION_COLUMNS, index=rfm.index[:0], dtype=float)
    if not settings.predict:
        return Prediction(None, None, "", f"Turned off in Settings (predict); {NO_MODEL}.", empty)
    check = backtest(purchases, as_of=as_of, settings=settings)
    order, why = _choice(check, settings)
    model, name, failures = None, None, {}
    for candidate in order:  # the chosen first; if it cannot be fitted on all sales, the next
        try:
            model = PURCHASE_MODELS[candidate](rfm, penalizer=settings.predict_penalizer)
        except ThinDataError as exc:
            failures[candidate] = str(exc)
            continue
        name = candidate
        break
    if model is None or name is None:
        if len(set(failures.values())) == 1:  # too few repeat buyers: one reason for all
            return Prediction(None, None, why, next(iter(failures.values())), empty, check)
        tried = "; ".join(f"{MODEL_NAMES[n]}: {_clause(e)}" for n, e in failures.items())
        note = f"No purchase model could be fitted on all sales ({tried}); {NO_MODEL}."
        return Prediction(None, None, why, note, empty, backtest=check)
    if name != order[0]:
        failed = _clause(failures[order[0]])
        why += (f" {MODEL_NAMES[order[0]]} could not be fitted on all sales ({failed}); "
                f"{MODEL_NAMES[name]} is used instead.")  # fmt: skip
    table = pd.DataFrame({"p_alive": model.p_alive(rfm)})
    if name not in _ALIVE_FOR_ALL:  # BG/NBD: one-time buyers are alive by construction
        table["p_alive"] = table["p_alive"].where(rfm["frequency"] > 0)
    for days in HORIZONS:
        table[f"expected_purchases_{days}"] = model.expected_purchases(rfm, days)
    table["order_value"] = order_value(rfm, revenue)
    spend_fit, spend_note = _spend_model(rfm)
    spend = spend_fit if spend_fit is not None and not spend_fit.degenerate else None
    value = spend.expected_order_value(rfm) if spend is not None else table["order_value"]
    table["expected_order_value"] = value.clip(lower=0.0)
    spend_365 = table["expected_purchases_365"] * table["expected_order_value"]
    table["expected_value_365"] = spend_365.clip(lower=0.0)
    months, rate = settings.clv_months, settings.clv_discount_rate
    worth = (spend.clv(model, rfm, months=months, discount_rate=rate) if spend is not None
             else _discounted(model, rfm, table["order_value"], months, rate))  # fmt: skip
    table["customer_value"] = worth.clip(lower=0.0)
    note = " ".join(s for s in (why, _held_out(check, name), _fitted(model, name, rfm), spend_note)
                    if s)  # fmt: skip
    return Prediction(name, model, why, note, table, backtest=check, spend=spend,
                      spend_fit=spend_fit, spend_note=spend_note)  # fmt: skip


def backtest(purchases: pd.DataFrame, *, as_of: date, settings: Settings) -> Backtest:
    """Fit every model on the sales before the last ``holdout_days`` and check the holdout.

    With a model named in Settings only that one is checked (there is nothing to choose).
    """
    days = settings.holdout_days or default_holdout_days(purchases)
    end = as_of - timedelta(days=days)
    frame = calibration_holdout(purchases, calibration_end=end, as_of=as_of)
    everyone = len(frame)
    frame = _sample(frame, BACKTEST_CUSTOMERS)
    cal = frame.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency",
                                "T_cal": "T", "monetary_value_cal": "monetary_value"})  # fmt: skip
    actual = frame["frequency_holdout"]
    names = [n for n in PURCHASE_MODELS if settings.purchase_model in ("auto", n)]
    repeat = int((cal["frequency"] > 0).sum())
    if repeat < MIN_REPEAT_BUYERS:  # the same for every model: say it once, fit none
        why = (f"only {plural(repeat)} bought more than once before {end.isoformat()} (at "
               f"least {MIN_REPEAT_BUYERS} are needed)")  # fmt: skip
        return Backtest(days, end, len(frame), float(actual.sum()),
                        tuple(Trial(n, None, failure=why) for n in names), thin=why,
                        of_customers=everyone if everyone > len(frame) else 0)  # fmt: skip
    trials = []
    for name in names:
        try:
            model = PURCHASE_MODELS[name](cal, penalizer=settings.predict_penalizer)
        except ThinDataError:
            trials.append(Trial(name, None, failure="found no steady answer"))
            continue
        guess = model.expected_purchases(cal, days)
        error = float((guess - actual).abs().mean())
        table = backtest_table(frame, guess)
        trials.append(Trial(name, model, failure=short_reason(model.degenerate), error=error,
                            predicted=float(guess.sum()), table=table))  # fmt: skip
    return Backtest(
        days,
        end,
        len(frame),
        float(actual.sum()),
        tuple(trials),
        of_customers=everyone if everyone > len(frame) else 0,
    )


#: The most customers the backtest fits its models on: a larger book is checked on a fixed
#: sample of them (chosen by a hash of the key, so the same on every run). The error of a
#: model measured on 20,000 customers is as telling as on all, at a fraction of the fits.
BACKTEST_CUSTOMERS = 20_000


def _sample(frame: pd.DataFrame, size: int) -> pd.DataFrame:
    """At most ``size`` rows of ``frame``, the same ones every run (by the key's hash)."""
    if len(frame) <= size:
        return frame
    hashed = pd.util.hash_pandas_object(frame.index.to_series(), index=False).to_numpy()
    keep = np.sort(np.argsort(hashed, kind="stable")[:size])
    return frame.iloc[keep]


# -- the choice and its sentences ---------------------------------------------------------------


def _choice(check: Backtest, settings: Settings) -> tuple[list[str], str]:
    """The models to fit on all sales, best first, and one sentence on why the first."""
    names = list(PURCHASE_MODELS)
    if settings.purchase_model != "auto":
        chosen = settings.purchase_model
        why = f"{MODEL_NAMES[chosen]} as named in Settings (purchase_model)."
        trial = check.trial(chosen)
        if trial is not None and not trial.sound:
            why = why[:-1] + (f"; it could not be checked on the last {check.holdout_days:,} "
                              f"days: {_what_failed(check, settings)}.")  # fmt: skip
        return [chosen, *(n for n in names if n != chosen)], why
    sound = sorted((t for t in check.trials if t.sound), key=lambda t: t.error)
    if sound:
        best = sound[0]
        others = ", ".join(f"{t.error:.2f} for {MODEL_NAMES[t.name]}" for t in sound[1:])
        versus = f" vs {others}" if others else ", the only model that fitted soundly"
        order = [t.name for t in sound] + [n for n in names if n not in {t.name for t in sound}]
        return order, f"{MODEL_NAMES[best.name]} chosen (holdout error {best.error:.2f}{versus})."
    fitted = sorted((t for t in check.trials if t.model is not None and np.isfinite(t.error)),
                    key=lambda t: t.error)  # fmt: skip
    if fitted:  # every fit a limiting case: the backtest still says which predicts best
        best = fitted[0]
        order = [t.name for t in fitted] + [n for n in names if n not in {t.name for t in fitted}]
        others = ", ".join(f"{t.error:.2f} for {MODEL_NAMES[t.name]}" for t in fitted[1:])
        versus = f" vs {others}" if others else ""
        return order, (
            f"{MODEL_NAMES[best.name]} chosen (holdout error {best.error:.2f}{versus}), though "
            f"on the sales before {check.calibration_end.isoformat()} every fit was a limiting "
            f"case ({_what_failed(check, settings, brief=True)})."
        )
    return names, (
        f"No model could be checked on the last {check.holdout_days:,} days: "
        f"{_what_failed(check, settings)}. {MODEL_NAMES[names[0]]} is used, unchecked."
    )


def _what_failed(check: Backtest, settings: Settings, *, brief: bool = False) -> str:
    """Each model tried on the calibration days and why it failed, grouped by reason
    (``brief``: the reasons only, without the date and the advice)."""
    if check.thin:  # too few repeat buyers: one reason for all
        return check.thin
    reasons: dict[str, list[str]] = {}
    for t in check.trials:
        why = t.failure if t.model is None or brief else f"gave a degenerate fit ({t.failure})"
        reasons.setdefault(why, []).append(MODEL_NAMES[t.name])
    if brief:
        return "; ".join(f"{_listed(who)}: {why}" for why, who in reasons.items())
    said = "; ".join(f"{_listed(who)} {why}" for why, who in reasons.items())
    text = f"on the sales before {check.calibration_end.isoformat()}, {said}"
    if any(t.model is None for t in check.trials):
        text += penalizer_advice(settings.predict_penalizer)
    return text


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def short_reason(sentence: str) -> str:
    """The gist of a degeneracy sentence: "s ran off towards 0", "a = 0.0012 is near 0"."""
    if not sentence:
        return ""
    text = sentence.removeprefix("The fit is degenerate: ").strip().removesuffix(".")
    cuts = [i for i in (text.find(": "), text.find(", so "), text.find(" (")) if i > 0]
    text = text[: min(cuts)] if cuts else text
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _clause(sentence: str) -> str:
    """A sentence made a clause: no closing full stop, no "what we do instead" tail."""
    text = sentence.strip().removesuffix(".").replace(f"; {NO_MODEL}", "")
    text = text.replace("; order values are each customer's own average instead", "")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _held_out(check: Backtest, name: str) -> str:
    """ "Last 180 days: predicted 1,204 purchases, 1,131 happened (6 % high)." for ``name``."""
    trial = check.trial(name)
    if trial is None or trial.model is None or not np.isfinite(trial.error):
        return ""
    said = backtest_sentence(trial.predicted, check.actual, check.holdout_days)
    if check.of_customers:
        said = said.removesuffix(".") + (f", on a fixed sample of {check.customers:,} of the "
                                         f"{check.of_customers:,} customers.")  # fmt: skip
    return said


def _fitted(model: FittedModel, name: str, rfm: pd.DataFrame) -> str:
    note = (
        f"Predicted from the purchases of {plural(model.customers)} ({model.repeat_buyers:,} "
        "bought more than once); the Lapsed list is ranked by expected value lost."
    )
    once = int((rfm["frequency"] == 0).sum())
    if once and name not in _ALIVE_FOR_ALL:
        note += (
            f" P(alive) is blank for the {plural(once, 'one-time buyer')}: the model cannot tell "
            "whether they are still customers until they buy again (their status can)."
        )
    return note


def _spend_model(rfm: pd.DataFrame) -> tuple[GammaGammaModel | None, str]:
    """The Gamma-Gamma fit (or None) and, when it is not used, a sentence saying why."""
    fallback = "Expected spend and customer value use each customer's own average order value"
    try:
        fitted = fit_gamma_gamma(rfm)
    except ThinDataError as exc:
        return None, f"{fallback}: {_clause(str(exc))}."
    if fitted.degenerate:
        return fitted, f"{fallback}: {short_reason(fitted.degenerate)}."
    return fitted, ""


def _discounted(
    model: FittedModel, rfm: pd.DataFrame, value: pd.Series, months: int, rate: float
) -> pd.Series:
    """lifetimes' customer_lifetime_value with any order value per customer (30-day months)."""
    total = np.zeros(len(rfm))
    before = np.zeros(len(rfm))
    each = value.reindex(rfm.index).to_numpy(dtype=float)
    for k in range(1, months + 1):
        by_now = model.expected_purchases(rfm, 30 * k).to_numpy(dtype=float)
        total += each * (by_now - before) / (1.0 + rate) ** k
        before = by_now
    return pd.Series(total, index=rfm.index, name="customer_value")
