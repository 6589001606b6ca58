"""Phones to E.164 (phonenumbers), in the row's country else Settings' default_country;
invalid numbers a bad-phone warning with the cell; call lists dial them as at home."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import phonenumbers
import pytest

import crmsheet
from crmsheet.parse.phones import dialling_format, parse_phones

AS_OF = date(2026, 11, 1)


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _problems(data: crmsheet.CrmData, code: str) -> list[tuple[str, str]]:
    f = data.problems.frame
    return [(c, v) for c, v, k in zip(f["cell"], f["value"], f["code"], strict=True) if k == code]


def test_numbers_read_in_the_default_country_and_the_rows_own(tmp_path: Path) -> None:
    path = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Name", "Phone", "Country"],
        ["C1", "Ann", "020 7946 0958", ""],            # default GB
        ["C2", "Bob", "(212) 842-5500", "USA"],         # the row's country wins
        ["C3", "Cat", "+49 30 1234567", "Germany"],     # written with its code
        ["C4", "Dan", "0044 20 7946 0958", ""],         # 00 = the international prefix
        ["C5", "Eve", "call reception", ""],            # no number at all
        ["C6", "Fay", "020 7946 09", ""],               # a digit short in GB
        ["C7", "Gus", "", ""],
        ["C8", "Hal", "(212) 842-5500 ext 12", "US"],
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF, settings={"default_country": "United Kingdom"})
    phones = data.customers.set_index("customer_id")["phone"]
    assert phones["C1"] == "+442079460958"
    assert phones["C2"] == "+12128425500"
    assert phones["C3"] == "+49301234567"
    assert phones["C4"] == "+442079460958"
    assert phones["C5"] == "call reception"  # kept as typed, and reported
    assert phones["C6"] == "020 7946 09"
    assert pd.isna(phones["C7"])
    assert phones["C8"] == "+12128425500;ext=12"
    assert _problems(data, "bad-phone") == [
        ("customers.csv!C6", "call reception"), ("customers.csv!C7", "020 7946 09"),
    ]  # fmt: skip
    f = data.problems.frame
    message = f.loc[f["code"] == "bad-phone", "message"].tolist()
    assert "too few digits" in message[0]
    assert "not a valid number in the United Kingdom" in message[1]
    assert (f.loc[f["code"] == "bad-phone", "severity"] == "warning").all()
    # the user's own cells are unchanged on their sheet
    assert data.customer_sheet["Phone"].tolist()[:2] == ["020 7946 0958", "(212) 842-5500"]


def test_without_a_default_country_only_plus_numbers_change(tmp_path: Path) -> None:
    path = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Phone"],
        ["C1", "020 7946 0958"], ["C2", "+44 20 7946 0958"], ["C3", "12"],
        ["C4", "+99 123 4567"],
    ])  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    phones = data.customers.set_index("customer_id")["phone"]
    assert phones.tolist() == ["020 7946 0958", "+442079460958", "12", "+99 123 4567"]
    assert _problems(data, "bad-phone") == [
        ("customers.csv!B4", "12"), ("customers.csv!B5", "+99 123 4567"),
    ]  # fmt: skip


def test_dialling_format_is_national_at_home_international_abroad() -> None:
    e164 = pd.Series(["+442079460958", "+12128425500;ext=12", "typed 123", None,
                      "+390669821234"], dtype=object)  # fmt: skip
    assert dialling_format(e164, "GB").tolist() == [
        "020 7946 0958", "+1 212-842-5500 ext. 12", "typed 123", None, "+39 06 6982 1234",
    ]  # fmt: skip
    abroad = dialling_format(e164, "US").tolist()[:2]
    assert abroad == ["+44 20 7946 0958", "(212) 842-5500 ext. 12"]
    assert dialling_format(e164, "").tolist()[0] == "+44 20 7946 0958"


def test_the_call_list_shows_national_format(tmp_path: Path) -> None:
    path = _csv(tmp_path / "customers.csv", [
        ["Customer ID", "Name", "Phone", "Country", "Last purchase", "Revenue", "Transactions"],
        ["C1", "Ann Ltd", "020 7946 0958", "UK", "2024-01-10", "5000", "3"],
        ["C2", "Bob Inc", "212 842 5500", "United States", "2024-02-10", "4000", "2"],
    ])  # fmt: skip
    out = tmp_path / "out.xlsx"
    crmsheet.enrich(path, output=out, as_of=AS_OF,
                    settings=crmsheet.Settings(default_country="GB"))  # fmt: skip
    book = openpyxl.load_workbook(out, read_only=True)
    try:  # a read-only book holds its file open until closed
        rows = [list(r) for r in book["Lapsed"].iter_rows(values_only=True)]
        own = [list(r) for r in book["Customers"].iter_rows(values_only=True)]
    finally:
        book.close()
    header = next(r for r in rows if "Phone" in r)
    col = header.index("Phone")
    shown = {r[col] for r in rows[rows.index(header) + 1 :] if r[col]}
    assert shown == {"020 7946 0958", "+1 212-842-5500"}
    assert any("020 7946 0958" in r for r in own)  # their column as typed


def test_default_country_setting_takes_a_name_or_a_code() -> None:
    assert crmsheet.Settings(default_country="uk").default_country == "GB"
    assert crmsheet.Settings(default_country="Deutschland").default_country == "DE"
    assert crmsheet.Settings().default_country == ""
    with pytest.raises(crmsheet.SettingsError, match="default_country"):
        crmsheet.Settings.load({"default_country": "Atlantis"})


def test_real_exports_phones(testdata: Path) -> None:
    """Salesforce's account sample: 9 phones; the 3 of rows in US or CA are read, the 6
    (555) 555-1212 are fictitious (area code 555) and reported. Zoho's three, with US as
    the default, become E.164 (0 without it: no + and no country column)."""
    sf = crmsheet.read(testdata / "real/exports/salesforce_dataloader/accountData.csv",
                       as_of=AS_OF)  # fmt: skip
    phones = sf.customers["phone"].dropna()
    assert len(phones) == 9
    assert sorted(phones[phones.str.startswith("+")]) == [
        "+12129617500", "+14159017000", "+19053648900",
    ]  # fmt: skip
    bad = sf.problems.frame.query("code == 'bad-phone'")
    assert len(bad) == 6 and set(bad["value"]) == {"(555) 555-1212"}
    assert bad["cell"].str.match(r"accountData\.csv!Q\d+$").all()
    zoho = testdata / "real/exports/invoiceninja_zoho_wave/zoho_contacts.csv"
    as_typed = crmsheet.read(zoho, as_of=AS_OF).customers["phone"].dropna()
    assert sorted(as_typed) == ["888-567-5309", "888-867-5309", "888-867-5309"]
    us = crmsheet.read(zoho, as_of=AS_OF, settings={"default_country": "US"})
    assert sorted(us.customers["phone"].dropna()) == ["+18885675309", *["+18888675309"] * 2]
    assert not (us.problems.frame["code"] == "bad-phone").any()


def test_distinct_values_are_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """100k customers sharing 3 numbers cost 3 reads, not 100k (counted, never timed)."""
    few = pd.Series(np.resize(["020 7946 0958", "+1 212 842 5500", "0161 496 0000"], 100_000),
                    dtype="str")  # fmt: skip
    parsed: list[str] = []
    real = phonenumbers.parse

    def counted(number: str, *args: object, **kwargs: object) -> phonenumbers.PhoneNumber:
        parsed.append(number)
        return real(number, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(phonenumbers, "parse", counted)  # the real parser, counted
    read = parse_phones(few, "GB")
    assert read.values.nunique() == 3 and not read.bad.any()
    assert sorted(parsed) == sorted(set(few)), parsed[:10]
