"""A sheet thousands of columns wide keeps every one of the user's own columns (issue 20, 13a).

Each of the user's own columns was added to the clean frame one at a time, copying the
frame's column index each time: a 3-row x 9,074-column CSV took minutes of CPU in
``clean_table``. That cost is measured by ``benchmarks/run.py --wide`` (1k, 4k and 9,074
columns), never timed here; these tests check what a wide sheet's clean frame holds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import crmsheet
from crmsheet.checks.assemble import clean_table
from crmsheet.mapping import layout_table
from crmsheet.reader import read_grids

AS_OF = date(2026, 11, 1)
WIDTH = 9_074


def _wide_csv(path: Path, own: int) -> Path:
    headers = ["Customer ID", "Name", "Email"] + [f"Extra {i}" for i in range(own)]
    rows = [
        [f"C{r}", f"Name {r}", f"n{r}@example.com"] + [str(i * r) for i in range(own)]
        for r in range(1, 4)
    ]
    path.write_text("\n".join(",".join(r) for r in [headers, *rows]) + "\n", encoding="utf-8")
    return path


def test_nine_thousand_own_columns_are_all_kept(tmp_path: Path) -> None:
    path = _wide_csv(tmp_path / "wide.csv", WIDTH - 3)
    (layout,) = [layout_table(g, {}) for g in read_grids(path)]
    table = clean_table(layout)
    assert len(table.extras) == WIDTH - 3
    assert list(table.extras[:2]) == ["Extra 0", "Extra 1"] and table.extras[-1] == "Extra 9070"
    assert table.frame["Extra 9070"].tolist() == ["9070", "18140", "27210"]


def test_own_columns_keep_their_names_and_values(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Customer ID,Name,_row,Colour,\nC1,Ann,x,red,\nC2,Bob,y,,\n", encoding="utf-8")
    data = crmsheet.read(path, as_of=AS_OF)
    (info,) = data.tables
    assert info.extra_columns == ("_row (original)", "Colour")
    assert data.customers["Colour"].tolist()[:1] == ["red"]
    assert data.customers["_row (original)"].tolist() == ["x", "y"]
