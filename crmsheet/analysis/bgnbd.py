"""Who is still a customer, and how much will they buy? The BG/NBD model.

Days since the last purchase miss that a yearly buyer silent for eight months is fine while
a weekly buyer silent for six weeks is not. The BG/NBD model (Fader, Hardie & Lee 2005)
learns from every customer's frequency, recency and age at once how fast customers buy and
how likely they are to stop after a purchase; per customer it then gives the probability
they are still a customer (``p_alive``) and the purchases to expect in the next days.

:func:`fit_bgnbd` fits it by maximum likelihood on :func:`~crmsheet.analysis.rfm.rfm_summary`'s
frame exactly as lifetimes' ``BetaGeoFitter`` does (same likelihood, penalizer, time scaling
and starting point; time in days), and :func:`forecast` turns a fit into the per-customer
columns :func:`~crmsheet.analysis.analyze` uses, or into one plain sentence saying why there
is no fit (too few repeat buyers, no convergence, turned off).

>>> model = fit_bgnbd(rfm_summary(purchases, as_of=date(2024, 2, 10)))   # doctest: +SKIP
>>> model.params                                                          # doctest: +SKIP
{'r': 0.52, 'alpha': 21.3, 'a': 0.81, 'b': 2.47}
>>> model.p_alive(rfm).head(2)                                            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import digamma, expit, gammaln, hyp2f1

from ..config import Settings
from ..errors import ThinDataError
from .columns import Column, money, rate, share
from .likelihood import NO_MODEL, fit_log_params, plural
from .likelihood import history as _history

__all__ = [
    "FORECAST_COLUMNS",
    "FORECAST_SHOWN",
    "HORIZONS",
    "MIN_REPEAT_BUYERS",
    "P_ALIVE_BLANK",
    "BGNBDModel",
    "Forecast",
    "fit_bgnbd",
    "forecast",
    "order_value",
]

#: Fewer customers than this who bought on two days or more: no model (the fit would mostly
#: echo the starting point, and P(alive) would be noise).
MIN_REPEAT_BUYERS = 20

#: The horizons, in days, of the expected purchases :func:`forecast` gives.
HORIZONS = (30, 90, 365)

#: :func:`forecast`'s columns, in order.
FORECAST_COLUMNS = [
    "p_alive", *(f"expected_purchases_{d}" for d in HORIZONS), "order_value",
    "expected_value_365",
]  # fmt: skip

#: The forecast's columns as a reader sees them.
FORECAST_SHOWN: dict[str, Column] = {
    "p_alive": share("P(alive)"),
    **{f"expected_purchases_{d}": rate(f"Expected purchases ({d} days)") for d in HORIZONS},
    "order_value": money("Average order value"),
    "expected_value_365": money("Expected value (365 days)"),
}  # fmt: skip

#: Why :func:`forecast` leaves P(alive) blank for one-time buyers (a column note's text).
P_ALIVE_BLANK = (
    "P(alive) is blank for a customer who bought only once: the model lets customers stop "
    "only after a repeat purchase, so it would show 100 % for them however long they have "
    "been silent; their status says whether they lapsed"
)

_PARAMS = ("r", "alpha", "a", "b")


@dataclass(frozen=True, eq=False)
class BGNBDModel:
    """A fitted BG/NBD model: ``params`` (r, alpha, a, b; lifetimes' parameterisation, days).

    Purchases follow a Poisson process with rate λ ~ Gamma(r, alpha) per day, and after each
    purchase a customer stops for good with probability p ~ Beta(a, b). ``customers`` and
    ``repeat_buyers`` describe the data it was fitted on; ``log_likelihood`` is the mean per
    customer at the optimum (penalizer included, in lifetimes' scaled time, as its
    ``_negative_log_likelihood_`` with the sign flipped). ``standard_errors`` (per parameter,
    alpha in days) come from the Hessian at the optimum, as lifetimes' ``standard_errors_``;
    ``degenerate`` is "" or a sentence saying why the fit is a limiting case rather than an
    estimate (see :func:`~crmsheet.analysis.likelihood.degeneracy`).
    """

    params: dict[str, float]
    penalizer: float
    customers: int
    repeat_buyers: int
    log_likelihood: float
    standard_errors: dict[str, float] = field(default_factory=dict)
    degenerate: str = ""

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"<BGNBDModel {shown}; {self.customers:,} customers, penalizer {self.penalizer:g}>"

    def p_alive(self, rfm: pd.DataFrame) -> pd.Series:
        """Probability each customer is still a customer at the end of ``rfm``'s period.

        One-time buyers are always alive in this model (it only lets customers stop after a
        repeat purchase), as in lifetimes' ``conditional_probability_alive``.
        """
        x, tx, t_age = _history(rfm)
        return pd.Series(_p_alive(self.params, x, tx, t_age), index=rfm.index, name="p_alive")

    def expected_purchases(self, rfm: pd.DataFrame, days: float) -> pd.Series:
        """Purchases (purchase days) each customer is expected to make in the next ``days``.

        Equation (10) of Fader, Hardie & Lee (2005), as lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``.
        """
        if not np.isfinite(days) or days < 0:
            raise ValueError(f"days must be a number of days, 0 or more, not {days!r}")
        x, tx, t_age = _history(rfm)
        values = _expected(self.params, x, tx, t_age, float(days))
        return pd.Series(values, index=rfm.index, name=f"expected_purchases_{days:g}")


def fit_bgnbd(
    rfm: pd.DataFrame, *, penalizer: float = 0.0, min_repeat_buyers: int = MIN_REPEAT_BUYERS
) -> BGNBDModel:
    """Fit BG/NBD by maximum likelihood on ``rfm`` (as :func:`rfm_summary` returns it).

    Same as ``BetaGeoFitter(penalizer_coef=penalizer).fit(frequency, recency, T)``: times are
    scaled so the oldest customer's age is 1, the mean log-likelihood plus ``penalizer *
    sum(params ** 2)`` (scaled parameters) is minimised over log-parameters by BFGS from 0.1,
    and alpha is scaled back to days. Customers with the same history are counted once,
    weighted (the likelihood is unchanged). Raises :class:`~crmsheet.errors.ThinDataError`
    (its message fit for a shop owner) with fewer than ``min_repeat_buyers`` repeat buyers,
    or when the fit does not converge: BFGS fails with a gradient that is not flat, or a
    parameter runs off beyond 1e-6..1e6 (in the scaled time it is fitted in), where the
    model degenerates ("nobody ever stops buying") and lifetimes does not converge either.
    The standard errors and the degeneracy sentence come with the fit.
    """
    fitted = fit_log_params(_objective, rfm, names=_PARAMS, time_params=("alpha",),
                            penalizer=penalizer, min_repeat_buyers=min_repeat_buyers)  # fmt: skip
    return BGNBDModel(
        params=fitted.params, penalizer=float(penalizer), customers=fitted.customers,
        repeat_buyers=fitted.repeat_buyers, log_likelihood=fitted.log_likelihood,
        standard_errors=fitted.standard_errors, degenerate=fitted.degenerate,
    )  # fmt: skip


# -- what analyze() uses ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Forecast:
    """:func:`forecast`'s answer: the model (or None), one sentence on it, and the table.

    ``table`` has :data:`FORECAST_COLUMNS` indexed like the RFM frame, and no rows when
    there is no model.
    """

    model: BGNBDModel | None
    note: str
    table: pd.DataFrame


def order_value(rfm: pd.DataFrame, revenue: pd.Series) -> pd.Series:
    """Average spend per purchase day: ``revenue / (frequency + 1)``, the model's unit.

    ``revenue`` is each customer's total over the days ``rfm`` counts (first day included);
    one purchase day is one purchase in BG/NBD, so this is the value of one expected
    purchase. (lifetimes' ``monetary_value`` leaves the first day out: 0 for one-time buyers.)
    """
    spent = revenue.reindex(rfm.index).astype(float)
    return (spent / (rfm["frequency"] + 1.0)).rename("order_value")


def forecast(rfm: pd.DataFrame, *, revenue: pd.Series, settings: Settings) -> Forecast:
    """Fit the model (unless ``settings.predict`` is off) and forecast every customer.

    Columns: p_alive (blank, NaN, for one-time buyers: BG/NBD cannot estimate it for them, see
    :data:`P_ALIVE_BLANK`; the note says so), expected purchases in the next 30, 90 and 365
    days, order_value (see :func:`order_value`) and expected_value_365 (expected purchases in
    365 days times the order value). Never raises on the data: a thin history or a failed fit
    gives no model and a note saying why, in plain words.
    """
    empty = pd.DataFrame(columns=FORECAST_COLUMNS, index=rfm.index[:0], dtype=float)
    if not settings.predict:
        return Forecast(None, f"Turned off in Settings (predict); {NO_MODEL}.", empty)
    try:
        model = fit_bgnbd(rfm, penalizer=settings.predict_penalizer)
    except ThinDataError as exc:
        return Forecast(None, str(exc), empty)
    # x = 0 gives P(alive) = 1 by construction (stopping follows a purchase): not an estimate
    repeat = rfm["frequency"] > 0
    table = pd.DataFrame({"p_alive": model.p_alive(rfm).where(repeat)})
    for days in HORIZONS:
        table[f"expected_purchases_{days}"] = model.expected_purchases(rfm, days)
    table["order_value"] = order_value(rfm, revenue)
    table["expected_value_365"] = table["expected_purchases_365"] * table["order_value"]
    once = int((~repeat).sum())
    note = (
        f"Predicted from the purchases of {plural(model.customers)} ({model.repeat_buyers:,} "
        "bought more than once); the Lapsed list is ranked by expected value lost."
    )
    if once:
        note += (
            f" P(alive) is blank for the {plural(once, 'one-time buyer')}: the model cannot tell "
            "whether they are still customers until they buy again (their status can)."
        )
    return Forecast(model, note, table)


# -- the model ------------------------------------------------------------------------------


def _objective(
    log_params: np.ndarray,
    ux: np.ndarray,
    ux_weight: np.ndarray,
    x: np.ndarray,
    tx: np.ndarray,
    t_age: np.ndarray,
    weights: np.ndarray,
    penalizer: float,
) -> tuple[float, np.ndarray]:
    """lifetimes' negative mean log-likelihood plus penalizer, and its gradient.

    Per customer (Fader, Hardie & Lee 2005, section 7), ``ll = A1 + A2 + log(exp(A3) +
    [x > 0] exp(A4))``; the last term is ``A3 + softplus(A4 - A3)``, so it neither overflows
    nor underflows. A1 and A2 depend on the frequency alone: they are computed once per
    distinct frequency ``ux`` (``ux_weight`` customers each). The histories are sorted by
    frequency, one-time buyers first. The gradient is with respect to the log-parameters.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(log_params)
        r, alpha, a, b = p
        total = weights.sum()
        # the terms of the frequency alone, once per distinct frequency
        a12 = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b)
               + gammaln(b + ux) - gammaln(b) - gammaln(a + b + ux))  # fmt: skip
        d_r12 = digamma(r + ux) - digamma(r) + np.log(alpha)
        d_a12 = digamma(a + b) - digamma(a + b + ux)
        d_b12 = d_a12 + digamma(b + ux) - digamma(b)
        # per history: log(exp(A3) + [x > 0] exp(A4)) = A3 + [x > 0] softplus(A4 - A3)
        rx = r + x
        log_at, log_atx = np.log(alpha + t_age), np.log(alpha + tx)
        last = -rx * log_at
        w4 = np.zeros_like(x)  # the share of exp(A4) in the sum; none for one-time buyers
        rep = slice(int(np.searchsorted(x, 0.0, side="right")), None)
        bx = b + x[rep] - 1.0
        gap = np.log(a) - np.log(bx) - rx[rep] * (log_atx[rep] - log_at[rep])  # A4 - A3
        last[rep] += np.maximum(gap, 0.0) + np.log1p(np.exp(-np.abs(gap)))
        w4[rep] = expit(gap)
        w3 = 1.0 - w4
        ll = float(ux_weight @ a12) + float(weights @ last)
        grad_ll = np.array([
            ux_weight @ d_r12 - weights @ (w3 * log_at + w4 * log_atx),
            r / alpha * total - weights @ (rx * (w3 / (alpha + t_age) + w4 / (alpha + tx))),
            ux_weight @ d_a12 + (weights @ w4) / a,
            ux_weight @ d_b12 - weights[rep] @ (w4[rep] / bx),
        ])  # fmt: skip
        value = -ll / total + penalizer * float(np.sum(p**2))
        grad = -grad_ll / total * p + 2.0 * penalizer * p**2
    if not (np.isfinite(value) and np.isfinite(grad).all()):
        return np.inf, np.zeros(4)  # the line search steps back
    return value, grad


