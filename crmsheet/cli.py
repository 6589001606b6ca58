"""The command line: arguments -> public API -> a readable table and an exit code.

Exit codes: 0 = no errors (warnings allowed), 1 = errors found in the data,
2 = the input cannot be used (one plain line, never a traceback).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import RenderableType
from rich.table import Table
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ._version import __version__
from .errors import CrmsheetError, OutputExistsError, SettingsError
from .terminal import plain, plain_console, visible

# Each command imports what it needs when it runs (pandas to read, scipy to fit, xlsxwriter
# to write), so --help, --version and a refused argument answer at once.
if TYPE_CHECKING:
    from .column_maps import ColumnMap
    from .data import CrmData
    from .enrich import EnrichResult


class _Argument(TyperArgument):
    """An argument whose help shows its metavar (FILE), never the Python type (list[Path])."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class _Flag(TyperOption):
    """A flag whose help shows the flag alone (--force), never a value to give (<bool>)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _readable(params: list[Any]) -> list[Any]:
    """The parameters as help shows them: flags bare, arguments by their metavar."""
    for param in params:
        if type(param) is TyperArgument and param.metavar is not None:
            param.__class__ = _Argument
        elif type(param) is TyperOption and param.is_flag:
            param.__class__ = _Flag
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _readable(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _readable(super().get_params(ctx))


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn the customer spreadsheet you already have into a working CRM.",
)
out = plain_console("stdout", soft_wrap=False)
if not out.is_terminal:  # piped or captured: wide enough for the problem table
    out = plain_console("stdout", soft_wrap=False, width=140)


err = plain_console("stderr")  # progress lines; errors go through _fail


def _fail(message: str) -> None:
    """One plain line on stderr: never wrapped, never styled, easy to grep."""
    sys.stderr.write(visible(" ".join(message.split())) + "\n")
    sys.stderr.flush()


def _count(n: int) -> str:
    """A count as both commands print it: 7,032 (a row number stays as Excel shows it)."""
    return f"{n:,}"


#: How many problem rows the terminal shows; the full list goes to --problems FILE.
SHOW_PROBLEMS = 25


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"--as-of {value!r}: write the date as YYYY-MM-DD") from None
    if day.year < 1900:  # Excel's dates start in 1900; the year before 0001 does not exist
        raise SettingsError(f"--as-of {value!r}: give a date from 1900-01-01 on")
    return day


# The options validate and enrich share: one definition, so their meaning and help agree.
TransactionsOption = Annotated[
    list[Path] | None,
    typer.Option(metavar="FILE", help="Invoices/sales file(s), if separate."),
]
SpendOption = Annotated[
    list[Path] | None, typer.Option(metavar="FILE", help="Marketing spend file(s).")
]
SupportOption = Annotated[
    list[Path] | None, typer.Option(metavar="FILE", help="Support cases file(s).")
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="FIELD=HEADER",
        help="Say which header holds a field: FIELD=HEADER, or FILE:FIELD=HEADER for one file "
        "or sheet (FILE: its name, its name without extension, or a sheet name). Repeatable.",
    ),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="NAME",
        help="The text encoding of CSV files, e.g. cp437, cp1252, utf-16 (default: guessed).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="Reference date YYYY-MM-DD (default today)."),
]


def _print_version(value: bool) -> None:
    if value:
        out.print(__version__)
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print crmsheet's version and exit.",
        ),
    ] = False,
) -> None:
    """Turn the customer spreadsheet you already have into a working CRM."""


@app.command(cls=_Command)
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE", help="Workbooks or CSV files to check (none: only --transactions)."
        ),
    ] = None,
    transactions: TransactionsOption = None,
    spend: SpendOption = None,
    support: SupportOption = None,
    map_: MapOption = None,
    encoding: EncodingOption = None,
    problems: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write the full problem report to this .csv or .xlsx."),
    ] = None,
    as_of: AsOfOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --problems file.")
    ] = False,
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            metavar="FILE",
            help="A settings.toml: status codes, base currency, exchange rates.",
        ),
    ] = None,
) -> None:
    """Check spreadsheets: what crmsheet understood and what is wrong, cell by cell."""
    from .reader import read

    if not paths and not transactions:
        raise SettingsError("give the files to check, e.g. crmsheet validate customers.xlsx")
    if problems is not None:  # refused before any work
        inputs = [*(paths or []), *(transactions or []), *(spend or []), *(support or []),
                  *([settings] if settings else [])]  # fmt: skip
        _check_problems_path(problems, inputs=inputs, force=force)
    from .config import settings_file_values

    data = read(
        *(paths or []), transactions=transactions or None, spend=spend or None,
        support=support or None, column_map=_map_items(map_), as_of=_as_of(as_of),
        encoding=encoding, settings=settings_file_values(settings) or None,
    )  # fmt: skip
    _print_tables(data)
    _print_problems(data)
    if problems is not None:
        _write_problems(data, problems, force=force)
    raise typer.Exit(1 if data.problems.errors else 0)


def _map_items(items: list[str] | None) -> ColumnMap:
    from .column_maps import parse_column_map

    return parse_column_map(items or [])


def _check_problems_path(path: Path, *, inputs: list[Path], force: bool) -> None:
    """Refuse a --problems file that is not .csv or .xlsx, is one of the inputs, a folder, or
    exists (no --force)."""
    from .errors import OutputFileError
    from .io.atomic import NOT_A_FILE
    from .io.paths import refuse_overwriting_inputs
    from .io.problems import check_report_name

    refuse_overwriting_inputs([path], inputs)
    if path.is_dir():
        raise OutputFileError(path, "is a folder; give the name of the report file to write")
    if path.exists() and not path.is_file():
        raise OutputFileError(path, NOT_A_FILE)
    check_report_name(path)  # before "exists": --force would not help a .txt
    if path.exists() and not force:
        raise OutputExistsError(path)


def _write_problems(data: CrmData, path: Path, *, force: bool = False) -> None:
    from .io.paths import refuse_overwriting_inputs
    from .io.problems import write_problems

    refuse_overwriting_inputs([path], [t.file for t in data.tables])  # every file read
    write_problems(data.problems.frame, path, overwrite=force)
    out.print(f"Problem report written to {path}")


def _print_tables(data: CrmData) -> None:
    """What was read (rows per sheet), then how each sheet was understood."""
    table = Table(title="What crmsheet read", title_justify="left")
    for col in ("file", "sheet", "role", "header row", "rows read", "kept", "rejected"):
        table.add_column(col, justify="right" if col[0] in "hrk" else "left")
    for t in data.tables:
        table.add_row(plain(Path(t.file).name), plain(t.sheet), t.role_text, str(t.header_row),
                      _count(t.rows_read), _count(t.rows_kept),
                      _count(t.rows_rejected))  # fmt: skip
    out.print(table)
    _print_mapping(data)
    out.print(_rows_line(data) + ".")


def _rows_line(data: CrmData) -> str:
    """Rows read, kept and rejected: the same words and figures after validate and enrich."""
    return (f"Rows read: {_count(data.rows_read)}, kept: {_count(data.rows_kept)}, "
            f"rejected: {_count(data.rows_rejected)}")  # fmt: skip


def _errors_line(data: CrmData) -> str:
    report = data.problems
    return f"{_count(report.errors)} errors, {_count(report.warnings)} warnings"


def _print_mapping(data: CrmData) -> None:
    """Per sheet: its role and why, header -> field (and which a --map gave), the user's own
    columns; then the reading notes. Text from the files is printed as it is (no markup)."""
    for t in data.tables:
        name = Path(t.file).name
        where = name if t.sheet in {name, ""} else f"{name}, sheet {t.sheet}"
        why = t.reason or "from its headers " + ", ".join(list(t.mapping)[:4])
        out.print(plain(where, "bold"), plain(f": read as {t.role_text}: {why}"), sep="")
        given = set(t.user_mapped)
        pairs = ", ".join(f"{h} -> {f}" + (" (your --map)" if h in given else "")
                          for h, f in t.mapping.items())  # fmt: skip
        out.print(plain(f"  {pairs}"))
        if t.extra_columns:
            out.print(plain(f"  kept as your own columns: {', '.join(t.extra_columns)}"))
    for note in data.notes:
        out.print(plain(f"Note: {note}"))


def _print_problems(data: CrmData) -> None:
    report = data.problems
    if not len(report):
        _show("No problems found.")
        return
    summary = Table(show_header=True)
    for col in ("code", "severity", "count", "what"):
        summary.add_column(col, justify="right" if col == "count" else "left")
    for row in report.by_code().itertuples(index=False):
        summary.add_row(row.code, row.severity, _count(int(row.count)), row.title)
    detail = Table(show_header=True, show_lines=False)
    for col in ("cell", "severity", "code", "message"):
        detail.add_column(col, overflow="fold")
    frame = report.frame.copy()
    frame["_e"] = frame["severity"] != "error"
    shown = frame.sort_values("_e", kind="stable").head(SHOW_PROBLEMS)
    for row in shown.itertuples(index=False):
        where = row.cell or f"{row.sheet}!{row.row}"
        detail.add_row(where, row.severity, row.code, row.message)
    more = len(report) - SHOW_PROBLEMS
    _show(f"{_errors_line(data)}:", summary, detail,
          *([f"... and {_count(more)} more: use --problems FILE.csv to get them all."]
            if more > 0 else []))  # fmt: skip


def _show(*items: RenderableType) -> None:
    """Print ``items`` as one block, rendered in full before the first character is written.

    Strings go through :class:`PlainConsole` (plain text, controls visible) and the stream
    escapes what its encoding lacks, so the report of a run that has already written its
    output cannot fail half-way and turn a finished run into an error.
    """
    with out.capture() as captured:
        for item in items:
            out.print(item)
    out.file.write(captured.get())
    out.file.flush()


@app.command(cls=_Command)
def enrich(
    paths: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="The customer workbook (or CSV files).")
    ],
    transactions: TransactionsOption = None,
    spend: SpendOption = None,
    support: SupportOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Where to write (default: <name>.enriched.xlsx beside the input).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    as_of: AsOfOption = None,
    settings: Annotated[
        Path | None,
        typer.Option("--settings", metavar="FILE", help="A settings.toml with thresholds."),
    ] = None,
    map_: MapOption = None,
    encoding: EncodingOption = None,
    in_place: Annotated[
        bool,
        typer.Option(
            "--in-place",
            help="Write crmsheet's sheets into the workbook itself (replacing an earlier "
            "run's), keeping everything else in it as it is.",
        ),
    ] = False,
    no_backup: Annotated[
        bool,
        typer.Option("--no-backup", help="With --in-place: do not keep a backup copy."),
    ] = False,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            metavar="FILE",
            help="An earlier enriched workbook: its History carries on and the Changes sheet "
            "says what moved since (default: the output being replaced, or in place the "
            "book's own History).",
        ),
    ] = None,
) -> None:
    """Write the enriched workbook: ratings, lapsed customers, follow-ups, ROI and more."""
    import time
    import warnings

    from .enrich import default_output
    from .enrich import enrich as run
    from .errors import HistoryWarning

    started = time.perf_counter()
    stages = {"read": "Reading and checking", "analyze": "Analysing", "write": "Writing"}
    target = paths[0] if in_place else output or default_output(paths[0])
    # A transient status line: shown on a terminal, erased when done, never printed to a pipe,
    # so a refused input still gives exactly one line on stderr.
    with (
        err.status(stages["read"] + "...") as status,
        warnings.catch_warnings(record=True) as notes,
    ):
        warnings.simplefilter("always", HistoryWarning)

        def progress(stage: str) -> None:
            status.update(f"{stages.get(stage, stage)}... "
                          f"({time.perf_counter() - started:.1f} s)")  # fmt: skip

        result = run(
            *paths, transactions=transactions or None, spend=spend or None,
            support=support or None, output=output if in_place else target,
            as_of=_as_of(as_of), settings=settings,
            column_map=_map_items(map_), encoding=encoding, overwrite=force, progress=progress,
            in_place=in_place, backup=not no_backup, since=since,
        )  # fmt: skip
    for note in notes:  # the history could not be carried on: one plain line each
        if issubclass(note.category, HistoryWarning):
            _fail(f"crmsheet: note: {note.message}")
        else:  # any other warning is shown as it would have been
            warnings.showwarning(note.message, note.category, note.filename, note.lineno)
    _print_mapping(result.data)
    _print_enriched(result, time.perf_counter() - started)
    raise typer.Exit(0)


def _print_enriched(result: EnrichResult, seconds: float) -> None:
    """The CLI's report of an enrich run: backup, rows, headline, what to do first, output."""
    from .analysis import headline_rows
    from .analysis.headline import change_sentence

    data, analysis = result.data, result.analysis
    lines = [f"Backup of the original: {result.backup}"] if result.backup is not None else []
    lines.append(f"{_rows_line(data)} ({_errors_line(data)}: see the Problems sheet).")
    lines += [f"  {label}: {value}" for label, value in headline_rows(analysis.headline)]
    since = change_sentence(analysis.changes)
    if since:  # what moved since the previous run in the History
        lines.append(f"{since} (see Changes).")
    if analysis.actions:
        lines.append("What to do first:")
        lines += [f"  {i}. {action}" for i, action in enumerate(analysis.actions, start=1)]
    lines.append(f"Wrote {result.output} in {seconds:.1f} s.")
    _show(*lines)


