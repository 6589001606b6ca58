"""Tables in, :class:`~crmsheet.data.CrmData` out: each table cleaned, then checked together.

:func:`clean_table` runs the checks of one table in order (fields, reader notes, repeated
headers, row rules); :func:`build_data` combines the tables of each role and runs the checks
that need them all: duplicate and near-duplicate customers, referrers and parents, invoice
lines and payments joined to their order rows (:mod:`crmsheet.checks.joins`), sales of
customers not on the customer sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from .. import parse
from ..config import Settings
from ..cutoff import after
from ..data import CrmData, TableInfo
from ..io.grid import Grid, select_rows, with_columns
from ..mapping import TableLayout, column_letter
from ..problems import ProblemCode, ProblemReport, problem_rows
from ..schema import ROLES, field_specs
from .contacts import check_contacts
from .currencies import convert_currencies
from .fields import derive_fields, empty_column, empty_field, parse_dates, parse_field
from .identity import CustomerIndex, customer_name_key, duplicates, near_duplicates, relations
from .joins import join_transactions
from .ledger import row_rules_for_sales, settle
from .near_miss import NearMisses
from .rows import grid_notes, repeated_headers, row_rules, rows_above_header, second_headers
from .same_as import resolve_same_as
from .statuses import check_statuses, net_of_refunds
from .summaries import check_summaries
from .table import AUTO_HEADER, META, Table, prepare, report_back

__all__ = ["build_data", "clean_table"]


def clean_table(
    layout: TableLayout,
    settings: Settings | None = None,
    *,
    release: Sequence[Table] | None = None,
) -> Table:
    """Parse every mapped column of one table; flag rows that cannot be used.

    ``settings`` gives the country of phones written without a country code
    (``default_country``). ``release`` (the grid's tables cleaned before this one, its last):
    once the body is taken, the grid's raw cells below the header are dropped.
    """
    table = prepare(layout)
    if release is not None:
        _release_grid(layout.grid, [*release, table])
    role = layout.role
    assert role is not None
    for col in layout.duplicate_headers:
        header = layout.headers[col]
        original = header.rsplit(" (", 1)[0]
        row = layout.header_row
        table.problems.append(problem_rows(
            ProblemCode.DUPLICATE_HEADER, file=table.file, sheet=table.sheet, rows=[row],
            column=header, cells=[f"{table.sheet}!{column_letter(col)}{row}"],
            values=[original], details=[header],
        ))  # fmt: skip
    dates = parse_dates(table, role)
    for col, name in layout.mapping.items():
        parse_field(table, name, col, dates=dates)
    specs = field_specs(role)
    for name, spec in specs.items():
        if name not in table.frame:
            table.frame[name] = empty_column(spec.kind, table.frame.index)
    check_contacts(table, settings or Settings())  # phones, emails, countries
    derive_fields(table)  # size band, name from first + last, referrer from the source
    grid_notes(table)
    table.above = rows_above_header(table)
    second_headers(table)
    repeated_headers(table)
    row_rules_for_sales(table, role, row_rules)  # a ledger's cash lines are no sales rows
    _carry_extras(table)
    return table


def _carry_extras(table: Table) -> None:
    """The user's own columns, as read, joined to the clean frame in one concat.

    Added one at a time, each column would copy the frame's column index: 9,000 own
    columns took a minute; built in a dict and joined once they take a fraction of a second.
    """
    layout = table.layout
    taken = set(table.frame.columns)
    positions: list[int] = []
    names: list[str] = []
    for col, header in enumerate(layout.headers):
        if col in layout.mapping:
            continue
        if AUTO_HEADER.fullmatch(header) and parse.is_blank(table.raw(col)).all():
            continue  # no header and no data: not a column of the user's
        out = header if header not in taken else f"{header} (original)"
        taken.add(out)
        positions.append(col)
        names.append(out)
    if positions:
        table.frame = with_columns(table.frame, table.cells, positions, names)
    table.extras = tuple(names)


def build_data(
    layouts: Sequence[TableLayout],
    *,
    as_of: date,
    unusable: Sequence[pd.DataFrame] = (),
    settings: Settings | None = None,
    locale_currency: str = "",
    release_grids: bool = False,
) -> CrmData:
    """Clean every recognised table, combine them per role and check across tables.

    ``settings`` gives the status codes and the statuses that are not revenue (default:
    :class:`~crmsheet.config.Settings`'s), the base currency and the exchange rates;
    ``locale_currency`` is the computer's own currency code, the base when nothing else says.
    ``release_grids``: each grid's cells below its header are dropped once its last table is
    clean (the layouts cannot be cleaned again; :func:`crmsheet.read` owns its layouts and
    does so: at a million lines the raw cells are half the memory validation holds).
    """
    settings = settings or Settings()
    used = [layout for layout in layouts if layout.role is not None]
    tables: list[Table] = []
    for i, layout in enumerate(used):
        last = release_grids and not any(later.grid is layout.grid for later in used[i + 1 :])
        before = [t for t in tables if t.layout.grid is layout.grid] if last else None
        tables.append(clean_table(layout, settings, release=before))
    money = convert_currencies(tables, settings, locale_code=locale_currency)
    by_role: dict[str, list[Table]] = {r: [t for t in tables if t.layout.role == r] for r in ROLES}
    customers = _customers(by_role["customers"], as_of)
    name_key = customer_name_key(customers["name"])  # once: near-duplicates and lookups
    near_duplicates(by_role["customers"], customers, name_key)
    index = CustomerIndex(customers, name_key)
    relations(customers, index, by_role["customers"])
    same_as = resolve_same_as(customers, index, by_role["customers"])
    transactions, checked, join_notes = _transactions(by_role["transactions"], index, as_of)
    notes = [*money.notes, *join_notes, *index.notes,
             *check_statuses(by_role["transactions"], transactions, settings),
             *net_of_refunds(by_role["transactions"], transactions)]  # fmt: skip
    # the sheet's own totals and dates against the sales, counted as every figure counts them
    notes += check_summaries(by_role["customers"], customers, transactions, as_of=as_of,
                             settings=settings)  # fmt: skip
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
        notes=tuple(notes),
        checked=checked,
        base_currency=money.base,
        rates=money.rates,
        same_as=same_as,
    )


def _as_written(tables: Sequence[Table]) -> pd.DataFrame:
    """Kept rows with the user's own headers and raw cells (typed columns, same values)."""
    parts = []
    for t in tables:
        raw = _select(t.cells, ~t.rejected, list(range(len(t.layout.headers))))
        raw = raw.set_axis(list(t.layout.headers), axis=1)
        auto = [h for h in raw.columns if AUTO_HEADER.fullmatch(h) and raw[h].isna().all()]
        parts.append(raw.drop(columns=auto) if auto else raw)
    if not parts:
        return pd.DataFrame()
    return (
        pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    )


def _release_grid(grid: Grid, tables: Sequence[Table]) -> None:
    """The grid keeps its rows down to the last header; its tables, their own cells (a copy
    of the body's columns: a view would keep every raw cell alive)."""
    for t in tables:
        t.cells = t.cells.copy()
    grid.release(max(t.layout.header_index for t in tables) + 1)


def _select(frame: pd.DataFrame, rows: pd.Series, columns: list[int]) -> pd.DataFrame:
    """``frame.loc[rows, columns]``, without a copy when that is the whole frame (a selection
    costs per column: on a sheet 9,000 columns wide, a tenth of a second each)."""
    if bool(rows.all()) and frame.columns.equals(pd.Index(columns)):
        return frame
    return frame.loc[rows, columns]


def _info(t: Table) -> TableInfo:
    """What was read from one table, with its row counts."""
    kept = int((~t.rejected).sum())
    return TableInfo(
        file=str(t.layout.grid.path),
        sheet=t.sheet,
        role=t.layout.role,
        part=t.layout.part,
        header_row=t.layout.header_row,
        mapping=t.layout.header_to_field(),
        extra_columns=t.extras,
        rows_read=len(t.frame) + t.above,
        rows_kept=kept,
        rows_rejected=len(t.frame) - kept + t.above,
        rows_blank=t.blank,
        hidden=t.layout.grid.hidden,
        user_mapped=tuple(t.layout.headers[c] for c in t.layout.user_mapped),
        reason=t.layout.reason,
    )


def _concat_kept(tables: Sequence[Table]) -> pd.DataFrame:
    """The kept rows of several tables of one role, as one frame."""
    frames = [t.frame.loc[~t.rejected] for t in tables]
    frames = [f for f in frames if not f.empty] or [t.frame.iloc[:0] for t in tables[:1]]
    if not frames:
        return pd.DataFrame(columns=META)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    return out.reset_index(drop=True)


def _customers(tables: Sequence[Table], as_of: date) -> pd.DataFrame:
    """Customer rows kept, after date checks and duplicates over all customer tables."""
    for t in tables:
        f = t.frame
        alive = ~t.rejected
        both = alive & f["first_transaction"].notna() & f["last_transaction"].notna()
        swapped = both & (f["last_transaction"] < f["first_transaction"])
        t.report(ProblemCode.LAST_BEFORE_FIRST, swapped, "last_transaction",
                 values=f["last_transaction"], details=f["first_transaction"])  # fmt: skip
        limit = pd.Timestamp(as_of)
        for name in ("first_transaction", "last_transaction"):
            future = alive & (f[name] > limit).fillna(False)
            t.report(ProblemCode.FUTURE_DATE, future, name, values=f[name],
                     details=f"today ({as_of.isoformat()})")  # fmt: skip
    # duplicates are checked over all customer tables together
    combined: list[pd.DataFrame] = []
    for i, t in enumerate(tables):
        f = t.frame.assign(_table=i)
        combined.append(select_rows(f, ~t.rejected))
    if not combined:
        return _empty_customers()
    allc = pd.concat(combined, ignore_index=False) if len(combined) > 1 else combined[0]
    duplicates(tables, allc)
    keep = pd.concat([select_rows(t.frame, ~t.rejected) for t in tables], ignore_index=True)
    keep["customer_key"] = keep["customer_id"].fillna(keep["name"]).astype("object")
    return keep


def _empty_customers() -> pd.DataFrame:
    """No customer sheet: the customer columns with no rows."""
    cols = {n: pd.Series(dtype=empty_field(s.kind)) for n, s in field_specs("customers").items()}
    frame = pd.DataFrame(cols)
    for m in META:
        frame[m] = pd.Series(dtype="object")
    frame["customer_key"] = pd.Series(dtype="object")
    return frame


def _transactions(
    tables: Sequence[Table], index: CustomerIndex, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """(sales rows kept, each with its customer; rows joined but not sales; what was joined).

    Lines and payments take their customer and date from their invoice or order row
    (:mod:`crmsheet.checks.joins`), which also decides what counts as sales.
    """
    parts: dict[str | None, list[Table]] = {None: [], "orders": [], "lines": [], "payments": []}
    for t in tables:
        parts[t.layout.part].append(t)
    full = parts[None]
    for t in full:
        future = ~t.rejected & after(t.frame["date"], as_of)
        t.report(ProblemCode.FUTURE_DATE, future.fillna(False), "date", values=t.frame["date"],
                 details=f"today ({as_of.isoformat()})")  # fmt: skip
    settled = settle(full)  # repeated totals, ledger lines, one order in two tables
    joined = join_transactions(full, parts["orders"], parts["lines"], parts["payments"])
    joined.notes[:0] = settled.notes
    checked = _with_customers([*settled.checked, *joined.checked], index)
    frames = [f for f in joined.sales if not f.empty]
    if not frames:
        empty = pd.DataFrame({n: pd.Series(dtype=empty_field(s.kind))
                              for n, s in field_specs("transactions").items()})  # fmt: skip
        for m in [*META, "customer_key"]:
            empty[m] = pd.Series(dtype="object")
        return empty, checked, tuple(joined.notes)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    out = out.reset_index(drop=True)
    key, matched = index.resolve_sales(tables, out)  # by ID, then email, then name
    out["customer_key"] = key
    if index.has_sheet and not matched.all():
        # one warning per unknown customer, on its first row, with how many rows it has
        first = ~matched & ~key.duplicated(keep="first")
        counts = key[~matched].value_counts()
        rows = (
            key.map(counts).fillna(0).astype(int).map(lambda k: "1 row" if k == 1 else f"{k} rows")
        )
        written = out["customer_id"].where(out["customer_id"].notna(), out["customer_name"])
        details = rows.astype(object)
        # a near miss of a known customer gets a hint; it stays a customer of its own
        hint = NearMisses(index).suggest(out.loc[first, "customer_id"],
                                         out.loc[first, "customer_name"])  # fmt: skip
        hinted = hint.index[hint != ""]
        details[hinted] = details[hinted] + "; " + hint[hinted]
        report_back(tables, out, first, ProblemCode.UNKNOWN_CUSTOMER,
                     ["customer_id", "customer_name"], values=written,
                     details=details)  # fmt: skip
    return out, checked, tuple(joined.notes)


def _with_customers(frames: Sequence[pd.DataFrame], index: CustomerIndex) -> pd.DataFrame:
    """Rows kept aside (checked lines, payments), each with the customer of its order."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    out["customer_key"], _ = index.resolve(out["customer_id"], out["customer_name"])
    return out.reset_index(drop=True)


def _support(tables: Sequence[Table], index: CustomerIndex) -> pd.DataFrame:
    """Support rows kept, each with its customer."""
    out = _concat_kept(tables)
    if out.empty:
        out["customer_key"] = pd.Series(dtype="object")
        return out
    key, _ = index.resolve(out["customer_id"], out["customer_name"])
    out["customer_key"] = key
    return out
