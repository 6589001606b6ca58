"""Fast paths checked against the plain code they replace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_read import write_book

import crmsheet
from crmsheet.checks.cells import equals_folded

TEXT = st.one_of(
    st.none(),
    st.sampled_from(["Customer ID", " customer id\t", "CUSTOMER ID\x1f", "Straße", "STRASSE",
                     "customer\u00a0id", "İd", "id"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
)  # fmt: skip


@given(st.lists(TEXT, max_size=30), st.sampled_from(["customer id", "strasse", "id", ""]))
def test_equals_folded_is_strip_casefold(values: list[str | None], folded: str) -> None:
    series = pd.Series(values, dtype="str")
    expected = [isinstance(v, str) and v.strip().casefold() == folded for v in values]
    assert equals_folded(series, folded).tolist() == expected
    assert equals_folded(series.astype(object), folded).tolist() == expected


@given(st.lists(st.one_of(TEXT, st.just("NULL"), st.just("  NULL "), st.just("")), max_size=30))
def test_parse_text_of_a_text_column_matches_the_general_path(values: list[str | None]) -> None:
    from crmsheet.parse import arrow, cells, text

    series = pd.Series(values, dtype="str")
    fast = text.parse_text(series).values
    c = cells.split(series)
    out = text._cells_as_text(c)  # the general path, step by step
    out[out == "NULL"] = None
    slow = pd.Series(arrow.make_text(np.where(pd.isna(out), "", out)).to_numpy(), dtype="str")
    slow[pd.isna(out)] = np.nan
    assert fast.dtype == slow.dtype
    pd.testing.assert_series_equal(fast.reset_index(drop=True), slow, check_names=False)


def test_files_read_ahead_give_the_same_grids_and_errors_in_turn(tmp_path: Path) -> None:
    from crmsheet.errors import InputFileError, NoUsableDataError
    from crmsheet.reader import read_grids, read_grids_ahead

    one = write_book(tmp_path / "one.xlsx", {"Customers": [["Customer ID", "Name"], ["C1", "Ann"]]})
    two = tmp_path / "two.csv"
    two.write_text("Invoice,Date,Customer ID,Amount\nI1,2024-01-05,C1,10\n", encoding="utf-8")
    ahead = [f.result() for f in read_grids_ahead([one, two])]
    for got, path in zip(ahead, [one, two], strict=True):
        want = read_grids(path)
        assert [g.sheet for g in got] == [g.sheet for g in want]
        for a, b in zip(got, want, strict=True):
            pd.testing.assert_frame_equal(a.cells, b.cells)
            assert a.rows.tolist() == b.rows.tolist()
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(NoUsableDataError, match="empty"):  # the first file's error comes first
        crmsheet.read(empty, transactions=tmp_path / "missing.csv")
    with pytest.raises(InputFileError, match="missing"):
        crmsheet.read(one, transactions=tmp_path / "missing.csv")
