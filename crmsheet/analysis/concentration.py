"""How dependent is the business on one group? Revenue rolled up to the top parent.

"Related companies - so you can track your concentration with any one 'parent' organization
or affiliated group to capitalize on additional opportunities or protect from
over-dependence." Three subsidiaries at 6 % each look harmless one by one; their group at
18 % is not.

Rules:

- A customer's group is the top of its parent chain: ``parent_key`` is followed while it
  names another customer; a parent that is not a customer (an outside group, written as
  text) is the top; a customer without a parent is its own top. Members of a cycle
  (A -> B -> A: a data-entry slip) all roll up to the cycle's smallest key.
- Revenue is ``revenue_12m``: concentration is about dependence now, not ten years ago. When
  nobody has revenue in the last 12 months (an old sheet), lifetime ``revenue`` is used.
- Shares are of positive revenue (a group whose credits exceed its sales has share 0). With
  no revenue at all every share and HHI is NaN (unknown, not 0) and nothing is flagged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..config import Settings
from .columns import Column, count, flag, money, share, text

__all__ = [
    "CONCENTRATION_COLUMNS", "HHI_BANDS", "concentration", "concentration_columns",
    "concentration_headline", "concentration_reading", "hhi_reading", "top_parent",
]  # fmt: skip


def concentration_columns(revenue_basis: str = "revenue_12m") -> dict[str, Column]:
    """The concentration table's columns as a reader sees them; ``revenue_basis`` is the
    headline's (the 12 months, or lifetime when nobody bought in them)."""
    window = "12 months" if revenue_basis == "revenue_12m" else "lifetime"
    return {
        "group": text("Parent group"), "group_name": text("Group name"),
        "members": count("Customers in group"), "revenue": money(f"Revenue ({window})"),
        "share": share(f"Share of revenue ({window})"),
        "cumulative_share": share("Cumulative share"), "rank": count("Rank"),
        "flag": flag("Over the limit"),
    }  # fmt: skip


#: The usual HHI bands (US merger guidelines, 2010): (highest HHI, reading). Both limits
#: belong to the middle band: 1,500 and 2,500 are moderately concentrated.
HHI_BANDS = ((1_499, "unconcentrated"), (2_500, "moderately concentrated"),
             (10_000, "highly concentrated"))  # fmt: skip


#: The concentration table's columns.
CONCENTRATION_COLUMNS = list(concentration_columns())


def top_parent(metrics: pd.DataFrame) -> pd.Series:
    """customer_key -> the top of its parent chain (a customer key, or an outside group's text).

    Chains of any length are followed by pointer jumping (log2(n) vectorised steps), so a
    cycle cannot hang: its members, and anyone hanging below it, go to its smallest key.

    >>> m = pd.DataFrame({"parent_key": ["b", "c", None]},
    ...                  index=pd.Index(["a", "b", "c"], name="customer_key"))
    >>> top_parent(m).tolist()
    ['c', 'c', 'c']
    """
    keys = metrics.index.astype(object).to_numpy()
    n = len(keys)
    parent = metrics["parent_key"].astype(object).where(metrics["parent_key"].notna(), None)
    mapped = parent.map(pd.Series(np.arange(n), index=keys)).to_numpy(dtype=float)
    own = np.arange(n)
    # a step up the chain; no parent, or one that is not a customer, stays put (a root)
    nxt = np.where(np.isnan(mapped), own, np.nan_to_num(mapped)).astype(np.intp)
    order = np.argsort(keys.astype(str), kind="stable")
    rank = np.empty(n, dtype=np.intp)
    rank[order] = own  # a cycle's representative is its smallest key: the lowest rank
    jump, low, steps = nxt, np.minimum(rank, rank[nxt]), 1
    while steps < n:  # then jump is >= n steps ahead: at a root, or inside a cycle
        low = np.minimum(low, low[jump])
        jump = jump[jump]
        steps *= 2
    rooted = nxt[jump] == jump
    # from a node on a cycle, low covers more than n steps: the whole cycle
    top_pos = np.where(rooted, jump, order[low[jump]])
    # a root whose parent is not a customer belongs to that outside group
    text = parent.to_numpy()
    outside = parent.notna().to_numpy() & np.isnan(mapped)
    in_group = rooted & outside[top_pos]
    top = pd.Series(np.where(in_group, text[top_pos], keys[top_pos]), index=metrics.index,
                    dtype=object)  # fmt: skip
    top.name = "top_parent"
    return top


def concentration(metrics: pd.DataFrame, *, settings: Settings) -> pd.DataFrame:
    """Revenue per top-parent group, biggest first, flagged at ``settings.concentration_limit``.

    Columns: group (the top key or outside group's text), group_name (the customer's name
    when the top is a customer, else the text), members (customers in the group), revenue
    (trailing 12 months, see the module notes), share, cumulative_share, rank (1 = biggest;
    ties share a rank) and flag (share >= the limit). Groups with no revenue come last.

    >>> concentration(metrics, settings=Settings())  # doctest: +SKIP
         group  group_name  members  revenue  share  cumulative_share  rank   flag
    0   acme    Acme Group        3    900.0    0.9               0.9     1   True
    1   solo    Solo Ltd          1    100.0    0.1               1.0     2   True
    """
    revenue = _basis(metrics)
    top = top_parent(metrics)
    frame = pd.DataFrame({"group": top.to_numpy(), "revenue": revenue.to_numpy()})
    out = frame.groupby("group", sort=False).agg(
        members=("revenue", "size"), revenue=("revenue", "sum")
    ).reset_index()  # fmt: skip
    out = out.sort_values(["revenue", "group"], ascending=[False, True], kind="stable")
    out = out.reset_index(drop=True)
    names = metrics["name"].astype(object).where(metrics["name"].notna(), None)
    names.index = metrics.index.astype(object)
    out["group_name"] = out["group"].map(names).fillna(out["group"])
    share = _shares(out["revenue"])
    out["share"] = share
    out["cumulative_share"] = share.cumsum()
    out["rank"] = out["revenue"].rank(method="min", ascending=False).astype("int64")
    out["flag"] = (share >= settings.concentration_limit).fillna(False).astype(bool)
    out["group"] = out["group"].astype("str")
    out["group_name"] = out["group_name"].astype("str")
    out["members"] = out["members"].astype("int64")
    return out[CONCENTRATION_COLUMNS]


