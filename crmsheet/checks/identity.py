"""Customer identity: when two rows are one customer, and which customer a reference means.

Customer IDs decide first; without an ID, the name does. A later row repeating an ID (or,
without IDs, an exact name) is skipped; names that agree once case, punctuation and legal
forms (Inc, Ltd, GmbH...) go are reported as possible duplicates. A row without an ID whose
email is on another customer row (a shop's customer list exported twice, once by email
only) is that customer: the row with an ID is kept (sales name it by ID), else the first;
the other row is skipped whole, its cells not merged in (what the user wrote stays on one
row, and the problem names both rows). :class:`CustomerIndex` resolves the IDs, emails and
names written on invoices, referrals and parents to customer keys.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
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


def email_key(emails: pd.Series) -> pd.Series:
    """An email as compared for 'same customer?': trimmed, case aside."""
    text = as_text(emails).str.strip().str.casefold()
    return text.where(text.str.len() > 0)


def duplicates(tables: Sequence[Table], allc: pd.DataFrame) -> None:
    """Later rows that repeat a customer ID (or, without IDs, a name) are skipped; so is a
    row without an ID whose email is another row's (see the module docstring)."""
    has_id = allc["customer_id"].notna()
    names_only = ~has_id & allc["name"].notna()
    checks = (
        (ProblemCode.DUPLICATE_ID, "customer_id", allc["customer_id"], has_id),
        (ProblemCode.DUPLICATE_NAME, "name", _name_exact(allc["name"]), names_only),
    )
    skipped = np.zeros(len(allc), dtype=bool)
    for code, field_name, key, mask in checks:
        dup, details = _first_seen(allc, key, mask)
        skipped |= dup.to_numpy(dtype=bool)
        _report_skipped(tables, allc, dup.to_numpy(dtype=bool), code, field_name, details)
    dup_email, details = _same_email(allc, has_id, skipped)
    _report_skipped(tables, allc, dup_email, ProblemCode.DUPLICATE_EMAIL, "email", details)


def _report_skipped(
    tables: Sequence[Table],
    allc: pd.DataFrame,
    dup: np.ndarray,
    code: ProblemCode,
    field_name: str,
    details: pd.Series,
) -> None:
    """Report (and reject) the rows ``dup`` of the combined frame on their own tables."""
    for i, t in enumerate(tables):
        sel = dup & (allc["_table"] == i).to_numpy()
        if not sel.any():
            continue
        rows = pd.Series(False, index=t.frame.index)
        rows.loc[allc.index[sel]] = True
        det = pd.Series("", index=t.frame.index, dtype=object)
        det.loc[allc.index[sel]] = details[sel].to_numpy()
        t.report(code, rows, field_name, values=t.frame[field_name], details=det,
                 reject=True)  # fmt: skip


