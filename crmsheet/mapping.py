"""Find the header row of a sheet, what the sheet is for, and which column is which field.

Pure functions over :class:`~crmsheet.io.grid.Grid`: no file is opened here. The rules come
from :mod:`crmsheet.schema` (each field's header synonyms), so a synonym added there is
understood everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from .column_maps import ColumnMap, forced_columns, parse_column_map
from .io.grid import Grid
from .schema import ROLES, Role, field_specs, normalise_header

__all__ = ["TableLayout", "column_letter", "layout_table", "parse_column_map"]

#: How far down a sheet the header row is looked for (title rows, notes, blank lines).
HEADER_SCAN_ROWS = 30

_NAME_HINTS: dict[Role, tuple[str, ...]] = {
    "customers": ("customer", "client", "account", "contact", "crm", "debtor", "member",
                  "company", "companies", "lead", "prospect"),
    "transactions": ("transaction", "invoice", "sale", "order", "receipt", "ledger",
                     "quote", "billing", "detail", "line", "year", "history", "purchase"),
    "spend": ("marketing", "spend", "budget", "campaign", "advertis", "promotion"),
    "support": ("support", "ticket", "case", "helpdesk", "service desk", "complaint"),
}  # fmt: skip


@dataclass(frozen=True)
class TableLayout:
    """How one grid is understood: its role, header row and column -> field mapping.

    ``header_index`` is the position of the header row in ``grid.cells``; ``header_row`` is
    its Excel row number. ``headers`` holds one display name per column (blank headers
    become "Column D", repeats become "Notes (2)"). ``mapping`` maps column position ->
    field name; columns not in it are the user's own and are carried through untouched.
    ``part`` names a transaction table that is one side of a join by invoice/order number:
    "lines" (invoice lines without a customer, Northwind style), "orders" (invoice or order
    headers without amounts) or "payments" (money paid against an order: a number, a date
    and an amount, no customer and nothing itemised). ``None`` is a table complete in itself.
    """

    grid: Grid
    role: Role | None
    header_index: int
    header_row: int
    headers: tuple[str, ...]
    mapping: dict[int, str]
    part: str | None = None
    duplicate_headers: tuple[int, ...] = field(default_factory=tuple)
    user_mapped: tuple[int, ...] = field(default_factory=tuple)
    """The columns whose field a column map (``--map``) gave, not the automatic matching."""

    @property
    def field_columns(self) -> dict[str, int]:
        return {f: c for c, f in self.mapping.items()}

    def header_to_field(self) -> dict[str, str]:
        """Header text -> field, in column order: what the user sees as 'the mapping'."""
        return {self.headers[c]: f for c, f in sorted(self.mapping.items())}


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA' (Excel's column names)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# -- header synonyms ---------------------------------------------------------------------


def _synonym_index(role: Role) -> dict[str, tuple[str, int]]:
    """normalised header -> (field, rank); the first field declaring a synonym owns it."""
    index: dict[str, tuple[str, int]] = {}
    for name, spec in field_specs(role).items():  # a field owns its own name first
        index[spec.headers[0]] = (name, 0)
    for name, spec in field_specs(role).items():
        for rank, header in enumerate(spec.headers):
            index.setdefault(header, (name, rank))
    return index


_SYNONYMS: dict[Role, dict[str, tuple[str, int]]] = {r: _synonym_index(r) for r in ROLES}
_PARENS = re.compile(r"\(.*?\)|\[.*?\]")
_NOISE = re.compile(r"\b(in|excl|incl|usd|eur|gbp|chf|cad|aud|the|of|s)\b")


def _lookup(role: Role, header: str) -> tuple[str, int] | None:
    """Match a header: exactly, then without brackets, then without currency/noise words."""
    table = _SYNONYMS[role]
    key = normalise_header(header)
    if key in table:
        return table[key]
    for cleaned in (normalise_header(_PARENS.sub(" ", header)),
                    " ".join(_NOISE.sub(" ", key).split())):  # fmt: skip
        if cleaned and cleaned in table:
            name, rank = table[cleaned]
            return name, rank + 100  # a looser match loses to an exact one
    return None


def _map_columns(
    role: Role, headers: tuple[str, ...], overrides: Mapping[str, str]
) -> dict[int, str]:
    mapping = forced_columns(role, headers, overrides)  # a map always beats the matching
    taken = set(mapping)
    best: dict[str, tuple[int, int]] = {}  # field -> (rank, col)
    for col, header in enumerate(headers):
        if col in taken:
            continue
        hit = _lookup(role, header)
        if hit is None or hit[0] in mapping.values():
            continue
        name, rank = hit
        if name not in best or (rank, col) < best[name]:
            best[name] = (rank, col)
    for name, (_, col) in best.items():
        mapping[col] = name
    return dict(sorted(mapping.items()))


# -- roles ---------------------------------------------------------------------------------


def _signature(role: Role, fields: set[str]) -> str | None:
    """'full' when the fields make a usable table of ``role``; a part name; else None."""
    has_customer = bool(fields & {"customer_id", "customer_name"})
    if role == "customers":
        # a list of people (first and last name, or a contact) is named after them
        people = {"first_name", "last_name", "contact"}
        return "full" if fields & {"customer_id", "name", *people} else None
    if role == "transactions":
        priced = "amount" in fields or "unit_price" in fields
        if has_customer and "date" in fields and priced:
            return "full"
        if "invoice" in fields and priced and not has_customer:
            itemised = fields & {"quantity", "unit_price", "discount", "product", "description"}
            if "date" in fields and "amount" in fields and not itemised:
                return "payments"  # keyed by order: its customer comes through the order
            return "lines"
        if "invoice" in fields and has_customer and "date" in fields:
            return "orders"
        return None
    if role == "spend":
        dated = bool(fields & {"period_start", "period_end", "month"})
        return (
            "full" if "amount" in fields and (fields & {"source", "campaign"}) and dated else None
        )
    # support
    demand = bool(fields & {"cases", "minutes", "severity", "case_id"})
    return "full" if has_customer and demand else None


def _name_hint(role: Role, name: str) -> bool:
    text = normalise_header(name)
    return any(hint in text for hint in _NAME_HINTS[role])


def _display_headers(values: list[object]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    duplicates: list[int] = []
    for col, value in enumerate(values):
        text = "" if _blank(value) else " ".join(str(value).split())
        if not text:
            text = f"Column {column_letter(col)}"
        key = text.casefold()
        if key in seen:
            seen[key] += 1
            duplicates.append(col)
            text = f"{text} ({seen[key]})"
        else:
            seen[key] = 1
        headers.append(text)
    return tuple(headers), tuple(duplicates)


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def layout_table(
    grid: Grid,
    column_map: Mapping[str, str] | ColumnMap | None = None,
    *,
    role: Role | None = None,
) -> TableLayout:
    """Decide the header row, role and column mapping of one grid.

    The header row is the row within the first :data:`HEADER_SCAN_ROWS` whose cells match
    the most field synonyms for any role (the earliest wins a tie), so title rows and notes
    above the header are skipped. The role is the one whose fields make a usable table
    (see the signatures in this module), helped by the sheet or file name. A grid that
    matches nothing gets ``role=None``. Passing ``role`` restricts the choice to that role
    (the user said what the file is, e.g. ``--transactions invoices.csv``). ``column_map``
    is ``{field: header}`` for this grid, or a :class:`~crmsheet.column_maps.ColumnMap`
    whose maps for this grid's file or sheet apply.
    """
    roles = ROLES if role is None else (role,)
    if isinstance(column_map, ColumnMap):
        overrides = column_map.for_grid(grid)
    else:
        overrides = dict(column_map or {})
    head = grid.cells.head(HEADER_SCAN_ROWS)
    rows = [list(r) for r in head.itertuples(index=False, name=None)]
    best: tuple[int, float, int, Role | None, dict[int, str], str | None] | None = None
    for i, row in enumerate(rows):
        filled = [v for v in row if not _blank(v)]
        if not filled or not any(isinstance(v, str) for v in filled):
            continue
        headers, _ = _display_headers(row)
        for candidate_role in roles:
            mapping = _map_columns(candidate_role, headers, overrides)
            if not mapping:
                continue
            part = _signature(candidate_role, set(mapping.values()))
            hint = 1.5 if _name_hint(candidate_role, grid.sheet) else 0
            score = len(mapping) + (4 if part else 0) + hint
            # a header row is mostly text; a data row that happens to match loses
            text_share = sum(isinstance(v, str) for v in filled) / len(filled)
            score *= text_share
            candidate = (
                int(part is not None),
                score,
                -i,
                candidate_role if part else None,
                mapping,
                part,
            )
            if best is None or candidate[:3] > best[:3]:
                best = candidate
    if best is None:
        first = next((i for i, r in enumerate(rows) if any(not _blank(v) for v in r)), 0)
        headers, dups = _display_headers(rows[first] if rows else [])
        return TableLayout(grid, None, first, _row_number(grid, first), headers, {}, None, dups)
    _, _, neg_i, found, mapping, part = best
    index = -neg_i
    headers, dups = _display_headers(rows[index])
    if found is None:
        mapping = {}
    forced = forced_columns(found, headers, overrides) if found and overrides else {}
    return TableLayout(
        grid=grid,
        role=found,
        header_index=index,
        header_row=_row_number(grid, index),
        headers=headers,
        mapping=mapping,
        part=None if part == "full" else part,
        duplicate_headers=dups,
        user_mapped=tuple(c for c, f in forced.items() if mapping.get(c) == f),
    )


def _row_number(grid: Grid, index: int) -> int:
    return int(grid.rows[index]) if len(grid.rows) > index else index + 1
