"""``crmsheet.enrich``: the main job, from the user's files to the enriched workbook.

Read and validate the inputs (:func:`crmsheet.read`), load the settings, analyze
(:mod:`crmsheet.analysis`), and write the workbook (:mod:`crmsheet.workbook` decides what it
shows): beside the input, atomically and never over it, or with ``in_place=True`` into the
user's own book (:mod:`crmsheet.io.graft`). What was done comes back as an
:class:`EnrichResult`.
"""

from __future__ import annotations

import html
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import Analysis, analyze
from .analysis.history import FIELDS, reconstruct
from .column_maps import ColumnMap
from .config import Settings, settings_file_values
from .data import CrmData
from .errors import (
    HistoryMismatchError,
    HistoryWarning,
    InputFileError,
    OutputExistsError,
    OutputFileError,
    SettingsError,
)
from .io.atomic import NOT_A_FILE
from .io.graft import HostBook, check_book, crmsheet_sheets, write_in_place
from .io.historyread import history_sheet, read_history
from .io.inplace import book_lock
from .io.paths import fit_name, refuse_overwriting_inputs
from .problems import ProblemReport
from .reader import read
from .workbook import write_enriched

__all__ = [
    "EnrichResult",
    "default_output",
    "enrich",
    "history",
    "load_settings",
    "settings_file_values",
]


@dataclass(frozen=True, eq=False)
class EnrichResult:
    """What :func:`enrich` did: the analysis, the data it read, where it wrote, the backup.

    ``output`` is the workbook written: the new file, or with ``in_place=True`` the book
    itself; ``backup`` is the copy of that book made before writing into it (None when
    nothing was written in place, or with ``backup=False``). In a notebook it shows the
    analysis summary and where it was written.
    """

    analysis: Analysis
    data: CrmData
    output: Path
    backup: Path | None = None

    def __repr__(self) -> str:
        backup = f" (backup: {self.backup})" if self.backup is not None else ""
        return f"<EnrichResult written to {self.output}{backup}: {self.analysis!r}>"

    def _repr_html_(self) -> str:
        where = f"Written to <code>{html.escape(str(self.output))}</code>"
        if self.backup is not None:
            where += f"; backup of the original: <code>{html.escape(str(self.backup))}</code>"
        return f"<div>{self.analysis._repr_html_()}<p>{where}.</p></div>"


