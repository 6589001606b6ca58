"""One table under check: its body rows, the problems found on them, the rows rejected.

:func:`prepare` turns a laid-out sheet (:class:`~crmsheet.mapping.TableLayout`) into a
:class:`Table`: blank rows dropped, columns typed where the cells allow, rows split by an
unquoted comma put back together. Every later check reports through :meth:`Table.report`,
which names the sheet, Excel row and cell of each problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..io.grid import blank_text_cells
from ..mapping import TableLayout, column_letter
from ..problems import ProblemCode, problem_rows
from .cells import as_text, blank_cells, is_missing
from .second_header import SecondHeader, first_header_above, reread_under_second_headers

#: Where each row came from: on every clean frame.
META = ["_file", "_sheet", "_row"]
#: The header the layout gives a column without one.
AUTO_HEADER = re.compile(r"Column [A-Z]+")
_NUMBER_LIKE = r"^\s*[-+(]?[$€£]?\s*\d[\d.,\s]*\)?\s*$"
_DATE_LIKE = r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"


@dataclass
class Table:
    """A table under check: clean columns so far, rejected rows and problems found."""

    layout: TableLayout
    frame: pd.DataFrame  # clean columns + extras + META, one row per non-blank body row
    rejected: pd.Series  # bool per row
    problems: list[pd.DataFrame]
    blank: int
    extras: tuple[str, ...]
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The body cells as read (ragged rows repaired), positional columns, same index."""
    repaired: dict[int, tuple[int, str]] = field(default_factory=dict)
    """Excel row -> (column joined, the joined value), for rows put back together."""
    second_headers: dict[int, SecondHeader] = field(default_factory=dict)
    """Excel row -> the header found again there (in another order, or in the same)."""
    top: int = 0
    """Grid position where the table starts: its header, or a first header stacked above."""
    above: int = 0
    """Records above the header row: reported and skipped, counted as read and rejected."""
    aside: pd.Series | None = None
    """Rows kept but not counted as sales (ledger lines, a repeated total, an order counted
    in another table): set by :mod:`crmsheet.checks.ledger`; None: none."""

    @property
    def file(self) -> str:
        return self.layout.grid.path.name

    @property
    def sheet(self) -> str:
        return self.layout.grid.sheet

    def report(
        self,
        code: ProblemCode,
        mask: pd.Series,
        field_name: str = "",
        *,
        values: pd.Series | None = None,
        details: pd.Series | str = "",
        reject: bool = False,
    ) -> None:
        """Add problems for the rows in ``mask`` (and reject them when asked)."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        col = self.layout.field_columns.get(field_name)
        header = self.layout.headers[col] if col is not None else ""
        rows = self.frame.loc[mask, "_row"].to_numpy()
        cells = (
            [f"{self.sheet}!{column_letter(col)}{r}" for r in rows]
            if col is not None
            else [f"{self.sheet}!{r}:{r}" for r in rows]
        )
        if values is None and col is not None:
            values = self.raw(col)
        vals = values[mask].tolist() if values is not None else None
        dets = details[mask].tolist() if isinstance(details, pd.Series) else details
        self.problems.append(
            problem_rows(code, file=self.file, sheet=self.sheet, rows=rows, column=header,
                         cells=cells, field=field_name, values=vals, details=dets)
        )  # fmt: skip
        if reject:
            self.rejected |= mask

    def in_use(self) -> pd.Series:
        """Rows neither rejected nor kept aside: the rows that count."""
        if self.aside is None:
            return ~self.rejected
        return ~self.rejected & ~self.aside

    def raw(self, col: int) -> pd.Series:
        """Column ``col`` of the body as read."""
        return self.cells[col]


def report_back(
    tables: Sequence[Table],
    frame: pd.DataFrame,
    mask: pd.Series,
    code: ProblemCode,
    fields: Sequence[str],
    *,
    values: pd.Series | None = None,
    details: pd.Series | str = "",
) -> None:
    """Report rows of a combined frame on the tables they came from (by file, sheet, row)."""
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        return
    hits = frame.loc[mask]
    for t in tables:
        sel = ((hits["_file"] == str(t.layout.grid.path)) & (hits["_sheet"] == t.sheet)).to_numpy()
        if not sel.any():
            continue
        rows = hits.loc[sel, "_row"].to_numpy()
        field_name = next((f for f in fields if f in t.layout.field_columns), fields[0])
        local = t.frame["_row"].isin(rows)
        vals = None
        if values is not None:
            vals = t.frame["_row"].map(pd.Series(values[mask][sel].to_numpy(), index=rows))
        dets: pd.Series | str = details
        if isinstance(details, pd.Series):
            dets = t.frame["_row"].map(pd.Series(details[mask][sel].to_numpy(), index=rows))
        t.report(code, local, field_name, values=vals, details=dets)


def _blank_rows(cells: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is blank (missing, or text of spaces only).

    Cost grows with the cells that hold something, not with rows x columns: a row with no
    value at all is blank outright, and a column is looked at only for the rows still in
    doubt that have a value there (a sheet 9,000 columns wide is not read 9,000 times).
    """
    text = blank_text_cells(cells)  # a wide CSV: every cell at once
    if text is not None:
        return pd.Series(text.all(axis=1), index=cells.index)
    filled = ~cells.isna().to_numpy(dtype=bool)
    blank = ~filled.any(axis=1)
    doubt = np.flatnonzero(~blank)  # rows with a value: blank only if all are spaces
    for pos, col in enumerate(cells.columns):
        if not len(doubt):
            break
        here = doubt[filled[doubt, pos]]
        if not len(here):
            continue
        values = cells[col] if len(here) == len(cells) else cells[col].iloc[here]
        spaces = blank_cells(values).to_numpy(dtype=bool)
        doubt = np.setdiff1d(doubt, here[~spaces], assume_unique=True)
    blank[doubt] = True
    return pd.Series(blank, index=cells.index)


