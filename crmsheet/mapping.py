"""Find the header row of a sheet, what the sheet is for, and which column is which field.

Pure functions over :class:`~crmsheet.io.grid.Grid`: no file is opened here. The rules come
from :mod:`crmsheet.schema` (each field's header synonyms), so a synonym added there is
understood everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .column_maps import ColumnMap, forced_columns, parse_column_map
from .evidence import gather, order_numbers
from .headercells import HeaderCells, column_letter
from .headercells import display_headers as _display_headers
from .headerwords import LONGEST_HEADER, RECORD_WORDS, Hit, header_words
from .io.grid import Grid, filled_cells
from .schema import ROLES, Role, field_specs, normalise_header

__all__ = ["TableLayout", "column_letter", "layout_table", "parse_column_map"]

#: How far down a sheet the header row is looked for (title rows, notes, blank lines).
HEADER_SCAN_ROWS = 30

#: On a wide sheet fewer rows are searched, so the search reads at most about this many cells.
HEADER_SCAN_CELLS = 40_000


def scan_rows(columns: int) -> int:
    """How many top rows are searched for the header: all 30, or fewer on a wide sheet."""
    return max(4, min(HEADER_SCAN_ROWS, HEADER_SCAN_CELLS // max(columns, 1)))


#: A runner-up role scoring within this much of the chosen one makes the role a close call.
CLOSE_CALL_MARGIN = 1.0

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
    ``reason`` says why the role was chosen (the headers and the data that decided it);
    ``close_call`` is True when another role scored within :data:`CLOSE_CALL_MARGIN`.
    """

    grid: Grid
    role: Role | None
    header_index: int
    header_row: int
    headers: tuple[str, ...]
    mapping: dict[int, str]
    part: str | None = None
    duplicate_headers: tuple[int, ...] = field(default_factory=tuple)
    reason: str = ""
    close_call: bool = False
    user_mapped: tuple[int, ...] = field(default_factory=tuple)
    """The columns whose field a column map (``--map``) gave, not the automatic matching."""

    @property
    def field_columns(self) -> dict[str, int]:
        return {f: c for c, f in self.mapping.items()}

    def header_to_field(self) -> dict[str, str]:
        """Header text -> field, in column order: what the user sees as 'the mapping'."""
        return {self.headers[c]: f for c, f in sorted(self.mapping.items())}


#: Fields read when a sheet has them that say nothing of its role: a customer list has a
#: currency too (SAP businessPartner.csv's CURRENCY), so it must not make it look like sales.
UNWEIGHED = frozenset({"currency", "exchange_rate"})

# -- columns -------------------------------------------------------------------------------

#: Headers that name an identifier without saying whose it is: a code list has them too.
_GENERIC_IDS: frozenset[tuple[str, ...]] = frozenset(
    {("id",), ("no",), ("number",), ("ref",), ("reference",), ("code",)}
)


def _map_columns(
    role: Role,
    hits: list[tuple[int, Hit]],
    forced: Mapping[int, str],
    filled: np.ndarray | None = None,
) -> dict[int, str]:
    """column -> field: the user's map first, then the most specific synonym per field.

    ``hits`` are the header cells that name a field of ``role``. With ``filled`` (one flag
    per column: any data below the header), a field prefers a column that has data, so an
    empty ``ACCOUNTNUMBER`` does not take the customer id from a filled ``ID``.
    """
    specs = field_specs(role)
    mapping = {col: name for col, name in forced.items() if name in specs}
    used = set(mapping.values())
    best: dict[str, tuple[bool, int, int]] = {}  # field -> (no data, rank, col)
    for col, hit in hits:
        if col in mapping or hit.field in used:
            continue
        empty = filled is not None and not bool(filled[col])
        key = (empty, hit.rank, col)
        if hit.field not in best or key < best[hit.field]:
            best[hit.field] = key
    for name, (_, _, col) in best.items():
        mapping[col] = name
    return dict(sorted(mapping.items()))


# -- roles ---------------------------------------------------------------------------------


def _signature(role: Role, fields: set[str], *, weak_id: bool = False) -> str | None:
    """'full' when the fields make a usable table of ``role``; a part name; else None.

    ``weak_id``: the customer id's (for support, the case id's) header is a bare
    ``ID``/``Code``/``No``, which a coupon
    list or a code table has too; it makes a customer list only with a name or a way to
    reach the customer beside it.
    """
    has_customer = bool(fields & {"customer_id", "customer_name"})
    if role == "customers":
        # a list of people (first and last name, or a contact) is named after them
        if fields & {"name", "first_name", "last_name", "contact"}:
            return "full"
        if "customer_id" in fields and (not weak_id or fields & {"email", "phone"}):
            return "full"
        return None
    if role == "transactions":
        priced = bool(fields & {"amount", "unit_price", "line_amount"})
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
    # support: a case number under a bare ``ID`` is not evidence of support cases
    demand = bool(fields & {"cases", "minutes", "severity"}) or (
        "case_id" in fields and not weak_id
    )
    return "full" if has_customer and demand else None