def load_settings(
    path: str | Path | None = None, *, sheet: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from a TOML file (``[settings]`` table or top level) over a Settings sheet."""
    return Settings.load({**(sheet or {}), **settings_file_values(path)})


def default_output(path: str | Path) -> Path:
    """``customers.xlsx`` -> ``customers.enriched.xlsx`` beside it (shortened to fit 255 bytes)."""
    path = Path(path)
    return path.with_name(fit_name(path.stem, ".enriched.xlsx"))


def enrich(
    *paths: str | Path,
    transactions: str | Path | Sequence[str | Path] | None = None,
    spend: str | Path | Sequence[str | Path] | None = None,
    support: str | Path | Sequence[str | Path] | None = None,
    output: str | Path | None = None,
    as_of: date | None = None,
    settings: Settings | str | Path | None = None,
    column_map: Mapping[str, str] | Sequence[str] | ColumnMap | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    in_place: bool = False,
    backup: bool = True,
    encoding: str | None = None,
    since: str | Path | None = None,
) -> EnrichResult:
    """Read, validate, analyze and write ``<stem>.enriched.xlsx``; say what was done.

    The input is never modified; an existing output is only replaced with
    ``overwrite=True``. ``as_of`` defaults to today. ``settings`` is a
    :class:`~crmsheet.Settings`, or the path of a settings.toml whose values win over a
    Settings sheet in the input; without it the Settings sheet (if any) is used.
    ``progress`` is called with "read", "analyze" and "write" as each stage starts.
    ``column_map`` and ``encoding`` are :func:`crmsheet.read`'s.

    ``in_place=True`` writes crmsheet's sheets into the first workbook itself (an .xlsx or
    .xlsm), replacing the ones an earlier run added and leaving everything else in it as
    it was (see :mod:`crmsheet.io.graft`); a copy ``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` is
    made first unless ``backup=False``.

    Every enriched workbook carries a History sheet (what each run showed) and a Changes
    sheet (what moved since the run before). The previous history is read from ``since``
    (an earlier enriched workbook); without it, from the book itself with ``in_place=True``,
    else from the existing output that ``overwrite=True`` is about to replace. Bad cells in
    it are reported in Problems and their rows ignored. A ``since`` workbook of other
    customers (none in common) raises :class:`~crmsheet.errors.HistoryMismatchError`; an
    output replaced or a book whose History is another customer base's starts a new history
    (a :class:`~crmsheet.errors.HistoryWarning`).

    Returns an :class:`EnrichResult`: ``.analysis``, ``.data``, ``.output`` (the workbook
    written) and ``.backup`` (the copy made, or None).

    >>> result = crmsheet.enrich("customers.xlsx", as_of=date(2026, 11, 1))  # doctest: +SKIP
    >>> result                                  # shows the summary in a notebook
    >>> result.analysis.lapsed.head()           # doctest: +SKIP
    """
    if not paths:
        raise SettingsError("enrich() needs the customer workbook or file")
    as_of = as_of or date.today()
    step = progress or (lambda _: None)
    inputs = [*paths, *_listed(transactions), *_listed(spend), *_listed(support)]
    if settings is not None and not isinstance(settings, Settings):
        inputs.append(settings)

    if since is not None and not Path(since).exists():
        raise InputFileError(since, f"not found: {_SINCE_TAKES}")

    def run(target: Path | HostBook, previous: _Previous | None) -> EnrichResult:
        return _run(paths, target, read_options, as_of, settings, step,
                    overwrite=overwrite, backup=backup, previous=previous)  # fmt: skip

    read_options = {"transactions": transactions, "spend": spend, "support": support,
                    "column_map": column_map, "encoding": encoding}  # fmt: skip
    if not in_place:
        out = _output_path(paths, output, overwrite=overwrite, inputs=inputs)
        default = _Previous(out, explicit=False) if out.is_file() else None
        return run(out, _Previous(Path(since)) if since is not None else default)
    if output is not None:
        raise SettingsError("--in-place writes into the workbook itself: leave out --output")
    # the other inputs are only read; the book is the one file written (and locked)
    refuse_overwriting_inputs([paths[0]], inputs[1:])
    with book_lock(paths[0]):  # one run at a time, until the book is written
        book = check_book(Path(paths[0]))  # refused before any work; read once, kept
        own = _Previous(Path(paths[0]), explicit=False, in_place=True, book=book)
        return run(book, _Previous(Path(since)) if since is not None else own)


def _listed(value: str | Path | Sequence[str | Path] | None) -> list[str | Path]:
    if value is None:
        return []
    return [value] if isinstance(value, str | Path) else list(value)


def _run(
    paths: Sequence[str | Path],
    target: Path | HostBook,
    read_options: Mapping[str, Any],
    as_of: date,
    settings: Settings | str | Path | None,
    step: Callable[[str], None],
    *,
    overwrite: bool,
    backup: bool,
    previous: _Previous | None = None,
) -> EnrichResult:
    """Read, analyze and write to ``target`` (a checked output path, or the host book)."""
    toml = {} if isinstance(settings, Settings) else settings_file_values(settings)
    step("read")
    data = read(*paths, as_of=as_of, settings=settings if isinstance(settings, Settings)
                else toml, **read_options)  # fmt: skip
    if not isinstance(settings, Settings):  # the TOML's values win over a Settings sheet
        settings = Settings.load({**data.settings_values, **toml})
    past, bad = previous.read() if previous is not None else (None, None)
    if bad is not None and len(bad):
        data = replace(data, problems=ProblemReport.concat([data.problems.frame, bad]))
    step("analyze")
    try:
        analysis = analyze(data, as_of=as_of, settings=settings, history=past)
    except HistoryMismatchError as exc:
        assert previous is not None
        if previous.explicit:  # --since named another shop's workbook: refused
            raise HistoryMismatchError(f"{previous.path}: {exc}") from None
        # the output replaced (--force) or the book itself now holds other customers: the
        # old history is theirs, not these customers'; it is replaced, and a new one starts
        warnings.warn(f"{previous.path.name}: its History has no customer in common with "
                      "this run (another customer base): a new history starts",
                      HistoryWarning, stacklevel=3)  # fmt: skip
        analysis = analyze(data, as_of=as_of, settings=settings)
    step("write")
    if isinstance(target, HostBook):
        copy = _write_into_book(analysis, data, target, backup=backup)
        return EnrichResult(analysis, data, Path(paths[0]), copy)
    return EnrichResult(analysis, data, write_enriched(analysis, data, target,
                                                       overwrite=overwrite))  # fmt: skip


#: What ``since`` (``--since``) must name, said when it names something else.
_SINCE_TAKES = ("--since takes an enriched workbook crmsheet wrote (its History sheet holds the "
                "earlier runs)")  # fmt: skip


@dataclass(frozen=True)
class _Previous:
    """Where the previous history is read: ``--since``, the book itself, or the output."""

    path: Path
    explicit: bool = True  # given with since=: refused when unreadable, not skipped
    in_place: bool = False
    book: HostBook | None = None  # the in-place book, read once: its sheets are known

    def read(self) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        """The compact history and the problems in it; (None, None) when there is none."""
        try:
            marked = crmsheet_sheets(self.book) if self.book is not None else _marked(self.path)
            sheet = history_sheet(self.path, marked)
            if sheet is None and self.in_place:
                return None, None  # the book's first run, or an earlier version's sheets
            return read_history(self.path, sheet=sheet)
        except InputFileError as exc:
            if self.explicit:  # what --since takes, not how to open the file as an input
                reason = exc.message.split(";")[0]
                raise type(exc)(self.path, f"{reason}: {_SINCE_TAKES}") from None
            return self._new_history()
        except Exception:  # an unreadable earlier output is no reason to stop this run
            if self.explicit:
                raise
            return self._new_history()

    def _new_history(self) -> tuple[None, None]:
        warnings.warn(f"{self.path.name}: no history could be read from it: this run "
                      "starts a new history", HistoryWarning, stacklevel=5)  # fmt: skip
        return None, None


def history(path: str | Path) -> pd.DataFrame:
    """What each run recorded in the History sheet of an enriched workbook at ``path``.

    Tidy: one row per run and customer (``run``, ``customer_key``, ``name``, ``rating``,
    ``status``, ``revenue_12m``, ``p_alive``, ``customer_value``, ``next_follow_up``), every
    run reconstructed from the compact sheet, ready to pivot. ``.attrs["runs"]`` lists the
    runs (``run``, ``customers``, ``revenue_12m``, ``folded``: folded into counts, its
    customers' rows no longer kept). Bad cells are skipped with a
    :class:`~crmsheet.errors.HistoryWarning` naming them.

    >>> h = crmsheet.history("customers.enriched.xlsx")              # doctest: +SKIP
    >>> h.pivot(index="customer_key", columns="run", values="rating")  # doctest: +SKIP
    """
    path = Path(path)
    compact, bad = read_history(path, sheet=history_sheet(path, _marked(path)))
    if len(bad):
        cells = ", ".join(bad["cell"].head(5))
        more = f" and {len(bad) - 5:,} more" if len(bad) > 5 else ""
        warnings.warn(f"{path.name}: {len(bad):,} bad History cells ({cells}{more}): their rows "
                      "were left out", HistoryWarning, stacklevel=2)  # fmt: skip
    tidy = reconstruct(compact)
    tidy["run"] = tidy["run"].dt.date if len(tidy) else tidy["run"]
    tidy = tidy[["run", "customer_key", *FIELDS]]
    runs = pd.DataFrame(columns=["run", "customers", "revenue_12m", "folded"])
    if compact is not None and len(compact):
        rows = compact.loc[compact["entry"].isin(["run", "folded"])]
        runs = pd.DataFrame({
            "run": rows["run"].dt.date.to_numpy(), "customers": rows["customers"].to_numpy(),
            "revenue_12m": rows["revenue_12m"].to_numpy(),
            "folded": (rows["entry"] == "folded").to_numpy(),
        }).sort_values("run", kind="stable").reset_index(drop=True)  # fmt: skip
    tidy.attrs["runs"] = runs
    return tidy


def _marked(path: Path) -> list[str]:
    """The sheets an in-place run added to ``path`` ([] for a standalone output)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
        return []
    try:
        return crmsheet_sheets(path)
    except Exception:  # not a zip package: read_history says what it is
        return []


def _output_path(
    paths: Sequence[str | Path],
    output: str | Path | None,
    *,
    overwrite: bool,
    inputs: Sequence[str | Path | None] = (),
) -> Path:
    """Where the enriched workbook goes, refused before any work if it may not be written."""
    out = Path(output) if output is not None else default_output(paths[0])
    refuse_overwriting_inputs([out], [*paths, *inputs])
    if out.is_dir():
        raise OutputFileError(out, "is a folder; give the name of the workbook to write")
    if out.exists() and not out.is_file():
        raise OutputFileError(out, NOT_A_FILE)
    if out.exists() and not overwrite:
        raise OutputExistsError(out)
    return out


def _write_into_book(
    result: Analysis, data: CrmData, book: HostBook, *, backup: bool
) -> Path | None:
    """Build the enriched sheets in a scratch file and graft them into ``book``; the backup."""
    with tempfile.TemporaryDirectory(prefix="crmsheet-") as folder:
        scratch = Path(folder) / "enriched.xlsx"
        write_enriched(result, data, scratch, overwrite=True)
        return write_in_place(book, scratch, backup=backup)
