"""The user's column maps (``--map [FILE:]FIELD=HEADER``): parsed, scoped, applied and checked.

A map says which header holds a field when crmsheet cannot tell by itself. It always beats
the automatic matching, applies to every file read unless it names one (``orders.csv:amount=
Total``: a file name, a file stem or a sheet name), and is refused, with the reason, when it
cannot do what it says: a second map for one field in one scope, a header that is in no file
(in its own file when scoped), a FILE that is not among those read, or a field the file's role
has no place for (a customer attribute on a transactions file). A map silently ignored would
give a confident, wrong workbook; a refusal costs one retyped option.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .errors import SettingsError
from .io.grid import Grid
from .schema import ROLES, Role, field_specs, normalise_header


class TableLayout(Protocol):
    """What the checks of a map read of a laid-out sheet (:class:`crmsheet.mapping.TableLayout`
    has it): described here, so that the maps need not import the mapper that applies them."""

    @property
    def grid(self) -> Grid: ...
    @property
    def role(self) -> Role | None: ...
    @property
    def part(self) -> str | None: ...
    @property
    def headers(self) -> tuple[str, ...]: ...
    @property
    def mapping(self) -> dict[int, str]: ...


__all__ = ["ColumnMap", "ColumnMapEntry", "forced_columns", "parse_column_map"]

ColumnMapInput = Mapping[str, str] | Sequence[str] | str | None

#: Every field name, as typed in any case or spacing ("Customer ID", "customerId") -> the field.
_FIELDS: dict[str, str] = {
    normalise_header(name): name for role in ROLES for name in field_specs(role)
}


@dataclass(frozen=True)
class ColumnMapEntry:
    """One map: ``field`` is held by the column headed ``header`` in ``scope`` (None: all)."""

    field: str
    header: str
    scope: str | None = None
    given: str = ""  # as the user wrote it, for messages: "--map 'orders.csv:amount=Total'"

    @property
    def key(self) -> str:
        """The header as compared with the sheet's headers."""
        return normalise_header(self.header)

    def names(self, grid: Grid) -> bool:
        """Whether the map applies to ``grid``: unscoped, or its FILE names the file or sheet."""
        if self.scope is None:
            return True
        wanted = {self.scope.casefold(), Path(self.scope).name.casefold()}
        return bool(wanted & {grid.path.name.casefold(), grid.path.stem.casefold(),
                              grid.sheet.casefold()})  # fmt: skip


