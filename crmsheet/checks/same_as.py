""" "Same as": the user says, in their own sheet, that a customer row is a copy of another.

Merging is the user's decision: crmsheet suggests pairs (the Duplicates sheet) but merges
only the rows whose Same as cell (Merge into, Duplicate of ...) names the customer to keep,
by its ID or its name (looked up as referrers are: ID, then name). :func:`resolve_same_as`
turns those cells into ``{duplicate key: survivor key}`` (:attr:`CrmData.same_as`); the
analyses then merge the duplicate's sales, support and referrals into the survivor
(:func:`crmsheet.analysis.merging.merge_same_as`). What cannot be merged is reported on its
cell:

* ``unknown-same-as``: names no customer (with "did you mean ...?" when one is close);
  the row stays a customer of its own.
* ``same-as-self``: names its own row; nothing to merge.
* ``same-as-chain``: A says Same as B, and B says Same as C. A is merged into C, the end of
  the chain (the user's intent is that all three are one customer), with a warning on A's
  cell naming the chain, so the user can write C directly.
* ``same-as-cycle``: A -> B -> A (or a chain that runs into such a loop). There is no
  customer to keep, so none of these rows is merged: each stays a customer of its own,
  and each is reported (an error: the figures treat them as different customers).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..problems import ProblemCode
from .identity import CustomerIndex
from .near_miss import NearMisses
from .table import Table, report_back

__all__ = ["resolve_same_as"]


def resolve_same_as(
    customers: pd.DataFrame, index: CustomerIndex, tables: Sequence[Table]
) -> dict[object, object]:
    """``{duplicate key: survivor key}`` from the Same as cells of ``customers``; the cells
    that name no customer, the row itself, a chain or a loop are reported (see the module
    docstring)."""
    if "same_as" not in customers or customers.empty:
        return {}
    given = customers["same_as"]
    written = given.notna() & (given.astype("string").str.strip().fillna("") != "")
    if not written.any():
        return {}
    keys = customers["customer_key"].astype(object)
    target, matched = index.resolve(given.where(written), given.where(written))
    unknown = written & ~matched
    if unknown.any():
        hint = NearMisses(index).suggest(given[unknown], given[unknown])
        details = pd.Series("", index=customers.index, dtype=object)
        details[unknown] = [
            f" ({h})" if h else "" for h in hint.reindex(given[unknown].index).fillna("")
        ]
        report_back(tables, customers, unknown, ProblemCode.UNKNOWN_SAME_AS, ["same_as"],
                    values=given, details=details)  # fmt: skip
    known = written & matched
    itself = known & (target.astype(object) == keys)
    report_back(tables, customers, itself, ProblemCode.SAME_AS_SELF, ["same_as"], values=given)
    edges = known & ~itself
    link: dict[object, object] = dict(zip(keys[edges], target[edges], strict=True))
    resolved, chains, loops = _follow(link)
    chained = edges & keys.isin(list(chains))
    report_back(tables, customers, chained, ProblemCode.SAME_AS_CHAIN, ["same_as"],
                values=given, details=keys.map(chains).astype(object))  # fmt: skip
    looped = edges & keys.isin(list(loops))
    report_back(tables, customers, looped, ProblemCode.SAME_AS_CYCLE, ["same_as"],
                values=given, details=keys.map(loops).astype(object))  # fmt: skip
    return resolved


def _follow(
    link: dict[object, object],
) -> tuple[dict[object, object], dict[object, str], dict[object, str]]:
    """(duplicate -> end of its chain, the chains longer than one step written out, the
    duplicates whose chain loops, with the loop written out "A -> B -> A")."""
    resolved: dict[object, object] = {}
    chains: dict[object, str] = {}
    loops: dict[object, str] = {}
    for start in link:
        path: list[object] = [start]
        node = link[start]
        while node in link and node not in path:
            path.append(node)
            node = link[node]
        if node in path:  # a loop (start in it, or leading into it)
            loops[start] = " -> ".join(str(k) for k in [*path, node])
            continue
        resolved[start] = node
        if len(path) > 1:
            chains[start] = " -> ".join(str(k) for k in [*path, node])
    return resolved, chains, loops