@app.command(cls=_Command)
def template(
    output: Annotated[
        Path, typer.Argument(metavar="FILE", help="Where to write the blank template (.xlsx).")
    ],
    kind: Annotated[
        str,
        typer.Option(metavar="KIND", help="services, retail (fewest fields) or b2b (all fields)."),
    ] = "services",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a blank template with dropdowns and instructions to start a customer sheet."""
    from .templates import build_template

    path = build_template(output, kind=kind, overwrite=force)
    out.print(f"Wrote {path} ({kind}): fill in the Customers and Transactions sheets, then run "
              f"crmsheet enrich {path}")  # fmt: skip
    raise typer.Exit(0)


@app.command(cls=_Command)
def version() -> None:
    """Print crmsheet's version."""
    out.print(__version__)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning crmsheet's errors into one line and exit code 2."""
    try:
        code = app(args=argv, prog_name="crmsheet", standalone_mode=False)
    except OutputExistsError as exc:  # the API says overwrite=True; here the option is --force
        _fail(f"crmsheet: {exc.path}: {exc.CLI}")
        return 2
    except CrmsheetError as exc:
        _fail(f"crmsheet: {exc}")
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _fail("crmsheet: interrupted")
        return 130
    except OSError as exc:  # the operating system refused: say which file and why
        _fail(f"crmsheet: {_os_error_line(exc)}")
        return 2
    except Exception as exc:  # the last line of defence: no traceback for users
        show = getattr(exc, "show", None)  # usage errors from the CLI library (click's)
        if callable(show) and hasattr(exc, "exit_code"):
            show()
            return 2
        if type(exc).__name__ == "Abort":
            return 130
        if os.environ.get("CRMSHEET_DEBUG"):
            raise
        where = " ".join(a for a in (argv or sys.argv[1:]) if not a.startswith("-"))
        _fail(
            f"crmsheet: could not process {where}: {type(exc).__name__}: {exc}. This is a "
            "bug in crmsheet; please report it (set CRMSHEET_DEBUG=1 for details)."
        )
        return 2
    return code if isinstance(code, int) else 0


def _os_error_line(exc: OSError) -> str:
    """``FILE: cause`` for an operating-system error that reached the command line."""
    from .io.paths import os_cause

    where = exc.filename if exc.filename is not None else "a file"
    return f"{where}: {os_cause(exc)}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
