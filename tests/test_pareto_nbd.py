"""Pareto/NBD: the fit reaches lifetimes' ParetoNBDFitter optimum; P(alive) of one-time buyers.

Data are generated from the Pareto/NBD process itself (fixed seeds): each customer buys as a
Poisson process with a Gamma-distributed rate until an exponential lifetime, whose rate is
Gamma-distributed too, runs out. lifetimes' own fit is Nelder-Mead from a random start with
tolerance 1e-4, which stops short (two seeds can land far apart): the reference here is the
same fitter seeded and run to tolerance 1e-10.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import hyp2f1

import crmsheet
from crmsheet.analysis import paretonbd
from crmsheet.errors import ThinDataError

AS_OF = date(2024, 2, 10)
TRUE = {"r": 0.5, "alpha": 20.0, "s": 0.6, "beta": 200.0}  # buy every 40 days, stay ~1 year
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"
SAMPLE_AS_OF = date(2026, 11, 1)


def generate(
    customers: int = 3000, seed: int = 1, *, max_age: float = 730.0, **params: float
) -> pd.DataFrame:
    """Purchases (customer_id, date, amount) from the Pareto/NBD process, first included."""
    p = {**TRUE, **params}
    rng = np.random.default_rng(seed)
    rate = rng.gamma(p["r"], 1.0 / p["alpha"], customers)
    leave = rng.gamma(p["s"], 1.0 / p["beta"], customers)
    age = rng.uniform(0.0, max_age, customers)
    life = np.minimum(rng.exponential(1.0, customers) / leave, age)
    who, when = [np.arange(customers)], [np.zeros(customers)]
    t, buying = np.zeros(customers), np.ones(customers, dtype=bool)
    while buying.any():  # one purchase per round for every customer still buying
        t = t + rng.exponential(1.0, customers) / rate
        buying &= t < life
        who.append(np.flatnonzero(buying))
        when.append(t[buying])
    ids, times = np.concatenate(who), np.concatenate(when)
    first = np.datetime64(AS_OF, "s") + np.timedelta64(1, "D") - (age * 86400).astype("m8[s]")
    return pd.DataFrame({
        "customer_id": pd.Series([f"C{i:05d}" for i in ids], dtype="str"),
        "date": pd.Series(first[ids] + (times * 86400).astype("m8[s]")).astype("datetime64[us]"),
        "amount": rng.gamma(2.0, 25.0, len(ids)).round(2),
    })  # fmt: skip


def lifetimes_fit(rfm: pd.DataFrame, penalizer: float, *, seed: int = 0, **how: Any) -> Any:
    """lifetimes' ParetoNBDFitter, its random start seeded; ``how`` as its fit takes it."""
    with warnings.catch_warnings():
        # lifetimes 0.11.3 sets a pandas option that pandas 3 deprecates, on import
        warnings.simplefilter("ignore")
        lifetimes = pytest.importorskip("lifetimes")
        np.random.seed(seed)  # lifetimes draws its start from the global state
        return lifetimes.ParetoNBDFitter(penalizer_coef=penalizer).fit(
            rfm["frequency"], rfm["recency"], rfm["T"], **how
        )


