"""What changed since the previous run: movements a single run cannot show.

Compared with the state each customer had at the previous run in the history (see
:mod:`crmsheet.analysis.history`): new customers, rating moves (from -> to, with the reason
for the rating now), newly lapsed and lapsing customers, customers won back, follow-ups
whose date passed between the two runs, and the biggest 12-month revenue gains and drops.
The rating migration matrix counts where the previous run's A, B and C customers (and the
new ones) are now: A, B, C, or lost (lapsed, or gone from the data), with the revenue of
each cell (the 12 months now; for lost customers, what they brought before). Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .columns import Column, day, money, text

__all__ = [
    "CHANGES_SHOWN",
    "CHANGE_KINDS",
    "FROM_RATINGS",
    "TO_RATINGS",
    "Changes",
    "changes",
    "migration",
]  # fmt: skip

#: The kinds of change, in the order the Changes sheet shows them, with their heading.
CHANGE_KINDS: dict[str, str] = {
    "new": "New customers", "rating": "Rating moves", "lapsed": "Newly lapsed",
    "lapsing": "Now lapsing", "won back": "Won back", "follow-up": "Follow-ups whose date passed",
    "gain": "Biggest 12-month revenue gains", "drop": "Biggest 12-month revenue drops",
}  # fmt: skip

#: The migration matrix's rows (the rating at the previous run, or new) and columns.
FROM_RATINGS = ("A", "B", "C", "new")
TO_RATINGS = ("A", "B", "C", "lost")

#: The change table's columns as the Changes sheet shows them.
CHANGES_SHOWN: dict[str, Column] = {
    "customer_key": text("Customer"), "name": text("Name"), "contact": text("Contact"),
    "email": text("Email"), "phone": text("Phone"), "before": text("Before"),
    "now": text("Now"), "revenue_before": money("Revenue (12 months) before"),
    "revenue_12m": money("Revenue (12 months)"), "revenue_change": money("Change"),
    "next_follow_up": day("Next follow-up"), "why": text("Why"),
}  # fmt: skip

_TOP = 10  # revenue gains and drops listed


@dataclass(frozen=True, eq=False)
class Changes:
    """Since the previous run (``since``; None on the first run): ``table`` lists one change
    a row (``kind`` one of :data:`CHANGE_KINDS`, then the customer and their contact columns,
    before and now), ``migration`` and ``migration_revenue`` the rating migration matrix
    (rows :data:`FROM_RATINGS`, columns :data:`TO_RATINGS`)."""

    since: date | None = None
    table: pd.DataFrame = field(default_factory=lambda: _table([]))
    migration: pd.DataFrame = field(default_factory=lambda: _matrix(float))
    migration_revenue: pd.DataFrame = field(default_factory=lambda: _matrix(float))

    def count(self, kind: str) -> int:
        """How many changes of ``kind``."""
        return int((self.table["kind"] == kind).sum())


def changes(
    before: pd.DataFrame | None,
    customers: pd.DataFrame,
    *,
    since: date | None,
    as_of: date,
) -> Changes:
    """The changes from ``before`` (each customer's state at the previous run ``since``: a
    frame with ``customer_key`` and the history's fields) to ``customers`` (the analysis's,
    indexed by customer key) at ``as_of``."""
    if before is None or since is None:
        return Changes()
    b = before.set_index("customer_key")
    now = customers.copy()
    now.index = now.index.astype(str)
    common = now.index.intersection(b.index)
    parts: list[pd.DataFrame] = []

    def rows(kind: str, keys: pd.Index, why: pd.Series | str = "") -> None:
        if not len(keys):
            return
        c = now.reindex(keys)
        out = pd.DataFrame({"kind": kind, "customer_key": keys}, index=keys)
        for col in ("name", "contact", "email", "phone", "revenue_12m", "next_follow_up"):
            out[col] = c.get(col)
        prior = b.reindex(keys)
        out["revenue_before"] = prior["revenue_12m"].to_numpy()
        out["revenue_change"] = out["revenue_12m"].fillna(0) - out["revenue_before"].fillna(0)
        out["why"] = why.reindex(keys) if isinstance(why, pd.Series) else why
        parts.append(out)

    new = now.index.difference(b.index)
    rows("new", new, now.get("reasons", pd.Series(dtype=object)))
    if len(new):
        parts[-1]["now"] = now.loc[new, "rating"].astype(object).to_numpy()
    r_before, r_now = b.loc[common, "rating"], now.loc[common, "rating"].astype(object)
    moved = common[(r_before.fillna("") != r_now.fillna("")).to_numpy()]
    moved = moved[np.argsort(_rank(r_before.loc[moved]) * 10 + _rank(r_now.loc[moved]),
                             kind="stable")]  # fmt: skip
    rows("rating", moved, now.get("reasons", pd.Series(dtype=object)))
    _before_now(parts, "rating", r_before, r_now)
    s_before, s_now = b.loc[common, "status"], now.loc[common, "status"].astype(object)
    lapsed = common[((s_now == "lapsed") & (s_before != "lapsed")).to_numpy()]
    lapsing = common[((s_now == "lapsing") & ~s_before.isin(["lapsing", "lapsed"])).to_numpy()]
    back = common[((s_before == "lapsed") & s_now.isin(["active", "new"])).to_numpy()]
    reason = now.get("status_reason", pd.Series(dtype=object))
    for kind, keys in (("lapsed", lapsed), ("lapsing", lapsing), ("won back", back)):
        rows(kind, _by_revenue(keys, b, now), reason)
        _before_now(parts, kind, s_before, s_now)
    due = b.loc[common, "next_follow_up"]
    passed = common[((due > pd.Timestamp(since)) & (due <= pd.Timestamp(as_of))).to_numpy()]
    rows("follow-up", passed, "")
    if len(passed):
        when = due.loc[passed].dt.strftime("%Y-%m-%d")
        later = now.loc[passed, "next_follow_up"]
        parts[-1]["before"] = ("due " + when).to_numpy()
        parts[-1]["now"] = np.where(later.gt(pd.Timestamp(as_of)).to_numpy(),
                                    "new date set", "no new date")  # fmt: skip
    delta = now.loc[common, "revenue_12m"].fillna(0) - b.loc[common, "revenue_12m"].fillna(0)
    delta = delta.loc[delta.abs() >= 0.005]
    gains = delta.loc[delta > 0].sort_values(ascending=False, kind="stable").head(_TOP)
    drops = delta.loc[delta < 0].sort_values(kind="stable").head(_TOP)
    rows("gain", gains.index, "")
    rows("drop", drops.index, "")
    table = _table(parts)
    counts, revenue = migration(b, now)
    return Changes(since=since, table=table, migration=counts, migration_revenue=revenue)


def migration(before: pd.DataFrame, now: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rating migration matrix: counts and revenue, from A/B/C/new to A/B/C/lost.

    From: the rating at the previous run of a customer not lapsed then (unrated, or not in
    the previous run: new). To: lost when lapsed now or gone from the data, else the rating
    now (customers unrated now are left out). Revenue: the 12 months now; for the lost,
    their 12 months at the previous run.
    """
    was = before.loc[before["status"] != "lapsed"]
    keys = now.index.union(was.index)
    frm = pd.Series("new", index=keys, dtype=object)
    rated = was["rating"].isin(["A", "B", "C"])
    frm.loc[was.index[rated.to_numpy()]] = was.loc[rated, "rating"].to_numpy()
    # customers lapsed at the previous run are not in the matrix (won back is its own list)
    lapsed_before = before.index[(before["status"] == "lapsed").to_numpy()]
    frm = frm.drop(lapsed_before.intersection(frm.index))
    to = now["rating"].astype(object).reindex(frm.index)
    gone = ~frm.index.isin(now.index)
    lost = gone | (now["status"].reindex(frm.index) == "lapsed").to_numpy()
    to = to.where(~lost, "lost")
    revenue = now["revenue_12m"].reindex(frm.index).astype(float)
    revenue = revenue.where(~lost, before["revenue_12m"].reindex(frm.index).astype(float))
    keep = to.isin(TO_RATINGS).to_numpy()
    flows = pd.DataFrame({"from": frm[keep], "to": to[keep], "revenue": revenue[keep].fillna(0)})
    counts = pd.crosstab(flows["from"], flows["to"]).reindex(
        index=list(FROM_RATINGS), columns=list(TO_RATINGS), fill_value=0).astype(float)  # fmt: skip
    money_ = flows.pivot_table(index="from", columns="to", values="revenue", aggfunc="sum",
                               observed=False)  # fmt: skip
    money_ = money_.reindex(index=list(FROM_RATINGS), columns=list(TO_RATINGS)).fillna(0.0)
    counts.index.name = money_.index.name = "from"
    counts.columns.name = money_.columns.name = "to"
    return counts, money_.astype(float)


