"""crmsheet: turn the customer spreadsheet you already have into a working CRM.

>>> import crmsheet
>>> data = crmsheet.read("customers.xlsx")                     # doctest: +SKIP
>>> data.problems.frame                                       # doctest: +SKIP
>>> result = crmsheet.analyze(data, as_of=date(2026, 11, 1))   # doctest: +SKIP
>>> crmsheet.enrich("customers.xlsx", as_of=date(2026, 11, 1)) # doctest: +SKIP
>>> model = crmsheet.fit_bgnbd(crmsheet.rfm_summary(t, as_of=date(2026, 11, 1)))  # doctest: +SKIP
"""

from __future__ import annotations

from ._version import __version__
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
