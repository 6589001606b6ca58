"""Transaction rows that are on the sheet but are not one sale each: counted once, never lost.

Three exports hold more rows than sales, and reading every row as a sale multiplies revenue:

- an invoice export with one row per line that repeats the invoice's total on every line
  (Zoho: ``Total`` beside ``Item Total``): the total counts once per invoice, or the line
  amounts when the sheet has them, checked against the total;
- a double-entry ledger (Wave: ``Account Type``): only income/revenue/sales lines are sales;
  the receivable, cash and other lines are kept aside, and each invoice's receivable debit
  is checked against its income lines;
- one order in two tables (WooCommerce's two order sheets): counted once, from the table
  read first, with a warning per order naming both places.

Rows set aside stay in ``CrmData.checked`` (``_use`` says why), so every input row is kept or
reported; each rule applied is written down as a note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..problems import ProblemCode
from ..schema import Role
from .joins import _CENT, _row_lists, join_keys, unpad
from .table import Table

__all__ = ["Settled", "row_rules_for_sales", "settle"]

#: An account type that says sales...
_SALES = r"\b(?:income|revenue|revenues|sales?|turnover)\b"
#: ... unless it is a tax, a receivable or a cost booked against them.
_NOT_SALES = r"\b(?:tax|taxes|receivable|payable|cost|costs|expense|expenses)\b"
_RECEIVABLE = r"\breceivable\b"

LEDGER_LINE = "ledger line"
REPEATED_TOTAL = "invoice total repeated"
OTHER_TABLE = "order in another table"
FIRST_LINE_TOTAL = "line of an order whose total is on its first line"


@dataclass
class Settled:
    """Rows kept aside (with ``_use``) and a sentence per rule applied."""

    checked: list[pd.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _name(t: Table) -> str:
    return t.file if t.sheet == t.file else f"{t.file} ({t.sheet})"


def _header(t: Table, name: str) -> str:
    col = t.layout.field_columns.get(name)
    return t.layout.headers[col] if col is not None else name


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _set_aside(t: Table, mask: pd.Series, use: str, uses: dict[int, pd.Series]) -> None:
    """Keep the rows in ``mask`` aside with the reason ``use``."""
    mask = mask.fillna(False).astype(bool)
    t.aside = mask if t.aside is None else (t.aside | mask)
    label = uses.setdefault(id(t), pd.Series(pd.NA, index=t.frame.index, dtype="object"))
    label[mask & label.isna()] = use


# -- ledger lines: before the row rules ------------------------------------------------------


def ledger_lines(table: Table) -> pd.Series | None:
    """Rows of a ledger whose account is not income, revenue or sales (None: not a ledger)."""
    if table.layout.role != "transactions" or "account_type" not in table.layout.field_columns:
        return None
    account = table.frame["account_type"].astype("string").str.casefold()
    sales = account.str.contains(_SALES, regex=True) & ~account.str.contains(_NOT_SALES, regex=True)
    return (account.notna() & ~sales.fillna(False)).astype(bool)


def row_rules_for_sales(table: Table, role: Role, rules: Callable[[Table, Role], None]) -> None:
    """Run the row ``rules`` on the sales rows only: a ledger's cash or receivable line needs
    no customer and is no sale, so it is kept aside instead of rejected."""
    if "amount" not in table.layout.field_columns and "line_amount" in table.layout.field_columns:
        table.frame["amount"] = table.frame["amount"].fillna(table.frame["line_amount"])
    _fill_from_first_line(table)
    aside = ledger_lines(table)
    if aside is None or not aside.any():
        rules(table, role)
        return
    before = table.rejected.copy()
    table.rejected = before | aside
    rules(table, role)
    table.rejected = before | (table.rejected & ~aside)
    table.aside = aside & ~table.rejected


#: Order-level cells a shop export fills on an order's first line only (Shopify).
#: (Not the status: a later line's own status, or its order's from a join, is kept.)
_ORDER_LEVEL = ("customer_id", "customer_name", "customer_email", "date")


def _fill_from_first_line(table: Table) -> None:
    """Blank customer and date cells of an order's later lines take its first line's.

    A Shopify order export fills the order's own columns on its first line only; without
    this its second line would name no customer. Only blanks are filled, and only where the
    order's lines are consecutive rows (a number reused further down is left alone).
    """
    layout = table.layout
    if layout.role != "transactions" or layout.part or "invoice" not in layout.field_columns:
        return  # a table of lines or payments takes its order's cells by the join
    f = table.frame
    key = join_keys(f["invoice"])
    runs = key.ne(key.shift()).fillna(True).astype("int64").cumsum().where(key.notna())
    if not (runs.groupby(key).nunique() == 1).all():
        return
    for name in _ORDER_LEVEL:
        if name in table.layout.field_columns and f[name].isna().any():
            f[name] = f[name].fillna(f[name].groupby(key).transform("first"))


# -- across the full transaction tables: before the joins ----------------------------------


def settle(full: Sequence[Table]) -> Settled:
    """Apply the three rules to the transaction tables that carry their own amounts."""
    out = Settled()
    uses: dict[int, pd.Series] = {}
    for t in full:
        if t.aside is not None and t.aside.any():
            _set_aside(t, t.aside, LEDGER_LINE, uses)
            out.notes.append(_check_ledger(t))
        note = _first_line_totals(t, uses) or _repeated_totals(t, uses)
        if note:
            out.notes.append(note)
    out.notes.extend(_two_tables(full, uses))
    for t in full:
        label = uses.get(id(t))
        if label is not None and label.notna().any():
            out.checked.append(t.frame.loc[label.notna()].assign(_use=label[label.notna()]))
    return out


def _check_ledger(t: Table) -> str:
    """Each invoice's receivable debit against its income lines; the sentence for the table."""
    f = t.frame
    aside = t.aside if t.aside is not None else pd.Series(False, index=f.index)
    sales = ~t.rejected & ~aside
    account = f["account_type"].astype("string")
    key = join_keys(f["invoice"]) if "invoice" in t.layout.field_columns else None
    kinds = account[aside].value_counts()
    kept = ", ".join(f"{k} {n:,}" for k, n in kinds.items())
    note = (f"{_name(t)}: a double-entry ledger ({_header(t, 'account_type')}): "
            f"{_count(int(sales.sum()), 'income line')} counted as sales; "
            f"{_count(int(aside.sum()), 'other line')} kept aside, not sales ({kept})")  # fmt: skip
    if key is None:
        return note
    receivable = (aside & account.str.casefold().str.contains(_RECEIVABLE, regex=True)
                  & (f["amount"] > 0) & key.notna()).fillna(False).astype(bool)  # fmt: skip
    if not receivable.any():
        return note
    debit = f["amount"][receivable].groupby(key[receivable]).sum()
    income = f["amount"][sales].groupby(key[sales]).sum().reindex(debit.index).fillna(0.0)
    gap = (debit - income).abs() > _CENT + 1e-9 * debit.abs()
    detail = (debit.map("{:,.2f}".format) + ", while its income lines add up to "
              + income.map("{:,.2f}".format))  # fmt: skip
    first = (
        receivable
        & key.isin(debit.index[gap.to_numpy()])
        & ~(key.where(receivable).duplicated(keep="first"))
    )
    t.report(ProblemCode.LEDGER_UNBALANCED, first, "invoice", values=f["invoice"],
             details=key.map(detail).astype(object))  # fmt: skip
    agree = int((~gap).sum())
    return note + (f"; the receivable of {agree:,} of {len(debit):,} invoices equals their "
                   "income lines")  # fmt: skip


