"""The Duplicates sheet: the merges done by Same as, then the pairs that may be one customer.

One table, two parts, told apart by its first column: first the rows merged because the
user's Same as cell said so ("merged"), each with its survivor, what moved and what the
survivor now shows; then the candidate pairs crmsheet found ("check"), best first, with
both names and IDs, the score, the evidence in words, the suggested survivor and what the
two would show together. Merging stays the user's decision, made in their own sheet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis import Analysis
from ..analysis.columns import Column, merged, text
from ..analysis.duplicates import DUPLICATES_SHOWN
from ..analysis.merging import MERGE_COLUMNS
from ..io.styles import AMBER, GREEN
from ..io.tables import SheetSpec
from .labels import shown

__all__ = ["DUPLICATES_SHEET", "DUPLICATES_TABLE", "MERGED", "TO_CHECK", "duplicates_sheet"]

#: The sheet's name (right after Customers).
DUPLICATES_SHEET = "Duplicates"

#: The first column's words: a merge done, a pair to check.
MERGED, TO_CHECK = "merged", "check"

#: The sheet's columns, in order.
DUPLICATES_TABLE: dict[str, Column] = merged(
    {"what": text("What")},
    DUPLICATES_SHOWN,
    {k: MERGE_COLUMNS[k] for k in ("transactions_moved", "revenue_moved", "support_moved")},
)

_HOW = (
    "“merged”: rows whose Same as column names another customer; every figure counts them "
    "as that customer. “check”: customers that may be entered twice. To merge a pair, write "
    "the ID of the one to keep in the other's Same as column (Merge into, Duplicate of) and "
    "run crmsheet again; if they are two customers, leave them as they are."
)


def duplicates_frame(analysis: Analysis) -> pd.DataFrame:
    """The merges, then the candidate pairs, under the names of :data:`DUPLICATES_TABLE`."""
    columns = list(DUPLICATES_TABLE)
    m = analysis.merged
    parts: list[pd.DataFrame] = []
    if len(m):
        c = analysis.customers
        revenue = c["revenue"].astype(float) if "revenue" in c else pd.Series(dtype=float)
        bought = c["transactions"] if "transactions" in c else pd.Series(dtype=float)
        parts.append(pd.DataFrame({
            "what": MERGED,
            "key_a": m["duplicate"].to_numpy(), "name_a": m["duplicate_name"].to_numpy(),
            "key_b": m["survivor"].to_numpy(), "name_b": m["survivor_name"].to_numpy(),
            "score": np.nan, "evidence": "its Same as cell names the customer kept",
            "survivor": m["survivor"].to_numpy(),
            "combined_revenue": revenue.reindex(m["survivor"]).to_numpy(),
            "combined_transactions": bought.reindex(m["survivor"]).to_numpy(),
            "transactions_moved": m["transactions_moved"].to_numpy(),
            "revenue_moved": m["revenue_moved"].to_numpy(),
            "support_moved": m["support_moved"].to_numpy(),
        }))  # fmt: skip
    d = analysis.duplicates
    if len(d):
        found = d.assign(what=TO_CHECK)
        for col in ("transactions_moved", "revenue_moved", "support_moved"):
            found[col] = np.nan
        parts.append(found[columns])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out[columns].reset_index(drop=True)


def duplicates_sheet(analysis: Analysis, *, currency: str = "") -> SheetSpec:
    """The Duplicates sheet of ``analysis`` (see the module docstring)."""
    table = shown(duplicates_frame(analysis), DUPLICATES_TABLE, index=False, currency=currency)
    what = DUPLICATES_TABLE["what"].label
    notes = [_HOW]
    if not analysis.settings.find_duplicates:
        notes.append("The search for duplicates is off (Settings: find_duplicates).")
    return SheetSpec(
        table.frame,
        formats=table.formats,
        colours={what: {MERGED: GREEN, TO_CHECK: AMBER}},
        wrap=[DUPLICATES_TABLE["evidence"].label],
        notes=notes,
        centred=table.flags,
    )
