"""Who is still a customer? The Pareto/NBD model, which lets one-time buyers leave too.

BG/NBD lets a customer stop only just after a purchase, so a one-time buyer is 100 % alive
however long they have been silent. Pareto/NBD (Schmittlein, Morrison & Colombo 1987) lets
customers stop at any time: purchases follow a Poisson process with rate λ ~ Gamma(r, alpha)
and each customer's lifetime is exponential with rate μ ~ Gamma(s, beta). Per customer it
gives the probability they are still a customer (``p_alive``, below 1 for a silent one-time
buyer too) and the purchases to expect in the next days.

:func:`fit_pareto_nbd` maximises the likelihood lifetimes' ``ParetoNBDFitter`` maximises
(same objective, penalizer and time scaling; time in days), but to the optimum: lifetimes'
Nelder-Mead from a random start stops early (two seeds can give shape parameters a factor
five apart), so this fit uses BFGS on the log-parameters with a batched central-difference
gradient, and reports standard errors and whether the fit is degenerate.

>>> model = fit_pareto_nbd(rfm_summary(purchases, as_of=date(2024, 2, 10)))  # doctest: +SKIP
>>> model.params                                                            # doctest: +SKIP
{'r': 0.5, 'alpha': 20.1, 's': 0.61, 'beta': 197.0}
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, exprel, gammaln, hyp2f1

from ..errors import ThinDataError
from .bgnbd import MIN_REPEAT_BUYERS
from .likelihood import check as _check
from .likelihood import history as _history
from .likelihood import plural as _n

__all__ = ["ParetoNBDModel", "fit_pareto_nbd"]

_PARAMS = ("r", "alpha", "s", "beta")
_TOL = 1e-7  # BFGS's gradient tolerance on the mean objective
_SETTLED = 1e-4  # BFGS may stop on "precision loss" at the optimum: accept a flat gradient
_GRAD_STEP = 1e-5  # central differences on the log-parameters, for the gradient ...
_HESS_STEP = 1e-3  # ... and for the Hessian (steps 3e-3 to 3e-4 agree to 1e-5)
_LOOSE = 2.0  # a log-parameter's standard error above this (a factor e**2): not determined
# a parameter (time scaled as fitted) beyond 1e-6..1e6 ran off to a boundary of the model
_EXTREME = float(np.log(1e6))
#: What a flat direction along two parameters growing together says about the customers.
_MEANING: dict[tuple[int, ...], str] = {
    (0, 1): ": customers seem to buy at one common rate",
    (2, 3): ": customers seem to leave at one common rate, if at all",
}
_NO_MODEL = "lapsed customers are found by their usual gap between purchases instead"


@dataclass(frozen=True, eq=False)
class ParetoNBDModel:
    """A fitted Pareto/NBD model: ``params`` (r, alpha, s, beta; lifetimes' names, days).

    ``standard_errors`` are those of the parameters (same keys and units), from the inverse
    Hessian of the penalised negative log-likelihood at the optimum; NaN when the Hessian is
    not positive definite. ``degenerate`` is "" for a sound fit, else one plain sentence on
    what is wrong (a parameter running off, a flat likelihood, no convergence); the figures
    of a degenerate model should not be shown as estimates. ``log_likelihood`` is the mean
    per customer at the optimum, penalizer included, in lifetimes' scaled time
    (``-_negative_log_likelihood_ / customers``).
    """

    params: dict[str, float]
    penalizer: float
    customers: int
    repeat_buyers: int
    log_likelihood: float
    standard_errors: dict[str, float]
    degenerate: str

    def p_alive(self, rfm: pd.DataFrame) -> pd.Series:
        """P(still a customer | history) per row of ``rfm``; lifetimes'
        ``conditional_probability_alive``. Below 1 for one-time buyers too."""
        x, tx, t_age = _history(rfm)
        values = expit(-_log_odds_dead(self.params, x, tx, t_age))
        return pd.Series(values, index=rfm.index, name="p_alive")

    def expected_purchases(self, rfm: pd.DataFrame, days: float) -> pd.Series:
        """Expected purchases in the next ``days`` days per row of ``rfm``; lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``."""
        if not np.isfinite(days) or days < 0:
            raise ValueError(f"days must be a number of days, 0 or more, not {days!r}")
        x, tx, t_age = _history(rfm)
        values = _expected(self.params, x, tx, t_age, float(days))
        return pd.Series(values, index=rfm.index, name=f"expected_purchases_{days:g}")


def fit_pareto_nbd(
    rfm: pd.DataFrame, penalizer: float = 0.0, *, min_repeat_buyers: int = MIN_REPEAT_BUYERS
) -> ParetoNBDModel:
    """Fit Pareto/NBD by maximum likelihood on ``rfm`` (as :func:`rfm_summary` returns it).

    The objective is lifetimes' ``ParetoNBDFitter(penalizer_coef=penalizer)``'s: times scaled
    so the oldest customer's age is 1, the negative log-likelihood summed over customers plus
    ``penalizer * sum(params ** 2)`` (scaled parameters; so a penalizer weighs far less here
    than in BG/NBD, where lifetimes divides the likelihood by the customers). It is minimised
    over log-parameters by BFGS from 1 (the centre of lifetimes' random start); alpha and
    beta are scaled back to days. Raises :class:`~crmsheet.errors.ThinDataError` with fewer
    than ``min_repeat_buyers`` repeat buyers or when no finite optimum is found; a fit that
    runs off or is flat is returned with ``degenerate`` saying so.
    """
    if penalizer < 0 or not np.isfinite(penalizer):
        raise ValueError(f"penalizer must be 0 or more, not {penalizer!r}")
    x, tx, t_age = _history(rfm)
    _check(x, tx, t_age)
    repeat = int((x > 0).sum())
    if repeat < max(min_repeat_buyers, 1):
        raise ThinDataError(
            f"Not enough history to predict who will buy again: {_n(repeat)} bought on more "
            f"than one day, and at least {max(min_repeat_buyers, 1)} are needed; {_NO_MODEL}."
        )
    scale = 1.0 / float(t_age.max())
    data = _Data.of(x, tx * scale, t_age * scale)
    result = minimize(_value_and_gradient, np.zeros(4), args=(data, penalizer), jac=True,
                      method="BFGS", options={"gtol": _TOL})  # fmt: skip
    if not (np.all(np.isfinite(result.x)) and np.isfinite(result.fun)):
        raise ThinDataError(
            "The purchase history does not fit the Pareto/NBD model (it found no finite "
            f"answer); {_NO_MODEL}."
        )
    hessian = _hessian(result.x, data, penalizer, _HESS_STEP) * data.total
    errors = _standard_errors(hessian)
    params = dict(zip(_PARAMS, (float(v) for v in np.exp(result.x)), strict=True))
    params["alpha"] /= scale
    params["beta"] /= scale
    settled = bool(result.success) or float(np.max(np.abs(result.jac))) < _SETTLED
    return ParetoNBDModel(
        params=params,
        penalizer=float(penalizer),
        customers=len(x),
        repeat_buyers=repeat,
        log_likelihood=-float(result.fun),
        standard_errors={k: float(v * e) for (k, v), e in zip(params.items(), errors, strict=True)},
        degenerate=_degenerate(result.x, settled, hessian),
    )


# -- the likelihood ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Data:
    """The histories (scaled time), each distinct (x, t_x, T) once with its count.

    The hypergeometric terms depend on (x, t_x) and (x, T) only: each distinct pair is
    computed once (``at_tx``/``at_t`` map the histories to them).
    """

    x: np.ndarray
    tx: np.ndarray
    t_age: np.ndarray
    weights: np.ndarray
    pair_tx: tuple[np.ndarray, np.ndarray]
    pair_t: tuple[np.ndarray, np.ndarray]
    at_tx: np.ndarray
    at_t: np.ndarray

    @property
    def total(self) -> float:
        return float(self.weights.sum())

    @classmethod
    def of(cls, x: np.ndarray, tx: np.ndarray, t_age: np.ndarray) -> _Data:
        rows, counts = np.unique(np.column_stack([x, tx, t_age]), axis=0, return_counts=True)
        pair_tx, at_tx = np.unique(rows[:, :2], axis=0, return_inverse=True)
        pair_t, at_t = np.unique(rows[:, [0, 2]], axis=0, return_inverse=True)
        return cls(rows[:, 0], rows[:, 1], rows[:, 2], counts.astype(float),
                   (pair_tx[:, 0], pair_tx[:, 1]), (pair_t[:, 0], pair_t[:, 1]),
                   at_tx.ravel(), at_t.ravel())  # fmt: skip


def _log_tail(p: tuple[Any, ...], x: Any, y: Any) -> Any:
    """log of (r + s + x) times ∫_y^∞ (alpha + τ)^-(r + x) (beta + τ)^-(s + 1) dτ.

    The integral is the chance (up to the factors of the frequency alone) of dying at τ after
    the x-th purchase; lifetimes writes it as 2F1(r+s+x, t; r+s+x+1; z) / (max + y)^(r+s+x)
    with t, z by whether alpha >= beta. Euler's transformation turns that into
    (1 - z)^(1 - t) 2F1(1, r+s+x+1-t; r+s+x+1; z), whose series terms fall and whose power
    is taken in logs: no overflow for frequent buyers, nothing lost as z -> 1.
    """
    r, alpha, s, beta = p
    wide = alpha >= beta  # lifetimes' branch: alpha >= beta (t = s + 1) or not (t = r + x)
    big, small = np.maximum(alpha, beta), np.minimum(alpha, beta)
    rx = r + x
    b = np.where(wide, rx, s + 1.0)
    log_big, log_small = np.log(big + y), np.log(small + y)
    with np.errstate(divide="ignore", invalid="ignore"):
        series = np.log(_hyp2f1_one(b, rx + s + 1.0, (big - small) / (big + y)))
    # alpha >= beta: -(r+x) log(alpha+y) - s log(beta+y); else (1-r-x) log(alpha+y) - (s+1) ...
    return (
        np.where(
            wide,
            -rx * log_big - s * log_small,
            (1.0 - rx) * log_small - (s + 1.0) * log_big,
        )
        + series
    )


#: Elements of a 2F1 call worth sharing out between threads (each costs 0.1-13 us, most
#: when z is near 1); below this one thread is quicker than handing the work out.
_SHARED_FROM = 20_000


#: Threads for the 2F1 calls (scipy's ufunc runs without the GIL): one per core, at most 4.
_WORKERS = min(4, os.cpu_count() or 1)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(_WORKERS, thread_name_prefix="crmsheet-2f1")


def _hyp2f1_one(b: Any, c: Any, z: Any) -> Any:
    """``hyp2f1(1, b, c, z)``, elementwise, its chunks computed side by side on the cores.

    The same function on the same numbers, chunk by chunk: the values are identical to one
    call's (a test checks it); only the wall time falls (3/4 of a Pareto/NBD fit is here).
    """
    b, c, z = np.broadcast_arrays(np.asarray(b, float), np.asarray(c, float), np.asarray(z, float))
    if _WORKERS < 2 or b.size < _SHARED_FROM:
        return hyp2f1(1.0, b, c, z)
    flat = [a.ravel() for a in (b, c, z)]
    bounds = np.linspace(0, b.size, _WORKERS + 1).astype(int).tolist()
    parts = _pool().map(lambda ab: hyp2f1(1.0, *(a[ab[0] : ab[1]] for a in flat)),
                        pairwise(bounds))  # fmt: skip
    return np.concatenate(list(parts)).reshape(b.shape)


def _log_alive(p: tuple[Any, ...], x: Any, t_age: Any) -> Any:
    """log of the likelihood of x purchases in (0, t_x] and still alive at T (its t_x part
    cancels against the other term's)."""
    r, alpha, s, beta = p
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
            - (r + x) * np.log(alpha + t_age) - s * np.log(beta + t_age))  # fmt: skip


def _log_dies_after(p: tuple[Any, ...], x: Any, y: Any) -> Any:
    """log of the likelihood of x purchases, then leaving at some time after y."""
    r, alpha, s, beta = p
    return (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.log(s)
            - np.log(r + s + x) + _log_tail(p, x, y))  # fmt: skip


def _log_died(after_tx: Any, after_t: Any) -> Any:
    """log(exp(after_tx) - exp(after_t)): leaving in (t_x, T]; -inf when t_x = T."""
    with np.errstate(divide="ignore"):
        return after_tx + np.log(-np.expm1(np.minimum(after_t - after_tx, 0.0)))


def _objective(log_params: np.ndarray, data: _Data, penalizer: float) -> np.ndarray:
    """lifetimes' objective divided by the customers, at each row of ``log_params`` (k x 4).

    The terms of (x, t_x) and of (x, T) are computed once per distinct pair.
    """
    p = np.exp(log_params)
    cols = tuple(p[:, i : i + 1] for i in range(4))
    # a trial point far out (log 0 of an underflowed parameter) is no fit: +inf, no warning
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        after_tx = _log_dies_after(cols, *data.pair_tx)[:, data.at_tx]
        after_t = _log_dies_after(cols, *data.pair_t)[:, data.at_t]
        alive = _log_alive(cols, *data.pair_t)[:, data.at_t]
        ll = np.logaddexp(alive, _log_died(after_tx, after_t)) @ data.weights
    values = -ll / data.total + penalizer * np.sum(p**2, axis=1) / data.total
    return np.where(np.isfinite(values), values, np.inf)


def _value_and_gradient(
    log_params: np.ndarray, data: _Data, penalizer: float
) -> tuple[float, np.ndarray]:
    """The objective and its central-difference gradient, the 9 points in one batch."""
    h = _GRAD_STEP
    steps = np.vstack([np.zeros(4), h * np.eye(4), -h * np.eye(4)])
    values = _objective(log_params + steps, data, penalizer)
    if not (np.isfinite(values).all()):
        return float(values[0]) if np.isfinite(values[0]) else np.inf, np.zeros(4)
    return float(values[0]), (values[1:5] - values[5:]) / (2 * h)


def _hessian(log_params: np.ndarray, data: _Data, penalizer: float, h: float) -> np.ndarray:
    """The objective's Hessian on the log-parameters by central differences (33 points)."""
    eye = h * np.eye(4)
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    steps = [np.zeros(4), *eye, *-eye]
    for i, j in pairs:
        steps += [eye[i] + eye[j], eye[i] - eye[j], -eye[i] + eye[j], -eye[i] - eye[j]]
    v = _objective(log_params + np.array(steps), data, penalizer)
    if not np.isfinite(v).all():  # a step off the edge (inf - inf): no curvature to read
        return np.full((4, 4), np.nan)
    hess = np.diag((v[1:5] - 2 * v[0] + v[5:9]) / h**2)
    for k, (i, j) in enumerate(pairs):
        pp, pm, mp, mm = v[9 + 4 * k : 13 + 4 * k]
        hess[i, j] = hess[j, i] = (pp - pm - mp + mm) / (4 * h**2)
    return hess


def _standard_errors(hessian: np.ndarray) -> np.ndarray:
    """The log-parameters' standard errors from the total Hessian; NaN where it is not
    positive definite."""
    if not np.isfinite(hessian).all():
        return np.full(4, np.nan)
    low, high = np.linalg.eigvalsh(hessian)[[0, -1]]
    if low <= high * 1e-12:
        return np.full(4, np.nan)
    return np.asarray(np.sqrt(np.diag(np.linalg.inv(hessian))))


def _degenerate(log_params: np.ndarray, settled: bool, hessian: np.ndarray) -> str:
    """Why the fit is unsound, or "" when it is sound: a parameter ran off, the likelihood
    is flat (or nearly: a standard error above a factor e**_LOOSE) along some direction, or
    BFGS stopped short. The flat direction is named by the parameters that move along it."""
    worst = int(np.argmax(np.abs(log_params)))
    if abs(log_params[worst]) >= _EXTREME:
        where = "towards 0" if log_params[worst] < 0 else "without bound"
        return (
            f"The fit is degenerate: {_PARAMS[worst]} ran off {where}, so the history does "
            "not tell how fast customers buy or leave."
        )
    if not np.isfinite(hessian).all():
        return "The fit is degenerate: the likelihood's curvature at the answer is not finite."
    values, vectors = np.linalg.eigh(hessian)
    singular = values[0] <= values[-1] * 1e-12
    loose = singular or float(np.max(_standard_errors(hessian))) > _LOOSE
    if loose:
        moving = [i for i in range(4) if abs(vectors[i, 0]) > 0.3]
        names = " and ".join([", ".join(_PARAMS[i] for i in moving[:-1]), _PARAMS[moving[-1]]]
                             if len(moving) > 1 else [_PARAMS[moving[0]]])  # fmt: skip
        together = len(moving) == 2 and vectors[moving[0], 0] * vectors[moving[1], 0] > 0
        how = (f"{names} can grow together" if together else f"{names} can change") + (
            " with almost no change in the likelihood"
        )
        meaning = _MEANING.get(tuple(moving), "") if together else ""
        shape = "not positive definite" if singular else "nearly singular"
        return (
            f"The fit is degenerate: {how} (its Hessian is {shape}), so the history does not "
            f"determine them{meaning}."
        )  # fmt: skip
    if not settled:
        return "The fit did not converge: the optimizer stopped before the answer settled."
    return ""


# -- what the model says per customer ---------------------------------------------------------


def _log_odds_dead(params: dict[str, float], x: Any, tx: Any, t_age: Any) -> Any:
    """log of P(left) / P(alive) for each history: died in (t_x, T] against alive until T."""
    p = tuple(params[k] for k in _PARAMS)
    with np.errstate(over="ignore", invalid="ignore"):
        died = _log_died(_log_dies_after(p, x, tx), _log_dies_after(p, x, t_age))
        return died - _log_alive(p, x, t_age)


def _expected(params: dict[str, float], x: Any, tx: Any, t_age: Any, t: float) -> Any:
    """E[purchases in (T, T + t] | x, t_x, T] = P(alive) (r + x) / (alpha + T) times the
    expected life in the next t days, (beta + T) (1 - ((beta+T)/(beta+T+t))^(s-1)) / (s - 1);
    written with exprel so s = 1 (a logarithm) is no special case."""
    r, alpha, s, beta = (params[k] for k in _PARAMS)
    stretch = np.log1p(t / (beta + t_age))
    life = (beta + t_age) * stretch * exprel(-(s - 1.0) * stretch)
    return expit(-_log_odds_dead(params, x, tx, t_age)) * (r + x) / (alpha + t_age) * life