def _repeated_totals(t: Table, uses: dict[int, pd.Series]) -> str | None:
    """An amount the same on every line of each multi-line invoice is the invoice's total.

    With line amounts, those count (checked against the total; an invoice whose lines do
    not add up counts its total, with a warning); without, the total counts once per
    invoice. Without line amounts, two or more multi-line invoices are needed before a
    repeated amount is taken for a total (one invoice of two equal lines is just that).
    """
    cols = t.layout.field_columns
    if "invoice" not in cols or "amount" not in cols:
        return None
    f = t.frame
    key = join_keys(f["invoice"])
    sel = t.in_use() & key.notna() & f["amount"].notna()
    k, amount = key[sel], f["amount"][sel].round(2)
    size = k.map(k.value_counts())
    multi = size > 1
    has_lines = "line_amount" in cols and f["line_amount"][sel].notna().any()
    invoices_multi = k[multi].nunique()
    if invoices_multi < (1 if has_lines else 2):
        return None
    if (amount[multi].groupby(k[multi]).nunique() > 1).any():
        return None  # amounts differ within an invoice: they are the lines' own
    first = ~k.duplicated(keep="first")
    total_header = _header(t, "amount")
    if not has_lines:
        _set_aside(t, (sel & ~first.reindex(f.index, fill_value=False)), REPEATED_TOTAL, uses)
        return (f"{_name(t)}: {total_header} repeats the invoice total on the "
                f"{int(multi.sum()):,} lines of {_count(invoices_multi, 'invoice')}; counted "
                "once per invoice")  # fmt: skip
    line = f["line_amount"][sel]
    if ((line - amount).abs() <= _CENT).all():
        return None  # the amount is the line's own
    sums = line.groupby(k).sum()
    complete = line.notna().groupby(k).all()
    totals = amount.groupby(k).first()
    ok = complete & ((sums - totals).abs() <= _CENT + 1e-9 * totals.abs())
    row_ok = k.map(ok).astype(bool)
    f.loc[row_ok.index[row_ok.to_numpy()], "amount"] = line[row_ok]
    bad = ~row_ok
    _set_aside(t, (bad & ~first).reindex(f.index, fill_value=False), REPEATED_TOTAL, uses)
    if bad.any():
        odd = pd.DataFrame({"_key": k[bad], "_from": _name(t), "_row": f["_row"][sel][bad]})
        wrong = ok.index[~ok.to_numpy()]
        detail = (sums[wrong].map("{:,.2f}".format) + " (" + _row_lists(odd)
                  + "), while its total is " + totals[wrong].map("{:,.2f}".format))  # fmt: skip
        t.report(ProblemCode.LINES_TOTAL_MISMATCH, (bad & first).reindex(f.index,
                 fill_value=False), "invoice", values=f["invoice"],
                 details=key.map(detail).astype(object))  # fmt: skip
    n_ok, n = int(ok.sum()), len(ok)
    note = (
        f"{_name(t)}: {total_header} repeats the invoice total on its {len(k):,} lines; "
        f"revenue from {_header(t, 'line_amount')}, {n_ok:,} of {n:,} invoices add up"
    )
    if n_ok < n:
        note += f" (the total counts for the {n - n_ok:,} that do not)"
    return note


