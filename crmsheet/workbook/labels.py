"""How the enriched workbook shows a column: its header, its number format, its colours.

The analyses name their columns for code (``revenue_12m``) and declare beside each what it
holds (:mod:`crmsheet.analysis.columns`: ``money("Revenue (12 months)")``). This module turns
a frame and its declaration into what a sheet shows: the headers, each column's number
format from its kind (money with the book's currency), yes/no for flags on every sheet; plus
the colours of ratings and statuses, shared by every sheet of :mod:`crmsheet.workbook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..analysis.columns import Column
from ..io.styles import AMBER, BLUE, GREEN, GREY, RED, guess_format, kind_format

__all__ = ["NO", "RATING_COLOURS", "STATUS_COLOURS", "YES", "Shown", "shown"]

RATING_COLOURS = {"A": GREEN, "B": AMBER, "C": RED, "unrated": GREY}
STATUS_COLOURS = {"lapsed": RED, "lapsing": AMBER, "new": BLUE, "prospect": GREY,
                  "not a customer": GREY}  # fmt: skip

#: A flag as every sheet shows it (an empty cell is unknown).
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Shown:
    """A frame under its display headers, with each column's number format."""

    frame: pd.DataFrame
    formats: dict[str, str | None]
    flags: tuple[str, ...] = ()  # the headers of yes/no columns


def shown(
    frame: pd.DataFrame,
    declared: Mapping[str, Column],
    *,
    index: bool = True,
    currency: str = "",
) -> Shown:
    """``frame`` (its index first, with ``index``) as a sheet shows it.

    A declared column gets its label and the format of its kind; flags become yes/no. A
    column nobody declared keeps a readable form of its name and is only told apart by type
    (dates as dates), never by a guess from its name.
    """
    f = frame.reset_index() if index else frame
    out: dict[str, pd.Series] = {}
    formats: dict[str, str | None] = {}
    flags: list[str] = []
    for name in f.columns:
        column = declared.get(str(name))
        values = f[name]
        label = column.label if column else _title(str(name))
        while label in out:  # two columns never share a header (nor lose one)
            label = f"{label} ({name!s})"
        if column is not None and column.kind == "flag":
            values = _yes_no(values)
            flags.append(label)
        out[label] = values
        formats[label] = (
            kind_format(column.kind, currency) if column is not None else guess_format(values)
        )
    return Shown(pd.DataFrame(out, index=f.index), formats, tuple(flags))


def _yes_no(values: pd.Series) -> pd.Series:
    """True/False as yes/no; a missing value stays empty."""
    truth = values.map({True: YES, False: NO})  # 1 and 0 too: they hash as True, False
    return truth.where(values.notna(), None).astype(object)


def _title(name: str) -> str:
    """``"some_name"`` -> ``"Some name"``; a name without an underscore is kept as it is."""
    return name.replace("_", " ").strip().capitalize() if "_" in name else name