def _before_now(parts: list[pd.DataFrame], kind: str, before: pd.Series, now: pd.Series) -> None:
    if parts and parts[-1]["kind"].iloc[0] == kind:
        keys = parts[-1].index
        parts[-1]["before"] = before.reindex(keys).astype(object).to_numpy()
        parts[-1]["now"] = now.reindex(keys).astype(object).to_numpy()


def _by_revenue(keys: pd.Index, before: pd.DataFrame, now: pd.DataFrame) -> pd.Index:
    """Most valuable first: the larger of the 12 months before and now."""
    if not len(keys):
        return keys
    worth = np.maximum(before.loc[keys, "revenue_12m"].fillna(0).to_numpy(float),
                       now.loc[keys, "revenue_12m"].fillna(0).to_numpy(float))  # fmt: skip
    return keys[np.argsort(-worth, kind="stable")]


def _rank(ratings: pd.Series) -> np.ndarray:
    ranks: np.ndarray = ratings.map({"A": 0, "B": 1, "C": 2}).fillna(3).to_numpy(int)
    return ranks


def _table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = ["kind", *CHANGES_SHOWN]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pd.concat(parts, ignore_index=True).reindex(columns=columns)
    return out


def _matrix(dtype: type) -> pd.DataFrame:
    out = pd.DataFrame(0.0, index=list(FROM_RATINGS), columns=list(TO_RATINGS), dtype=dtype)
    out.index.name, out.columns.name = "from", "to"
    return out
