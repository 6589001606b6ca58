"""Transaction tables joined across files by invoice or order number, and what was joined.

customers <- orders <- order lines or payments: a line or a payment names no customer, so it
takes its customer (and date) from the row of its invoice or order, in an order table
(number, customer, date, no amount) or in a table of invoices with totals. One source counts
as sales per invoice: the invoice's total when there is one (its lines are then checked
against it, a warning per invoice that does not add up), else its lines, else (an order
with neither) the payments made against it. Payments beside amounts are cash, not sales:
they are linked to their customer and kept aside. Every line or payment that names no
known invoice is reported on its own row, and each join is written down as a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..problems import ProblemCode
from .cells import as_text
from .table import Table

__all__ = ["Joined", "join_keys", "join_transactions", "unpad"]

#: What an order row lends to the lines and payments that name it.
ORDER_COLUMNS = ["customer_id", "customer_name", "customer_email", "date"]
#: Sums that differ by less than this (half a cent, plus float noise) agree.
_CENT = 0.005 + 1e-9
_ROWS_LISTED = 8


@dataclass
class Joined:
    """The rows counted as sales, the rows kept aside, and a sentence per join."""

    sales: list[pd.DataFrame] = field(default_factory=list)
    checked: list[pd.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def join_keys(values: pd.Series) -> pd.Series:
    """Invoice/order numbers as compared across files: trimmed text, ``2.0`` written ``2``.

    Numbers from Excel cells are read as ``2134`` already; a CSV written by pandas from a
    float column says ``2.0``. Text stays text, so a 19-digit ID keeps every digit and
    ``0001`` stays ``0001`` (see :func:`unpad` for when padding is dropped).
    """
    text = as_text(values).str.strip()
    text = text.str.replace(r"^([+-]?\d+)\.0*$", r"\1", regex=True)
    return text.mask(text == "")


def unpad(keys: Sequence[pd.Series]) -> list[pd.Series]:
    """Leading zeros dropped when every number on every side is digits only.

    Then the numbers are numeric IDs that one system pads (``0000010248``) and another does
    not (``10248``); as soon as any side holds codes with letters, ``0001`` and ``1`` differ.
    """
    digits = all(k.dropna().str.fullmatch(r"\d+").all() for k in keys)
    if not digits:
        return list(keys)
    return [k.str.replace(r"^0+(?=\d)", "", regex=True) for k in keys]


def _name(t: Table) -> str:
    """A table as the user knows it: the file, and the sheet when a workbook has several."""
    if t.sheet == t.file:
        return t.file
    return f"{t.file} ({t.sheet})"


def _names(tables: Sequence[Table]) -> str:
    names = list(dict.fromkeys(_name(t) for t in tables))
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _header(t: Table, name: str) -> str:
    col = t.layout.field_columns.get(name)
    return t.layout.headers[col] if col is not None else name


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _money(x: float) -> str:
    return f"{x:,.2f}"


def join_transactions(
    full: Sequence[Table],
    orders: Sequence[Table],
    lines: Sequence[Table],
    payments: Sequence[Table],
) -> Joined:
    """Join lines and payments to their invoice/order rows; choose what counts as sales."""
    out = Joined(sales=[t.frame.loc[t.in_use()] for t in full])
    referring = [*lines, *payments]
    if not referring:
        for t in orders:
            _no_amount(t, ~t.rejected, "no order lines or payments were given", out)
        return out
    heads = [t for t in [*full, *orders] if "invoice" in t.layout.field_columns]
    keys = unpad([join_keys(t.frame["invoice"]) for t in [*heads, *referring]])
    head_keys = dict(zip(map(id, heads), keys[: len(heads)], strict=True))
    ref_keys = dict(zip(map(id, referring), keys[len(heads) :], strict=True))
    lookup, totals = _order_lookup(heads, head_keys)
    left_out = _left_out(heads, head_keys, lookup)
    order_only = lookup.index.difference(totals.index)
    # which orders without amounts get their sales from lines: those any line names
    named = [ref_keys[id(t)][~t.rejected] for t in lines]
    lined = pd.Index(pd.concat(named) if named else pd.Series(dtype="string")).dropna()
    checked_lines: list[tuple[Table, pd.DataFrame]] = []
    for t in lines:
        key = ref_keys[id(t)]
        alive_before, alive = _reject_unknown(t, key, lookup, left_out,
                                              ProblemCode.UNKNOWN_INVOICE)  # fmt: skip
        on_total = alive & key.isin(totals.index)
        sales = _lend(t.frame.loc[alive & ~on_total], key[alive & ~on_total], lookup)
        checked = _lend(t.frame.loc[on_total], key[on_total], lookup)
        out.sales.append(sales)
        out.checked.append(checked.assign(_use="line checked"))
        checked_lines.append((t, checked.assign(_key=key[on_total])))
        out.notes.append(_lines_note(t, int(alive.sum()), alive_before, heads, lookup, key,
                                     sales))  # fmt: skip
    differ = _check_totals(full, head_keys, totals, checked_lines)
    if any(len(c) for _, c in checked_lines):
        checkers = [t for t, c in checked_lines if len(c)]
        out.notes.append(
            f"revenue from the totals in {_names([t for t in full if id(t) in head_keys])}; "
            f"{_names(checkers)} checked against them: "
            + (
                f"{_count(differ, 'invoice differs', 'invoices differ')}"
                if differ
                else "every invoice adds up"
            )
        )
    paid: set[str] = set()
    for t in payments:
        key = ref_keys[id(t)]
        alive_before, alive = _reject_unknown(t, key, lookup, left_out,
                                              ProblemCode.PAYMENT_UNKNOWN_ORDER)  # fmt: skip
        # an order with no amount and no lines: what was paid is all there is to count
        as_sales = alive & key.isin(order_only) & ~key.isin(lined)
        sales = _lend(t.frame.loc[as_sales], key[as_sales], lookup)
        cash = _lend(t.frame.loc[alive & ~as_sales], key[alive & ~as_sales], lookup)
        out.sales.append(sales)
        out.checked.append(cash.assign(_use="payment"))
        paid.update(key[as_sales].dropna().tolist())
        matched = int(alive.sum())
        note = (f"{_name(t)}: {matched:,} of {alive_before:,} payments matched an order in "
                f"{_names(heads)} by {_header(t, 'invoice')}")  # fmt: skip
        if len(cash):
            note += f"; {_count(len(cash), 'payment')} kept aside as cash received, not sales"
        if len(sales):
            note += (f"; revenue from {_count(len(sales), 'payment')} for orders that have no "
                     f"amounts and no lines")  # fmt: skip
        out.notes.append(note)
    # an order whose lines were all left out (each line says why) is not reported again
    every_line = [ref_keys[id(t)] for t in lines]
    named_at_all = set(pd.concat(every_line).dropna().tolist()) if every_line else set()
    used = set(lined.tolist()) | paid | named_at_all
    for t in orders:
        key = head_keys.get(id(t))
        if key is None:
            continue
        none = ~t.rejected & ~key.isin(list(used))
        detail = (f"no line in {_names(lines)} names it" if lines
                  else "no payment in " + _names(payments) + " names it")  # fmt: skip
        _no_amount(t, none, detail, out)
    return out


def _no_amount(t: Table, mask: pd.Series, detail: str, out: Joined) -> None:
    """Order rows with nothing to count: each reported, and one sentence for the table."""
    n = int(mask.fillna(False).sum())
    if not n:
        return
    t.report(ProblemCode.ORDER_WITHOUT_AMOUNT, mask, "invoice", values=t.frame["invoice"],
             details=detail, reject=True)  # fmt: skip
    out.notes.append(f"{_name(t)}: {_count(n, 'order')} without an amount, so no sales "
                     f"counted for them ({detail})")  # fmt: skip


def _order_lookup(
    heads: Sequence[Table], head_keys: dict[int, pd.Series]
) -> tuple[pd.DataFrame, pd.Series]:
    """(invoice key -> customer, date and source table; invoice key -> total of its rows).

    Invoices with totals come first, so an invoice on both kinds of table keeps its total.
    """
    frames = []
    for order, t in enumerate(heads):
        alive = t.in_use()
        f = t.frame.loc[alive, [*ORDER_COLUMNS, "status", "amount"]].copy()
        f["_k"] = head_keys[id(t)][alive]
        f["_head"] = order
        f["_total"] = t.layout.part is None
        frames.append(f)
    if not frames:
        empty = pd.DataFrame(columns=[*ORDER_COLUMNS, "status", "_head"])
        return empty, pd.Series(dtype="float64")
    head = pd.concat(frames, ignore_index=True).dropna(subset=["_k"])
    head = head.sort_values("_total", ascending=False, kind="stable")
    lookup = head.drop_duplicates("_k").set_index("_k")[[*ORDER_COLUMNS, "status", "_head"]]
    with_total = head[head["_total"]]
    totals = with_total.groupby("_k", sort=False)["amount"].sum()
    return lookup, totals


def _left_out(
    heads: Sequence[Table], head_keys: dict[int, pd.Series], lookup: pd.DataFrame
) -> pd.Series:
    """Invoice key -> where its order row is ("Orders row 4"), for the orders whose every
    row was left out (rejected with a problem of its own)."""
    parts = []
    for t in heads:
        key = head_keys[id(t)]
        out = t.rejected & key.notna() & ~key.isin(lookup.index)
        if out.any():
            rows = t.frame.loc[out, "_row"].astype("int64").astype(str)
            parts.append(pd.Series((f"{t.sheet} row " + rows).to_numpy(), index=key[out]))
    if not parts:
        return pd.Series(dtype=object)
    where = pd.concat(parts)
    return where[~where.index.duplicated(keep="first")]


def _reject_unknown(
    t: Table, key: pd.Series, lookup: pd.DataFrame, left_out: pd.Series, code: ProblemCode
) -> tuple[int, pd.Series]:
    """Report and reject the rows naming an order on no order row, or on one left out;
    (rows alive before, the rows alive after)."""
    alive_before = int((~t.rejected).sum())
    known = key.isin(lookup.index) & key.notna()
    gone = ~t.rejected & ~known & key.isin(left_out.index)
    t.report(ProblemCode.ORDER_LEFT_OUT, gone, "invoice", values=t.frame["invoice"],
             details=key.map(left_out).astype(object), reject=True)  # fmt: skip
    t.report(code, ~t.rejected & ~known, "invoice", values=t.frame["invoice"], reject=True)
    return alive_before, ~t.rejected


def _lend(rows: pd.DataFrame, key: pd.Series, lookup: pd.DataFrame) -> pd.DataFrame:
    """Rows with the customer and date of their order row (their own date if it has none),
    and its status when they have none of their own (a cancelled order's lines)."""
    rows = rows.copy()
    own_date = rows.get("date")
    for col in ORDER_COLUMNS:
        rows[col] = key.map(lookup[col]).to_numpy() if len(rows) else pd.Series(dtype=object)
    if len(rows) and "status" in rows and "status" in lookup:
        rows["status"] = rows["status"].fillna(pd.Series(key.map(lookup["status"]).to_numpy(),
                                                         index=rows.index))  # fmt: skip
    if len(rows):
        rows["date"] = pd.to_datetime(rows["date"])
        if own_date is not None:
            rows["date"] = rows["date"].fillna(own_date)
    return rows


def _lines_note(
    t: Table,
    matched: int,
    total: int,
    heads: Sequence[Table],
    lookup: pd.DataFrame,
    key: pd.Series,
    sales: pd.DataFrame,
) -> str:
    """'order-details.csv: 2,155 of 2,155 lines matched an order in orders.csv by orderID'."""
    alive = ~t.rejected
    found = [
        heads[i] for i in sorted(key[alive].map(lookup["_head"]).dropna().astype(int).unique())
    ]
    kind = "an order" if any(h.layout.part for h in found) or not found else "an invoice"
    where = _names(found or heads) or "no file"
    note = f"{_name(t)}: {matched:,} of {total:,} lines matched {kind} in {where} by "
    note += _header(t, "invoice")
    if len(sales):
        order_files = _names([h for h in found if h.layout.part])
        note += f"; revenue from {_count(len(sales), 'line')} ({order_files} has no amounts)"
    return note


def _check_totals(
    full: Sequence[Table],
    head_keys: dict[int, pd.Series],
    totals: pd.Series,
    checked_lines: Sequence[tuple[Table, pd.DataFrame]],
) -> int:
    """A warning per invoice whose lines do not add up to its total; how many differ."""
    parts = [c.assign(_from=_name(t)) for t, c in checked_lines if len(c)]
    if not parts:
        return 0
    lines = pd.concat(parts, ignore_index=True)
    sums = lines.groupby("_key", sort=False)["amount"].sum()
    gap = (sums - totals.reindex(sums.index)).abs()
    differ = sums.index[(gap > _CENT + 1e-9 * totals.reindex(sums.index).abs()).to_numpy()]
    if not len(differ):
        return 0
    odd = lines[lines["_key"].isin(differ)]
    money = _money_text(sums[differ]) + " (" + _row_lists(odd) + "), while its total is "
    detail = money + _money_text(totals[differ])
    for t in full:
        key = head_keys.get(id(t))
        if key is None:
            continue
        first = t.in_use() & key.isin(differ) & ~key.duplicated(keep="first")
        t.report(ProblemCode.LINES_TOTAL_MISMATCH, first, "invoice", values=t.frame["invoice"],
                 details=key.map(detail).astype(object))  # fmt: skip
    return len(differ)


def _money_text(values: pd.Series) -> pd.Series:
    return values.map("{:,.2f}".format).astype("string")


def _joined(parts: pd.DataFrame, sep: str) -> pd.Series:
    """The columns of ``parts`` (text or missing) joined with ``sep``, row by row."""
    out = parts.iloc[:, 0].astype("string")
    for col in parts.columns[1:]:
        nxt = parts[col].astype("string")
        out = (out + sep + nxt).fillna(out)
    return out


def _row_lists(lines: pd.DataFrame) -> pd.Series:
    """Per invoice key: 'lines.csv rows 2, 3, 4 and 6 more' (a few rows, then how many more).

    Vectorised: the first rows of each invoice and file become columns, joined as text, so
    100,000 invoices that do not add up cost no Python loop per invoice.
    """
    groups = lines.groupby(["_key", "_from"], sort=False)
    size = groups["_row"].transform("size")
    pos = groups.cumcount()
    shown = lines.assign(_pos=pos, _r=lines["_row"].astype("int64").astype("string"))
    shown = shown[(pos < _ROWS_LISTED).to_numpy()]
    wide = shown.pivot_table(index=["_key", "_from"], columns="_pos", values="_r",
                             aggfunc="first", sort=False)  # fmt: skip
    text = _joined(wide, ", ")
    n = size.groupby([lines["_key"], lines["_from"]], sort=False).first().reindex(text.index)
    more = (n - _ROWS_LISTED).clip(lower=0)
    tail = (" and " + more.map("{:,}".format) + " more").where(more > 0, "").astype("string")
    word = pd.Series("rows", index=text.index).where(n > 1, "row")
    files = pd.Series(text.index.get_level_values("_from"), index=text.index).astype("string")
    per_file = (files + " " + word + " " + text + tail).rename("_t").reset_index()
    per_file["_n"] = per_file.groupby("_key", sort=False).cumcount()
    by_key = per_file.pivot(index="_key", columns="_n", values="_t")
    return _joined(by_key, "; ")