#: Words in a sheet or file name that say its list is of someone other than customers
#: (Northwind's employees.csv and shippers.csv have ids, names and phones like customers).
_OTHER_PEOPLE = ("employee", "staff", "personnel", "shipper", "carrier", "supplier", "vendor",
                 "product", "categor", "inventory", "warehouse", "territor", "coupon")  # fmt: skip


def _names_other_people(name: str) -> bool:
    text = normalise_header(name[:LONGEST_HEADER])
    return any(word in text for word in _OTHER_PEOPLE)


def _name_hint(role: Role, name: str) -> bool:
    text = normalise_header(name[:LONGEST_HEADER])
    return any(hint in text for hint in _NAME_HINTS[role])


#: The fields each role's reason names, in this order, when the sheet has them.
_DECIDING: dict[Role, tuple[str, ...]] = {
    "customers": ("customer_id", "name", "email", "phone"),
    "transactions": ("date", "amount", "unit_price", "customer_id", "customer_name", "invoice"),
    "spend": ("amount", "source", "campaign", "month", "period_start", "period_end"),
    "support": ("customer_id", "customer_name", "cases", "minutes", "severity", "case_id"),
}


@dataclass(frozen=True)
class _Candidate:
    role: Role
    mapping: dict[int, str]
    part: str | None
    score: float
    notes: tuple[str, ...] = ()


def _row_headers(cells: HeaderCells, i: int, overrides: Mapping[str, str]) -> tuple[str, ...]:
    """Row ``i``'s display headers, which the user's ``--map`` names; () without maps."""
    return _display_headers(list(cells.values[i]))[0] if overrides else ()


def _candidates(
    grid: Grid,
    cells: HeaderCells,
    i: int,
    roles: tuple[Role, ...],
    overrides: Mapping[str, str],
    filled: np.ndarray | None = None,
) -> list[_Candidate]:
    """Every role's reading of row ``i`` as the header, scored on its headers alone."""
    headers = _row_headers(cells, i, overrides)
    row_text = cells.text[cells.codes[i]]
    filled_cells = int((~cells.blank[cells.codes[i]]).sum())
    # a header row is mostly text; a data row that happens to match loses
    text_share = int(row_text.sum()) / max(filled_cells, 1)
    transaction_only: set[int] = set()
    if "transactions" in cells.hits:
        customer_cols = (
            {c for c, _ in cells.row_hits("customers", i)} if "customers" in cells.hits else set()
        )
        transaction_only = {
            c
            for c, hit in cells.row_hits("transactions", i)
            if hit.record_words and c not in customer_cols and hit.field not in UNWEIGHED
        }
    out: list[_Candidate] = []
    for role in roles:
        forced = forced_columns(role, headers, overrides) if overrides else {}
        mapping = _map_columns(role, cells.row_hits(role, i), forced, filled)
        if not mapping:
            continue
        fields = set(mapping.values())
        own_id = "case_id" if role == "support" else "customer_id"  # a bare ID is whose?
        id_col = next((c for c, f in mapping.items() if f == own_id), None)
        weak = id_col is not None and id_col not in forced
        weak = weak and cells.words(i, id_col) in _GENERIC_IDS  # type: ignore[arg-type]
        hinted = _name_hint(role, grid.sheet)
        part = _signature(role, fields, weak_id=weak and not hinted)
        said = forced or any(  # the headers themselves say customer: the name does not decide
            {"customer", "client"} & set(cells.words(i, c)) for c in mapping
        )
        if role == "customers" and not hinted and not said and _names_other_people(grid.sheet):
            part = None  # employees.csv, shippers.csv: a list of people, not customers
        weighed = sum(1 for f in fields if f not in UNWEIGHED)
        score = weighed + (4 if part else 0) + (1.5 if hinted else 0)
        if role == "transactions":  # OrderDate, paymentDate: words of a sales log
            score += min(2.0, 0.5 * len(transaction_only))
        out.append(_Candidate(role, mapping, part, score * text_share))
    return out


