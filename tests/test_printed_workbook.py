"""The enriched sample printed by LibreOffice: how many pages, and what each page belongs to.

Before issue 14 the sample printed on 244 pages (portrait, columns spread over pages: the
Lapsed list on 12, names and phones 9 pages apart). Every table sheet now prints landscape,
one page wide, the header repeated, with a footer naming the sheet, the page and the as-of
date: 35 pages with LibreOffice 7.4 (Debian 12), the Forecast sheet (issue 16) included. The
in-place book's Summary is compared with the standalone one in ``test_inplace_hosts.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import crmsheet
from crmsheet.workbook import SHEETS

SAMPLE = Path(__file__).parents[1] / "examples" / "sample_customers.xlsx"
AS_OF = date(2026, 11, 1)
#: The sample's pages as printed (LibreOffice 7.4): a change to the layout shows here. The
#: Duplicates sheet (issue 18: 3 pairs to check) is one page.
PAGES = 42

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftotext")),
        reason="needs LibreOffice (soffice) and poppler-utils (pdftotext)",
    ),
]


def _pdf(book: Path, folder: Path) -> Path:
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), str(book)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pdf = folder / f"{book.stem}.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    return pdf


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return [p for p in text.split("\f") if p.strip()]


def _sheet_of(page: str) -> str:
    """The sheet a printed page belongs to, read from its footer ("Lapsed  Page 3 of 33")."""
    last = [line.strip() for line in page.splitlines() if line.strip()][-1]
    found = re.match(r"(.+?)\s{2,}Page \d+ of \d+\s{2,}as of 2026-11-01$", last)
    return found.group(1) if found else "?"


def test_the_sample_prints_on_few_pages_each_with_its_footer(tmp_path: Path) -> None:
    book = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE, book)
    result = crmsheet.enrich(book, as_of=AS_OF)
    pages = _pages(_pdf(result.output, tmp_path))
    per_sheet = Counter(_sheet_of(p) for p in pages)
    assert len(pages) == PAGES, per_sheet
    assert per_sheet["Summary"] == 1 and per_sheet["Forecast"] == 1
    assert set(per_sheet) == set(SHEETS)  # every page's footer names its sheet
    # the Lapsed list fits the page's width: every page has names and phones side by side
    lapsed = [p for p in pages if _sheet_of(p) == "Lapsed"]
    assert len(lapsed) == 2
    assert all("Phone" in p and "Name" in p and "Account manager" in p for p in lapsed)
    follow = [p for p in pages if _sheet_of(p) == "Follow-ups"]
    assert all(p.lstrip().startswith("Customer") for p in follow)  # the header on every page
