"""Vectorised paths checked against the plain Python they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from crmsheet.validate import _equals_folded

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
    assert _equals_folded(series, folded).tolist() == expected
    assert _equals_folded(series.astype(object), folded).tolist() == expected


@given(st.lists(st.one_of(TEXT, st.just("NULL"), st.just("  NULL "), st.just("")), max_size=30))
def test_parse_text_of_a_text_column_matches_the_general_path(values: list[str | None]) -> None:
    from crmsheet import coerce

    series = pd.Series(values, dtype="str")
    fast = coerce.parse_text(series).values
    c = coerce._split(series)
    out = coerce._cells_as_text(c)  # the general path, step by step
    out[out == "NULL"] = None
    slow = pd.Series(coerce._make_text(np.where(pd.isna(out), "", out)).to_numpy(), dtype="str")
    slow[pd.isna(out)] = np.nan
    assert fast.dtype == slow.dtype
    pd.testing.assert_series_equal(fast.reset_index(drop=True), slow, check_names=False)
