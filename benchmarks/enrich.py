"""Stage times and peak memory of the main job at scale (prints, never asserts).

    python benchmarks/enrich.py [--customers 100000] [--transactions 1000000]

Generates (fixed seed, into benchmarks/data/, gitignored) a customer sheet with every field
and an invoice log as CSV files, then times crmsheet's stages in one process: read+validate,
analyze, write, and reports the peak RSS. (xlsx inputs at this size: issue 6's benchmark.)
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

import crmsheet
from crmsheet.analysis import analyze
from crmsheet.enrich import write_enriched

DATA = Path(__file__).with_name("data")
AS_OF = date(2026, 11, 1)


def make(customers: int, transactions: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(np.arange(customers).astype(str), 6))
    first = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 2500, customers), "D")
    cust = pd.DataFrame({
        "Customer ID": ids,
        "Company": [f"Company {i} Ltd" for i in range(customers)],
        "Industry": rng.choice(["Retail", "Construction", "Healthcare", "Hospitality"], customers),
        "Employees": rng.choice(["1-9", "10-49", "50-99", "250+", "12", "1,000+"], customers),
        "Region": rng.choice(["North", "South", "East", "West"], customers),
        "Type": rng.choice(["Customer", "Prospect", "Reseller"], customers, p=[0.85, 0.1, 0.05]),
        "Lead source": rng.choice(["Referral", "Google", "Cold call", "Trade show"], customers),
        "Referred by": np.where(rng.random(customers) < 0.1,
                                ids[rng.integers(0, customers, customers)], ""),
        "Member of": np.where(rng.random(customers) < 0.05,
                              ids[rng.integers(0, 50, customers)], ""),
        "Customer since": first.strftime("%Y-%m-%d"),
        "Next follow-up": np.where(rng.random(customers) < 0.4, "2026-12-01", ""),
        "Rating": rng.choice(["A", "B", "C", ""], customers),
        "Support plan": rng.choice(["Base", "Premium"], customers),
        "Email": [f"owner{i}@example.com" for i in range(customers)],
        "Phone": [f"0{7000000000 + i}" for i in range(customers)],
    })  # fmt: skip
    who = np.minimum(rng.pareto(1.1, transactions) * customers / 20, customers - 1).astype(int)
    days = rng.integers(0, 2500, transactions)
    tx = pd.DataFrame({
        "Invoice": np.char.add("INV", np.arange(transactions).astype(str)),
        "Date": (pd.Timestamp("2019-06-01") + pd.to_timedelta(days, "D")).strftime("%Y-%m-%d"),
        "Customer ID": ids[who],
        "Qty": rng.integers(1, 10, transactions),
        "Unit price": rng.choice([9.5, 20.0, 45.0, 120.0, 600.0], transactions),
        "Discount": rng.choice([0.0, 0.0, 0.05, 0.1, 0.25], transactions),
    })  # fmt: skip
    return cust, tx


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    c_path = DATA / f"enrich_customers_{args.customers}.csv"
    t_path = DATA / f"enrich_transactions_{args.transactions}.csv"
    if not (c_path.exists() and t_path.exists()):
        cust, tx = make(args.customers, args.transactions)
        cust.to_csv(c_path, index=False)
        tx.to_csv(t_path, index=False)
    print(f"{args.customers:,} customers + {args.transactions:,} transactions (CSV in)")
    start = time.perf_counter()
    data = crmsheet.read(c_path, transactions=t_path, as_of=AS_OF)
    t_read = time.perf_counter() - start
    print(
        f"  read+validate {t_read:7.2f} s   rss {rss_mib():7,.0f} MiB   "
        f"rows {data.rows_read:,} kept {data.rows_kept:,} problems {len(data.problems):,}"
    )
    start = time.perf_counter()
    result = analyze(data, as_of=AS_OF)
    t_an = time.perf_counter() - start
    print(
        f"  analyze       {t_an:7.2f} s   rss {rss_mib():7,.0f} MiB   "
        f"A/B/C {result.headline['rated_A']}/{result.headline['rated_B']}/"
        f"{result.headline['rated_C']}"
    )
    out = DATA / "enrich_out.enriched.xlsx"
    start = time.perf_counter()
    write_enriched(result, data, out, overwrite=True)
    t_wr = time.perf_counter() - start
    print(
        f"  write         {t_wr:7.2f} s   rss {rss_mib():7,.0f} MiB   "
        f"{out.stat().st_size / 1e6:,.1f} MB"
    )
    print(f"  total         {t_read + t_an + t_wr:7.2f} s   peak rss {rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
