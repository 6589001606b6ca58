"""Gamma-Gamma and CLV: the fit, order values and lifetime values equal lifetimes'.

Data are generated from the models themselves (fixed seeds): purchases from the BG/NBD
process, and each customer's order values Gamma(p, nu) with nu ~ Gamma(q, v) between
customers. The real purchases are the invoices of examples/sample_customers.xlsx.
"""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import crmsheet
from crmsheet import Settings
from crmsheet.analysis import gammagamma
from crmsheet.analysis.gammagamma import GammaGammaModel, fit_gamma_gamma
from crmsheet.analysis.metrics import by_kind, counted_sales, invoices
from crmsheet.errors import ThinDataError

AS_OF = date(2024, 2, 10)
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_customers.xlsx"
SAMPLE_AS_OF = date(2026, 11, 1)
SPEND = {"p": 6.0, "q": 4.0, "v": 150.0}  # a mean order of p v / (q - 1) = 300


def generate(customers: int = 3000, seed: int = 1, **spend: float) -> pd.DataFrame:
    """Purchases (customer_id, date, amount): BG/NBD timing, Gamma-Gamma order values."""
    g = {**SPEND, **spend}
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.5, 1.0 / 20.0, customers)  # BG/NBD r = 0.5, alpha = 20 days
    stop = rng.beta(0.8, 2.5, customers)
    age = rng.uniform(0.0, 730.0, customers)
    nu = rng.gamma(g["q"], 1.0 / g["v"], customers)
    who, when = [np.arange(customers)], [np.zeros(customers)]
    t, buying = np.zeros(customers), np.ones(customers, dtype=bool)
    while buying.any():
        t = t + rng.exponential(1.0, customers) / rate
        buying &= t < age
        who.append(np.flatnonzero(buying))
        when.append(t[buying])
        buying &= rng.random(customers) >= stop
    ids, times = np.concatenate(who), np.concatenate(when)
    first = np.datetime64(AS_OF, "s") + np.timedelta64(1, "D") - (age * 86400).astype("m8[s]")
    return pd.DataFrame({
        "customer_id": pd.Series([f"C{i:05d}" for i in ids], dtype="str"),
        "date": pd.Series(first[ids] + (times * 86400).astype("m8[s]")).astype("datetime64[us]"),
        "amount": rng.gamma(g["p"], 1.0 / nu[ids]).round(2),
    })  # fmt: skip


def lifetimes() -> Any:
    with warnings.catch_warnings():
        # lifetimes 0.11.3 sets a pandas option that pandas 3 deprecates, on import
        warnings.simplefilter("ignore")
        return pytest.importorskip("lifetimes")


def lifetimes_spend(rfm: pd.DataFrame, penalizer: float) -> Any:
    repeat = rfm.loc[rfm["frequency"] > 0]
    fitter = lifetimes().GammaGammaFitter(penalizer_coef=penalizer)
    with warnings.catch_warnings():  # its likelihood calls warnings.simplefilter
        return fitter.fit(repeat["frequency"], repeat["monetary_value"])


def lifetimes_purchases(rfm: pd.DataFrame, penalizer: float) -> Any:
    fitter = lifetimes().BetaGeoFitter(penalizer_coef=penalizer)
    with warnings.catch_warnings():
        return fitter.fit(rfm["frequency"], rfm["recency"], rfm["T"])


def sample_rfm() -> pd.DataFrame:
    """The sample book's purchases (invoices of more than 0, as analyze counts them)."""
    data = crmsheet.read(SAMPLE, as_of=SAMPLE_AS_OF)
    _, _, _, log = counted_sales(data.transactions, as_of=SAMPLE_AS_OF, settings=Settings())
    _, bought = by_kind(invoices(log))
    return crmsheet.rfm_summary(bought, as_of=SAMPLE_AS_OF, customer="customer_key")


@pytest.fixture(scope="module")
def rfm() -> pd.DataFrame:
    return crmsheet.rfm_summary(generate(), as_of=AS_OF)


