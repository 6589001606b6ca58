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
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .analysis import Analysis, analyze
from .column_maps import ColumnMap
from .config import Settings
from .data import CrmData
from .errors import OutputExistsError, OutputFileError, SettingsError
from .io.atomic import NOT_A_FILE
from .io.graft import HostBook, check_book, write_in_place
from .io.inplace import book_lock
from .io.paths import fit_name, refuse_overwriting_inputs
from .reader import read
from .workbook import write_enriched

__all__ = ["EnrichResult", "default_output", "enrich", "load_settings", "settings_file_values"]


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
    return Settings.load({**(sheet or {}), **_toml_values(path)})


def settings_file_values(path: str | Path | None) -> dict[str, Any]:
    """The values of a settings.toml as :func:`crmsheet.read` takes them (over a Settings
    sheet in the input); {} for no file."""
    return _toml_values(path)


def _toml_values(path: str | Path | None) -> dict[str, Any]:
    """The values of a settings.toml (``[settings]`` table or top level, and a ``[rates]``
    table: ``EUR = 1.08``); {} for no file."""
    if path is None:
        return {}
    path = Path(path)
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: settings file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    values = dict(parsed.get("settings", parsed))
    rates = parsed.get("rates")
    if "settings" in parsed and isinstance(rates, dict):  # a [rates] table beside [settings]
        given = values.get("rates")
        values["rates"] = {**Settings.load({"rates": given}).rates, **rates} if given else rates
    return values


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

    def run(target: Path | HostBook) -> EnrichResult:
        return _run(paths, target, read_options, as_of, settings, step,
                    overwrite=overwrite, backup=backup)  # fmt: skip

    read_options = {"transactions": transactions, "spend": spend, "support": support,
                    "column_map": column_map, "encoding": encoding}  # fmt: skip
    if not in_place:
        return run(_output_path(paths, output, overwrite=overwrite, inputs=inputs))
    if output is not None:
        raise SettingsError("--in-place writes into the workbook itself: leave out --output")
    # the other inputs are only read; the book is the one file written (and locked)
    refuse_overwriting_inputs([paths[0]], inputs[1:])
    with book_lock(paths[0]):  # one run at a time, until the book is written
        return run(check_book(Path(paths[0])))  # refused before any work; read once, kept


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
) -> EnrichResult:
    """Read, analyze and write to ``target`` (a checked output path, or the host book)."""
    toml = {} if isinstance(settings, Settings) else _toml_values(settings)
    step("read")
    data = read(*paths, as_of=as_of, settings=settings if isinstance(settings, Settings)
                else toml, **read_options)  # fmt: skip
    if not isinstance(settings, Settings):  # the TOML's values win over a Settings sheet
        settings = Settings.load({**data.settings_values, **toml})
    step("analyze")
    analysis = analyze(data, as_of=as_of, settings=settings)
    step("write")
    if isinstance(target, HostBook):
        copy = _write_into_book(analysis, data, target, backup=backup)
        return EnrichResult(analysis, data, Path(paths[0]), copy)
    return EnrichResult(analysis, data, write_enriched(analysis, data, target,
                                                       overwrite=overwrite))  # fmt: skip


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
