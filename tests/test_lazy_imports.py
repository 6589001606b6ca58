"""What each entry point imports: a command imports what it needs when it needs it.

Checked in a fresh interpreter (``sys.modules`` after the import or the command), never by
timing: ``import crmsheet`` and ``crmsheet --help`` load none of the heavy libraries, reading a
CSV loads no xlsx reader or writer and no optimiser, and every public name still resolves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import crmsheet

HEAVY = ("scipy", "xlsxwriter", "python_calamine", "pandas", "numpy", "pydantic", "rapidfuzz")


def _loaded(code: str) -> set[str]:
    """The top-level packages loaded after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    names = json.loads(done.stdout.strip().splitlines()[-1])
    return {name.split(".")[0] for name in names}


def test_import_crmsheet_loads_no_heavy_library() -> None:
    loaded = _loaded("import crmsheet")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_help_and_version_load_no_heavy_library() -> None:
    for args in (["--help"], ["--version"], ["validate", "--help"], ["enrich", "--help"]):
        code = (
            "import sys\nfrom crmsheet.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        )
        heavy = set(HEAVY) - {"pydantic"}  # typer itself converts parameters with pydantic
        loaded = _loaded(code)
        assert not loaded & heavy, (args, sorted(loaded & heavy))


def test_validating_a_csv_loads_no_xlsx_library_and_no_optimiser(tmp_path: Path) -> None:
    sheet = tmp_path / "customers.csv"
    sheet.write_text("Name,Email\nAcme,info@acme.test\nBeta,\n", encoding="utf-8")
    code = (
        "from crmsheet.cli import main\n"
        f"code = main(['validate', {str(sheet)!r}, '--as-of', '2026-11-01'])\n"
        "assert code == 0, code\n"
    )
    loaded = _loaded(code)
    assert "pandas" in loaded  # it did read the file
    assert not loaded & {"scipy", "xlsxwriter", "python_calamine"}, sorted(loaded)


def test_reading_a_workbook_loads_calamine_but_not_the_writer_or_optimiser() -> None:
    sample = Path(__file__).parent.parent / "examples" / "sample_customers.xlsx"
    code = (
        "import crmsheet\nfrom datetime import date\n"
        f"crmsheet.read({str(sample)!r}, as_of=date(2026, 11, 1))\n"
    )
    loaded = _loaded(code)
    assert "python_calamine" in loaded
    assert not loaded & {"scipy", "xlsxwriter"}, sorted(loaded)


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    names = ", ".join(repr(n) for n in crmsheet.__all__)
    code = (
        "import crmsheet\n"
        f"for name in ({names},):\n"
        "    assert getattr(crmsheet, name) is not None, name\n"
        "    assert name in dir(crmsheet), name\n"
        "assert callable(crmsheet.enrich), crmsheet.enrich  # the function, not the module\n"
        "import crmsheet.enrich\n"
        "assert callable(crmsheet.enrich), crmsheet.enrich\n"
    )
    _loaded(code)


def test_the_lazy_table_names_every_public_name_once() -> None:
    where = crmsheet._WHERE
    assert set(where) | {"__version__"} == set(crmsheet.__all__)
    for name, module in where.items():
        assert module.startswith("."), (name, module)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        crmsheet.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("crmsheet.no_such_name resolved")
