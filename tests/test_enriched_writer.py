"""The streamed writer (:mod:`crmsheet.io.sheetxml`) against xlsxwriter cell by cell.

``write_workbook`` streams the tables' rows into the package; ``streamed=False`` writes them
with xlsxwriter one cell at a time. Both files must read back the same in openpyxl (value,
type, number format) and python-calamine, and keep tables, frozen panes, colours and widths.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import test_enrich
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

import crmsheet
from crmsheet.io.styles import GREEN, RED
from crmsheet.io.tables import SheetSpec
from crmsheet.workbook import workbook_sheets, write_summary, write_workbook

AS_OF = test_enrich.AS_OF
ODD_TEXT = [
    "plain", "", " leading", "trailing ", "\tTab", "a & b < c > d", "=1+2", "_x0041_ literal",
    "bell\x07 and \x1f unit", "Zürich 東京 🙂", "x" * 40_000, "é" * 33_000, "\u00a0nbsp",
    "\ufffe non-char", "line\nbreak", '"quoted"', "http://example.com",
]  # fmt: skip


def _odd_frame() -> pd.DataFrame:
    n = len(ODD_TEXT)
    mixed: list[Any] = [
        "text", 3, 2.5, float("nan"), float("inf"), True, np.int64(7), np.float64(-0.0),
        dt.date(2024, 2, 29), dt.datetime(2024, 3, 1, 12, 30, 15, 250_000),
        pd.Timestamp("2024-05-06 07:08", tz="Europe/Paris"), dt.time(9, 30),
        dt.timedelta(days=2), None, pd.NA, pd.NaT, "",
    ]  # fmt: skip
    return pd.DataFrame({
        "Text": pd.Series(ODD_TEXT, dtype="str"),
        "Object text": pd.Series([*ODD_TEXT[:-1], None], dtype=object),
        "Mixed": pd.Series(mixed[:n], dtype=object),
        "Revenue": [0.1 + 0.2, 1e20, 1e-7, -0.0, np.inf, -np.inf, np.nan, 123456789.123456789,
                    1 / 3, 2.0**53, -5.5, 0.0, 1e15, 99.995, 7.0, -1e-300, 42.0],
        "Purchases": pd.Series([1, None, 3] * 5 + [4, 5], dtype="Int64"),
        "Flag": pd.Series([True, False, None] * 5 + [True, False], dtype="boolean"),
        "Plain flag": [True, False] * 8 + [True],
        "Day": pd.to_datetime(["2024-01-01", None, "1900-02-28", "1900-03-01", "2030-12-31"] * 3
                              + ["2024-06-01 13:45:10.5", None], format="ISO8601"),
        "Zoned": pd.date_range("2024-01-01 23:30", periods=n, freq="7h", tz="America/New_York"),
        "Share": np.linspace(0, 1, n),
    })  # fmt: skip


def _openpyxl_text(value: Any) -> Any:
    """openpyxl drops the ``_x005F`` escape of a literal ``_xHHHH_`` in shared strings only;
    Excel, LibreOffice and calamine read it in inline strings too: compare as they do."""
    return value.replace("x005F_", "") if isinstance(value, str) else value


def _cells_openpyxl(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        out[ws.title] = [(c.coordinate, _openpyxl_text(c.value), c.data_type, c.number_format)
                         for row in ws.iter_rows() for c in row]  # fmt: skip
        tables = [(t.ref, t.autoFilter.ref if t.autoFilter else None) for t in ws.tables.values()]
        out[ws.title + "/layout"] = [
            ws.dimensions, ws.freeze_panes, sorted(ws.tables), tables,
            [str(r.sqref) for r in ws.conditional_formatting],
            {k: d.width for k, d in ws.column_dimensions.items()},
        ]  # fmt: skip
    book.close()
    return out


def _cells_calamine(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def _both(tmp_path: Path, sheets: dict[str, SheetSpec], summary: Any = None) -> tuple[Path, Path]:
    fast, slow = tmp_path / "streamed.xlsx", tmp_path / "cells.xlsx"
    write_workbook(fast, sheets, summary=summary, streamed=True)
    write_workbook(slow, sheets, summary=summary, streamed=False)
    return fast, slow


def test_streamed_rows_read_back_as_xlsxwriter_cells(tmp_path: Path) -> None:
    frame = _odd_frame()
    sheets = {
        "Odd": SheetSpec(frame, formats={"Share": "0.0%"},
                         colours={"Text": {"plain": GREEN}, "Revenue": {"<0": RED}}),
        "Empty": SheetSpec(frame.iloc[:0]),
        "Nothing": SheetSpec(pd.DataFrame()),
        "Tall": SheetSpec(pd.DataFrame({"n": np.arange(40_000) * 1.5,
                                        "t": np.arange(40_000).astype(str)})),
    }  # fmt: skip
    fast, slow = _both(tmp_path, sheets)
    assert _cells_openpyxl(fast) == _cells_openpyxl(slow)
    assert _cells_calamine(fast) == _cells_calamine(slow)


def test_streamed_enriched_workbook_matches_cell_by_cell(tmp_path: Path) -> None:
    shop = test_enrich.shop.__wrapped__(tmp_path)  # the sample workbook of test_enrich
    data = crmsheet.read(shop, as_of=AS_OF)
    result = crmsheet.analyze(data, as_of=AS_OF)
    fast, slow = _both(tmp_path, workbook_sheets(result, data),
                       lambda book, ws, ctx: write_summary(book, ws, ctx, result))  # fmt: skip
    assert _cells_openpyxl(fast) == _cells_openpyxl(slow)
    assert _cells_calamine(fast) == _cells_calamine(slow)
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(slow) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())  # tables, charts, styles: all there
        assert a.testzip() is None


@pytest.mark.parametrize("text", ["\x00nul", "\x1f", "a\x0bb", "_x005F_", "\uffff"])
def test_control_characters_are_escaped_as_excel_does(tmp_path: Path, text: str) -> None:
    sheets = {"T": SheetSpec(pd.DataFrame({"x": pd.Series([text], dtype=object)}))}
    fast, slow = _both(tmp_path, sheets)
    assert _cells_openpyxl(fast) == _cells_openpyxl(slow)
    assert _cells_calamine(fast) == _cells_calamine(slow)


class _Unprintable:
    def __str__(self) -> str:
        raise ValueError("cannot print me")


def test_an_error_while_streaming_rows_leaves_no_file(tmp_path: Path) -> None:
    values = pd.Series(["ok"] * 40_000 + [_Unprintable()], dtype=object)  # fails in block 3
    out = tmp_path / "out.xlsx"
    with pytest.raises(ValueError, match="cannot print me"):
        write_workbook(out, {"T": SheetSpec(pd.DataFrame({"x": values}))})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_the_streamed_rows_back(tmp_path: Path) -> None:
    """LibreOffice loads every streamed sheet (no repair) and saves the same values."""
    shop = test_enrich.shop.__wrapped__(tmp_path)
    out = crmsheet.enrich(shop, as_of=AS_OF, output=tmp_path / "streamed.xlsx").output
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
         "xlsx", "--outdir", str(tmp_path / "lo"), str(out)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    again, ours = _cells_calamine(tmp_path / "lo" / "streamed.xlsx"), _cells_calamine(out)
    assert again.keys() == ours.keys()
    for sheet, rows in ours.items():  # LibreOffice saves numbers with 15 significant digits
        assert len(again[sheet]) == len(rows), sheet
        for a, b in zip(again[sheet], rows, strict=True):
            assert [pytest.approx(v, rel=1e-13) if isinstance(v, float) else v for v in b] == a


TEXT_CELLS = st.lists(
    st.one_of(
        st.none(),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
        st.sampled_from(["a&b", "<x>", " lead", "trail\u3000", "_x0041_", "\x1fx", "\ufffe"]),
    ),
    min_size=1,
    max_size=12,
)


@given(TEXT_CELLS)
def test_any_text_reads_back_as_xlsxwriter_writes_it(values: list[str | None]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sheets = {"T": SheetSpec(pd.DataFrame({"x": pd.Series(values, dtype=object),
                                               "s": pd.Series(values, dtype="str")}))}  # fmt: skip
        fast, slow = _both(Path(folder), sheets)
        assert _cells_openpyxl(fast) == _cells_openpyxl(slow)
        assert _cells_calamine(fast) == _cells_calamine(slow)