def _first_line_totals(t: Table, uses: dict[int, pd.Series]) -> str | None:
    """An order's total on its first line only, blank on its other lines (Shopify).

    The total is the order's revenue; the lines (quantity x unit price) are checked against
    it and never added to it: without this rule each later line's own price would count on
    top of the total.
    """
    cols = t.layout.field_columns
    if not {"invoice", "amount", "quantity", "unit_price"} <= cols.keys():
        return None
    f = t.frame
    key = join_keys(f["invoice"])
    sel = t.in_use() & key.notna()
    raw = t.raw(cols["amount"])[sel]
    given = ~(raw.isna() | raw.astype("string").str.strip().eq("").fillna(False))
    k = key[sel]
    first = ~k.duplicated(keep="first")
    multi = k.map(k.value_counts()) > 1
    if not (multi & ~first).any() or (given != first).any():
        return None  # no order of several lines, or a total off its order's first line
    later = (sel & ~first.reindex(f.index, fill_value=False)).astype(bool)
    _set_aside(t, later, FIRST_LINE_TOTAL, uses)
    discount = f["discount"].fillna(0.0) if "discount" in f else 0.0
    line = (f["quantity"] * f["unit_price"] * (1.0 - discount))[sel]
    sums = line.groupby(k).sum()
    priced = line.notna().groupby(k).all()
    totals = f["amount"][sel].groupby(k).first()
    wrong = priced & ((sums - totals).abs() > _CENT + 1e-9 * totals.abs())
    if wrong.any():
        bad = k.map(wrong).astype(bool)
        odd = pd.DataFrame({"_key": k[bad], "_from": _name(t), "_row": f["_row"][sel][bad]})
        names = wrong.index[wrong.to_numpy()]
        detail = (sums[names].map("{:,.2f}".format) + " (" + _row_lists(odd)
                  + "), while its total is " + totals[names].map("{:,.2f}".format))  # fmt: skip
        t.report(ProblemCode.LINES_TOTAL_MISMATCH, (bad & first).reindex(f.index,
                 fill_value=False), "invoice", values=f["invoice"],
                 details=key.map(detail).astype(object))  # fmt: skip
    n, n_ok = int(priced.sum()), int((priced & ~wrong).sum())
    return (f"{_name(t)}: {_header(t, 'amount')} is each order's total, on its first line "
            f"only; the other lines ({_count(int(later.sum()), 'line')} in "
            f"{_count(int(k[multi].nunique()), 'order')}) count within it, not on top of it; "
            f"the lines of {n_ok:,} of {n:,} orders add up to their total")  # fmt: skip


