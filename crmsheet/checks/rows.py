"""Rules over whole rows: what makes a row unusable, and what the reader noticed in it.

A row is rejected (reported with action "row skipped", kept out of the clean frame) when it
has no key for its role (no customer, no date, no amount...), is a total row, repeats the
header, or the reader could not split it into the header's columns. Invoice lines get their
amount from quantity x price, and credits their sign.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..mapping import column_letter
from ..problems import ProblemCode, problem_rows
from ..schema import Role
from .cells import blank_cells, equals_folded, fullmatch_after, is_missing
from .table import Table

_TOTAL_WORDS = {"total", "totals", "grand total", "subtotal", "sub total", "sum", "overall"}


def grid_notes(table: Table) -> None:
    """Reader notes (ragged rows, guessed encodings) become problems; error rows are rejected."""
    # Excel error cells are reported where they matter, by the field parsers (excel-error)
    row_notes = [
        n
        for n in table.layout.grid.notes
        if n.row is not None and n.code != ProblemCode.EXCEL_ERROR
    ]
    file_notes = [n for n in table.layout.grid.notes if n.row is None]
    for note in file_notes:
        table.problems.append(problem_rows(note.code, file=table.file, sheet=table.sheet,
                                           rows=[table.layout.header_row], cells=[""],
                                           details=[note.message]))  # fmt: skip
    if table.repaired:
        rows = table.frame["_row"]
        for col in sorted({c for c, _ in table.repaired.values()}):
            fixed = rows.map(lambda r, c=col: r in table.repaired and table.repaired[r][0] == c)
            joined = rows.map(lambda r: table.repaired.get(r, (0, ""))[1])
            header = table.layout.headers[col]
            numbers = rows[fixed].tolist()
            cells = [f"{table.sheet}!{column_letter(col)}{r}" for r in numbers]
            table.problems.append(problem_rows(
                ProblemCode.REPAIRED_ROW, file=table.file, sheet=table.sheet, rows=numbers,
                column=header, cells=cells, field=table.layout.mapping.get(col, ""),
                values=joined[fixed].tolist(),
            ))  # fmt: skip
        row_notes = [n for n in row_notes if n.row not in table.repaired]
    if not row_notes:
        return
    by_row = {n.row: n for n in row_notes}
    mask = table.frame["_row"].isin(list(by_row))
    details = table.frame["_row"].map(lambda r: by_row[r].message if r in by_row else "")
    errors = table.frame["_row"].map(lambda r: r in by_row and by_row[r].severity == "error")
    code_of = table.frame["_row"].map(lambda r: by_row[r].code if r in by_row else "")
    for code in set(code_of[mask]):
        sel = mask & (code_of == code)
        table.report(code, sel, details=details, reject=bool((errors & sel).any()))


def rows_above_header(table: Table) -> int:
    """Records above the header row are reported (skipped, never silently lost); returns
    how many.

    Nothing above the header is read, so whatever is typed there is either a title or a
    note, or a record the user will miss. The rule: a row with two or more filled cells is
    a record (a customer, a second list's header, a line of data); a row with one filled
    cell is a title or a note ("Customer list 2024", "Exported from Shop") and is passed
    over in silence. Blank rows are neither.
    """
    layout = table.layout
    top = min(table.top, layout.header_index)
    above = layout.grid.cells.iloc[:top]
    if above.empty:
        return 0
    filled = np.zeros(len(above), dtype="int64")
    for col in above.columns:
        filled += ~blank_cells(above[col]).to_numpy(dtype=bool)
    records = np.flatnonzero(filled >= 2)
    if not len(records):
        return 0
    rows = np.asarray(layout.grid.rows[:top])[records]
    shown = [_row_text(above.iloc[pos].tolist()) for pos in records]  # few rows: above only
    table.problems.append(problem_rows(
        ProblemCode.ROW_ABOVE_HEADER, file=table.file, sheet=table.sheet, rows=rows,
        cells=[f"{table.sheet}!{r}:{r}" for r in rows], values=shown,
        details=str(layout.header_row),
    ))  # fmt: skip
    return len(records)


def _row_text(values: list[object]) -> str:
    """The first filled cells of a row, as the report shows it: "C1, Ann, ann@shop.com, ..."."""
    filled = [str(v).strip() for v in values if not is_missing(v) and str(v).strip()]
    return ", ".join(filled[:3]) + (", ..." if len(filled) > 3 else "")


def repeated_headers(table: Table) -> None:
    """Rows that repeat the header row (sheets pasted one under another) are rejected."""
    headers = [h.casefold() for h in table.layout.headers]
    raw = table.cells
    if raw.empty or not table.layout.mapping:
        return
    first = min(table.layout.mapping)  # cheap filter first: rows whose key cell is its header
    same = equals_folded(raw[first], headers[first])
    if not same.any():
        return
    for col, header in enumerate(headers[: raw.shape[1]]):
        same &= raw[col].astype("string").str.strip().str.casefold().fillna("") == header
    table.report(ProblemCode.REPEATED_HEADER, same & ~table.rejected, reject=True)


def second_headers(table: Table) -> None:
    """The header found again (checks.second_header) is skipped: ``reordered-header`` when
    its columns are in another order, ``repeated-header`` when in the same."""
    if not table.second_headers:
        return
    rows = table.frame["_row"]
    found = table.second_headers
    unplaced = rows.map(lambda r: _unplaced_note(found[r].unplaced if r in found else ()))
    reordered = [r for r, s in found.items() if s.reordered]
    table.report(ProblemCode.REORDERED_HEADER, rows.isin(reordered), details=unplaced,
                 reject=True)  # fmt: skip
    same = [r for r, s in found.items() if not s.reordered]
    table.report(ProblemCode.REPEATED_HEADER, rows.isin(same), reject=True)


def _unplaced_note(columns: tuple[str, ...]) -> str:
    if not columns:
        return ""
    shown = ", ".join(f"“{c}”" for c in columns[:5]) + (", ..." if len(columns) > 5 else "")
    return (f" Its columns {shown} are not in the first header and were not read: add them "
            "to the first header to keep them.")  # fmt: skip


def row_rules(table: Table, role: Role) -> None:
    """Reject the rows a role cannot use; derive line amounts, credits, spend periods."""
    f = table.frame
    alive = ~table.rejected
    if role == "customers":
        no_key = f["customer_id"].isna() & f["name"].isna()
        table.report(ProblemCode.MISSING_ID_AND_NAME, alive & no_key, reject=True)
        for name in ("name", "customer_id"):
            total = f[name].astype("string").str.casefold().str.strip().isin(_TOTAL_WORDS)
            table.report(ProblemCode.TOTAL_ROW, alive & ~table.rejected & total.fillna(False), name,
                         reject=True)  # fmt: skip
        return
    if role == "transactions":
        part = table.layout.part
        if part not in ("lines", "payments"):  # their customer comes from the order row
            no_customer = f["customer_id"].isna() & f["customer_name"].isna()
            table.report(ProblemCode.MISSING_CUSTOMER, alive & no_customer, reject=True)
            for name in ("customer_name", "customer_id"):
                total = f[name].astype("string").str.casefold().str.strip().isin(_TOTAL_WORDS)
                table.report(ProblemCode.TOTAL_ROW, ~table.rejected & total.fillna(False), name,
                             reject=True)  # fmt: skip
            _require(table, "date", ProblemCode.MISSING_DATE)
        if part != "orders":
            _line_amounts(table)
            no_amount = f["amount"].isna()
            table.report(
                ProblemCode.MISSING_AMOUNT, ~table.rejected & no_amount, "amount", reject=True
            )
        _kinds(table)
        return
    if role == "spend":
        _require(table, "amount", ProblemCode.MISSING_AMOUNT)
        none = f["source"].isna() & f["campaign"].isna()
        table.report(ProblemCode.MISSING_SPEND_SOURCE, ~table.rejected & none, reject=True)
        start, end, month = f["period_start"], f["period_end"], f["month"]
        f["period_start"] = start.fillna(month.dt.to_period("M").dt.start_time)
        f["period_end"] = end.fillna(month.dt.to_period("M").dt.end_time.dt.normalize())
        f["period_start"] = f["period_start"].fillna(f["period_end"])
        f["period_end"] = f["period_end"].fillna(f["period_start"])
        table.report(ProblemCode.MISSING_PERIOD, ~table.rejected & f["period_start"].isna(),
                     reject=True)  # fmt: skip
        return
    # support
    no_customer = f["customer_id"].isna() & f["customer_name"].isna()
    table.report(ProblemCode.MISSING_CUSTOMER, alive & no_customer, reject=True)
    f["cases"] = f["cases"].fillna(1)


def _require(table: Table, name: str, code: ProblemCode) -> None:
    """Rows without a usable ``name`` are rejected with ``code``."""
    col = table.layout.field_columns.get(name)
    missing = table.frame[name].isna() & ~table.rejected
    values = table.raw(col) if col is not None else None
    table.report(code, missing, name, values=values, reject=True)


def _line_amounts(table: Table) -> None:
    """amount = quantity x unit price x (1 - discount) where no amount is given."""
    f = table.frame
    discount = f["discount"].fillna(0.0)
    computed = f["quantity"] * f["unit_price"] * (1.0 - discount)
    f["amount"] = f["amount"].fillna(computed)


def _kinds(table: Table) -> None:
    """Credits: a kind that says so, an invoice number like C12345, or a negative amount.

    A kind written in the row wins over the number. A number alone decides only when few of the
    table's numbers look like it: when most do, C is the shop's own numbering (its invoices are
    not all credit notes). Either reading of a positive amount is one warning on its first row.
    """
    f = table.frame
    kind = f["kind"].astype("object")
    invoice = f["invoice"].astype("string")
    c_number = fullmatch_after(("C", "c"), invoice, r"[Cc]\s*-?\d[\w/-]*")
    negative = (f["amount"] < 0).fillna(False)
    named = kind.notna()
    unnamed = ~named & ~table.rejected
    by_number = c_number & unnamed & ~negative  # the number alone would make it a credit
    if by_number.any():
        numbered = int((invoice.notna() & unnamed).sum())
        own = int(c_number[unnamed].sum()) * 2 > numbered  # most numbers start with C
        first = by_number & (by_number.cumsum() == 1)
        n = int(by_number.sum())
        rows = f"{n:,} {'row' if n == 1 else 'rows'} with a positive amount"
        detail = (
            f"most invoice numbers on this sheet start with C ({rows}), so they are read as "
            "your own invoice numbers, not credit notes. If they are credit notes, add a Kind "
            "column that says so (invoice / credit note)."
            if own else
            f"an invoice number starting with C is read as a credit note, so {rows} "
            f"{'is' if n == 1 else 'are'} subtracted from revenue. If C is how your invoices "
            "are numbered, add a Kind column that says which rows are invoices."
        )  # fmt: skip
        table.report(ProblemCode.CREDIT_BY_NUMBER, first, "invoice", details=detail)
        if own:
            c_number = c_number & ~by_number
    kind = kind.where(named, pd.Series("invoice", index=f.index))
    kind = kind.mask(((c_number & ~named) | negative) & (kind != "quote"), "credit")
    f["kind"] = kind
    credit_positive = (kind == "credit") & (f["amount"] > 0).fillna(False)
    f["amount"] = f["amount"].mask(credit_positive, -f["amount"])
