"""A second header in other words inside a table is a header, never a customer (issue 20).

``ID, Company, E-mail`` under ``Customer ID, Name, Email`` names the same fields: the row is
skipped as a header (``repeated-header`` at the same positions, ``reordered-header`` when
its columns moved, the rows under it then read by its own columns). One data cell that
happens to read as a header word (a customer called "Company") makes no header.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from accounting import assert_rows_accounted_for

import crmsheet

AS_OF = date(2026, 11, 1)


def _read(tmp_path: Path, text: str) -> crmsheet.CrmData:
    path = tmp_path / "stack.csv"
    path.write_text(text, encoding="utf-8")
    data = crmsheet.read(path, as_of=AS_OF)
    assert_rows_accounted_for(data)
    return data


@pytest.mark.parametrize(
    "second",
    [
        "ID,Company,E-mail",
        "Client Number,Client,E-mail address",
        "Account,Account Name,Email Address",
    ],
)
def test_a_second_header_in_other_words_is_no_customer(tmp_path: Path, second: str) -> None:
    data = _read(
        tmp_path,
        "Customer ID,Name,Email\n1,Ann,a@x.com\n2,Bob,b@x.com\n\n"
        f"{second}\n3,Cara,c@x.com\n4,Dan,d@x.com\n",
    )
    c = data.customers.set_index("customer_id")
    assert c["name"].to_dict() == {"1": "Ann", "2": "Bob", "3": "Cara", "4": "Dan"}
    assert c.loc["4", "email"] == "d@x.com"
    f = data.problems.frame
    skipped = f.loc[f["action"] == "row skipped"]
    assert skipped[["code", "row"]].values.tolist() == [["repeated-header", 5]]


def test_a_second_header_in_other_words_and_order_reads_the_rows_under_it(
    tmp_path: Path,
) -> None:
    data = _read(
        tmp_path,
        "Customer ID,Name,Email,Notes\n1,Ann,a@x.com,vip\n"
        "E-mail address,Client,Notes,Client Number,Colour\n"  # row 3
        "c@x.com,Cara,late payer,3,red\n",
    )
    c = data.customers.set_index("customer_id")
    assert c["name"].to_dict() == {"1": "Ann", "3": "Cara"}
    assert c.loc["3", "email"] == "c@x.com" and c.loc["3", "notes"] == "late payer"
    f = data.problems.frame
    (hit,) = f.loc[f["action"] == "row skipped"].itertuples()
    assert (hit.code, hit.row) == ("reordered-header", 3)
    assert "“colour”" in hit.message


@pytest.mark.parametrize(
    "row",
    ["5,Company,e@x.com", "Company,Account,e@x.com", "Account,Ann,Client"],
)
def test_a_data_row_holding_a_header_word_stays_a_customer(tmp_path: Path, row: str) -> None:
    data = _read(tmp_path, f"Customer ID,Name,Email\n1,Ann,a@x.com\n{row}\n2,Bob,b@x.com\n")
    assert len(data.customers) == 3
    f = data.problems.frame
    assert not f["code"].isin(["repeated-header", "reordered-header"]).any()


def test_a_first_list_above_with_a_header_in_other_words_is_read(tmp_path: Path) -> None:
    data = _read(
        tmp_path,
        "ID,Company,E-mail\n1,Ann,a@x.com\n2,Bob,b@x.com\n\n"
        "Customer ID,Name,Email,Phone\n3,Cara,c@x.com,555\n4,Dan,d@x.com,556\n",  # header 5
    )
    assert data.tables[0].header_row == 5
    c = data.customers.set_index("customer_id")
    assert c["name"].to_dict() == {"1": "Ann", "2": "Bob", "3": "Cara", "4": "Dan"}
    assert c.loc["1", "email"] == "a@x.com"
    f = data.problems.frame
    skipped = f.loc[f["action"] == "row skipped"]
    assert skipped[["code", "row"]].values.tolist() == [["repeated-header", 1]]
