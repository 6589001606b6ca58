"""Customer metrics, ratings, status and follow-ups on a small workbook computed by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_read import write_book

import crmsheet
from crmsheet.analysis.followups import follow_ups
from crmsheet.analysis.lapsed import customer_status, lapsed_customers
from crmsheet.analysis.metrics import by_kind, customer_metrics, invoices
from crmsheet.analysis.ratings import pareto_classes, rate_customers
from crmsheet.config import Settings
from crmsheet.cutoff import until

AS_OF = date(2026, 6, 30)
d = datetime


def metrics(data: crmsheet.CrmData) -> pd.DataFrame:
    """customer_metrics as analyze() calls it: on the log cut at AS_OF."""
    log = until(data.transactions, AS_OF)
    money, bought = by_kind(invoices(log))
    return customer_metrics(data.customers, log, money, bought, as_of=AS_OF)


def ratings(
    data: crmsheet.CrmData,
    m: pd.DataFrame,
    support: pd.DataFrame | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """rate_customers as analyze() calls it: on the invoices and support cut at AS_OF."""
    table = invoices(until(data.transactions, AS_OF))
    cases = until(data.support if support is None else support, AS_OF, undated=True)
    return rate_customers(m, table, cases, as_of=AS_OF, settings=settings)


@pytest.fixture
def data(tmp_path: Path) -> crmsheet.CrmData:
    path = write_book(tmp_path / "shop.xlsx", {
        "Customers": [
            ["Customer ID", "Name", "Support plan", "Rating", "Rating override", "Next follow-up"],
            ["A1", "Alpha", "Base", "B", None, d(2026, 6, 1)],
            ["B2", "Beta", "Premium"],
            ["C3", "Gamma"],
            ["D4", "Delta", None, None, "A"],
        ],
        "Invoices": [
            ["Invoice", "Date", "Customer ID", "Qty", "Unit price", "Discount", "Amount", "Type"],
            ["INV1", d(2025, 7, 10), "A1", None, None, None, 60, None],
            ["INV1", d(2025, 7, 10), "A1", None, None, None, 40, None],
            ["INV2", d(2026, 1, 10), "A1", None, None, None, 200, None],
            ["INV3", d(2026, 6, 20, 15, 30), "A1", None, None, None, 300, None],
            ["INV4", d(2026, 3, 1), "B2", 10, 10, 0.2, None, None],
            ["C5", d(2026, 4, 1), "B2", None, None, None, -30, None],
            ["Q6", d(2026, 5, 1), "A1", None, None, None, 1000, "Quote"],
            ["INV7", d(2024, 1, 1), "D4", None, None, None, 50, None],
            ["INV8", d(2026, 6, 29), "E5", None, None, None, 20, None],
            ["INV9", d(2026, 7, 15), "A1", None, None, None, 999, None],  # after as_of
        ],
        "Support": [["Customer ID", "Opened", "Cases"], ["A1", d(2026, 2, 1), 13],
                    ["A1", d(2024, 2, 1), 40]],
    })  # fmt: skip
    return crmsheet.read(path, as_of=date(2026, 12, 31))


def test_invoices_combine_lines_and_keep_kinds(data: crmsheet.CrmData) -> None:
    inv = invoices(until(data.transactions, AS_OF)).set_index("invoice")
    assert inv.loc["INV1", "amount"] == 100.0
    assert inv.loc["INV4", ["amount", "gross", "discounted"]].tolist() == [80.0, 100.0, 20.0]
    assert inv.loc["C5", "kind"] == "credit"
    assert inv.loc["Q6", "kind"] == "quote"
    assert "INV9" not in inv.index  # after as_of


def test_customer_metrics_by_hand(data: crmsheet.CrmData) -> None:
    m = metrics(data)
    assert list(m.index) == ["A1", "B2", "C3", "D4", "E5"]
    ts = pd.Timestamp
    e5 = ts(2026, 6, 29)
    expected = pd.DataFrame(
        {
            "first_purchase": [ts(2025, 7, 10), ts(2026, 3, 1), None, ts(2024, 1, 1), e5],
            "last_purchase": [ts(2026, 6, 20), ts(2026, 3, 1), None, ts(2024, 1, 1), e5],
            "transactions": [3, 1, 0, 1, 1],
            "revenue": [600.0, 50.0, 0.0, 50.0, 20.0],
            "revenue_12m": [600.0, 50.0, 0.0, 0.0, 20.0],
            "revenue_first_12m": [600.0, 50.0, 0.0, 50.0, 20.0],
            "revenue_last_active_year": [600.0, 50.0, 0.0, 50.0, 20.0],
            # Jul 10 -> Jan 10 is 184 days, Jan 10 -> Jun 20 is 161: median 172.5
            "typical_gap_days": [172.5, np.nan, np.nan, np.nan, np.nan],
            "average_transaction": [200.0, 50.0, np.nan, 50.0, 20.0],
            "purchases_per_year": [3.0, 1.0, np.nan, 365 / 911, 1.0],  # 1 in 911 days
            "days_since_last": [10.0, 121.0, np.nan, 911.0, 1.0],
            "expected_next": [ts(2026, 12, 9), pd.NaT, pd.NaT, pd.NaT, pd.NaT],
        },
        index=pd.Index(["A1", "B2", "C3", "D4", "E5"], name="customer_key"),
    )  # fmt: skip
    for col in ("first_purchase", "last_purchase", "expected_next"):
        expected[col] = expected[col].astype("datetime64[us]")
    pd.testing.assert_frame_equal(m[expected.columns], expected)
    assert m.loc["E5", "dates_from"] == "transactions"


def test_customer_sheet_alone_uses_its_own_dates_and_totals(tmp_path: Path) -> None:
    path = write_book(tmp_path / "c.xlsx", {"Customers": [
        ["Name", "Last purchase", "Total sales", "Orders"],
        ["Old", d(2024, 1, 1), 5000, 10],
        ["Recent", d(2026, 6, 1), 800, None],
    ]})  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    m = metrics(data)
    assert m.loc["Old", ["transactions", "revenue", "revenue_12m"]].tolist() == [10, 5000.0, 0.0]
    assert m.loc["Recent", ["transactions", "revenue", "revenue_12m"]].tolist() == [1, 800.0, 800.0]
    assert m.loc["Recent", "days_since_last"] == 29.0
    assert m.loc["Old", "dates_from"] == "customer sheet"


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        ([50.0, 30, 15, 5], ["A", "A", "B", "C"]),
        ([100.0], ["A"]),
        ([40.0, 40, 20], ["A", "A", "B"]),  # a tie at the cut-off does not split
        ([0.0, 0.0], ["C", "C"]),
        ([10.0, -5.0, 0.0], ["A", "C", "C"]),  # credits never make a customer A
    ],
    ids=[
        "the one who crosses 80% is still A",
        "one customer is A",
        "ties share a class",
        "no revenue at all is C",
        "negative revenue is C",
    ],
)
def test_pareto_classes(revenue: list[float], expected: list[str]) -> None:
    out = pareto_classes(pd.Series(revenue), a=0.8, b=0.95)
    assert out["class"].tolist() == expected


def test_ratings_explain_themselves(data: crmsheet.CrmData) -> None:
    m = metrics(data)
    r = ratings(data, m)
    assert r["revenue_rating"].tolist() == ["A", "B", "unrated", "C", "C"]
    assert r["rating"].tolist() == ["B", "C", "unrated", "A", "C"]
    assert r["downgrades"].tolist() == [1, 1, 0, 0, 0]
    assert r.loc["A1", "reasons"] == (
        "A on revenue (600 in the last 12 months, top 90 % cumulative); premium-level support "
        "(13 cases in the last 12 months) on the base tier: down one to B"
    )
    assert r.loc["B2", "reasons"] == (
        "B on revenue (50 in the last 12 months, top 97 % cumulative); grinds on price "
        "(average discount 20 %): down one to C"
    )
    assert r.loc["D4", "reasons"] == "set by hand (A); C: no revenue in the last 12 months"
    assert r.loc["C3", "reasons"] == "no purchases yet"
    assert r.loc["A1", ["rating_before", "changed"]].tolist() == ["B", False]
    assert r.loc["A1", "support_cases"] == 13.0  # the 2024 cases are outside the window
    assert r.loc["B2", "average_discount"] == pytest.approx(0.2)


def test_a_support_hog_is_pulled_down_relative_to_the_others(data: crmsheet.CrmData) -> None:
    m = metrics(data)
    support = pd.DataFrame({"customer_key": ["A1", "B2", "E5"], "date": pd.NaT,
                            "cases": [1.0, 1.0, 30.0], "minutes": np.nan})  # fmt: skip
    r = ratings(data, m, support, settings=Settings(premium_cases_per_year=100))
    # cases per 1,000 of revenue: A1 1.7, B2 20, E5 1,500; median 20, limit 3x = 60
    assert r.loc["E5", "support_per_1000"] == pytest.approx(1500.0)
    assert "heavy support demand (30 support cases" in r.loc["E5", "reasons"]
    assert r.loc["E5", "reasons"].endswith(": already C")
    assert r.loc["A1", "downgrades"] == 0


def test_status_and_lapsed_list(data: crmsheet.CrmData) -> None:
    m = metrics(data)
    st = customer_status(m, as_of=AS_OF)
    assert st["status"].tolist() == ["active", "active", "prospect", "lapsed", "new"]
    assert st.loc["D4", "status_reason"] == "no purchase for 911 days (limit 365)"
    lapsed = lapsed_customers(m.join(st))
    assert lapsed.index.tolist() == ["D4"]
    assert lapsed.loc["D4", "value_at_risk"] == 50.0


@pytest.mark.parametrize(
    ("gap", "silent", "status"),
    [
        (30, 80, "active"),
        (30, 100, "lapsing"),
        (30, 190, "lapsed"),
        (200, 300, "active"),
        (None, 200, "lapsing"),
        (None, 400, "lapsed"),
    ],
    ids=[
        "a monthly buyer silent 80 days is active",
        "a monthly buyer silent 100 days is lapsing",
        "a monthly buyer silent 190 days has lapsed",
        "a slow buyer silent 300 days is fine",
        "a one-time buyer past half the limit is lapsing",
        "anyone past the limit has lapsed",
    ],
)
def test_status_follows_the_customers_own_cadence(
    gap: float | None, silent: int, status: str
) -> None:
    last = pd.Timestamp(AS_OF) - pd.Timedelta(days=silent)
    m = pd.DataFrame({"first_purchase": [last - pd.Timedelta(days=900)], "last_purchase": [last],
                      "days_since_last": [float(silent)],
                      "typical_gap_days": [np.nan if gap is None else float(gap)]})  # fmt: skip
    assert customer_status(m, as_of=AS_OF)["status"].iloc[0] == status


def test_follow_ups(data: crmsheet.CrmData) -> None:
    m = metrics(data)
    r = ratings(data, m)
    c = m.drop(columns="rating").join(r[["rating"]]).join(customer_status(m, as_of=AS_OF))
    f = follow_ups(c, as_of=AS_OF)
    assert list(zip(f["action"], f.index, strict=True)) == [
        ("overdue", "A1"),
        ("set a follow-up", "D4"),
        ("thank you", "A1"),
        ("thank you", "E5"),
    ]
    assert f["days_overdue"].iloc[0] == 29.0
    assert f["why"].iloc[0] == "follow-up was due 29 days ago"


def test_each_value_formats_like_map() -> None:
    from crmsheet.analysis.text import each_value

    values = pd.Series([3.0, 1204.4, np.nan, -7.0, 3.0, 0.0, 1204.4], index=list("abcdefg"))
    fmt = lambda v: f"{v:,.0f}"  # noqa: E731
    out = each_value(values, fmt)
    assert out.dtype == object
    pd.testing.assert_series_equal(out, values.map(fmt).astype(object))
    assert each_value(pd.Series([], dtype=float), fmt).tolist() == []
