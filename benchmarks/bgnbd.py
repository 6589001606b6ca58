"""How long does the BG/NBD fit take on 100k customers? (prints, never asserts)

    python benchmarks/bgnbd.py [--customers 100000] [--repeat 3] [--lifetimes]

Generates a purchase log from the BG/NBD process itself (fixed seed; r=0.5, alpha=20 days,
a=0.8, b=2.5; customers starting over two years), builds the RFM summary, then times, best
of --repeat: ``fit_bgnbd``, ``fit_mbgnbd`` (penalizer 0, lifetimes' default, and 0.001,
the Settings default; each fit includes its Hessian for the standard errors), ``p_alive``,
``expected_purchases(rfm, 90)``, ``fit_pareto_nbd``, ``fit_gamma_gamma``, a 12-month
``clv`` (order values here are Gamma(2, 25) for everyone: no spread between customers, so
Gamma-Gamma's q runs high) and ``calibration_holdout`` (the last 180 days held out).
``--lifetimes`` also times lifetimes' ``BetaGeoFitter.fit`` (which computes a Hessian as
well) and prints the largest differences from it.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import crmsheet

AS_OF = date(2026, 11, 1)
TRUE = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5}


def make_purchases(customers: int, seed: int = 3, max_age: float = 730.0) -> pd.DataFrame:
    """Purchases from the BG/NBD process (as tests/test_bgnbd.py generates them)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], customers)
    stop = rng.beta(TRUE["a"], TRUE["b"], customers)
    age = rng.uniform(0.0, max_age, customers)
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
        "customer_id": np.char.add("C", np.char.zfill(ids.astype(str), 7)),
        "date": pd.Series(first[ids] + (times * 86400).astype("m8[s]")).astype("datetime64[us]"),
        "amount": rng.gamma(2.0, 25.0, len(ids)).round(2),
    })  # fmt: skip


