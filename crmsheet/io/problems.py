"""The problem report as a file: CSV (text that never runs as a formula) or an Excel table.

:class:`~crmsheet.problems.ProblemReport` stays pure data; writing it is I/O, so it lives
here, and takes the report's frame so that ``io`` imports nothing above it. The .xlsx goes
through the one table writer (:mod:`.tables`), laid out as every other crmsheet table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import SettingsError
from .atomic import atomic_path
from .styles import ROW
from .tables import SheetSpec, write_tables

__all__ = ["PROBLEM_FORMATS", "check_report_name", "inert_text", "write_csv", "write_problems"]

#: The report's number formats, here and on the enriched workbook's Problems sheet.
PROBLEM_FORMATS = {"row": ROW}

#: Characters that make a spreadsheet treat text as a formula (OWASP CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The same after NFKC (full-width U+FF1D U+FF0B U+FF0D U+FF20 become = + - @) and after any leading
#: Unicode spaces, controls and format characters (U+3000, U+00A0, tab, zero-width space),
#: which spreadsheets may skip before they look for a formula.
_FORMULA_AFTER_SPACE = r"^[\p{Z}\p{Cc}\p{Cf}]*[=+\-@]"


def write_problems(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write a problem report's frame to ``path`` (.csv, or .xlsx/.xlsm), atomically.

    Another suffix raises :class:`~crmsheet.errors.SettingsError`; an existing file is
    refused (:class:`~crmsheet.errors.OutputFileError`) unless ``overwrite``.
    """
    if check_report_name(path) == ".csv":
        return write_csv(frame, path, overwrite=overwrite)
    return write_tables(
        path, {"Problems": SheetSpec(frame, formats=PROBLEM_FORMATS)}, overwrite=overwrite
    )


def check_report_name(path: str | Path) -> str:
    """The kind of report ``path`` names (".csv" or ".xlsx"); another suffix raises
    :class:`~crmsheet.errors.SettingsError` (the command line asks this before any work)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return ".csv"
    if suffix in (".xlsx", ".xlsm"):
        return ".xlsx"
    raise SettingsError(f"--problems {path}: the report is written as .csv or .xlsx; give a "
                        "file name ending in one of them, e.g. problems.csv")  # fmt: skip


def inert_text(series: pd.Series) -> pd.Series:
    """Prefix ``'`` to text that a spreadsheet would run as a formula (for CSV output).

    Risky: text starting with one of :data:`FORMULA_STARTS`, or with ``= + - @`` once
    normalised (NFKC) and stripped of leading Unicode spaces, controls and format
    characters (``\uff1d1+2``, ``\u3000=1+2``, ``\u00a0=1+2``).
    """
    if series.dtype.kind in "biufcmM":
        return series
    text = series.astype("string")
    risky = text.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
    risky |= _formula_after_space(text)
    if not risky.any():
        return series
    out = series.astype(object).copy()
    out[risky] = "'" + text[risky]
    return out


def _formula_after_space(text: pd.Series) -> np.ndarray:
    """Where ``text`` is a formula once normalised and stripped (see :func:`inert_text`)."""
    values = pa.array(text.to_numpy(dtype=object, na_value=None), type=pa.string())
    normal = pc.utf8_normalize(values, form="NFKC")
    found = pc.fill_null(pc.match_substring_regex(normal, _FORMULA_AFTER_SPACE), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def write_csv(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write ``frame`` as UTF-8 CSV with a BOM (so Excel reads accents), atomically.

    Records end in CRLF (RFC 4180): the csv module then quotes any field holding a CR or an
    LF, so a stray carriage return inside a value cannot split a record in two.
    """
    safe = frame.apply(inert_text)
    with atomic_path(path, overwrite=overwrite) as tmp:
        safe.to_csv(
            tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d", lineterminator="\r\n"
        )
    return Path(path)
