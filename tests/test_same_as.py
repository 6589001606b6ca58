"""'Same as' (issue 18): the user merges a customer entered twice in their own sheet.

The figures of a survivor before and after merging are worked out by hand below; the Same
as cells that cannot be merged (unknown, the row itself, a chain, a loop) are reported on
their cells.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

import crmsheet
from crmsheet.analysis.merging import merge_same_as
from crmsheet.checks.same_as import _follow
from crmsheet.schema import field_specs

AS_OF = date(2026, 6, 30)

CUSTOMERS = [
    ["Customer ID", "Company", "Phone", "Postcode", "Referred by", "Same as"],
    ["C001", "ACME Ltd", "+44 20 7946 0000", "", "", ""],
    ["C002", "Acme Limited (old)", "020 7946 0000", "", "C006", "{same}"],
    ["C003", "Bayside Builders", "", "BS1 4DJ", "", ""],
    ["C004", "Bayside Builder", "", "BS1 4DJ", "", ""],
    ["C005", "Zenith Dental", "0161 496 0999", "M1 1AA", "", ""],
    ["C006", "Northwind Traders", "0117 496 0123", "BS2 0AA", "", ""],
    ["C007", "Harbour Cafe", "", "", "C002", ""],
]
INVOICES = [
    ["Invoice no", "Date", "Customer ID", "Amount"],
    ["1001", "2025-09-10", "C002", 400],
    ["1002", "2025-10-10", "C002", 500],
    ["1003", "2026-04-01", "C003", 600],
    ["1004", "2026-05-01", "C001", 300],
    ["1005", "2026-05-15", "C004", 100],
    ["1006", "2026-06-01", "C005", 5000],
    ["1007", "2026-03-01", "C006", 800],
]
SUPPORT = [
    ["Customer ID", "Opened", "Cases", "Minutes"],
    ["C002", "2026-01-15", 1, 30],
    ["C001", "2026-05-20", 1, 20],
]


def _book(path: Path, customers: list[list[object]], *, same: str = "") -> Path:
    book = xlsxwriter.Workbook(str(path))
    for name, rows in (("Customers", customers), ("Invoices", INVOICES), ("Support", SUPPORT)):
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, [same if c == "{same}" else c for c in row])
    book.close()
    return path


@pytest.fixture
def before_after(tmp_path: Path) -> tuple[crmsheet.Analysis, crmsheet.Analysis]:
    runs = []
    for same in ("", "C001"):
        path = _book(tmp_path / f"same{same or 'none'}.xlsx", CUSTOMERS, same=same)
        data = crmsheet.read(path, as_of=AS_OF)
        runs.append(crmsheet.analyze(data, as_of=AS_OF))
    return runs[0], runs[1]


def test_same_as_is_a_customer_field_with_its_synonyms() -> None:
    spec = field_specs("customers")["same_as"]
    for header in ("same as", "merge into", "merged into", "duplicate of", "same customer as"):
        assert header in spec.headers


def test_the_survivor_figures_before_and_after_merging(
    before_after: tuple[crmsheet.Analysis, crmsheet.Analysis],
) -> None:
    before, after = before_after
    c0, c1 = before.customers, after.customers
    # before: two customers. C002 bought 400 + 500 on 10 Sep and 10 Oct 2025 (a 30-day gap),
    # silent 263 days by 30 Jun 2026 >= 6 x 30: lapsed. C001 bought once, 60 days ago: new.
    assert c0.loc["C002", "revenue"] == 900 and c0.loc["C001", "revenue"] == 300
    assert c0.loc["C002", "status"] == "lapsed" and c0.loc["C001", "status"] == "new"
    assert "C002" in before.lapsed.index
    # revenue over the 12 months, biggest first: 5000, 900 (C002), 800, 600, 300, 100 of
    # 7,700. Ranked above: C002 5000/7700 = 65 % -> A; C006 5900/7700 = 77 % -> A; C001
    # 7300/7700 = 95 % -> B (under 95 %).
    assert c0.loc["C002", "rating"] == "A" and c0.loc["C006", "rating"] == "A"
    assert c0.loc["C001", "rating"] == "B"
    # after: one customer C001 with 400 + 500 + 300 = 1,200 in 3 purchases since 10 Sep 2025.
    assert "C002" not in c1.index and len(c1) == len(c0) - 1
    assert c1.loc["C001", "revenue"] == 1200 and c1.loc["C001", "transactions"] == 3
    assert c1.loc["C001", "first_purchase"] == pd.Timestamp("2025-09-10")
    assert c1.loc["C001", "last_purchase"] == pd.Timestamp("2026-05-01")
    # gaps 30 and 203 days (median 116.5), silent 60 days: active, not lapsed, not new
    assert c1.loc["C001", "typical_gap_days"] == pytest.approx(116.5)
    assert c1.loc["C001", "status"] == "active"
    assert "C001" not in after.lapsed.index and "C002" not in after.lapsed.index
    assert after.headline.lapsed == before.headline.lapsed - 1
    # 5000, 1200 (C001), 800, 600, 100: C001 ranked under 65 % -> A; C006 now has 6200/7700
    # = 80.5 % above it -> B
    assert c1.loc["C001", "rating"] == "A" and c1.loc["C006", "rating"] == "B"
    # the total is unchanged: nothing counted twice or lost
    assert c1["revenue"].sum() == c0["revenue"].sum() == 7700
    # support: C002's case (30 minutes) is C001's now
    assert after.ratings.loc["C001", "support_cases"] == 2
    assert before.ratings.loc["C001", "support_cases"] == 1


def test_referrals_follow_the_merge(
    before_after: tuple[crmsheet.Analysis, crmsheet.Analysis],
) -> None:
    before, after = before_after
    assert before.customers.loc["C007", "referred_by_key"] == "C002"
    # Harbour Cafe was referred by the duplicate: now by the survivor
    assert after.customers.loc["C007", "referred_by_key"] == "C001"
    # the duplicate's own referrer (Northwind) is carried to the survivor, which had none
    assert pd.isna(before.customers.loc["C001", "referred_by_key"])
    assert after.customers.loc["C001", "referred_by_key"] == "C006"
    # the Referrals sheet: Northwind referred C002 (900) before; C001 (1,200) after
    r0 = before.referrals.set_index("referrer")
    r1 = after.referrals.set_index("referrer")
    assert set(r0.index) == {"C002", "C006"} and set(r1.index) == {"C001", "C006"}
    assert r0.loc["C006", "referred_revenue"] == 900 and r1.loc["C006", "referred_revenue"] == 1200
    assert r1.loc["C001", "customers_referred"] == 1 and r1.loc["C001", "is_customer"]


def test_merge_table_lists_what_moved(
    before_after: tuple[crmsheet.Analysis, crmsheet.Analysis],
) -> None:
    before, after = before_after
    assert before.merged.empty and before.headline.merged == 0
    m = after.merged
    assert m.to_dict("records") == [{
        "duplicate": "C002", "duplicate_name": "Acme Limited (old)", "survivor": "C001",
        "survivor_name": "ACME Ltd", "transactions_moved": 2, "revenue_moved": 900.0,
        "support_moved": 1,
    }]  # fmt: skip
    assert after.headline.merged == 1
    # the pair merged is no longer a candidate; Bayside still is
    pairs = {frozenset(p) for p in zip(after.duplicates["key_a"], after.duplicates["key_b"],
                                       strict=True)}  # fmt: skip
    assert frozenset({"C001", "C002"}) not in pairs and frozenset({"C003", "C004"}) in pairs
    before_pairs = {
        frozenset(p)
        for p in zip(before.duplicates["key_a"], before.duplicates["key_b"], strict=True)
    }
    assert frozenset({"C001", "C002"}) in before_pairs


def _problems(path: Path) -> list[tuple[str, str, str]]:
    data = crmsheet.read(path, as_of=AS_OF)
    f = data.problems.frame
    mine = f.loc[f["code"].str.contains("same-as")]
    return [tuple(x) for x in mine[["cell", "code", "value"]].to_numpy()]


def test_same_as_that_cannot_merge_is_reported_on_its_cell(tmp_path: Path) -> None:
    rows = [
        ["Customer ID", "Company", "Same as"],
        ["C001", "ACME Ltd", ""],
        ["C002", "Acme Limited (old)", "C001"],
        ["C003", "Bayside Builders", ""],
        ["C004", "Bayside Builder", ""],
        ["C005", "Loop A", "C006"],
        ["C006", "Loop B", "Loop A"],  # by name: still the loop
        ["C007", "Chain", "C002"],
        ["C008", "Self", "C008"],
        ["C009", "Typo", "Bayside Buildrs"],
        ["C010", "Nobody", "X999"],
        ["C011", "Into the loop", "C005"],
    ]
    path = _book(tmp_path / "bad.xlsx", rows)
    assert _problems(path) == [
        ("Customers!C6", "same-as-cycle", "C006"),
        ("Customers!C7", "same-as-cycle", "Loop A"),
        ("Customers!C8", "same-as-chain", "C002"),
        ("Customers!C9", "same-as-self", "C008"),
        ("Customers!C10", "unknown-same-as", "Bayside Buildrs"),
        ("Customers!C11", "unknown-same-as", "X999"),
        ("Customers!C12", "same-as-cycle", "C005"),
    ]
    data = crmsheet.read(path, as_of=AS_OF)
    # the chain is resolved to its end; the loop and the others are not merged
    assert data.same_as == {"C002": "C001", "C007": "C001"}
    f = data.problems.frame.set_index("cell")
    assert "C005 -> C006 -> C005" in f.loc["Customers!C6", "message"]
    assert "C011 -> C005 -> C006 -> C005" in f.loc["Customers!C12", "message"]
    assert "C007 -> C002 -> C001" in f.loc["Customers!C8", "message"]
    assert "did you mean Bayside Builders (C003)" in f.loc["Customers!C10", "message"]
    assert "did you mean" not in f.loc["Customers!C11", "message"]
    assert f.loc["Customers!C6", "severity"] == "error"
    assert f.loc["Customers!C8", "severity"] == "warning"
    result = crmsheet.analyze(data, as_of=AS_OF)
    assert {"C005", "C006", "C008", "C009", "C010", "C011"} <= set(result.customers.index)
    assert not {"C002", "C007"} & set(result.customers.index)


def test_same_as_by_name_and_without_ids(tmp_path: Path) -> None:
    rows = [["Name", "Email", "Merge into"], ["Acme Ltd", "a@acme.example", ""],
            ["ACME (old)", "", "acme ltd"]]  # fmt: skip
    path = _book(tmp_path / "names.xlsx", rows)
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.tables[0].mapping["Merge into"] == "same_as"
    assert data.same_as == {"ACME (old)": "Acme Ltd"}
    merged = merge_same_as(data.customers, data.transactions, data.support, data.same_as)
    assert merged.customers["customer_key"].tolist() == ["Acme Ltd"]


def test_no_same_as_leaves_the_frames_alone(tmp_path: Path) -> None:
    path = _book(tmp_path / "plain.xlsx", CUSTOMERS, same="")
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.same_as == {}
    merged = merge_same_as(data.customers, data.transactions, data.support, data.same_as)
    assert merged.customers is data.customers and merged.transactions is data.transactions


def test_a_sheet_without_sales_rows_adds_up_its_own_totals(tmp_path: Path) -> None:
    path = tmp_path / "totals.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Customers")
    rows = [
        ["Customer ID", "Company", "Phone", "Total revenue", "Orders", "First purchase",
         "Last purchase", "Same as"],
        ["C001", "ACME Ltd", "", 1000, 2, "2025-01-01", "2026-05-01", ""],
        ["C002", "Acme (old)", "020 7946 0000", 500, 3, "2023-01-01", "2024-05-01", "C001"],
        ["C003", "Zed", "", 100, 1, "2026-01-01", "2026-05-01", ""],
    ]  # fmt: skip
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    book.close()
    result = crmsheet.analyze(crmsheet.read(path, as_of=AS_OF), as_of=AS_OF)
    c = result.customers
    # 1000 + 500, 2 + 3 orders, the earlier first purchase, the later last one
    assert c.loc["C001", "revenue"] == 1500 and c.loc["C001", "transactions"] == 5
    assert c.loc["C001", "first_purchase"] == pd.Timestamp("2023-01-01")
    assert c.loc["C001", "last_purchase"] == pd.Timestamp("2026-05-01")
    assert c.loc["C001", "phone"] == "020 7946 0000"  # the survivor had none: carried
    moved = result.merged.iloc[0]
    assert (moved["transactions_moved"], moved["revenue_moved"]) == (3, 500.0)
    assert "C002" not in c.index and len(c) == 2


@given(st.dictionaries(st.integers(0, 12), st.integers(0, 12), max_size=12))
def test_chains_end_at_a_kept_customer_and_loops_never_merge(link: dict[int, int]) -> None:
    link = {k: v for k, v in link.items() if k != v}  # same-as-self is reported before
    keyed: dict[object, object] = {f"C{k}": f"C{v}" for k, v in link.items()}
    resolved, chains, loops = _follow(keyed)
    assert set(resolved) | set(loops) == set(keyed) and not set(resolved) & set(loops)
    for start, end in resolved.items():
        assert end not in keyed  # the survivor is merged into nothing
        node, steps = start, 0
        while node in keyed:  # and following the cells leads there
            node, steps = keyed[node], steps + 1
        assert node == end
        assert (start in chains) == (steps > 1)
    for start in loops:
        seen, node = set(), start
        while node in keyed and node not in seen:
            seen.add(node)
            node = keyed[node]
        assert node in keyed  # the walk came back round