def best_of(repeat: int, job: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = job()
        best = min(best, time.perf_counter() - start)
    return best, out


def time_pareto_nbd(rfm: pd.DataFrame, repeat: int) -> None:
    """``fit_pareto_nbd`` (penalizer 0) on the same customers, its standard errors included."""
    t_fit, model = best_of(repeat, lambda: crmsheet.fit_pareto_nbd(rfm))
    shown = ", ".join(f"{k}={v:.4f}" for k, v in model.params.items())
    print(f"fit_pareto_nbd, penalizer 0: {t_fit:6.3f} s   {shown}"
          f"{'   ' + model.degenerate if model.degenerate else ''}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifetimes", action="store_true", help="also time lifetimes' fit")
    parser.add_argument(
        "--analyze",
        type=int,
        default=0,
        metavar="TRANSACTIONS",
        help="only time analyze with and without the backtest on this many",
    )
    args = parser.parse_args()
    if args.analyze:
        time_analyze(args.analyze, args.repeat)
        return
    log = make_purchases(args.customers)
    t_rfm, rfm = best_of(1, lambda: crmsheet.rfm_summary(log, as_of=AS_OF))
    distinct = len(rfm.drop_duplicates(["frequency", "recency", "T"]))
    print(f"{len(log):,} purchases, {len(rfm):,} customers "
          f"({int((rfm['frequency'] > 0).sum()):,} repeat buyers, {distinct:,} distinct "
          f"histories); rfm_summary {t_rfm:.2f} s")  # fmt: skip
    for penalizer in (0.0, 0.001):
        t_fit, model = best_of(
            args.repeat, lambda p=penalizer: crmsheet.fit_bgnbd(rfm, penalizer=p)
        )
        shown = ", ".join(f"{k}={v:.4f}" for k, v in model.params.items())
        print(f"fit_bgnbd, penalizer {penalizer:g}: {t_fit:6.3f} s   {shown}")
        t_mbg, modified = best_of(
            args.repeat, lambda p=penalizer: crmsheet.fit_mbgnbd(rfm, penalizer=p)
        )
        shown = ", ".join(f"{k}={v:.4f}" for k, v in modified.params.items())
        print(f"fit_mbgnbd, penalizer {penalizer:g}: {t_mbg:5.3f} s   {shown}")
    t_alive, _ = best_of(args.repeat, lambda: model.p_alive(rfm))
    t_90, _ = best_of(args.repeat, lambda: model.expected_purchases(rfm, 90))
    print(f"p_alive:                      {t_alive:6.3f} s")
    print(f"expected_purchases(rfm, 90):  {t_90:6.3f} s")
    time_gamma_gamma(rfm, model, args.repeat)
    cut = AS_OF - timedelta(days=180)
    t_split, _ = best_of(args.repeat, lambda: crmsheet.calibration_holdout(
        log, calibration_end=cut, as_of=AS_OF, customer="customer_id"))  # fmt: skip
    print(f"calibration_holdout, 180 days: {t_split:5.3f} s")
    time_pareto_nbd(rfm, args.repeat)
    if args.lifetimes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter

            mine = crmsheet.fit_bgnbd(rfm)
            t_ref, ref = best_of(args.repeat, lambda: BetaGeoFitter().fit(
                rfm["frequency"], rfm["recency"], rfm["T"]))  # fmt: skip
            alive = ref.conditional_probability_alive(rfm["frequency"], rfm["recency"], rfm["T"])
        worst = max(abs(mine.params[k] / ref.params_[k] - 1) for k in mine.params)
        gap = np.max(np.abs(mine.p_alive(rfm).to_numpy() - alive))
        print(f"lifetimes BetaGeoFitter.fit:  {t_ref:6.3f} s   largest parameter difference "
              f"{worst:.1e} (relative), P(alive) {gap:.1e}")  # fmt: skip


def time_gamma_gamma(rfm: pd.DataFrame, purchases: Any, repeat: int) -> None:
    """fit_gamma_gamma on the repeat buyers, then a 12-month CLV with the BG/NBD fit."""
    t_fit, spend = best_of(repeat, lambda: crmsheet.fit_gamma_gamma(rfm))
    shown = ", ".join(f"{k}={v:.4g}" for k, v in spend.params.items())
    print(f"fit_gamma_gamma:              {t_fit:6.3f} s   {shown} ({spend.customers:,} "
          "repeat buyers)")  # fmt: skip
    t_clv, _ = best_of(repeat, lambda: spend.clv(purchases, rfm, months=12))
    print(f"clv(months=12):               {t_clv:6.3f} s")


def time_analyze(transactions: int, repeat: int) -> None:
    """``analyze`` on about ``transactions`` purchases (read once from a CSV, untimed): with
    the backtest (Settings' default, auto: three models checked), with one model named
    (one checked) and with prediction off (no fit at all: the floor)."""
    import tempfile

    customers = max(transactions // 5, 1000)
    log = make_purchases(customers)
    while len(log) < transactions:
        customers = int(customers * transactions / max(len(log), 1) * 1.02)
        log = make_purchases(customers)
    log = log.rename(columns={"customer_id": "Customer ID", "date": "Date", "amount": "Amount"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sales.csv"
        log.to_csv(path, index=False)
        data = crmsheet.read(path, as_of=AS_OF)
    print(f"analyze on {len(log):,} purchases of {customers:,} customers (best of {repeat}):")
    for label, settings in (
        ("backtest, auto (3 models)", crmsheet.Settings()),
        ("backtest, bg/nbd named", crmsheet.Settings(purchase_model="bg/nbd")),
        ("predict off", crmsheet.Settings(predict=False)),
    ):
        seconds, result = best_of(repeat, lambda s=settings: crmsheet.analyze(
            data, as_of=AS_OF, settings=s))  # fmt: skip
        chosen = result.prediction.name if result.prediction is not None else None
        print(f"  {label:<28} {seconds:6.2f} s   model used: {chosen}")


if __name__ == "__main__":
    main()
