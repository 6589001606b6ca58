"""The one xlsx writer: frames -> Excel tables, atomically, with text that never executes.

Every workbook crmsheet writes is made by :func:`new_workbook` (the options that keep text
text: ``=SUM(A1)`` and ``http://...`` stay strings). :func:`write_tables` writes the
enriched workbook and the Problems report: each frame becomes an Excel table (filter
buttons, banded rows) with a frozen header, set widths, number formats and conditional
colours. xlsxwriter lays out every sheet; the tables' data rows are then streamed into the
package a column at a time (:mod:`.sheetxml`), ten to twenty times faster than xlsxwriter's
cell by cell. The templates' empty tables share :func:`lay_out_table`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import DuplicateWorksheetName, InvalidWorksheetName
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..errors import OutputFileError
from .atomic import atomic_path
from .sheetxml import SheetRows, number_text, splice_rows
from .styles import DATE, TABLE_STYLE, Styles, guess_format

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "DrawnSheet",
    "SheetSpec",
    "column_width",
    "fit_sheets",
    "lay_out_table",
    "new_workbook",
    "page_footer",
    "table_name",
    "write_tables",
    "write_value",
]


class ExactNumbersWorksheet(Worksheet):  # type: ignore[misc]
    """An xlsxwriter worksheet that writes each number exactly (:func:`.sheetxml.number_text`).

    xlsxwriter writes ``%.16G``: 0.30000000000000004 came back as 0.3 and the largest double
    as infinity. Its one number writer is overridden (a test reads the numbers back).
    """

    def _xml_number_element(
        self, number: float, attributes: Sequence[tuple[str, Any]] = ()
    ) -> None:
        attr = "".join(f' {key}="{self._escape_attributes(value)}"' for key, value in attributes)
        self.fh.write(f"<c{attr}><v>{number_text(number)}</v></c>")


#: Excel's sheet size (the header row included): what it opens without losing cells. Module
#: constants, so a test can lower them instead of writing a million rows.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: The sheet that continues a table's columns past :data:`MAX_COLUMNS`.
MORE_COLUMNS = "{name} (more columns)"
_SHEET_NAME_MAX = 31


def new_workbook(target: str | Path | IO[bytes], *, in_memory: bool = False) -> Any:
    """An xlsxwriter workbook with crmsheet's options: text stays text, dates are dates,
    numbers are written exactly (:class:`ExactNumbersWorksheet`)."""
    book = xlsxwriter.Workbook(
        target if not isinstance(target, Path) else str(target),
        {
            "strings_to_formulas": False,  # "=cmd|..." from a cell stays text
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
            "remove_timezone": True,
            "default_date_format": DATE,
            "in_memory": in_memory,
        },
    )
    book.worksheet_class = ExactNumbersWorksheet
    return book


class SheetSpec:
    """One table sheet: its frame, number formats per column, colour rules, the columns
    whose text wraps (reasons, messages) and notes shown beside the table."""

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        formats: Mapping[str, str | None] | None = None,
        colours: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
        wrap: Sequence[str] = (),
        notes: Sequence[str] = (),
        centred: Sequence[str] = (),
    ) -> None:
        self.frame = frame
        self.formats = dict(formats or {})
        # column -> {value: colour}; a value "<X" colours cells below X (X an Excel formula)
        self.colours = dict(colours or {})
        self.wrap = tuple(wrap)
        self.notes = tuple(notes)
        self.centred = tuple(centred)  # short words (yes/no) read apart from the numbers

    def part(self, frame: pd.DataFrame) -> SheetSpec:
        """The same formats and colours over a piece of this sheet's frame."""
        return SheetSpec(frame, formats=self.formats, colours=self.colours, wrap=self.wrap,
                         notes=self.notes, centred=self.centred)  # fmt: skip


