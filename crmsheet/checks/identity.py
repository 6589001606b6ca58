"""Customer identity: when two rows are one customer, and which customer a reference means.

Customer IDs decide first; without an ID, the name does. A later row repeating an ID (or,
without IDs, an exact name) is skipped; names that agree once case, punctuation and legal
forms (Inc, Ltd, GmbH...) go are reported as possible duplicates. :class:`CustomerIndex`
resolves the IDs and names written on invoices, referrals and parents to customer keys.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ..problems import ProblemCode
from .cells import as_text
from .table import Table, report_back

_LEGAL = re.compile(
    r"\b(inc|incorporated|llc|l l c|ltd|limited|plc|co|corp|corporation|company|gmbh|ag|"
    r"sa|sas|sarl|srl|spa|bv|nv|pty|pte|oy|ab|as|kg|lp|llp|the|and)\b"
)


def customer_name_key(names: pd.Series) -> pd.Series:
    """A name as compared for 'same customer?': ``"ACME, Inc."`` and ``"Acme Inc"`` agree."""
    text = as_text(names)
    accented = text.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).to_numpy(dtype=bool)
    if accented.any():  # NFKD runs in Python: only where it can change something
        plain = text[accented].str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
        text = text.mask(accented, plain)
    text = text.str.lower().str.replace("&", " and ", regex=False)
    text = text.str.replace(r"[^0-9a-z]+", " ", regex=True)
    stripped = text.str.replace(_LEGAL.pattern, " ", regex=True)  # a str pattern runs in arrow
    stripped = stripped.str.replace(r"\s+", " ", regex=True).str.strip()
    plain = text.str.strip()
    return stripped.where(stripped.str.len() > 0, plain)


def _name_exact(names: pd.Series) -> pd.Series:
    """A name as compared for duplicates: case and punctuation aside, nothing more."""
    text = as_text(names).str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True)
    return text.str.strip()


def duplicates(tables: Sequence[Table], allc: pd.DataFrame) -> None:
    """Later rows that repeat a customer ID (or, without IDs, a name) are skipped."""
    has_id = allc["customer_id"].notna()
    names_only = ~has_id & allc["name"].notna()
    checks = (
        (ProblemCode.DUPLICATE_ID, "customer_id", allc["customer_id"], has_id),
        (ProblemCode.DUPLICATE_NAME, "name", _name_exact(allc["name"]), names_only),
    )
    for code, field_name, key, mask in checks:
        dup, details = _first_seen(allc, key, mask)
        for i, t in enumerate(tables):
            sel = (dup & (allc["_table"] == i)).to_numpy()
            if not sel.any():
                continue
            rows = pd.Series(False, index=t.frame.index)
            rows.loc[allc.index[sel]] = True
            det = pd.Series("", index=t.frame.index, dtype=object)
            det.loc[allc.index[sel]] = details[sel].to_numpy()
            t.report(code, rows, field_name, values=t.frame[field_name], details=det,
                     reject=True)  # fmt: skip


def _first_seen(
    frame: pd.DataFrame, key: pd.Series, mask: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """(repeats of an earlier key, "row N" or "row N of Sheet" of that earlier row).

    The second Series holds text only on the repeats (the rest is empty), so the cost
    follows the number of repeats, not of rows.
    """
    k = key.where(mask).astype("object")
    dup = (mask & k.notna() & k.duplicated(keep="first")).to_numpy()
    where = pd.Series("", index=frame.index, dtype=object)
    if not dup.any():
        return pd.Series(dup, index=frame.index), where
    firsts = frame.loc[mask.to_numpy() & ~dup].assign(_k=k[mask.to_numpy() & ~dup])
    firsts = firsts.drop_duplicates("_k").set_index("_k")
    keys = k[dup]
    row = keys.map(firsts["_row"]).astype("Int64").astype("string")
    sheet = keys.map(firsts["_sheet"]).astype("string")
    other = (sheet != frame.loc[dup, "_sheet"].astype("string")).fillna(False)
    where[dup] = row.where(~other, row + " of " + sheet).to_numpy()
    return pd.Series(dup, index=frame.index), where


def near_duplicates(tables: Sequence[Table], keep: pd.DataFrame, key: pd.Series) -> None:
    """Names that agree once case, punctuation and Inc/Ltd go: the same customer twice?"""
    named = keep["name"].notna()
    if not named.any():
        return
    dup, where = _first_seen(keep, key, named)
    if not dup.any():
        return
    first_name = key[dup].map(
        keep.loc[named].assign(_k=key).drop_duplicates("_k").set_index("_k")["name"]
    )
    details = pd.Series("", index=keep.index, dtype=object)
    details[dup] = ("“" + first_name.astype("string") + "” on row " + where[dup]).to_numpy()
    report_back(tables, keep, dup, ProblemCode.NEAR_DUPLICATE_NAME, ["name"], values=keep["name"],
                 details=details)  # fmt: skip


class CustomerIndex:
    """Resolves IDs and names written elsewhere (invoices, referrals, parents) to customers."""

    def __init__(self, customers: pd.DataFrame, name_key: pd.Series) -> None:
        self.customers = customers
        self.has_sheet = not customers.empty
        keys = customers["customer_key"].astype("object")
        by_id = pd.Series(keys.to_numpy(), index=customers["customer_id"].astype("object"))
        self.by_id = by_id[by_id.index.notna() & ~by_id.index.duplicated()]
        names = name_key.astype("object")
        by_name = pd.Series(keys.to_numpy(), index=names)
        self.by_name = by_name[by_name.index.notna() & ~by_name.index.duplicated()]

    def resolve(self, ids: pd.Series, names: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(customer_key, matched?) for references given as an ID and/or a name.

        An ID is looked up as an ID, a name by its comparison key; then each as the other
        (people write "Acme" in an ID column and "C001" in a customer column). Unmatched
        references keep what was written.
        """
        ids = as_text(ids)
        names = as_text(names)
        key = ids.astype("object").map(self.by_id).astype("object")
        lookups = (
            (names, self.by_name, True),
            (ids, self.by_name, True),
            (names, self.by_id, False),
        )
        for values, table, by_name in lookups:
            todo = (key.isna() & values.notna()).to_numpy(dtype=bool)
            if todo.any():
                probe = customer_name_key(values[todo]) if by_name else values[todo]
                key[todo] = probe.astype("object").map(table).astype("object").to_numpy()
        matched = key.notna()
        written = ids.where(ids.notna(), names).astype("object")
        return key.where(matched, written).astype("object"), matched


