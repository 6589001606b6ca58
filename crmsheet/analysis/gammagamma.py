"""What is a customer worth? The Gamma-Gamma spend model and customer lifetime value.

A repeat buyer's average order is a noisy guess of what they will spend next: three orders
of 900 say less than thirty. The Gamma-Gamma model (Fader, Hardie & Lee 2005; Hardie's note
025) learns from every repeat buyer how much order values vary within a customer and
between customers, and shrinks each customer's average toward the population's mean by how
much evidence they gave. Times a purchase model's expected purchases, month by month and
discounted, that is the customer's lifetime value (CLV) in money.

:func:`fit_gamma_gamma` fits it exactly as lifetimes' ``GammaGammaFitter`` does (same
likelihood, penalizer, starting point and optimiser), on :func:`~crmsheet.analysis.rfm.
rfm_summary`'s frame; :meth:`GammaGammaModel.clv` is lifetimes' ``customer_lifetime_value``
with any purchase model that has ``expected_purchases(rfm, days)`` (``BGNBDModel``).

>>> spend = fit_gamma_gamma(rfm)                                   # doctest: +SKIP
>>> spend.params                                                   # doctest: +SKIP
{'p': 6.25, 'q': 3.74, 'v': 15.4}
>>> spend.clv(fit_bgnbd(rfm), rfm, months=12).head(2)              # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, polygamma

from ..errors import ThinDataError
from .bgnbd import MIN_REPEAT_BUYERS

__all__ = ["GammaGammaModel", "PurchaseModel", "fit_gamma_gamma"]

_PARAMS = ("p", "q", "v")
_START = 0.1  # lifetimes' starting point: every log-parameter 0.1
_TOL = 1e-7  # lifetimes' default tolerance
_SETTLED = 1e-5  # a gradient this flat is an optimum even when BFGS reports lost precision
_EXTREME = 1e6  # p, q or v / (typical order) beyond 1e-6..1e6: ran off to a boundary
_DAYS_PER_MONTH = 30  # lifetimes' freq="D": a month is 30 days
_NO_MODEL = "order values are each customer's own average instead"


class PurchaseModel(Protocol):
    """What :meth:`GammaGammaModel.clv` needs of a purchase model (``BGNBDModel`` has it)."""

    def expected_purchases(self, rfm: pd.DataFrame, days: float) -> pd.Series: ...


@dataclass(frozen=True, eq=False)
class GammaGammaModel:
    """A fitted Gamma-Gamma model: ``params`` (p, q, v; lifetimes' parameterisation).

    Each order of a customer is Gamma(p, nu) (shape p, rate nu), and nu varies between
    customers as Gamma(q, v): a customer's mean order is p / nu, the population's
    p v / (q - 1). ``standard_errors`` are the parameters' (inverse Hessian of the penalised
    mean negative log-likelihood at the optimum, on the log scale, carried to p, q, v by the
    delta method: lifetimes' ``standard_errors_``). ``degenerate`` is "" for a sound fit, else
    a plain sentence on what went wrong. ``customers`` is the repeat buyers it was fitted
    on; ``log_likelihood`` the mean per customer at the optimum, penalizer included.
    """

    params: dict[str, float]
    penalizer: float
    customers: int
    log_likelihood: float
    standard_errors: dict[str, float]
    degenerate: str

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        flag = "; degenerate" if self.degenerate else ""
        return (f"<GammaGammaModel {shown}; {self.customers:,} repeat buyers, penalizer "
                f"{self.penalizer:g}{flag}>")  # fmt: skip

    @property
    def population_mean(self) -> float:
        """The mean order value of a customer nothing is known of: p v / (q - 1)."""
        p, q, v = (self.params[k] for k in _PARAMS)
        return p * v / (q - 1.0)

    def expected_order_value(self, rfm: pd.DataFrame) -> pd.Series:
        """Each customer's expected order value given their repeat orders (equation 5).

        A weighted mean of their own average (``monetary_value``, repeat days only) and the
        population mean, the weight ``p x / (p x + q - 1)`` growing with their repeat
        purchases ``x``; a one-time buyer gets the population mean. lifetimes'
        ``conditional_expected_average_profit``.
        """
        x, m = _spend(rfm)
        p, q, _ = (self.params[k] for k in _PARAMS)
        own = p * x / (p * x + q - 1.0)
        values = (1.0 - own) * self.population_mean + own * m
        return pd.Series(values, index=rfm.index, name="expected_order_value")

    def clv(
        self,
        purchase_model: PurchaseModel,
        rfm: pd.DataFrame,
        months: int = 12,
        discount_rate: float = 0.01,
    ) -> pd.Series:
        """Discounted value of each customer's purchases over the next ``months`` (money).

        For each month k = 1..months (30 days each): the purchases ``purchase_model``
        expects in that month (expected by day 30k less expected by day 30(k - 1)) times the
        expected order value, divided by ``(1 + discount_rate) ** k``. lifetimes'
        ``customer_lifetime_value(model, frequency, recency, T, monetary_value,
        time=months, discount_rate=discount_rate, freq="D")``.
        """
        if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 0:
            raise ValueError(f"months must be a whole number of months, 0 or more, not {months!r}")
        if not np.isfinite(discount_rate) or discount_rate <= -1:
            raise ValueError(f"discount_rate must be above -1 (0.01 is 1 % a month), not "
                             f"{discount_rate!r}")  # fmt: skip
        value = self.expected_order_value(rfm).to_numpy()
        total = np.zeros(len(rfm))
        before = np.zeros(len(rfm))  # expected purchases by the end of the month before
        for k in range(1, int(months) + 1):  # one vectorised call per month, not per customer
            by_now = purchase_model.expected_purchases(rfm, k * _DAYS_PER_MONTH)
            by_now = np.asarray(by_now.reindex(rfm.index), dtype=float)
            total += value * (by_now - before) / (1.0 + discount_rate) ** k
            before = by_now
        return pd.Series(total, index=rfm.index, name="clv")


def fit_gamma_gamma(
    rfm: pd.DataFrame, penalizer: float = 0.0, *, min_repeat_buyers: int = MIN_REPEAT_BUYERS
) -> GammaGammaModel:
    """Fit Gamma-Gamma by maximum likelihood on ``rfm``'s repeat buyers.

    The customers with ``frequency > 0`` and ``monetary_value > 0`` (a one-time buyer has no
    repeat order to learn from; lifetimes refuses values of 0 or less). Same as
    ``GammaGammaFitter(penalizer_coef=penalizer).fit(frequency, monetary_value)`` on them:
    the mean negative log-likelihood plus ``penalizer * (p² + q² + v²)`` (v in money, as
    lifetimes has it) minimised over log-parameters by BFGS from 0.1. Raises
    :class:`~crmsheet.errors.ThinDataError` with fewer than ``min_repeat_buyers`` such
    customers or when the optimiser finds no finite answer; a fit that ran off or is not
    identified is returned with ``degenerate`` saying so.
    """
    if penalizer < 0 or not np.isfinite(penalizer):
        raise ValueError(f"penalizer must be 0 or more, not {penalizer!r}")
    x, m = _spend(rfm)
    fit = (x > 0) & (m > 0)
    x, m = x[fit], m[fit]
    if len(x) < max(min_repeat_buyers, 1):
        raise ThinDataError(
            f"Not enough repeat purchases to learn how order values vary: {_n(len(x))} "
            f"bought on more than one day, and at least {max(min_repeat_buyers, 1)} are "
            f"needed; {_NO_MODEL}."
        )
    data = _Data(x, m)
    result = minimize(_objective, np.full(3, _START), args=(data, penalizer), jac=True,
                      method="BFGS", tol=_TOL)  # fmt: skip
    if not (np.all(np.isfinite(result.x)) and np.isfinite(result.fun)):
        raise ThinDataError(
            f"The order values do not fit the spend model (it found no finite answer); {_NO_MODEL}."
        )
    theta = result.x
    params = dict(zip(_PARAMS, (float(v) for v in np.exp(theta)), strict=True))
    hess = _hessian(theta, data, penalizer)
    errors, singular = _standard_errors(params, hess, len(x))
    settled = result.success or bool(np.max(np.abs(result.jac)) < _SETTLED)
    return GammaGammaModel(
        params=params, penalizer=float(penalizer), customers=len(x),
        log_likelihood=-float(result.fun), standard_errors=errors,
        degenerate=_degenerate(params, float(np.mean(m)), settled, singular),
    )  # fmt: skip


# -- the model ------------------------------------------------------------------------------


class _Data:
    """The repeat buyers' terms that do not depend on the parameters, computed once."""

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.x, self.m, self.xm = x, m, x * m
        self.log_m, self.log_x = np.log(m), np.log(x)
        self.n = float(len(x))


def _spend(rfm: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("frequency", "monetary_value") if c not in rfm.columns]
    if missing:
        raise ValueError(f"rfm needs the columns of rfm_summary(); missing: {missing}")
    x, m = (rfm[c].to_numpy(dtype=float) for c in ("frequency", "monetary_value"))
    if not (np.isfinite(x).all() and np.isfinite(m).all()):
        raise ValueError("frequency and monetary_value must be numbers (no blanks)")
    if (x < 0).any() or (x % 1 != 0).any():
        raise ValueError("frequency must be a whole number, 0 or more")
    return x, m


def _objective(theta: np.ndarray, d: _Data, penalizer: float) -> tuple[float, np.ndarray]:
    """lifetimes' mean negative log-likelihood plus penalizer, and its gradient (log scale).

    Per repeat buyer (Hardie's note 025, equation 1a): ``ll = lgamma(px + q) - lgamma(px)
    - lgamma(q) + q log v + (px - 1) log m + px log x - (px + q) log(x m + v)``.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        par = np.exp(theta)
        p, q, v = par
        px = p * d.x
        s = px + q
        log_xmv = np.log(d.xm + v)
        ll = (gammaln(s) - gammaln(px) - gammaln(q) + q * np.log(v) + (px - 1.0) * d.log_m
              + px * d.log_x - s * log_xmv)  # fmt: skip
        dig = digamma(s)
        grad_ll = np.array([
            float(d.x @ (dig - digamma(px) + d.log_m + d.log_x - log_xmv)),
            float(np.sum(dig - log_xmv)) + d.n * (np.log(v) - float(digamma(q))),
            d.n * q / v - float(np.sum(s / (d.xm + v))),
        ])  # fmt: skip
        value = -float(np.sum(ll)) / d.n + penalizer * float(np.sum(par**2))
        grad = -grad_ll / d.n * par + 2.0 * penalizer * par**2
    if not (np.isfinite(value) and np.isfinite(grad).all()):
        return np.inf, np.zeros(3)  # the line search steps back
    return value, grad


def _hessian(theta: np.ndarray, d: _Data, penalizer: float) -> Any:
    """The exact Hessian of :func:`_objective` in the log-parameters (trigamma terms)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        par = np.exp(theta)
        p, q, v = par
        px = p * d.x
        s = px + q
        xmv = d.xm + v
        tri_s, tri_px = polygamma(1, s), polygamma(1, px)
        dig = digamma(s)
        g = np.array([  # the gradient of the summed log-likelihood in p, q, v
            float(d.x @ (dig - digamma(px) + d.log_m + d.log_x - np.log(xmv))),
            float(np.sum(dig - np.log(xmv))) + d.n * (np.log(v) - float(digamma(q))),
            d.n * q / v - float(np.sum(s / xmv)),
        ])  # fmt: skip
        h = np.empty((3, 3))
        h[0, 0] = float((d.x**2) @ (tri_s - tri_px))
        h[0, 1] = h[1, 0] = float(d.x @ tri_s)
        h[0, 2] = h[2, 0] = -float(np.sum(d.x / xmv))
        h[1, 1] = float(np.sum(tri_s)) - d.n * float(polygamma(1, q))
        h[1, 2] = h[2, 1] = d.n / v - float(np.sum(1.0 / xmv))
        h[2, 2] = -d.n * q / v**2 + float(np.sum(s / xmv**2))
        # chain rule to the log scale: d2/dθi dθj = pi pj h_ij + [i = j] pi g_i
        h_log = np.outer(par, par) * h + np.diag(par * g)
        return -h_log / d.n + np.diag(4.0 * penalizer * par**2)


def _standard_errors(
    params: dict[str, float], hess: np.ndarray, n: int
) -> tuple[dict[str, float], bool]:
    """Standard errors of p, q, v and whether the Hessian is singular or not positive definite.

    Var(log-parameters) is the inverse Hessian of the mean objective over n customers; the
    delta method gives se(p_i) = p_i se(log p_i). NaN where the Hessian cannot be inverted.
    """
    nan = dict.fromkeys(_PARAMS, float("nan"))
    if not np.isfinite(hess).all():
        return nan, True
    eig = np.linalg.eigvalsh(hess)
    if eig[0] <= 1e-12 * max(abs(eig[-1]), 1e-300):
        return nan, True
    var_log = np.diag(np.linalg.inv(hess)) / n
    values = np.array([params[k] for k in _PARAMS]) * np.sqrt(var_log)
    return dict(zip(_PARAMS, (float(v) for v in values), strict=True)), False


def _degenerate(params: dict[str, float], typical: float, settled: bool, singular: bool) -> str:
    """Empty for a sound fit, else one plain sentence on what went wrong (the first found)."""
    p, q, v = (params[k] for k in _PARAMS)
    scaled = {"p": p, "q": q, "v": v / typical}  # v is in money: compare it with an order
    off = [k for k, value in scaled.items() if not 1.0 / _EXTREME < value < _EXTREME]
    if off:
        return (
            f"The spend model ran off to a boundary ({', '.join(off)} "
            f"{'is' if len(off) == 1 else 'are'} extreme): the order values barely vary "
            "within or between customers, so it cannot tell the two apart."
        )
    if singular:
        return (
            "The spend model's parameters are not pinned down by the data (the Hessian is "
            "singular or not positive definite), so their standard errors are unknown."
        )
    if not settled:
        return "The spend model's fit did not settle (the optimiser stopped on a slope)."
    if q <= 1.0:
        return (
            f"The spend model's q is {q:.3g}, at or below 1: the population's mean order "
            "value is not defined, so one-time buyers' expected order values are meaningless."
        )
    return ""


def _n(count: int, one: str = "customer") -> str:
    return f"{count:,} {one}" + ("" if count == 1 else "s")
