"""Problem codes cannot be misspelled: one member per code, one catalogue entry per member."""

from __future__ import annotations

import pytest

from crmsheet.problems import CATALOGUE, ProblemCode, ProblemReport, problem_rows


def test_every_code_has_exactly_one_catalogue_entry_under_its_own_member() -> None:
    assert list(CATALOGUE) == list(ProblemCode)
    assert all(kind.code is code for code, kind in CATALOGUE.items())


def test_an_unknown_code_raises_instead_of_becoming_a_file_note() -> None:
    with pytest.raises(ValueError, match="bad-dat"):
        problem_rows("bad-dat", file="f.xlsx", sheet="S", rows=[2])  # type: ignore[arg-type]


def test_a_code_given_as_its_text_is_the_member() -> None:
    frame = problem_rows("bad-date", file="f.xlsx", sheet="S", rows=[2], column="Joined",  # type: ignore[arg-type]
                         values=["soon"])  # fmt: skip
    assert frame["message"].tolist()[0].startswith("“soon” in Joined is not a date")


def test_the_report_holds_codes_as_plain_text() -> None:
    frame = problem_rows(ProblemCode.TOTAL_ROW, file="f.xlsx", sheet="S", rows=[5, 6],
                         values=["Total", "Sum"])  # fmt: skip
    assert [type(c) for c in frame["code"]] == [str, str]
    assert frame["code"].tolist() == ["total-row", "total-row"]
    report = ProblemReport(frame)
    assert report.by_code().values.tolist() == [["total-row", "warning", 2, "Total row"]]