def assert_like_lifetimes(rfm: pd.DataFrame, spend: float, purchases: float) -> GammaGammaModel:
    """Params, standard errors, order values and CLV against lifetimes, on the same data."""
    model = crmsheet.fit_gamma_gamma(rfm, penalizer=spend)
    ref = lifetimes_spend(rfm, spend)
    assert list(model.params) == ["p", "q", "v"] == list(model.standard_errors)
    for name, value in model.params.items():
        assert value == pytest.approx(ref.params_[name], rel=1e-4), name
        # lifetimes' standard errors come from autograd's exact Hessian
        assert model.standard_errors[name] == pytest.approx(ref.standard_errors_[name],
                                                            rel=1e-4), name  # fmt: skip
    assert model.customers == int((rfm["frequency"] > 0).sum())
    assert model.log_likelihood == pytest.approx(-ref._negative_log_likelihood_, rel=1e-9)

    value = model.expected_order_value(rfm)
    want = ref.conditional_expected_average_profit(rfm["frequency"], rfm["monetary_value"])
    assert value.index.equals(rfm.index)
    np.testing.assert_allclose(value.to_numpy(), np.asarray(want), rtol=1e-4)
    once = rfm["frequency"].eq(0).to_numpy()
    assert once.any()
    np.testing.assert_allclose(value[once], model.population_mean, rtol=1e-12)

    # the purchase models first: crmsheet's BG/NBD and lifetimes' must agree
    bgnbd = crmsheet.fit_bgnbd(rfm, penalizer=purchases)
    bg_ref = lifetimes_purchases(rfm, purchases)
    for name, p in bgnbd.params.items():
        assert p == pytest.approx(bg_ref.params_[name], rel=1e-6), name
    clv = model.clv(bgnbd, rfm, months=12, discount_rate=0.01)
    with warnings.catch_warnings():
        want = ref.customer_lifetime_value(
            bg_ref, rfm["frequency"], rfm["recency"], rfm["T"], rfm["monetary_value"],
            time=12, discount_rate=0.01, freq="D",
        )  # fmt: skip
    assert clv.index.equals(rfm.index) and clv.name == "clv"
    assert np.isfinite(clv).all()
    np.testing.assert_allclose(clv.to_numpy(), np.asarray(want), rtol=1e-4)
    return model


# -- against lifetimes ----------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "spend", "purchases"), [(1, 0.0, 0.0), (2, 0.0, 0.001),
                                                          (3, 0.001, 0.0)])  # fmt: skip
def test_generated_purchases_equal_lifetimes(seed: int, spend: float, purchases: float) -> None:
    rfm = crmsheet.rfm_summary(generate(3000, seed), as_of=AS_OF)
    model = assert_like_lifetimes(rfm, spend, purchases)
    if spend == 0.0:
        assert model.degenerate == ""
        for name, value in model.params.items():  # the data's own parameters, within 20 %
            assert value == pytest.approx(SPEND[name], rel=0.2), name


def test_the_sample_books_purchases_equal_lifetimes() -> None:
    rfm = sample_rfm()
    assert len(rfm) == 307 and int((rfm["frequency"] > 0).sum()) == 261
    # analyze's penalizer (the purchase models, as analyze fits them)
    model = assert_like_lifetimes(rfm, 0.0, Settings().predict_penalizer)
    # heavy-tailed B2B order values: q < 1, so the population mean is not a mean
    assert model.params["q"] < 1.0 and model.population_mean < 0.0
    assert "at or below 1" in model.degenerate


# -- standard errors ------------------------------------------------------------------------


def test_the_hessian_is_the_gradients_derivative_at_two_step_sizes(rfm: pd.DataFrame) -> None:
    x, m = rfm["frequency"].to_numpy(), rfm["monetary_value"].to_numpy()
    data = gammagamma._Data(x[x > 0], m[x > 0])
    rng = np.random.default_rng(4)
    for penalizer in (0.0, 0.01):
        for point in (np.log([6.0, 4.0, 150.0]), rng.normal(1.0, 0.5, 3)):
            exact = gammagamma._hessian(point, data, penalizer)
            by_step = []
            for h in (1e-4, 1e-5):  # central differences of the analytic gradient
                cols = [(gammagamma._objective(point + h * e, data, penalizer)[1]
                         - gammagamma._objective(point - h * e, data, penalizer)[1]) / (2 * h)
                        for e in np.eye(3)]  # fmt: skip
                by_step.append(np.column_stack(cols))
            scale = np.max(np.abs(exact))
            for numeric in by_step:
                assert np.max(np.abs(numeric - exact)) < 1e-6 * scale
            assert np.allclose(exact, exact.T)


def test_standard_errors_are_the_inverse_hessian_carried_to_the_parameters(
    rfm: pd.DataFrame,
) -> None:
    model = fit_gamma_gamma(rfm)
    x, m = rfm["frequency"].to_numpy(), rfm["monetary_value"].to_numpy()
    data = gammagamma._Data(x[x > 0], m[x > 0])
    theta = np.log([model.params[k] for k in ("p", "q", "v")])
    h = 1e-4  # a Hessian from the objective's values alone, by central differences
    f = lambda t: gammagamma._objective(t, data, 0.0)[0]  # noqa: E731
    e = np.eye(3) * h
    numeric = np.array([[(f(theta + e[i] + e[j]) - f(theta + e[i] - e[j]) - f(theta - e[i] + e[j])
                          + f(theta - e[i] - e[j])) / (4 * h * h) for j in range(3)]
                        for i in range(3)])  # fmt: skip
    se = np.exp(theta) * np.sqrt(np.diag(np.linalg.inv(numeric)) / model.customers)
    np.testing.assert_allclose([model.standard_errors[k] for k in "pqv"], se, rtol=1e-3)
    # and they shrink like 1 / sqrt(customers): four times the customers, half the error
    big = fit_gamma_gamma(crmsheet.rfm_summary(generate(12_000, 1), as_of=AS_OF))
    for k in "pqv":
        assert big.standard_errors[k] / model.standard_errors[k] == pytest.approx(0.5, abs=0.15)