def _log_ratio(params: dict[str, float], x: np.ndarray, tx: np.ndarray, t_age: np.ndarray) -> Any:
    """log of the odds a repeat buyer has stopped (P(alive) = 1 / (1 + exp(this)))."""
    r, alpha, a, b = (params[k] for k in _PARAMS)
    return (r + x) * np.log((alpha + t_age) / (alpha + tx)) + np.log(a / (b + np.maximum(x, 1) - 1))


def _p_alive(params: dict[str, float], x: np.ndarray, tx: np.ndarray, t_age: np.ndarray) -> Any:
    return np.where(x == 0, 1.0, expit(-_log_ratio(params, x, tx, t_age)))


def _expected(
    params: dict[str, float], x: np.ndarray, tx: np.ndarray, t_age: np.ndarray, t: float
) -> Any:
    """E[purchases in (T, T + t] | x, t_x, T]; the hypergeometric term as lifetimes does it."""
    r, alpha, a, b = (params[k] for k in _PARAMS)
    big_a, big_b, big_c = r + x, b + x, a + b + x - 1.0
    z = t / (alpha + t_age + t)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ln_hyp = np.log(hyp2f1(big_a, big_b, big_c, z))
        # where 2F1 overflows, Euler's transformation gives the same value
        alt = np.log(hyp2f1(big_c - big_a, big_c - big_b, big_c, z)) + (
            big_c - big_a - big_b) * np.log1p(-z)  # fmt: skip
        ln_hyp = np.where(np.isfinite(ln_hyp), ln_hyp, alt)
        first = (a + b + x - 1.0) / (a - 1.0)
        second = -np.expm1(ln_hyp + (r + x) * np.log((alpha + t_age) / (alpha + t_age + t)))
    # lifetimes divides by 1 + [x > 0] exp(log ratio): that is multiplying by P(alive)
    return first * second * _p_alive(params, x, tx, t_age)
