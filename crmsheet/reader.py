"""``crmsheet.read``: files in, a :class:`~crmsheet.data.CrmData` out.

This is the I/O edge of validation: it has each file read by :mod:`crmsheet.io` (which alone
opens them; :mod:`crmsheet.io.sniff` picks the reader), lays out each sheet
(:mod:`crmsheet.mapping`) and hands the tables to the pure validator.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from .checks import build_data
from .checks.currencies import is_rates_table, rates_from_grid
from .checks.table import AUTO_HEADER
from .column_maps import ColumnMap
from .config import Settings
from .data import CrmData
from .errors import NoUsableDataError, SettingsError
from .io.csvread import check_encoding, read_csv_grid
from .io.grid import Grid
from .io.sniff import spreadsheet_kind
from .io.styles import locale_currency_code
from .mapping import TableLayout, layout_table, parse_column_map
from .problems import ProblemCode, problem_rows
from .schema import Role, field_specs, normalise_header

__all__ = ["read", "read_grids", "read_grids_ahead"]


def read_grids(path: str | Path, encoding: str | None = None) -> list[Grid]:
    """Every sheet of a workbook, or the one grid of a CSV file, as read (no header yet).

    ``encoding`` (a Python codec name) is the text encoding of a CSV file, instead of the
    guess; a workbook says its own.
    """
    path = Path(path)
    if spreadsheet_kind(path) == "text":
        return [read_csv_grid(path, encoding=encoding)]
    from .io.xlsxread import read_workbook_grids  # python-calamine: only for a workbook

    return read_workbook_grids(path)


def read_grids_ahead(
    paths: Sequence[str | Path], encoding: str | None = None
) -> list[Future[list[Grid]]]:
    """:func:`read_grids` of every path, started two at a time; results in path order.

    calamine's parser releases the GIL, so the next file is parsed while this one's cells
    become Python objects (1M transactions + 100k customers: 7.8 s -> 6.3 s on 2 cores).
    """
    if len(paths) < 2:  # nothing to overlap: read in the caller's thread
        done: list[Future[list[Grid]]] = []
        for path in paths:
            future: Future[list[Grid]] = Future()
            try:
                future.set_result(read_grids(path, encoding))
            except Exception as exc:
                future.set_exception(exc)
            done.append(future)
        return done
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="crmsheet-read") as pool:
        return [pool.submit(read_grids, path, encoding) for path in paths]


def read(
    *paths: str | Path,
    transactions: str | Path | Sequence[str | Path] | None = None,
    spend: str | Path | Sequence[str | Path] | None = None,
    support: str | Path | Sequence[str | Path] | None = None,
    column_map: Mapping[str, str] | Sequence[str] | ColumnMap | None = None,
    as_of: date | None = None,
    encoding: str | None = None,
    settings: Settings | Mapping[str, object] | None = None,
) -> CrmData:
    """Read customer workbooks or CSV files and validate them, cell by cell.

    Each sheet's role (customers, transactions, marketing spend, support) is found from its
    name and headers; files given as ``transactions=``, ``spend=`` or ``support=`` are taken
    as that role. ``column_map={"industry": "BusinessType"}`` says which header holds a field
    when its name is not one crmsheet knows; a key ``"orders.csv:amount"`` (a file name, stem
    or sheet name before the colon) limits a map to that file, and the CLI's strings
    ``["industry=BusinessType", "orders:amount=Total"]`` are read too (see
    :mod:`crmsheet.column_maps`: a map that cannot apply is refused, never ignored).
    ``as_of`` (default: today) is the date after which transaction dates are reported as in
    the future. ``encoding`` (e.g. ``"cp437"``) is the text encoding of CSV files, instead
    of the guess. ``settings`` (a :class:`~crmsheet.config.Settings`, or values that win
    over a Settings sheet in the input) says which order statuses are not revenue, what
    status codes mean, which country phones without a country code are in, the base
    currency and the exchange rates. A sheet named Rates (or any sheet or file of two
    columns headed Currency and Rate) gives exchange rates, under those of ``settings``.

    >>> data = crmsheet.read("customers.xlsx")          # doctest: +SKIP
    >>> data.customers.head(); data.problems.frame     # doctest: +SKIP
    """
    if not paths and not transactions:
        raise SettingsError("read() needs at least one file")
    overrides = parse_column_map(column_map)
    encoding = check_encoding(encoding)
    jobs: list[tuple[Path, Role | None]] = [(Path(p), None) for p in paths]
    given_roles: tuple[tuple[Role, object], ...] = (
        ("transactions", transactions), ("spend", spend), ("support", support),
    )  # fmt: skip
    for role, given in given_roles:
        jobs.extend((Path(p), role) for p in _as_list(given))  # type: ignore[arg-type]
    layouts: list[TableLayout] = []
    unusable: list[pd.DataFrame] = []
    settings_sheet: dict[str, object] = {}
    sheet_rates: dict[str, float] = {}
    laid_out: list[TableLayout] = []  # every sheet, used or skipped: what the maps are checked on
    reading = read_grids_ahead([path for path, _ in jobs], encoding)
    for (path, forced), pending in zip(jobs, reading, strict=True):
        grids = pending.result()  # a file's error is raised in turn, as if read one by one
        for grid in [g for g in grids if normalise_header(g.sheet) == "settings"]:
            settings_sheet.update(settings_from_grid(grid))
            grids.remove(grid)
        rate_tables = [g for g in grids if forced is None and is_rates_table(g)]
        for grid in rate_tables:
            found_rates, bad_rates = rates_from_grid(grid)  # a currency | rate table
            sheet_rates.update(found_rates)
            unusable.append(bad_rates)
            grids.remove(grid)
        found = [layout_table(g, overrides, role=forced) for g in grids]
        laid_out.extend(found)
        usable = [t for t in found if t.role is not None]
        if not usable and rate_tables and not any(g.cells.notna().any(axis=None) for g in grids):
            continue  # a file of exchange rates only (rates.csv)
        if not usable:
            raise NoUsableDataError(path, _nothing_found(found, forced, overrides))
        layouts.extend(usable)
        unusable.extend(_skipped(t) for t in found if t.role is None and not _helper_sheet(t))
        unusable.extend(_close_call(t) for t in usable if t.close_call)
    del reading
    overrides.check(laid_out)
    rules = (
        settings
        if isinstance(settings, Settings)
        else _status_settings(settings, found_in=settings_sheet)
    )
    if sheet_rates:  # the Rates sheet's, under the ones the settings name
        rules = rules.model_copy(update={"rates": {**sheet_rates, **rules.rates}})
    data = build_data(layouts, as_of=as_of or date.today(), unusable=unusable, settings=rules,
                      locale_currency=locale_currency_code(), release_grids=True)  # fmt: skip
    return replace(data, settings_values=settings_sheet) if settings_sheet else data


def _status_settings(
    given: Mapping[str, object] | None, *, found_in: Mapping[str, object]
) -> Settings:
    """The Settings the statuses and phones are read with: ``given`` over the input's
    Settings sheet.

    Only the status settings, ``default_country`` and the currency settings count here (a
    bad threshold elsewhere is reported when the analysis loads its settings); a bad one of
    these raises SettingsError, naming it. Rates named in both are merged, ``given``'s first.
    """
    status = {"status_codes", "excluded_statuses", "default_country", "base_currency",
              "currency", "rates"}  # fmt: skip
    values = {k: v for k, v in {**found_in, **(given or {})}.items() if k in status}
    if "rates" in found_in and given and "rates" in given:
        sheet = Settings.load({"rates": found_in["rates"]}).rates
        values["rates"] = {**sheet, **Settings.load({"rates": given["rates"]}).rates}
    return Settings.load(values)


def settings_from_grid(grid: Grid) -> dict[str, object]:
    """``setting | value`` rows of a Settings sheet (the templates carry one).

    Only rows whose first cell names a crmsheet setting count (written as the name, e.g.
    ``lapse_days``, or in words, ``Lapse days``); titles, notes and descriptions around them
    are ignored. Values are checked later, with the setting named, by
    :meth:`~crmsheet.config.Settings.load`.
    """
    known = {normalise_header(name): name for name in Settings.model_fields}
    found: dict[str, object] = {}
    cells = grid.cells
    if cells.shape[1] < 2:
        return found
    for key, value in zip(cells[0].tolist(), cells[1].tolist(), strict=True):
        name = known.get(normalise_header(key)) if isinstance(key, str) else None
        if name is not None and value is not None and value == value and value != "":
            found[name] = value
    return found


def _as_list(value: str | Path | Sequence[str | Path] | None) -> list[str | Path]:
    if value is None:
        return []
    if isinstance(value, str | Path):
        return [value]
    return list(value)


def _nothing_found(
    found: Sequence[TableLayout], role: Role | None, maps: ColumnMap | None = None
) -> str:
    """Why a file is refused: what was needed, EVERY header seen, the closest fields to map
    (and a map given for it that found no header: a typo is often the reason)."""
    sheets = [t for t in found if t.grid.cells.shape[0] > 0]
    if not sheets:
        return "no sheet has any data"
    what = {
        None: "a customer ID or name column (or a date, customer and amount for sales)",
        "transactions": "a date, a customer and an amount (or quantity and price) column",
        "spend": "an amount, a source or campaign, and a month or start date column",
        "support": "a customer column and a cases, minutes or severity column",
        "customers": "a customer ID or name column",
    }[role]
    headers = sorted({h for t in sheets for h in t.headers if not AUTO_HEADER.fullmatch(h)})
    seen = ", ".join(headers) or "none (the first row is blank)"
    count = f"{len(headers)} header" + ("" if len(headers) == 1 else "s")
    unmatched = maps.unmatched(sheets) if maps else ""
    said = [f"“{t.grid.sheet}” is {t.reason}" for t in sheets
            if "says it lists something else" in t.reason]  # fmt: skip
    if said:  # the columns would do, the name says the list is not of customers
        return "; ".join(said) + "."
    return (f"no sheet has the columns crmsheet needs: {what}. Headers seen: {seen} "
            f"({count}, all listed). {unmatched} {closest_fields(headers, role)}")  # fmt: skip


#: The fields a table of each role cannot do without: suggested first when a file is refused.
_NEEDED: dict[Role, tuple[str, ...]] = {
    "customers": ("customer_id", "name"),
    "transactions": ("date", "customer_id", "customer_name", "amount", "quantity", "unit_price"),
    "spend": ("amount", "source", "campaign", "month", "period_start"),
    "support": ("customer_id", "customer_name", "cases", "minutes", "severity"),
}


def closest_fields(headers: Sequence[str], role: Role | None, limit: int = 8) -> str:
    """The fields the headers come closest to, as the ``--map`` options to type.

    Each header is scored against every field's name and header synonyms of the roles in
    question (difflib's ratio, or a synonym written inside it: ``CLOSEDATE`` holds "date");
    the best pairs, one header per field, the fields a table needs first, at most ``limit``.
    """
    roles: tuple[Role, ...] = ("customers", "transactions") if role is None else (role,)
    needed = list(dict.fromkeys(f for r in roles for f in _NEEDED[r]))
    words: dict[str, set[str]] = {}
    for r in roles:
        for name, spec in field_specs(r).items():
            words.setdefault(name, set()).update((normalise_header(name), *spec.headers))
    scored: list[tuple[bool, float, str, str]] = []
    for header in headers:
        key = normalise_header(header)
        if key:
            for name, synonyms in words.items():
                score = max(_closeness(key, s) for s in synonyms)
                if score >= 0.6:
                    scored.append((name not in needed, -score, name, header))
    chosen: dict[str, str] = {}
    for _, _, name, header in sorted(scored):
        if name not in chosen and header not in chosen.values():
            chosen[name] = header
    if not chosen:
        return ("None of them is close to a crmsheet field: say which is which with --map "
                "FIELD=HEADER, e.g. --map name=HEADER")  # fmt: skip
    shown = list(chosen.items())[:limit]
    maps = " ".join("--map " + _shell_word(f"{name}={header}") for name, header in shown)
    return f"Closest fields: {maps} (or rename the headers)"


def _closeness(key: str, synonym: str) -> float:
    """0..1: how close a normalised header is to a synonym (1: the same words).

    A synonym inside the header counts most at its end, where English puts the head noun
    ("CLOSEDATE" is a date, "CREATEDBYID" an id).
    """
    squashed, word = key.replace(" ", ""), synonym.replace(" ", "")
    if len(word) >= 4 and squashed.endswith(word):
        return 0.8 + 0.2 * len(word) / len(squashed)
    if len(word) >= 4 and word in squashed:
        return 0.6 + 0.1 * len(word) / len(squashed)
    ratio = difflib.SequenceMatcher(None, key, synonym).ratio()
    return ratio if ratio >= 0.75 else 0.0  # below that, letters in common by chance


def _shell_word(text: str) -> str:
    """``text`` quoted for a shell when it holds spaces or quotes."""
    if text and all(c.isalnum() or c in "._-=:/+@%" for c in text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


#: Sheets that hold instructions or dropdown lists, not data (the templates carry them).
HELPER_SHEETS = {"how to use", "instructions", "read me", "readme", "about", "help", "lists",
                 "list", "dropdowns", "lookups", "notes"}  # fmt: skip


def _helper_sheet(t: TableLayout) -> bool:
    """A hidden sheet, or one named like instructions: skipped without a warning."""
    return t.grid.hidden or normalise_header(t.grid.sheet) in HELPER_SHEETS


def _skipped(t: TableLayout) -> pd.DataFrame:
    nonblank = int(t.grid.cells.notna().any(axis=1).sum())
    what = (f"is no table crmsheet can use ({t.reason})" if t.reason.startswith("not ")
            else "has no columns crmsheet recognises")  # fmt: skip
    detail = (f"Sheet “{t.grid.sheet}” ({nonblank:,} rows) {what}, so it was skipped. If "
              "it holds customers or sales, rename its headers or use --map "
              "FIELD=HEADER.")  # fmt: skip
    return problem_rows(ProblemCode.UNUSABLE_SHEET, file=t.grid.path.name, sheet=t.grid.sheet,
                        rows=[t.header_row], cells=[""], details=[detail])  # fmt: skip


def _close_call(t: TableLayout) -> pd.DataFrame:
    detail = (f"Sheet “{t.grid.sheet}” was read as {t.role}, but it nearly reads as another "
              f"kind of sheet ({t.reason}). If that is wrong, give the file with "
              "--transactions, --spend or --support, or rename its headers.")  # fmt: skip
    return problem_rows(ProblemCode.ROLE_CLOSE_CALL, file=t.grid.path.name, sheet=t.grid.sheet,
                        rows=[t.header_row], cells=[""], details=[detail])  # fmt: skip
