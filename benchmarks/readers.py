"""Benchmark and fidelity check of the xlsx readers crmsheet could build on.

Run from the repository root::

    .venv/bin/python benchmarks/readers.py            # 100k rows (best of 3) + fidelity
    .venv/bin/python benchmarks/readers.py --big      # also 1M rows (one run each)

The workbooks are generated with a fixed seed into ``benchmarks/data/`` (gitignored) and
reused by later runs. Each measurement runs in a fresh subprocess so that the peak-RSS delta
(``ru_maxrss`` after the read minus after the imports) belongs to that reader alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REPO = HERE.parent
SEED = 20240501
NCOLS = 12
TITLE_ROWS = 2  # title + "exported on" line above the header (header is Excel row 3)

FIRST = "Anna Ben Chloé Dmitri Eve Farid Grace Hiro Inès José Karin Liam Mei Noah Olga Pål"
LAST = "Smith Müller Dubois O'Brien Rossi Nowak García Kim Svensson Silva Jansen Ng"
CITIES = ["Boston", "Paris", "Zürich", "São Paulo", "Kraków", "Dublin", "Namibia NA", "Lyon"]
STATUS = ["lead", "active", "churned", "VIP", "NA", "None"]


def generate(path: Path, nrows: int, *, date_1904: bool = False) -> Path:
    """Write a CRM-like sheet: 2 title rows, a header, ``nrows`` customers, 12 columns."""
    import xlsxwriter

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(SEED)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,  # we write row by row ourselves (see PITFALLS.md)
            "date_1904": date_1904,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet("Customers")
    dfmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    tfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.write_string(0, 0, "ACME Ltd - customer list")
    ws.write_string(1, 0, "Exported from the shop on 2024-05-01")
    header = [
        "Customer ID", "First name", "Last name", "Email", "Phone", "City", "ZIP",
        "Signup date", "Last order", "Lifetime value", "Orders", "Status",
    ]  # fmt: skip
    for c, h in enumerate(header):
        ws.write_string(TITLE_ROWS, c, h)
    base = dt.datetime(2015, 1, 1)
    for i in range(nrows):
        r = TITLE_ROWS + 1 + i
        fn, ln = rnd.choice(FIRST.split()), rnd.choice(LAST.split())
        ws.write_string(r, 0, f"{i + 1:07d}")
        ws.write_string(r, 1, fn)
        ws.write_string(r, 2, ln)
        if rnd.random() > 0.05:
            ws.write_string(r, 3, f"{fn}.{ln}{i}@example.com".lower())
        if rnd.random() > 0.2:
            ws.write_string(r, 4, f"+1 617 {rnd.randrange(10**6, 10**7)}")
        ws.write_string(r, 5, rnd.choice(CITIES))
        ws.write_string(r, 6, f"{rnd.randrange(100000):05d}")
        ws.write_datetime(r, 7, base + dt.timedelta(days=rnd.randrange(3000)), dfmt)
        if rnd.random() > 0.1:
            ws.write_datetime(r, 8, base + dt.timedelta(minutes=rnd.randrange(5_000_000)), tfmt)
        ws.write_number(r, 9, round(rnd.uniform(0, 20000), 2), money)
        if rnd.random() > 0.02:
            ws.write_number(r, 10, rnd.randrange(1, 400))
        else:
            ws.write_string(r, 10, "n/a")  # a mixed-type column, as in real sheets
        ws.write_string(r, 11, rnd.choice(STATUS))
    wb.close()
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------------------------
# The readers (each returns a DataFrame or list of rows; run inside a child process)


def _calamine_raw(path: str, sheet: str):
    from python_calamine import CalamineWorkbook

    return (
        CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    )


def _calamine_df(path: str, sheet: str):
    import pandas as pd

    return pd.DataFrame(_calamine_raw(path, sheet), dtype=object)


def _fastexcel(path: str, sheet: str):
    import fastexcel

    return (
        fastexcel.read_excel(path)
        .load_sheet(sheet, header_row=None, skip_rows=0, schema_sample_rows=None)
        .to_pandas()
    )


def _fastexcel_header_known(path: str, sheet: str):
    import fastexcel

    return fastexcel.read_excel(path).load_sheet(sheet, header_row=TITLE_ROWS).to_pandas()


def _pandas_calamine(path: str, sheet: str):
    import pandas as pd

    return pd.read_excel(
        path, sheet_name=sheet, engine="calamine", header=None, dtype=object,
        keep_default_na=False, na_values=[""],
    )  # fmt: skip


def _crmsheet(path: str, sheet: str):
    sys.path.insert(0, str(REPO))
    from crmsheet.io.xlsxread import read_workbook_grids

    return read_workbook_grids(path, sheets=[sheet])[0].cells


READERS = {
    "python-calamine to_python (lists only)": _calamine_raw,
    "python-calamine + pd.DataFrame(object)": _calamine_df,
    "fastexcel header_row=None -> pandas": _fastexcel,
    "fastexcel header_row=2 (typed) -> pandas": _fastexcel_header_known,
    "pd.read_excel(engine='calamine')": _pandas_calamine,
    "crmsheet read_workbook_grids": _crmsheet,
}


def _child(name: str, path: str, sheet: str, repeat: int) -> None:
    import resource

    import fastexcel  # noqa: F401  - import everything first, so RSS counts the read only
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    import python_calamine  # noqa: F401

    fn = READERS[name]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, cpus = [], []
    nrows = 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(path, sheet)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        nrows = len(out)
        del out
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"best": min(times), "cpu": min(cpus), "rows": nrows, "rss_mib": (peak - base) / 1024}
    print(json.dumps(result))


def measure(path: Path, repeat: int, only: str = "") -> list[tuple[str, dict]]:
    results = []
    for name in READERS:
        if only.lower() not in name.lower():
            continue
        proc = subprocess.run(
            [sys.executable, __file__, "--child", name, str(path), "Customers", str(repeat)],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        if proc.returncode:
            results.append((name, {"error": proc.stderr.strip().splitlines()[-1]}))
        else:
            results.append((name, json.loads(proc.stdout.strip().splitlines()[-1])))
    return results


def print_table(title: str, results: list[tuple[str, dict]]) -> None:
    print(f"\n{title}")
    print(f"{'reader':<44}{'seconds':>9}{'cpu s':>8}{'rows/s':>12}{'peak RSS Δ MiB':>16}")
    for name, r in results:
        if "error" in r:
            print(f"{name:<44}  FAILED: {r['error']}")
            continue
        print(
            f"{name:<44}{r['best']:>9.2f}{r['cpu']:>8.2f}{r['rows'] / r['best']:>12,.0f}"
            f"{r['rss_mib']:>16.0f}"
        )


# --------------------------------------------------------------------------------------------
# Fidelity


def make_fidelity_workbook(path: Path, date_1904: bool) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"date_1904": date_1904, "strings_to_numbers": False})
    ws = wb.add_worksheet("Data")
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    # rows 1-3 empty, title on Excel row 4, row 5 empty, header on Excel row 6
    ws.write_string(3, 0, "Customer list")
    ws.write_row(5, 0, ["id", "joined", "amount", "err", "mixed", "serial", "flag"])
    ws.write_string(6, 0, "02134")
    ws.write_datetime(6, 1, dt.datetime(2024, 3, 5), dfmt)
    ws.write_number(6, 2, 12.5)
    ws.write_formula(6, 3, "=NA()", None, "#N/A")
    ws.write_number(6, 4, 5)
    ws.write_number(6, 5, 45000)  # a bare serial number, no date format
    ws.write_boolean(6, 6, True)
    ws.write_string(7, 0, "NA")
    ws.write_datetime(7, 1, dt.datetime(2024, 3, 13, 10, 30), dfmt)
    ws.write_formula(7, 3, "=1/0", None, "#DIV/0!")
    ws.write_string(7, 4, "five")
    hidden = wb.add_worksheet("Secret")
    hidden.write_string(0, 0, "x")
    hidden.hide()
    wb.close()
    return path


def fidelity() -> None:
    import warnings

    import fastexcel
    import pandas as pd
    from python_calamine import CalamineWorkbook

    DATA.mkdir(parents=True, exist_ok=True)
    for d1904 in (False, True):
        path = make_fidelity_workbook(DATA / f"fidelity_{1904 if d1904 else 1900}.xlsx", d1904)
        print(f"\n== fidelity, {1904 if d1904 else 1900} date system: {path.name}")
        print("   sheet: rows 1-3 empty, title on row 4, header on row 6, data on rows 7-8")

        wb = CalamineWorkbook.from_path(path)
        meta = [(m.name, str(m.visible)) for m in wb.sheets_metadata]
        rows = wb.get_sheet_by_name("Data").to_python(skip_empty_area=False)
        print("python-calamine  sheets:", meta)
        print(f"  header found at Excel row {_first_row(rows, 'id')}")
        for r in rows[6:8]:
            print("  ", [_show(v) for v in r])

        rd = fastexcel.read_excel(path)
        print("fastexcel        sheets:", [(n, rd.load_sheet(n).visible) for n in rd.sheet_names])
        for label, kw in [
            ("header_row=None", {}),
            ("header_row=None, skip_rows=0", {"skip_rows": 0}),
        ]:
            df = rd.load_sheet("Data", header_row=None, **kw).to_pandas()
            vals = df.astype(object).where(df.notna(), None).values.tolist()
            print(f"  {label}: header at Excel row {_first_row(vals, 'id')}, dtypes", end=" ")
            print(sorted({str(t) for t in df.dtypes}))
            for r in vals[-2:]:
                print("    ", [_show(v) for v in r])
        sheet = rd.load_sheet("Data", header_row=5)
        rb, errors = sheet.to_arrow_with_errors()
        print("  header_row=5 (typed):", {f.name: str(f.type) for f in rb.schema})
        print("  cell errors:", [(e.position, e.detail) for e in (errors.errors if errors else [])])

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pd.read_excel(path, sheet_name="Data", engine="calamine", header=None)
        vals = df.astype(object).where(df.notna(), None).values.tolist()
        print(f"pd.read_excel(calamine) defaults: header at row {_first_row(vals, 'id')}")
        for r in vals[-2:]:
            print("    ", [_show(v) for v in r])

        try:
            sys.path.insert(0, str(REPO))
            from crmsheet.io.xlsxread import read_workbook_grids
        except ImportError:
            continue
        grids = read_workbook_grids(path)
        for g in grids:
            print(f"crmsheet: {g.sheet!r} hidden={g.hidden} epoch_1904={g.epoch_1904}")
        g = grids[0]
        print("  rows:", g.rows.tolist(), "notes:", [n.message for n in g.notes])
        for r in g.cells.astype(object).values.tolist()[-2:]:
            print("    ", [_show(v) for v in r])


def mixed_columns(path: Path) -> None:
    """What happens to the 2 % of "n/a" texts in the numeric "Orders" column (K)."""
    import fastexcel
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("Customers").to_python()
    texts = sum(1 for r in rows[TITLE_ROWS + 1 :] if r[10] == "n/a")
    print(f"\n== mixed-type column 'Orders' of {path.name}: python-calamine sees {texts} 'n/a'")
    variants = [
        ("header_row=2 (typed)", {"header_row": TITLE_ROWS}),
        ("header_row=None, skip_rows=0", {"header_row": None, "skip_rows": 0}),
    ]
    for label, kw in variants:
        sheet = fastexcel.read_excel(path).load_sheet("Customers", **kw)
        rb, errors = sheet.to_arrow_with_errors()
        col = rb.column(10).to_pylist()
        kept = sum(1 for v in col if v == "n/a")
        first = col[TITLE_ROWS + 1 if kw["header_row"] is None else 0]
        print(
            f"fastexcel {label}: column type {rb.schema.field(10).type}, 'n/a' kept {kept}, "
            f"nulls {col.count(None)}, reported as cell errors "
            f"{len(errors.errors) if errors else 0}; first value {first!r}"
        )


def _first_row(rows: list[list[object]], label: str) -> int | None:
    for i, r in enumerate(rows):
        if r and r[0] == label:
            return i + 1
    return None


def _show(v: object) -> str:
    if v is None or v == "":
        return repr(v)
    return f"{type(v).__name__}:{v}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true", help="also time 1M rows (one run each)")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--only", default="", help="time only the readers whose name has this")
    ap.add_argument("--no-fidelity", action="store_true")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        name, path, sheet, repeat = args.child
        _child(name, path, sheet, int(repeat))
        return
    t0 = time.perf_counter()
    small = generate(DATA / f"customers_{args.rows}.xlsx", args.rows)
    print(f"workbook {small} ({small.stat().st_size / 2**20:.1f} MiB), "
          f"ready in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    print_table(f"{args.rows:,} rows x {NCOLS} columns, best of 3", measure(small, 3, args.only))
    if args.big:
        t0 = time.perf_counter()
        big = generate(DATA / "customers_1000000.xlsx", 1_000_000)
        print(f"\nworkbook {big} ({big.stat().st_size / 2**20:.1f} MiB), "
              f"ready in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        print_table(f"1,000,000 rows x {NCOLS} columns, one run", measure(big, 1, args.only))
    if not args.no_fidelity:
        mixed_columns(small)
        fidelity()


if __name__ == "__main__":
    main()
