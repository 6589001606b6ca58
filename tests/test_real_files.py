"""Real public files (../shared/testdata, see its MANIFEST.md), read where they are."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 11, 1)


def test_online_retail_is_two_transaction_sheets(testdata: Path) -> None:
    path = testdata / "real" / "online_retail_II_continental_subset.xlsx"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    data = crmsheet.read(path, as_of=AS_OF)
    sheets = {t.sheet: t for t in data.tables}
    assert set(sheets) == {"Year 2009-2010", "Year 2010-2011"}
    for info, rows in ((sheets["Year 2009-2010"], 14_269), (sheets["Year 2010-2011"], 20_497)):
        assert info.role == "transactions"
        assert info.mapping["Customer ID"] == "customer_id"
        assert info.mapping["InvoiceDate"] == "date"
        assert info.extra_columns == ("Country",)
        assert info.rows_read == rows
    assert_rows_accounted_for(data)
    # every rejected row is a sale with no customer, listed with its row number
    skipped = data.problems.frame.query("action == 'row skipped'")
    assert set(skipped["code"]) == {"missing-customer"}
    assert len(skipped) == data.rows_rejected
    t = data.transactions
    # 159 + 215 customers, 112 on both sheets; the 23 invoices of 1-9 Dec 2010 are on both
    # sheets and count once, from the first (tests/test_ledger.py), so no customer is lost
    assert t["customer_key"].nunique() == 262
    assert t["customer_id"].str.fullmatch(r"\d{5}").all()  # 12346.0 cells read as "12346"
    credits = t[t["invoice"].str.startswith("C")]
    assert len(credits) > 0
    assert (credits["kind"] == "credit").all() and (credits["amount"] < 0).all()
    assert pd.api.types.is_datetime64_any_dtype(t["date"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_northwind_three_csvs_with_unquoted_commas(testdata: Path) -> None:
    nw = testdata / "real" / "northwind"
    data = crmsheet.read(nw / "customers.csv", nw / "orders.csv", nw / "order-details.csv",
                         as_of=AS_OF)  # fmt: skip
    parts = {t.sheet: (t.role, t.part, t.rows_read, t.rows_kept) for t in data.tables}
    assert parts == {
        "customers.csv": ("customers", None, 91, 91),
        "orders.csv": ("transactions", "orders", 830, 830),
        "order-details.csv": ("transactions", "lines", 2155, 2155),
    }
    f = data.problems.frame
    repaired = f[f["code"] == "repaired-row"]
    # 24 customer rows and 176 order rows had an address split by an unquoted comma
    assert repaired.groupby("column").size().to_dict() == {"address": 24, "shipAddress": 176}
    c = data.customers.set_index("customer_id")
    assert c.loc["BLONP", "address"] == "24, place Kléber"
    assert c.loc["BLONP", "city"] == "Strasbourg"
    assert c.loc["BLONP", "country"] == "FR"  # the country field: "France" as its ISO code
    assert c.loc["ALFKI", "postcode"] == "12209"  # postalCode is the postcode field
    assert c.loc["ANATR", "postcode"] == "05021"  # zero-padded postal code stays text
    t = data.transactions
    assert len(t) == 2155
    first = t[t["invoice"] == "10248"]
    assert first["customer_key"].unique().tolist() == ["VINET"]
    assert first["date"].iloc[0] == pd.Timestamp(1996, 7, 4)
    # 14.00 x 12, 9.80 x 10, 34.80 x 5, no discount
    assert first["amount"].sum() == 14.0 * 12 + 9.8 * 10 + 34.8 * 5
    assert t["amount"].notna().all()


def test_enrich_online_retail_transactions_only(testdata: Path, tmp_path: Path) -> None:
    import openpyxl

    src = testdata / "real" / "online_retail_II_continental_subset.xlsx"
    out = tmp_path / "retail.enriched.xlsx"
    result = crmsheet.enrich(src, output=out, as_of=date(2011, 12, 10))
    # 159 + 215 customers in the two sheets, 112 of them in both (two only have credits)
    assert result.analysis.headline.customers == result.analysis.customers.shape[0] == 262
    assert result.analysis.headline.rated_A > 0 and result.analysis.headline.lapsed > 0
    assert result.analysis.rfm.shape[0] == result.analysis.headline.buying_customers
    book = openpyxl.load_workbook(out, read_only=True)
    try:  # a read-only book holds its file open until closed
        first = next(book["Customers"].iter_rows(max_row=1, values_only=True))
    finally:
        book.close()
    assert first[:3] == ("Customer", "Name", "Rating")


def test_enrich_northwind_three_csvs(testdata: Path, tmp_path: Path) -> None:
    nw = testdata / "real" / "northwind"
    result = crmsheet.enrich(nw / "customers.csv", transactions=[nw / "orders.csv",
                             nw / "order-details.csv"], output=tmp_path / "nw.xlsx",
                             as_of=date(1998, 6, 1))  # fmt: skip
    c = result.analysis.customers
    assert len(c) == 91
    assert (c["transactions"] > 0).sum() == 89  # two Northwind customers never ordered
    assert c.loc["VINET", "first_purchase"] == pd.Timestamp(1996, 7, 4)
    assert set(c["rating"]) <= {"A", "B", "C", "unrated"}
