"""Order statuses across the transaction tables: decoded, the unknown and the unsold reported.

Runs on the combined transactions (after invoice lines met their orders), with the
Settings the read was given: the user's status codes, then crmsheet's words
(:mod:`crmsheet.statuses`). Each status crmsheet cannot read is one warning on its first
row (counted as revenue); each kind left out of revenue is one warning per sheet, with the
orders counted and their rows; and one note per sheet says what was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..config import Settings
from ..problems import ProblemCode
from ..statuses import not_revenue_sentence, orders_per_status, status_kinds
from .table import Table, report_back

__all__ = ["check_statuses"]

#: Rows named in a status-not-revenue message before "and N more".
_ROWS_SHOWN = 12


def check_statuses(tables: Sequence[Table], out: pd.DataFrame, settings: Settings) -> list[str]:
    """Give ``out`` its status kinds (``status``; the cell as written in ``status_written``),
    report what is unknown and what is not revenue, and return a note per sheet."""
    if "status" not in out.columns or out["status"].isna().all():
        return []
    written = out["status"]
    kinds, unknown = status_kinds(written, settings.status_codes)
    out["status_written"] = written
    out["status"] = kinds
    if unknown.any():  # one warning per sheet and value, on its first row
        odd = out.loc[unknown, ["_file", "_sheet"]].assign(_value=written[unknown])
        groups = odd.groupby(["_file", "_sheet", "_value"], sort=False)
        count = groups["_value"].transform("size")
        first = pd.Series(False, index=out.index)
        first[odd.index[~odd.duplicated()]] = True
        details = count.map(lambda n: "1 row" if n == 1 else f"{n:,} rows").reindex(out.index)
        report_back(tables, out, first, ProblemCode.UNKNOWN_STATUS, ["status"],
                    values=written, details=details)  # fmt: skip
    excluded = kinds.isin(list(settings.excluded_statuses)).fillna(False).astype(bool)
    notes: list[str] = []
    if not excluded.any():
        return notes
    first = pd.Series(False, index=out.index)
    details = pd.Series("", index=out.index, dtype=object)
    # one warning per sheet and kind (a few groups), one note per sheet
    for (file, sheet), part in out.loc[excluded].groupby(["_file", "_sheet"], sort=False):
        counts = orders_per_status(part, pd.Series(True, index=part.index), kinds[part.index])
        for kind, rows in part.groupby(kinds[part.index], sort=False):
            n = counts[str(kind)]
            first[rows.index[0]] = True
            details[rows.index[0]] = (
                f"{n:,} {'order' if n == 1 else 'orders'} ({_rows(rows['_row'])})"
            )
        notes.append(f"{_where(str(file), str(sheet))}: {not_revenue_sentence(counts)} "
                     "(status column; see excluded_statuses in Settings).")  # fmt: skip
    report_back(tables, out, first, ProblemCode.STATUS_NOT_REVENUE, ["status"],
                values=kinds, details=details)  # fmt: skip
    return notes


def _rows(rows: pd.Series) -> str:
    """ "row 3", "rows 3, 7, 9", "rows 3, 7, ... and 40 more"."""
    numbers = [f"{int(r)}" for r in rows.head(_ROWS_SHOWN)]
    more = len(rows) - len(numbers)
    text = ("row " if len(rows) == 1 else "rows ") + ", ".join(numbers)
    return text + (f" and {more:,} more" if more else "")


def _where(file: str, sheet: str) -> str:
    name = Path(file).name
    return name if sheet in ("", name, Path(file).stem) else f"{name} / {sheet}"


def net_of_refunds(tables: Sequence[Table], out: pd.DataFrame) -> list[str]:
    """Count each sale net of what was refunded on it (``refunded``); a note per sheet.

    A Stripe or WooCommerce export keeps the charge and the refund in two columns: counting
    the charge alone would show a partly refunded order at its full total. The amount as
    written stays in ``amount_before_refund``; a refund larger than the sale leaves 0.
    """
    if "refunded" not in out.columns or "amount" not in out.columns:
        return []
    refunded = pd.to_numeric(out["refunded"], errors="coerce").fillna(0.0).clip(lower=0.0)
    hit = (refunded > 0) & out["amount"].notna()
    if not hit.any():
        return []
    out["amount_before_refund"] = out["amount"]
    out.loc[hit, "amount"] = (out.loc[hit, "amount"] - refunded[hit]).clip(lower=0.0)
    headers = {(t.file, t.sheet): t.layout.headers[c] for t in tables
               for c, f in t.layout.mapping.items() if f == "refunded"}  # fmt: skip
    notes = []
    for (file, sheet), part in out.loc[hit].groupby(["_file", "_sheet"], sort=False):
        header = headers.get((Path(str(file)).name, str(sheet)), "refunded")
        total = float(refunded[part.index].sum())
        n = len(part)
        notes.append(f"{_where(str(file), str(sheet))}: {n:,} {'sale' if n == 1 else 'sales'} "
                     f"partly or wholly refunded ({header}, {total:,.2f} in all): revenue "
                     "counted net of refunds.")  # fmt: skip
    return notes
