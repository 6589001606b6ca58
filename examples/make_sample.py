"""Build examples/sample_customers.xlsx: a realistic small-business workbook.

A few hundred customers of a B2B services firm, a few thousand invoice lines, marketing
spend per month and channel, support cases, some parent groups and referrals, and a
handful of the problems real sheets have (a title row, a duplicate ID, a bad date, money
typed as text, a total row). Fixed seed: the same file every time.

    python examples/make_sample.py [OUT.xlsx]
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import xlsxwriter

SEED = 20261101
AS_OF = date(2026, 11, 1)
INDUSTRIES = [
    "Construction",
    "Retail",
    "Hospitality",
    "Healthcare",
    "Manufacturing",
    "Professional services",
    "Education",
    "Logistics",
]
REGIONS = ["North", "South", "East", "West", "Central"]
SOURCES = [
    "Referral",
    "Word of mouth",
    "Website",
    "Google",
    "Cold call",
    "Trade show",
    "Newsletter",
    "Walk-in",
    "Partner",
    "Campaign",
]
SIZES = ["1-9", "10-49", "50-99", "100-249", "250+", "1,000+", "12", "35", "8", "150"]
TIERS = ["Base", "Base", "Base", "Premium"]
TYPES = ["Customer"] * 8 + ["Prospect", "Reseller"]
WORDS = [
    "Acme",
    "Brightside",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Northwind",
    "Orchid",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidewater",
    "Union",
    "Vertex",
    "Willow",
    "Yarrow",
]
SUFFIXES = ["Ltd", "Inc.", "LLC", "& Sons", "Group", "Co.", "Partners", "Studio"]


def build(out: Path) -> Path:
    rng = np.random.default_rng(SEED)
    n = 320
    names: list[str] = []
    stems: set[str] = set()
    while len(names) < n:
        stem = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        if (
            stem not in stems
        ):  # one firm per stem: "Acme Delta Ltd" and "Acme Delta Inc." would be one
            stems.add(stem)
            names.append(f"{stem} {rng.choice(SUFFIXES)}")
    ids = [f"C{1000 + i:04d}" for i in range(n)]
    parents = {i: None for i in range(n)}
    for child in rng.choice(np.arange(10, n), size=40, replace=False):
        parents[int(child)] = ids[int(rng.integers(0, 8))]  # a few groups
    for child in range(10, 26):  # and one group big enough to depend on
        parents[child] = ids[1]
    referrers = {i: None for i in range(n)}
    sources = [str(rng.choice(SOURCES)) for _ in range(n)]
    for i in range(n):
        if sources[i] in ("Referral", "Word of mouth") and i > 5:
            j = int(rng.integers(0, i))
            referrers[i] = ids[j] if rng.random() < 0.7 else names[j]
    first = [AS_OF - timedelta(days=int(rng.integers(30, 1500))) for _ in range(n)]

    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": _dt(AS_OF), "author": "crmsheet example"})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    dfmt = book.add_format({"num_format": "dd/mm/yyyy"})
    money = book.add_format({"num_format": "#,##0.00"})

    # -- Customers, with a title row above the header, the way people make them
    ws = book.add_worksheet("Customers")
    ws.write(0, 0, "Harbor Services customer list", title)
    headers = [
        "Customer ID",
        "Company",
        "Industry",
        "Employees",
        "Region",
        "Type",
        "Lead source",
        "Campaign",
        "Referred by",
        "Member of",
        "Customer since",
        "Next follow-up",
        "Rating",
        "Support plan",
        "Email",
        "Phone",
        "Account manager",
        "Notes",
    ]
    ws.write_row(2, 0, headers, bold)
    managers = ["Ana", "Ben", "Chloe", "Dev"]
    for i in range(n):
        r = 3 + i
        follow = AS_OF + timedelta(days=int(rng.integers(-60, 90))) if rng.random() < 0.6 else None
        row = [
            ids[i],
            names[i],
            str(rng.choice(INDUSTRIES)),
            str(rng.choice(SIZES)),
            str(rng.choice(REGIONS)),
            str(rng.choice(TYPES)),
            sources[i],
            "Spring 2026" if sources[i] == "Campaign" else None,
            referrers[i],
            parents[i],
            None,
            None,
            ["A", "B", "C", None][int(rng.integers(0, 4))],
            str(rng.choice(TIERS)),
            f"office@{names[i].split()[0].lower()}{i}.example.com",
            f"0{rng.integers(100000000, 999999999)}",
            str(rng.choice(managers)),
            None,
        ]
        for c, v in enumerate(row):
            if v is not None:
                ws.write_string(r, c, str(v))
        ws.write_datetime(r, 10, _dt(first[i]), dfmt)
        if follow is not None:
            ws.write_datetime(r, 11, _dt(follow), dfmt)
    # the problems real sheets have
    last = 3 + n
    ws.write_string(last, 0, ids[17])  # a duplicate ID
    ws.write_string(last, 1, "Granite Falcon Partners (old)")
    ws.write_string(last + 1, 1, names[3].upper().replace(".", ""))  # near-duplicate name
    ws.write_string(last + 1, 10, "31/02/2024")  # a date that does not exist
    ws.write_string(last + 2, 1, "Total")  # a total row
    ws.write_string(last - 1, 6, "Carrier pigeon")  # a source of its own
    ws.write_string(5, 15, '=HYPERLINK("http://example.com")')  # text that must stay text
    ws.freeze_panes(3, 0)
    ws.set_column(0, len(headers) - 1, 16)

    # -- Transactions: invoice lines
    ws = book.add_worksheet("Invoices")
    ws.write_row(
        0,
        0,
        [
            "Invoice No",
            "Date",
            "Customer ID",
            "Description",
            "Qty",
            "Unit price",
            "Discount",
            "Type",
        ],
        bold,
    )
    r = 1
    inv = 5000
    weights = rng.pareto(1.2, n) + 0.1
    weights[10:26] = 8.0  # the big group buys a lot
    for i in range(n):
        if TYPES[i % len(TYPES)] == "Prospect" and rng.random() < 0.5:
            continue
        cadence = int(rng.choice([30, 60, 90, 180, 365]))
        day = first[i]
        # as real customers do: after each purchase some never come back (a chance of its own
        # per customer, 1 in 13 on average), and the gaps between purchases vary around the
        # customer's cadence (so a purchase model has something to learn)
        leave = float(rng.beta(1.0, 12.0))
        while day <= AS_OF:
            inv += 1
            for _ in range(int(rng.integers(1, 4))):
                price = round(
                    float(rng.choice([45, 90, 120, 250, 600, 1200])) * min(weights[i], 8), 2
                )
                disc = float(rng.choice([0, 0, 0, 0.05, 0.1, 0.25]))
                ws.write_string(r, 0, f"INV{inv}")
                ws.write_datetime(r, 1, _dt(day), dfmt)
                ws.write_string(r, 2, ids[i])
                ws.write_string(
                    r,
                    3,
                    str(
                        rng.choice(
                            [
                                "Service visit",
                                "Maintenance plan",
                                "Parts",
                                "Consulting hour",
                                "Installation",
                            ]
                        )
                    ),
                )
                ws.write_number(r, 4, int(rng.integers(1, 6)))
                ws.write_number(r, 5, price, money)
                ws.write_number(r, 6, disc)
                ws.write_string(r, 7, "Invoice")
                r += 1
            if rng.random() < leave:
                break
            day += timedelta(days=max(7, int(rng.gamma(2.0, cadence / 2.0))))
    ws.write_string(r, 0, f"C{inv + 1}")  # a credit note
    ws.write_datetime(r, 1, _dt(AS_OF - timedelta(days=20)), dfmt)
    ws.write_string(r, 2, ids[0])
    ws.write_string(r, 3, "Refund")
    ws.write_number(r, 4, -1)
    ws.write_string(r, 5, "$1,250.00")  # money typed as text
    ws.write_string(r + 1, 0, f"INV{inv + 2}")
    ws.write_datetime(r + 1, 1, _dt(AS_OF - timedelta(days=3)), dfmt)
    ws.write_string(r + 1, 2, "C9999")  # a customer not on the list
    ws.write_number(r + 1, 4, 2)
    ws.write_number(r + 1, 5, 80, money)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 7, 14)

    # -- Marketing spend per month and channel
    ws = book.add_worksheet("Marketing Spend")
    ws.write_row(0, 0, ["Month", "Channel", "Campaign", "Spend"], bold)
    r = 1
    month = date(AS_OF.year - 2, AS_OF.month, 1)
    while month < AS_OF:
        for channel, base in (
            ("Web", 6000),
            ("Trade show", 25000),
            ("Newsletter", 900),
            ("Campaign", 5000),
        ):
            if channel == "Trade show" and month.month not in (3, 9):
                continue
            ws.write_datetime(r, 0, _dt(month), book.add_format({"num_format": "mmm yyyy"}))
            ws.write_string(r, 1, channel)
            if channel == "Campaign":
                ws.write_string(r, 2, "Spring 2026")
            ws.write_number(r, 3, round(base * float(rng.uniform(0.7, 1.3)), 2), money)
            r += 1
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)

    # -- Support cases
    ws = book.add_worksheet("Support")
    ws.write_row(0, 0, ["Ticket", "Customer ID", "Opened", "Minutes", "Severity"], bold)
    for k in range(900):
        i = int(min(rng.pareto(1.0) * 20, n - 1))
        ws.write_string(k + 1, 0, f"T{10000 + k}")
        ws.write_string(k + 1, 1, ids[i])
        ws.write_datetime(k + 1, 2, _dt(AS_OF - timedelta(days=int(rng.integers(0, 700)))), dfmt)
        ws.write_number(k + 1, 3, int(rng.integers(5, 180)))
        ws.write_string(k + 1, 4, str(rng.choice(["low", "low", "normal", "high"])))
    book.close()
    return out


def _dt(d: date):  # xlsxwriter writes datetime; a date is midnight
    from datetime import datetime

    return datetime(d.year, d.month, d.day)


if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).with_name("sample_customers.xlsx")
    )
    print(build(target))
