"""Names (issue 13, item 5) and source words: first + last name, the contact person, sources.

A customer listed by person gets a name (and the person is kept as the contact); the
Lapsed and Follow-ups sheets show a name for everyone who has one. Sources written as a
phrase ("Referral from Bayside", "Email newsletter", "Google ads") read as the source they
name, and a referral keeps its referrer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 6, 30)


def _people(n: int = 59, companies: int = 10) -> pd.DataFrame:
    first = [f"Ann{i}" for i in range(n)]
    last = [f"Lee{i}" for i in range(n)]
    company = [f"Firm {i} Ltd" if i < companies else None for i in range(n)]
    return pd.DataFrame({"CustomerID": [f"C{i:03}" for i in range(n)], "FirstName": first,
                         "LastName": last, "Company": company})  # fmt: skip


def test_first_and_last_names_make_59_named_customers(tmp_path: Path) -> None:
    people = _people()
    path = tmp_path / "customers.csv"
    people.to_csv(path, index=False)
    data = crmsheet.read(path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    c = data.customers.set_index("customer_id")
    assert c["name"].notna().sum() == 59
    person = people["FirstName"] + " " + people["LastName"]
    expected = people["Company"].fillna(person)  # a company read as the name wins
    assert c["name"].tolist() == expected.tolist()
    assert c["contact"].tolist() == person.tolist()  # the person is kept as the contact


def test_a_list_of_people_without_ids_is_named_after_them(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    pd.DataFrame({"First Name": ["Walter", "Jesse", None, "Hank"],
                  "Last Name": ["White", "Pinkman", "Schrader", None],
                  "Email": ["w@example.com", "j@example.com", "h@example.com", None]}).to_csv(
        path, index=False)  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers["name"].tolist() == ["Walter White", "Jesse Pinkman", "Schrader", "Hank"]
    assert "missing-id-and-name" not in set(data.problems.frame["code"])


def test_the_contact_person_is_kept_beside_the_company(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    pd.DataFrame({"Company Name": ["Defenders", "Avengers"],
                  "Contact Person": ["Jessica Jones", None],
                  "First Name": ["Jessica", "Thor"], "Last Name": ["Jones", "Odinson"]}).to_csv(
        path, index=False)  # fmt: skip
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.customers[["name", "contact"]].values.tolist() == [
        ["Defenders", "Jessica Jones"], ["Avengers", "Thor Odinson"]]  # fmt: skip
    layout = data.tables[0].mapping
    assert layout == {"Company Name": "name", "Contact Person": "contact",
                      "First Name": "first_name", "Last Name": "last_name"}  # fmt: skip


def test_lapsed_and_follow_ups_show_the_composed_name_and_contact(tmp_path: Path) -> None:
    people = _people(6, companies=2)
    people["Next follow up"] = ["2026-06-01"] * 6  # overdue for everyone
    book = tmp_path / "crm.xlsx"
    sales = pd.DataFrame({
        "Customer ID": [f"C{i:03}" for i in range(6) for _ in range(3)],
        "Date": [f"2023-0{1 + k}-0{1 + i}" for i in range(6) for k in range(3)],
        "Amount": [100.0 + i for i in range(6) for _ in range(3)],
    })  # fmt: skip
    with pd.ExcelWriter(book) as writer:
        people.to_excel(writer, sheet_name="Customers", index=False)
        sales.to_excel(writer, sheet_name="Transactions", index=False)
    result = crmsheet.enrich(book, as_of=AS_OF, output=tmp_path / "out.xlsx")
    expected = people["Company"].fillna(people["FirstName"] + " " + people["LastName"])
    wb = openpyxl.load_workbook(result.output)
    for sheet in ("Lapsed", "Follow-ups"):
        rows = list(wb[sheet].iter_rows(values_only=True))
        header = list(rows[0])
        names = {r[header.index("Name")] for r in rows[1:]}
        contacts = {r[header.index("Contact")] for r in rows[1:]}
        assert names == set(expected), sheet
        # the contact is listed where it says more than the name (a company's person)
        person = people["FirstName"] + " " + people["LastName"]
        assert contacts - {None} == set(person[people["Company"].notna()]), sheet
        assert None in contacts, sheet  # a person named by themselves: not listed again
    ws = wb["Customers"]
    header = [c.value for c in ws[1]]
    assert "Name" in header  # composed: shown beside the user's own columns
    names = [r[header.index("Name")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names == expected.tolist()


def _sources(tmp_path: Path, referred_by: list[str | None]) -> crmsheet.CrmData:
    path = tmp_path / "sources.csv"
    pd.DataFrame({
        "Name": ["Acme", "Corner Shop", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"],
        "How did you hear": ["Referral from Bayside", "referred by Bayside", "Email newsletter",
                             "Google ads", "Facebook", "Carrier pigeon", "Referral"],
        "Referred by": referred_by,
    }).to_csv(path, index=False)  # fmt: skip
    return crmsheet.read(path, as_of=AS_OF)


def test_source_phrases_read_as_the_source_they_name(tmp_path: Path) -> None:
    data = _sources(tmp_path, [None, "Zed", None, None, None, None, None])
    c = data.customers.set_index("name")
    assert c["source"].tolist() == [
        "referral",
        "referral",
        "email",
        "campaign",
        "web",
        "Carrier pigeon",
        "referral",
    ]
    # the referrer named in the source fills an empty Referred by; a written one wins
    assert c["referred_by"].fillna("-").tolist()[:3] == ["Bayside", "Zed", "-"]
    problems = data.problems.frame
    unknown = problems.loc[problems["code"] == "unknown-source", "value"].tolist()
    assert unknown == ["Carrier pigeon"]  # a source crmsheet cannot read still says so


def test_a_referrer_from_the_source_is_checked_like_any_referrer(tmp_path: Path) -> None:
    data = _sources(tmp_path, [None] * 7)
    problems = data.problems.frame
    referrers = problems.loc[problems["code"] == "unknown-referrer", "value"].tolist()
    assert referrers == ["Bayside", "Bayside"]  # not a customer: kept as an outside associate
