"""The examples run: both notebooks execute cleanly, each script writes a full workbook.

Notebooks run in a real Jupyter kernel (nbclient, kernel "python3", which must be this
interpreter: checked from inside the kernel). ``TMPDIR`` points the kernels and scripts at
the test's own folder, so their temporary output lands there and nothing is left behind.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from crmsheet.workbook import SHEETS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = ["enrich_from_python.py", "custom_settings.py", "several_csv_files.py"]
WROTE = re.compile(r"^Wrote (.+\.xlsx)$", re.MULTILINE)

# jupyter_core warns (once, at first use) that it will move to platformdirs' paths
JUPYTER_PATHS = "ignore:Jupyter is migrating its paths:DeprecationWarning"


def run_notebook(name: str, cwd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Execute examples/<name> with ``cwd`` as its working directory; return it run."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    book = nbformat.read(EXAMPLES / name, as_version=4)
    # first, make sure the kernel is this interpreter (the venv), not some other python
    book.cells.insert(0, nbformat.v4.new_code_cell(
        f"import sys\nassert sys.prefix == {sys.prefix!r}, sys.prefix"))  # fmt: skip
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel inherits it: mkdtemp goes here
    client = nbclient.NotebookClient(
        book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs
        if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr")
    ]  # fmt: skip
    assert not errors, errors
    return book


def outputs_text(book) -> str:
    parts = []
    for cell in book.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out:
                parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def written_workbook(text: str, tmp_path: Path) -> Path:
    paths = WROTE.findall(text)
    assert paths, text
    out = Path(paths[-1])
    assert out.is_file(), out
    assert tmp_path in out.parents, f"{out} is not in the temporary folder"
    return out


def assert_full_workbook(path: Path) -> None:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        assert book.sheetnames == list(SHEETS)
        assert len(book.sheetnames) == 17
    finally:
        book.close()


@pytest.fixture
def examples_untouched():
    before = sorted(p.name for p in EXAMPLES.iterdir())
    yield
    assert sorted(p.name for p in EXAMPLES.iterdir()) == before


@pytest.mark.parametrize("name", ["quickstart.ipynb", "real_data.ipynb"])
def test_notebooks_are_saved_without_outputs(name):
    book = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert book["nbformat"] == 4
    assert book["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(not c["outputs"] and c["execution_count"] is None for c in code), (
        "clear the outputs before committing (Kernel > Restart & Clear Output)"
    )


@pytest.mark.filterwarnings(JUPYTER_PATHS)
@pytest.mark.usefixtures("examples_untouched")
def test_quickstart_notebook(tmp_path, monkeypatch):
    book = run_notebook("quickstart.ipynb", EXAMPLES, tmp_path, monkeypatch)
    text = outputs_text(book)
    assert "<CrmData: 321 customers" in text
    assert "<Analysis as of 2026-11-01" in text
    html = [o for c in book.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("What to do first" in o.data["text/html"] for o in html)
    assert_full_workbook(written_workbook(text, tmp_path))


@pytest.mark.filterwarnings(JUPYTER_PATHS)
@pytest.mark.usefixtures("examples_untouched")
def test_real_data_notebook(testdata, tmp_path, monkeypatch):
    # the notebook finds ../shared/testdata/real/ from examples/ itself; the fixture skips
    # when that folder is absent (the case the next test covers)
    assert (testdata / "real" / "online_retail_II_continental_subset.xlsx").is_file()
    book = run_notebook("real_data.ipynb", EXAMPLES, tmp_path, monkeypatch)
    text = outputs_text(book)
    assert "<Analysis as of 2011-12-10" in text
    assert "Same as the RFM table of the analysis: True" in text
    assert "Same as lifetimes: True" in text or "lifetimes is not installed" in text
    assert_full_workbook(written_workbook(text, tmp_path))


@pytest.mark.filterwarnings(JUPYTER_PATHS)
def test_real_data_notebook_without_the_data(tmp_path, monkeypatch):
    """Run from a folder with no shared test data above it: it says so and stops, cleanly."""
    book = run_notebook("real_data.ipynb", tmp_path, tmp_path, monkeypatch)
    text = outputs_text(book)
    assert "The data file is not here" in text
    assert "<Analysis" not in text
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("examples_untouched")
@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts(script, tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    assert_full_workbook(written_workbook(done.stdout, tmp_path))
