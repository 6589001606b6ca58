"""Sheets thousands of columns wide: every cell kept as written, every problem located.

A wide grid of text takes other paths than a narrow one (``crmsheet.io.grid``: the columns'
arrow arrays joined into one, the clean frame built in one piece), so these check what the
user gets back against the file itself, read independently with the csv module, and the
helpers against pandas' own answers. No timings: benchmarks/run.py measures.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import crmsheet
from crmsheet.io.grid import (
    WIDE,
    blank_text_cells,
    cell_values,
    filled_cells,
    select_rows,
    with_columns,
)

AS_OF = date(2026, 11, 1)


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _wide_rows(own: int) -> list[list[str]]:
    header = ["Customer ID", "Name", "Email"] + [f"Own {i}" for i in range(own)]
    rows = [header]
    for r in range(1, 6):
        rows.append(
            [f"C{r}", f"Name {r}", f"n{r}@example.com"]
            + [("" if (i + r) % 7 == 0 else f"v{r}.{i}") for i in range(own)]
        )
    rows[2][2] = "not an email"  # row 3: a bad email, kept with a warning
    rows[4][0] = rows[4][1] = ""  # row 5: no id and no name, rejected
    rows[4][2] = ""
    rows.insert(4, [" "] * len(header))  # row 5 of the file: spaces only, a blank row
    return rows


@pytest.mark.parametrize("own", [WIDE - 10, 2_500])
def test_every_cell_of_a_wide_csv_is_kept_as_written(tmp_path: Path, own: int) -> None:
    path = _write_csv(tmp_path / "wide.csv", _wide_rows(own))
    data = crmsheet.read(path, as_of=AS_OF)
    with path.open(encoding="utf-8", newline="") as f:
        written = list(csv.reader(f))
    header, body = written[0], written[1:]
    kept = [r for r in body if r[0] or r[1]]  # the blank row and the nameless one go
    kept = [r for r in kept if any(c.strip() for c in r)]
    (info,) = data.tables
    assert info.extra_columns == tuple(header[3:])
    assert info.rows_kept == len(kept) == 4
    sheet = data.customer_sheet
    assert list(sheet.columns) == header
    for i, row in enumerate(kept):
        got = ["" if pd.isna(v) else v for v in sheet.iloc[i].tolist()]
        assert got == row
    customers = data.customers.set_index("customer_id")
    for row in kept:
        own_cells = customers.loc[row[0], header[3:]].tolist()
        assert ["" if pd.isna(v) else v for v in own_cells] == row[3:]


def test_problems_in_a_wide_csv_name_their_cells(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "wide.csv", _wide_rows(3_000))
    data = crmsheet.read(path, as_of=AS_OF)
    found = {(p.code, p.cell) for p in data.problems.frame.itertuples()}
    assert ("bad-email", "wide.csv!C3") in found
    assert ("missing-id-and-name", "wide.csv!6:6") in found
    (info,) = data.tables
    assert info.rows_rejected == 1


def test_a_record_above_the_header_of_a_wide_csv_is_reported(tmp_path: Path) -> None:
    rows = _wide_rows(1_000)
    rows.insert(0, ["Exported", "by", "the shop"] + [""] * (len(rows[0]) - 3))
    path = _write_csv(tmp_path / "wide.csv", rows)
    data = crmsheet.read(path, as_of=AS_OF)
    (info,) = data.tables
    assert info.header_row == 2
    assert ("row-above-header", "wide.csv!1:1") in {
        (p.code, p.cell) for p in data.problems.frame.itertuples()
    }


def test_every_cell_of_a_wide_workbook_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    own = 1_200
    sheet.write_row(0, 0, ["Customer ID", "Name", "Email"] + [f"Own {i}" for i in range(own)])
    for r in range(1, 4):
        cells: list[object] = [f"C{r}", f"Name {r}", f"n{r}@example.com"]
        cells += [(i * r if i % 3 else f"t{i}") for i in range(own)]
        sheet.write_row(r, 0, cells)
    book.close()
    data = crmsheet.read(path, as_of=AS_OF)
    expected = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Customers").to_python()
    assert list(data.customer_sheet.columns) == expected[0]
    for i, row in enumerate(expected[1:]):
        got = data.customer_sheet.iloc[i].tolist()
        assert [str(v) for v in got[3:]] == [str(v) for v in row[3:]]


# --- the helpers against pandas' own answers ---------------------------------------------


def _text_frame(rows: int, columns: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    choices = np.array(["a", " ", "", "\t x ", "\u3000", "\u00a0", None, "é"], dtype=object)
    picks = rng.integers(0, len(choices), size=(rows, columns))
    return pd.DataFrame(
        {c: pd.array(choices[picks[:, c]].tolist(), dtype="str") for c in range(columns)}
    )


@pytest.mark.parametrize("columns", [3, WIDE, 700])
@pytest.mark.parametrize("rows", [slice(None), slice(1, 4), slice(0, 0), slice(5, 99)])
def test_cell_helpers_answer_as_pandas_does(columns: int, rows: slice) -> None:
    frame = _text_frame(7, columns, seed=columns)
    want = frame.iloc[rows].to_numpy(dtype=object)
    got = cell_values(frame, rows)
    assert got.shape == want.shape
    assert (pd.isna(got) == pd.isna(want)).all()
    assert (got[~pd.isna(got)] == want[~pd.isna(want)]).all()
    assert (filled_cells(frame, rows) == frame.iloc[rows].notna().to_numpy()).all()


@pytest.mark.parametrize("columns", [WIDE, 500])
def test_blank_text_cells_is_strip_then_empty(columns: int) -> None:
    frame = _text_frame(9, columns, seed=7)
    got = blank_text_cells(frame)
    assert got is not None
    want = np.column_stack(
        [(frame[c].isna() | frame[c].str.strip().eq("")).to_numpy(dtype=bool) for c in frame]
    )
    assert (got == want).all()
    assert blank_text_cells(frame.astype(object)) is None  # not arrow text: pandas' path


def test_with_columns_and_select_rows_match_concat_and_loc() -> None:
    frame = pd.DataFrame({"name": ["a", "b", "c"], "n": [1.0, 2.0, np.nan]})
    frame["obj"] = pd.Series(["x", None, "z"], dtype=object)
    source = pd.concat([_text_frame(3, 200, seed=1), frame[["obj"]].set_axis([200], axis=1)],
                       axis=1)  # fmt: skip
    labels = [5, 7, 200, 199]
    names = ["Five", "Seven", "Obj", "Last"]
    want = pd.concat([frame, source[labels].set_axis(names, axis=1)], axis=1)
    pd.testing.assert_frame_equal(with_columns(frame, source, labels, names), want)
    everyone = pd.Series(True, index=frame.index)
    assert select_rows(frame, everyone) is frame
    some = pd.Series([True, False, True], index=frame.index)
    pd.testing.assert_frame_equal(select_rows(frame, some), frame.loc[some])


def test_a_text_column_is_measured_as_any_other() -> None:
    from crmsheet.io.tables import column_width

    rng = np.random.default_rng(3)
    for trial in range(200):
        n = int(rng.integers(0, 700)) if trial % 2 else int(rng.integers(0, 4))
        cells = [
            None if rng.random() < 0.2 else "é" * int(rng.integers(0, 90 if trial % 3 else 6))
            for _ in range(n)
        ]
        text = pd.Series(pd.array(cells, dtype="str"))
        header = "H" * int(rng.integers(0, 70))
        for fmt in (None, "0.00"):
            # an object column takes pandas' path: the same width either way
            assert column_width(header, text, fmt) == column_width(
                header, text.astype(object), fmt
            ), (trial, fmt)


def test_many_text_columns_are_written_as_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from crmsheet.io import sheetxml

    rng = np.random.default_rng(2)
    words = ["a", "", None, " lead", "trail ", "<&>", "_x0041_", "ctl\x01", "é", "x" * 33_000]
    columns: dict[str, object] = {}
    for c in range(sheetxml.MANY_TEXT_COLUMNS + 40):
        if c % 10 == 3:
            columns[f"n{c}"] = rng.random(5)
        elif c % 10 == 7:
            columns[f"d{c}"] = pd.to_datetime(["2024-01-01", None, "2024-03-04", None, None])
        else:
            picks = rng.integers(0, len(words), 5)
            columns[f"t{c}"] = pd.array([words[i] for i in picks], dtype="str")
    frame = pd.DataFrame(columns)
    styles = [None if c % 3 else c for c in range(frame.shape[1])]
    rows = sheetxml.SheetRows(frame, styles, date_style=9, first_row=1)
    together = b"".join(sheetxml.row_blocks(rows, block=2))
    monkeypatch.setattr(sheetxml, "MANY_TEXT_COLUMNS", 10**9)
    one_by_one = b"".join(sheetxml.row_blocks(rows, block=2))
    assert together == one_by_one
    assert b"_x005F_x0041_" in together and b"&lt;&amp;&gt;" in together


# --- the raw grids are dropped once their tables are clean -------------------------------


def test_releasing_the_grids_changes_nothing_read(tmp_path: Path) -> None:
    from crmsheet.checks import build_data
    from crmsheet.mapping import TableLayout, layout_table
    from crmsheet.reader import read_grids

    book = Path(__file__).parent.parent / "examples" / "sample_customers.xlsx"
    wide = _write_csv(tmp_path / "wide.csv", _wide_rows(300))

    def layouts() -> list[TableLayout]:
        return [layout_table(g) for path in (book, wide) for g in read_grids(path)]

    kept = build_data(layouts(), as_of=AS_OF)
    fresh = layouts()
    dropped = build_data(fresh, as_of=AS_OF, release_grids=True)
    for name in ("customers", "transactions", "customer_sheet"):
        pd.testing.assert_frame_equal(getattr(kept, name), getattr(dropped, name))
    pd.testing.assert_frame_equal(kept.problems.frame, dropped.problems.frame)
    assert kept.tables == dropped.tables
    for layout in fresh:
        if layout.role is not None:
            assert len(layout.grid.cells) <= layout.header_index + 1
