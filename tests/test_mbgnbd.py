"""MBG/NBD equals lifetimes' ModifiedBetaGeoFitter; standard errors and degeneracy of both fits.

Data are generated from the MBG/NBD process itself (fixed seeds): each customer buys as a
Poisson process with a Gamma-distributed rate and stops for good with a Beta-distributed
probability at the first purchase and after each repeat. The generator also says who is
really still a customer, so P(alive) can be checked against the truth.
"""

from __future__ import annotations

import dataclasses
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad
from test_bgnbd import AS_OF as BGNBD_AS_OF
from test_bgnbd import generate as generate_bgnbd

import crmsheet
from crmsheet.analysis import bgnbd, likelihood, mbgnbd
from crmsheet.analysis.mbgnbd import MBGNBDModel, fit_mbgnbd
from crmsheet.errors import ThinDataError

AS_OF = date(2024, 2, 10)
TRUE = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5}  # a purchase every 40 days on average
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"
SAMPLE_AS_OF = date(2026, 11, 1)


def generate(
    customers: int = 3000, seed: int = 1, *, max_age: float = 730.0, **params: float
) -> tuple[pd.DataFrame, pd.Series]:
    """Purchases (customer_id, date, amount) from the MBG/NBD process, and who is alive.

    Customers start uniformly over the ``max_age`` days before AS_OF, at any time of day;
    the series says, per customer id, whether they had not stopped by AS_OF.
    """
    p = {**TRUE, **params}
    rng = np.random.default_rng(seed)
    rate = rng.gamma(p["r"], 1.0 / p["alpha"], customers)
    stop = rng.beta(p["a"], p["b"], customers)
    age = rng.uniform(0.0, max_age, customers)
    who, when = [np.arange(customers)], [np.zeros(customers)]
    alive = rng.random(customers) >= stop  # MBG/NBD: may stop at the first purchase too
    t, buying = np.zeros(customers), alive.copy()
    while buying.any():  # one purchase per round for every customer still buying
        t = t + rng.exponential(1.0, customers) / rate
        buying &= t < age
        who.append(np.flatnonzero(buying))
        when.append(t[buying])
        stopped = buying & (rng.random(customers) < stop)
        alive &= ~stopped
        buying &= ~stopped
    ids, times = np.concatenate(who), np.concatenate(when)
    first = np.datetime64(AS_OF, "s") + np.timedelta64(1, "D") - (age * 86400).astype("m8[s]")
    names = np.char.add("C", np.char.zfill(np.arange(customers).astype(str), 5))
    log = pd.DataFrame({
        "customer_id": pd.Series(names[ids], dtype="str"),
        "date": pd.Series(first[ids] + (times * 86400).astype("m8[s]")).astype("datetime64[us]"),
        "amount": rng.gamma(2.0, 25.0, len(ids)).round(2),
    })  # fmt: skip
    return log, pd.Series(alive, index=pd.Index(names, dtype="str"))


def lifetimes() -> Any:
    with warnings.catch_warnings():
        # lifetimes 0.11.3 sets a pandas option that pandas 3 deprecates, on import
        warnings.simplefilter("ignore")
        return pytest.importorskip("lifetimes")


def lifetimes_fit(fitter: str, rfm: pd.DataFrame, penalizer: float) -> Any:
    model = getattr(lifetimes(), fitter)(penalizer_coef=penalizer)
    with warnings.catch_warnings():  # its likelihood calls warnings.simplefilter: keep it here
        return model.fit(rfm["frequency"], rfm["recency"], rfm["T"])


def objective_args(rfm: pd.DataFrame) -> tuple[Any, ...]:
    """The objectives' arguments for ``rfm``, one history per customer (no weighting)."""
    x, tx, t_age = (rfm[c].to_numpy() for c in ("frequency", "recency", "T"))
    scale = 1.0 / t_age.max()
    order = np.argsort(x, kind="stable")  # the objectives take histories by frequency
    ux, which = np.unique(x, return_inverse=True)
    ux_weight = np.bincount(which).astype(float)
    ones = np.ones(len(x))
    return ux, ux_weight, x[order], tx[order] * scale, t_age[order] * scale, ones[order]


def fitted_log_params(params: dict[str, float], rfm: pd.DataFrame) -> np.ndarray:
    """The log-parameters as fitted: alpha in the scaled time (oldest customer's age 1)."""
    scaled = {**params, "alpha": params["alpha"] / float(rfm["T"].max())}
    return np.log([scaled[k] for k in ("r", "alpha", "a", "b")])


