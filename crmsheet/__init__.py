"""crmsheet: turn the customer spreadsheet you already have into a working CRM.

>>> import crmsheet
>>> data = crmsheet.read("customers.xlsx")    # doctest: +SKIP
>>> data.problems.frame                      # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

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
from .validate import CrmData, TableInfo

__all__ = [
    "CATALOGUE",
    "CrmData",
    "CrmsheetError",
    "Customer",
    "EncryptedFileError",
    "InputFileError",
    "MarketingSpend",
    "NoUsableDataError",
    "OutputFileError",
    "ProblemReport",
    "SettingsError",
    "SupportCase",
    "TableInfo",
    "Transaction",
    "UnsupportedFormatError",
    "__version__",
    "read",
]
