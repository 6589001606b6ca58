"""Raw tables -> clean frames and a problem report.

Everything here is vectorised per column; Python loops run over columns, tables and the
(few) problem rows, never over every cell. The rules are derived from :mod:`crmsheet.schema`:
each field's ``kind`` picks its parser, its ``ge``/``le`` bounds its range.

Every non-blank input row ends up in exactly one place: the clean frame of its role, or the
problem report with action "row skipped". :class:`TableInfo` carries the counts that prove it
(``rows_read == rows_kept + rows_rejected``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import parse
from .mapping import TableLayout, column_letter
from .problems import CATALOGUE, ProblemReport, problem_rows
from .schema import ROLES, Role, field_specs

__all__ = ["CrmData", "TableInfo", "build_data", "customer_name_key"]

META = ["_file", "_sheet", "_row"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOTAL_WORDS = {"total", "totals", "grand total", "subtotal", "sub total", "sum", "overall"}
_LEGAL = re.compile(
    r"\b(inc|incorporated|llc|l l c|ltd|limited|plc|co|corp|corporation|company|gmbh|ag|"
    r"sa|sas|sarl|srl|spa|bv|nv|pty|pte|oy|ab|as|kg|lp|llp|the|and)\b"
)


@dataclass(frozen=True)
class TableInfo:
    """What was read from one sheet or file, and how it was understood."""

    file: str
    sheet: str
    role: str | None
    part: str | None
    header_row: int
    mapping: dict[str, str]  # header text -> field, in column order
    extra_columns: tuple[str, ...]
    rows_read: int
    rows_kept: int
    rows_rejected: int
    rows_blank: int
    hidden: bool = False


@dataclass(frozen=True, eq=False)
class CrmData:
    """Everything :func:`crmsheet.read` understood, plus what it could not.

    ``customers``, ``transactions``, ``spend`` and ``support`` hold the kept rows with the
    canonical fields (see :mod:`crmsheet.schema`), derived columns, the user's own columns
    unchanged, and ``_file``/``_sheet``/``_row`` saying where each row came from.
    ``customer_key`` links them: the customer ID, or the name when a customer has no ID.
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    spend: pd.DataFrame
    support: pd.DataFrame
    problems: ProblemReport
    tables: tuple[TableInfo, ...] = field(default_factory=tuple)
    customer_sheet: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The kept customer rows exactly as written (the user's headers and cells), in the
    same order as ``customers``: what the enriched workbook shows unchanged."""
    settings_values: dict[str, object] = field(default_factory=dict)
    """``setting -> value`` from a Settings sheet in the input, if it had one."""

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_kept(self) -> int:
        return sum(t.rows_kept for t in self.tables)

    @property
    def rows_rejected(self) -> int:
        return sum(t.rows_rejected for t in self.tables)

    def __repr__(self) -> str:
        return (
            f"<CrmData: {len(self.customers)} customers, {len(self.transactions)} "
            f"transactions, {len(self.spend)} spend rows, {len(self.support)} support rows; "
            f"{self.rows_read} rows read, {self.rows_kept} kept, {self.rows_rejected} "
            f"rejected; {self.problems.errors} errors, {self.problems.warnings} warnings>"
        )


# -- one table -------------------------------------------------------------------------------


@dataclass
class _Table:
    layout: TableLayout
    frame: pd.DataFrame  # clean columns + extras + META, one row per non-blank body row
    rejected: pd.Series  # bool per row
    problems: list[pd.DataFrame]
    blank: int
    extras: tuple[str, ...]

    @property
    def file(self) -> str:
        return self.layout.grid.path.name

    @property
    def sheet(self) -> str:
        return self.layout.grid.sheet

    def report(
        self,
        code: str,
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

    def raw(self, col: int) -> pd.Series:
        return self._raw[col]

    _raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    repaired: dict[int, tuple[int, str]] = field(default_factory=dict)


def _blank_cells(values: pd.Series) -> pd.Series:
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


def _blank_rows(cells: pd.DataFrame) -> pd.Series:
    blank = pd.Series(True, index=cells.index)
    for col in cells.columns:
        blank &= _blank_cells(cells[col])
    return blank


def _prepare(layout: TableLayout) -> _Table:
    grid = layout.grid
    body = grid.cells.iloc[layout.header_index + 1 :]
    body = body.apply(_tighten) if len(body) else body
    rows = np.asarray(grid.rows[layout.header_index + 1 :])
    blank = _blank_rows(body).to_numpy()
    body = body.loc[~blank].reset_index(drop=True)
    rows = rows[~blank]
    # pad: a grid can be narrower than its header in ragged files
    for col in range(len(layout.headers)):
        if col not in body.columns:
            body[col] = pd.NA
    ragged = {n.row for n in grid.notes if n.code == "extra-fields" and n.row is not None}
    repaired: dict[int, tuple[int, str]] = {}
    if ragged:
        body, repaired = repair_ragged_rows(body, rows, ragged, _header_width(layout))
    frame = pd.DataFrame(
        {"_file": str(grid.path), "_sheet": grid.sheet, "_row": rows.astype("int64")},
        index=body.index,
    )
    table = _Table(layout, frame, pd.Series(False, index=body.index), [], int(blank.sum()), ())
    table._raw = body
    table.repaired = repaired
    return table


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
    named = [i for i, h in enumerate(layout.headers) if not _AUTO_HEADER.fullmatch(h)]
    return (max(named) + 1) if named else len(layout.headers)


_AUTO_HEADER = re.compile(r"Column [A-Z]+")
_NUMBER_LIKE = r"^\s*[-+(]?[$€£]?\s*\d[\d.,\s]*\)?\s*$"
_DATE_LIKE = r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"


def _value_class(values: pd.Series) -> pd.Series:
    """blank / number / date / text: enough to tell which column a value belongs to."""
    text = _as_text(values).str.strip()
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
        last = max((i for i, v in enumerate(values) if not _is_missing(v)), default=-1)
        extra = last + 1 - width
        if extra <= 0:
            continue
        cells = ["" if _is_missing(v) else str(v) for v in values[: last + 1]]
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


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


#: The first day Excel can show (it would show 1899-12-31 as "1900-01-00").
_EXCEL_FIRST_DAY = pd.Timestamp(1900, 1, 1)

_EXCEL_ERROR = (
    r"#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|"
    r"BLOCKED!|BUSY!|CONNECT!|UNKNOWN!|PYTHON!)"
)


def _excel_errors(raw: pd.Series) -> pd.Series:
    """Cells showing an Excel error (#N/A, #DIV/0!, ...): a formula failed, no value."""
    if isinstance(raw.dtype, pd.StringDtype) or raw.dtype == object:
        try:
            return _fullmatch_after("#", raw, _EXCEL_ERROR)
        except AttributeError:  # an object column without text
            pass
    return pd.Series(False, index=raw.index)


def _fullmatch_after(prefix: str | tuple[str, ...], values: pd.Series, pattern: str) -> pd.Series:
    """``values.str.fullmatch(pattern)`` as bool, run only on cells starting with ``prefix``.

    pandas runs some patterns (Unicode classes, alternations) in Python, cell by cell; a
    prefix test in Arrow first leaves the regex the few cells that can match.
    """
    found = pd.Series(False, index=values.index)
    maybe = values.str.startswith(prefix).fillna(False).astype(bool)
    if maybe.any():
        found[maybe] = values[maybe].str.fullmatch(pattern).fillna(False).astype(bool)
    return found


def _parse_dates(table: _Table, role: Role) -> dict[int, parse.Parsed]:
    """Parse every date column, deciding day/month order for the table as a whole.

    Each column decides from its own cells that can only be read one way (13/03/2024). A
    column with none follows the other date columns of the sheet: the same person typed
    them all. Only such columns are parsed twice, and only when it changes something.
    """
    specs = field_specs(role)
    epoch = table.layout.grid.epoch_1904
    parsed: dict[int, parse.Parsed] = {}
    for col, name in table.layout.mapping.items():
        if specs[name].kind == "date":
            parsed[col] = parse.parse_date(_without_errors(table.raw(col)), epoch_1904=epoch)
    day = sum(p.votes[0] for p in parsed.values())
    month = sum(p.votes[1] for p in parsed.values())
    if day != month:
        for col, p in parsed.items():
            silent = p.votes == (0, 0) and p.ambiguous is not None and p.ambiguous.any()
            if silent and day > month:  # month-first is already the default reading
                raw = _without_errors(table.raw(col))
                parsed[col] = parse.parse_date(raw, epoch_1904=epoch, dayfirst=True)
    return parsed


def _without_errors(raw: pd.Series) -> pd.Series:
    errors = _excel_errors(raw)
    return raw.mask(errors) if errors.any() else raw


def _parse_field(
    table: _Table, name: str, col: int, *, dates: Mapping[int, parse.Parsed] | None = None
) -> None:
    """Coerce one mapped column into ``table.frame[name]``, reporting bad cells."""
    role = table.layout.role
    assert role is not None
    spec = field_specs(role)[name]
    raw = table.raw(col)
    errors = _excel_errors(raw)
    if errors.any():
        table.report("excel-error", errors, name)
        raw = raw.mask(errors)
    kind = spec.kind
    epoch = table.layout.grid.epoch_1904
    if kind in ("id", "text", "phone", "email"):
        parsed = parse.parse_text(raw)
        values = parsed.values
        if kind == "email":
            odd = values.notna() & ~values.astype("string").str.match(_EMAIL).fillna(False)
            table.report("bad-email", odd, name, values=values)
    elif kind == "choice":
        assert spec.choices is not None
        parsed = parse.parse_choice(raw, _synonyms(spec.choices))
        values, unknown = parsed.values, parsed.bad
        if name == "source":
            table.report("unknown-source", unknown, name, details=", ".join(spec.choices))
        elif name == "kind":
            table.report("unknown-kind", unknown, name)
            values = values.where(~unknown, "invoice")
        else:
            table.report("unknown-choice", unknown, name, details=", ".join(spec.choices))
    elif kind == "rating":
        parsed = parse.parse_choice(raw, _synonyms(_RATINGS))
        table.report("bad-rating", parsed.bad, name)
        values = parsed.values.where(~parsed.bad)
    elif kind == "date":
        parsed = (dates or {}).get(col) or parse.parse_date(raw, epoch_1904=epoch)
        values = parsed.values
        if name not in _REQUIRED.get(role, ()):
            table.report("bad-date", parsed.bad, name)
        if parsed.ambiguous is not None and parsed.ambiguous.any():
            first = parsed.ambiguous & (parsed.ambiguous.cumsum() == 1)
            table.report("ambiguous-date", first, name,
                         details=parsed.note or "month/day/year")  # fmt: skip
        # Excel shows no date before 1900-01-01 (it would write 1899-12-31 as "1900-01-00"):
        # such a date is a typo in a customer sheet, reported and ignored, never shifted.
        early = (values < _EXCEL_FIRST_DAY).fillna(False)
        if early.any():
            if name not in _REQUIRED.get(role, ()):
                table.report("out-of-range", early, name,
                             details="it must be a date from 1900-01-01 on")  # fmt: skip
            values = values.where(~early)
        if spec.name != "date":  # key dates on the customer sheet are days
            values = values.dt.normalize()
    elif kind in ("money", "number", "count", "percent"):
        if kind == "percent":
            parsed = parse.parse_percent(raw)
        elif kind == "money":
            parsed = parse.parse_money(raw)
        else:
            parsed = parse.parse_number(raw)
        values = parsed.values.astype("float64")
        code = {"money": "bad-money", "percent": "bad-percent", "count": "bad-count"}.get(
            kind, "bad-number"
        )
        bad = parsed.bad.copy()
        if kind == "count":
            frac = values.notna() & ((values % 1 != 0) | (values < 0))
            bad |= frac
            values = values.where(~frac)
        if name not in _REQUIRED.get(role, ()):
            table.report(code, bad, name)
        values = values.where(~bad)
        out = pd.Series(False, index=values.index)
        if spec.ge is not None:
            out |= values < spec.ge
        if spec.le is not None:
            out |= values > spec.le
        if out.any():
            lo = "" if spec.ge is None else f"at least {spec.ge:g}"
            hi = "" if spec.le is None else f"at most {spec.le:g}"
            rule = " and ".join(p for p in (lo, hi) if p)
            if kind == "percent":
                rule += " (as a share: 10% = 0.1)"
            table.report("out-of-range", out, name, details=f"it must be {rule}")
            values = values.where(~out)
        if kind == "count":
            values = values.astype("Int64")
    elif kind == "employees":
        # few distinct values ("10-49", "1,000+"): parse each once, then spread them
        codes, uniques = pd.factorize(raw.astype(object))
        distinct = pd.Series([*uniques, None], dtype=object)
        u_frame, u_bad = parse.parse_employees(distinct)
        u_text = parse.parse_text(distinct).values
        frame = u_frame.iloc[codes].set_axis(raw.index)
        bad = pd.Series(u_bad.to_numpy()[codes], index=raw.index)
        text = pd.Series(u_text.to_numpy()[codes], index=raw.index, dtype=u_text.dtype)
        table.report("bad-employees", bad, name)
        values = text.where(~bad)
        table.frame["employees_min"] = frame["employees_min"]
        table.frame["employees_max"] = frame["employees_max"]
        table.frame["_size_band_derived"] = frame["size_band"]
    else:  # pragma: no cover - schema and parser disagree
        raise AssertionError(f"no parser for kind {kind!r}")
    table.frame[name] = values


_RATINGS = {
    "A": ("a", "a rated", "a rating", "rating a", "tier a", "class a", "1", "tier 1", "key",
          "key account", "top"),
    "B": ("b", "b rated", "b rating", "rating b", "tier b", "class b", "2", "tier 2"),
    "C": ("c", "c rated", "c rating", "rating c", "tier c", "class c", "3", "tier 3"),
}  # fmt: skip
_SYN_CACHE: dict[int, dict[str, str]] = {}


def _synonyms(choices: Mapping[str, Sequence[str]]) -> dict[str, str]:
    key = id(choices)
    if key not in _SYN_CACHE:
        table: dict[str, str] = {}
        for canonical, words in choices.items():
            table.setdefault(parse.normalise_token(canonical), canonical)
            for word in words:
                table.setdefault(parse.normalise_token(word), canonical)
        _SYN_CACHE[key] = table
    return _SYN_CACHE[key]


# fields whose absence makes a row unusable: reported once, as a rejected row
_REQUIRED: dict[str, tuple[str, ...]] = {"transactions": ("date", "amount"), "spend": ("amount",)}


def _empty_field(kind: str) -> object:
    if kind in ("money", "number", "percent"):
        return "float64"
    if kind == "count":
        return "Int64"
    if kind == "date":
        return "datetime64[us]"
    return "object"


def _empty_column(kind: str, index: pd.Index) -> pd.Series:
    dtype = _empty_field(kind)
    fill = {"float64": np.nan, "datetime64[us]": pd.NaT, "Int64": pd.NA}.get(str(dtype))
    return pd.Series(fill, index=index, dtype=dtype)


def _clean_table(layout: TableLayout) -> _Table:
    """Parse every mapped column of one table; flag rows that cannot be used."""
    table = _prepare(layout)
    role = layout.role
    assert role is not None
    for col in layout.duplicate_headers:
        header = layout.headers[col]
        original = header.rsplit(" (", 1)[0]
        row = layout.header_row
        table.problems.append(problem_rows(
            "duplicate-header", file=table.file, sheet=table.sheet, rows=[row],
            column=header, cells=[f"{table.sheet}!{column_letter(col)}{row}"],
            values=[original], details=[header],
        ))  # fmt: skip
    dates = _parse_dates(table, role)
    for col, name in layout.mapping.items():
        _parse_field(table, name, col, dates=dates)
    specs = field_specs(role)
    for name, spec in specs.items():
        if name not in table.frame:
            table.frame[name] = _empty_column(spec.kind, table.frame.index)
    if "_size_band_derived" in table.frame:  # a size band written by hand wins
        derived = table.frame.pop("_size_band_derived")
        table.frame["size_band"] = table.frame["size_band"].fillna(derived)
    _grid_notes(table)
    _repeated_headers(table)
    _row_rules(table, role)
    extras: list[str] = []
    for col, header in enumerate(layout.headers):
        if col in layout.mapping:
            continue
        if _AUTO_HEADER.fullmatch(header) and parse.is_blank(table.raw(col)).all():
            continue  # no header and no data: not a column of the user's
        out = header if header not in table.frame.columns else f"{header} (original)"
        table.frame[out] = table.raw(col)
        extras.append(out)
    table.extras = tuple(extras)
    return table


def _grid_notes(table: _Table) -> None:
    """Reader notes (ragged rows, guessed encodings) become problems; error rows are rejected."""
    # Excel error cells are reported where they matter, by the field parsers (excel-error)
    row_notes = [
        n for n in table.layout.grid.notes if n.row is not None and n.code != "excel-error"
    ]
    file_notes = [n for n in table.layout.grid.notes if n.row is None]
    for note in file_notes:
        code = note.code if note.code in CATALOGUE else "file-note"
        table.problems.append(problem_rows(code, file=table.file, sheet=table.sheet,
                                           rows=[table.layout.header_row], cells=[""],
                                           details=[note.message]))  # fmt: skip
    if table.repaired:
        rows = table.frame["_row"]
        for col in sorted({c for c, _ in table.repaired.values()}):
            fixed = rows.map(lambda r, c=col: r in table.repaired and table.repaired[r][0] == c)
            joined = rows.map(lambda r: table.repaired.get(r, (0, ""))[1])
            header = table.layout.headers[col]
            numbers = rows[fixed].tolist()
            cells = [f"{table.sheet}!{column_letter(col)}{r}" for r in numbers]
            table.problems.append(problem_rows(
                "repaired-row", file=table.file, sheet=table.sheet, rows=numbers, column=header,
                cells=cells, field=table.layout.mapping.get(col, ""),
                values=joined[fixed].tolist(),
            ))  # fmt: skip
        row_notes = [n for n in row_notes if n.row not in table.repaired]
    if not row_notes:
        return
    by_row = {n.row: n for n in row_notes}
    mask = table.frame["_row"].isin(list(by_row))
    details = table.frame["_row"].map(lambda r: by_row[r].message if r in by_row else "")
    errors = table.frame["_row"].map(lambda r: r in by_row and by_row[r].severity == "error")
    code_of = table.frame["_row"].map(lambda r: by_row[r].code if r in by_row else "")
    for code in set(code_of[mask]):
        sel = mask & (code_of == code)
        table.report(code, sel, details=details, reject=bool((errors & sel).any()))


def _repeated_headers(table: _Table) -> None:
    headers = [h.casefold() for h in table.layout.headers]
    raw = table._raw
    if raw.empty or not table.layout.mapping:
        return
    first = min(table.layout.mapping)  # cheap filter first: rows whose key cell is its header
    same = _equals_folded(raw[first], headers[first])
    if not same.any():
        return
    for col, header in enumerate(headers[: raw.shape[1]]):
        same &= raw[col].astype("string").str.strip().str.casefold().fillna("") == header
    table.report("repeated-header", same, reject=True)


#: What Python's ``str.strip()`` removes from ASCII text.
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _equals_folded(values: pd.Series, folded: str) -> pd.Series:
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


def _row_rules(table: _Table, role: Role) -> None:
    f = table.frame
    alive = ~table.rejected
    if role == "customers":
        no_key = f["customer_id"].isna() & f["name"].isna()
        table.report("missing-id-and-name", alive & no_key, reject=True)
        for name in ("name", "customer_id"):
            total = f[name].astype("string").str.casefold().str.strip().isin(_TOTAL_WORDS)
            table.report("total-row", alive & ~table.rejected & total.fillna(False), name,
                         reject=True)  # fmt: skip
        return
    if role == "transactions":
        part = table.layout.part
        if part != "lines":
            no_customer = f["customer_id"].isna() & f["customer_name"].isna()
            table.report("missing-customer", alive & no_customer, reject=True)
            for name in ("customer_name", "customer_id"):
                total = f[name].astype("string").str.casefold().str.strip().isin(_TOTAL_WORDS)
                table.report("total-row", ~table.rejected & total.fillna(False), name,
                             reject=True)  # fmt: skip
            _require(table, "date", "missing-date")
        if part != "orders":
            _line_amounts(table)
            no_amount = f["amount"].isna()
            table.report("missing-amount", ~table.rejected & no_amount, "amount", reject=True)
        _kinds(table)
        return
    if role == "spend":
        _require(table, "amount", "missing-amount")
        none = f["source"].isna() & f["campaign"].isna()
        table.report("missing-spend-source", ~table.rejected & none, reject=True)
        start, end, month = f["period_start"], f["period_end"], f["month"]
        f["period_start"] = start.fillna(month.dt.to_period("M").dt.start_time)
        f["period_end"] = end.fillna(month.dt.to_period("M").dt.end_time.dt.normalize())
        f["period_start"] = f["period_start"].fillna(f["period_end"])
        f["period_end"] = f["period_end"].fillna(f["period_start"])
        table.report("missing-period", ~table.rejected & f["period_start"].isna(),
                     reject=True)  # fmt: skip
        return
    # support
    no_customer = f["customer_id"].isna() & f["customer_name"].isna()
    table.report("missing-customer", alive & no_customer, reject=True)
    f["cases"] = f["cases"].fillna(1)


def _require(table: _Table, name: str, code: str) -> None:
    col = table.layout.field_columns.get(name)
    missing = table.frame[name].isna() & ~table.rejected
    values = table.raw(col) if col is not None else None
    table.report(code, missing, name, values=values, reject=True)


def _line_amounts(table: _Table) -> None:
    """amount = quantity x unit price x (1 - discount) where no amount is given."""
    f = table.frame
    discount = f["discount"].fillna(0.0)
    computed = f["quantity"] * f["unit_price"] * (1.0 - discount)
    f["amount"] = f["amount"].fillna(computed)


def _kinds(table: _Table) -> None:
    """Credits: a kind that says so, an invoice number like C12345, or a negative amount."""
    f = table.frame
    kind = f["kind"].astype("object")
    invoice = f["invoice"].astype("string")
    c_number = _fullmatch_after(("C", "c"), invoice, r"[Cc]\s*-?\d[\w/-]*")
    negative = (f["amount"] < 0).fillna(False)
    kind = kind.where(kind.notna(), pd.Series("invoice", index=f.index))
    kind = kind.mask((c_number | negative) & (kind != "quote"), "credit")
    f["kind"] = kind
    credit_positive = (kind == "credit") & (f["amount"] > 0).fillna(False)
    f["amount"] = f["amount"].mask(credit_positive, -f["amount"])


# -- across tables -----------------------------------------------------------------------


def _as_text(values: pd.Series) -> pd.Series:
    """Any column as nullable text (numbers from Excel cells included: 2134.0 -> "2134")."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype("string")
    return parse.parse_text(values).values.astype("string")


def customer_name_key(names: pd.Series) -> pd.Series:
    """A name as compared for 'same customer?': ``"ACME, Inc."`` and ``"Acme Inc"`` agree."""
    text = _as_text(names)
    accented = text.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).to_numpy(dtype=bool)
    if accented.any():  # NFKD runs in Python: only where it can change something
        plain = text[accented].str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
        text = text.mask(accented, plain)
    text = text.str.lower().str.replace("&", " and ", regex=False)
    text = text.str.replace(r"[^0-9a-z]+", " ", regex=True)
    stripped = text.str.replace(_LEGAL.pattern, " ", regex=True)  # a str pattern runs in arrow
    stripped = stripped.str.replace(r"\s+", " ", regex=True).str.strip()
    plain = text.str.strip()
    return stripped.where(stripped.str.len() > 0, plain)


def _name_exact(names: pd.Series) -> pd.Series:
    text = _as_text(names).str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True)
    return text.str.strip()


def build_data(
    layouts: Sequence[TableLayout],
    *,
    as_of: date,
    unusable: Sequence[pd.DataFrame] = (),
) -> CrmData:
    """Clean every recognised table, combine them per role and check across tables."""
    tables = [_clean_table(layout) for layout in layouts if layout.role is not None]
    by_role: dict[str, list[_Table]] = {r: [t for t in tables if t.layout.role == r] for r in ROLES}
    customers = _customers(by_role["customers"], as_of)
    name_key = customer_name_key(customers["name"])  # once: near-duplicates and lookups
    _near_duplicates(by_role["customers"], customers, name_key)
    index = _CustomerIndex(customers, name_key)
    _relations(customers, index, by_role["customers"])
    transactions = _transactions(by_role["transactions"], index, as_of)
    support = _support(by_role["support"], index)
    spend = _concat_kept(by_role["spend"])
    problems = [p for t in tables for p in t.problems]
    problems.extend(unusable)
    infos = tuple(_info(t) for t in tables)
    report = ProblemReport.concat(problems)
    if not report.frame.empty:
        f = report.frame
        f["_order"] = f["file"] + "\x00" + f["sheet"]
        report = ProblemReport(
            f.sort_values(["_order", "row"], kind="stable").drop(columns="_order")
        )
    return CrmData(
        customers=customers,
        transactions=transactions,
        spend=spend,
        support=support,
        problems=report,
        tables=infos,
        customer_sheet=_as_written(by_role["customers"]),
    )


def _as_written(tables: Sequence[_Table]) -> pd.DataFrame:
    """Kept rows with the user's own headers and raw cells (typed columns, same values)."""
    parts = []
    for t in tables:
        raw = t._raw.loc[~t.rejected, list(range(len(t.layout.headers)))]
        raw = raw.set_axis(list(t.layout.headers), axis=1)
        auto = [h for h in raw.columns if _AUTO_HEADER.fullmatch(h) and raw[h].isna().all()]
        parts.append(raw.drop(columns=auto))
    if not parts:
        return pd.DataFrame()
    return (
        pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    )


def _info(t: _Table) -> TableInfo:
    kept = int((~t.rejected).sum())
    return TableInfo(
        file=str(t.layout.grid.path),
        sheet=t.sheet,
        role=t.layout.role,
        part=t.layout.part,
        header_row=t.layout.header_row,
        mapping=t.layout.header_to_field(),
        extra_columns=t.extras,
        rows_read=len(t.frame),
        rows_kept=kept,
        rows_rejected=len(t.frame) - kept,
        rows_blank=t.blank,
        hidden=t.layout.grid.hidden,
    )


def _concat_kept(tables: Sequence[_Table]) -> pd.DataFrame:
    frames = [t.frame.loc[~t.rejected] for t in tables]
    frames = [f for f in frames if not f.empty] or [t.frame.iloc[:0] for t in tables[:1]]
    if not frames:
        return pd.DataFrame(columns=META)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    return out.reset_index(drop=True)


def _customers(tables: Sequence[_Table], as_of: date) -> pd.DataFrame:
    for t in tables:
        f = t.frame
        alive = ~t.rejected
        both = alive & f["first_transaction"].notna() & f["last_transaction"].notna()
        swapped = both & (f["last_transaction"] < f["first_transaction"])
        t.report("last-before-first", swapped, "last_transaction",
                 values=f["last_transaction"], details=f["first_transaction"])  # fmt: skip
        limit = pd.Timestamp(as_of)
        for name in ("first_transaction", "last_transaction"):
            future = alive & (f[name] > limit).fillna(False)
            t.report("future-date", future, name, values=f[name],
                     details=f"today ({as_of.isoformat()})")  # fmt: skip
    # duplicates are checked over all customer tables together
    combined: list[pd.DataFrame] = []
    for i, t in enumerate(tables):
        f = t.frame.assign(_table=i)
        combined.append(f.loc[~t.rejected])
    if not combined:
        return _empty_customers()
    allc = pd.concat(combined, ignore_index=False) if len(combined) > 1 else combined[0]
    _duplicates(tables, allc)
    keep = pd.concat([t.frame.loc[~t.rejected] for t in tables], ignore_index=True)
    keep["customer_key"] = keep["customer_id"].fillna(keep["name"]).astype("object")
    return keep


def _empty_customers() -> pd.DataFrame:
    cols = {n: pd.Series(dtype=_empty_field(s.kind)) for n, s in field_specs("customers").items()}
    frame = pd.DataFrame(cols)
    for m in META:
        frame[m] = pd.Series(dtype="object")
    frame["customer_key"] = pd.Series(dtype="object")
    return frame


def _duplicates(tables: Sequence[_Table], allc: pd.DataFrame) -> None:
    """Later rows that repeat a customer ID (or, without IDs, a name) are skipped."""
    has_id = allc["customer_id"].notna()
    names_only = ~has_id & allc["name"].notna()
    checks = (("duplicate-id", "customer_id", allc["customer_id"], has_id),
              ("duplicate-name", "name", _name_exact(allc["name"]), names_only))  # fmt: skip
    for code, field_name, key, mask in checks:
        dup, details = _first_seen(allc, key, mask)
        for i, t in enumerate(tables):
            sel = (dup & (allc["_table"] == i)).to_numpy()
            if not sel.any():
                continue
            rows = pd.Series(False, index=t.frame.index)
            rows.loc[allc.index[sel]] = True
            det = pd.Series("", index=t.frame.index, dtype=object)
            det.loc[allc.index[sel]] = details[sel].to_numpy()
            t.report(code, rows, field_name, values=t.frame[field_name], details=det,
                     reject=True)  # fmt: skip


def _first_seen(
    frame: pd.DataFrame, key: pd.Series, mask: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """(repeats of an earlier key, "row N" or "row N of Sheet" of that earlier row).

    The second Series holds text only on the repeats (the rest is empty), so the cost
    follows the number of repeats, not of rows.
    """
    k = key.where(mask).astype("object")
    dup = (mask & k.notna() & k.duplicated(keep="first")).to_numpy()
    where = pd.Series("", index=frame.index, dtype=object)
    if not dup.any():
        return pd.Series(dup, index=frame.index), where
    firsts = frame.loc[mask.to_numpy() & ~dup].assign(_k=k[mask.to_numpy() & ~dup])
    firsts = firsts.drop_duplicates("_k").set_index("_k")
    keys = k[dup]
    row = keys.map(firsts["_row"]).astype("Int64").astype("string")
    sheet = keys.map(firsts["_sheet"]).astype("string")
    other = (sheet != frame.loc[dup, "_sheet"].astype("string")).fillna(False)
    where[dup] = row.where(~other, row + " of " + sheet).to_numpy()
    return pd.Series(dup, index=frame.index), where


def _report_back(
    tables: Sequence[_Table],
    frame: pd.DataFrame,
    mask: pd.Series,
    code: str,
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


def _near_duplicates(tables: Sequence[_Table], keep: pd.DataFrame, key: pd.Series) -> None:
    """Names that agree once case, punctuation and Inc/Ltd go: the same customer twice?"""
    named = keep["name"].notna()
    if not named.any():
        return
    dup, where = _first_seen(keep, key, named)
    if not dup.any():
        return
    first_name = key[dup].map(
        keep.loc[named].assign(_k=key).drop_duplicates("_k").set_index("_k")["name"]
    )
    details = pd.Series("", index=keep.index, dtype=object)
    details[dup] = ("“" + first_name.astype("string") + "” on row " + where[dup]).to_numpy()
    _report_back(tables, keep, dup, "near-duplicate-name", ["name"], values=keep["name"],
                 details=details)  # fmt: skip


class _CustomerIndex:
    """Resolves IDs and names written elsewhere (invoices, referrals, parents) to customers."""

    def __init__(self, customers: pd.DataFrame, name_key: pd.Series) -> None:
        self.customers = customers
        self.has_sheet = not customers.empty
        keys = customers["customer_key"].astype("object")
        by_id = pd.Series(keys.to_numpy(), index=customers["customer_id"].astype("object"))
        self.by_id = by_id[by_id.index.notna() & ~by_id.index.duplicated()]
        names = name_key.astype("object")
        by_name = pd.Series(keys.to_numpy(), index=names)
        self.by_name = by_name[by_name.index.notna() & ~by_name.index.duplicated()]

    def resolve(self, ids: pd.Series, names: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(customer_key, matched?) for references given as an ID and/or a name.

        An ID is looked up as an ID, a name by its comparison key; then each as the other
        (people write "Acme" in an ID column and "C001" in a customer column). Unmatched
        references keep what was written.
        """
        ids = _as_text(ids)
        names = _as_text(names)
        key = ids.astype("object").map(self.by_id).astype("object")
        lookups = (
            (names, self.by_name, True),
            (ids, self.by_name, True),
            (names, self.by_id, False),
        )
        for values, table, by_name in lookups:
            todo = (key.isna() & values.notna()).to_numpy(dtype=bool)
            if todo.any():
                probe = customer_name_key(values[todo]) if by_name else values[todo]
                key[todo] = probe.astype("object").map(table).astype("object").to_numpy()
        matched = key.notna()
        written = ids.where(ids.notna(), names).astype("object")
        return key.where(matched, written).astype("object"), matched


def _relations(customers: pd.DataFrame, index: _CustomerIndex, tables: Sequence[_Table]) -> None:
    """Resolve referred_by and parent_organization; report unknown ones and parent loops."""
    for col, out, code in (("referred_by", "referred_by_key", "unknown-referrer"),
                           ("parent_organization", "parent_key", "unknown-parent")):  # fmt: skip
        given = customers[col]
        key, matched = index.resolve(given, given)
        customers[out] = key.where(given.notna())
        _report_back(tables, customers, given.notna() & ~matched, code, [col], values=given)
    loops = parent_cycles(customers["customer_key"], customers["parent_key"])
    in_loop = customers["customer_key"].isin(list(loops))
    _report_back(tables, customers, in_loop, "parent-cycle", ["parent_organization"],
                 values=customers["parent_organization"],
                 details=customers["customer_key"].map(loops).astype(object))  # fmt: skip


def parent_cycles(keys: pd.Series, parents: pd.Series) -> dict[object, str]:
    """Customers whose parent chain loops back, each with the loop written out (A -> B -> A)."""
    parent = {k: p for k, p in zip(keys, parents, strict=True) if isinstance(p, str) or p == p}
    found: dict[object, str] = {}
    for start in parent:
        path: list[object] = []
        node: object = start
        while node in parent and node not in path and node not in found:
            path.append(node)
            node = parent[node]
        if node in path:
            loop = path[path.index(node) :]
            text = " -> ".join(str(k) for k in [*loop, node])
            for k in loop:
                found[k] = text
    return found


def _transactions(tables: Sequence[_Table], index: _CustomerIndex, as_of: date) -> pd.DataFrame:
    full = [t for t in tables if t.layout.part is None]
    orders = [t for t in tables if t.layout.part == "orders"]
    lines = [t for t in tables if t.layout.part == "lines"]
    frames = [t.frame.loc[~t.rejected] for t in full]
    if lines:
        frames.append(_join_lines(lines, orders))
    elif orders:
        for t in orders:
            t.report("missing-amount", ~t.rejected, reject=True)
    for t in full:
        future = ~t.rejected & (t.frame["date"] >= pd.Timestamp(as_of) + pd.Timedelta(days=1))
        t.report("future-date", future.fillna(False), "date", values=t.frame["date"],
                 details=f"today ({as_of.isoformat()})")  # fmt: skip
    frames = [f for f in frames if not f.empty]
    if not frames:
        empty = pd.DataFrame({n: pd.Series(dtype=_empty_field(s.kind))
                              for n, s in field_specs("transactions").items()})  # fmt: skip
        for m in [*META, "customer_key"]:
            empty[m] = pd.Series(dtype="object")
        return empty
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    out = out.reset_index(drop=True)
    key, matched = index.resolve(out["customer_id"], out["customer_name"])
    out["customer_key"] = key
    if index.has_sheet and not matched.all():
        # one warning per unknown customer, on its first row, with how many rows it has
        first = ~matched & ~key.duplicated(keep="first")
        counts = key[~matched].value_counts()
        rows = key.map(counts).map(lambda k: "1 row" if k == 1 else f"{k} rows")
        written = out["customer_id"].where(out["customer_id"].notna(), out["customer_name"])
        _report_back([*full, *orders, *lines], out, first, "unknown-customer",
                     ["customer_id", "customer_name"], values=written,
                     details=rows.astype(object))  # fmt: skip
    return out


def _join_lines(lines: Sequence[_Table], orders: Sequence[_Table]) -> pd.DataFrame:
    """Invoice lines (no customer, no date) take both from their order header row."""
    heads = [t.frame.loc[~t.rejected] for t in orders]
    head = pd.concat(heads, ignore_index=True) if heads else pd.DataFrame()
    order_cols = ["customer_id", "customer_name", "date"]
    if head.empty:
        lookup = pd.DataFrame(columns=order_cols)
    else:
        head = head.assign(_inv=head["invoice"].astype("string").str.strip())
        lookup = head.drop_duplicates("_inv").set_index("_inv")[order_cols]
    out = []
    used: set[str] = set()
    for t in lines:
        f = t.frame
        inv = f["invoice"].astype("string").str.strip()
        found = inv.isin(lookup.index) & inv.notna()
        t.report("unknown-invoice", ~t.rejected & ~found, "invoice", values=f["invoice"],
                 reject=True)  # fmt: skip
        kept = f.loc[~t.rejected].copy()
        k_inv = inv[~t.rejected]
        for col in order_cols:
            kept[col] = k_inv.map(lookup[col]).to_numpy() if len(lookup) else pd.NA
        used.update(k_inv.dropna().tolist())
        out.append(kept)
    for t in orders:
        inv = t.frame["invoice"].astype("string").str.strip()
        t.report("missing-amount", ~t.rejected & ~inv.isin(list(used)), reject=True)
    result = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    if not result.empty:
        result["date"] = pd.to_datetime(result["date"])
    return result


def _support(tables: Sequence[_Table], index: _CustomerIndex) -> pd.DataFrame:
    out = _concat_kept(tables)
    if out.empty:
        out["customer_key"] = pd.Series(dtype="object")
        return out
    key, _ = index.resolve(out["customer_id"], out["customer_name"])
    out["customer_key"] = key
    return out
