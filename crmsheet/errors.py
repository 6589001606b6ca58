"""Exceptions crmsheet raises, and nothing else.

Bad *rows* are data (see :mod:`crmsheet.problems`); bad *calls* and unusable *files* raise.
Every exception also inherits the builtin a caller would naturally catch::

    CrmsheetError
     ├── InputFileError (OSError)         the file cannot be used at all
     │    ├── EncryptedFileError          password-protected workbook
     │    ├── UnsupportedFormatError      not a spreadsheet we can read (or a legacy format)
     │    └── NoUsableDataError           readable, but nothing recognisable in it
     ├── OutputFileError (OSError)        the output cannot be written (open elsewhere, exists)
     │    └── OutputExistsError           it exists, and replacing it was not asked for
     ├── SettingsError (ValueError)       a setting or a column override is wrong
     ├── HistoryMismatchError (ValueError) the previous history is another customer base's
     └── ThinDataError (ValueError)       too little purchase history to fit a model
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CrmsheetError",
    "EncryptedFileError",
    "HistoryMismatchError",
    "HistoryWarning",
    "InputFileError",
    "NoUsableDataError",
    "OutputExistsError",
    "OutputFileError",
    "SettingsError",
    "ThinDataError",
    "UnsupportedFormatError",
]


class CrmsheetError(Exception):
    """Base class of every error crmsheet raises on purpose."""


class InputFileError(CrmsheetError, OSError):
    """An input file cannot be used; the message names the file and what to do."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")

    def __str__(self) -> str:  # OSError.__str__ would show errno formatting
        return f"{self.path}: {self.message}"


class EncryptedFileError(InputFileError):
    """The workbook is protected by a password."""


class UnsupportedFormatError(InputFileError):
    """The file is not a spreadsheet crmsheet can read."""


class NoUsableDataError(InputFileError):
    """The file opens, but no sheet has columns crmsheet recognises."""


class OutputFileError(CrmsheetError, OSError):
    """The output cannot be written; the message says why and what to do."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class OutputExistsError(OutputFileError):
    """The output exists and replacing it was not asked for.

    The message gives the Python way out (``overwrite=True``); the command line says its own
    (:attr:`CLI`, ``--force``) instead, so each audience reads the words it can type.
    """

    #: The way out in Python, and on the command line.
    PYTHON = "already exists; pass overwrite=True to replace it"
    CLI = "already exists; use --force to replace it"

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, self.PYTHON)


class SettingsError(CrmsheetError, ValueError):
    """A setting, threshold or column override is invalid."""


class ThinDataError(CrmsheetError, ValueError):
    """Too little purchase history to fit a model; the message says why, in plain words."""


class HistoryMismatchError(CrmsheetError, ValueError):
    """The history of the previous run has no customer in common with this run: it is
    another customer base's, and is refused rather than merged (the message says what to do)."""


class HistoryWarning(UserWarning):
    """The previous run's history could not be used as it is (no History sheet, bad cells):
    the run goes on, starting or continuing the history with what could be read."""
