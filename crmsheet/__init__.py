"""crmsheet: turn the customer spreadsheet you already have into a working CRM.

>>> import crmsheet
>>> data = crmsheet.read("customers.xlsx")                     # doctest: +SKIP
>>> data.problems.frame                                       # doctest: +SKIP
>>> result = crmsheet.analyze(data, as_of=date(2026, 11, 1))   # doctest: +SKIP
>>> crmsheet.enrich("customers.xlsx", as_of=date(2026, 11, 1)) # doctest: +SKIP
>>> model = crmsheet.fit_bgnbd(crmsheet.rfm_summary(t, as_of=date(2026, 11, 1)))  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from .analysis import Analysis, analyze
from .analysis.bgnbd import BGNBDModel, fit_bgnbd
from .analysis.rfm import rfm_summary
from .config import Settings
from .data import CrmData, TableInfo
from .enrich import enrich, load_settings, write_enriched
from .errors import (
    CrmsheetError,
    EncryptedFileError,
    InputFileError,
    NoUsableDataError,
    OutputFileError,
    SettingsError,
    UnsupportedFormatError,
)
from .problems import CATALOGUE, ProblemReport
from .reader import read
from .schema import Customer, MarketingSpend, SupportCase, Transaction

__all__ = [
    "CATALOGUE",
    "Analysis",
    "BGNBDModel",
    "CrmData",
    "CrmsheetError",
    "Customer",
    "EncryptedFileError",
    "InputFileError",
    "MarketingSpend",
    "NoUsableDataError",
    "OutputFileError",
    "ProblemReport",
    "Settings",
    "SettingsError",
    "SupportCase",
    "TableInfo",
    "Transaction",
    "UnsupportedFormatError",
    "__version__",
    "analyze",
    "enrich",
    "fit_bgnbd",
    "load_settings",
    "read",
    "rfm_summary",
    "write_enriched",
]
