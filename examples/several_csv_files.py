"""Customers, invoices and marketing spend in separate CSV files, as accounting exports them.

    python examples/several_csv_files.py

Builds customers.csv, invoices.csv and spend.csv in a new temporary folder from the
sheets of the sample workbook, then enriches them together. Prints the path of the
enriched workbook on the last line. (Support cases are left out here, so a few ratings
differ from the workbook's: add ``support=cases.csv`` to count them.)
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd

import crmsheet

SAMPLE = Path(__file__).resolve().with_name("sample_customers.xlsx")
AS_OF = date(2026, 11, 1)


def export_csv_files(folder: Path) -> tuple[Path, Path, Path]:
    """Three CSV files like an accounting system's export (the sample's sheets, as CSV)."""
    files = []
    # the customer sheet has a title and a blank row above its header
    for sheet, skip, name in [("Customers", 2, "customers.csv"), ("Invoices", 0, "invoices.csv"),
                              ("Marketing Spend", 0, "spend.csv")]:  # fmt: skip
        frame = pd.read_excel(SAMPLE, sheet_name=sheet, skiprows=skip, dtype=str,
                              engine="calamine")  # fmt: skip
        frame.to_csv(folder / name, index=False)
        files.append(folder / name)
    return files[0], files[1], files[2]


def main() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="crmsheet-"))
    customers, invoices, spend = export_csv_files(folder)
    out = folder / "customers.enriched.xlsx"
    result = crmsheet.enrich(customers, transactions=invoices, spend=spend, output=out,
                             as_of=AS_OF)  # fmt: skip
    print(result.data)  # what was read: <CrmData: ... customers, ...>
    print(result.analysis)
    print(f"Wrote {result.output}")
    return result.output


if __name__ == "__main__":
    main()
