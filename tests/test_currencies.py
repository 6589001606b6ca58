"""Currencies (issue 18): amounts in one base currency, converted with rates, or left out.

Crafted workbooks written in each test (figures computed by hand in the comments), then the
real exports of ../shared/testdata: Zoho's invoices in USD, SAP's orders in EUR whose lines
carry 15 currencies, read as before (same tables, rows and sums as without the currency
column).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from accounting import assert_rows_accounted_for
from conftest import TESTDATA, shared
from hypothesis import given
from hypothesis import strategies as st

import crmsheet
from crmsheet.analysis import analyze
from crmsheet.errors import SettingsError
from crmsheet.parse.currencies import currency_code, money_sign
from crmsheet.workbook.sheets import book_currency

AS_OF = date(2026, 6, 1)
EXPORTS = TESTDATA / "real" / "exports"


def _book(
    path: Path,
    sales: list[tuple[date, str, float, str]],
    *,
    rates: list[tuple[object, object]] | None = None,
    spend: list[tuple[str, date, float, str]] | None = None,
) -> Path:
    """A customer book: Customers C1 Acme, C2 Bayside; a Transactions sheet with a Currency
    column; a Rates sheet and a Marketing sheet when given."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Customers"
    ws.append(["Customer ID", "Name", "Lead source"])
    ws.append(["C1", "Acme", "Web"])
    ws.append(["C2", "Bayside", "Referral"])
    tx = wb.create_sheet("Transactions")
    tx.append(["Date", "Customer ID", "Amount", "Currency"])
    for row in sales:
        tx.append(list(row))
    if rates is not None:
        r = wb.create_sheet("Rates")
        r.append(["Currency", "Rate"])
        for pair in rates:
            r.append(list(pair))
    if spend is not None:
        m = wb.create_sheet("Marketing spend")
        m.append(["Source", "Month", "Spend", "Currency"])
        for row in spend:
            m.append(list(row))
    wb.save(path)
    return path


#: C1: 100 USD + 200 EUR; C2: 50 GBP + 10 with no currency (the base).
MIXED = [
    (date(2026, 1, 5), "C1", 100.0, "USD"),
    (date(2026, 2, 5), "C1", 200.0, "EUR"),
    (date(2026, 3, 5), "C2", 50.0, "GBP"),
    (date(2026, 4, 5), "C2", 10.0, ""),
]


def _revenue(data: crmsheet.CrmData) -> dict[str, float]:
    return data.transactions.groupby("customer_key")["amount"].sum().round(6).to_dict()  # type: ignore[no-any-return]


def _problems(data: crmsheet.CrmData) -> list[list[object]]:
    f = data.problems.frame
    return f[["cell", "code", "action", "value"]].values.tolist()  # type: ignore[no-any-return]


def test_mixed_currencies_are_converted_to_the_base_with_their_rates(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED)
    settings = {"base_currency": "USD", "rates": {"EUR": 1.08, "GBP": 1.25}}
    data = crmsheet.read(path, as_of=AS_OF, settings=settings)
    # C1 = 100 + 200 x 1.08 = 316; C2 = 50 x 1.25 + 10 = 72.5
    assert _revenue(data) == {"C1": 316.0, "C2": 72.5}
    assert data.base_currency == "USD"
    assert data.transactions["currency"].tolist()[:3] == ["USD", "EUR", "GBP"]
    assert _problems(data) == []
    assert "1 row in EUR converted to USD at 1.08." in data.notes
    assert "1 row in GBP converted to USD at 1.25." in data.notes


def test_a_row_in_a_currency_without_a_rate_is_left_out_with_the_reason(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED)
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "USD",
                                                      "rates": {"EUR": 1.08}})  # fmt: skip
    # the GBP sale is never counted as 50 dollars: C2 keeps only its 10 in the base
    assert _revenue(data) == {"C1": 316.0, "C2": 10.0}
    assert _problems(data) == [["Transactions!D4", "no-rate", "row skipped", "GBP"]]
    message = data.problems.frame["message"].iloc[0]
    assert "no rate from GBP to USD" in message and "Rates sheet" in message
    assert "[rates]" in message