def _same_email(
    frame: pd.DataFrame, has_id: pd.Series, skipped: np.ndarray
) -> tuple[np.ndarray, pd.Series]:
    """(rows without an ID whose email another row has, "N of Sheet (who)" of that row).

    Of the rows sharing an email, the first with an ID is kept, else the first row; rows
    with another ID are other customers (a shared inbox) and stay.
    """
    email = email_key(frame["email"]).to_numpy(dtype=object)
    alive = ~pd.isna(email) & ~skipped
    dup = np.zeros(len(frame), dtype=bool)
    where = pd.Series("", index=frame.index, dtype=object)
    if alive.sum() < 2:
        return dup, where
    pos = np.flatnonzero(alive)
    cand = pd.DataFrame({"k": email[alive], "idless": ~has_id.to_numpy(dtype=bool)[alive],
                         "pos": pos})  # fmt: skip
    kept = cand.sort_values(["idless", "pos"], kind="stable").drop_duplicates("k")
    anchor = cand["k"].map(kept.set_index("k")["pos"]).to_numpy(dtype=np.int64)
    repeat = cand["idless"].to_numpy(dtype=bool) & (anchor != pos)
    if not repeat.any():
        return dup, where
    dup[pos[repeat]] = True
    first = anchor[repeat]
    row = frame["_row"].iloc[first].astype("Int64").astype("string").to_numpy()
    sheet = frame["_sheet"].iloc[first].astype("string").to_numpy()
    same_sheet = sheet == frame["_sheet"].iloc[pos[repeat]].astype("string").to_numpy()
    who = frame["customer_id"].fillna(frame["name"]).iloc[first].astype("string")
    text = pd.Series(row, dtype="string").where(same_sheet, row + " of " + sheet)
    text = text + (" (customer “" + pd.Series(who.to_numpy(), dtype="string") + "”)").fillna("")
    where[dup] = text.to_numpy(dtype=object)
    return dup, where


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
    """Resolves IDs, emails and names written elsewhere (invoices, referrals) to customers.

    ``notes`` gathers, per sales table, how many rows found their customer by email only.
    """

    def __init__(self, customers: pd.DataFrame, name_key: pd.Series) -> None:
        self.customers = customers
        self.has_sheet = not customers.empty
        self.notes: list[str] = []
        keys = customers["customer_key"].astype("object")
        by_id = pd.Series(keys.to_numpy(), index=customers["customer_id"].astype("object"))
        self.by_id = by_id[by_id.index.notna() & ~by_id.index.duplicated()]
        names = name_key.astype("object")
        by_name = pd.Series(keys.to_numpy(), index=names)
        self.by_name = by_name[by_name.index.notna() & ~by_name.index.duplicated()]
        emails = email_key(customers["email"]).astype("object")
        by_email = pd.Series(keys.to_numpy(), index=emails)
        # an email two customers share (a family, an office inbox) names neither of them
        self.by_email = by_email[by_email.index.notna() & ~by_email.index.duplicated(keep=False)]

    def resolve(
        self, ids: pd.Series, names: pd.Series, emails: pd.Series | None = None
    ) -> tuple[pd.Series, pd.Series]:
        """(customer_key, matched?) for references given as an ID, an email and/or a name."""
        key, matched, _ = self._resolve(ids, names, emails)
        return key, matched

    def _resolve(
        self, ids: pd.Series, names: pd.Series, emails: pd.Series | None
    ) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(customer_key, matched?, matched by email?).

        An ID is looked up as an ID, then the email, then a name by its comparison key;
        then each of ID and name as the other (people write "Acme" in an ID column and
        "C001" in a customer column). Unmatched references keep what was written: with a
        customer sheet, the email first (a guest's ID, 0, is shared by every guest), else
        the ID, else the name.
        """
        ids = as_text(ids)
        names = as_text(names)
        mails = email_key(emails) if emails is not None else pd.Series(pd.NA, index=ids.index)
        key = ids.astype("object").map(self.by_id).astype("object")
        by_email = pd.Series(False, index=ids.index)
        if emails is not None and not self.by_email.empty:
            todo = (key.isna() & mails.notna()).to_numpy(dtype=bool)
            if todo.any():
                key[todo] = mails[todo].astype("object").map(self.by_email).to_numpy()
                by_email = key.notna() & pd.Series(todo, index=ids.index)
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
        order = (mails, ids, names) if self.has_sheet else (ids, names, mails)
        written = order[0].astype("object")
        for other in order[1:]:
            written = written.where(written.notna(), other.astype("object"))
        return key.where(matched, written).astype("object"), matched, by_email

    def resolve_sales(
        self, tables: Sequence[Table], sales: pd.DataFrame
    ) -> tuple[pd.Series, pd.Series]:
        """(customer_key, matched?) of sales rows; a note per table matched by email.

        ``sales`` holds the kept rows of ``tables`` (META columns say which table each
        came from).
        """
        emails = sales.get("customer_email")
        key, matched, by_email = self._resolve(sales["customer_id"], sales["customer_name"],
                                               emails)  # fmt: skip
        if by_email.any():
            self.notes.extend(_email_notes(tables, sales, by_email))
        return key, matched


def _email_notes(tables: Sequence[Table], sales: pd.DataFrame, by_email: pd.Series) -> list[str]:
    """One line per table: how many of its rows found their customer by email only.

    Lines and payments carry the email of their order row (checks.joins lends it).
    """
    notes = []
    for t in tables:
        mine = (sales["_file"] == str(t.layout.grid.path)) & (sales["_sheet"] == t.sheet)
        n = int((mine & by_email).sum())
        if not n:
            continue
        cols, headers, part = t.layout.field_columns, t.layout.headers, t.layout.part
        lent = part in ("lines", "payments") and "customer_email" not in cols
        what = part if part in ("lines", "payments") else "orders" if "invoice" in cols else "rows"
        how = "their order's email" if lent else f"email ({headers[cols['customer_email']]})"
        if lent:
            why = "their order's customer ID matched no customer"
        elif "customer_id" in cols:
            why = f"their {headers[cols['customer_id']]} matched no customer"
            blank = int((mine & by_email & sales["customer_id"].isna()).sum())
            why += f" or was blank ({blank} blank)" if blank else ""
        else:
            why = "the sheet has no customer ID column"
        notes.append(f"{t.file} / {t.sheet}: {n} of {int(mine.sum())} {what} matched their "
                     f"customer by {how}; {why}.")  # fmt: skip
    return notes


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