class DrawnSheet(SheetSpec):
    """A free-form sheet among the table sheets, drawn like the Summary: ``draw(book, ws,
    ctx)`` writes its cells and charts (``ctx["styles"]`` makes the cell formats). It is
    never split: a drawn sheet is small by design."""

    def __init__(self, draw: Callable[[Any, Any, Mapping[str, Any]], None]) -> None:
        super().__init__(pd.DataFrame())
        self.draw = draw

    def part(self, frame: pd.DataFrame) -> SheetSpec:
        return self


def fit_sheets(sheets: Mapping[str, SheetSpec]) -> dict[str, SheetSpec]:
    """Every sheet within Excel's size, nothing left out: tables too big are split.

    Columns past :data:`MAX_COLUMNS` continue on a "<name> (more columns)" sheet (then
    "(more columns 2)", ...), each starting with the table's first column again (the
    customer ID on Customers) so a row can be found on every sheet. Rows past
    :data:`MAX_ROWS` continue on "<name> 2", "<name> 3", ... (the header repeated on each);
    the first part keeps the sheet's own name, which the book's order and links rely on.
    Small sheets are passed through as they are.
    """
    fitted: dict[str, SheetSpec] = {}
    for name, spec in sheets.items():
        for wide_name, wide in _column_parts(name, spec.frame):
            for part_name, part in _row_parts(wide_name, wide):
                fitted[part_name] = spec.part(part)
    return fitted