def test_without_any_rate_only_the_base_currency_is_summed(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED)
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "EUR"})
    # base EUR: the USD and GBP rows have no rate; C1 = 200, C2 = 10 (blank = the base)
    assert _revenue(data) == {"C1": 200.0, "C2": 10.0}
    assert [p[:2] for p in _problems(data)] == [["Transactions!D2", "no-rate"],
                                                 ["Transactions!D4", "no-rate"]]  # fmt: skip
    assert data.tables[1].rows_rejected == 2


def test_rates_from_a_rates_sheet_and_a_bad_rate_cell_is_ignored(tmp_path: Path) -> None:
    rates: list[tuple[object, object]] = [("EUR", 1.08), ("gbp", "1.25"), ("CHF", "abc"),
                                          ("Doubloons", 2)]  # fmt: skip
    path = _book(tmp_path / "book.xlsx", MIXED, rates=rates)
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "USD"})
    assert _revenue(data) == {"C1": 316.0, "C2": 72.5}
    assert data.rates == {"EUR": 1.08, "GBP": 1.25}
    assert _problems(data) == [["Rates!B4", "bad-rate", "cell ignored", "abc"],
                               ["Rates!A5", "bad-rate", "cell ignored", "Doubloons"]]  # fmt: skip
    assert [t.sheet for t in data.tables] == ["Customers", "Transactions"]  # not a data sheet


def test_a_rates_file_or_a_sheet_headed_currency_and_rate_gives_rates(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED)
    rates = tmp_path / "fx.csv"
    rates.write_text("Currency,Rate\nEUR,1.08\nGBP,1.25\n", encoding="utf-8")
    data = crmsheet.read(path, rates, as_of=AS_OF, settings={"base_currency": "USD"})
    assert _revenue(data) == {"C1": 316.0, "C2": 72.5}
    assert [t.sheet for t in data.tables] == ["Customers", "Transactions"]
    wb = openpyxl.load_workbook(path)
    sheet = wb.create_sheet("Sheet3")
    sheet.append(["Currency", "Rate"])
    sheet.append(["EUR", 1.10])
    wb.save(path)
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "USD"})
    assert data.rates == {"EUR": 1.10}
    assert [p[:2] for p in _problems(data)] == [["Transactions!D4", "no-rate"]]


def test_a_rate_in_the_settings_wins_over_the_rates_sheet(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED, rates=[("EUR", 1.08), ("GBP", 1.25)])
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "USD",
                                                      "rates": "EUR=1.10"})  # fmt: skip
    # C1 = 100 + 200 x 1.10 = 320; GBP from the sheet: C2 = 72.5
    assert _revenue(data) == {"C1": 320.0, "C2": 72.5}


def test_rates_from_settings_toml_reach_the_workbook(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED)
    toml = tmp_path / "settings.toml"
    toml.write_text('[settings]\nbase_currency = "USD"\npredict = false\n\n'
                    "[rates]\nEUR = 1.08\nGBP = 1.25\n", encoding="utf-8")  # fmt: skip
    result = crmsheet.enrich(path, as_of=AS_OF, settings=toml)
    assert _revenue(result.data) == {"C1": 316.0, "C2": 72.5}
    assert result.analysis.settings.rates == {"EUR": 1.08, "GBP": 1.25}
    assert result.analysis.headline.revenue_lifetime == pytest.approx(388.5)
    book = openpyxl.load_workbook(result.output)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Base currency"] == "USD"
    assert "Other currencies converted to USD: EUR at 1.08, GBP at 1.25." in summary
    assert summary["Revenue, last 12 months"] == pytest.approx(388.5)
    settings = {row[0]: row[1] for row in book["Settings"].iter_rows(values_only=True)}
    assert settings["rates"] == "EUR=1.08, GBP=1.25"
    assert settings["base_currency"] == "USD"
    revenue = book["Summary"]["B5"]
    assert revenue.value == pytest.approx(388.5) and revenue.number_format.startswith('"$"')


