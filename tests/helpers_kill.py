"""Write a big workbook atomically to ``argv[1]``; the SIGKILL test kills this mid-write.

``python tests/helpers_kill.py OUT [ROWS]``: builds the frame, prints ``READY`` (so the test
times its kill from the start of the write, not from Python's start-up), writes ``OUT`` with
:func:`crmsheet.io.tables.write_tables` and prints ``DONE``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from crmsheet.io.tables import SheetSpec, write_tables


def frame(rows: int) -> pd.DataFrame:
    i = np.arange(rows)
    return pd.DataFrame(
        {
            "Customer ID": [f"C{n:07d}" for n in i],
            "Name": [f"Customer {n} & Sons" for n in i],
            "Revenue": i * 1.25,
            "First purchase": pd.Timestamp("2020-01-01") + pd.to_timedelta(i % 2000, unit="D"),
        }
    )


def main() -> None:
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 25_000
    data = frame(rows)
    print("READY", flush=True)
    write_tables(out, {"Customers": SheetSpec(data)}, overwrite=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
