"""The validated data every later stage uses: :class:`CrmData` and its :class:`TableInfo`.

:mod:`crmsheet.checks` builds it from the tables read; the analyses, the enriched workbook
and the command line only read it. It lives apart from the checks so that those stages
depend on the shape of the data, not on how it was checked.

Every non-blank input row ends up in exactly one place: the clean frame of its role (its
Excel row number in ``_row``), or the problem report with action "row skipped".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import ProblemReport

__all__ = ["CrmData", "TableInfo"]


@dataclass(frozen=True)
class TableInfo:
    """What was read from one sheet or file, and how it was understood."""

    file: str
    sheet: str
    role: str | None
    part: str | None
    header_row: int
    mapping: dict[str, str]  # header text -> field, in column order
    extra_columns: tuple[str, ...]
    rows_read: int
    rows_kept: int
    rows_rejected: int
    rows_blank: int
    hidden: bool = False
    reason: str = ""  # why the sheet got its role: the headers and data that decided it
    user_mapped: tuple[str, ...] = ()  # the headers whose field a column map (--map) gave

    @property
    def role_text(self) -> str:
        """The role as shown: "transactions (lines)", "customers", or "-" for none."""
        if not self.role:
            return "-"
        return self.role + (f" ({self.part})" if self.part else "")


@dataclass(frozen=True, eq=False)
class CrmData:
    """Everything :func:`crmsheet.read` understood, plus what it could not.

    ``customers``, ``transactions``, ``spend`` and ``support`` hold the kept rows with the
    canonical fields (see :mod:`crmsheet.schema`), derived columns, the user's own columns
    unchanged, and ``_file``/``_sheet``/``_row`` saying where each row came from.
    ``customer_key`` links them: the customer ID, or the name when a customer has no ID.
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    spend: pd.DataFrame
    support: pd.DataFrame
    problems: ProblemReport
    tables: tuple[TableInfo, ...] = field(default_factory=tuple)
    customer_sheet: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The kept customer rows exactly as written (the user's headers and cells), in the
    same order as ``customers``: what the enriched workbook shows unchanged."""
    settings_values: dict[str, object] = field(default_factory=dict)
    """``setting -> value`` from a Settings sheet in the input, if it had one."""
    notes: tuple[str, ...] = ()
    """Sentences about how the files were read and joined ("412 of 412 invoices matched
    their order"): shown with the mapping by both commands."""
    checked: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Rows read and joined but not counted as sales: invoice lines checked against their
    invoice's total, and payments (cash, not sales). ``_use`` says which ("line checked",
    "payment"), ``customer_key`` whose they are, ``_file``/``_sheet``/``_row`` where from."""
    base_currency: str = ""
    """The currency every amount is in (ISO 4217, "" when unknown): amounts of sales and
    spend written in another currency were converted to it (:mod:`crmsheet.checks.currencies`)."""
    rates: dict[str, float] = field(default_factory=dict)
    """``code -> rate`` to the base currency, from the settings and a Rates sheet: the rates
    the amounts were converted with."""
    same_as: dict[object, object] = field(default_factory=dict)
    """``duplicate customer key -> survivor key``: the customer rows whose "Same as" cell
    names another customer, resolved to the end of a chain (see
    :mod:`crmsheet.checks.same_as`); every analysis merges them."""

    @property
    def mapping(self) -> pd.DataFrame:
        """How each sheet was understood: one row per column of every table read.

        Columns: ``file`` (name), ``sheet``, ``role`` (with its part, "transactions
        (lines)"), ``reason`` (why that role), ``header`` (as in the file), ``field`` (the
        crmsheet field, "" for a column kept as the user's own) and ``how``: "map" (a
        column map gave it), "matched" (crmsheet recognised the header) or "own" (kept
        unchanged). Long rather than one row per table, so it filters and groups like the
        problem report.
        """
        rows: list[tuple[str, str, str, str, str, str, str]] = []
        for t in self.tables:
            where = (Path(t.file).name, t.sheet, t.role_text, t.reason)
            given = set(t.user_mapped)
            for header, name in t.mapping.items():
                rows.append((*where, header, name, "map" if header in given else "matched"))
            rows.extend((*where, header, "", "own") for header in t.extra_columns)
        columns = ["file", "sheet", "role", "reason", "header", "field", "how"]
        return pd.DataFrame(rows, columns=columns, dtype="str")

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_kept(self) -> int:
        return sum(t.rows_kept for t in self.tables)

    @property
    def rows_rejected(self) -> int:
        return sum(t.rows_rejected for t in self.tables)

    def __repr__(self) -> str:
        return (
            f"<CrmData: {len(self.customers)} customers, {len(self.transactions)} "
            f"transactions, {len(self.spend)} spend rows, {len(self.support)} support rows; "
            f"{self.rows_read} rows read, {self.rows_kept} kept, {self.rows_rejected} "
            f"rejected; {self.problems.errors} errors, {self.problems.warnings} warnings>"
        )
