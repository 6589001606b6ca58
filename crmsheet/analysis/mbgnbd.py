"""The modified BG/NBD model: BG/NBD where a customer may also stop right after the first purchase.

BG/NBD lets a customer stop only after a repeat purchase, so a one-time buyer is alive for
sure however long they have been silent (100 %). The MBG/NBD (Batislam, Denizel & Filiztekin
2007; Wagner & Hoppe 2008) adds a chance to stop at the first purchase too: a one-time
buyer silent for far longer than the usual gap between purchases becomes less and less
likely to be a customer, as a shop owner would judge them.

:func:`fit_mbgnbd` fits it exactly as lifetimes' ``ModifiedBetaGeoFitter`` does (same
likelihood, penalizer, time scaling and starting point; time in days) through the fit
:func:`~crmsheet.analysis.bgnbd.fit_bgnbd` uses, and gives a model with BGNBDModel's
interface (``params``, ``p_alive``, ``expected_purchases``, standard errors, degeneracy).

>>> model = fit_mbgnbd(rfm_summary(purchases, as_of=date(2024, 2, 10)))   # doctest: +SKIP
>>> model.p_alive(rfm).head(2)                                            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import digamma, expit, gammaln, hyp2f1

from .bgnbd import MIN_REPEAT_BUYERS
from .likelihood import fit_log_params, history

__all__ = ["MBGNBDModel", "fit_mbgnbd"]

_PARAMS = ("r", "alpha", "a", "b")


@dataclass(frozen=True, eq=False)
class MBGNBDModel:
    """A fitted MBG/NBD model: ``params`` (r, alpha, a, b; lifetimes' parameterisation, days).

    Purchases follow a Poisson process with rate λ ~ Gamma(r, alpha) per day; at the first
    purchase and after each repeat a customer stops for good with probability p ~ Beta(a, b).
    The other fields are BGNBDModel's: the data it was fitted on, the mean log-likelihood
    (penalizer included, lifetimes' scaled time), standard errors from the Hessian at the
    optimum and ``degenerate`` ("" or why the fit is a limiting case).
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
        return f"<MBGNBDModel {shown}; {self.customers:,} customers, penalizer {self.penalizer:g}>"

    def p_alive(self, rfm: pd.DataFrame) -> pd.Series:
        """Probability each customer is still a customer at the end of ``rfm``'s period.

        ``1 / (1 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x))`` for every
        customer, one-time buyers included (for them: below b / (a + b), falling as T grows),
        as lifetimes' ``conditional_probability_alive``.
        """
        x, tx, t_age = history(rfm)
        return pd.Series(_p_alive(self.params, x, tx, t_age), index=rfm.index, name="p_alive")

    def expected_purchases(self, rfm: pd.DataFrame, days: float) -> pd.Series:
        """Purchases (purchase days) each customer is expected to make in the next ``days``.

        Wagner & Hoppe (2008), as lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``.
        """
        if not np.isfinite(days) or days < 0:
            raise ValueError(f"days must be a number of days, 0 or more, not {days!r}")
        x, tx, t_age = history(rfm)
        values = _expected(self.params, x, tx, t_age, float(days))
        return pd.Series(values, index=rfm.index, name=f"expected_purchases_{days:g}")


def fit_mbgnbd(
    rfm: pd.DataFrame, *, penalizer: float = 0.0, min_repeat_buyers: int = MIN_REPEAT_BUYERS
) -> MBGNBDModel:
    """Fit MBG/NBD by maximum likelihood on ``rfm`` (as :func:`rfm_summary` returns it).

    Same as ``ModifiedBetaGeoFitter(penalizer_coef=penalizer).fit(frequency, recency, T)``,
    fitted as :func:`~crmsheet.analysis.bgnbd.fit_bgnbd` is (scaled time, BFGS on
    log-parameters from 0.1, histories counted once), with the same errors: a
    :class:`~crmsheet.errors.ThinDataError` with fewer than ``min_repeat_buyers`` repeat
    buyers or when the fit does not converge.
    """
    fitted = fit_log_params(_objective, rfm, names=_PARAMS, time_params=("alpha",),
                            penalizer=penalizer, min_repeat_buyers=min_repeat_buyers)  # fmt: skip
    return MBGNBDModel(
        params=fitted.params, penalizer=float(penalizer), customers=fitted.customers,
        repeat_buyers=fitted.repeat_buyers, log_likelihood=fitted.log_likelihood,
        standard_errors=fitted.standard_errors, degenerate=fitted.degenerate,
    )  # fmt: skip


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

    Per customer ``ll = A1 + A2 + A3 + log(1 + exp(A4))`` (lifetimes'
    ``ModifiedBetaGeoFitter._negative_log_likelihood``), the last term as a softplus, for
    one-time buyers too (that is the modification). A1 + A2 depend on the frequency alone:
    computed once per distinct frequency ``ux`` (``ux_weight`` customers each). The gradient
    is with respect to the log-parameters.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(log_params)
        r, alpha, a, b = p
        total = weights.sum()
        a12 = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b)
               + gammaln(b + ux + 1.0) - gammaln(b) - gammaln(a + b + ux + 1.0))  # fmt: skip
        d_r12 = digamma(r + ux) - digamma(r) + np.log(alpha)
        d_a12 = digamma(a + b) - digamma(a + b + ux + 1.0)
        d_b12 = d_a12 + digamma(b + ux + 1.0) - digamma(b)
        rx, bx = r + x, b + x
        log_at, log_atx = np.log(alpha + t_age), np.log(alpha + tx)
        a4 = np.log(a) - np.log(bx) + rx * (log_at - log_atx)
        last = -rx * log_at + np.maximum(a4, 0.0) + np.log1p(np.exp(-np.abs(a4)))
        w4 = expit(a4)  # the share of the "stopped at the last purchase" term
        w3 = 1.0 - w4
        ll = float(ux_weight @ a12) + float(weights @ last)
        grad_ll = np.array([
            ux_weight @ d_r12 - weights @ (w3 * log_at + w4 * log_atx),
            r / alpha * total - weights @ (rx * (w3 / (alpha + t_age) + w4 / (alpha + tx))),
            ux_weight @ d_a12 + (weights @ w4) / a,
            ux_weight @ d_b12 - weights @ (w4 / bx),
        ])  # fmt: skip
        value = -ll / total + penalizer * float(np.sum(p**2))
        grad = -grad_ll / total * p + 2.0 * penalizer * p**2
    if not (np.isfinite(value) and np.isfinite(grad).all()):
        return np.inf, np.zeros(4)  # the line search steps back
    return value, grad


