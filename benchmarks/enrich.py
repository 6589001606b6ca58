"""Stage times and peak memory of the main job on CSV inputs of any size (prints only).

    python benchmarks/enrich.py [--customers 100000] [--transactions 1000000]

A thin wrapper over :mod:`run`'s generator (same fixed seed) for sizes ``run.py`` does not
offer: CSV in, one process, read+validate, analyze, write and the peak RSS. The issue 6
benchmark (xlsx in, the floor and the naive stack beside it) is ``run.py``.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

from run import make

import crmsheet
from crmsheet.analysis import analyze
from crmsheet.workbook import write_enriched

DATA = Path(__file__).with_name("data")
AS_OF = date(2026, 11, 1)


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
        f"A/B/C {result.headline.rated_A}/{result.headline.rated_B}/"
        f"{result.headline.rated_C}"
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
