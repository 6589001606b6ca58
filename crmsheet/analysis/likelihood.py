"""Maximum likelihood the way lifetimes fits its purchase models, shared by them.

BG/NBD and its modified form are fitted alike: the histories of rfm_summary() counted once
each (weighted), time scaled so the oldest customer's age is 1, the mean negative
log-likelihood plus ``penalizer * sum(params ** 2)`` minimised over log-parameters by BFGS
from 0.1. This module does that once (:func:`fit_log_params`), and adds what lifetimes gives
beside the parameters: their standard errors, from the Hessian at the optimum, and a plain
sentence when the fit is degenerate, so a caller can tell an estimate from a limiting case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ..errors import ThinDataError

__all__ = [
    "NO_MODEL",
    "Fitted",
    "Objective",
    "check",
    "degeneracy",
    "fit_log_params",
    "hessian",
    "history",
    "penalizer_advice",
    "plural",
    "standard_errors",
]

#: ``objective(log_params, ux, ux_weight, x, tx, t_age, weights, penalizer) -> (value,
#: gradient)``: the penalised mean negative log-likelihood and its gradient in log-parameters.
Objective = Callable[..., tuple[float, np.ndarray]]

#: What the caller does instead when there is no model (the end of every no-fit sentence).
NO_MODEL = "lapsed customers are found by their usual gap between purchases instead"

_START = 0.1  # lifetimes' starting point: every log-parameter 0.1
_TOL = 1e-7  # lifetimes' default tolerance (BFGS's gradient tolerance)
_SETTLED = 1e-4  # BFGS may stop on "precision loss" at the optimum: accept a flat gradient
# a parameter (time scaled as fitted) beyond 1e-6..1e6 ran off to a boundary of the model
# ("nobody ever stops", "everyone stops alike"): lifetimes does not converge there either
_EXTREME = float(np.log(1e6))
# within a factor 100 of that boundary the fit is accepted but called degenerate
_NEAR_EDGE = float(np.log(1e4))
_A_NEAR_ZERO = 1e-3  # Beta(a, b) with a below this: (almost) nobody ever stops buying
_STEP = 1e-4  # the central-difference step of the Hessian, in log-parameters
_LOOSE = 1.0  # a standard error above its parameter: the data do not pin it down


@dataclass(frozen=True, eq=False)
class Fitted:
    """:func:`fit_log_params`'s answer: parameters in days, their standard errors, the rest.

    ``log_likelihood`` is the mean per customer at the optimum, penalizer included, in the
    scaled time it is fitted in (lifetimes' ``-_negative_log_likelihood_``).
    """

    params: dict[str, float]
    standard_errors: dict[str, float]
    degenerate: str
    customers: int
    repeat_buyers: int
    log_likelihood: float


def history(rfm: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """frequency, recency and T of ``rfm`` as float arrays (a ValueError names a missing one)."""
    missing = [c for c in ("frequency", "recency", "T") if c not in rfm.columns]
    if missing:
        raise ValueError(f"rfm needs the columns of rfm_summary(); missing: {missing}")
    x, tx, t_age = (rfm[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    return x, tx, t_age


def check(x: np.ndarray, tx: np.ndarray, t_age: np.ndarray) -> None:
    """lifetimes' input checks (``_check_inputs``), as a ValueError."""
    if not (np.isfinite(x).all() and np.isfinite(tx).all() and np.isfinite(t_age).all()):
        raise ValueError("frequency, recency and T must be numbers (no blanks)")
    if (tx > t_age).any():
        raise ValueError("recency must not exceed T")
    if (tx[x == 0] != 0).any():
        raise ValueError("recency must be 0 when frequency is 0")
    if (tx < 0).any() or (x < 0).any() or (x % 1 != 0).any():
        raise ValueError("frequency must be a whole number and recency 0 or more")
    if ((x > 0) & (t_age <= 0)).any():
        raise ValueError("T must be above 0 for a customer who bought again")


def fit_log_params(
    objective: Objective,
    rfm: pd.DataFrame,
    *,
    names: Sequence[str],
    time_params: Sequence[str],
    penalizer: float,
    min_repeat_buyers: int,
) -> Fitted:
    """Minimise ``objective`` on ``rfm``'s histories as lifetimes does; raise if it fails.

    ``names`` are the parameters in the objective's order; ``time_params`` those measured in
    days (scaled back after the fit). Raises :class:`~crmsheet.errors.ThinDataError` with
    fewer than ``min_repeat_buyers`` repeat buyers, or when BFGS stops on a gradient that is
    not flat, or a parameter runs off beyond 1e-6..1e6 (in the scaled time it is fitted in).
    """
    if penalizer < 0 or not np.isfinite(penalizer):
        raise ValueError(f"penalizer must be 0 or more, not {penalizer!r}")
    x, tx, t_age = history(rfm)
    check(x, tx, t_age)
    repeat = int((x > 0).sum())
    if repeat < max(min_repeat_buyers, 1):
        raise ThinDataError(
            f"Not enough history to predict who will buy again: {plural(repeat)} bought on "
            f"more than one day, and at least {max(min_repeat_buyers, 1)} are needed; "
            f"{NO_MODEL}."
        )
    # every customer with the same (x, t_x, T) adds the same term: count it once, weighted
    # (np.unique sorts the rows by frequency first: one-time buyers lead)
    rows, counts = np.unique(np.column_stack([x, tx, t_age]), axis=0, return_counts=True)
    weights = counts.astype(float)
    ux, which = np.unique(rows[:, 0], return_inverse=True)
    ux_weight = np.bincount(which, weights=weights, minlength=len(ux))
    scale = 1.0 / float(t_age.max())
    args = (ux, ux_weight, rows[:, 0], rows[:, 1] * scale, rows[:, 2] * scale, weights, penalizer)
    result = minimize(objective, np.full(len(names), _START), args=args, jac=True,
                      method="BFGS", tol=_TOL)  # fmt: skip
    flat = np.all(np.isfinite(result.jac)) and np.max(np.abs(result.jac)) < _SETTLED
    if not (
        np.all(np.isfinite(result.x))
        and np.isfinite(result.fun)
        and (result.success or flat)
        and np.max(np.abs(result.x)) < _EXTREME
    ):
        raise ThinDataError(
            "The purchase history does not fit the prediction model (it found no steady "
            f"answer{penalizer_advice(penalizer)}); {NO_MODEL}."
        )
    params = dict(zip(names, (float(v) for v in np.exp(result.x)), strict=True))
    for name in time_params:
        params[name] /= scale
    curvature = hessian(objective, result.x, args)
    return Fitted(
        params=params,
        standard_errors=standard_errors(params, curvature, len(x)),
        degenerate=degeneracy(dict(zip(names, result.x, strict=True)), curvature, len(x)),
        customers=len(x),
        repeat_buyers=repeat,
        log_likelihood=-float(result.fun),
    )


def hessian(
    objective: Objective, at: np.ndarray, args: tuple[object, ...], step: float = _STEP
) -> np.ndarray:
    """The objective's Hessian in log-parameters at ``at``: central differences of its gradient.

    The analytic gradient differenced at ``at +- step`` along each axis (2k gradients, each
    vectorised over the histories), symmetrised; its error is O(step**2). NaN where the
    objective is not finite one step away.
    """
    columns = []
    for shift in np.eye(len(at)) * step:
        up, down = objective(at + shift, *args), objective(at - shift, *args)
        if not (np.isfinite(up[0]) and np.isfinite(down[0])):
            columns.append(np.full(len(at), np.nan))
        else:
            columns.append((up[1] - down[1]) / (2.0 * step))
    h = np.array(columns)
    symmetric: np.ndarray = (h + h.T) / 2.0
    return symmetric


def standard_errors(
    params: dict[str, float], curvature: np.ndarray, customers: int
) -> dict[str, float]:
    """Each parameter's standard error, on its own scale (days for alpha), by the delta method.

    The objective is a mean over ``customers``, so the covariance of the log-parameters is
    ``inv(H) / customers``; ``se(p) = p * se(log p)`` (a time parameter's log differs from its
    scaled log by a constant). As lifetimes' ``standard_errors_``. NaN where H is not
    invertible or the variance is not positive.
    """
    nan = dict.fromkeys(params, float("nan"))
    if not np.isfinite(curvature).all():
        return nan
    try:
        variance = np.diag(np.linalg.inv(curvature)) / max(customers, 1)
    except np.linalg.LinAlgError:
        return nan
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.where(variance > 0, variance, np.nan))
    return {k: float(v * s) for (k, v), s in zip(params.items(), se, strict=True)}


