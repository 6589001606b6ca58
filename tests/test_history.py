"""History across runs (issue 17): the History sheet carries on from run to run.

Three monthly exports whose movements are known by hand (tests/history_data.py): enriched
standalone (the output replaced, or --since) and in place; the same as_of twice; an earlier
as_of inserted; another shop's history refused; hand-edited bad cells reported; folding
beyond one sheet; 100k customers x 36 runs (slow).
"""

from __future__ import annotations

import time
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from history_data import RUNS, export, other_shop

import crmsheet
from crmsheet.analysis.history import (
    HISTORY_SHOWN,
    ROW_LIMIT,
    reconstruct,
    run_dates,
    snapshot,
    with_history,
)
from crmsheet.cli import main
from crmsheet.errors import HistoryMismatchError, HistoryWarning
from crmsheet.io.graft import crmsheet_sheets
from crmsheet.io.historyread import HISTORY_HEADERS, read_history
from crmsheet.io.tables import SheetSpec
from crmsheet.workbook import SHEETS, write_workbook
from crmsheet.workbook.labels import shown


def rows_of(path: Path, sheet: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def monthly(
    tmp_path: Path, runs: tuple[date, ...] = RUNS
) -> tuple[Path, list[crmsheet.EnrichResult]]:
    """Each month's export enriched into the same output, replacing it (the default previous)."""
    out = tmp_path / "shop.enriched.xlsx"
    results = []
    for i, run in enumerate(runs):
        book = export(tmp_path / f"shop-{run:%Y-%m}.xlsx", run)
        results.append(crmsheet.enrich(book, output=out, as_of=run, overwrite=i > 0))
    return out, results


# -- the changes, standalone ------------------------------------------------------------------


def test_first_run_starts_the_history_and_says_so(tmp_path: Path) -> None:
    out, (result,) = monthly(tmp_path, RUNS[:1])
    assert result.analysis.changes.since is None and result.analysis.changes.table.empty
    history = crmsheet.history(out)
    assert history["run"].unique().tolist() == [RUNS[0]]
    assert len(history) == 7  # every customer of the first export (Elm comes in run 2)
    changes = rows_of(out, "Changes")
    assert "the first run" in str(changes[1][0])
    header = rows_of(out, "History")[0]
    assert list(header[: len(HISTORY_HEADERS)]) == list(HISTORY_HEADERS.values())


def test_second_run_shows_the_drop_the_lapse_and_the_new_customer(tmp_path: Path) -> None:
    out, (_, second) = monthly(tmp_path, RUNS[:2])
    c = second.analysis.changes
    assert c.since == RUNS[0]
    t = c.table.set_index(["kind", "customer_key"])
    assert t.loc[("rating", "BO"), ["before", "now"]].tolist() == ["A", "B"]
    assert "B on revenue" in t.loc[("rating", "BO"), "why"]  # the reason for the rating now
    assert t.loc[("lapsed", "CE"), ["before", "now"]].tolist() == ["lapsing", "lapsed"]
    assert t.loc[("new", "EL"), "now"] == "C"
    assert set(c.table["kind"]) == {"new", "rating", "lapsed", "drop"}
    assert c.table.loc[c.table["kind"] == "rating", "customer_key"].tolist() == ["BO"]
    assert t.loc[("drop", "BO"), "revenue_change"] == pytest.approx(-9000)
    m = c.migration
    assert (m.loc["A", "A"], m.loc["A", "B"], m.loc["B", "B"]) == (2, 1, 1)  # Acme, Fig; Bolt
    assert (m.loc["C", "C"], m.loc["C", "lost"], m.loc["new", "C"]) == (1, 1, 1)  # Hops; Cedar
    assert m.to_numpy().sum() == 7  # Dune, lapsed at the run before, is not in the matrix
    assert c.migration_revenue.loc["A", "B"] == pytest.approx(2400)  # Bolt's 12 months now
    assert c.migration_revenue.loc["C", "lost"] == pytest.approx(350)  # Cedar's, before
    # the Summary says it in one line per kind, the actions name Bolt and Cedar
    summary = [r[0] for r in rows_of(out, "Summary") if r and isinstance(r[0], str)]
    i = summary.index("Since 2026-09-01 (see Changes)")
    assert summary[i + 1 : i + 4] == ["1 A customer slipped to B", "1 customer lapsed",
                                      "1 new customer"]  # fmt: skip
    assert second.analysis.actions[0].startswith("Since 2026-09-01, 1 A customer slipped (Bolt)")
    assert "1 customer lapsed (Cedar)" in second.analysis.actions[1]


def test_third_run_with_since_shows_the_win_back_lapsing_and_passed_follow_ups(
    tmp_path: Path,
) -> None:
    out, _ = monthly(tmp_path, RUNS[:2])
    nov = export(tmp_path / "nov.xlsx", RUNS[2])
    third = crmsheet.enrich(nov, output=tmp_path / "nov.out.xlsx", as_of=RUNS[2], since=out)
    t = third.analysis.changes.table.set_index(["kind", "customer_key"])
    assert third.analysis.changes.since == RUNS[1]
    assert t.loc[("won back", "DU"), ["before", "now"]].tolist() == ["lapsed", "active"]
    assert t.loc[("lapsing", "GA"), ["before", "now"]].tolist() == ["active", "lapsing"]
    assert t.loc[("follow-up", "AC"), ["before", "now"]].tolist() == ["due 2026-10-15",
                                                                      "new date set"]  # fmt: skip
    assert t.loc[("follow-up", "FI"), "now"] == "no new date"
    assert not (third.analysis.changes.table["kind"] == "rating").any()
    history = crmsheet.history(tmp_path / "nov.out.xlsx")
    ratings = history.pivot(index="customer_key", columns="run", values="rating")
    assert ratings.loc["BO"].tolist() == ["A", "B", "B"]
    assert pd.isna(ratings.loc["EL", RUNS[0]]) and ratings.loc["EL", RUNS[1]] == "C"
    status = history.pivot(index="customer_key", columns="run", values="status")
    assert status.loc["DU"].tolist() == ["lapsed", "lapsed", "active"]
    runs = history.attrs["runs"]
    assert runs["run"].tolist() == list(RUNS) and runs["customers"].tolist() == [7, 8, 8]
    assert not runs["folded"].any()
    # the --since file is only read
    assert crmsheet.history(out)["run"].nunique() == 2


def test_the_history_sheet_is_compact_and_reads_back_as_written(tmp_path: Path) -> None:
    out, results = monthly(tmp_path)
    written = results[-1].analysis.history
    back, problems = read_history(out)
    assert problems.empty and back is not None
    pd.testing.assert_frame_equal(back, written, check_dtype=False)
    entries = back["entry"].value_counts()
    assert entries["run"] == 3 and entries["state"] < 3 * 8  # unchanged customers not repeated
    assert "gone" not in entries  # nobody left the data
    tidy = crmsheet.history(out)
    assert len(tidy) == 7 + 8 + 8
    cells = rows_of(out, "History")
    assert cells[1][:2] == (pd.Timestamp(RUNS[0]).to_pydatetime(), "run")


# -- same as_of, earlier as_of, another shop ---------------------------------------------------


def test_the_same_as_of_twice_replaces_that_run(tmp_path: Path) -> None:
    out, results = monthly(tmp_path, (RUNS[0], RUNS[1], RUNS[1]))
    assert run_dates(results[-1].analysis.history) == [RUNS[0], RUNS[1]]
    pd.testing.assert_frame_equal(results[-1].analysis.history, results[1].analysis.history)
    assert results[-1].analysis.changes.since == RUNS[0]  # still compared with the run before
    assert len(crmsheet.history(out)) == 7 + 8


def test_an_earlier_as_of_is_inserted_in_order(tmp_path: Path) -> None:
    _, results = monthly(tmp_path, (RUNS[0], RUNS[2], RUNS[1]))
    inserted = results[-1].analysis
    assert run_dates(inserted.history) == list(RUNS)
    assert inserted.changes.since == RUNS[0]  # the run before 2026-10-01
    (tmp_path / "in-order").mkdir()
    in_order = monthly(tmp_path / "in-order", RUNS)[1][-1].analysis.history
    pd.testing.assert_frame_equal(inserted.history, in_order)


def test_another_shops_history_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = other_shop(tmp_path / "other.xlsx", RUNS[0])
    crmsheet.enrich(other, as_of=RUNS[0])
    ours = export(tmp_path / "ours.xlsx", RUNS[1])
    with pytest.raises(HistoryMismatchError, match="no customer in common"):
        crmsheet.enrich(ours, as_of=RUNS[1], since=tmp_path / "other.enriched.xlsx")
    assert not (tmp_path / "ours.enriched.xlsx").exists()
    code = main(["enrich", str(ours), "--as-of", "2026-10-01", "--since",
                 str(tmp_path / "other.enriched.xlsx")])  # fmt: skip
    assert code == 2 and "another customer base" in capsys.readouterr().err
    # replacing the other shop's output (overwrite: asked for) starts a new history
    with pytest.warns(HistoryWarning, match="no customer in common .* a new history starts"):
        result = crmsheet.enrich(ours, as_of=RUNS[1], output=tmp_path / "other.enriched.xlsx",
                                 overwrite=True)  # fmt: skip
    assert run_dates(result.analysis.history) == [RUNS[1]]
    assert result.analysis.changes.since is None


def test_since_a_file_that_is_missing_or_has_no_history(tmp_path: Path) -> None:
    book = export(tmp_path / "shop.xlsx", RUNS[0])
    with pytest.raises(crmsheet.InputFileError, match="--since takes an enriched workbook"):
        crmsheet.enrich(book, as_of=RUNS[0], since=tmp_path / "missing.xlsx")
    with pytest.warns(HistoryWarning, match="no History sheet"):
        result = crmsheet.enrich(book, as_of=RUNS[0], since=book)  # the user's own data
    assert run_dates(result.analysis.history) == [RUNS[0]]


def test_since_something_that_is_no_workbook_says_what_it_takes(tmp_path: Path) -> None:
    book = export(tmp_path / "shop.xlsx", RUNS[0])
    csv = tmp_path / "last.csv"
    csv.write_text("Customer,Rating\nBO,A\n", encoding="utf-8")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(bytes(range(256)) * 8)
    archive = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    folder = tmp_path / "runs"
    folder.mkdir()
    for since, what in ((csv, "text file"), (junk, "not an Excel workbook"),
                        (archive, "zip archive"), (folder, "folder")):  # fmt: skip
        with pytest.raises(crmsheet.UnsupportedFormatError if since != folder
                           else crmsheet.InputFileError) as caught:  # fmt: skip
            crmsheet.enrich(book, as_of=RUNS[0], since=since, output=tmp_path / "out.xlsx")
        message = str(caught.value)
        assert message.startswith(str(since)) and what in message, message
        assert message.endswith("--since takes an enriched workbook crmsheet wrote (its "
                                "History sheet holds the earlier runs)"), message  # fmt: skip
        assert "save a copy" not in message and "rename it" not in message, message
    assert not (tmp_path / "out.xlsx").exists()


# -- hand-edited History ------------------------------------------------------------------------


def test_cli_since_carries_the_history_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = monthly(tmp_path, RUNS[:1])
    oct_ = export(tmp_path / "oct.xlsx", RUNS[1])
    new = tmp_path / "oct.enriched.xlsx"
    assert main(["enrich", str(oct_), "--as-of", "2026-10-01", "--since", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Since 2026-09-01, 1 A customer slipped (Bolt)" in printed  # the first action
    assert ("Since 2026-09-01: 1 A customer slipped to B, 1 customer lapsed, 1 new customer "
            "(see Changes).") in printed  # fmt: skip
    assert crmsheet.history(new)["run"].unique().tolist() == [RUNS[0], RUNS[1]]
    # a --since file without a History: one plain note, the run goes on
    assert main(["enrich", str(oct_), "--as-of", "2026-10-01", "--since", str(oct_),
                 "--force"]) == 0  # fmt: skip
    assert "crmsheet: note: oct.xlsx has no History sheet" in capsys.readouterr().err


def test_bad_history_cells_are_reported_and_their_rows_ignored(tmp_path: Path) -> None:
    out, _ = monthly(tmp_path, RUNS[:2])
    edited = tmp_path / "edited.xlsx"
    book = openpyxl.load_workbook(out)
    ws = book["History"]
    header = [c.value for c in ws[1]]
    col = {label: header.index(label) + 1 for label in HISTORY_HEADERS.values()}
    where = {ws.cell(r, col["Customer"]).value: r for r in range(2, ws.max_row + 1)
             if ws.cell(r, col["Run (as of)"]).value.date() == RUNS[1]}  # fmt: skip
    ws.cell(where["BO"], col["Rating"]).value = "A+"  # Bolt's move to B, edited by hand
    ws.cell(where["EL"], col["Revenue (12 months)"]).value = "lots"
    ws.cell(2, col["Run (as of)"]).value = "last month"  # the first run's run row
    book.save(edited)
    bad_rating, bad_money = where["BO"], where["EL"]
    result = crmsheet.enrich(export(tmp_path / "nov.xlsx", RUNS[2]), as_of=RUNS[2], since=edited)
    p = result.data.problems.frame
    bad = p.loc[p["code"] == "bad-history-cell"]
    assert sorted(bad["row"].tolist()) == sorted([2, bad_rating, bad_money])
    letters = {label: openpyxl.utils.get_column_letter(i) for label, i in col.items()}
    assert set(bad["cell"]) == {f"History!{letters['Rating']}{bad_rating}",
                                f"History!{letters['Revenue (12 months)']}{bad_money}",
                                f"History!{letters['Run (as of)']}2"}  # fmt: skip
    assert (bad["severity"] == "warning").all() and (bad["action"] == "row skipped").all()
    assert "“A+” in Rating" in bad.loc[bad["row"] == bad_rating, "message"].iloc[0]
    # the rows are ignored: Bolt's state at run 2 is its state from run 1 (A), Elm is gone
    history = result.analysis.history
    assert run_dates(history) == [RUNS[1], RUNS[2]]  # run 1's run row was the bad one
    problems = [r for r in rows_of(result.output, "Problems") if r and r[8] == "bad-history-cell"]
    assert len(problems) == 3
    with pytest.warns(HistoryWarning, match="3 bad History cells"):
        crmsheet.history(edited)


def test_a_history_sheet_that_is_not_one_starts_afresh(tmp_path: Path) -> None:
    out, _ = monthly(tmp_path, RUNS[:1])
    book = openpyxl.load_workbook(out)
    book["History"].delete_cols(1, 3)  # the run, entry and customer columns gone
    book.save(tmp_path / "cut.xlsx")
    with pytest.warns(HistoryWarning, match="not a crmsheet History"):
        result = crmsheet.enrich(export(tmp_path / "oct.xlsx", RUNS[1]), as_of=RUNS[1],
                                 since=tmp_path / "cut.xlsx")  # fmt: skip
    assert run_dates(result.analysis.history) == [RUNS[1]]


# -- in place ---------------------------------------------------------------------------------


def test_in_place_the_books_own_history_is_kept_and_carried_on(tmp_path: Path) -> None:
    book = export(tmp_path / "book.xlsx", RUNS[2])  # the whole log: as_of cuts it per run
    first = crmsheet.enrich(book, as_of=RUNS[0], in_place=True, backup=False)
    assert run_dates(first.analysis.history) == [RUNS[0]]
    second = crmsheet.enrich(book, as_of=RUNS[1], in_place=True, backup=False)
    assert second.analysis.changes.since == RUNS[0]
    t = second.analysis.changes.table.set_index(["kind", "customer_key"])
    assert t.loc[("rating", "BO"), ["before", "now"]].tolist() == ["A", "B"]
    assert ("lapsed", "CE") in t.index
    assert t.loc[("rating", "EL"), ["before", "now"]].tolist() == ["unrated", "C"]  # listed
    opened = openpyxl.load_workbook(book, read_only=True)
    names = opened.sheetnames
    opened.close()  # a read-only book holds its file open until closed
    assert names[:2] == ["Customers", "Invoices"] and names[-1] == "History"
    assert names.index("Changes") == names.index("Summary") + 1
    assert {"Changes", "History"} <= set(crmsheet_sheets(book))
    assert crmsheet.history(book)["run"].unique().tolist() == [RUNS[0], RUNS[1]]
    third = crmsheet.enrich(book, as_of=RUNS[2], in_place=True, backup=False)
    assert run_dates(third.analysis.history) == list(RUNS)
    # the reader skips History and Changes like crmsheet's other sheets
    data = crmsheet.read(book, as_of=RUNS[2])
    assert {t.sheet for t in data.tables} == {"Customers", "Invoices"}
    assert not data.problems.frame["sheet"].isin(["History", "Changes"]).any()


# -- the frames themselves -------------------------------------------------------------------


def _frame(keys: list[str], ratings: list[str], revenue: list[float]) -> pd.DataFrame:
    index = pd.Index(keys, name="customer_key")
    return pd.DataFrame({"name": keys, "rating": ratings, "status": "active",
                         "revenue_12m": revenue}, index=index)  # fmt: skip


def test_with_history_on_frames_gone_and_back() -> None:
    r1 = snapshot(_frame(["a", "b", "c"], ["A", "B", "C"], [100, 50, 10]), date(2026, 1, 1))
    r2 = snapshot(_frame(["a", "b"], ["A", "B"], [100, 50]), date(2026, 2, 1))
    r3 = snapshot(_frame(["a", "b", "c"], ["A", "C", "C"], [100, 20, 10]), date(2026, 3, 1))
    h = with_history(with_history(with_history(None, r1), r2), r3)
    rows = h.loc[h["entry"] != "run", ["run", "entry", "customer_key"]]
    assert [tuple(r) for r in rows.itertuples(index=False)] == [
        (pd.Timestamp("2026-01-01"), "state", "a"), (pd.Timestamp("2026-01-01"), "state", "b"),
        (pd.Timestamp("2026-01-01"), "state", "c"), (pd.Timestamp("2026-02-01"), "gone", "c"),
        (pd.Timestamp("2026-03-01"), "state", "b"), (pd.Timestamp("2026-03-01"), "state", "c"),
    ]  # fmt: skip
    tidy = reconstruct(h)
    assert tidy.groupby("run").size().tolist() == [3, 2, 3]
    # rebuilt in any order, the same history
    assert with_history(with_history(with_history(None, r3), r1), r2).equals(h)
    # a run without customers loses nothing
    assert with_history(h, snapshot(_frame([], [], []), date(2026, 4, 1))).equals(h)


def test_beyond_the_limit_the_oldest_runs_are_folded_into_counts() -> None:
    keys = [f"k{i}" for i in range(10)]
    h = None
    for month in range(1, 7):  # 10 customers, 2 of them changing every run
        revenue = [float(i * 10 + (month if i < 2 else 0)) for i in range(10)]
        h = with_history(h, snapshot(_frame(keys, ["C"] * 10, revenue), date(2026, month, 1)),
                         limit=25)  # fmt: skip
    assert h is not None and len(h) <= 25
    folded = h.loc[h["entry"] == "folded"]
    assert len(folded) >= 1 and (folded["customers"] == 10).all()
    assert folded["name"].str.contains("C 10").all()
    kept = run_dates(h)
    assert len(kept) + len(folded) == 6 and kept[-1] == date(2026, 6, 1)
    tidy = reconstruct(h)  # the runs kept are whole
    assert tidy.groupby("run").size().tolist() == [10] * len(kept)
    last = tidy.loc[tidy["run"] == pd.Timestamp(2026, 6, 1)].set_index("customer_key")
    assert last.loc["k1", "revenue_12m"] == 16 and last.loc["k5", "revenue_12m"] == 50


def test_the_public_names() -> None:
    assert {"history", "HistoryMismatchError", "HistoryWarning"} <= set(crmsheet.__all__)
    assert issubclass(HistoryMismatchError, ValueError)
    assert issubclass(HistoryWarning, UserWarning)
    assert SHEETS[1] == "Changes" and SHEETS[-1] == "History" and len(SHEETS) == 17


# -- 100k customers x 36 monthly runs (slow) --------------------------------------------------


@pytest.mark.slow
def test_100k_customers_over_36_monthly_runs_fit_one_sheet(tmp_path: Path) -> None:
    rng = np.random.default_rng(17)
    n, runs = 100_000, 36
    keys = np.array([f"C{i:06d}" for i in range(n)], dtype=object)
    rating = rng.choice(np.array(["A", "B", "C"], dtype=object), n, p=[0.1, 0.2, 0.7])
    status = rng.choice(np.array(["active", "lapsing", "lapsed"], dtype=object), n)
    revenue = np.round(rng.gamma(2.0, 500.0, n), 2)
    follow = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]")
    started = time.perf_counter()
    history = None
    day = date(2024, 1, 1)
    for _ in range(runs):
        changing = rng.random(n) < 0.2  # ~20 % of customers change something shown
        revenue = np.where(changing, np.round(revenue * rng.uniform(0.5, 1.5, n), 2), revenue)
        flip = changing & (rng.random(n) < 0.1)
        rating = np.where(flip, rng.choice(np.array(["A", "B", "C"], dtype=object), n), rating)
        frame = pd.DataFrame({"name": keys, "rating": rating, "status": status,
                              "revenue_12m": revenue, "next_follow_up": follow.to_numpy()},
                             index=pd.Index(keys, name="customer_key"))  # fmt: skip
        history = with_history(history, snapshot(frame, day))
        day = (pd.Timestamp(day) + pd.offsets.MonthBegin(1)).date()
    built = time.perf_counter() - started
    assert history is not None
    assert len(history) <= ROW_LIMIT and not (history["entry"] == "folded").any()
    assert len(run_dates(history)) == runs
    out = tmp_path / "history.xlsx"
    started = time.perf_counter()
    table = shown(history, HISTORY_SHOWN, index=False, currency="EUR")
    write_workbook(out, {"History": SheetSpec(table.frame, formats=table.formats)})
    written = time.perf_counter() - started
    size = out.stat().st_size
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/worksheets/sheet") for n in z.namelist())
    started = time.perf_counter()
    back, problems = read_history(out)
    read = time.perf_counter() - started
    assert problems.empty and back is not None and len(back) == len(history)
    print(f"\n100k x 36 runs: {len(history):,} rows, built in {built:.1f} s, written in "
          f"{written:.1f} s, read back in {read:.1f} s, {size / 1e6:.1f} MB")  # fmt: skip