def _weigh(
    grid: Grid, index: int, headers: tuple[str, ...], found: list[_Candidate]
) -> list[_Candidate]:
    """The candidates of the chosen header row, rescored on the rows below it."""
    out: list[_Candidate] = []
    for c in found:
        if c.part is None:
            continue
        cols = {f: col for col, f in c.mapping.items()}
        ref = cols.get("customer_id", cols.get("customer_name"))
        priced = cols.get("amount", cols.get("unit_price", cols.get("revenue")))
        dated = cols.get("date", cols.get("first_transaction", cols.get("last_transaction")))
        ev = gather(grid, index, ref, dated, priced, _order_number(headers, cols))
        score, notes = c.score, list[str]()
        ref_text = "" if ref is None else (
            f"{headers[ref]}: {ev.reference_distinct:,} values on {ev.reference_values:,} rows"
        )  # fmt: skip
        if c.role == "transactions" and ev.transactions:
            score += 3
            if ev.repeats:
                notes.append(f"customer reference repeats ({ref_text})")
            else:
                notes.append(f"an order number on every row ({headers[cols['invoice']]})")
        elif c.role == "customers" and _log_like(grid, index, headers, found):
            continue  # dates, amounts and a repeated customer: never a customer list
        elif c.role == "transactions" and c.part == "full" and ev.once_each:
            score -= 2
            notes.append(f"customer reference never repeats ({ref_text})")
        elif c.role == "customers" and ev.repeats and ref is not None:
            notes.append(f"customer reference repeats ({ref_text})")
        out.append(_Candidate(c.role, c.mapping, c.part, score, tuple(notes)))
    return sorted(out, key=lambda c: -c.score)  # stable: ROLES order breaks a tie


def _log_like(grid: Grid, index: int, headers: tuple[str, ...], found: list[_Candidate]) -> bool:
    """The transactions reading of this header row has the evidence of a sales log."""
    for c in found:
        if c.role == "transactions" and c.part == "full":
            cols = {f: col for col, f in c.mapping.items()}
            ref = cols.get("customer_id", cols.get("customer_name"))
            priced = cols.get("amount", cols.get("unit_price"))
            numbered = _order_number(headers, cols)
            return gather(grid, index, ref, cols.get("date"), priced, numbered).transactions
    return False


def _order_number(headers: tuple[str, ...], cols: Mapping[str, int]) -> int | None:
    """The invoice column when its header names an order or invoice (not a bare Number)."""
    col = cols.get("invoice")
    if col is None or not any(w in RECORD_WORDS for w in header_words(headers[col])):
        return None
    return col


def _reason(c: _Candidate, headers: tuple[str, ...], grid: Grid) -> str:
    cols = {f: col for col, f in c.mapping.items()}
    named = [f"{f} ({headers[cols[f]]})" for f in _DECIDING[c.role] if f in cols]
    bits = [", ".join(named)] if named else []
    if _name_hint(c.role, grid.sheet):
        bits.append(f"sheet name “{grid.sheet}”")
    bits.extend(c.notes)
    part = f" ({c.part})" if c.part and c.part != "full" else ""
    return f"{c.role}{part}: " + "; ".join(bits)


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
    (see the signatures in this module), helped by the sheet or file name and weighed on
    the rows below the header (:mod:`crmsheet.evidence`): dates, amounts and a customer
    reference that repeats make a transaction log, never a customer list. A grid that
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
    cells = HeaderCells(grid, scan_rows(grid.cells.shape[1]), ROLES)
    best: tuple[tuple[int, float, int], int] | None = None
    fallback: tuple[float, int, _Candidate] | None = None
    first: int | None = None
    for i in range(cells.values.shape[0]):
        codes = cells.codes[i]
        if first is None and (~cells.blank[codes]).any():
            first = i
        if not cells.text[codes].any():
            continue
        if i != first and cells.recurs(i):
            continue  # "D_AD_TYPE, 02, Business" again two rows down: data, not a header
        for c in _candidates(grid, cells, i, roles, overrides):
            key = (int(c.part is not None), c.score, -i)
            if best is None or key > best[0]:
                best = (key, i)
            if c.part is None and (fallback is None or (c.score, -i) > fallback[:2]):
                fallback = (c.score, -i, c)
    if best is None:
        return _no_role(grid, cells, None, "no header matches a crmsheet field")
    index = best[1]
    headers, dups = _display_headers(list(cells.values[index]))
    if not best[0][0]:
        why = _why_not(fallback[2] if fallback else None, headers, grid.sheet)
        return _no_role(grid, cells, index, why)
    below = filled_cells(grid.cells, slice(index + 1, index + 1 + EVIDENCE_ROWS_FOR_COLUMNS))
    filled = np.asarray(below.any(axis=0)) if len(below) else None
    found = _candidates(grid, cells, index, roles, overrides, filled)
    ranked = _weigh(grid, index, headers, found)
    if not ranked:  # the only reading was a customer list the rows say is a sales log
        why = "dates, amounts and a repeated customer reference, but no usable sales columns"
        return _no_role(grid, cells, index, why)
    chosen = _order_name(grid, cells, index, headers, ranked[0])
    close = len(ranked) > 1 and chosen.score - ranked[1].score < CLOSE_CALL_MARGIN
    forced = forced_columns(chosen.role, headers, overrides) if overrides else {}
    reason = _reason(chosen, headers, grid)
    if close:
        reason += f"; close call: it also reads as {ranked[1].role}"
    return TableLayout(
        grid=grid,
        role=chosen.role,
        header_index=index,
        header_row=_row_number(grid, index),
        headers=headers,
        mapping=chosen.mapping,
        part=None if chosen.part == "full" else chosen.part,
        duplicate_headers=dups,
        reason=reason,
        close_call=close,
        user_mapped=tuple(c for c, f in forced.items() if chosen.mapping.get(c) == f),
    )


