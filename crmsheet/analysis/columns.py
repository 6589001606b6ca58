"""What each analysis column holds, declared beside the analysis that makes it.

An analysis names its columns for code (``revenue_12m``); a reader sees a header
("Revenue (12 months)") and a number shown the way its meaning asks: money as money, a count
without decimals, a share as a percentage, a date as a date. Each analysis module declares
its columns once, as ``{name: Column}``, with the helpers below (``money("Revenue (12
months)")``); the workbook shows every column by its declared :data:`Kind`, never by a guess
from its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Column",
    "Kind",
    "count",
    "day",
    "days",
    "flag",
    "merged",
    "money",
    "rate",
    "row",
    "share",
    "text",
]

#: What a column holds. count: whole things (customers, purchases, a score 1-5); money: an
#: amount in the book's currency; share: a fraction of a whole or a ratio shown as a
#: percentage (0.25 -> 25.0 %); rate: a fractional quantity (0.35 expected purchases, 2.4
#: purchases a year); days: a number of days; date: a day; flag: yes or no; text: words;
#: row: an Excel row number (5734, never 5,734).
Kind = Literal["text", "count", "money", "share", "rate", "days", "date", "flag", "row"]


@dataclass(frozen=True)
class Column:
    """One column as a reader sees it: its header and what it holds."""

    label: str
    kind: Kind


def text(label: str) -> Column:
    return Column(label, "text")


def count(label: str) -> Column:
    return Column(label, "count")


def money(label: str) -> Column:
    return Column(label, "money")


def share(label: str) -> Column:
    return Column(label, "share")


def rate(label: str) -> Column:
    return Column(label, "rate")


def days(label: str) -> Column:
    return Column(label, "days")


def day(label: str) -> Column:
    return Column(label, "date")


def flag(label: str) -> Column:
    return Column(label, "flag")


def row(label: str) -> Column:
    return Column(label, "row")


def merged(*declared: Mapping[str, Column]) -> dict[str, Column]:
    """Several modules' declarations as one (a later module's wins a shared name)."""
    out: dict[str, Column] = {}
    for columns in declared:
        out.update(columns)
    return out