def prepare(layout: TableLayout) -> Table:
    """The body of a laid-out sheet, blank rows dropped and ragged rows repaired."""
    grid = layout.grid
    top = first_header_above(layout)  # a first list stacked above the chosen header
    keep = np.r_[top : layout.header_index, layout.header_index + 1 : len(grid.cells)]
    stacked = top < layout.header_index  # else a slice: no copy of a million rows
    body = grid.cells.iloc[keep] if stacked else grid.cells.iloc[layout.header_index + 1 :]
    resume = layout.header_index - top if stacked else None
    body, seconds = reread_under_second_headers(layout, body, resume)
    body = _tighten_columns(body) if len(body) else body
    rows = np.asarray(grid.rows)[keep]
    second_rows = {int(rows[s.position]): s for s in seconds}
    blank = _blank_rows(body).to_numpy()
    body = (body.loc[~blank] if blank.any() else body).reset_index(drop=True)
    rows = rows[~blank]
    # pad: a grid can be narrower than its header in ragged files (one concat, not a column
    # at a time: inserting columns one by one costs rows x columns each)
    missing = [col for col in range(len(layout.headers)) if col not in body.columns]
    if missing:
        pads = {col: pd.Series(pd.NA, index=body.index, dtype=object) for col in missing}
        body = pd.concat([body, pd.DataFrame(pads, index=body.index)], axis=1)
    ragged = {n.row for n in grid.notes if n.code == ProblemCode.EXTRA_FIELDS and n.row is not None}
    repaired: dict[int, tuple[int, str]] = {}
    if ragged:
        body, repaired = repair_ragged_rows(body, rows, ragged, _header_width(layout))
    frame = pd.DataFrame(
        {"_file": str(grid.path), "_sheet": grid.sheet, "_row": rows.astype("int64")},
        index=body.index,
    )
    return Table(layout, frame, pd.Series(False, index=body.index), [], int(blank.sum()), (),
                 cells=body, repaired=repaired, second_headers=second_rows, top=top)  # fmt: skip