def _log_ratio(params: dict[str, float], x: np.ndarray, tx: np.ndarray, t_age: np.ndarray) -> Any:
    """log of the odds a customer has stopped (P(alive) = 1 / (1 + exp(this)))."""
    r, alpha, a, b = (params[k] for k in _PARAMS)
    return (r + x) * np.log((alpha + t_age) / (alpha + tx)) + np.log(a / (b + x))


def _p_alive(params: dict[str, float], x: np.ndarray, tx: np.ndarray, t_age: np.ndarray) -> Any:
    return expit(-_log_ratio(params, x, tx, t_age))


def _expected(
    params: dict[str, float], x: np.ndarray, tx: np.ndarray, t_age: np.ndarray, t: float
) -> Any:
    """E[purchases in (T, T + t] | x, t_x, T]; the hypergeometric term as lifetimes does it."""
    r, alpha, a, b = (params[k] for k in _PARAMS)
    big_a, big_b, big_c = r + x, b + x + 1.0, a + b + x
    z = t / (alpha + t_age + t)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ln_hyp = np.log(hyp2f1(big_a, big_b, big_c, z))
        # where 2F1 overflows, Euler's transformation gives the same value
        alt = np.log(hyp2f1(big_c - big_a, big_c - big_b, big_c, z)) + (
            big_c - big_a - big_b) * np.log1p(-z)  # fmt: skip
        ln_hyp = np.where(np.isfinite(ln_hyp), ln_hyp, alt)
        first = (a + b + x) / (a - 1.0)
        second = -np.expm1(ln_hyp + (r + x) * np.log((alpha + t_age) / (alpha + t_age + t)))
    # lifetimes divides by 1 + exp(log ratio): that is multiplying by P(alive)
    return first * second * _p_alive(params, x, tx, t_age)