def test_the_toml_rates_merge_with_a_settings_table_rate(tmp_path: Path) -> None:
    toml = tmp_path / "settings.toml"
    toml.write_text('[settings]\nrates = "CHF=1.12"\n\n[rates]\nEUR = 1.08\n', encoding="utf-8")
    assert crmsheet.load_settings(toml).rates == {"CHF": 1.12, "EUR": 1.08}
    toml.write_text("[rates]\nXYZ = 2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="'XYZ' is not a currency"):
        crmsheet.load_settings(toml)


def test_a_code_that_is_no_currency_is_reported_and_left_out(tmp_path: Path) -> None:
    sales = [*MIXED[:2], (date(2026, 3, 5), "C2", 50.0, "XYZ")]
    path = _book(tmp_path / "book.xlsx", sales)
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "USD",
                                                      "rates": {"EUR": 1.08}})  # fmt: skip
    assert _revenue(data) == {"C1": 316.0}
    assert _problems(data) == [["Transactions!D4", "unknown-currency", "row skipped", "XYZ"]]


def test_spend_in_another_currency_is_converted(tmp_path: Path) -> None:
    spend = [("Web", date(2026, 1, 1), 100.0, "EUR"), ("Referral", date(2026, 2, 1), 30.0, "USD"),
             ("Web", date(2026, 3, 1), 40.0, "JPY")]  # fmt: skip
    path = _book(tmp_path / "book.xlsx", MIXED, spend=spend)
    data = crmsheet.read(
        path, as_of=AS_OF, settings={"base_currency": "USD", "rates": {"EUR": 1.08, "GBP": 1.25}}
    )
    # 100 EUR = 108 USD; 30 USD stays; 40 JPY has no rate: left out
    assert data.spend["amount"].round(6).tolist() == [108.0, 30.0]
    assert [p[:2] for p in _problems(data)] == [["Marketing spend!D4", "no-rate"]]


def test_the_one_currency_of_the_sales_is_the_base(tmp_path: Path) -> None:
    sales = [(date(2026, 1, 5), "C1", 100.0, "EUR"), (date(2026, 2, 5), "C2", 20.0, "eur")]
    path = _book(tmp_path / "book.xlsx", sales)
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.base_currency == "EUR" and _problems(data) == []
    assert _revenue(data) == {"C1": 100.0, "C2": 20.0}
    analysis = analyze(data, as_of=AS_OF, settings=crmsheet.Settings(predict=False))
    assert analysis.settings.base_currency == "EUR"
    assert book_currency(analysis) == "EUR"  # a code, not "$"


@pytest.mark.parametrize(("currency", "shown"), [("EUR", "EUR"), ("€", "€"), ("$", "$"),
                                                 ("USD", "$"), ("CAD", "$"), ("GBP", "GBP")],
                         ids=["a code", "a sign", "a dollar sign", "US dollars show $",
                              "Canadian dollars show $", "pounds show their code"])  # fmt: skip
def test_money_shows_dollar_only_for_a_dollar_base(
    tmp_path: Path, currency: str, shown: str
) -> None:
    sales = [(date(2026, 1, 5), "C1", 100.0, "")]
    data = crmsheet.read(_book(tmp_path / "book.xlsx", sales), as_of=AS_OF)
    settings = crmsheet.Settings(currency=currency, predict=False)
    assert book_currency(analyze(data, as_of=AS_OF, settings=settings)) == shown


def test_the_currency_setting_names_the_base_when_it_is_a_code(tmp_path: Path) -> None:
    # EUR from the display setting; the USD sale needs a rate
    path = _book(tmp_path / "book.xlsx", MIXED[:2])
    data = crmsheet.read(path, as_of=AS_OF, settings={"currency": "EUR", "rates": "USD=0.9"})
    assert data.base_currency == "EUR"
    assert _revenue(data) == {"C1": 290.0}  # 100 x 0.9 + 200