def test_a_singular_hessian_has_no_standard_errors() -> None:
    params = {"p": 2.0, "q": 3.0, "v": 10.0}
    flat = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    errors, singular = gammagamma._standard_errors(params, flat, 100)
    assert singular and all(np.isnan(v) for v in errors.values())
    errors, singular = gammagamma._standard_errors(params, np.diag([4.0, 1.0, 0.25]), 100)
    assert not singular
    assert errors == pytest.approx({"p": 0.1, "q": 0.3, "v": 2.0})
    assert "not pinned down" in gammagamma._degenerate(params, 10.0, True, True)


# -- degenerate fits ------------------------------------------------------------------------


def test_one_price_for_everyone_runs_off_and_says_so() -> None:
    log = generate(3000, 5).assign(amount=50.0)  # no spread within or between customers
    model = fit_gamma_gamma(crmsheet.rfm_summary(log, as_of=AS_OF))
    assert model.degenerate.startswith("The spend model ran off to a boundary (p is extreme)")
    assert model.params["p"] > 1e6


def test_q_below_one_is_degenerate_but_still_lifetimes(rfm: pd.DataFrame) -> None:
    heavy = crmsheet.rfm_summary(generate(3000, 5, q=0.7, v=5.0), as_of=AS_OF)
    model = fit_gamma_gamma(heavy)
    ref = lifetimes_spend(heavy, 0.0)
    assert model.params["q"] < 1.0
    assert model.params == pytest.approx(dict(ref.params_), rel=1e-4)
    assert "q is 0.687, at or below 1" in model.degenerate
    assert fit_gamma_gamma(rfm).degenerate == ""
    assert "degenerate" in repr(model) and "degenerate" not in repr(fit_gamma_gamma(rfm))


def test_too_few_repeat_buyers_is_a_thin_data_error(rfm: pd.DataFrame) -> None:
    repeat = rfm.loc[rfm["frequency"] > 0]
    thin = pd.concat([rfm.loc[rfm["frequency"] == 0], repeat.head(19)])
    with pytest.raises(ThinDataError, match="19 customers bought on more than one day"):
        fit_gamma_gamma(thin)
    assert fit_gamma_gamma(pd.concat([thin, repeat.iloc[[19]]])).customers == 20
    # a repeat buyer whose repeat days net to nothing has no order value to learn from
    zero = pd.concat([thin, repeat.iloc[[19]].assign(monetary_value=0.0)])
    with pytest.raises(ThinDataError, match="19 customers"):
        fit_gamma_gamma(zero)


# -- CLV ------------------------------------------------------------------------------------


class Steady:
    """A purchase model of its own: every customer buys ``per_day`` times a day, for ever."""

    def __init__(self, per_day: float) -> None:
        self.per_day = per_day

    def expected_purchases(self, rfm: pd.DataFrame, days: float) -> pd.Series:
        return pd.Series(self.per_day * days, index=rfm.index)


def test_clv_takes_any_purchase_model_and_discounts_monthly(rfm: pd.DataFrame) -> None:
    model = fit_gamma_gamma(rfm)
    value = model.expected_order_value(rfm)
    clv = model.clv(Steady(0.1), rfm, months=3, discount_rate=0.02)
    # three purchases a month, each discounted by its month: 1.02, 1.02², 1.02³
    want = value * 3.0 * (1 / 1.02 + 1 / 1.02**2 + 1 / 1.02**3)
    np.testing.assert_allclose(clv.to_numpy(), want.to_numpy(), rtol=1e-12)
    # undiscounted, the months add up to the purchases expected over the whole horizon
    bgnbd = crmsheet.fit_bgnbd(rfm)
    np.testing.assert_allclose(
        model.clv(bgnbd, rfm, months=12, discount_rate=0.0).to_numpy(),
        (value * bgnbd.expected_purchases(rfm, 360)).to_numpy(), rtol=1e-10,
    )  # fmt: skip
    assert model.clv(bgnbd, rfm, months=0).eq(0.0).all()
    shorter = model.clv(bgnbd, rfm, months=6)
    assert (shorter <= model.clv(bgnbd, rfm, months=12)).all()


def test_bad_calls_are_value_errors(rfm: pd.DataFrame) -> None:
    model = fit_gamma_gamma(rfm)
    with pytest.raises(ValueError, match="months"):
        model.clv(Steady(0.1), rfm, months=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="months"):
        model.clv(Steady(0.1), rfm, months=-1)
    with pytest.raises(ValueError, match="discount_rate"):
        model.clv(Steady(0.1), rfm, discount_rate=-1.0)
    with pytest.raises(ValueError, match="missing"):
        fit_gamma_gamma(rfm.drop(columns="monetary_value"))
    with pytest.raises(ValueError, match="penalizer"):
        fit_gamma_gamma(rfm, penalizer=-1.0)
    with pytest.raises(ValueError, match="whole number"):
        fit_gamma_gamma(rfm.assign(frequency=rfm["frequency"] + 0.5))
