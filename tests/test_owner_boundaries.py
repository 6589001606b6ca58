"""What a shop owner reads agrees with itself: boundaries, blanks the model cannot fill,
periods still under way, the first things to do (issue 14). Small files, explicit as_of."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_bgnbd import generate, write_log
from test_read import write_book

import crmsheet
from crmsheet.analysis.bgnbd import P_ALIVE_BLANK
from crmsheet.analysis.concentration import hhi_reading
from crmsheet.analysis.headline import actions
from crmsheet.config import Settings

d = datetime

# -- P(alive) of a one-time buyer is not shown --------------------------------------------

BG_AS_OF = date(2024, 2, 10)  # generate()'s as_of


@pytest.fixture(scope="module")
def predicted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, crmsheet.EnrichResult]:
    """A shop the model fits, plus ONCE: one purchase of 900, silent 597 days."""
    once = pd.DataFrame({
        "customer_id": pd.Series(["ONCE"], dtype="str"),
        "date": pd.Series([pd.Timestamp(BG_AS_OF - timedelta(days=597))]).astype(
            "datetime64[us]"),
        "amount": [900.0],
    })  # fmt: skip
    folder = tmp_path_factory.mktemp("alive")
    path = write_log(folder / "purchases.csv", pd.concat([generate(400, 11), once]))
    out = folder / "enriched.xlsx"
    # BG/NBD named: these tests are about its one-time buyers (MBG/NBD estimates them)
    settings = crmsheet.Settings(purchase_model="bg/nbd")
    return out, crmsheet.enrich(path, as_of=BG_AS_OF, output=out, overwrite=True,
                                settings=settings)  # fmt: skip


def test_a_one_time_buyer_has_no_p_alive_and_the_note_says_why(
    predicted: tuple[Path, crmsheet.EnrichResult],
) -> None:
    _, result = predicted
    a = result.analysis
    assert a.bgnbd is not None
    c = a.customers
    once = c.loc["ONCE"]
    assert (once["status"], once["transactions"]) == ("lapsed", 1)
    assert np.isnan(once["p_alive"])  # was 1.0: BG/NBD's x = 0 is alive by construction
    assert once["expected_purchases_90"] >= 0  # expected purchases stay
    one_time = a.rfm["frequency"] == 0
    assert one_time.sum() > 1
    assert a.rfm.loc[one_time, "p_alive"].isna().all()
    assert a.rfm.loc[~one_time, "p_alive"].notna().all()
    assert a.rfm.loc[~one_time, "p_alive"].between(0.0, 1.0).all()
    # the model itself still answers as lifetimes does; only the shown figure is blank
    assert a.bgnbd.p_alive(a.rfm.loc[["ONCE"]]).tolist() == [1.0]
    assert f"blank for the {int(one_time.sum())} one-time buyers" in a.headline.prediction
    assert "P(alive)" in P_ALIVE_BLANK and "only once" in P_ALIVE_BLANK
    # a segment's average counts the repeat buyers only (mean skips the blanks)
    seg = a.customers.groupby("rfm_segment")["p_alive"].mean()
    repeat = a.rfm.index[~one_time]
    by_hand = {
        s: c.loc[(c["rfm_segment"] == s) & c.index.isin(repeat), "p_alive"].mean()
        for s in seg.index
    }
    pd.testing.assert_series_equal(seg, pd.Series(by_hand, name="p_alive").rename_axis(
        "rfm_segment"), check_index_type=False)  # fmt: skip


def test_the_workbook_shows_a_blank_not_100_percent(
    predicted: tuple[Path, crmsheet.EnrichResult],
) -> None:
    out, result = predicted
    book = openpyxl.load_workbook(out)
    for sheet in ("Customers", "RFM", "Lapsed"):
        ws = book[sheet]
        headers = [c.value for c in ws[1]]
        col = headers.index("P(alive)") + 1
        rows = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=col).value
                for r in range(2, ws.max_row + 1)}  # fmt: skip
        assert rows["ONCE"] is None, sheet
        assert 1.0 not in rows.values(), sheet
        assert any(isinstance(v, float) for v in rows.values()), sheet
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert "one-time buyers" in summary["Who will buy again"]
    assert summary["Who will buy again"] == result.analysis.headline.prediction


# -- a limit is reached on the day Settings names -----------------------------------------

AS_OF = date(2026, 6, 30)


def shop(tmp_path: Path, rows: list[list[object]]) -> crmsheet.CrmData:
    path = write_book(tmp_path / "shop.xlsx", {
        "Invoices": [["Invoice", "Date", "Customer ID", "Amount"], *rows],
    })  # fmt: skip
    return crmsheet.read(path, as_of=AS_OF)


def days_before(n: int) -> datetime:
    return datetime.combine(AS_OF - timedelta(days=n), datetime.min.time())


@pytest.mark.parametrize(
    ("silent", "lapse_days", "status"),
    [(365, 365, "lapsed"), (364, 365, "lapsing"), (180, 180, "lapsed"), (179, 180, "lapsing")],
    ids=["365 days silent, lapse_days 365: lapsed", "364 days: not yet",
         "180 of 180: lapsed", "179 of 180: lapsing (past half)"],
)  # fmt: skip
def test_a_customer_at_exactly_lapse_days_has_lapsed(
    tmp_path: Path, silent: int, lapse_days: int, status: str
) -> None:
    data = shop(tmp_path, [["I1", days_before(silent), "ONE", 100.0]])
    a = crmsheet.analyze(data, as_of=AS_OF, settings=Settings(lapse_days=lapse_days))
    assert a.customers.loc["ONE", "days_since_last"] == silent
    assert a.customers.loc["ONE", "status"] == status


@pytest.mark.parametrize(
    ("silent", "status"),
    [(60, "lapsed"), (59, "lapsing"), (30, "lapsing"), (29, "active")],
    ids=["6 x the 10-day gap: lapsed", "just under 6 x: lapsing", "3 x: lapsing",
         "just under 3 x: active"],
)  # fmt: skip
def test_a_repeat_buyer_at_exactly_a_multiple_of_their_gap(
    tmp_path: Path, silent: int, status: str
) -> None:
    # bought every 10 days, 4 times, long enough ago not to be new
    rows: list[list[object]] = [[f"I{k}", days_before(silent + 10 * k), "REG", 50.0]
                                for k in range(4)]  # fmt: skip
    rows.append(["OLD", days_before(400), "REG", 50.0])
    data = shop(tmp_path, rows)
    s = Settings(lapsing_multiple=3.0, lapsed_multiple=6.0, new_days=0)
    a = crmsheet.analyze(data, as_of=AS_OF, settings=s)
    c = a.customers.loc["REG"]
    assert c["typical_gap_days"] == 10.0 and c["days_since_last"] == silent
    assert c["status"] == status


def test_new_days_counts_the_day_itself(tmp_path: Path) -> None:
    data = shop(tmp_path, [["I1", days_before(90), "N90", 10.0], ["I2", days_before(91), "N91",
                                                                   10.0]])  # fmt: skip
    a = crmsheet.analyze(data, as_of=AS_OF, settings=Settings(new_days=90))
    assert a.customers.loc["N90", "status"] == "new"  # "this recent": 90 days is new
    assert a.customers.loc["N91", "status"] == "active"


# -- a 0.00 invoice is not a purchase -----------------------------------------------------


def test_a_zero_invoice_is_not_a_purchase(tmp_path: Path) -> None:
    data = shop(tmp_path, [
        ["I1", d(2025, 3, 1), "A", 200.0],
        ["I2", d(2025, 9, 1), "A", 100.0],
        ["Z1", d(2026, 6, 20), "A", 0.0],  # a free replacement: no purchase 10 days ago
        ["Z2", d(2024, 1, 5), "A", 0.0],  # nor a first purchase in 2024
        ["Z3", d(2026, 5, 1), "B", 0.0],  # B never bought anything
    ])  # fmt: skip
    a = crmsheet.analyze(data, as_of=AS_OF)
    c = a.customers
    assert c.loc["A", "transactions"] == 2
    assert c.loc["A", "first_purchase"] == pd.Timestamp(2025, 3, 1)
    assert c.loc["A", "last_purchase"] == pd.Timestamp(2025, 9, 1)
    assert c.loc["A", "days_since_last"] == (AS_OF - date(2025, 9, 1)).days
    assert c.loc["A", "typical_gap_days"] == (date(2025, 9, 1) - date(2025, 3, 1)).days
    assert c.loc["A", "revenue"] == 300.0
    assert a.rfm.loc["A", "frequency"] == 1.0  # two purchase days, not four
    assert "B" not in a.rfm.index
    assert (c.loc["B", "transactions"], c.loc["B", "status"]) == (0, "prospect")
    assert "A" not in set(a.follow_ups.loc[a.follow_ups["action"] == "thank you"].index)


# -- retention: no quarter under way, no empty cohort -------------------------------------


@pytest.mark.parametrize(
    ("as_of", "last", "note"),
    [
        (date(2026, 5, 12), "2026-Q1", "Quarters up to 2026-Q1; 2026-Q2 is under way (to 12 May "
         "2026) and not shown: a quarter in progress would look like customers leaving."),
        (date(2026, 3, 31), "2026-Q1", "Quarters up to 2026-Q1, complete on 31 Mar 2026."),
        (date(2026, 3, 30), "2025-Q4", "Quarters up to 2025-Q4; 2026-Q1 is under way (to 30 Mar "
         "2026) and not shown: a quarter in progress would look like customers leaving."),
    ],
    ids=["mid-quarter: the quarter before", "its last day: the quarter itself",
         "a day short: the quarter before"],
)  # fmt: skip
def test_retention_stops_at_the_last_complete_quarter(
    tmp_path: Path, as_of: date, last: str, note: str
) -> None:
    path = write_book(tmp_path / "shop.xlsx", {"Invoices": [
        ["Invoice", "Date", "Customer ID", "Amount"],
        ["I1", d(2025, 7, 3), "A", 100.0],  # 2025-Q3
        ["I2", d(2025, 11, 3), "A", 100.0],  # back in 2025-Q4
        ["I3", d(2026, 2, 3), "B", 80.0],  # 2026-Q1
        ["I4", d(2026, 3, 30), "A", 50.0],  # A in 2026-Q1 too
        ["I5", d(2026, 4, 20), "C", 30.0],  # 2026-Q2, under way on 12 May
        ["I6", d(2026, 5, 2), "B", 20.0],  # B back in 2026-Q2
    ]})  # fmt: skip
    data = crmsheet.read(path, as_of=as_of)
    a = crmsheet.analyze(data, as_of=as_of)
    r = a.retention
    # no row for the quarter under way, nor for 2025-Q4, which won no one
    assert list(r["cohort"]) == [c for c in ("2025-Q3", "2026-Q1") if c <= last]
    assert (r["customers"] > 0).all()
    width = {"2026-Q1": 3, "2025-Q4": 2}[last]  # Q+0 .. the last complete quarter
    assert list(r.columns) == ["cohort", "customers", *(f"Q+{k}" for k in range(width))]
    first = r.set_index("cohort").loc["2025-Q3"]
    assert first["Q+1"] == 1.0  # back in 2025-Q4
    if last == "2026-Q1":
        assert first["Q+2"] == 1.0  # the 30 March purchase, as_of 31 March or later
    assert a.headline.retention_note == note


# -- HHI read in words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hhi", "reading"),
    [
        (0.0, "HHI 0: unconcentrated"),
        (1_499.0, "HHI 1,499: unconcentrated"),
        (1_499.6, "HHI 1,500: moderately concentrated"),  # the band of the figure shown
        (1_500.0, "HHI 1,500: moderately concentrated"),
        (2_500.0, "HHI 2,500: moderately concentrated"),
        (2_501.0, "HHI 2,501: highly concentrated"),
        (10_000.0, "HHI 10,000: highly concentrated"),
        (float("nan"), "HHI unknown: no revenue to share"),
        (None, "HHI unknown: no revenue to share"),
    ],
    ids=["none", "just under 1,500", "1,499.6 shows as 1,500", "1,500 is moderate",
         "2,500 is moderate", "above 2,500 is high", "a monopoly", "no revenue", "None"],
)  # fmt: skip
def test_hhi_reading_uses_the_usual_bands(hhi: float | None, reading: str) -> None:
    assert hhi_reading(hhi) == reading


def test_the_headline_reads_both_hhis(tmp_path: Path) -> None:
    # shares 40/20/20/20 across customers: HHI 2,800; Ironbark and its subsidiary Ironbark
    # North roll up to 60 %: groups 60/20/20, HHI 4,400
    path = write_book(tmp_path / "shop.xlsx", {
        "Customers": [["Customer ID", "Name", "Parent organization"],
                      ["IR", "Ironbark"], ["IN", "Ironbark North", "IR"], ["B", "Birch"],
                      ["C", "Cedar"]],
        "Invoices": [["Invoice", "Date", "Customer ID", "Amount"],
                     ["I1", d(2026, 5, 1), "IR", 400.0], ["I2", d(2026, 5, 2), "IN", 200.0],
                     ["I3", d(2026, 5, 3), "B", 200.0], ["I4", d(2026, 5, 4), "C", 200.0]],
    })  # fmt: skip
    a = crmsheet.analyze(crmsheet.read(path, as_of=AS_OF), as_of=AS_OF)
    h = a.headline
    assert h.concentration_hhi_customers == pytest.approx(2800.0)
    assert h.concentration_hhi_groups == pytest.approx(4400.0)
    assert h.concentration_reading == (
        "HHI 4,400 after roll-up to parent groups (2,800 across customers): highly concentrated"
    )
    assert h.concentration_hhi_reading_customers == "HHI 2,800: highly concentrated"
    assert h.concentration_hhi_reading_groups == "HHI 4,400: highly concentrated"


# -- "What to do first" scales to the business --------------------------------------------


def thirteen(tmp_path: Path, *, parents: bool = False) -> crmsheet.Analysis:
    """A 13-customer shop; Ironbark Renovations bought 12,300 over its last year, which ended
    400 days before as_of (so it is rated on the last 12 months as C, not A)."""
    customers: list[list[object]] = [["Customer ID", "Name", "Parent organization"]]
    invoices: list[list[object]] = [["Invoice", "Date", "Customer ID", "Amount"]]
    customers.append(["IRON", "Ironbark Renovations"])
    for k, amount in enumerate((4_000.0, 5_000.0, 3_300.0)):
        invoices.append([f"IR{k}", days_before(400 + 100 * k), "IRON", amount])
    invoices.append(["IR9", days_before(900), "IRON", 700.0])  # before its last year
    customers.append(["OLD", "Old Mill", None])
    invoices.append(["OM1", days_before(500), "OLD", 800.0])  # lapsed too, worth less
    for i in range(11):  # active: 11 customers, some in three groups when parents are on
        key = f"C{i:02d}"
        parent = ("C00" if i in (1, 2) else "C03" if i in (4, 5) else "C06" if i == 7
                  else None) if parents else None  # fmt: skip
        customers.append([key, f"Customer {i}", parent])
        invoices.append([f"N{i:02d}a", days_before(20 + i), key, 300.0 + 10 * i])
        invoices.append([f"N{i:02d}b", days_before(200 + i), key, 300.0])
    path = write_book(tmp_path / "shop.xlsx", {"Customers": customers, "Invoices": invoices})
    return crmsheet.analyze(crmsheet.read(path, as_of=AS_OF), as_of=AS_OF)


def test_a_small_shop_hears_of_its_biggest_lapsed_customer(tmp_path: Path) -> None:
    a = thirteen(tmp_path)
    c = a.customers
    assert len(c) == 13
    assert (c.loc["IRON", "status"], c.loc["IRON", "rating"]) == ("lapsed", "C")
    assert c.loc["IRON", "revenue_last_active_year"] == 12_300.0
    assert a.headline.lapsed_A == 0
    assert a.actions[0] == (
        "Your biggest lapsed customer, Ironbark Renovations, was worth 12,300 in their last "
        "year: call them (see Lapsed)."
    )
    assert not any("Old Mill" in line for line in a.actions)  # the biggest only


def test_lapsed_a_customers_name_the_biggest(tmp_path: Path) -> None:
    a = thirteen(tmp_path)
    lapsed = a.lapsed.assign(rating="A")  # as if both were still A customers
    gone = lapsed.loc[lapsed["status"] == "lapsed"]
    value = float(gone["value_at_risk"].sum())
    h = dataclasses.replace(a.headline, lapsed_A=len(gone), lapsed_A_value=value)
    lines = actions(lapsed, a.follow_ups, a.concentration, h)
    assert lines[0] == (
        f"2 lapsed A customers were worth {value:,.0f} in their last year, the biggest "
        "Ironbark Renovations (12,300): call them (see Lapsed)."
    )
    one = lapsed.loc[lapsed.index != "OLD"]
    h1 = dataclasses.replace(h, lapsed_A=1, lapsed_A_value=12_300.0)
    assert actions(one, a.follow_ups, a.concentration, h1)[0] == (
        "Your lapsed A customer, Ironbark Renovations, was worth 12,300 in their last year: "
        "call them (see Lapsed)."
    )


def test_at_most_two_lines_on_concentration(tmp_path: Path) -> None:
    a = thirteen(tmp_path, parents=True)
    flagged = a.concentration.loc[a.concentration["flag"]]
    assert len(flagged) > 2  # a 13-customer shop has many groups over 10 %
    lines = [line for line in a.actions if "of revenue: a dependence" in line]
    assert len(lines) == 2
    first, second = flagged.iloc[0], flagged.iloc[1]
    assert lines[0].startswith(f"{first['group_name']} makes {first['share']:.0%} of revenue")
    assert lines[1].startswith(f"{second['group_name']} makes {second['share']:.0%}")
    assert len(flagged) == 3
    assert lines[1].endswith("(1 more group over the limit: see Concentration).")
