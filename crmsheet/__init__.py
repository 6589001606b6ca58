"""crmsheet: turn the customer spreadsheet you already have into a working CRM.

>>> import crmsheet
>>> data = crmsheet.read("customers.xlsx")                     # doctest: +SKIP
>>> data.problems.frame                                       # doctest: +SKIP
>>> result = crmsheet.analyze(data, as_of=date(2026, 11, 1))   # doctest: +SKIP
>>> crmsheet.enrich("customers.xlsx", as_of=date(2026, 11, 1)) # doctest: +SKIP
>>> model = crmsheet.fit_bgnbd(crmsheet.rfm_summary(t, as_of=date(2026, 11, 1)))  # doctest: +SKIP
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # the names as mypy and editors see them
    from .analysis import Analysis, analyze
    from .analysis.bgnbd import BGNBDModel, fit_bgnbd
    from .analysis.duplicates import duplicate_candidates
    from .analysis.gammagamma import GammaGammaModel, fit_gamma_gamma
    from .analysis.holdout import calibration_holdout
    from .analysis.mbgnbd import MBGNBDModel, fit_mbgnbd
    from .analysis.paretonbd import ParetoNBDModel, fit_pareto_nbd
    from .analysis.rfm import rfm_summary
    from .config import Settings
    from .data import CrmData, TableInfo
    from .enrich import EnrichResult, enrich, history, load_settings
    from .errors import (
        CrmsheetError,
        EncryptedFileError,
        HistoryMismatchError,
        HistoryWarning,
        InputFileError,
        NoUsableDataError,
        OutputFileError,
        SettingsError,
        ThinDataError,
        UnsupportedFormatError,
    )
    from .problems import CATALOGUE, ProblemReport
    from .reader import read
    from .schema import Customer, MarketingSpend, SupportCase, Transaction
    from .workbook import write_enriched

#: Each public name and the module it lives in: the name is imported when first used
#: (PEP 562), so ``import crmsheet`` and ``crmsheet --help`` cost almost nothing. A new
#: public name is one line here, one in ``__all__`` and one under ``TYPE_CHECKING``.
_WHERE: dict[str, str] = {
    "Analysis": ".analysis",
    "BGNBDModel": ".analysis.bgnbd",
    "CATALOGUE": ".problems",
    "CrmData": ".data",
    "CrmsheetError": ".errors",
    "Customer": ".schema",
    "EncryptedFileError": ".errors",
    "EnrichResult": ".enrich",
    "GammaGammaModel": ".analysis.gammagamma",
    "HistoryMismatchError": ".errors",
    "HistoryWarning": ".errors",
    "InputFileError": ".errors",
    "MBGNBDModel": ".analysis.mbgnbd",
    "MarketingSpend": ".schema",
    "NoUsableDataError": ".errors",
    "OutputFileError": ".errors",
    "ParetoNBDModel": ".analysis.paretonbd",
    "ProblemReport": ".problems",
    "Settings": ".config",
    "SettingsError": ".errors",
    "SupportCase": ".schema",
    "TableInfo": ".data",
    "ThinDataError": ".errors",
    "Transaction": ".schema",
    "UnsupportedFormatError": ".errors",
    "analyze": ".analysis",
    "calibration_holdout": ".analysis.holdout",
    "duplicate_candidates": ".analysis.duplicates",
    "enrich": ".enrich",
    "fit_bgnbd": ".analysis.bgnbd",
    "fit_gamma_gamma": ".analysis.gammagamma",
    "fit_mbgnbd": ".analysis.mbgnbd",
    "fit_pareto_nbd": ".analysis.paretonbd",
    "history": ".enrich",
    "load_settings": ".enrich",
    "read": ".reader",
    "rfm_summary": ".analysis.rfm",
    "write_enriched": ".workbook",
}

__all__ = [
    "CATALOGUE",
    "Analysis",
    "BGNBDModel",
    "CrmData",
    "CrmsheetError",
    "Customer",
    "EncryptedFileError",
    "EnrichResult",
    "GammaGammaModel",
    "HistoryMismatchError",
    "HistoryWarning",
    "InputFileError",
    "MBGNBDModel",
    "MarketingSpend",
    "NoUsableDataError",
    "OutputFileError",
    "ParetoNBDModel",
    "ProblemReport",
    "Settings",
    "SettingsError",
    "SupportCase",
    "TableInfo",
    "ThinDataError",
    "Transaction",
    "UnsupportedFormatError",
    "__version__",
    "analyze",
    "calibration_holdout",
    "duplicate_candidates",
    "enrich",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_mbgnbd",
    "fit_pareto_nbd",
    "history",
    "load_settings",
    "read",
    "rfm_summary",
    "write_enriched",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it (PEP 562)."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The package object: a submodule named like a public name (``crmsheet.enrich``, the
    module) never hides the name (``crmsheet.enrich``, the function), as with eager imports."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and name in _WHERE:
            return  # the import system binding the submodule: it stays in sys.modules only
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
