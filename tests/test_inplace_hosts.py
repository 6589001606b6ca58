"""``enrich --in-place`` into books saved by LibreOffice, openpyxl and xlsxwriter (issue 14).

A grafted chart used to read its omitted elements and automatic colours from the host: a book
saved by LibreOffice (no theme part, docProps/app.xml naming LibreOffice) drew the Summary's
charts without bars and with labels like "A; Revenue (12 months); 32,820". The grafted chart
XML now says every flag and colour itself (:mod:`crmsheet.io.ooxml.charts`): checked here in
the XML for each host, and, where LibreOffice is installed, by rendering the host's Summary and
the standalone one to PDF and comparing their text and pixels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter

import crmsheet
from crmsheet.io.ooxml.charts import OFFICE_2007, palette_of, self_contained

AS_OF = date(2026, 11, 1)
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
#: The only parts of the host an in-place run may change.
EDITED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
LABEL_FLAGS = ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent",
               "showBubbleSize")  # fmt: skip
HOSTS = ("libreoffice", "openpyxl", "xlsxwriter", "no-theme")


# -- the hosts ---------------------------------------------------------------------------------


def rows() -> tuple[list[tuple[str, str, str, str]], list[tuple[str, datetime, str, float]]]:
    sources = ["web", "referral", "event"]
    customers = [(f"C{i:03d}", f"Client {i}", f"c{i}@example.com", sources[i % 3])
                 for i in range(1, 13)]  # fmt: skip
    invoices, n = [], 0
    for i, (cid, *_rest) in enumerate(customers):
        for k in range(i % 4 + 1):
            n += 1
            when = datetime(2025, 11, 20) + timedelta(days=53 * k + 17 * i)
            invoices.append((f"INV{n:04d}", when, cid, 150.0 + 90 * i + 25 * k))
    return customers, invoices


HEADERS = (
    ["Customer ID", "Company", "Email", "Source"],
    ["Invoice", "Date", "Customer ID", "Amount"],
)


def by_openpyxl(path: Path) -> Path:
    customers, invoices = rows()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Customers"
    sheet.append(HEADERS[0])
    for r in customers:
        sheet.append(list(r))
    lines = book.create_sheet("Invoices")
    lines.append(HEADERS[1])
    for r in invoices:
        lines.append(list(r))
        lines.cell(lines.max_row, 2).number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def by_xlsxwriter(path: Path) -> Path:
    customers, invoices = rows()
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, HEADERS[0])
    for i, r in enumerate(customers, 1):
        sheet.write_row(i, 0, r)
    lines = book.add_worksheet("Invoices")
    lines.write_row(0, 0, HEADERS[1])
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for i, (number, when, cid, amount) in enumerate(invoices, 1):
        lines.write_string(i, 0, number)
        lines.write_datetime(i, 1, when, day)
        lines.write_string(i, 2, cid)
        lines.write_number(i, 3, amount)
    book.close()
    return path


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def convert(paths: list[Path], out: Path, to: str) -> list[Path]:
    """``paths`` converted by LibreOffice headless (one run, a private profile)."""
    done = subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{out}/lo",
         "--convert-to", to, "--outdir", str(out), *map(str, paths)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    results = [out / f"{p.stem}.{to.split(':')[0]}" for p in paths]
    assert done.returncode == 0 and all(r.exists() for r in results), done.stdout + done.stderr
    return results


def by_libreoffice(path: Path) -> Path:
    """An openpyxl book saved again by LibreOffice Calc: no theme, app.xml naming LibreOffice."""
    work = path.parent / "lo-save"
    work.mkdir()
    (saved,) = convert([by_openpyxl(work / path.name)], work / "out", "xlsx:Calc MS Excel 2007 XML")
    shutil.move(saved, path)
    return path


def without_theme(path: Path) -> Path:
    """What LibreOffice leaves that matters here, without LibreOffice: an openpyxl book with
    its theme part removed and docProps/app.xml naming LibreOffice."""
    source = by_openpyxl(path.with_suffix(".src.xlsx"))
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/theme/theme1.xml":
                continue
            if info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                data = re.sub(rb"<(Override|Relationship)\b[^>]*theme[^>]*/>", b"", data)
            if info.filename == "docProps/app.xml":
                app = b"<Application>LibreOffice/7.4.7.2$Linux_X86_64</Application>"
                data = re.sub(rb"<Application>[^<]*</Application>", app, data)
                data = re.sub(
                    rb"<AppVersion>[^<]*</AppVersion>", b"<AppVersion>15.0000</AppVersion>", data
                )
            zout.writestr(info, data)
    source.unlink()
    return path


def host(kind: str, path: Path) -> Path:
    build = {"libreoffice": by_libreoffice, "openpyxl": by_openpyxl, "xlsxwriter": by_xlsxwriter,
             "no-theme": without_theme}[kind]  # fmt: skip
    return build(path)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def grafted(kind: str, tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """The host, its parts before and after an in-place run."""
    book = host(kind, tmp_path / f"{kind}.xlsx")
    before = parts(book)
    crmsheet.enrich(book, in_place=True, as_of=AS_OF, backup=False)
    return book, before, parts(book)


def local(el: ElementTree.Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


# -- the chart XML -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", HOSTS)
def test_grafted_charts_say_every_flag_and_colour(kind: str, tmp_path: Path) -> None:
    book, before, after = grafted(kind, tmp_path)
    assert {n for n in before if before[n] != after[n]} <= EDITED, "the user's parts are kept"
    assert set(before) <= set(after)
    if kind in ("libreoffice", "no-theme"):
        assert not any(n.startswith("xl/theme/") for n in after), "no theme is added to the book"
    charts = sorted(n for n in set(after) - set(before) if n.startswith("xl/charts/"))
    assert len(charts) >= 2, "the Summary's charts are grafted"
    accents = set(OFFICE_2007.accents)
    for name in charts:
        root = ElementTree.fromstring(after[name])
        assert root.find(f".//{A}schemeClr") is None, f"{name} needs no theme colour"
        series = root.findall(f".//{C}ser")
        assert series
        for ser in series:
            group = local(next(g for g in root.iter() if ser in list(g)))
            spPr = ser.find(f"{C}spPr")
            assert spPr is not None, f"{name}: a series without its own fill or line"
            if group == "lineChart":
                colour = spPr.find(f"{A}ln/{A}solidFill/{A}srgbClr")
                assert ser.find(f"{C}smooth").get("val") == "0"  # type: ignore[union-attr]
                marker = ser.find(f"{C}marker/{C}spPr/{A}solidFill/{A}srgbClr")
                assert marker is not None, "markers are filled"
            else:
                colour = spPr.find(f"{A}solidFill/{A}srgbClr")
                assert ser.find(f"{C}invertIfNegative").get("val") == "0"  # type: ignore[union-attr]
            assert colour is not None and colour.get("val") in accents
            names = [local(k) for k in ser]
            assert names.index("spPr") == names.index("tx") + 1, "spPr at its schema place"
        for labels in root.iter(f"{C}dLbls"):
            flags = {local(k): k.get("val") for k in labels if local(k) in LABEL_FLAGS}
            assert flags == {f: "1" if f == "showVal" else "0" for f in LABEL_FLAGS}, (
                f"{name}: labels show only their values")  # fmt: skip
            names = [local(k) for k in labels]
            assert names[-6:] == list(LABEL_FLAGS), "the flags in the schema's order"
        for group in root.find(f"{C}chart/{C}plotArea"):  # type: ignore[union-attr]
            if local(group).endswith("Chart"):
                assert group.find(f"{C}varyColors").get("val") == "0"  # type: ignore[union-attr]
        for axis in (a for t in ("catAx", "valAx") for a in root.iter(f"{C}{t}")):
            if axis.find(f"{C}delete").get("val") == "0":  # type: ignore[union-attr]
                assert axis.find(f"{C}spPr/{A}ln/{A}solidFill/{A}srgbClr") is not None
        for grid in root.iter(f"{C}majorGridlines"):
            assert grid.find(f"{C}spPr/{A}ln/{A}solidFill/{A}srgbClr") is not None
        for title in root.iter(f"{C}title"):
            assert title.find(f"{C}overlay").get("val") == "0"  # type: ignore[union-attr]
    # a second run grafts the same charts (the fix is deterministic)
    crmsheet.enrich(book, in_place=True, as_of=AS_OF, backup=False)
    again = parts(book)
    assert {n: again[n] for n in charts} == {n: after[n] for n in charts}


def test_self_contained_keeps_what_is_written_and_is_idempotent() -> None:
    chart = (
        '<?xml version="1.0"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/'
        'drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<c:chart><c:plotArea><c:layout/><c:barChart><c:barDir val="col"/>'
        '<c:varyColors val="1"/><c:ser><c:idx val="7"/><c:order val="0"/>'
        '<c:dLbls><c:showVal val="1"/><c:showCatName val="1"/></c:dLbls></c:ser>'
        '<c:axId val="1"/><c:axId val="2"/></c:barChart></c:plotArea></c:chart>'
        "</c:chartSpace>"
    )
    out = self_contained(chart)
    assert self_contained(out) == out
    root = ElementTree.fromstring(out)
    bar = root.find(f"{C}chart/{C}plotArea/{C}barChart")
    assert bar is not None
    assert bar.find(f"{C}varyColors").get("val") == "1", "a flag written stays"  # type: ignore[union-attr]
    labels = bar.find(f"{C}ser/{C}dLbls")
    assert labels is not None
    assert {local(k): k.get("val") for k in labels} == {
        "showLegendKey": "0", "showVal": "1", "showCatName": "1", "showSerName": "0",
        "showPercent": "0", "showBubbleSize": "0"}  # fmt: skip
    fill = bar.find(f"{C}ser/{C}spPr/{A}solidFill/{A}srgbClr")
    assert fill is not None and fill.get("val") == OFFICE_2007.accents[7 % 6]
    assert [local(k) for k in bar.find(f"{C}ser")] == [  # type: ignore[union-attr]
        "idx",
        "order",
        "spPr",
        "invertIfNegative",
        "dLbls",
    ]
    # a part not written the way crmsheet's writer writes it is left alone
    other = chart.replace("c:", "x:")
    assert self_contained(other) == other


def test_palette_is_read_from_the_theme() -> None:
    theme = (
        '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:themeElements><a:clrScheme name="x">'
        '<a:dk1><a:sysClr val="windowText" lastClr="111111"/></a:dk1>'
        '<a:lt1><a:srgbClr val="fefefe"/></a:lt1><a:accent1><a:srgbClr val="123456"/></a:accent1>'
        '</a:clrScheme><a:fontScheme name="f">'
        '<a:majorFont><a:latin typeface="Cambria"/></a:majorFont>'
        '<a:minorFont><a:latin typeface="Aptos"/></a:minorFont>'
        "</a:fontScheme></a:themeElements></a:theme>"
    )
    p = palette_of(theme)
    assert (p.accents[0], p.accents[1], p.text, p.background, p.font) == (
        "123456",
        OFFICE_2007.accents[1],
        "111111",
        "FEFEFE",
        "Aptos",
    )
    assert palette_of(None) == OFFICE_2007


# -- as LibreOffice draws them -----------------------------------------------------------------


def summary_page(pdf: Path) -> int:
    """The number of the PDF page that holds crmsheet's Summary."""
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout)[1])  # type: ignore[index]  # fmt: skip
    for page in range(1, pages + 1):
        if "crmsheet summary" in page_text(pdf, page):
            return page
    raise AssertionError(f"no Summary page in {pdf}")


