"""A shop's monthly exports at three runs, whose movements are known by hand.

Runs on 2026-09-01, 2026-10-01 and 2026-11-01; each export holds the customers then and the
invoices up to its day (sales on the 15th of each month unless said). Ratings are Pareto
over the 12 months (A: the top 80 %, B: the next 15 %), no support data, default Settings.

=========  ===============================================  ===========================
customer   sales                                            known movements
=========  ===============================================  ===========================
Acme AC    2,000 a month                                    A throughout; follow-up
                                                            2026-10-15, then 2026-12-01
Bolt BO    200 a month, and 9,000 on 2025-09-15             A at run 1 (11,400 in 12
                                                            months); B at runs 2 and 3
                                                            (the 9,000 left the window)
Cedar CE   50 a month, the last on 2026-03-15               lapsing at run 1 (170 days
                                                            silent, usual gap ~30);
                                                            lapsed at run 2 (200 days)
Dune DU    100 a month 2024-06..2025-06, 500 on 2026-10-15  lapsed at runs 1, 2; won back
                                                            at run 3
Elm EL     100 on 2026-09-20 and 2026-10-20                 new customer at run 2
Fig FI     600 a month                                      A throughout; follow-up
                                                            2026-10-20, never moved
Gale GA    150 a month, the last on 2026-07-15              B; lapsing at run 3 (109 days)
Hops HO    50 a month                                       C throughout
=========  ===============================================  ===========================

Run 1 -> 2: Bolt A -> B; Cedar lapsed; Elm new. Run 2 -> 3: Dune won back; Gale lapsing;
Acme's and Fig's follow-ups passed (Acme has a new date, Fig none).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from test_read import write_book

RUNS = (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1))

_MONTHS = [(y, m) for y in (2024, 2025, 2026) for m in range(1, 13)]


def _monthly(
    amount: float, first: tuple[int, int], last: tuple[int, int]
) -> list[tuple[datetime, float]]:
    return [(datetime(y, m, 15), amount) for y, m in _MONTHS if first <= (y, m) <= last]


SALES: dict[str, list[tuple[datetime, float]]] = {
    "AC": _monthly(2000, (2025, 1), (2026, 12)),
    "BO": [*_monthly(200, (2025, 1), (2026, 12)), (datetime(2025, 9, 15), 9000.0)],
    "CE": _monthly(50, (2025, 1), (2026, 3)),
    "DU": [*_monthly(100, (2024, 6), (2025, 6)), (datetime(2026, 10, 15), 500.0)],
    "EL": [(datetime(2026, 9, 20), 100.0), (datetime(2026, 10, 20), 100.0)],
    "FI": _monthly(600, (2025, 1), (2026, 12)),
    "GA": _monthly(150, (2025, 1), (2026, 7)),
    "HO": _monthly(50, (2025, 1), (2026, 12)),
}

NAMES = {"AC": "Acme", "BO": "Bolt", "CE": "Cedar", "DU": "Dune", "EL": "Elm", "FI": "Fig",
         "GA": "Gale", "HO": "Hops"}  # fmt: skip


def export(
    path: Path,
    run: date,
    *,
    keys: tuple[str, ...] | None = None,
    names: dict[str, str] | None = None,
) -> Path:
    """The shop's export on ``run``: its customers (Elm from run 2) and invoices to that day."""
    keys = keys or tuple(k for k in NAMES if k != "EL" or run >= RUNS[1])
    follow = {"AC": datetime(2026, 12, 1) if run >= RUNS[2] else datetime(2026, 10, 15),
              "FI": datetime(2026, 10, 20)}  # fmt: skip
    customers: list[list[object]] = [["Customer ID", "Name", "Email", "Next follow-up"]]
    named = {**NAMES, **(names or {})}
    customers += [[k, named.get(k, k), f"{k.lower()}@example.com", follow.get(k)] for k in keys]
    invoices: list[list[object]] = [["Invoice", "Date", "Customer ID", "Amount"]]
    n = 0
    for key in keys:
        for when, amount in sorted(SALES.get(key, [])):
            if when.date() < run:
                n += 1
                invoices.append([f"INV{n:04d}", when, key, amount])
    return write_book(path, {"Customers": customers, "Invoices": invoices})


def other_shop(path: Path, run: date) -> Path:
    """Another shop's export: none of these customers."""
    customers: list[list[object]] = [["Customer ID", "Name"], ["Z1", "Zeta"], ["Z2", "Yotta"]]
    invoices: list[list[object]] = [["Invoice", "Date", "Customer ID", "Amount"],
                                    ["Z-1", datetime(2026, 5, 1), "Z1", 100],
                                    ["Z-2", datetime(2026, 6, 1), "Z2", 50]]  # fmt: skip
    return write_book(path, {"Customers": customers, "Invoices": invoices})