@pytest.fixture(scope="module")
def history() -> tuple[pd.DataFrame, pd.Series]:
    log, alive = generate(5000, 1)
    rfm = crmsheet.rfm_summary(log, as_of=AS_OF)
    return rfm, alive.reindex(rfm.index)


@pytest.fixture(scope="module")
def rfm(history: tuple[pd.DataFrame, pd.Series]) -> pd.DataFrame:
    return history[0]


@pytest.fixture(scope="module")
def sample_rfm() -> pd.DataFrame:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not there")
    data = crmsheet.read(SAMPLE, as_of=SAMPLE_AS_OF)
    result = crmsheet.analyze(data, as_of=SAMPLE_AS_OF)
    return result.rfm[["frequency", "recency", "T"]]


# -- the fit, against lifetimes -------------------------------------------------------------


def assert_equals_lifetimes(model: MBGNBDModel, ref: Any, rfm: pd.DataFrame) -> None:
    assert list(model.params) == ["r", "alpha", "a", "b"]
    for name, value in model.params.items():
        assert value == pytest.approx(ref.params_[name], rel=1e-3), name
        assert model.standard_errors[name] == pytest.approx(ref.standard_errors_[name], rel=1e-4), (
            name
        )
    assert model.log_likelihood == pytest.approx(-ref._negative_log_likelihood_, rel=1e-9)
    alive = ref.conditional_probability_alive(rfm["frequency"], rfm["recency"], rfm["T"])
    mine = model.p_alive(rfm)
    assert mine.index.equals(rfm.index)
    assert np.max(np.abs(mine.to_numpy() - alive)) < 1e-3
    for days in (30, 90, 365):
        want = ref.conditional_expected_number_of_purchases_up_to_time(
            days, rfm["frequency"], rfm["recency"], rfm["T"]
        )
        got = model.expected_purchases(rfm, days)
        assert got.index.equals(rfm.index)
        np.testing.assert_allclose(got.to_numpy(), np.asarray(want), rtol=1e-3, atol=1e-9)


@pytest.mark.parametrize(
    ("seed", "penalizer"), [(1, 0.0), (2, 0.0), (3, 0.01)], ids=["seed 1", "seed 2", "penalized"]
)
def test_fit_equals_lifetimes_on_generated_purchases(seed: int, penalizer: float) -> None:
    log, _ = generate(3000, seed)
    rfm = crmsheet.rfm_summary(log, as_of=AS_OF)
    model = crmsheet.fit_mbgnbd(rfm, penalizer=penalizer)
    assert isinstance(model, MBGNBDModel) and model.penalizer == penalizer
    assert_equals_lifetimes(model, lifetimes_fit("ModifiedBetaGeoFitter", rfm, penalizer), rfm)
    assert model.degenerate == ""


@pytest.mark.parametrize("penalizer", [0.001, 0.01])
def test_fit_equals_lifetimes_on_the_sample(sample_rfm: pd.DataFrame, penalizer: float) -> None:
    model = fit_mbgnbd(sample_rfm, penalizer=penalizer)
    ref = lifetimes_fit("ModifiedBetaGeoFitter", sample_rfm, penalizer)
    assert_equals_lifetimes(model, ref, sample_rfm)
    assert (model.customers, model.repeat_buyers) == (307, 261)


