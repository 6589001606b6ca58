"""Read a CSV (or TSV, PSV...) export into a :class:`~crmsheet.io.grid.Grid`, exactly as written.

Nothing is interpreted here: no header row is chosen, no value is converted ("02134" stays
"02134", "NA" stays "NA"), empty fields become NA. What is worked out:

* the encoding (explicit, else byte-order mark, else UTF-16 by its NUL pattern, else strict
  UTF-8, else Windows-1252 with a note: :mod:`crmsheet.io.textdecode`);
* the delimiter (explicit, else Excel's ``sep=;`` first line, else ``.tsv`` or ``.tab`` means
  tab, else the one of ``, ; TAB |`` that splits the first records into the most consistent
  number of fields);
* the record number Excel would show for each row (a quoted multi-line value is one record, a
  blank line is still a row);
* rows with more fields than the header (an unquoted comma in an address), which are kept
  left-aligned and reported.

The fast path is pandas' C parser; the standard :mod:`csv` module takes over when a row is
wider than the header or the C parser gives up, so every file that is text can be read.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError, NoUsableDataError, SettingsError
from ..problems import ProblemCode
from .grid import Grid, GridNote
from .sniff import TAB_SUFFIXES, reject_binary, reject_binary_text
from .textdecode import decode, utf8_payload

__all__ = ["check_encoding", "read_csv_grid"]

#: Delimiters tried when none is given, in order of preference when the evidence is equal.
CANDIDATE_DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "| character"}

#: How many records the delimiter sniffer looks at, and how much text at most.
_SNIFF_RECORDS = 50
_SNIFF_CHARS = 1 << 20

_EMPTY = "the file is empty: there is nothing in it to read"

_SEP_LINE_RE = re.compile(r"sep=([^\r\n\"])[ \t]*(?:\r\n|\r|\n|$)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------------


def read_csv_grid(
    path: str | Path, *, encoding: str | None = None, delimiter: str | None = None
) -> Grid:
    """Read a whole delimited text file as a grid of text cells.

    :param path: the file.
    :param encoding: a Python codec name to use instead of detecting it.
    :param delimiter: the field separator (one character; ``"tab"`` is accepted) instead of
        sniffing it.
    :returns: a :class:`Grid` whose ``cells`` has columns ``0..n-1`` of text (NA for empty
        fields), whose ``rows`` are the 1-based record numbers Excel shows, ``sheet`` the file
        name and ``decimal_comma`` true for ``;``-separated files.
    :raises InputFileError: the file does not exist or cannot be opened.
    :raises NoUsableDataError: the file holds nothing but blanks.
    :raises UnsupportedFormatError: the file is not text (a workbook, a PDF, a zip...: see
        :mod:`crmsheet.io.sniff`).
    :raises SettingsError: ``encoding`` or ``delimiter`` is not valid.
    """
    p = Path(path)
    delimiter = _check_delimiter(delimiter)
    codec = check_encoding(encoding)
    raw = _read_bytes(p)
    if not raw or raw.isspace():
        raise NoUsableDataError(p, _EMPTY)
    reject_binary(p, raw)

    notes: list[GridNote] = []
    text, used_bytes_as_utf8 = decode(raw, codec, notes)
    reject_binary_text(p, text)

    nul_count = text.count("\x00")
    if nul_count:
        text = text.replace("\x00", "")
        used_bytes_as_utf8 = False
        notes.append(
            GridNote(
                code=ProblemCode.NUL_BYTES,
                severity="warning",
                message=(
                    f"the file contains {_plural(nul_count, 'NUL character')} (byte 0), which "
                    "is not text; removed. The file may be damaged: check the values around "
                    "it, or export the file again."
                ),
            )
        )
    if not text or text.isspace():
        raise NoUsableDataError(p, _EMPTY)

    # Excel's own hint line "sep=;": Excel uses it and does not show it (the header is row 1).
    sep_line = _SEP_LINE_RE.match(text)
    if sep_line is not None:
        text = text[sep_line.end() :]
        used_bytes_as_utf8 = False
        if delimiter is None:
            delimiter = sep_line.group(1)
        if not text or text.isspace():
            raise NoUsableDataError(p, _EMPTY)

    if delimiter is None:
        delimiter = "\t" if p.suffix.lower() in TAB_SUFFIXES else _sniff_delimiter(text)
    sample_counts = _field_counts(text, delimiter)
    sample_width = max(sample_counts, default=1)
    sample_normal = _normal_width(sample_counts)

    data = utf8_payload(raw) if used_bytes_as_utf8 else text.encode("utf-8")
    cells: pd.DataFrame | None = None
    if sample_width <= sample_normal:  # no ragged row in sight: try the fast parsers
        cells = _read_fast(data, delimiter, sample_width)
    if cells is None:
        cells, extra_notes = _read_slow(text, data, delimiter)
        notes.extend(extra_notes)
    # An odd number of quotes: either a literal one (5" screen) or a never-closed one.
    unclosed_row = _unclosed_quote_row(text, delimiter) if data.count(b'"') % 2 else None
    if unclosed_row is not None:
        notes.append(
            GridNote(
                code=ProblemCode.UNCLOSED_QUOTE,
                severity="error",
                row=unclosed_row,
                message=(
                    'a value in this row starts with a double quote (") that is never closed, '
                    "so everything from there to the end of the file was read as that one "
                    "value. Add the missing closing quote, or remove the opening one."
                ),
            )
        )

    rows = np.arange(1, len(cells) + 1, dtype=np.int64)
    keep = ~_blank_rows(cells)
    if not keep.all():
        cells = cells.loc[keep].reset_index(drop=True)
        rows = rows[keep]
    if cells.empty:
        raise NoUsableDataError(
            p, "the file is empty: it has only separators and blank lines, no values"
        )
    # Trailing columns with nothing in them (trailing separators) show nothing in Excel either.
    last = cells.shape[1]
    while last > 1 and cells.iloc[:, last - 1].isna().all():
        last -= 1
    cells = cells.iloc[:, :last]
    cells.columns = pd.RangeIndex(cells.shape[1])

    notes.sort(key=lambda n: (n.row is not None, n.row or 0))
    return Grid(
        path=p,
        sheet=p.name,
        cells=cells,
        rows=rows,
        decimal_comma=delimiter == ";",
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# arguments and the file itself
# --------------------------------------------------------------------------------------------


def _check_delimiter(delimiter: str | None) -> str | None:
    if delimiter is None:
        return None
    if delimiter.lower() in {"tab", "\\t"}:
        return "\t"
    if len(delimiter) != 1 or delimiter in {'"', "\r", "\n", "\x00"}:
        raise SettingsError(
            f"the delimiter must be one character such as , ; | or tab, not {delimiter!r}"
        )
    return delimiter


def check_encoding(encoding: str | None) -> str | None:
    """Python's name for a text encoding the user gave (``"CP437"`` -> ``"cp437"``), or None.

    :raises SettingsError: Python's codecs do not know it, or it is not a text encoding.
    """
    if encoding is None:
        return None
    try:
        info = codecs.lookup(encoding.strip())
    except LookupError:
        raise SettingsError(
            f"unknown encoding {encoding!r}: Python knows no text encoding of that name; use "
            "one such as utf-8, cp1252 (Windows), cp437 (DOS), mac_roman or utf-16"
        ) from None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        # base64, zlib; and codecs that rewrite the text ("\\n" -> a line break) or are
        # for host names or nothing at all: not how a spreadsheet program saves a file
        raise SettingsError(f"{encoding!r} is not a text encoding files are saved in: use "
                            "e.g. utf-8, cp1252 (Windows), cp437 (DOS) or utf-16")  # fmt: skip
    return info.name


#: Codecs Python counts as text encodings that no CSV file is written in.
_NOT_FILE_ENCODINGS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode",
                                 "undefined", "unicode-internal"})  # fmt: skip


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputFileError(p, "file not found: check the file name and its folder") from None
    except IsADirectoryError:
        raise InputFileError(
            p, "this is a folder, not a file: give the path of the CSV file inside it"
        ) from None
    except PermissionError:
        raise InputFileError(
            p,
            "the file cannot be opened (permission denied): if it is open in another program, "
            "close it there and try again",
        ) from None
    except OSError as e:
        if p.is_dir():
            raise InputFileError(
                p, "this is a folder, not a file: give the path of the CSV file inside it"
            ) from None
        raise InputFileError(p, f"the file cannot be read: {e.strerror or e}") from None


# --------------------------------------------------------------------------------------------
# delimiter and widths
# --------------------------------------------------------------------------------------------


def _sample_records(text: str, delimiter: str) -> list[list[str]]:
    """The first records of ``text`` (a record cut off by the sample's end is dropped)."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(sample) < len(text)
    records: list[list[str]] = []
    with _big_fields(len(sample)):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        for rec in reader:
            records.append(rec)
            if len(records) > _SNIFF_RECORDS:
                return records[:_SNIFF_RECORDS]
    if truncated and records:
        records.pop()
    return records


def _field_counts(text: str, delimiter: str) -> list[int]:
    return [len(r) for r in _sample_records(text, delimiter) if r]


def _sniff_delimiter(text: str) -> str:
    """The candidate that splits the first records into the most consistent field count.

    Score: share of non-blank records that have the most common field count (among records
    the candidate splits at all); ties go to more fields, then to the order of
    :data:`CANDIDATE_DELIMITERS`. Title lines above the header lower every candidate alike.
    """
    best: tuple[float, int, int] | None = None
    best_delim = ","
    for rank, delim in enumerate(CANDIDATE_DELIMITERS):
        if delim not in text[:_SNIFF_CHARS]:
            continue
        counts = _field_counts(text, delim)
        split = [c for c in counts if c >= 2]
        if not split:
            continue
        mode, n_mode = _mode(split)
        score = (n_mode / len(counts), mode, -rank)
        if best is None or score > best:
            best, best_delim = score, delim
    return best_delim


def _mode(values: Sequence[int]) -> tuple[int, int]:
    """Most common value and how often it occurs; ties go to the larger value."""
    counter = Counter(values)
    value, n = max(counter.items(), key=lambda kv: (kv[1], kv[0]))
    return value, n


def _normal_width(counts: Sequence[int]) -> int:
    """The header's field count, as far as one can tell before the header is chosen.

    The most common field count among records with two or more fields (a title line above
    the header has one), then the first record at least that wide: the header, which may be
    wider than data rows whose trailing empty fields were left out.
    """
    split = [c for c in counts if c >= 2]
    if not split:
        return 1
    mode, _ = _mode(split)
    return next(c for c in counts if c >= mode)


class _big_fields:
    """Let :mod:`csv` read fields up to ``n`` characters (its default limit is 131,072)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.old = 0

    def __enter__(self) -> None:
        self.old = csv.field_size_limit()
        if self.n >= self.old:
            csv.field_size_limit(self.n + 1)

    def __exit__(self, *exc: object) -> None:
        csv.field_size_limit(self.old)


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------


def _read_fast(data: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """The fastest parser that reads the file as a ``width``-column table, else None.

    pyarrow's multithreaded reader (about 5x faster) when every record has exactly ``width``
    fields; pandas' C parser otherwise (it pads short rows). A row
    wider than ``width`` makes both fail: the csv module then counts fields exactly.
    """
    cells = _read_arrow(data, delimiter, width)
    if cells is None:
        cells = _read_pandas_c(data, delimiter, width)
    return cells


def _read_arrow(data: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """pyarrow.csv for rectangular files; None when the file is ragged."""
    import pyarrow as pa  # imported when a CSV is read: other commands do without it
    import pyarrow.csv as pa_csv

    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names, encoding="utf8"),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowException, ValueError, OSError):
        return None
    if table.num_columns != width:
        return None
    text = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str"
    return pd.DataFrame(  # the arrays as they are: a third of pd.array's cost per column
        {i: pd.arrays.ArrowStringArray(table.column(i), dtype=text) for i in range(width)},
        columns=pd.RangeIndex(width),
        copy=False,
    )


def _read_pandas_c(data: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """pandas' C parser; None when it cannot read the file as a ``width``-column table."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. ParserWarning: data would be dropped
            cells = pd.read_csv(
                io.BytesIO(data),
                sep=delimiter,
                header=None,
                names=list(range(width)),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                quotechar='"',
                doublequote=True,
                encoding="utf-8",
                engine="c",
                low_memory=False,
            )
    except (ValueError, UnicodeError, Warning, pd.errors.EmptyDataError):
        return None  # ParserError is a ValueError
    return cells


def _read_slow(text: str, data: bytes, delimiter: str) -> tuple[pd.DataFrame, list[GridNote]]:
    """The csv module counts each record's fields exactly; ragged rows stay left-aligned.

    The values themselves come from pandas' C parser told the widest record's width (it pads
    shorter rows), which is faster than building the frame from Python lists; from the csv
    module's records when that parser gives up (a never-closed quote).
    """
    with _big_fields(len(text)):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        counts = [len(r) for r in reader]
    normal = _normal_width([c for c in counts if c])
    width = max(max(counts, default=1), 1)
    cells = _read_pandas_c(data, delimiter, width)
    if cells is None or len(cells) != len(counts):
        cells = _frame_from_records(text, delimiter, width)
    notes: list[GridNote] = []
    if width > normal:  # rows with values beyond the header (extra empty fields are harmless)
        beyond = np.flatnonzero(~_blank_rows(cells.iloc[:, normal:]))
        notes = [_extra_fields_note(int(i) + 1, counts[i], normal, delimiter) for i in beyond]
    return cells, notes


def _frame_from_records(text: str, delimiter: str, width: int) -> pd.DataFrame:
    with _big_fields(len(text)):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        records = list(reader)
    columns: dict[int, pd.api.extensions.ExtensionArray] = {}
    if records:
        for i, values in enumerate(itertools.zip_longest(*records, fillvalue=None)):
            arr = pd.array(values, dtype="str")
            arr[arr == ""] = np.nan  # empty field -> NA, as the fast parsers do
            columns[i] = arr
    for i in range(len(columns), width):
        columns[i] = pd.array([None] * len(records), dtype="str")
    return pd.DataFrame(columns, columns=pd.RangeIndex(width), index=pd.RangeIndex(len(records)))


def _unclosed_quote_row(text: str, delimiter: str) -> int | None:
    """The record number where a never-closed quote starts, if the text ends inside one."""
    stream = io.StringIO(text, newline="")
    n = 0
    start = last_start = 0
    with _big_fields(len(text)):
        for _ in csv.reader(stream, delimiter=delimiter, strict=False):
            n += 1
            last_start, start = start, stream.tell()
    if n and _ends_inside_quotes(text[last_start:], delimiter):
        return n
    return None


def _extra_fields_note(row: int, count: int, normal: int, delimiter: str) -> GridNote:
    sep = _DELIMITER_NAMES.get(delimiter, f"{delimiter!r} character")
    where = " (often in an address)" if delimiter == "," else ""
    return GridNote(
        code=ProblemCode.EXTRA_FIELDS,
        severity="error",
        row=row,
        message=(
            f"this row has {count} values but the header has {normal}: probably a {sep} "
            f"inside a value that is not in quotes{where}. Put that value in quotes or remove "
            f"the {sep}."
        ),
    )


def _ends_inside_quotes(record_text: str, delimiter: str) -> bool:
    """Whether one record's source text ends inside a quoted value (a never-closed quote)."""
    i, n = 0, len(record_text)
    at_field_start = True
    while i < n:
        ch = record_text[i]
        if at_field_start and ch == '"':
            j = i + 1
            while True:
                k = record_text.find('"', j)
                if k < 0:
                    return True
                if record_text.startswith('""', k):
                    j = k + 2
                    continue
                i = k + 1
                break
            at_field_start = False
            continue
        at_field_start = ch in (delimiter, "\r", "\n")
        i += 1
    return False


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """Rows whose every value is missing or only whitespace (checked column by column)."""
    blank = np.ones(len(cells), dtype=bool)
    for col in cells.columns:
        if not blank.any():
            break
        idx = np.flatnonzero(blank)
        values = cells[col].iloc[idx]
        col_blank = values.isna().to_numpy(copy=True)
        present = ~col_blank
        if present.any():
            col_blank[present] = values[present].str.strip().eq("").to_numpy()
        blank[idx] = col_blank
    return blank


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