def _two_tables(full: Sequence[Table], uses: dict[int, pd.Series]) -> list[str]:
    """An order number in two tables with totals counts once, from the table read first."""
    tabs = [t for t in full if "invoice" in t.layout.field_columns]
    if len(tabs) < 2:
        return []
    keys = unpad([join_keys(t.frame["invoice"]) for t in tabs])
    parts = []
    for i, (t, key) in enumerate(zip(tabs, keys, strict=True)):
        use = t.in_use() & key.notna()
        part = t.frame.loc[use, ["amount", "customer_id", "customer_name", "_row"]]
        parts.append(part.assign(_k=key[use], _t=i))
    rows = pd.concat(parts)
    orders = rows.groupby(["_t", "_k"], sort=False).agg(
        total=("amount", "sum"), cid=("customer_id", "first"),
        cname=("customer_name", "first"), row=("_row", "first"),
    ).reset_index().sort_values("_t", kind="stable")  # fmt: skip
    win = orders.drop_duplicates("_k").set_index("_k")
    later = orders[orders.duplicated("_k", keep="first")].copy()
    if later.empty:
        return []
    w = win.reindex(later["_k"])

    def aligned(col: str, frame: pd.DataFrame) -> pd.Series:
        text = frame[col].astype("string").str.strip().str.casefold()
        return pd.Series(text.to_numpy(), index=later.index, dtype="string")

    # the same number for another customer is another system's order, not the same one
    lid, wid = aligned("cid", later), aligned("cid", w)
    lname, wname = aligned("cname", later), aligned("cname", w)
    same_id = (lid == wid).fillna(False)
    no_id = lid.isna() | wid.isna()
    same_name = (lname == wname).fillna(True)
    later["same"] = (same_id | (no_id & same_name)).astype(bool)
    names = pd.Series([_name(t) for t in tabs], dtype="string")
    where = w["_t"].map(names) + " row " + w["row"].astype("int64").astype("string")
    later["where"] = where.to_numpy()
    later["differ"] = ((later["total"] - w["total"].to_numpy()).abs()
                       > _CENT + 1e-9 * later["total"].abs()).to_numpy()  # fmt: skip
    later["wtotal"] = w["total"].to_numpy()
    later["wt"] = w["_t"].to_numpy()
    notes: list[str] = []
    for i, grp in later.groupby("_t", sort=True):
        t, key = tabs[int(i)], keys[int(i)]
        dup = grp[grp["same"]].set_index("_k")
        other = int((~grp["same"]).sum())
        if len(dup):
            mask = t.in_use() & key.isin(dup.index)
            _set_aside(t, mask, OTHER_TABLE, uses)
            first = mask & ~key.where(mask).duplicated(keep="first")
            same_total = first & ~key.map(dup["differ"]).fillna(False).astype(bool)
            t.report(
                ProblemCode.ORDER_IN_TWO_TABLES,
                same_total,
                "invoice",
                values=t.frame["invoice"],
                details=key.map(dup["where"]).astype(object),
            )
            differ_detail = (
                dup["where"]
                + " with total "
                + dup["wtotal"].map("{:,.2f}".format)
                + " (here "
                + dup["total"].map("{:,.2f}".format)
                + ")"
            )
            t.report(ProblemCode.ORDER_TOTALS_DIFFER, first & ~same_total, "invoice",
                     values=t.frame["invoice"],
                     details=key.map(differ_detail).astype(object))  # fmt: skip
        places = sorted({_name(tabs[int(j)]) for j in grp["wt"].unique()})
        n_orders = int(key[~t.rejected].dropna().nunique())
        note = (
            f"{_name(t)}: {len(dup):,} of {n_orders:,} orders are also in "
            f"{' and '.join(places)}, counted once from there"
        )
        n_differ = int(dup["differ"].sum()) if len(dup) else 0
        if n_differ:
            note += f" ({_count(n_differ, 'order')} with a different total there)"
        if other:
            note += (
                f"; {_count(other, 'number')} also there for a different customer, "
                "counted as different orders"
            )
        notes.append(note)
    return notes
