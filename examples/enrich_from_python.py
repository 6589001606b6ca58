"""Enrich the sample workbook from Python: one call reads, checks, analyses and writes.

    python examples/enrich_from_python.py

Writes ``sample_customers.enriched.xlsx`` into a new temporary folder (the input and the
repository are left alone) and prints its path on the last line.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import crmsheet

SAMPLE = Path(__file__).resolve().with_name("sample_customers.xlsx")
AS_OF = date(2026, 11, 1)  # a fixed day, so the figures are the same every run


def main() -> Path:
    out = Path(tempfile.mkdtemp(prefix="crmsheet-")) / "sample_customers.enriched.xlsx"
    result = crmsheet.enrich(SAMPLE, as_of=AS_OF, output=out)
    print(result.analysis)  # <Analysis as of 2026-11-01: ... customers, A/B/C ..., ... lapsed>
    print("What to do first:")
    for number, action in enumerate(result.analysis.actions, 1):
        print(f"  {number}. {action}")
    print(f"Wrote {result.output}")  # the workbook written: here, ``out``
    return result.output


if __name__ == "__main__":
    main()