def concentration_headline(metrics: pd.DataFrame, groups: pd.DataFrame) -> dict[str, Any]:
    """Concentration in numbers, per customer and per group (after the parent roll-up).

    Keys: ``hhi_customers``, ``hhi_groups`` (Herfindahl-Hirschman index: the sum of squared
    percentage shares, 0-10,000; above 2,500 is "highly concentrated" in antitrust terms),
    ``top1_share``, ``top5_share``, ``top10_share`` with ``_customers`` and ``_groups``
    suffixes, ``groups_over_limit``, ``revenue_basis`` ("revenue_12m" or "revenue"), and the
    HHIs read in words: ``hhi_reading_customers``, ``hhi_reading_groups`` (:func:`hhi_reading`)
    and ``reading`` (both in one line, :func:`concentration_reading`). NaN throughout (the
    readings "unknown") when there is no revenue. ``groups`` is :func:`concentration`'s table of
    the same ``metrics``.

    >>> groups = concentration(metrics, settings=Settings())               # doctest: +SKIP
    >>> concentration_headline(metrics, groups)["hhi_groups"]              # doctest: +SKIP
    3800.0
    """
    revenue = _basis(metrics)
    out: dict[str, Any] = {}
    for level, values in (("customers", revenue), ("groups", groups["revenue"])):
        share = _shares(values).sort_values(ascending=False).to_numpy()
        known = bool(len(share)) and not np.isnan(share).all()
        out[f"hhi_{level}"] = float(np.sum((share * 100.0) ** 2)) if known else math.nan
        for top in (1, 5, 10):
            out[f"top{top}_share_{level}"] = float(share[:top].sum()) if known else math.nan
    out["groups_over_limit"] = int(groups["flag"].sum())
    out["revenue_basis"] = _basis_name(metrics)
    out["hhi_reading_customers"] = hhi_reading(out["hhi_customers"])
    out["hhi_reading_groups"] = hhi_reading(out["hhi_groups"])
    out["reading"] = concentration_reading(out["hhi_groups"], out["hhi_customers"])
    return out


def _band(hhi: float) -> tuple[int, str]:
    """The HHI as shown (whole points) and its band, read off the number shown."""
    shown = round(hhi)
    return shown, next(text for top, text in HHI_BANDS if shown <= top)


def hhi_reading(hhi: float | None) -> str:
    """One line reading an HHI (0-10,000) in the usual bands; "unknown" without revenue.

    Below 1,500 is unconcentrated, 1,500 to 2,500 moderately concentrated, above 2,500
    highly concentrated; the band is that of the whole number shown (1,499.6 reads "HHI
    1,500: moderately concentrated", never a figure beside a band that contradicts it).

    >>> hhi_reading(1850.0)
    'HHI 1,850: moderately concentrated'
    >>> hhi_reading(float("nan"))
    'HHI unknown: no revenue to share'
    """
    if hhi is None or math.isnan(hhi):
        return "HHI unknown: no revenue to share"
    shown, band = _band(hhi)
    return f"HHI {shown:,}: {band}"


def concentration_reading(hhi_groups: float | None, hhi_customers: float | None) -> str:
    """The HHI line for the Summary: the groups' HHI read in bands, the customers' beside it.

    The band is the groups' (dependence on one group is what matters); when no customer
    rolls up into another the two are one figure and it is given once.

    >>> concentration_reading(1850.0, 2100.0)
    'HHI 1,850 after roll-up to parent groups (2,100 across customers): moderately concentrated'
    >>> concentration_reading(900.0, 900.0)
    'HHI 900 across customers: unconcentrated'
    """
    if hhi_groups is None or math.isnan(hhi_groups):
        return hhi_reading(hhi_groups)
    shown, band = _band(hhi_groups)
    if hhi_customers is None or math.isnan(hhi_customers) or round(hhi_customers) == shown:
        return f"HHI {shown:,} across customers: {band}"
    return (f"HHI {shown:,} after roll-up to parent groups ({round(hhi_customers):,} across "
            f"customers): {band}")  # fmt: skip


def _basis_name(metrics: pd.DataFrame) -> str:
    recent = metrics["revenue_12m"].astype(float).fillna(0.0)
    return "revenue_12m" if (recent != 0).any() else "revenue"


def _basis(metrics: pd.DataFrame) -> pd.Series:
    """The revenue concentration is measured on: the last 12 months, else lifetime."""
    return metrics[_basis_name(metrics)].astype(float).fillna(0.0)


def _shares(revenue: pd.Series) -> pd.Series:
    """Each value's share of the positive total; NaN when there is nothing to share."""
    positive = revenue.clip(lower=0.0)
    total = float(positive.sum())
    if total <= 0:
        return pd.Series(np.nan, index=revenue.index)
    return positive / total