def degeneracy(log_params: dict[str, float], curvature: np.ndarray, customers: int) -> str:
    """One plain sentence when the fit is a limiting case rather than an estimate; else "".

    ``log_params`` as fitted (time scaled), ``curvature`` the Hessian there. Checked in
    order: the Hessian cannot be computed; a -> 0 (nobody stops buying); a parameter within
    a factor 100 of the 1e-6..1e6 range the fit allows; the Hessian singular or not positive
    definite; a parameter whose standard error exceeds its value (the likelihood nearly flat
    towards a limit, e.g. r and alpha growing together: everyone buys at one rate).
    """
    names = list(log_params)
    if not np.isfinite(curvature).all():
        return "The likelihood could not be evaluated around the fit, so it cannot be checked."
    if "a" in log_params and np.exp(log_params["a"]) < _A_NEAR_ZERO:
        return (
            f"a = {np.exp(log_params['a']):.2g} is near 0: the model finds almost nobody ever "
            "stops buying, so P(alive) stays near 100 % and says little."
        )
    edge = [n for n in names if abs(log_params[n]) > _NEAR_EDGE]
    if edge:
        return (
            f"{_listed(edge)} ran towards the edge of what the fit allows (beyond 1e-4..1e4 "
            "in its time scale): the model is close to a limiting case."
        )
    eigen = np.linalg.eigvalsh(curvature)
    if eigen.min() <= 1e-12 * max(float(np.abs(eigen).max()), 1e-300):
        return (
            "The fit is not a proper optimum (the Hessian of the likelihood is singular or not "
            "positive definite): some combination of parameters is not pinned down by the data."
        )
    spread = np.sqrt(np.diag(np.linalg.inv(curvature)) / max(customers, 1))  # se(p) / p
    loose = [n for n, s in zip(names, spread, strict=True) if s > _LOOSE]
    if loose:
        what = ("its standard error exceeds its value" if len(loose) == 1
                else "their standard errors exceed their values")  # fmt: skip
        return (
            f"The data hardly pin down {_listed(loose)}: {what}, so the model is close to a "
            "limiting case."
        )
    return ""


def penalizer_advice(penalizer: float) -> str:
    """What to try next when a fit found no steady answer, never the setting in force.

    Below 0.01: "; a predict_penalizer of 0.01 in Settings may help"; from 0.01 up to 1:
    ten times the one in force; from 1 (far beyond what steadies a fit) nothing more to try.
    """
    if penalizer < 0.01:
        return "; a predict_penalizer of 0.01 in Settings may help"
    if penalizer < 1.0:
        return (f" with the predict_penalizer of {penalizer:g} in Settings; "
                f"{min(10 * penalizer, 1.0):g} may help")  # fmt: skip
    return f" even with the predict_penalizer of {penalizer:g} in Settings"


def plural(count: int, one: str = "customer") -> str:
    """``1 customer``, ``2 customers``."""
    return f"{count:,} {one}" + ("" if count == 1 else "s")


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
