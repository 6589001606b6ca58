"""BG/NBD: the fit equals lifetimes' BetaGeoFitter; the forecast in analyze() and the workbook.

Data are generated from the BG/NBD process itself (fixed seeds): each customer buys as a
Poisson process with a Gamma-distributed rate and stops for good after a purchase with a
Beta-distributed probability.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy.optimize import check_grad

import crmsheet
from crmsheet import Settings
from crmsheet.analysis import bgnbd
from crmsheet.analysis.bgnbd import MIN_REPEAT_BUYERS, fit_bgnbd, forecast, order_value
from crmsheet.errors import ThinDataError

AS_OF = date(2024, 2, 10)
TRUE = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5}  # a purchase every 40 days on average


def generate(
    customers: int = 3000, seed: int = 20240210, *, max_age: float = 730.0, **params: float
) -> pd.DataFrame:
    """Purchases (customer_id, date, amount) from the BG/NBD process, first purchase included.

    Customers start uniformly over the ``max_age`` days before AS_OF, at any time of day.
    """
    p = {**TRUE, **params}
    rng = np.random.default_rng(seed)
    rate = rng.gamma(p["r"], 1.0 / p["alpha"], customers)
    stop = rng.beta(p["a"], p["b"], customers)
    age = rng.uniform(0.0, max_age, customers)
    who, when = [np.arange(customers)], [np.zeros(customers)]
    t, buying = np.zeros(customers), np.ones(customers, dtype=bool)
    while buying.any():  # one purchase per round for every customer still buying
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
        "amount": rng.gamma(2.0, 25.0, len(ids)).round(2),
    })  # fmt: skip


def lifetimes() -> Any:
    with warnings.catch_warnings():
        # lifetimes 0.11.3 sets a pandas option that pandas 3 deprecates, on import
        warnings.simplefilter("ignore")
        return pytest.importorskip("lifetimes")


def lifetimes_fit(rfm: pd.DataFrame, penalizer: float) -> Any:
    fitter = lifetimes().BetaGeoFitter(penalizer_coef=penalizer)
    with warnings.catch_warnings():  # its likelihood calls warnings.simplefilter: keep it here
        return fitter.fit(rfm["frequency"], rfm["recency"], rfm["T"])


@pytest.fixture(scope="module")
def rfm() -> pd.DataFrame:
    return crmsheet.rfm_summary(generate(), as_of=AS_OF)


# -- the fit, against lifetimes -------------------------------------------------------------


@pytest.mark.parametrize(("seed", "penalizer"), [(20240210, 0.0), (7, 0.0), (8, 0.01)])
def test_fit_equals_lifetimes(seed: int, penalizer: float) -> None:
    rfm = crmsheet.rfm_summary(generate(3000, seed), as_of=AS_OF)
    model = crmsheet.fit_bgnbd(rfm, penalizer=penalizer)
    ref = lifetimes_fit(rfm, penalizer)
    assert list(model.params) == ["r", "alpha", "a", "b"]
    for name, value in model.params.items():
        assert value == pytest.approx(ref.params_[name], rel=0.01), name
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
        np.testing.assert_allclose(got.to_numpy(), np.asarray(want), rtol=1e-6, atol=1e-9)


def test_the_fit_finds_the_parameters_the_data_came_from() -> None:
    rfm = crmsheet.rfm_summary(generate(20_000, 3), as_of=AS_OF)
    model = fit_bgnbd(rfm)
    for name, value in model.params.items():  # daily rounding and sampling: within 15 %
        assert value == pytest.approx(TRUE[name], rel=0.15), name
    assert (model.customers, model.repeat_buyers) == (len(rfm), int((rfm["frequency"] > 0).sum()))


def test_the_likelihood_is_lifetimes_and_the_gradient_is_its_derivative(
    rfm: pd.DataFrame,
) -> None:
    fitter = lifetimes().BetaGeoFitter
    x, tx, t_age = (rfm[c].to_numpy() for c in ("frequency", "recency", "T"))
    scale = 1.0 / t_age.max()
    order = np.argsort(x, kind="stable")  # the objective takes histories by frequency
    ux, which = np.unique(x, return_inverse=True)
    ux_weight = np.bincount(which).astype(float)
    ones = np.ones(len(x))
    args = (ux, ux_weight, x[order], tx[order] * scale, t_age[order] * scale, ones[order])
    rng = np.random.default_rng(1)
    for _ in range(5):
        point = rng.normal(0.0, 1.0, 4)
        for penalizer in (0.0, 0.1):
            value, _ = bgnbd._objective(point, *args, penalizer)
            with warnings.catch_warnings():  # it calls warnings.simplefilter
                want = fitter._negative_log_likelihood(
                    point, x.astype(int), tx * scale, t_age * scale, ones, penalizer
                )
            assert value == pytest.approx(float(want), rel=1e-10)
            error = check_grad(
                lambda p, c=penalizer: bgnbd._objective(p, *args, c)[0],
                lambda p, c=penalizer: bgnbd._objective(p, *args, c)[1],
                point,
            )
            assert error < 1e-5


def test_a_weekly_buyer_silent_six_weeks_is_less_alive_than_a_yearly_buyer_silent_eight_months(
    rfm: pd.DataFrame,
) -> None:
    model = fit_bgnbd(rfm)
    two = pd.DataFrame(
        {"frequency": [25.0, 2.0], "recency": [175.0, 730.0], "T": [217.0, 973.0]},
        index=pd.Index(["weekly", "yearly"], name="customer_id"),
    )
    alive = model.p_alive(two)
    assert alive["weekly"] < 0.3 < 0.6 < alive["yearly"]  # 0.21 and 0.69
    assert model.expected_purchases(two, 0).eq(0.0).all()
    one_time = pd.DataFrame({"frequency": [0.0], "recency": [0.0], "T": [300.0]})
    assert model.p_alive(one_time).tolist() == [1.0]  # BG/NBD: stopping follows a purchase


def test_bad_calls_are_value_errors(rfm: pd.DataFrame) -> None:
    model = fit_bgnbd(rfm)
    with pytest.raises(ValueError, match="days"):
        model.expected_purchases(rfm, -1)
    with pytest.raises(ValueError, match="missing"):
        fit_bgnbd(rfm.drop(columns="recency"))
    with pytest.raises(ValueError, match="recency must not exceed T"):
        fit_bgnbd(rfm.assign(recency=rfm["T"] + 1))
    with pytest.raises(ValueError, match="penalizer"):
        fit_bgnbd(rfm, penalizer=-1.0)


# -- too little to fit --------------------------------------------------------------------


def test_too_few_repeat_buyers_is_a_thin_data_error(rfm: pd.DataFrame) -> None:
    repeat = rfm.loc[rfm["frequency"] > 0]
    thin = pd.concat([rfm.loc[rfm["frequency"] == 0], repeat.head(MIN_REPEAT_BUYERS - 1)])
    with pytest.raises(ThinDataError, match=f"{MIN_REPEAT_BUYERS - 1} customers bought"):
        fit_bgnbd(thin)
    fit_bgnbd(pd.concat([thin, repeat.iloc[[MIN_REPEAT_BUYERS]]]))  # one more is enough
    with pytest.raises(ThinDataError, match="0 customers bought"):
        fit_bgnbd(rfm.iloc[:0])


def test_a_history_where_nobody_stops_buying_does_not_fit() -> None:
    # everyone buys every few weeks and nobody stops: the fit runs off to a -> 0, where
    # lifetimes does not converge either
    rfm = crmsheet.rfm_summary(generate(400, 5, a=1e-9, b=1e9, r=50.0, alpha=1000.0), as_of=AS_OF)
    with pytest.raises(ThinDataError, match="no steady answer"):
        fit_bgnbd(rfm)


def test_forecast_says_why_there_is_no_model(rfm: pd.DataFrame) -> None:
    revenue = pd.Series(100.0, index=rfm.index)
    off = forecast(rfm, revenue=revenue, settings=Settings(predict=False))
    assert off.model is None and off.table.empty
    assert off.note.startswith("Turned off in Settings (predict)")
    thin = forecast(rfm.head(30), revenue=revenue, settings=Settings())
    assert thin.model is None and "usual gap between purchases" in thin.note
    on = forecast(rfm, revenue=revenue, settings=Settings(predict_penalizer=0.0))
    assert on.model is not None and on.model.penalizer == 0.0
    assert list(on.table.columns) == bgnbd.FORECAST_COLUMNS
    assert on.table.index.equals(rfm.index)
    np.testing.assert_allclose(on.table["order_value"], 100.0 / (rfm["frequency"] + 1))
    np.testing.assert_allclose(
        on.table["expected_value_365"], on.table["expected_purchases_365"] * on.table["order_value"]
    )


def test_the_settings_describe_the_prediction() -> None:
    described = {name: text for name, _, text in Settings().describe()}
    assert f"at least {MIN_REPEAT_BUYERS} customers" in described["predict"]
    assert "penalizer_coef" in described["predict_penalizer"]
    assert (Settings().predict, Settings().predict_penalizer) == (True, 0.001)
    assert not Settings.load({"predict": "FALSE"}).predict  # as a Settings sheet may hold it


def test_order_value_counts_the_first_day() -> None:
    purchases = pd.DataFrame({
        "customer_id": pd.Series(["A", "A", "A", "B"], dtype="str"),
        "date": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-11",
                                "2024-01-05"], format="ISO8601").astype("datetime64[us]"),
        "amount": [10.0, 5.0, 45.0, 30.0],
    })  # fmt: skip
    rfm = crmsheet.rfm_summary(purchases, as_of=AS_OF)
    revenue = pd.Series({"A": 60.0, "B": 30.0})
    assert order_value(rfm, revenue).to_dict() == {"A": 30.0, "B": 30.0}


# -- in analyze() and the workbook --------------------------------------------------------


def write_log(path: Path, purchases: pd.DataFrame) -> Path:
    out = purchases.rename(columns={"customer_id": "Customer ID", "date": "Date",
                                    "amount": "Amount"})  # fmt: skip
    out.to_csv(path, index=False)
    return path


def regulars() -> pd.DataFrame:
    """Two lapsed regulars whose ranking the model turns round.

    WEEKLY bought 20 a week for a year and has been silent 200 days: the model gives them up
    (almost all of 1,040 lost). MONTHLY bought 100 a month for a year, silent 120 days: more
    at risk by last year's spend (1,200), but the model still expects purchases from them.
    """
    rows = []
    for name, every, times, amount, silent in (("WEEKLY", 7, 52, 20.0, 200),
                                               ("MONTHLY", 30, 12, 100.0, 120)):  # fmt: skip
        last = AS_OF - timedelta(days=silent)
        rows += [(name, last - timedelta(days=every * k), amount) for k in range(times)]
    return pd.DataFrame({
        "customer_id": pd.Series([r[0] for r in rows], dtype="str"),
        "date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[us]"),
        "amount": [r[2] for r in rows],
    })  # fmt: skip


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    log = pd.concat([generate(400, 11), regulars()], ignore_index=True)
    return write_log(tmp_path_factory.mktemp("bgnbd") / "purchases.csv", log)


def test_the_lapsed_list_is_ranked_by_expected_value_lost(shop: Path) -> None:
    data = crmsheet.read(shop, as_of=AS_OF)
    result = crmsheet.analyze(data, as_of=AS_OF)
    assert result.bgnbd is not None and result.headline.predicted
    lapsed = result.lapsed
    weekly, monthly = lapsed.loc["WEEKLY"], lapsed.loc["MONTHLY"]
    assert (weekly["status"], monthly["status"]) == ("lapsed", "lapsing")
    assert weekly["value_at_risk"] == pytest.approx(1040.0)
    assert monthly["value_at_risk"] == pytest.approx(1200.0)
    assert weekly["p_alive"] < 0.05 < monthly["p_alive"]
    assert weekly["expected_value_lost"] > monthly["expected_value_lost"]
    order = list(lapsed.index)
    assert order.index("WEEKLY") < order.index("MONTHLY")  # by value at risk it is the reverse
    assert lapsed["expected_value_lost"].is_monotonic_decreasing
    # expected value lost = last active year's spend - the next 365 days' expected value
    c = result.customers.loc["WEEKLY"]
    assert c["expected_value_lost"] == pytest.approx(
        c["revenue_last_active_year"] - c["expected_purchases_365"] * 20.0
    )
    # the follow-up list ranks by it too (here: the thank-yous)
    thanks = result.follow_ups.loc[result.follow_ups["action"] == "thank you"]
    assert thanks["expected_value_lost"].is_monotonic_decreasing

    # without the model: the usual-gap rules, ranked by value at risk
    plain = crmsheet.analyze(data, as_of=AS_OF, settings=Settings(predict=False))
    assert plain.bgnbd is None and not plain.headline.predicted
    order = list(plain.lapsed.index)
    assert order.index("MONTHLY") < order.index("WEEKLY")
    assert set(plain.lapsed.index) == set(lapsed.index)  # the same people, ranked otherwise
    assert "p_alive" not in plain.customers and "p_alive" not in plain.rfm
    assert plain.headline.prediction.startswith("Turned off in Settings")


def test_the_workbook_has_the_forecast_typed(shop: Path) -> None:
    out = shop.with_name("predicted.xlsx")
    result = crmsheet.enrich(shop, as_of=AS_OF, output=out, overwrite=True)
    book = openpyxl.load_workbook(out)
    for sheet in ("RFM", "Customers"):
        ws = book[sheet]
        headers = [c.value for c in ws[1]]
        keys = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
        for header, column, fmt in (("P(alive)", "p_alive", "0.0%"),
                                    ("Expected purchases (90 days)", "expected_purchases_90",
                                     "#,##0.00")):  # fmt: skip
            assert header in headers, (sheet, header)
            i = headers.index(header) + 1
            cells = [ws.cell(row=r, column=i) for r in range(2, ws.max_row + 1)]
            want = result.analysis.customers[column].reindex(keys).to_numpy()
            # a figure the model cannot estimate (P(alive) of a one-time buyer) is blank
            shown = [c for c, w in zip(cells, want, strict=True) if not np.isnan(w)]
            assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in shown)
            assert all(c.value is None for c, w in zip(cells, want, strict=True) if np.isnan(w))
            assert {c.number_format for c in shown} == {fmt}
            np.testing.assert_allclose([c.value if c.value is not None else np.nan
                                        for c in cells], want, rtol=1e-12)  # fmt: skip
        alive = [ws.cell(row=r, column=headers.index("P(alive)") + 1).value
                 for r in range(2, ws.max_row + 1)]  # fmt: skip
        known = [v for v in alive if v is not None]
        assert 0.0 <= min(known) < 0.05 and max(known) < 1.0
        # blank for one-time buyers only where the model used cannot estimate it (BG/NBD)
        assert (None in alive) == (result.analysis.prediction.name == "bg/nbd")
    lapsed = book["Lapsed"]
    headers = [c.value for c in lapsed[1]]
    assert headers[:6] == ["Customer", "Name", "Status", "Rating", "Expected value lost",
                           "Value at risk (last active year)"]  # fmt: skip
    assert lapsed.cell(row=2, column=5).number_format == "#,##0.00"
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Who will buy again"] == result.analysis.headline.prediction
    assert "ranked by expected value lost" in summary["Who will buy again"]
    settings = {r[0]: r[1] for r in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert (settings["predict"], settings["predict_penalizer"]) == ("yes", "0.001")


def test_thin_data_keeps_the_rules_and_says_so(tmp_path: Path) -> None:
    log = generate(60, 4, max_age=45.0)  # six weeks of history: few repeat buyers
    path = write_log(tmp_path / "young.csv", log)
    result = crmsheet.enrich(path, as_of=AS_OF)  # never fails
    repeat = int((result.analysis.rfm["frequency"] > 0).sum())
    assert 0 < repeat < MIN_REPEAT_BUYERS
    assert result.analysis.bgnbd is None and not result.analysis.headline.predicted
    assert result.analysis.headline.prediction == (
        f"Not enough history to predict who will buy again: {repeat} customers bought on "
        f"more than one day, and at least {MIN_REPEAT_BUYERS} are needed; lapsed customers "
        "are found by their usual gap between purchases instead."
    )
    plain = crmsheet.analyze(crmsheet.read(path, as_of=AS_OF), as_of=AS_OF,
                             settings=Settings(predict=False))  # fmt: skip
    pd.testing.assert_frame_equal(result.analysis.lapsed, plain.lapsed)
    pd.testing.assert_frame_equal(result.analysis.customers, plain.customers)
    book = openpyxl.load_workbook(path.with_name("young.enriched.xlsx"))
    for sheet in ("RFM", "Customers", "Lapsed"):
        assert "P(alive)" not in [c.value for c in book[sheet][1]], sheet
    texts = [r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]]
    assert result.analysis.headline.prediction in texts