def theirs(method: Any, *args: Any) -> np.ndarray:
    """A lifetimes prediction on plain arrays (its logaddexp of -inf warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(method(*(np.asarray(a, dtype=float) for a in args)))


def assert_alive_like(model: Any, ref: Any, rfm: pd.DataFrame) -> np.ndarray:
    """P(alive) as lifetimes gives it, within 1e-2; returns where lifetimes gives none."""
    history = (rfm["frequency"], rfm["recency"], rfm["T"])
    alive = model.p_alive(rfm)
    assert alive.index.equals(rfm.index)
    want = theirs(ref.conditional_probability_alive, *history)
    # lifetimes' 2F1 overflows for a frequent buyer (x ~ 100) who bought on their last day:
    # NaN there; here 1, as it must be when there was no time to leave in
    lost = ~np.isfinite(want)
    assert lost.mean() < 0.01 and (rfm["recency"] == rfm["T"])[lost].all()
    assert (alive[lost] == 1.0).all() and np.isfinite(alive).all()
    assert np.max(np.abs(alive.to_numpy() - want)[~lost]) < 1e-2
    return np.asarray(lost)


def assert_predicts_like(model: Any, ref: Any, rfm: pd.DataFrame) -> None:
    lost = assert_alive_like(model, ref, rfm)
    history = (rfm["frequency"], rfm["recency"], rfm["T"])
    for days in (30, 90, 365):
        want = theirs(ref.conditional_expected_number_of_purchases_up_to_time, days, *history)
        got = model.expected_purchases(rfm, days)
        assert got.index.equals(rfm.index) and np.isfinite(got).all()
        np.testing.assert_allclose(got.to_numpy()[~lost], want[~lost], rtol=1e-2)


@pytest.fixture(scope="module")
def rfm() -> pd.DataFrame:
    return crmsheet.rfm_summary(generate(), as_of=AS_OF)


@pytest.fixture(scope="module")
def model(rfm: pd.DataFrame) -> paretonbd.ParetoNBDModel:
    return crmsheet.fit_pareto_nbd(rfm)


@pytest.fixture(scope="module")
def sample_rfm() -> pd.DataFrame:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not there")
    data = crmsheet.read(SAMPLE, as_of=SAMPLE_AS_OF)
    return crmsheet.analyze(data, as_of=SAMPLE_AS_OF).rfm[["frequency", "recency", "T"]]


# -- the fit, against lifetimes -------------------------------------------------------------


@pytest.mark.parametrize(("seed", "penalizer"), [(1, 0.0), (2, 0.01)])
def test_fit_equals_lifetimes_run_to_its_optimum(seed: int, penalizer: float) -> None:
    rfm = crmsheet.rfm_summary(generate(3000, seed), as_of=AS_OF)
    model = crmsheet.fit_pareto_nbd(rfm, penalizer=penalizer)
    ref = lifetimes_fit(rfm, penalizer, tol=1e-10, maxiter=20_000)
    assert list(model.params) == ["r", "alpha", "s", "beta"]
    for name, value in model.params.items():
        assert value == pytest.approx(ref.params_[name], rel=1e-2), name
    # the same objective, at least as far down (log_likelihood is lifetimes' over customers)
    assert model.log_likelihood * len(rfm) >= -ref._negative_log_likelihood_ - 1e-6
    assert model.log_likelihood * len(rfm) == pytest.approx(-ref._negative_log_likelihood_)
    assert_predicts_like(model, ref, rfm)
    assert model.degenerate == ""


def test_lifetimes_default_fit_stops_short_of_this_one(
    rfm: pd.DataFrame, model: paretonbd.ParetoNBDModel
) -> None:
    # lifetimes as a user calls it: two random starts, two answers, neither more likely
    fits = [lifetimes_fit(rfm, 0.0, seed=seed) for seed in (0, 1)]
    assert fits[0].params_["s"] / fits[1].params_["s"] > 2  # 2.30 and 0.45
    for ref in fits:
        assert model.log_likelihood * len(rfm) >= -ref._negative_log_likelihood_ - 1e-9


def test_the_sample_fits_as_lifetimes_does(sample_rfm: pd.DataFrame) -> None:
    # with a penalizer the optimum is finite, and lifetimes run to its end finds it
    model = crmsheet.fit_pareto_nbd(sample_rfm, penalizer=0.001)
    ref = lifetimes_fit(sample_rfm, 0.001, tol=1e-10, maxiter=20_000)
    for name, value in model.params.items():
        assert value == pytest.approx(ref.params_[name], rel=1e-2), name
    assert_predicts_like(model, ref, sample_rfm)
    assert model.degenerate == ""


def test_a_history_where_nobody_seems_to_leave_is_degenerate_and_says_so() -> None:
    # everyone leaves at one tiny rate (s = 30, beta = 3e6 days): s and beta grow together
    # along a ridge of the likelihood (its maximum is at infinity), where lifetimes stops
    # anywhere too
    rfm = crmsheet.rfm_summary(generate(1000, 5, s=30.0, beta=3e6), as_of=AS_OF)
    model = crmsheet.fit_pareto_nbd(rfm)
    ref = lifetimes_fit(rfm, 0.0)
    for name in ("r", "alpha"):
        assert model.params[name] == pytest.approx(ref.params_[name], rel=1e-2), name
    rate = model.params["s"] / model.params["beta"]  # the mean leaving rate, nearly
    assert rate == pytest.approx(ref.params_["s"] / ref.params_["beta"], rel=5e-2)
    assert model.log_likelihood * len(rfm) >= -ref._negative_log_likelihood_ - 1e-9
    # two points of one ridge: P(alive) alike, not equal (3 points at most here)
    want = theirs(ref.conditional_probability_alive, rfm["frequency"], rfm["recency"], rfm["T"])
    assert np.nanmax(np.abs(model.p_alive(rfm).to_numpy() - want)) < 0.05
    assert model.degenerate.startswith("The fit is degenerate: s and beta can grow together")
    assert "leave at one common rate" in model.degenerate
    assert model.standard_errors["s"] > model.params["s"]  # not determined, and it shows


def test_the_sample_fits_soundly_with_analyzes_penalizer(sample_rfm: pd.DataFrame) -> None:
    # the sample's customers leave (1 in 13 after each purchase, on average): a sound fit
    model = crmsheet.fit_pareto_nbd(sample_rfm, penalizer=crmsheet.Settings().predict_penalizer)
    assert model.degenerate == ""
    assert all(0 < e < 2 * model.params[k] for k, e in model.standard_errors.items())


def test_the_fit_finds_the_parameters_the_data_came_from() -> None:
    rfm = crmsheet.rfm_summary(generate(20_000, 3), as_of=AS_OF)
    model = crmsheet.fit_pareto_nbd(rfm)
    for name, value in model.params.items():  # daily rounding and sampling: within 15 %
        assert value == pytest.approx(TRUE[name], rel=0.15), name
    assert (model.customers, model.repeat_buyers) == (len(rfm), int((rfm["frequency"] > 0).sum()))


@pytest.mark.slow  # 9 s: scipy's hyp2f1 is slow for r + x in the thousands
def test_everyone_buying_at_one_rate_is_degenerate() -> None:
    rfm = crmsheet.rfm_summary(generate(2000, 4, r=1e4, alpha=2e5), as_of=AS_OF)
    model = crmsheet.fit_pareto_nbd(rfm)
    assert model.degenerate.startswith("The fit is degenerate: r and alpha can grow together")
    assert "buy at one common rate" in model.degenerate
    assert model.params["r"] / model.params["alpha"] == pytest.approx(0.05, rel=0.05)


# -- the likelihood's hypergeometric term -----------------------------------------------------


def tail_by_quadrature(p: tuple[float, ...], x: float, y: float) -> float:
    """log((r+s+x) ∫_y^∞ (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ), numerically, on v in (0, 1]
    (τ = (alpha + y) / v - alpha): the integrand is bounded there; it is taken relative to
    its largest value and its peak near v = 1 (width about 1 - z) is given to quad."""
    r, alpha, s, beta = p
    c = r + s + x
    z = (alpha - beta) / (alpha + y)

    def log_f(v: Any) -> Any:
        return (c - 1) * np.log(v) - (s + 1) * np.log1p(-z * v)

    top = float(np.max(log_f(np.linspace(1e-9, 1.0, 10_001))))
    near = [v for v in (1 - 100 * (1 - z), 1 - 10 * (1 - z)) if 0 < v < 1]
    part, _ = quad(lambda v: np.exp(log_f(v) - top), 0, 1, epsabs=0, epsrel=1e-13, limit=500,
                   points=near or None)  # fmt: skip
    return float(np.log(c * part) + top - c * np.log(alpha + y))


@pytest.mark.parametrize(
    ("p", "x", "y"),
    [
        ((0.5, 0.03, 0.6, 0.3), 0, 0.0),  # alpha < beta, one-time buyer: z near 1
        ((0.5, 0.03, 0.6, 0.3), 40, 0.5),
        ((1.3, 0.77, 3.6, 1.23), 10, 0.91),
        ((13.6, 6.6, 0.24, 0.08), 48, 0.82),  # alpha >= beta
        ((460.0, 0.86, 0.018, 0.27), 15, 0.32),
        ((1.5, 0.09, 98.0, 1220.0), 5, 0.2),  # the sample's ridge: z = 0.9999
        ((0.7, 0.5, 0.5, 0.5), 3, 0.1),  # alpha = beta: z = 0
    ],
)
def test_the_tail_equals_its_integral(p: tuple[float, ...], x: int, y: float) -> None:
    got = paretonbd._log_tail(p, np.array(float(x)), np.array(y))
    # scipy's hyp2f1 is good to about 3e-8 on the sample's ridge (a series summed to 3e6
    # terms agrees with the quadrature there), to 1e-12 or so elsewhere
    assert float(got) == pytest.approx(tail_by_quadrature(p, x, y), abs=1e-7)


def test_the_tail_is_lifetimes_and_stays_finite_where_lifetimes_overflows() -> None:
    r, alpha, s, beta = p = (0.5, 0.01, 0.6, 1.0)
    x, y = np.array([2.0, 300.0]), np.array([0.5, 0.0])
    big, c = max(alpha, beta), r + s + x
    z = (big - min(alpha, beta)) / (big + y)
    with np.errstate(over="ignore", divide="ignore"):
        theirs = np.log(hyp2f1(c, r + x, c + 1.0, z)) - c * np.log(big + y)  # alpha < beta
    ours = paretonbd._log_tail(p, x, y)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    assert np.isinf(theirs[1]) and np.isfinite(ours[1])  # 2F1 ~ 1e600: lifetimes' log is inf
    assert ours[1] == pytest.approx(tail_by_quadrature(p, 300.0, 0.0), abs=1e-8)


# -- standard errors ------------------------------------------------------------------------


def scaled(model: paretonbd.ParetoNBDModel, rfm: pd.DataFrame) -> tuple[np.ndarray, Any]:
    """The fit's log-parameters and the histories (x, t_x, T) in lifetimes' scaled time."""
    scale = 1.0 / rfm["T"].max()
    p = model.params
    theta = np.log([p["r"], p["alpha"] * scale, p["s"], p["beta"] * scale])
    history = [rfm["frequency"].to_numpy(), rfm["recency"].to_numpy() * scale,
               rfm["T"].to_numpy() * scale]  # fmt: skip
    return theta, history


def test_standard_errors_do_not_depend_on_the_step(
    rfm: pd.DataFrame, model: paretonbd.ParetoNBDModel
) -> None:
    theta, history = scaled(model, rfm)
    data = paretonbd._Data.of(*history)
    got = {}
    for h in (3e-3, 1e-3, 3e-4):
        hess = paretonbd._hessian(theta, data, 0.0, h) * data.total
        got[h] = paretonbd._standard_errors(hess)
    np.testing.assert_allclose(got[3e-3], got[3e-4], rtol=1e-4)
    # the model's are the log-scale errors times the parameter (delta method), in days
    mine = [model.standard_errors[k] / model.params[k] for k in model.params]
    np.testing.assert_allclose(mine, got[1e-3], rtol=1e-6)  # 5e-8 apart between numpy builds


def test_standard_errors_agree_with_the_outer_product_of_the_scores(
    rfm: pd.DataFrame, model: paretonbd.ParetoNBDModel
) -> None:
    # at the optimum of a well-specified model, the Hessian and the sum of each customer's
    # score times itself estimate the same information: their standard errors agree
    theta, (x, tx, t_age) = scaled(model, rfm)
    h = 1e-5

    def each(point: np.ndarray) -> np.ndarray:  # every customer's log-likelihood
        p = tuple(np.exp(point))
        died = paretonbd._log_died(paretonbd._log_dies_after(p, x, tx),
                                   paretonbd._log_dies_after(p, x, t_age))  # fmt: skip
        return np.asarray(np.logaddexp(paretonbd._log_alive(p, x, t_age), died))

    scores = np.column_stack([(each(theta + h * e) - each(theta - h * e)) / (2 * h)
                              for e in np.eye(4)])  # fmt: skip
    assert np.abs(scores.sum(axis=0)).max() < 1e-2  # the optimum: the scores sum to 0
    outer = np.sqrt(np.diag(np.linalg.inv(scores.T @ scores)))  # on the log-parameters
    for k, name in enumerate(("r", "alpha", "s", "beta")):
        want = outer[k] * model.params[name]  # delta method, in days
        assert model.standard_errors[name] == pytest.approx(want, rel=0.15), name


# -- what the model says per customer ---------------------------------------------------------


def test_a_one_time_buyer_silent_for_long_fades(model: paretonbd.ParetoNBDModel) -> None:
    ages = [30.0, 90.0, 365.0, 730.0, 1460.0]
    once = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": ages})
    alive = model.p_alive(once).to_numpy()
    assert (alive < 1.0).all() and (np.diff(alive) < 0).all()
    # the bound: P(alive) is the chance of no purchase and still there, over the chance of
    # no purchase at all (still there, or left at some τ in (0, T]); both integrated here
    r, alpha, s, beta = (model.params[k] for k in ("r", "alpha", "s", "beta"))
    for age, got in zip(ages, alive, strict=True):
        there = (alpha / (alpha + age)) ** r * (beta / (beta + age)) ** s
        left, _ = quad(lambda tau: (alpha / (alpha + tau)) ** r * s / beta
                       * (beta / (beta + tau)) ** (s + 1), 0, age, epsrel=1e-12)  # fmt: skip
        assert got == pytest.approx(there / (there + left), rel=1e-9)
    assert alive[-1] < 0.5  # four years without a second purchase: more likely gone
    bgnbd = crmsheet.fit_bgnbd(crmsheet.rfm_summary(generate(), as_of=AS_OF))
    assert bgnbd.p_alive(once).eq(1.0).all()  # what BG/NBD says of them


def test_expected_purchases_at_s_equal_to_one_is_the_limit(
    model: paretonbd.ParetoNBDModel, rfm: pd.DataFrame
) -> None:
    one = paretonbd.ParetoNBDModel(**{**model.__dict__, "params": {**model.params, "s": 1.0}})
    near = paretonbd.ParetoNBDModel(
        **{**model.__dict__, "params": {**model.params, "s": 1.0 + 1e-7}}
    )
    np.testing.assert_allclose(one.expected_purchases(rfm, 90), near.expected_purchases(rfm, 90),
                               rtol=1e-6)  # fmt: skip
    assert model.expected_purchases(rfm, 0).eq(0.0).all()
    assert (model.expected_purchases(rfm, 365) > model.expected_purchases(rfm, 30)).all()


def test_bad_calls(rfm: pd.DataFrame, model: paretonbd.ParetoNBDModel) -> None:
    with pytest.raises(ValueError, match="days"):
        model.expected_purchases(rfm, -1)
    with pytest.raises(ValueError, match="missing"):
        crmsheet.fit_pareto_nbd(rfm.drop(columns="T"))
    with pytest.raises(ValueError, match="penalizer"):
        crmsheet.fit_pareto_nbd(rfm, penalizer=-1.0)
    with pytest.raises(ThinDataError, match="19 customers bought"):
        crmsheet.fit_pareto_nbd(pd.concat([rfm[rfm["frequency"] == 0],
                                           rfm[rfm["frequency"] > 0].head(19)]))  # fmt: skip


def test_the_2f1_shared_out_between_threads_equals_one_call() -> None:
    from scipy.special import hyp2f1

    from crmsheet.analysis.paretonbd import _SHARED_FROM, _hyp2f1_one

    rng = np.random.default_rng(19)
    n = _SHARED_FROM // 3 + 7  # (9, n) broadcast: above the sharing size, chunks uneven
    b = rng.uniform(0.01, 400.0, (9, 1)) + rng.integers(0, 60, n)
    c = b + rng.uniform(1e-6, 3.0, (9, n))
    z = np.concatenate([rng.uniform(0.0, 1.0, n - 3), [1.0, np.nan, 0.999999999]])
    got = _hyp2f1_one(b, c, z)
    want = hyp2f1(1.0, b, c, z)
    assert got.shape == want.shape == (9, n) and got.size > _SHARED_FROM
    np.testing.assert_array_equal(got, want)  # bit for bit, inf and nan where they are