def test_the_one_currency_the_rates_do_not_name_is_the_base(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", MIXED, rates=[("EUR", 1.08), ("GBP", 1.25)])
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.base_currency == "USD"  # EUR and GBP have rates: they are rates to USD
    assert _revenue(data) == {"C1": 316.0, "C2": 72.5}


def test_several_currencies_and_no_base_take_the_most_common(tmp_path: Path) -> None:
    sales = [*MIXED, (date(2026, 5, 5), "C2", 5.0, "GBP")]
    data = crmsheet.read(_book(tmp_path / "book.xlsx", sales), as_of=AS_OF,
                         settings={"rates": {"EUR": 0.85, "USD": 0.8, "GBP": 1.0}})  # fmt: skip
    if data.base_currency != "GBP":
        pytest.skip("this computer's locale names a currency, which is the base")
    # every currency has a rate, so none is the one left out: GBP has most rows (2);
    # C1 = 100 x 0.8 + 200 x 0.85 = 250; C2 = 50 + 10 + 5 = 65
    assert _revenue(data) == {"C1": 250.0, "C2": 65.0}
    assert any("currency of most rows" in n for n in data.notes)


def test_settings_describe_a_rate_table_as_a_settings_sheet_takes_it() -> None:
    settings = crmsheet.Settings.load({"rates": {"eur": "1.08", "£": 1.27}, "base_currency": "$"})
    shown = {name: value for name, value, _ in settings.describe()}
    assert shown["rates"] == "EUR=1.08, GBP=1.27"
    assert shown["base_currency"] == "USD"
    assert crmsheet.Settings.load({"rates": shown["rates"]}).rates == settings.rates
    with pytest.raises(SettingsError, match="rate of EUR"):
        crmsheet.Settings.load({"rates": {"EUR": 0}})


@pytest.mark.parametrize(("written", "code"), [("eur", "EUR"), ("€", "EUR"), ("Euros", "EUR"),
                                               ("Pound Sterling", "GBP"), ("US$", "USD"),
                                               ("Fr.", "CHF"), ("kr", None), ("XYZ", None)],
                         ids=["lower case", "a sign", "a word", "ISO's name", "US dollar sign",
                              "francs", "krona or krone: not said", "no currency"])  # fmt: skip
def test_currency_codes_as_people_write_them(written: str, code: str | None) -> None:
    assert currency_code(written) == code


def test_a_bare_dollar_sign_is_the_dollar_of_the_base() -> None:
    assert currency_code("$") == "USD"
    assert currency_code("dollars", dollar="CAD") == "CAD"


@given(st.text(max_size=12))
def test_currency_code_never_raises_and_is_idempotent(text: str) -> None:
    code = currency_code(text)
    assert code is None or (len(code) == 3 and currency_code(code) == code)
    if code is not None:
        assert money_sign(code) in {"$", code}


# -- a row's own exchange rate (Zoho writes one on every row) ---------------------------------


def _rated_csv(path: Path, rows: list[tuple[str, str, float, str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Invoice Date", "Customer Name", "Item Total", "Currency Code",
                    "Exchange Rate"])  # fmt: skip
        w.writerows(rows)
    return path


def test_a_rows_own_exchange_rate_is_the_rate_of_its_day(tmp_path: Path) -> None:
    path = _rated_csv(tmp_path / "invoices.csv", [
        ("2026-01-05", "Acme", 100.0, "GBP", 1), ("2026-02-05", "Acme", 200.0, "EUR", 0.85),
        ("2026-03-05", "Bayside", 50.0, "EUR", 0.87), ("2026-04-05", "Bayside", 10.0, "EUR", ""),
    ])  # fmt: skip
    data = crmsheet.read(transactions=path, as_of=AS_OF,
                         settings={"base_currency": "GBP", "rates": {"EUR": 0.86}})  # fmt: skip
    assert_rows_accounted_for(data)
    # by hand: Acme 100 + 200 x 0.85 = 270; Bayside 50 x 0.87 + 10 x 0.86 (no rate of its own)
    assert _revenue(data) == {"Acme": 270.0, "Bayside": 52.1}
    assert "2 rows in EUR converted to GBP at their own exchange rate." in data.notes
    assert "1 row in EUR converted to GBP at 0.86." in data.notes


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        # the export's base is USD: its USD row is at 1 (and a GBP row at 1.27)
        (
            [
                ("2026-01-05", "Acme", 100.0, "USD", 1),
                ("2026-02-05", "Acme", 200.0, "EUR", 1.08),
                ("2026-03-05", "Acme", 50.0, "GBP", 1.27),
            ],
            "(row 2, in USD, has 1)",
        ),
        (
            [("2026-01-05", "Acme", 100.0, "EUR", 1.08), ("2026-02-05", "Acme", 200.0, "USD", 1)],
            "(row 3, in USD, has 1)",
        ),
    ],
)
def test_an_exchange_rate_to_another_base_is_not_used(
    tmp_path: Path, rows: list[tuple[str, str, float, str, object]], said: str
) -> None:
    path = _rated_csv(tmp_path / "invoices.csv", rows)
    rates = {"EUR": 0.86, "USD": 0.79}
    data = crmsheet.read(transactions=path, as_of=AS_OF,
                         settings={"base_currency": "GBP", "rates": rates})  # fmt: skip
    got = _revenue(data)["Acme"]
    expected = sum(amount * (1.0 if code == "GBP" else rates[code])
                   for _, _, amount, code, _ in rows)  # fmt: skip
    assert got == pytest.approx(expected)
    assert any(n.startswith("invoices.csv: Exchange Rate is not the rate to GBP " + said)
               for n in data.notes), data.notes  # fmt: skip


