"""The public surface is a contract: pinned here so that a change to it is a decision."""

from __future__ import annotations

import crmsheet


def test_public_api_is_pinned() -> None:
    assert sorted(crmsheet.__all__) == sorted([
        "CATALOGUE", "CrmData", "CrmsheetError", "Customer", "EncryptedFileError",
        "InputFileError", "MarketingSpend", "NoUsableDataError", "OutputFileError",
        "ProblemReport", "SettingsError", "SupportCase", "TableInfo", "Transaction",
        "UnsupportedFormatError", "__version__", "read", "Analysis", "Settings", "analyze",
        "enrich", "load_settings", "rfm_summary", "write_enriched", "fit_bgnbd", "BGNBDModel",
        "EnrichResult", "ThinDataError", "fit_mbgnbd", "MBGNBDModel",
        "fit_gamma_gamma", "GammaGammaModel",
        "calibration_holdout",
        "fit_pareto_nbd", "ParetoNBDModel",
        "duplicate_candidates",
        "history", "HistoryMismatchError", "HistoryWarning",
    ])  # fmt: skip
    for name in crmsheet.__all__:
        assert hasattr(crmsheet, name), name


def test_exceptions_also_inherit_the_builtin_a_caller_would_catch() -> None:
    assert issubclass(crmsheet.InputFileError, OSError)
    assert issubclass(crmsheet.EncryptedFileError, crmsheet.InputFileError)
    assert issubclass(crmsheet.OutputFileError, OSError)
    assert issubclass(crmsheet.SettingsError, ValueError)
    assert issubclass(crmsheet.ThinDataError, crmsheet.CrmsheetError)
    assert issubclass(crmsheet.ThinDataError, ValueError)
    assert issubclass(crmsheet.HistoryMismatchError, crmsheet.CrmsheetError)
    assert issubclass(crmsheet.HistoryMismatchError, ValueError)
    assert issubclass(crmsheet.HistoryWarning, UserWarning)
    err = crmsheet.EncryptedFileError("book.xlsx", "remove the password")
    assert str(err) == "book.xlsx: remove the password"


def test_every_problem_code_has_a_message_that_fills_in() -> None:
    for code, kind in crmsheet.CATALOGUE.items():
        text = kind.template.format(value="X", column="Col", field="f", detail="Some detail.")
        assert "{" not in text and len(text) >= 10, code
        assert kind.severity in ("error", "warning")
        assert kind.action in ("row skipped", "cell ignored", "kept", "sheet skipped")


def test_the_field_reference_is_current() -> None:
    from pathlib import Path

    from crmsheet.schema import fields_markdown

    doc = Path(__file__).resolve().parents[1] / "docs" / "fields.md"
    assert doc.read_text(encoding="utf-8") == fields_markdown(), (
        "docs/fields.md is stale: run python -m crmsheet.schema > docs/fields.md"
    )