def _tighten_columns(body: pd.DataFrame) -> pd.DataFrame:
    """:func:`_tighten` on the object columns; the frame is rebuilt once, only if one changed."""
    loose = [
        c for c, dtype in body.dtypes.items() if pd.api.types.is_object_dtype(dtype)
    ]  # text CSVs: none
    tight = {c: _tighten(body[c]) for c in loose}
    changed = {c: v for c, v in tight.items() if v.dtype != object}
    if not changed:
        return body
    columns = {c: changed[c] if c in changed else body[c] for c in body.columns}
    return pd.DataFrame(columns, index=body.index, copy=False)


def _tighten(values: pd.Series) -> pd.Series:
    """An object column whose cells are all one type becomes that type (vectorised later).

    Workbook readers hand over Python objects; below the header most columns hold only
    text, only numbers or only dates, and typed columns make every later step fast. Mixed
    columns stay as they are.
    """
    if values.dtype != object:
        return values
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "string":
        return values.astype("str")
    if kind in ("floating", "mixed-integer-float"):
        return values.astype("float64")
    if kind in ("datetime", "datetime64"):
        return pd.to_datetime(values).astype("datetime64[us]")
    return values


def _header_width(layout: TableLayout) -> int:
    """Columns up to the last one with a header of the user's (not "Column F")."""
    named = [i for i, h in enumerate(layout.headers) if not AUTO_HEADER.fullmatch(h)]
    return (max(named) + 1) if named else len(layout.headers)


def _value_class(values: pd.Series) -> pd.Series:
    """blank / number / date / text: enough to tell which column a value belongs to."""
    text = as_text(values).str.strip()
    out = pd.Series("text", index=values.index, dtype=object)
    out[text.str.contains(_NUMBER_LIKE, regex=True).fillna(False).astype(bool)] = "number"
    out[text.str.contains(_DATE_LIKE, regex=True).fillna(False).astype(bool)] = "date"
    out[text.isna() | (text == "") | (text == "NULL")] = "blank"
    return out


def repair_ragged_rows(
    body: pd.DataFrame, rows: np.ndarray, ragged: set[int], width: int
) -> tuple[pd.DataFrame, dict[int, tuple[int, str]]]:
    """Put back together rows split by an unquoted comma (``Rua do Paço, 67``).

    A row with ``k`` values too many had one value split in ``k + 1`` pieces. For each place
    the split could be, the row is rebuilt and scored by how many of its values look like
    their column (number, date, text or blank, as in the well-formed rows); a split after
    which the next piece starts with a space (", ") breaks ties. A row whose best place is
    not unique is left alone (and skipped later). Returns the repaired body and, per
    repaired row number, (column joined, the joined value).
    """
    positions = np.flatnonzero(np.isin(rows, list(ragged)))
    if not len(positions) or width < 1:
        return body, {}
    normal = body.drop(index=body.index[positions])
    profile = [
        _value_class(normal[c]).mode().iat[0] if len(normal) else "text" for c in range(width)
    ]
    body = body.copy()
    repaired: dict[int, tuple[int, str]] = {}
    for pos in positions:
        values = body.iloc[pos].tolist()
        last = max((i for i, v in enumerate(values) if not is_missing(v)), default=-1)
        extra = last + 1 - width
        if extra <= 0:
            continue
        cells = ["" if is_missing(v) else str(v) for v in values[: last + 1]]
        best: list[tuple[float, int, list[str]]] = []
        for split in range(width):
            joined = ",".join(cells[split : split + extra + 1])
            candidate = [*cells[:split], joined, *cells[split + extra + 1 :]]
            classes = _value_class(pd.Series(candidate, dtype=object)).tolist()
            score = sum(c == p for c, p in zip(classes, profile, strict=True))
            score += 0.5 if cells[split + 1].startswith(" ") else 0.0
            best.append((score, split, candidate))
        best.sort(key=lambda b: -b[0])
        if len(best) > 1 and best[0][0] == best[1][0]:
            continue
        _, split, candidate = best[0]
        new = [v if v != "" else pd.NA for v in candidate] + [pd.NA] * (len(values) - width)
        body.iloc[pos] = pd.Series(new, index=body.columns).astype(object).to_numpy()
        repaired[int(rows[pos])] = (split, candidate[split])
    return body, repaired