# -- orders whose lines carry the money ------------------------------------------------------


def _orders_book(
    path: Path,
    orders: list[tuple[str, str, date, str]],
    lines: list[tuple[str, str, float] | tuple[str, str, float, str]],
    *,
    rates: list[tuple[object, object]] | None = None,
) -> Path:
    """Customers C1 Acme, C2 Bayside; an Orders sheet (Order no, Customer ID, Date,
    Currency: no amounts); an Order lines sheet (Order no, Product, Amount[, Currency])."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Customers"
    ws.append(["Customer ID", "Name"])
    ws.append(["C1", "Acme"])
    ws.append(["C2", "Bayside"])
    o = wb.create_sheet("Orders")
    o.append(["Order no", "Customer ID", "Date", "Currency"])
    for order in orders:
        o.append(list(order))
    items = wb.create_sheet("Order lines")
    items.append(["Order no", "Product", "Amount", *(["Currency"] if len(lines[0]) == 4 else [])])
    for line in lines:
        items.append(list(line))
    if rates is not None:
        r = wb.create_sheet("Rates")
        r.append(["Currency", "Rate"])
        for pair in rates:
            r.append(list(pair))
    wb.save(path)
    return path


ORDERS = [("1001", "C1", date(2026, 1, 5), "GBP"), ("1002", "C1", date(2026, 2, 5), "EUR"),
          ("1003", "C2", date(2026, 3, 5), "EUR")]  # fmt: skip
LINES = [("1001", "Desk", 100.0), ("1001", "Chair", 50.0), ("1002", "Desk", 200.0),
         ("1003", "Lamp", 40.0), ("1003", "Desk", 60.0)]  # fmt: skip


def test_lines_take_the_currency_of_their_order(tmp_path: Path) -> None:
    path = _orders_book(tmp_path / "orders.xlsx", ORDERS, LINES, rates=[("EUR", 0.86)])
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "GBP"})
    assert_rows_accounted_for(data)
    # by hand: C1 = 100 + 50 (GBP) + 200 x 0.86 = 322; C2 = (40 + 60) x 0.86 = 86
    assert _revenue(data) == {"C1": 322.0, "C2": 86.0}
    assert _problems(data) == []
    assert "3 rows in EUR converted to GBP at 0.86." in data.notes
    assert "orders.xlsx (Order lines): 3 lines in their order's currency, converted to GBP" in (
        data.notes
    )


def test_a_line_whose_order_has_no_rate_is_left_out_on_its_own_row(tmp_path: Path) -> None:
    path = _orders_book(tmp_path / "orders.xlsx", ORDERS, LINES)  # no rate for EUR
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "GBP"})
    assert_rows_accounted_for(data)
    assert _revenue(data) == {"C1": 150.0}  # only order 1001, in GBP: never 150 + 200 + 100
    # each line of an EUR order, on its order-number cell, never summed as GBP
    assert _problems(data) == [["Order lines!A4", "no-rate", "row skipped", "EUR"],
                               ["Order lines!A5", "no-rate", "row skipped", "EUR"],
                               ["Order lines!A6", "no-rate", "row skipped", "EUR"]]  # fmt: skip
    message = data.problems.frame["message"].iloc[0]
    assert "no rate from EUR to GBP" in message and "never added as if it were GBP" in message


def test_an_order_whose_currency_is_no_currency_is_left_out_with_its_lines(
    tmp_path: Path,
) -> None:
    orders = [*ORDERS[:2], ("1003", "C2", date(2026, 3, 5), "Bitcoins")]
    path = _orders_book(tmp_path / "orders.xlsx", orders, LINES, rates=[("EUR", 0.86)])
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "GBP"})
    assert_rows_accounted_for(data)
    assert _revenue(data) == {"C1": 322.0}
    codes = data.problems.frame[["cell", "code"]].values.tolist()
    assert ["Orders!D4", "unknown-currency"] in codes
    lines = [[cell, code] for cell, code in codes if cell.startswith("Order lines")]
    # both lines of order 1003 say that their order was left out, and where it is
    assert lines == [["Order lines!A5", "order-left-out"], ["Order lines!A6", "order-left-out"]]
    said = data.problems.frame.set_index("cell").loc["Order lines!A5", "message"]
    assert "Order “1003” in Order no was itself left out (Orders row 4: see its own" in said


def test_a_lines_own_currency_counts_when_its_order_names_none(tmp_path: Path) -> None:
    orders = [(no, customer, day, "") for no, customer, day, _ in ORDERS]
    lines = [(*line, code) for line, code in zip(LINES, ["GBP", "GBP", "EUR", "EUR", "EUR"],
                                                 strict=True)]  # fmt: skip
    path = _orders_book(tmp_path / "orders.xlsx", orders, lines, rates=[("EUR", 0.86)])
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "GBP"})
    assert_rows_accounted_for(data)
    assert _revenue(data) == {"C1": 322.0, "C2": 86.0}
    assert _problems(data) == []


def test_a_line_naming_another_currency_than_its_order_is_read_in_the_orders(
    tmp_path: Path,
) -> None:
    lines = [(*line, "USD") for line in LINES]  # as SAP writes its item lines
    path = _orders_book(tmp_path / "orders.xlsx", ORDERS, lines, rates=[("EUR", 0.86)])
    data = crmsheet.read(path, as_of=AS_OF, settings={"base_currency": "GBP"})
    assert_rows_accounted_for(data)
    assert _revenue(data) == {"C1": 322.0, "C2": 86.0}  # no USD rate needed: the orders'
    assert ("orders.xlsx (Order lines): 5 lines name another currency (USD) than their order: "
            "read in their order's currency") in data.notes  # fmt: skip


def test_an_enriched_book_of_orders_and_lines_in_two_currencies(tmp_path: Path) -> None:
    path = _orders_book(tmp_path / "orders.xlsx", ORDERS, LINES, rates=[("EUR", 0.86)])
    result = crmsheet.enrich(path, as_of=AS_OF, output=tmp_path / "out.xlsx",
                             settings=crmsheet.Settings(base_currency="GBP"))  # fmt: skip
    book = openpyxl.load_workbook(result.output, read_only=True)
    try:
        rows = list(book["Customers"].iter_rows(values_only=True))
    finally:
        book.close()
    header = list(rows[0])
    revenue = header.index("Revenue (lifetime)")
    got = {r[header.index("Customer ID")]: r[revenue] for r in rows[1:] if r[0]}
    assert got == {"C1": 322, "C2": 86}


# -- real exports --------------------------------------------------------------------------


def test_zoho_invoices_in_usd_read_as_before() -> None:
    folder = EXPORTS / "invoiceninja_zoho_wave"
    data = crmsheet.read(shared(folder / "zoho_contacts.csv"), shared(folder / "zoho_invoices.csv"),
                         as_of=date(2026, 12, 1))  # fmt: skip
    invoices = next(t for t in data.tables if t.sheet == "zoho_invoices.csv")
    assert invoices.mapping["Currency Code"] == "currency"
    contacts = next(t for t in data.tables if t.sheet == "zoho_contacts.csv")
    assert contacts.role == "customers" and "Currency Code" in contacts.extra_columns
    assert data.base_currency == "USD"
    # figures as read before currencies existed (main, 2026-12-02): 13 rows, 1,339.75
    assert (invoices.rows_kept, invoices.rows_rejected) == (13, 0)
    assert data.transactions["amount"].sum() == pytest.approx(1339.75)
    assert not data.problems.frame["code"].isin(["no-rate", "unknown-currency"]).any()


def test_sap_orders_in_eur_and_their_lines_in_15_currencies_read_as_before() -> None:
    folder = EXPORTS / "sap_shine_epm"
    files = [shared(folder / name) for name in
             ("businessPartner.csv", "salesOrder.csv", "salesOrderItem.csv")]  # fmt: skip
    items = pd.read_csv(files[2], dtype=str)
    assert items["CURRENCY"].nunique() == 15  # the lines: not converted
    assert set(pd.read_csv(files[1], dtype=str)["CURRENCY"]) == {"EUR"}
    data = crmsheet.read(*files, as_of=date(2026, 12, 1))
    roles = [(t.sheet, t.role_text, t.rows_kept, t.rows_rejected) for t in data.tables]
    assert roles == [("businessPartner.csv", "customers", 45, 0),
                     ("salesOrder.csv", "transactions", 1029, 0),
                     ("salesOrderItem.csv", "transactions (lines)", 6046, 0)]  # fmt: skip
    # a customer sheet with CURRENCY stays a customer sheet; its CURRENCY is the user's own
    assert "CURRENCY" in data.tables[0].extra_columns
    assert data.base_currency == "EUR"
    assert data.transactions["amount"].sum() == pytest.approx(11130424.5)  # as on main
    assert data.problems.frame["code"].value_counts().to_dict() == {
        "lines-total-mismatch": 109, "unknown-status": 4}  # fmt: skip


def test_woocommerce_orders_in_usd_read_as_before() -> None:
    path = shared(EXPORTS / "woocommerce_import_suite" / "sample_woocommerce_import_files.xlsx")
    data = crmsheet.read(path, as_of=date(2026, 11, 1))
    native = next(t for t in data.tables if t.sheet == "Order Import (Native)")
    assert native.mapping["currency"] == "currency" and native.rows_kept == 4
    assert data.base_currency == "USD"
    assert set(data.transactions["currency"]) == {"USD"}
    assert not data.problems.frame["code"].isin(["no-rate", "unknown-currency"]).any()


def test_a_customer_sheet_with_a_currency_does_not_look_like_sales(tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["PARTNERID", "COMPANYNAME", "CREATEDAT", "CURRENCY"])
        for i in range(8):
            w.writerow([f"P{i}", f"Firm {i}", f"2024-01-{i + 1:02d}", "EUR"])
    data = crmsheet.read(path, as_of=AS_OF)
    assert data.tables[0].role == "customers"
    assert "role-close-call" not in set(data.problems.frame["code"])


def test_validate_reads_the_rates_of_a_settings_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crmsheet.cli import main

    path = _book(tmp_path / "book.xlsx", MIXED)
    toml = tmp_path / "settings.toml"
    toml.write_text('[settings]\nbase_currency = "USD"\n\n[rates]\nEUR = 1.08\n', encoding="utf-8")
    report = tmp_path / "problems.csv"
    code = main(["validate", str(path), "--settings", str(toml), "--as-of", "2026-06-01",
                 "--problems", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and "1 row in EUR converted to USD at 1.08." in " ".join(out.split())
    problems = pd.read_csv(report, dtype=str)
    assert problems[["cell", "code"]].values.tolist() == [["Transactions!D4", "no-rate"]]
