"""Emails checked with email-validator (no network), normalised for matching; countries to
ISO 3166 codes in the country field, markets kept as written."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
from email_validator import EmailNotValidError, validate_email
from hypothesis import given
from hypothesis import strategies as st

import crmsheet
from crmsheet.parse.countries import country_code, parse_countries
from crmsheet.parse.emails import parse_emails

AS_OF = date(2026, 11, 1)


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _coded(data: crmsheet.CrmData, code: str) -> list[tuple[str, str]]:
    f = data.problems.frame
    return [(c, v) for c, v, k in zip(f["cell"], f["value"], f["code"], strict=True) if k == code]


def _validator(text: str) -> tuple[str, bool]:
    try:
        return validate_email(text, check_deliverability=False).normalized, False
    except EmailNotValidError:
        return text, True


def test_emails_checked_and_normalised(tmp_path: Path) -> None:
    path = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Email"],
        ["C1", "Ann.Lee@Shop.EXAMPLE"],
        ["C2", "bob..smith@shop.example"],   # two dots in a row: the old regex let it pass
        ["C3", "cat@shop"],                  # no dot in the domain
        ["C4", "jöe@Bücher.example"],        # international: fine
        ["C5", "Dan <dan@shop.example>"],
        ["C6", "eve@printer.local"],         # a reserved name, no mail goes there
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    emails = data.customers.set_index("customer_id")["email"]
    assert emails["C1"] == "Ann.Lee@shop.example"  # the domain lower-cased, the name kept
    assert emails["C4"] == "jöe@bücher.example"
    assert emails["C2"] == "bob..smith@shop.example"  # kept as typed
    assert _coded(data, "bad-email") == [
        ("customers.csv!B3", "bob..smith@shop.example"), ("customers.csv!B4", "cat@shop"),
        ("customers.csv!B6", "Dan <dan@shop.example>"), ("customers.csv!B7", "eve@printer.local"),
    ]  # fmt: skip
    f = data.problems.frame
    first = f.loc[f["code"] == "bad-email", "message"].iloc[0]
    assert first.startswith("“bob..smith@shop.example” in Email does not look like an email "
                            "address (name@example.com): an email address cannot have two "
                            "periods in a row.")  # fmt: skip
    assert data.customer_sheet["Email"].iloc[0] == "Ann.Lee@Shop.EXAMPLE"  # their column


def test_a_sale_finds_its_customer_by_the_normalised_email(tmp_path: Path) -> None:
    people = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Name", "Email"], ["C1", "Ann", "ann@Shop.Example"],
    ])  # fmt: skip
    sales = _csv(tmp_path / "orders.csv", [
        ["Invoice", "Date", "Customer ID", "Customer email", "Amount"],
        ["1", "2026-01-05", "U77", "ann@SHOP.example", "50"],  # the shop's own user number
        ["2", "2026-02-05", "C1", "", "70"],
    ])  # fmt: skip
    data = crmsheet.read(people, transactions=sales, as_of=AS_OF)
    assert data.transactions["customer_key"].tolist() == ["C1", "C1"]
    assert data.transactions["customer_email"].tolist()[0] == "ann@shop.example"


_ATOM = st.text("abcXYZ09._%+-'!#", min_size=1, max_size=12)
_LABEL = st.text("abcXYZ09-", min_size=1, max_size=10)


@given(st.lists(st.tuples(_ATOM, st.lists(_LABEL, min_size=1, max_size=3),
                          st.sampled_from(["com", "Example", "test", "local", "c", "co1", "uk"])),
                min_size=1, max_size=20))  # fmt: skip
def test_the_fast_path_agrees_with_email_validator(parts: list[tuple[str, list[str], str]]) -> None:
    """Plain addresses skip email-validator: same answers, same normalised text."""
    texts = [f"{name}@{'.'.join(labels)}.{tld}" for name, labels, tld in parts]
    out, bad, _ = parse_emails(pd.Series(texts, dtype="str"))
    assert list(zip(out, bad, strict=True)) == [_validator(t) for t in texts]


def test_country_names_codes_and_aliases() -> None:
    said = ["UK", "United Kingdom", "GB", "England", "usa", "U.S.A.", "United States", "US",
            "United States of America", "Deutschland", "germany", "DEU", "Côte d'Ivoire",
            "Ivory Coast", "NA", "Atlantis", "Europe"]  # fmt: skip
    assert [country_code(s) for s in said] == [
        "GB", "GB", "GB", "GB", "US", "US", "US", "US", "US", "DE", "DE", "DE", "CI", "CI",
        "NA", None, None,
    ]  # fmt: skip
    codes, unknown = parse_countries(pd.Series(["UK", None, "Atlantis"], dtype=object))
    assert codes.iloc[0] == "GB" and codes.iloc[1:].isna().all()
    assert unknown.tolist() == [False, False, True]


def test_country_field_and_market_as_written(tmp_path: Path) -> None:
    path = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Billing Country", "Shipping Country"],
        ["C1", "UK", "France"], ["C2", "United Kingdom", ""], ["C3", "Narnia", ""],
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    c = data.customers.set_index("customer_id")
    assert c["country"].tolist()[:2] == ["GB", "GB"]  # the billing country wins
    assert pd.isna(c["country"].iloc[2])
    assert c["market"].tolist() == ["UK", "United Kingdom", "Narnia"]  # as the user wrote it
    assert _coded(data, "unknown-country") == [("customers.csv!B4", "Narnia")]
    message = data.problems.frame.query("code == 'unknown-country'")["message"].iloc[0]
    assert "“Narnia” in Billing Country is not a country" in message and "GB" in message
    mapping = next(t.mapping for t in data.tables)
    assert mapping["Billing Country"] == "country"


def test_a_market_column_stays_the_market(tmp_path: Path) -> None:
    path = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Region", "Country"], ["C1", "North", "UK"], ["C2", "South", "USA"],
    ])  # fmt: skip
    c = crmsheet.read(path, as_of=AS_OF).customers
    assert c["market"].tolist() == ["North", "South"]
    assert c["country"].tolist() == ["GB", "US"]
    # a state or city column was never preferred to the country as the market
    path = _csv(tmp_path / "states.csv", [
        ["Customer ID", "State", "Country"], ["C1", "Texas", "USA"], ["C2", "Ohio", "U.S."],
    ])  # fmt: skip
    c = crmsheet.read(path, as_of=AS_OF).customers
    assert c["market"].tolist() == ["USA", "U.S."]
    assert c["country"].tolist() == ["US", "US"]


def test_real_exports_emails_and_countries(testdata: Path) -> None:
    """Salesforce: 420 countries written as US, USA, United States, CA, Canada, GB, ...:
    all read, none unknown, US and USA and United States one code. WooCommerce: 5 emails
    read, one note row under the customers is no address."""
    sf_path = testdata / "real/exports/salesforce_dataloader/accountData.csv"
    sf = crmsheet.read(sf_path, as_of=AS_OF)
    c = sf.customers
    assert c["country"].notna().sum() == 420
    assert not (sf.problems.frame["code"] == "unknown-country").any()
    # BILLINGCOUNTRY is the market as written (the state is a looser market column)
    written = c.loc[c["country"] == "US", "market"]
    assert set(written) == {"US", "USA", "United States"}
    assert set(c.loc[c["market"] == "Canada", "country"]) == {"CA"}
    woo = crmsheet.read(
        testdata / "real/exports/woocommerce_import_suite/sample_woocommerce_import_files.xlsx",
        as_of=AS_OF,
    )
    assert woo.customers["email"].notna().sum() == 5
    bad = woo.problems.frame.query("code == 'bad-email'")
    assert bad["cell"].tolist() == ["Customer CSV Minimum!A10"]
    assert bad["value"].iloc[0].startswith("(recommended fields")
    assert set(woo.customers["country"].dropna()) == {"US"}
    sap = crmsheet.read(testdata / "real/exports/sap_shine_epm/businessPartner.csv", as_of=AS_OF)
    assert sap.customers["email"].notna().sum() == 45
    assert not (sap.problems.frame["code"] == "bad-email").any()
