"""The command line's maps: ``--map FILE:field=Header``, ``validate --transactions``,
``--encoding``, the mapping printout and the exit-2 message that lists every header."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

import crmsheet
from crmsheet import cli
from crmsheet.cli import main

AS_OF = ["--as-of", "2026-06-01"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    customers = write_csv(tmp_path / "customers.csv", [
        ["Ref", "Client", "How heard", "Sector"], ["C1", "Acme", "Referral", "Bakery"],
        ["C2", "Beta", "Web", "Cafe"],
    ])  # fmt: skip
    sales = write_csv(tmp_path / "ledger.csv", [  # a name and headers that say nothing
        ["Ref", "When", "Client", "Total"], ["1001", "2026-01-05", "Acme", "100"],
        ["1002", "2026-02-05", "Beta", "50"],
    ])  # fmt: skip
    return customers, sales


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_scoped_and_capitalised_maps_and_what_they_did(
    shop: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    customers, sales = shop
    code, out, err = run(["validate", customers, "--transactions", sales,
                          "--map", "customers:customer_id=Ref", "--map", "Source=How heard",
                          "--map", "ledger.csv:date=When", *AS_OF], capsys)  # fmt: skip
    assert (code, err) == (0, "")
    assert "customers.csv: read as customers" in out
    assert "Ref -> customer_id (your --map)" in out
    assert "How heard -> source (your --map)" in out
    assert "When -> date (your --map)" in out
    assert "Ref -> invoice," in out  # the order number is not taken as a customer
    assert re.search(r"ledger\.csv\s+│\s+ledger\.csv\s+│\s+transactions", out), out


def test_validate_takes_transactions_spend_and_support_like_enrich(
    shop: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    customers, sales = shop
    code, out, _ = run(["validate", customers, "--transactions", sales, "--map",
                        "date=When", *AS_OF], capsys)  # fmt: skip
    assert code == 0
    assert "Rows read: 4, kept: 4, rejected: 0." in out
    for command in ("validate", "enrich"):
        _, help_text, _ = run([command, "--help"], capsys)
        assert "Invoices/sales file(s), if separate." in help_text
        assert "--spend" in help_text and "--support" in help_text
        assert "--encoding" in help_text and "FILE:FIELD=HEADER" in help_text


@pytest.mark.parametrize(
    ("maps", "needle"),
    [
        (["date=When", "Date=Client"], "are two maps for date"),
        (["date=When", "sales:date=When"], "no file or sheet called “sales”"),
        (["date=When", "industry=Total"], "read as transactions, which has no industry"),
        (["date=When", "customers.csv:amount=Total"], "no column called “Total” in customers"),
        (["date=Whenn"], "--map date=Whenn found no column “Whenn” here (did you mean “When”?)"),
        (["shoe=Ref"], "not a crmsheet field"),
    ],
    ids=["second map", "unknown file", "wrong role", "header not in its file", "typo", "field"],
)
def test_a_map_that_cannot_do_what_it_says_is_exit_2(
    shop: tuple[Path, Path], capsys: pytest.CaptureFixture[str], maps: list[str], needle: str
) -> None:
    customers, sales = shop
    args = ["validate", customers, "--transactions", sales]
    for m in maps:
        args += ["--map", m]
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert needle in one_line(err)


def test_encoding_cp437_reads_right(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dos.csv"
    text = "Name,Notes\r\nMüller GmbH,╔═ Kunde ═╗\r\nCafé Zoë,Größe ½\r\n"
    path.write_bytes(text.encode("cp437"))
    # guessed: read as Windows-1252 (wrong), and the warning says how to give it
    guessed = crmsheet.read(path)
    assert guessed.customers.loc[0, "name"] != "Müller GmbH"
    (message,) = guessed.problems.frame.loc[
        guessed.problems.frame["code"] == "encoding-guess", "message"
    ]
    assert "--encoding cp437" in message
    # given: every character right, through the API and both commands
    data = crmsheet.read(path, encoding="cp437")
    assert list(data.customers["name"]) == ["Müller GmbH", "Café Zoë"]
    assert list(data.customer_sheet["Notes"]) == ["╔═ Kunde ═╗", "Größe ½"]
    code, out, err = run(["validate", path, "--encoding", "CP437"], capsys)
    assert (code, err) == (0, "") and "No problems found." in out
    target = tmp_path / "dos.enriched.xlsx"
    code, out, err = run(["enrich", path, "--encoding", "cp437", "-o", target, *AS_OF], capsys)
    assert code == 0, err
    assert "dos.csv: read as customers" in out  # enrich prints the mapping too
    book = openpyxl.load_workbook(target, read_only=True)
    try:  # a read-only book holds its file open until closed
        values = {c for row in book["Customers"].iter_rows(values_only=True) for c in row}
    finally:
        book.close()
    assert {"Müller GmbH", "Café Zoë", "╔═ Kunde ═╗"} <= values


def test_an_unknown_encoding_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "c.csv", [["Name"], ["Acme"]])
    for command in (["validate", path], ["enrich", path, "-o", tmp_path / "o.xlsx"]):
        code, out, err = run([*command, "--encoding", "klingon-8"], capsys)
        assert code == 2 and out == ""
        assert "unknown encoding 'klingon-8'" in one_line(err)
    assert not (tmp_path / "o.xlsx").exists()


def test_the_refusal_lists_every_header_of_a_40_column_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = [f"Attribute {i:02}" for i in range(1, 39)] + ["Custmer Nme", "Zzz last"]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(headers) + "\n" + ",".join("x" * 40) + "\n", encoding="utf-8")
    code, out, err = run(["validate", path], capsys)
    line = one_line(err)
    assert code == 2 and out == ""
    assert "(40 headers, all listed)" in line
    for header in headers:  # the one the user needs is never cut
        assert header in line
    assert "--map 'customer_name=Custmer Nme'" in line


def test_reading_notes_are_printed_as_plain_text(
    shop: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    customers, _ = shop
    data = crmsheet.read(customers, column_map=["customer_id=Ref"])
    noted = replace(data, notes=("412 of 412 invoices matched their order [bold]x[/bold]",))
    cli._print_mapping(noted)
    out = capsys.readouterr().out
    assert "Note: 412 of 412 invoices matched their order [bold]x[/bold]" in out


def test_validate_a_sales_file_alone(
    shop: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, sales = shop
    code, out, err = run(["validate", "--transactions", sales, "--map", "date=When", *AS_OF],
                         capsys)  # fmt: skip
    assert (code, err) == (0, "")
    assert "ledger.csv: read as transactions" in out and "When -> date (your --map)" in out
    code, out, err = run(["validate"], capsys)
    assert code == 2 and "give the files to check" in one_line(err)
