"""The Customers sheet: the user's own rows and columns unchanged, then crmsheet's.

A reader opens the enriched workbook to find their customer list as they keep it, with the
rating, status, revenue and forecast beside each row. Their cells are copied as read; where
one of their headers is also one of ours, ours gets a "(crmsheet)" suffix; customers that
appear only in the transactions follow their rows.
"""

from __future__ import annotations

import pandas as pd

from ..analysis import Analysis
from ..analysis.columns import Column, merged, text
from ..analysis.lapsed import LAPSED_SHOWN
from ..analysis.prediction import PREDICTION_SHOWN
from ..analysis.ratings import rating_columns
from ..data import CrmData
from ..io.styles import guess_format
from ..schema import normalise_header
from .labels import Shown, shown

__all__ = [
    "ENRICHED_CUSTOMER_COLUMNS", "FORECAST_CUSTOMER_COLUMNS",
    "customer_sheet", "customer_shown",
]  # fmt: skip

#: The enriched columns of the Customers sheet, after the user's own, in this order.
ENRICHED_CUSTOMER_COLUMNS = [
    "rating", "reasons", "status", "status_reason", "revenue", "revenue_12m", "transactions",
    "average_transaction", "first_purchase", "last_purchase", "days_since_last",
    "typical_gap_days", "expected_next", "follow_up", "parent_group", "rfm_segment",
]  # fmt: skip
#: The forecast's columns on the Customers sheet, when there is one.
FORECAST_CUSTOMER_COLUMNS = [
    "p_alive", "expected_purchases_90", "expected_value_365", "customer_value",
]  # fmt: skip


def customer_shown(rating_window_days: int = 365) -> dict[str, Column]:
    """Every column of the customers frame as a reader sees it."""
    return merged(
        rating_columns(rating_window_days), LAPSED_SHOWN, PREDICTION_SHOWN,
        {"follow_up": text("Follow-up"), "rfm_segment": text("RFM segment")},
    )  # fmt: skip


def customer_sheet(analysis: Analysis, data: CrmData, *, currency: str = "") -> Shown:
    """The user's rows and columns unchanged, then the enriched columns, with their formats.

    Customers that appear only in the transactions follow the sheet's rows, with their key
    (and name, when the log has one) in the sheet's ID and name columns. Without a customer
    sheet the table starts with Customer and Name.
    """
    c = analysis.customers.copy()
    follow = analysis.follow_ups.reset_index()
    first_action = follow.drop_duplicates("customer_key").set_index("customer_key")["action"]
    c["follow_up"] = first_action.reindex(c.index)
    columns = ENRICHED_CUSTOMER_COLUMNS + [x for x in FORECAST_CUSTOMER_COLUMNS if x in c]
    declared = customer_shown(analysis.settings.rating_window_days)
    own = data.customer_sheet.reset_index(drop=True)
    if own.empty:
        return shown(c[["name", *columns]], declared, currency=currency)
    keys = data.customers["customer_key"].reset_index(drop=True)
    taken = {normalise_header(h) for h in own.columns}
    fields = {f: h for t in data.tables if t.role == "customers" for h, f in t.mapping.items()}
    if _composed_names(c["name"].reindex(keys.to_numpy()), own, fields.get("name")):
        columns = ["name", *columns]

    formats: dict[str, str | None] = {h: guess_format(own[h]) for h in own.columns}

    def enriched(frame: pd.DataFrame) -> pd.DataFrame:
        ours = shown(frame[columns], declared, index=False, currency=currency)
        headers = {h: _free_header(h, taken) for h in ours.frame.columns}
        formats.update({headers[h]: f for h, f in ours.formats.items()})
        return ours.frame.rename(columns=headers)

    rows = _merged_rows(c.reindex(keys.to_numpy()).reset_index(drop=True), keys, analysis)
    table = pd.concat([own, enriched(rows)], axis=1)
    extra = c.loc[~c.index.isin(keys)]
    if len(extra):
        rows = pd.DataFrame(index=range(len(extra)), columns=own.columns, dtype=object)
        key_header = fields.get("customer_id") or fields.get("name") or own.columns[0]
        rows[key_header] = extra.index.to_numpy()
        if "name" in fields and fields["name"] != key_header:
            rows[fields["name"]] = extra["name"].to_numpy()
        rows = pd.concat([rows, enriched(extra.reset_index(drop=True))], axis=1)
        table = pd.concat([table, rows], ignore_index=True)
    return Shown(table, formats)


def _merged_rows(rows: pd.DataFrame, keys: pd.Series, analysis: Analysis) -> pd.DataFrame:
    """The rows merged into another by Same as: no figures of their own, their status says
    where they went ("merged", "merged into C001 (Same as)")."""
    if analysis.merged.empty:
        return rows
    into = pd.Series(analysis.merged["survivor"].to_numpy(), index=analysis.merged["duplicate"])
    where = keys.map(into)
    hit = where.notna().to_numpy()
    if hit.any():
        rows["status"] = rows["status"].astype(object)
        rows["status_reason"] = rows["status_reason"].astype(object)
        rows.loc[hit, "status"] = "merged"
        rows.loc[hit, "status_reason"] = ("merged into " + where[hit].astype(str)
                                          + " (Same as)").to_numpy()  # fmt: skip
    return rows


def _composed_names(names: pd.Series, own: pd.DataFrame, header: str | None) -> bool:
    """True when crmsheet named a customer the user's sheet leaves unnamed (first + last
    name, or the contact person): the name is then shown beside the user's columns."""
    if header is None or header not in own:
        return bool(names.notna().any())
    blank = own[header].isna().to_numpy() | (own[header].astype(str).str.strip() == "").to_numpy()
    return bool((names.notna().to_numpy() & blank).any())


def _free_header(header: str, taken: set[str]) -> str:
    """``header``, or "header (crmsheet)", "header (crmsheet 2)"... if the user's sheet has it."""
    candidate, n = header, 1
    while normalise_header(candidate) in taken:
        candidate = f"{header} (crmsheet{'' if n == 1 else f' {n}'})"
        n += 1
    return candidate
