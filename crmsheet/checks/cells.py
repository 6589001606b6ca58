"""Vectorised tests on cells: blank, Excel errors, text that matches, text that equals.

The checks ask the same few questions of whole columns; each answer is a bool Series
computed in Arrow or numpy, with Python left only the few cells that need it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import parse

_EXCEL_ERROR = (
    r"#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|"
    r"BLOCKED!|BUSY!|CONNECT!|UNKNOWN!|PYTHON!)"
)

#: What Python's ``str.strip()`` removes from ASCII text.
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def blank_cells(values: pd.Series) -> pd.Series:
    """Missing, or text of spaces only (vectorised; other types are never blank)."""
    blank = values.isna()
    if isinstance(values.dtype, pd.StringDtype):
        return blank | (values.str.strip().str.len() == 0).fillna(False).astype(bool)
    if values.dtype == object:
        is_text = values.map(type).eq(str).to_numpy()
        if is_text.any():  # arrow's trim over the text cells only: no Python call per cell
            text = values[is_text].astype("string[pyarrow]")
            blank[is_text] = (text.str.strip().str.len() == 0).to_numpy(dtype=bool)
    return blank


def is_missing(value: object) -> bool:
    """One cell is None, NA or NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def as_text(values: pd.Series) -> pd.Series:
    """Any column as nullable text (numbers from Excel cells included: 2134.0 -> "2134")."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype("string")
    return parse.parse_text(values).values.astype("string")


def excel_errors(raw: pd.Series) -> pd.Series:
    """Cells showing an Excel error (#N/A, #DIV/0!, ...): a formula failed, no value."""
    if isinstance(raw.dtype, pd.StringDtype) or raw.dtype == object:
        try:
            return fullmatch_after("#", raw, _EXCEL_ERROR)
        except AttributeError:  # an object column without text
            pass
    return pd.Series(False, index=raw.index)


def fullmatch_after(prefix: str | tuple[str, ...], values: pd.Series, pattern: str) -> pd.Series:
    """``values.str.fullmatch(pattern)`` as bool, run only on cells starting with ``prefix``.

    pandas runs some patterns (Unicode classes, alternations) in Python, cell by cell; a
    prefix test in Arrow first leaves the regex the few cells that can match.
    """
    found = pd.Series(False, index=values.index)
    maybe = values.str.startswith(prefix).fillna(False).astype(bool)
    if maybe.any():
        found[maybe] = values[maybe].str.fullmatch(pattern).fillna(False).astype(bool)
    return found


def equals_folded(values: pd.Series, folded: str) -> pd.Series:
    """Text cells whose ``strip().casefold()`` is ``folded`` (other cells: False).

    ASCII text (casefold is lower there) is compared in Arrow; only the rest runs in Python.
    """
    if not isinstance(values.dtype, pd.StringDtype):
        return values.map(lambda v: isinstance(v, str) and v.strip().casefold() == folded)
    text = pa.array(values)  # the column's own Arrow data (pandas' str dtype)
    ascii_ = pc.fill_null(pc.string_is_ascii(text), True).to_numpy(zero_copy_only=False)
    same = pc.fill_null(pc.equal(pc.ascii_lower(pc.utf8_trim(text, _ASCII_SPACE)), folded), False)
    out = same.to_numpy(zero_copy_only=False).astype(bool)
    if not ascii_.all():
        rest = np.flatnonzero(~ascii_)
        out[rest] = [v.strip().casefold() == folded for v in values.iloc[rest].tolist()]
    return pd.Series(out, index=values.index)