def _column_parts(name: str, frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The frame in pieces of at most MAX_COLUMNS columns; later pieces lead with the key."""
    if frame.shape[1] <= MAX_COLUMNS:
        return [(name, frame)]
    parts = [(name, frame.iloc[:, :MAX_COLUMNS])]
    step = MAX_COLUMNS - 1  # the key column comes first on every continuation
    for n, start in enumerate(range(MAX_COLUMNS, frame.shape[1], step), start=1):
        label = MORE_COLUMNS.format(name=name) if n == 1 else f"{name} (more columns {n})"
        piece = frame.iloc[:, [0, *range(start, min(start + step, frame.shape[1]))]]
        parts.append((_sheet_name(label), piece))
    return parts


def _row_parts(name: str, frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The frame in pieces of at most MAX_ROWS - 1 data rows (the header takes a row)."""
    step = MAX_ROWS - 1
    if len(frame) <= step:
        return [(name, frame)]
    return [
        (name if n == 1 else _sheet_name(f"{name} {n}"), frame.iloc[start : start + step])
        for n, start in enumerate(range(0, len(frame), step), start=1)
    ]


def _sheet_name(label: str) -> str:
    """A continuation's name within Excel's 31 characters (the base name is shortened)."""
    if len(label) <= _SHEET_NAME_MAX:
        return label
    head, _, tail = label.rpartition(" (") if label.endswith(")") else label.rpartition(" ")
    suffix = f" ({tail}" if label.endswith(")") else f" {tail}"
    return head[: _SHEET_NAME_MAX - len(suffix)] + suffix


def write_tables(
    path: str | Path,
    sheets: Mapping[str, SheetSpec],
    *,
    summary: Callable[[Any, Any, Mapping[str, Any]], None] | None = None,
    overwrite: bool = False,
    streamed: bool = True,
    properties: Mapping[str, Any] | None = None,
    custom_properties: Mapping[str, str] | None = None,
    footer: str = "",
) -> Path:
    """Write ``sheets`` (name -> spec) in order; ``summary`` draws a Summary sheet first.

    ``properties`` and ``custom_properties`` are the document's (title, creator, markers).
    Every table sheet prints landscape, one page wide, its header row on every page, with
    a footer: the sheet's name, the page, and ``footer`` (e.g. "as of 2026-11-01").
    ``streamed=False`` writes the rows cell by cell with xlsxwriter: the reference the tests
    compare the streamed output with.
    """
    sheets = fit_sheets(sheets)  # split, not cut: Excel shows no cell past its limits
    with atomic_path(path, overwrite=overwrite) as tmp:
        package = io.BytesIO()
        book = new_workbook(package if streamed else tmp, in_memory=streamed)
        if properties:
            book.set_properties(dict(properties))
        for name, value in (custom_properties or {}).items():
            book.set_custom_property(name, value)
        styles = Styles(book)
        rows: dict[str, tuple[SheetRows, str]] = {}
        tables: dict[str, tuple[str, str]] = {}
        try:
            if summary is not None:
                ws = book.add_worksheet("Summary")
                summary(book, ws, {"styles": styles, "sheets": sheets})
            for name, spec in sheets.items():
                if isinstance(spec, DrawnSheet):
                    spec.draw(book, book.add_worksheet(name), {"styles": styles, "sheets": sheets})
                    continue
                try:
                    later = _table_sheet(book, styles, name, spec, streamed=streamed,
                                         footer=footer)  # fmt: skip
                except (InvalidWorksheetName, DuplicateWorksheetName) as exc:
                    raise OutputFileError(
                        path, _BAD_SHEET_NAME.format(sheet=name, why=exc)
                    ) from exc
                if later is not None:
                    rows[f"xl/worksheets/sheet{len(book.worksheets())}.xml"] = later[:2]
                    tables[table_name(name)] = later[2]
        finally:
            book.close()
        if streamed:
            package.seek(0)
            splice_rows(package, tmp, rows, tables)
    return Path(path)


# the sheet names are the caller's: say which one Excel refuses and what it accepts
_BAD_SHEET_NAME = (
    "cannot have a sheet named {sheet!r}: {why} Excel sheet names have at most 31 characters,"
    " none of [ ] : * ? / \\, no apostrophe at either end, and differ from the book's other"
    " sheet names even ignoring case: rename the sheet"
)


def lay_out_table(
    ws: Any, headers: Sequence[str], last_row: int, name: str, header_format: Any = None
) -> None:
    """An Excel table from row 0 (its header) to ``last_row``, with the header frozen."""
    columns = [
        {"header": h} if header_format is None else {"header": h, "header_format": header_format}
        for h in headers
    ]
    ws.add_table(0, 0, last_row, len(headers) - 1,
                 {"name": name, "columns": columns, "style": TABLE_STYLE})  # fmt: skip
    ws.freeze_panes(1, 0)


def _table_sheet(
    book: Any,
    styles: Styles,
    name: str,
    spec: SheetSpec,
    *,
    streamed: bool = False,
    footer: str = "",
) -> tuple[SheetRows, str, tuple[str, str]] | None:
    """Lay out one table sheet; with ``streamed``, return what :func:`splice_rows` needs to
    add its data rows: the rows, the sheet's used range, and the table's laid-out and full
    ranges (the table is laid out on its header and first row only)."""
    ws = book.add_worksheet(name)
    frame = spec.frame
    headers = [str(c) for c in frame.columns]
    n_rows, n_cols = frame.shape
    if n_cols == 0:
        ws.write_string(0, 0, "(nothing to show)")
        return None
    number_formats = {col: spec.formats[col] if col in spec.formats else guess_format(frame[col])
                      for col in headers}  # fmt: skip
    wrapped = set(spec.wrap)
    formats: dict[str, Any] = {
        col: _cell_format(
            styles, f, wrap=col in wrapped, top=bool(wrapped), centre=col in spec.centred
        )
        for col, f in number_formats.items()
    }
    date_format = styles(num_format=DATE)
    widths = {col: column_width(col, frame[col], number_formats[col]) for col in headers}
    widths.update({col: min(widths[col], WRAP_WIDTH) for col in wrapped if col in widths})
    heights = _wrapped_heights(frame, {c: widths[c] for c in headers if c in wrapped})
    later = None
    if streamed and n_rows:
        # the index xlsxwriter gives each format: it is in styles.xml once the book closes
        cell_styles = [None if formats[h] is None else formats[h]._get_xf_index()
                       for h in headers]  # fmt: skip
        last = xl_col_to_name(n_cols - 1)
        used = f"A1:{last}{1 + n_rows}"
        rows = SheetRows(frame, cell_styles, date_format._get_xf_index(), first_row=1,
                         heights=heights)  # fmt: skip
        later = (rows, used, (f"A1:{last}2", used))
    elif not streamed:
        for c, col in enumerate(headers):
            for r, value in enumerate(frame[col].tolist(), start=1):
                write_value(ws, r, c, value, formats[col], date_format)
        if heights is not None:
            for r, height in enumerate(heights.tolist(), start=1):
                if height == height:  # not NaN
                    ws.set_row(r, height)
    lay_out_table(ws, headers, 1 if later else max(n_rows, 1), table_name(name))
    for c, col in enumerate(headers):
        ws.set_column(c, c, widths[col], formats[col])
    if n_rows:
        _colour_rules(ws, styles, spec, headers, n_rows)
    _print_setup(ws, name, n_rows, n_cols, footer, notes=bool(spec.notes))
    if spec.notes:
        _notes(ws, styles, spec.notes, column=n_cols + 1)
    return later


#: The width of a column whose text wraps (reasons, messages): about 50 characters a line.
WRAP_WIDTH = 50.0


#: Points a line of the default font takes (Excel's default row height), and the characters
#: of running text a column holds per unit of its width, with a margin for whole words
#: (measured in LibreOffice: 1.15-1.2).
LINE_HEIGHT = 15.0
CHARS_PER_UNIT = 1.0


def _wrapped_heights(frame: pd.DataFrame, widths: Mapping[str, float]) -> np.ndarray | None:
    """Each row's height for its wrapped text (NaN for a one-line row); None without any.

    LibreOffice does not grow a row to fit wrapped text it did not lay out itself (Excel
    only when it recalculates the row), so the writer sets the height of the rows that
    need more than one line.
    """
    if not widths or frame.empty:
        return None
    lines = np.ones(len(frame))
    for col, width in widths.items():
        per_line = max(1.0, np.floor(width * CHARS_PER_UNIT) - 2)
        length = frame[col].astype("string").str.len().fillna(0).to_numpy(dtype=float)
        lines = np.maximum(lines, np.ceil(length / per_line))
    return np.where(lines > 1, lines * LINE_HEIGHT, np.nan)


def _cell_format(
    styles: Styles, number_format: str | None, *, wrap: bool, top: bool, centre: bool = False
) -> Any:
    """A column's cell format: its number format; text wrapping for long text; on a sheet
    with wrapped text, every cell at the top of its row (a row reads across one line);
    ``centre`` for short words."""
    props: dict[str, Any] = {"text_wrap": True} if wrap else {}
    if centre:
        props["align"] = "center"
    if top:
        props["valign"] = "top"
    if number_format:
        props["num_format"] = number_format
    return styles(**props) if props else None


def _print_setup(
    ws: Any, name: str, n_rows: int, n_cols: int, footer: str, *, notes: bool = False
) -> None:
    """Landscape, one page wide (as many pages down as it takes), the header on every page,
    and a footer saying which sheet, which page and as of when (a printout is complete)."""
    ws.set_landscape()
    ws.set_paper(9)  # A4; Letter prints the same page within its margins
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    if notes and n_rows < MAX_ROWS - 1:  # the table, not the notes beside it (a sheet full
        ws.print_area(0, 0, max(n_rows, 1), max(n_cols - 1, 0))  # of rows has none there)
    page_footer(ws, name, footer)


def page_footer(ws: Any, name: str, footer: str = "") -> None:
    """The printed footer of every crmsheet sheet: its name, the page of pages, ``footer``."""
    tail = f"&R{_footer_text(footer)}" if footer else ""
    ws.set_footer(f"&L{_footer_text(name)}&CPage &P of &N{tail}")


def _footer_text(text: str) -> str:
    """Text for a header or footer: ``&`` written as ``&&`` (Excel's escape)."""
    return text.replace("&", "&&")


def _notes(ws: Any, styles: Styles, notes: Sequence[str], *, column: int) -> None:
    """How to read the table, on its header row right of it (one line: the rows below are
    the table's). Not printed: the print area is the table."""
    ws.write_string(0, column, "  ".join(notes), styles(italic=True, font_color="#404040"))


def _colour_rules(
    ws: Any, styles: Styles, spec: SheetSpec, headers: Sequence[str], n_rows: int
) -> None:
    """The sheet's conditional colours: a value, TRUE/FALSE, or "<X" for cells below X."""
    for col, rules in spec.colours.items():
        if col not in headers:
            continue
        letter = xl_col_to_name(headers.index(col))
        cells = f"{letter}2:{letter}{1 + n_rows}"
        for text, colour in rules.items():
            if text.startswith("<"):  # e.g. "<DATE(2026,6,30)" on dates
                rule = {"criteria": "<", "value": text[1:]}
            elif text in ("TRUE", "FALSE"):
                rule = {"criteria": "==", "value": text}
            else:
                rule = {"criteria": "==", "value": f'"{text}"'}
            ws.conditional_format(cells, {"type": "cell", **rule, "format": styles(**colour)})


def write_value(ws: Any, r: int, c: int, v: Any, fmt: Any = None, date_fmt: Any = None) -> None:
    """Write one cell by its Python type with xlsxwriter; text is always text."""
    if v is None or v is pd.NA or v is pd.NaT:
        return
    if isinstance(v, float | np.floating):
        if np.isfinite(v):
            ws.write_number(r, c, float(v), fmt)
        return
    if isinstance(v, bool | np.bool_):
        ws.write_boolean(r, c, bool(v), fmt)
    elif isinstance(v, int | np.integer):
        ws.write_number(r, c, float(v), fmt)
    elif isinstance(v, pd.Timestamp):
        if not pd.isna(v):
            naive = v.tz_localize(None) if v.tz else v
            ws.write_datetime(r, c, naive.to_pydatetime(), fmt or date_fmt)
    elif isinstance(v, dt.datetime | dt.date):
        ws.write_datetime(r, c, v, fmt or date_fmt)
    elif isinstance(v, dt.time | dt.timedelta):
        ws.write_string(r, c, str(v), fmt)
    else:
        ws.write_string(r, c, str(v)[:32767], fmt)


def column_width(header: str, values: pd.Series, number_format: str | None) -> float:
    """Wide enough for the header and most values, within 8-60 characters."""
    if isinstance(values.dtype, pd.StringDtype) and number_format != DATE:
        # text as it is: the lengths in Python, without pandas' per-call cost (a sheet of
        # 9,000 columns measures 9,000 of them)
        text = values.array.__arrow_array__().slice(0, 500).to_pylist()
        sizes = [len(v) for v in text if v is not None]
        least = max(len(header) + 3, 8)
        if not sizes or max(sizes) + 2 <= least:  # the 90th percentile cannot matter
            return float(min(least, 60))
        longest = int(np.quantile(np.array(sizes, dtype="float64"), 0.9))
        return float(min(max(least, longest + 2), 60))
    sample = values.head(500)
    if number_format in (DATE,):
        longest = 10
    elif number_format is not None and pd.api.types.is_numeric_dtype(sample):
        numbers = sample.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.abs(numbers[np.isfinite(numbers)])
        big = float(finite.max()) if len(finite) else 0.0
        longest = len(f"{big:,.2f}") + 1
    else:  # numpy's quantile: pandas' (same linear interpolation) costs 20x more per call
        lengths = sample.dropna().astype(str).str.len().to_numpy(dtype="float64")
        longest = int(np.quantile(lengths, 0.9)) if len(lengths) else 0
    return float(min(max(len(header) + 3, longest + 2, 8), 60))


def table_name(sheet: str) -> str:
    """An Excel table name from a sheet name ("Follow-ups" -> "FollowUps")."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", sheet))