def relations(customers: pd.DataFrame, index: CustomerIndex, tables: Sequence[Table]) -> None:
    """Resolve referred_by and parent_organization; report unknown ones and parent loops."""
    for col, out, code in (
        ("referred_by", "referred_by_key", ProblemCode.UNKNOWN_REFERRER),
        ("parent_organization", "parent_key", ProblemCode.UNKNOWN_PARENT),
    ):
        given = customers[col]
        key, matched = index.resolve(given, given)
        customers[out] = key.where(given.notna())
        report_back(tables, customers, given.notna() & ~matched, code, [col], values=given)
    loops = parent_cycles(customers["customer_key"], customers["parent_key"])
    in_loop = customers["customer_key"].isin(list(loops))
    report_back(tables, customers, in_loop, ProblemCode.PARENT_CYCLE, ["parent_organization"],
                 values=customers["parent_organization"],
                 details=customers["customer_key"].map(loops).astype(object))  # fmt: skip


def parent_cycles(keys: pd.Series, parents: pd.Series) -> dict[object, str]:
    """Customers whose parent chain loops back, each with the loop written out (A -> B -> A)."""
    parent = {k: p for k, p in zip(keys, parents, strict=True) if isinstance(p, str) or p == p}
    found: dict[object, str] = {}
    for start in parent:
        path: list[object] = []
        node: object = start
        while node in parent and node not in path and node not in found:
            path.append(node)
            node = parent[node]
        if node in path:
            loop = path[path.index(node) :]
            text = " -> ".join(str(k) for k in [*loop, node])
            for k in loop:
                found[k] = text
    return found