@dataclass(frozen=True)
class ColumnMap:
    """The column maps of one read, in the order given."""

    entries: tuple[ColumnMapEntry, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def for_grid(self, grid: Grid) -> dict[str, str]:
        """``field -> header`` for one sheet: a map naming the sheet or file beats an unscoped one.

        :raises SettingsError: two scoped maps (say one by file name, one by sheet name) give
            one field different headers in this sheet.
        """
        return {e.field: e.header for e in self.entries_for(grid)}

    def entries_for(self, grid: Grid) -> list[ColumnMapEntry]:
        """The maps in force in ``grid`` (see :meth:`for_grid`)."""
        scoped: dict[str, ColumnMapEntry] = {}
        for entry in self.entries:
            if entry.scope is None or not entry.names(grid):
                continue
            other = scoped.setdefault(entry.field, entry)
            if other.key != entry.key:
                raise SettingsError(
                    f"{other.given} and {entry.given} both say which column of "
                    f"“{_where(grid)}” holds {entry.field}: keep one of them"
                )
        scoped_headers = {e.key for e in scoped.values()}
        unscoped = [e for e in self.entries if e.scope is None and e.field not in scoped
                    and e.key not in scoped_headers]  # fmt: skip
        return [*unscoped, *scoped.values()]

    def check(self, layouts: Sequence[TableLayout]) -> None:
        """Refuse a map that named nothing read, found no header, or could not apply.

        ``layouts`` are every sheet laid out (used or skipped), after the maps were applied.

        :raises SettingsError: the first map that did not do what it says, and why.
        """
        for entry in self.entries:
            targets = [t for t in layouts if entry.names(t.grid)]
            if not targets:
                raise SettingsError(
                    f"{entry.given}: no file or sheet called “{entry.scope}” was read; "
                    f"give one of: {_names(layouts)}"
                )
            in_force = [t for t in targets if entry in self.entries_for(t.grid)]
            if not in_force:
                raise SettingsError(
                    f"{entry.given}: every file read has a map of its own for {entry.field}, "
                    "so this one applies nowhere: drop it"
                )
            having = [t for t in in_force if entry.key in _keys(t)]
            if not having:
                raise SettingsError(f"{entry.given}: {_missing(entry, in_force)}")
            if not any(_applied(entry, t) for t in having):
                raise SettingsError(f"{entry.given}: {_not_applied(entry, having)}")

    def unmatched(self, layouts: Sequence[TableLayout]) -> str:
        """The maps in force in these sheets (one file's) that found no header in them, as a
        sentence for the refusal of a file that has no usable sheet ("" if none): a typo in a
        map is often why the file could not be used."""
        said = []
        for entry in self.entries:
            in_force = [t for t in layouts if entry in self.entries_for(t.grid)]
            if in_force and not any(entry.key in _keys(t) for t in in_force):
                headers = list(dict.fromkeys(h for t in in_force for h in t.headers))
                close = difflib.get_close_matches(entry.header, headers, n=1, cutoff=0.6)
                hint = f" (did you mean “{close[0]}”?)" if close else ""
                said.append(f"{entry.given} found no column “{entry.header}” here{hint}")
        return "; ".join(said) + "." if said else ""


def parse_column_map(items: ColumnMapInput | ColumnMap) -> ColumnMap:
    """Check column maps: ``{"field": "Header"}`` or ``{"FILE:field": "Header"}``, or the
    CLI's ``"field=Header"`` / ``"FILE:field=Header"`` strings.

    Field names are read in any case or spacing (``Source``, ``Customer ID``). A second map
    for one field in the same scope, or two fields given the same header there, is refused.

    :raises SettingsError: the map is malformed, names no crmsheet field, or contradicts itself.
    """
    if isinstance(items, ColumnMap):
        return items
    if not items:
        return ColumnMap()
    entries: list[ColumnMapEntry] = []
    if isinstance(items, Mapping):
        for target, header in items.items():
            given = f"column map {{{target!r}: {header!r}}}"
            entries.append(_entry(str(target), str(header), given))
    else:
        for item in [items] if isinstance(items, str) else items:
            target, sep, header = item.partition("=")
            if not sep:
                raise SettingsError(
                    f"--map {item!r}: write it as FIELD=HEADER (or FILE:FIELD=HEADER for one "
                    "file), e.g. --map industry=BusinessType"
                )
            entries.append(_entry(target, header, f"--map {_quoted(item)}"))
    _refuse_contradictions(entries)
    return ColumnMap(tuple(entries))


def forced_columns(
    role: Role, headers: Sequence[str], overrides: Mapping[str, str]
) -> dict[int, str]:
    """Column -> field for the mapped headers of a sheet read as ``role`` (the maps' part of
    the column mapping: the automatic matching fills in the rest, never over these).

    A field ``role`` has no place for is left out (:meth:`ColumnMap.check` refuses it when
    it applies nowhere); of two columns with the same header the first gets the field.
    """
    specs = field_specs(role)
    wanted = {normalise_header(h): f for f, h in overrides.items() if f in specs}
    forced: dict[int, str] = {}
    for col, header in enumerate(headers):
        name = wanted.get(normalise_header(header))
        if name is not None and name not in forced.values():
            forced[col] = name
    return forced


# -- parsing -------------------------------------------------------------------------------


def _entry(target: str, header: str, given: str) -> ColumnMapEntry:
    scope, _, name = target.rpartition(":")  # a field has no colon; a Windows path may
    scope, name, header = scope.strip(), name.strip(), header.strip()
    if not name or not header or (":" in target and not scope):
        raise SettingsError(
            f"{given}: write it as FIELD=HEADER (or FILE:FIELD=HEADER for one file), e.g. "
            "--map industry=BusinessType or --map orders.csv:amount=Total"
        )
    found = _FIELDS.get(normalise_header(name))
    if found is None:
        close = difflib.get_close_matches(name.casefold(), sorted(set(_FIELDS.values())), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise SettingsError(
            f"{given}: {name!r} is not a crmsheet field.{hint} Known fields: "
            + ", ".join(sorted(set(_FIELDS.values())))
        )
    return ColumnMapEntry(found, header, scope or None, given)


def _refuse_contradictions(entries: Iterable[ColumnMapEntry]) -> None:
    by_field: dict[tuple[str | None, str], ColumnMapEntry] = {}
    by_header: dict[tuple[str | None, str], ColumnMapEntry] = {}
    for entry in entries:
        scope = entry.scope.casefold() if entry.scope else None
        where = f" in {entry.scope}" if entry.scope else ""
        first = by_field.setdefault((scope, entry.field), entry)
        if first.key != entry.key:
            raise SettingsError(
                f"{first.given} and {entry.given} are two maps for {entry.field}{where}: "
                "one column holds a field, so keep one (or name each file: FILE:FIELD=HEADER)"
            )
        other = by_header.setdefault((scope, entry.key), entry)
        if other.field != entry.field:
            raise SettingsError(
                f"{other.given} and {entry.given} give the header “{entry.header}”{where} two "
                "fields: a column holds one field, so keep one"
            )


def _quoted(item: str) -> str:
    return f"'{item}'" if any(c.isspace() for c in item) else item


# -- checking ------------------------------------------------------------------------------


def _keys(t: TableLayout) -> dict[str, int]:
    keys: dict[str, int] = {}
    for col, header in enumerate(t.headers):
        keys.setdefault(normalise_header(header), col)
    return keys


def _applied(entry: ColumnMapEntry, t: TableLayout) -> bool:
    return t.mapping.get(_keys(t)[entry.key]) == entry.field


def _where(grid: Grid) -> str:
    name = grid.path.name
    return name if grid.sheet in {name, ""} else f"{name}, sheet {grid.sheet}"


def _names(layouts: Sequence[TableLayout]) -> str:
    names: dict[str, None] = {}
    for t in layouts:
        names[t.grid.path.name] = None
        if t.grid.sheet != t.grid.path.name:
            names[t.grid.sheet] = None
    return ", ".join(names) or "(nothing was read)"


def _missing(entry: ColumnMapEntry, layouts: Sequence[TableLayout]) -> str:
    where = (", ".join(dict.fromkeys(_where(t.grid) for t in layouts))
             if entry.scope else "any file read")  # fmt: skip
    headers = list(dict.fromkeys(h for t in layouts for h in t.headers))
    close = difflib.get_close_matches(entry.header, headers, n=1, cutoff=0.6)
    hint = f" Did you mean “{close[0]}”?" if close else ""
    shown = ", ".join(headers)
    return f"no column called “{entry.header}” in {where}.{hint} Headers there: {shown}"


def _not_applied(entry: ColumnMapEntry, layouts: Sequence[TableLayout]) -> str:
    reasons = []
    for t in layouts:
        where = _where(t.grid)
        if t.role is None:
            reasons.append(f"“{where}” was not used: crmsheet found no customer, sales, spend "
                           "or support columns in it")  # fmt: skip
        elif entry.field not in field_specs(t.role):
            owners = [r for r in ROLES if entry.field in field_specs(r)]
            role = t.role + (f" ({t.part})" if t.part else "")
            reasons.append(f"“{where}” is read as {role}, which has no {entry.field} column "
                           f"({entry.field} belongs in a {' or '.join(owners)} file)")  # fmt: skip
        else:
            reasons.append(f"“{where}” has more than one column headed “{entry.header}” or "
                           f"{entry.field} went to another column")  # fmt: skip
    return ("the map cannot apply: " + "; ".join(reasons) + ". Map it in the file it belongs "
            "to (FILE:FIELD=HEADER), or drop it")  # fmt: skip
