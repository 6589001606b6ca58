"""Hypothesis: the header mapper and the normaliser never raise and are stable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from crmsheet.io.grid import Grid
from crmsheet.mapping import layout_table
from crmsheet.schema import field_specs, normalise_header

cell = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True))
known = st.sampled_from([h for r in ("customers", "transactions") for s in field_specs(r).values()
                         for h in s.headers])  # fmt: skip


@given(st.text())
def test_normalise_header_is_idempotent(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


@given(st.lists(st.lists(st.one_of(cell, known), min_size=1, max_size=8), min_size=1, max_size=12))
def test_layout_never_raises_and_maps_each_field_once(rows: list[list[object]]) -> None:
    width = max(len(r) for r in rows)
    cells = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    t = layout_table(Grid(Path("x.xlsx"), "Sheet1", cells, np.arange(1, len(rows) + 1)))
    assert len(set(t.mapping.values())) == len(t.mapping)
    assert len(t.headers) == width
    assert len(set(h.casefold() for h in t.headers)) == width  # display names are distinct
    if t.role is not None:
        assert 1 <= t.header_row <= len(rows)