def _order_name(
    grid: Grid, cells: HeaderCells, index: int, headers: tuple[str, ...], c: _Candidate
) -> _Candidate:
    """A sales log's ``Name`` of order numbers (Shopify: #1001 on each of an order's lines)
    is the order number, when another column says who the customer is (an email, a billing
    name); the customer name is then that other name column, if any."""
    cols = {f: col for col, f in c.mapping.items()}
    col = cols.get("customer_name")
    if c.role != "transactions" or col is None or "invoice" in cols:
        return c
    if not order_numbers(grid, index, col):
        return c
    body = grid.cells.iloc[index + 1 : index + 1 + EVIDENCE_ROWS_FOR_COLUMNS]
    # a filled column first, then one whose header says name (Billing Name, not Company)
    others = sorted((body.iloc[:, other].isna().all(), "name" not in cells.words(index, other),
                     hit.rank, other)
                    for other, hit in cells.row_hits("transactions", index)
                    if hit.field == "customer_name" and other != col
                    and other not in c.mapping)  # fmt: skip
    if not others and not ({"customer_email", "customer_id"} & cols.keys()):
        return c  # no other customer reference: the name column stays the customer
    mapping = {k: v for k, v in c.mapping.items() if k != col} | {col: "invoice"}
    if others:
        mapping[others[0][-1]] = "customer_name"
    who = [headers[k] for k, f in sorted(mapping.items())
           if f in ("customer_id", "customer_name", "customer_email")]  # fmt: skip
    example = grid.cells.iloc[index + 1 :, col].dropna().iloc[0]
    note = (f"{headers[col]} holds order numbers (like {example}), "
            f"so it is the order number; the customer is {' / '.join(who)}")  # fmt: skip
    part = _signature("transactions", set(mapping.values()))
    return _Candidate(c.role, dict(sorted(mapping.items())), part or c.part, c.score,
                      (*c.notes, note))  # fmt: skip


#: Rows below the header looked at to prefer a filled column over an empty one.
EVIDENCE_ROWS_FOR_COLUMNS = 300


def _why_not(c: _Candidate | None, headers: tuple[str, ...], sheet: str = "") -> str:
    if c is None:
        return "no header matches a crmsheet field"
    if c.role == "customers" and _names_other_people(sheet):
        return (
            f"not customers: its name “{sheet}” says it lists something else (employees, "
            "suppliers, products, coupons...); rename the sheet or file, or map its customer "
            "column with --map, if it holds customers"
        )
    named = ", ".join(f"{f} ({headers[col]})" for col, f in sorted(c.mapping.items()))
    need = {
        "customers": "a customer ID or name (a bare code or ID needs a name, email or phone)",
        "transactions": "a date, a customer and an amount",
        "spend": "an amount, a source or campaign and a month",
        "support": "a customer and cases, minutes or severity",
    }[c.role]
    return f"not {c.role}: it has {named}, but {c.role} need {need}"


def _no_role(grid: Grid, cells: HeaderCells, index: int | None, reason: str) -> TableLayout:
    if index is None:
        nonblank = [i for i in range(cells.values.shape[0])
                    if (~cells.blank[cells.codes[i]]).any()]  # fmt: skip
        index = nonblank[0] if nonblank else 0
    values = list(cells.values[index]) if cells.values.shape[0] else []
    headers, dups = _display_headers(values)
    return TableLayout(grid, None, index, _row_number(grid, index), headers, {}, None, dups,
                       reason=reason)  # fmt: skip


def _row_number(grid: Grid, index: int) -> int:
    return int(grid.rows[index]) if len(grid.rows) > index else index + 1
