"""``crmsheet.enrich``: read, validate, analyze and write the enriched workbook.

The main job: read and validate the inputs, load the settings, analyze
(:mod:`crmsheet.analysis`), and write the workbook (:mod:`crmsheet.workbook` decides what it
shows) beside the input, atomically and never over it, or with ``in_place=True`` into the
user's own book (:mod:`crmsheet.io.graft`).
"""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .analysis import Analysis, analyze
from .config import Settings
from .errors import OutputFileError, SettingsError
from .io.graft import check_book, write_in_place
from .reader import read
from .validate import CrmData
from .workbook import write_enriched

__all__ = ["default_output", "enrich", "load_settings"]


def load_settings(
    path: str | Path | None = None, *, sheet: Mapping[str, Any] | None = None
) -> Settings:
    """Settings from a TOML file (``[settings]`` table or top level) over a Settings sheet."""
    values: dict[str, Any] = dict(sheet or {})
    if path is not None:
        path = Path(path)
        try:
            parsed = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"{path}: settings file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from None
        values.update(parsed.get("settings", parsed))
    return Settings.load(values)


def default_output(path: str | Path) -> Path:
    """``customers.xlsx`` -> ``customers.enriched.xlsx`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.enriched.xlsx")


def enrich(
    *paths: str | Path,
    transactions: str | Path | Sequence[str | Path] | None = None,
    spend: str | Path | Sequence[str | Path] | None = None,
    support: str | Path | Sequence[str | Path] | None = None,
    output: str | Path | None = None,
    as_of: date | None = None,
    settings: Settings | str | Path | None = None,
    column_map: Mapping[str, str] | None = None,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
    return_data: bool = False,
    in_place: bool = False,
    backup: bool = True,
) -> Any:
    """Read, validate, analyze and write ``<stem>.enriched.xlsx``; return the analysis.

    The input is never modified; an existing output is only replaced with
    ``overwrite=True``. ``as_of`` defaults to today. ``settings`` is a
    :class:`~crmsheet.Settings`, or the path of a settings.toml whose values win over a
    Settings sheet in the input; without it the Settings sheet (if any) is used.
    ``return_data=True`` returns ``(analysis, data)`` (the CLI prints both).

    ``in_place=True`` writes crmsheet's sheets into the first workbook itself (an .xlsx or
    .xlsm), replacing the ones an earlier run added and leaving everything else in it as
    it was (see :mod:`crmsheet.io.graft`); a copy ``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` is
    made first unless ``backup=False``.

    >>> result = crmsheet.enrich("customers.xlsx", as_of=date(2026, 11, 1))  # doctest: +SKIP
    >>> result                                  # shows the summary in a notebook
    """
    if not paths:
        raise SettingsError("enrich() needs the customer workbook or file")
    as_of = as_of or date.today()
    step = progress or (lambda _: None)
    if in_place:
        if output is not None:
            raise SettingsError("--in-place writes into the workbook itself: leave out --output")
        check_book(Path(paths[0]))  # refused before any work, the book untouched
    else:
        out = Path(output) if output is not None else default_output(paths[0])
        if out.exists() and not overwrite:
            raise OutputFileError(out, "already exists; use --force (overwrite=True) to replace it")
        inputs = [Path(p).resolve() for p in paths]
        if out.resolve() in inputs:
            raise OutputFileError(out, "is one of the inputs; crmsheet never writes over its input")
    step("read")
    data = read(*paths, transactions=transactions, spend=spend, support=support,
                column_map=column_map, as_of=as_of)  # fmt: skip
    if not isinstance(settings, Settings):
        settings = load_settings(settings, sheet=data.settings_values)
    step("analyze")
    result = analyze(data, as_of=as_of, settings=settings)
    step("write")
    if in_place:
        copy = _write_into_book(result, data, Path(paths[0]), backup=backup)
        if copy is not None:
            step(f"backup:{copy}")
    else:
        write_enriched(result, data, out, overwrite=overwrite)
    return (result, data) if return_data else result


def _write_into_book(result: Analysis, data: CrmData, book: Path, *, backup: bool) -> Path | None:
    """Build the enriched sheets in a scratch file and graft them into ``book``; the backup."""
    with tempfile.TemporaryDirectory(prefix="crmsheet-") as folder:
        scratch = Path(folder) / "enriched.xlsx"
        write_enriched(result, data, scratch, overwrite=True)
        return write_in_place(book, scratch, backup=backup)
