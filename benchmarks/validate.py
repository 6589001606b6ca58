"""How fast does crmsheet read and validate a big customer sheet? (prints, never asserts)

    python benchmarks/validate.py [--rows 100000] [--repeat 3]

Generates a realistic customer sheet (all fields, a few problems) as .xlsx and .csv with a
fixed seed under benchmarks/data/ (gitignored), then times, best of --repeat:
read (file -> grids), layout (header row, role, mapping) and validate (grids -> clean frames
+ problem report), and reports rows/s and cells/s for each format.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from crmsheet.checks import build_data
from crmsheet.mapping import layout_table
from crmsheet.reader import read_grids

DATA = Path(__file__).with_name("data")
AS_OF = date(2026, 11, 1)


def make_customers(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(np.arange(rows).astype(str), 6))
    first = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 2000, rows), unit="D")
    last = first + pd.to_timedelta(rng.integers(0, 800, rows), unit="D")
    frame = pd.DataFrame({
        "Customer ID": ids,
        "Company": [f"Company {i} Ltd" for i in range(rows)],
        "Industry": rng.choice(["Retail", "Construction", "Healthcare", "Hospitality"], rows),
        "Employees": rng.choice(["1-9", "10-49", "50-99", "250+", "12", "1,000+"], rows),
        "Region": rng.choice(["North", "South", "East", "West"], rows),
        "Type": rng.choice(["Customer", "Prospect", "Reseller"], rows),
        "Lead source": rng.choice(["Referral", "Google", "Cold call", "Trade show", "Web"], rows),
        "Referred by": np.where(rng.random(rows) < 0.1, ids[rng.integers(0, rows, rows)], None),
        "Member of": np.where(rng.random(rows) < 0.05, ids[rng.integers(0, 50, rows)], None),
        "Customer since": first,
        "Last purchase": last,
        "Next follow-up": np.where(rng.random(rows) < 0.5, last + pd.Timedelta(days=90), pd.NaT),
        "Rating": rng.choice(["A", "B", "C", ""], rows),
        "Support plan": rng.choice(["Base", "Premium"], rows),
        "Total sales": rng.gamma(2.0, 1500.0, rows).round(2),
        "Email": [f"owner{i}@example.com" for i in range(rows)],
        "Phone": [f"0{7000000000 + i}" for i in range(rows)],
        "Notes": rng.choice(["", "call in spring", "prefers email"], rows),
    })  # fmt: skip
    frame["Next follow-up"] = pd.to_datetime(frame["Next follow-up"])
    return frame


def write_inputs(frame: pd.DataFrame) -> tuple[Path, Path]:
    DATA.mkdir(exist_ok=True)
    xlsx = DATA / f"validate_customers_{len(frame)}.xlsx"
    csv = DATA / f"validate_customers_{len(frame)}.csv"
    if not xlsx.exists():
        import xlsxwriter

        book = xlsxwriter.Workbook(str(xlsx), {"constant_memory": True})
        ws = book.add_worksheet("Customers")
        dfmt = book.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_row(0, 0, list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            for c, v in enumerate(row):
                if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v == "":
                    continue
                if isinstance(v, pd.Timestamp):
                    ws.write_datetime(r, c, v.to_pydatetime(), dfmt)
                elif isinstance(v, float | np.floating):
                    ws.write_number(r, c, float(v))
                else:
                    ws.write_string(r, c, str(v))
        book.close()
    if not csv.exists():
        frame.to_csv(csv, index=False, date_format="%d/%m/%Y")
    return xlsx, csv


def best_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = make_customers(args.rows)
    cells = frame.size
    print(f"{args.rows:,} customer rows x {frame.shape[1]} columns = {cells:,} cells")
    for path in write_inputs(frame):
        t_read, grids = best_of(args.repeat, lambda p=path: read_grids(p))
        t_layout, layouts = best_of(args.repeat, lambda g=grids: [layout_table(x) for x in g])
        t_valid, data = best_of(args.repeat, lambda lay=layouts: build_data(lay, as_of=AS_OF))
        total = t_read + t_layout + t_valid
        print(f"\n{path.name}: kept {data.rows_kept:,}, rejected {data.rows_rejected:,}, "
              f"problems {len(data.problems):,}")  # fmt: skip
        for name, t in (("read", t_read), ("layout", t_layout), ("validate", t_valid),
                        ("total", total)):  # fmt: skip
            rate = f"{args.rows / t:>12,.0f} rows/s  {cells / t:>14,.0f} cells/s"
            print(f"  {name:<9}{t:8.2f} s  {rate}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