def test_without_a_penalizer_neither_fits_a_history_where_nobody_stops() -> None:
    # everyone buys every few weeks and nobody stops: a and b run off together
    rfm = crmsheet.rfm_summary(
        generate_bgnbd(400, 5, a=1e-9, b=1e9, r=50.0, alpha=1000.0), as_of=BGNBD_AS_OF
    )
    with pytest.raises(ThinDataError, match="no steady answer"):
        fit_mbgnbd(rfm)
    with pytest.raises(lifetimes().utils.ConvergenceError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifetimes_fit("ModifiedBetaGeoFitter", rfm, 0.0)


def test_the_fit_finds_the_parameters_the_data_came_from() -> None:
    log, _ = generate(20_000, 4)
    model = fit_mbgnbd(crmsheet.rfm_summary(log, as_of=AS_OF))
    for name, value in model.params.items():  # daily rounding and sampling: within 15 %
        assert value == pytest.approx(TRUE[name], rel=0.15), name


def test_the_likelihood_is_lifetimes_and_the_gradient_is_its_derivative(
    rfm: pd.DataFrame,
) -> None:
    fitter = lifetimes().ModifiedBetaGeoFitter
    args = objective_args(rfm)
    x, tx, t_age = (rfm[c].to_numpy() for c in ("frequency", "recency", "T"))
    scale = 1.0 / t_age.max()
    rng = np.random.default_rng(1)
    for _ in range(5):
        point = rng.normal(0.0, 1.0, 4)
        for penalizer in (0.0, 0.1):
            value, _ = mbgnbd._objective(point, *args, penalizer)
            with warnings.catch_warnings():  # it calls warnings.simplefilter
                want = fitter._negative_log_likelihood(
                    point, x.astype(int), tx * scale, t_age * scale, np.ones(len(x)), penalizer
                )
            assert value == pytest.approx(float(want), rel=1e-10)
            error = check_grad(
                lambda p, c=penalizer: mbgnbd._objective(p, *args, c)[0],
                lambda p, c=penalizer: mbgnbd._objective(p, *args, c)[1],
                point,
            )
            assert error < 1e-5


def test_it_has_the_interface_of_bgnbd(rfm: pd.DataFrame) -> None:
    fields = [f.name for f in dataclasses.fields(MBGNBDModel)]
    assert fields == [f.name for f in dataclasses.fields(crmsheet.BGNBDModel)]
    model = fit_mbgnbd(rfm)
    assert repr(model).startswith("<MBGNBDModel r=")
    assert model.expected_purchases(rfm, 0).eq(0.0).all()
    assert model.expected_purchases(rfm, 90).name == "expected_purchases_90"
    with pytest.raises(ValueError, match="days"):
        model.expected_purchases(rfm, -1)
    with pytest.raises(ValueError, match="recency must not exceed T"):
        fit_mbgnbd(rfm.assign(recency=rfm["T"] + 1))
    with pytest.raises(ValueError, match="penalizer"):
        fit_mbgnbd(rfm, penalizer=-1.0)
    repeat = rfm.loc[rfm["frequency"] > 0]
    with pytest.raises(ThinDataError, match="19 customers bought"):
        fit_mbgnbd(pd.concat([rfm.loc[rfm["frequency"] == 0], repeat.head(19)]))


# -- one-time buyers can stop --------------------------------------------------------------


def test_a_one_time_buyer_silent_for_long_is_probably_gone(
    history: tuple[pd.DataFrame, pd.Series],
) -> None:
    """The bound: P(alive) < 1/2 for a one-time buyer silent over 5x the mean gap.

    For a one-time buyer the model's P(alive) is, in closed form, 1 / (1 + a/b ((alpha + T) /
    alpha) ** r): below b / (a + b) (the chance of not stopping at the first purchase) from
    the first day and falling as T grows; it is below 1/2 once T > alpha ((b / a) ** (1/r) - 1),
    and 5x the mean gap between purchases is past that here. The generator knows who is
    still a customer: the model's mean P(alive) over those buyers is their real share.
    """
    rfm, alive = history
    model = fit_mbgnbd(rfm)
    r, alpha, a, b = (model.params[k] for k in ("r", "alpha", "a", "b"))
    repeat = rfm["frequency"] > 0
    gap = float((rfm["recency"] / rfm["frequency"])[repeat].mean())  # 68 days
    silent = ~repeat & (rfm["T"] > 5 * gap)
    assert silent.sum() > 500
    p = model.p_alive(rfm)
    t_age = rfm["T"][silent]
    np.testing.assert_allclose(p[silent], 1 / (1 + a / b * ((alpha + t_age) / alpha) ** r))
    assert 5 * gap > alpha * ((b / a) ** (1 / r) - 1)  # the T past which P(alive) < 1/2
    assert p[silent].max() < 0.5
    assert p[~repeat].max() <= b / (a + b) + 1e-12  # equal for a first purchase today
    by_age = p[~repeat].to_numpy()[np.argsort(rfm["T"][~repeat].to_numpy())]
    assert (np.diff(by_age) <= 0).all()
    assert p[silent].mean() == pytest.approx(alive[silent].mean(), abs=0.05)  # 0.37 vs 0.39
    # BG/NBD on the same history: 100 % for every one of them
    assert (crmsheet.fit_bgnbd(rfm).p_alive(rfm)[silent] == 1.0).all()


def test_on_the_sample_one_time_buyers_are_below_the_first_purchase_chance(
    sample_rfm: pd.DataFrame,
) -> None:
    # the sample's customers leave after a purchase now and then (a = 0.39, b = 3.6): its
    # one-time buyers go from 90 % (just bought) to 16 % (silent for over 3 years), always below
    # the chance of staying after a first purchase, b / (a + b); BG/NBD cannot say (100 %)
    model = fit_mbgnbd(sample_rfm, penalizer=0.001)
    a, b = model.params["a"], model.params["b"]
    once = sample_rfm.loc[sample_rfm["frequency"] == 0].sort_values("T")
    p = model.p_alive(once)
    assert len(once) == 46 and (p < b / (a + b)).all() and p.is_monotonic_decreasing
    assert p.iloc[-1] < 0.2 < 0.85 < p.iloc[0]


# -- standard errors and degeneracy (both models) -------------------------------------------


@pytest.mark.parametrize(
    ("module", "fitter"),
    [(bgnbd, "BetaGeoFitter"), (mbgnbd, "ModifiedBetaGeoFitter")],
    ids=["BG/NBD", "MBG/NBD"],
)
def test_standard_errors_are_the_curvature_at_the_optimum(
    rfm: pd.DataFrame, module: Any, fitter: str
) -> None:
    fit = bgnbd.fit_bgnbd if module is bgnbd else fit_mbgnbd
    model = fit(rfm)
    se = model.standard_errors
    assert list(se) == list(model.params)
    assert all(np.isfinite(v) and 0 < v < model.params[k] for k, v in se.items())
    # lifetimes differentiates its likelihood exactly (autograd)
    ref = lifetimes_fit(fitter, rfm, 0.0)
    for name, value in se.items():
        assert value == pytest.approx(ref.standard_errors_[name], rel=1e-5), name
    # a Hessian with a 100x larger and a 10x smaller step gives the same errors
    args = (*objective_args(rfm), 0.0)
    at = fitted_log_params(model.params, rfm)
    for step in (1e-2, 1e-5):
        curvature = likelihood.hessian(module._objective, at, args, step=step)
        again = likelihood.standard_errors(model.params, curvature, len(rfm))
        for name, value in se.items():
            assert again[name] == pytest.approx(value, rel=1e-3), (step, name)
    # the same customers twice over: the same fit, errors smaller by sqrt(2)
    twice = pd.concat([rfm, rfm.set_axis(rfm.index + "b")])
    double = fit(twice)
    for name, value in se.items():
        assert double.params[name] == pytest.approx(model.params[name], rel=1e-6), name
        assert double.standard_errors[name] == pytest.approx(value / np.sqrt(2), rel=1e-4)
    assert model.degenerate == "" and double.degenerate == ""


def test_a_history_where_everyone_buys_at_one_rate_is_degenerate() -> None:
    # one buying rate for all: r and alpha grow together (the Gamma narrows to a point)
    log, _ = generate(400, 5, r=1e4, alpha=2e5)
    rfm = crmsheet.rfm_summary(log, as_of=AS_OF)
    model = fit_mbgnbd(rfm)  # r = 183 +- 260
    assert model.standard_errors["r"] > model.params["r"]
    assert model.degenerate == (
        "The data hardly pin down r and alpha: their standard errors exceed their values, so "
        "the model is close to a limiting case."
    )
    assert crmsheet.fit_bgnbd(rfm).degenerate == ""  # r = 0.65 +- 0.06
    # more customers: r runs further (to 160,000) and the likelihood is flat there; where
    # BFGS stops on that ridge differs between numpy builds: a limiting case or no fit, never
    # a sound one
    log, _ = generate(1000, 6, r=1e4, alpha=1e6)
    try:
        model = fit_mbgnbd(crmsheet.rfm_summary(log, as_of=AS_OF))
    except ThinDataError as exc:
        assert "no steady answer" in str(exc)
    else:
        assert model.degenerate.startswith("r and alpha ran towards the edge of what the fit")
        assert np.isnan(model.standard_errors["r"])


def test_degeneracy_names_the_limiting_case() -> None:
    fine = np.diag([2.0, 1.0, 0.5, 0.3])
    at = dict(zip(("r", "alpha", "a", "b"), np.log([0.5, 0.03, 0.8, 2.5]), strict=True))
    assert likelihood.degeneracy(at, fine, 3000) == ""
    assert "hardly pin down b:" in likelihood.degeneracy(at, fine, 3)  # se(b)/b = 1.05
    singular = fine.copy()
    singular[2:, 2:] = 0.4  # a and b move together at no cost
    assert "Hessian of the likelihood is singular" in likelihood.degeneracy(at, singular, 3000)
    assert likelihood.standard_errors(dict.fromkeys(at, 1.0), singular, 3000)["a"] != 1.0
    assert likelihood.degeneracy({**at, "a": np.log(1e-4)}, fine, 3000).startswith(
        "a = 0.0001 is near 0: the model finds almost nobody ever stops buying"
    )
    assert likelihood.degeneracy({**at, "r": np.log(5e4)}, fine, 3000).startswith(
        "r ran towards the edge of what the fit allows"
    )
    assert "could not be evaluated" in likelihood.degeneracy(at, fine * np.nan, 3000)
