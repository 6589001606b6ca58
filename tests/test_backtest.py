"""The backtest inside analyze: models fitted on the earlier sales, checked on the last days.

Generated purchases (the BG/NBD process, as tests/test_bgnbd.py draws them) where the truth is
known: what happened in the holdout is counted here independently, each model's error is
recomputed from its own prediction, and the true model predicts the holdout's total closely.
Then the choice (auto picks the smaller error, never a degenerate fit; Settings override),
the money columns (never negative, the own average order value when Gamma-Gamma cannot be
used), the sentence on thin data, and the advice that never suggests the setting in force.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_bgnbd import AS_OF, generate

import crmsheet
from crmsheet.analysis.likelihood import penalizer_advice
from crmsheet.analysis.prediction import (
    MODEL_NAMES,
    PURCHASE_MODELS,
    Backtest,
    Trial,
    _choice,
    backtest,
    predict,
)
from crmsheet.analysis.rfm import rfm_table

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_customers.xlsx"
HOLDOUT = 180


def purchases(customers: int = 3000, **kw: float) -> pd.DataFrame:
    return generate(customers, **kw).rename(columns={"customer_id": "customer_key"})


@pytest.fixture(scope="module")
def bought() -> pd.DataFrame:
    return purchases()


@pytest.fixture(scope="module")
def check(bought: pd.DataFrame) -> Backtest:
    return backtest(bought, as_of=AS_OF, settings=crmsheet.Settings(holdout_days=HOLDOUT))


def test_what_happened_in_the_holdout_is_counted_as_the_log_says(
    bought: pd.DataFrame, check: Backtest
) -> None:
    end = AS_OF - timedelta(days=HOLDOUT)
    day = bought["date"].dt.floor("D")
    known = bought.loc[day <= pd.Timestamp(end), "customer_key"].unique()
    later = bought.loc[(day > pd.Timestamp(end)) & bought["customer_key"].isin(known)]
    happened = later.assign(day=later["date"].dt.floor("D")).drop_duplicates(
        ["customer_key", "day"])  # fmt: skip
    assert check.calibration_end == end and check.holdout_days == HOLDOUT
    assert check.customers == len(known)
    assert check.actual == len(happened)
    assert [t.name for t in check.trials] == list(PURCHASE_MODELS)


def test_each_models_error_is_its_own_prediction_against_what_happened(
    bought: pd.DataFrame, check: Backtest
) -> None:
    frame = crmsheet.calibration_holdout(bought, calibration_end=check.calibration_end, as_of=AS_OF)
    cal = frame.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency",
                                "T_cal": "T"})  # fmt: skip
    for t in check.trials:
        assert t.model is not None, t.failure
        guess = t.model.expected_purchases(cal, HOLDOUT)
        assert t.error == pytest.approx(float(np.mean(np.abs(guess - frame["frequency_holdout"]))))
        assert t.predicted == pytest.approx(float(guess.sum()))
        assert int(t.table["customers"].sum()) == check.customers
        # the bucket means weighted by their customers give the totals back
        counts = t.table["customers"].to_numpy()
        assert np.nansum(t.table["actual"] * counts) == pytest.approx(check.actual)
        assert np.nansum(t.table["predicted"] * counts) == pytest.approx(t.predicted)


def test_the_true_model_predicts_the_holdout_total_closely(check: Backtest) -> None:
    bg = check.trial("bg/nbd")
    assert bg is not None and bg.model is not None and not bg.failure
    assert bg.predicted == pytest.approx(check.actual, rel=0.15)  # 10 % high here (seeded)
    assert 0.0 < bg.error < 1.0


def test_auto_chooses_the_smallest_error_among_sound_fits(check: Backtest) -> None:
    sound = [t for t in check.trials if t.sound]
    assert sound
    order, why = _choice(check, crmsheet.Settings())
    best = min(sound, key=lambda t: t.error)
    assert order[0] == best.name
    assert why.startswith(f"{MODEL_NAMES[best.name]} chosen (holdout error {best.error:.2f}")


def test_a_degenerate_fit_is_not_chosen_however_small_its_error(check: Backtest) -> None:
    sound = sorted((t for t in check.trials if t.sound), key=lambda t: t.error)
    best, runner = sound[0], sound[1]
    assert best.model is not None
    spoiled = dataclasses.replace(best.model, degenerate="a = 1e-05 is near 0")
    trials = tuple(
        Trial(t.name, spoiled, failure="a = 1e-05 is near 0", error=t.error / 10,
              predicted=t.predicted, table=t.table) if t is best else t
        for t in check.trials
    )  # fmt: skip
    order, _ = _choice(dataclasses.replace(check, trials=trials), crmsheet.Settings())
    assert order[0] == runner.name


@pytest.mark.parametrize("named", list(PURCHASE_MODELS))
def test_settings_name_the_model(bought: pd.DataFrame, named: str) -> None:
    settings = crmsheet.Settings(holdout_days=HOLDOUT, purchase_model=named)
    rfm = rfm_table(bought, as_of=AS_OF)
    result = predict(bought, rfm, revenue=bought.groupby("customer_key")["amount"].sum(),
                     as_of=AS_OF, settings=settings)  # fmt: skip
    assert result.name == named
    assert result.why.startswith(f"{MODEL_NAMES[named]} as named in Settings (purchase_model)")
    assert result.backtest is not None and [t.name for t in result.backtest.trials] == [named]
    assert f"Last {HOLDOUT} days: predicted" in result.note
    # P(alive) is shown where the model can estimate it: BG/NBD not for one-time buyers
    once = rfm["frequency"] == 0
    alive = result.table["p_alive"]
    assert alive[~once].notna().all()
    assert alive[once].isna().all() if named == "bg/nbd" else alive[once].notna().all()


def test_settings_take_the_model_as_typed_and_refuse_others() -> None:
    assert crmsheet.Settings(purchase_model="MBG/NBD").purchase_model == "mbg/nbd"
    assert crmsheet.Settings(purchase_model="Pareto NBD").purchase_model == "pareto/nbd"
    assert crmsheet.Settings().purchase_model == "auto"
    with pytest.raises(crmsheet.SettingsError, match="purchase_model"):
        crmsheet.Settings.load({"purchase_model": "neural net"})


def test_spend_and_value_are_never_negative_and_say_when_gamma_gamma_is_not_used() -> None:
    data = crmsheet.read(SAMPLE)
    result = crmsheet.analyze(data, as_of=date(2026, 11, 1))
    p = result.prediction
    assert p is not None and p.model is not None
    # the sample's spend model has q below 1: one-time buyers' value would be negative
    assert p.spend_fit is not None and p.spend_fit.params["q"] < 1 and p.spend is None
    assert "own average order value" in result.headline.prediction
    for column in ("expected_value_365", "customer_value", "expected_order_value"):
        values = result.customers[column].dropna()
        assert len(values) and (values >= 0).all(), column
    # the fallback is the customer's own average, and the value is discounted month by month
    rfm = result.rfm
    np.testing.assert_allclose(rfm["expected_order_value"], rfm["order_value"])
    assert (rfm["customer_value"] <= rfm["expected_value_365"] * 1.0000001).all()


def test_a_sound_gamma_gamma_values_customers_with_its_clv(bought: pd.DataFrame) -> None:
    rfm = rfm_table(bought, as_of=AS_OF)
    settings = crmsheet.Settings(holdout_days=HOLDOUT, clv_months=6, clv_discount_rate=0.02)
    result = predict(bought, rfm, revenue=bought.groupby("customer_key")["amount"].sum(),
                     as_of=AS_OF, settings=settings)  # fmt: skip
    assert result.spend is not None and result.model is not None
    want = result.spend.clv(result.model, rfm, months=6, discount_rate=0.02).clip(lower=0)
    np.testing.assert_allclose(result.table["customer_value"], want, rtol=1e-12)
    assert (result.table["expected_value_365"] >= 0).all()
    assert "own average order value" not in result.note


def test_too_few_repeat_buyers_before_the_holdout_says_what_was_tried(bought: pd.DataFrame) -> None:
    # customers who all started in the last 200 days: 20 days of history before the holdout
    young = purchases(600, max_age=200.0, seed=5)
    rfm = rfm_table(young, as_of=AS_OF)
    result = predict(young, rfm, revenue=young.groupby("customer_key")["amount"].sum(),
                     as_of=AS_OF, settings=crmsheet.Settings(holdout_days=HOLDOUT))  # fmt: skip
    end = (AS_OF - timedelta(days=HOLDOUT)).isoformat()
    assert result.why.startswith(f"No model could be checked on the last {HOLDOUT} days: only ")
    assert f"bought more than once before {end} (at least 20 are needed)" in result.why
    assert result.why.endswith("BG/NBD is used, unchecked.")
    assert result.backtest is not None and all(t.model is None for t in result.backtest.trials)


def test_thin_data_says_why_there_is_no_model() -> None:
    few = purchases(20, seed=7)
    rfm = rfm_table(few, as_of=AS_OF)
    result = predict(few, rfm, revenue=few.groupby("customer_key")["amount"].sum(),
                     as_of=AS_OF, settings=crmsheet.Settings())  # fmt: skip
    repeat = int((rfm["frequency"] > 0).sum())
    assert repeat < 20 and result.model is None and result.table.empty
    assert result.note.startswith("Not enough history to predict who will buy again: "
                                  f"{repeat} customers bought on more than one day")  # fmt: skip


@pytest.mark.parametrize("penalizer", [0.0, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 10.0])
def test_the_advice_never_suggests_the_setting_in_force(penalizer: float) -> None:
    advice = penalizer_advice(penalizer)
    suggested = re.search(r"([0-9.]+)(?: in Settings)? may help", advice)
    if suggested:
        assert float(suggested.group(1)) > penalizer, advice
    else:
        assert penalizer >= 1 and "even with the predict_penalizer" in advice


def test_with_0_01_in_force_the_advice_is_not_to_set_0_01(tmp_path: Path) -> None:
    # everyone buys every few weeks and nobody stops: BG/NBD and MBG/NBD do not settle even
    # with the penalizer at 0.01, and the note must not tell the owner to set what is set
    log = generate(400, 5, a=1e-9, b=1e9, r=50.0, alpha=1000.0)
    sales = tmp_path / "sales.csv"
    log.assign(date=log["date"].dt.date).rename(columns={
        "customer_id": "Customer ID", "date": "Date", "amount": "Amount"}).to_csv(
        sales, index=False)  # fmt: skip
    data = crmsheet.read(sales, as_of=AS_OF)
    settings = crmsheet.Settings(predict_penalizer=0.01)
    note = crmsheet.analyze(data, as_of=AS_OF, settings=settings).headline.prediction
    assert "found no steady answer" in note  # BG/NBD and MBG/NBD fail on the earlier sales
    assert "a predict_penalizer of 0.01 in Settings may help" not in note
    # every fit on the earlier sales is a limiting case: the backtest still picks one
    assert re.search(r"(BG/NBD|MBG/NBD|Pareto/NBD) chosen \(holdout error \d", note), note
    assert "every fit was a limiting case" in note


def test_a_big_book_is_backtested_on_a_fixed_sample(
    bought: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crmsheet.analysis.prediction as prediction

    monkeypatch.setattr(prediction, "BACKTEST_CUSTOMERS", 1000)
    settings = crmsheet.Settings(holdout_days=HOLDOUT)
    first = backtest(bought, as_of=AS_OF, settings=settings)
    again = backtest(bought.sample(frac=1.0, random_state=3), as_of=AS_OF, settings=settings)
    assert first.customers == 1000 and first.of_customers > 1000
    assert (first.actual, [t.error for t in first.trials]) == (
        again.actual,
        [t.error for t in again.trials],
    )  # the same customers, whatever the order
    rfm = rfm_table(bought, as_of=AS_OF)
    revenue = bought.groupby("customer_key")["amount"].sum()
    note = predict(bought, rfm, revenue=revenue, as_of=AS_OF, settings=settings).note
    assert f"on a fixed sample of 1,000 of the {first.of_customers:,} customers" in note
