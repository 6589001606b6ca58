"""The call lists' own columns: who to ask for, whose customer it is, what was noted.

A Lapsed or Follow-ups list is worked from top to bottom with a phone in hand: beside the
name, email and phone it carries the user's contact person, account manager and notes
columns (found by their header), and every column named in ``Settings.carry_columns``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..analysis.columns import Column, day, text
from ..data import CrmData
from ..schema import normalise_header

__all__ = ["CARRIED_HEADERS", "Carried", "carried_columns"]

#: Headers (normalised) carried onto the call lists without being named in the settings.
CARRIED_HEADERS = frozenset({
    "contact", "contact person", "contact name", "main contact", "primary contact",
    "account manager", "account owner", "owner", "customer owner", "sales rep",
    "sales representative", "salesperson", "sales person", "rep", "assigned to",
    "key account manager", "notes", "note", "comments", "comment", "remarks",
})  # fmt: skip

#: Fields the lists show already (as Name, Email, Phone, Contact): never carried twice.
_SHOWN_FIELDS = frozenset({"customer_id", "name", "email", "phone", "contact"})


@dataclass(frozen=True)
class Carried:
    """The user's columns for the call lists, per customer key, and how they are shown."""

    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    shown: dict[str, Column] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def beside(self, calls: pd.DataFrame) -> pd.DataFrame:
        """``calls`` (indexed by customer key) with the carried columns after the phone
        (or the email, or the name)."""
        if self.frame.empty:
            return calls
        extra = self.frame.reindex(calls.index)
        after = next((c for c in ("phone", "email", "contact", "name") if c in calls), None)
        at = list(calls.columns).index(after) + 1 if after else len(calls.columns)
        return pd.concat([calls.iloc[:, :at], extra, calls.iloc[:, at:]], axis=1)


def carried_columns(data: CrmData, named: Sequence[str] = ()) -> Carried:
    """The customer sheet's columns to carry: contact, account manager and notes headers,
    and the ``named`` ones; a named column the sheet does not have is said in a note."""
    own = data.customer_sheet
    if own.empty:
        missing = tuple(named)
        return Carried(notes=_missing_note(missing))
    fields = {h: f for t in data.tables if t.role == "customers" for h, f in t.mapping.items()}
    wanted = {normalise_header(n): n for n in named}
    picked = [
        h for h in own.columns
        if fields.get(h) not in _SHOWN_FIELDS
        and (normalise_header(h) in CARRIED_HEADERS or normalise_header(h) in wanted)
    ]  # fmt: skip
    found = {normalise_header(h) for h in own.columns}
    missing = tuple(n for key, n in wanted.items() if key not in found)
    if not picked:
        return Carried(notes=_missing_note(missing))
    keys = data.customers["customer_key"].reset_index(drop=True)
    values = own[picked].reset_index(drop=True)
    values.columns = [f"carried_{i}" for i in range(len(picked))]
    values.index = pd.Index(keys.to_numpy(), name="customer_key")
    values = values.loc[~values.index.duplicated(keep="first")]
    shown = {
        f"carried_{i}": day(str(h)) if pd.api.types.is_datetime64_any_dtype(own[h])
        else text(str(h))
        for i, h in enumerate(picked)
    }  # fmt: skip
    return Carried(values, shown, _missing_note(missing))


def _missing_note(missing: Sequence[str]) -> tuple[str, ...]:
    if not missing:
        return ()
    names = ", ".join(f"“{n}”" for n in missing)
    return (f"carry_columns names {names}, which the customer sheet does not have: check the "
            "header's spelling on the Settings sheet.",)  # fmt: skip