def page_text(pdf: Path, page: int) -> str:
    """The page's text; its footer's page number left out (the host's own sheets come first)."""
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    return re.sub(r"Page \d+ of \d+", "Page N of M", text)


def page_pixels(pdf: Path, page: int, out: Path) -> tuple[int, int, bytes]:
    """The page rendered at 60 dpi: width, height, RGB bytes (a binary PPM read by hand)."""
    subprocess.run(["pdftoppm", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(out)], check=True)  # fmt: skip
    data = out.with_suffix(".ppm").read_bytes()
    magic, size, _depth, pixels = data.split(b"\n", 3)
    assert magic == b"P6"
    width, height = map(int, size.split())
    return width, height, pixels


@pytest.mark.slow
def test_libreoffice_draws_the_grafted_summary_as_the_standalone_one(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftotext, pdftoppm) are not installed")
    soffice()
    books = [grafted(kind, tmp_path)[0] for kind in ("libreoffice", "openpyxl", "xlsxwriter")]
    standalone = tmp_path / "standalone.xlsx"
    crmsheet.enrich(by_openpyxl(tmp_path / "source.xlsx"), output=standalone, as_of=AS_OF)
    pdfs = convert([standalone, *books], tmp_path / "pdf", "pdf")
    ref_page = summary_page(pdfs[0])
    expected = page_text(pdfs[0], ref_page)
    assert "Revenue by rating" in expected
    width, height, ref = page_pixels(pdfs[0], ref_page, tmp_path / "standalone")
    blue = bytes.fromhex(OFFICE_2007.accents[0])
    ref_blue = sum(ref[i : i + 3] == blue for i in range(0, len(ref), 3))
    assert ref_blue > 500, "the standalone Summary's bars are drawn"
    for pdf in pdfs[1:]:
        page = summary_page(pdf)
        text = page_text(pdf, page)
        assert not re.search(r"\w; Revenue|; \d[\d,]*\s*$", text, re.MULTILINE), (
            f"{pdf.name}: data labels show more than their values")  # fmt: skip
        assert text.split() == expected.split(), f"{pdf.name}: the Summary reads differently"
        w, h, got = page_pixels(pdf, page, tmp_path / pdf.stem)
        assert (w, h) == (width, height)
        got_blue = sum(got[i : i + 3] == blue for i in range(0, len(got), 3))
        assert got_blue == ref_blue, f"{pdf.name}: the bars are not drawn as in the standalone book"
        off = sum(max(abs(a - b) for a, b in zip(got[i : i + 3], ref[i : i + 3], strict=True)) > 8
                  for i in range(0, len(got), 3))  # fmt: skip
        assert off < 0.002 * width * height, f"{pdf.name}: {off} pixels differ from the standalone"
