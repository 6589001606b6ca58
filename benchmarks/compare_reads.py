"""Every file of ../shared/testdata read by the crmsheet on PYTHONPATH: roles, rows, sums.

Run it once per checkout and compare, to show a change reads every real and messy file as
before (issue 18's currencies: same tables, rows kept and rejected, customers,
transactions, amount sums and problem codes)::

    PYTHONPATH=/work/main python benchmarks/compare_reads.py > main.json
    PYTHONPATH=. python benchmarks/compare_reads.py --against main.json

Each file is read alone, and each folder of real exports as one set of files.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import crmsheet

ROOT = Path(__file__).resolve().parents[2] / "shared" / "testdata"
SUFFIXES = {".csv", ".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".tsv", ".psv", ".ssv"}


def figures(root: Path) -> dict[str, Any]:
    """file (or set of files) -> what crmsheet.read made of it, or the error's name."""
    jobs = [[p] for p in sorted(root.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES]
    for folder in sorted({p.parent for p in root.rglob("*.csv") if "real" in p.parts}):
        jobs.append(sorted(folder.glob("*.csv")))
    out: dict[str, Any] = {}
    for paths in jobs:
        key = " + ".join(str(p.relative_to(root)) for p in paths)
        try:
            data = crmsheet.read(*paths, as_of=date(2026, 12, 1))
        except Exception as exc:  # a refused file is a figure too
            out[key] = type(exc).__name__
            continue
        t = data.transactions
        tables = [f"{Path(i.file).name}!{i.sheet}:{i.role_text}:{i.rows_kept}/{i.rows_rejected}"
                  for i in data.tables]  # fmt: skip
        out[key] = {
            "tables": sorted(tables),
            "customers": len(data.customers),
            "transactions": len(t),
            "spend": len(data.spend),
            "amount": round(float(t["amount"].sum()), 4) if "amount" in t else None,
            "problems": data.problems.frame["code"].value_counts().sort_index().to_dict(),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--against", type=Path, help="figures of another checkout (JSON)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    found = figures(args.root)
    if args.against is None:
        json.dump(found, sys.stdout, indent=1, sort_keys=True)
        return 0
    before = json.loads(args.against.read_text(encoding="utf-8"))
    differ = [k for k in sorted(set(found) | set(before)) if found.get(k) != before.get(k)]
    for key in differ:
        print(f"{key}\n  before: {before.get(key)}\n  now:    {found.get(key)}")
    print(f"{len(found)} reads, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
