"""What a file is, decided in one place: by its suffix, its first bytes and its zip directory.

Every reader asks here before it parses: :func:`spreadsheet_kind` routes a path to the text or
the workbook reader, :func:`workbook_kind` (or :func:`open_workbook`, which also hands over the
open zip) names the container of a workbook (OOXML, .xlsb, .ods, legacy .xls) after cheap
safety checks (missing, empty, encrypted, not a workbook at all, damaged zip, zip bomb), and
:func:`reject_binary` / :func:`reject_binary_text` refuse a binary file wearing a text name. The
suffix sets live here too, so that the readers, the in-place writer and their messages cannot
drift apart. Each refusal is a plain sentence saying what to do, never a parser's traceback.
"""

from __future__ import annotations

import io
import mmap
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from ..errors import (
    EncryptedFileError,
    InputFileError,
    NoUsableDataError,
    UnsupportedFormatError,
)

__all__ = [
    "IN_PLACE_SUFFIXES",
    "MAX_MEMBERS",
    "NATURAL_SUFFIXES",
    "TAB_SUFFIXES",
    "TEXT_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "WorkbookKind",
    "check_zip_limits",
    "open_workbook",
    "reject_binary",
    "reject_binary_text",
    "spreadsheet_kind",
    "workbook_kind",
]

#: The container of a workbook: an OOXML zip, a binary .xlsb zip, an OpenDocument zip, or
#: an OLE2 compound file (a legacy .xls).
WorkbookKind = Literal["ooxml", "xlsb", "ods", "xls"]

OOXML_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"})
OLE_SUFFIXES = frozenset({".xls", ".xla", ".xlt"})
#: The suffixes each kind is saved under (calamine picks its reader by suffix).
NATURAL_SUFFIXES: dict[WorkbookKind, frozenset[str]] = {
    "ooxml": OOXML_SUFFIXES, "xlsb": frozenset({".xlsb"}), "ods": frozenset({".ods"}),
    "xls": OLE_SUFFIXES,
}  # fmt: skip
#: Read as workbooks whatever their first bytes say (the workbook reader words the refusal).
WORKBOOK_SUFFIXES = frozenset().union(*NATURAL_SUFFIXES.values())
#: Read as delimited text.
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".psv", ".ssv", ".tab"})
#: Delimited text whose delimiter is a tab by name (no sniffing).
TAB_SUFFIXES = frozenset({".tsv", ".tab"})
#: What ``enrich --in-place`` writes into.
IN_PLACE_SUFFIXES = (".xlsx", ".xlsm")

# Zip-bomb guard (declared sizes from the central directory, checked before any parsing).
MAX_TOTAL_UNCOMPRESSED = 2 * 1024**3
MAX_RATIO = 200
RATIO_MIN_SIZE = 50 * 1024**2
MAX_MEMBERS = 10_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

#: The way out of most refusals (also used by the workbook reader for parser failures).
SAVE_AS = "open it in Excel (or LibreOffice) and save a copy as an Excel workbook (.xlsx)"
#: An encrypted OOXML workbook (an OLE container holding an ``EncryptedPackage``).
PASSWORD = (
    "the workbook is protected by a password; open it in Excel, remove the password "
    "(File > Info > Protect Workbook) and save a copy"
)
_DAMAGED = (
    "the file is damaged (incomplete zip): it may not have finished downloading or copying; "
    "get a fresh copy, or open it in Excel, which can sometimes repair it, and save a copy"
)


# --------------------------------------------------------------------------------------------
# Which reader


def spreadsheet_kind(path: Path) -> Literal["text", "workbook"]:
    """Whether ``path`` goes to the text (CSV) or the workbook reader: by suffix, else content."""
    if not path.exists():
        raise InputFileError(path, "file not found")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a file: name the spreadsheet inside it")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith((b"PK", OLE2_MAGIC[:4])):
        return "workbook"
    kind = suffix or "files without an extension"
    raise UnsupportedFormatError(
        path, f"crmsheet reads Excel workbooks (.xlsx, .xlsm, .xls, .xlsb), .ods and "
        f".csv/.tsv files, not {kind}; save it from Excel as .xlsx or .csv"
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Which workbook container (with the safety checks before any parsing)


def workbook_kind(p: Path) -> WorkbookKind:
    """The real container of the workbook at ``p``, or raise saying why it cannot be read."""
    with open_workbook(p) as (kind, _):
        return kind


@contextmanager
def open_workbook(p: Path) -> Iterator[tuple[WorkbookKind, zipfile.ZipFile | None]]:
    """:func:`workbook_kind`, with the zip it opened to decide (None for an .xls) left open.

    The zip's directory has passed the bomb checks; nothing has been decompressed yet.
    """
    head = _head(p)
    if head.startswith(OLE2_MAGIC):
        if _has_encrypted_package(p):
            raise EncryptedFileError(p, PASSWORD)
        yield "xls", None  # a legacy .xls (possibly renamed): calamine says if it's encrypted
        return
    if not head.startswith(ZIP_MAGICS):
        raise UnsupportedFormatError(p, _not_a_workbook(head, p.suffix.lower()))
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
        # NotImplementedError: a directory entry asks for a zip version Python cannot extract
        raise UnsupportedFormatError(p, _DAMAGED) from exc
    with zf:
        yield _zip_kind(p, zf.infolist()), zf


def _head(p: Path) -> bytes:
    """The first 4096 bytes; missing, folder, empty and unreadable files refused."""
    try:
        if not p.exists():
            raise InputFileError(p, "file not found")
        if p.is_dir():
            raise InputFileError(p, "this is a folder, not a file")
        if p.stat().st_size == 0:
            raise NoUsableDataError(p, "the file is empty (0 bytes)")
        with p.open("rb") as fh:
            return fh.read(4096)
    except PermissionError as exc:
        raise InputFileError(
            p, "permission denied: the file cannot be opened (is it open in another program?)"
        ) from exc
    except OSError as exc:
        if isinstance(exc, InputFileError):
            raise
        raise InputFileError(p, f"the file cannot be opened ({exc.strerror or exc})") from exc


def _has_encrypted_package(p: Path) -> bool:
    """An OLE2 file holding an ``EncryptedPackage`` stream is a password-protected OOXML file."""
    with p.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(_ENCRYPTED_PACKAGE) >= 0


def _not_a_workbook(head: bytes, ext: str) -> str:
    shown = ext or "this file"
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low[:1024]:
        return (
            f"{shown} is not an Excel workbook, it looks like an HTML web page (some websites "
            f"export tables this way); {SAVE_AS}, or download the data as .xlsx or .csv"
        )
    if low.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in low:
        return f"{shown} is an old Excel 2003 XML spreadsheet, which is not supported; {SAVE_AS}"
    if low.startswith(b"<"):
        return f"{shown} is not an Excel workbook, it looks like an XML or HTML file; {SAVE_AS}"
    if head.startswith(b"%PDF"):
        return (
            f"{shown} is not an Excel workbook, it is a PDF document; export the table from the "
            "program that made the PDF as .xlsx or .csv instead"
        )
    if head.startswith(b"{\\rtf"):
        return f"{shown} is not an Excel workbook, it is a Word/RTF document; {SAVE_AS}"
    if _looks_like_text(head):
        return (
            f"{shown} is not an Excel workbook, it looks like a text file (CSV or similar); "
            "rename it to .csv and try again"
        )
    return f"{shown} is not an Excel workbook (its content is not recognised); {SAVE_AS}"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 4096-byte boundary
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    controls = sum(b < 32 and b not in b"\t\r\n\x0c" for b in head)
    return controls <= len(head) // 100


def _zip_kind(p: Path, infos: list[zipfile.ZipInfo]) -> WorkbookKind:
    """The workbook kind a zip's directory shows, after the bomb checks on declared sizes."""
    check_zip_limits(p, infos)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names:
        return "ooxml"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    raise UnsupportedFormatError(p, _zip_not_a_workbook(p.suffix.lower(), names))


def check_zip_limits(p: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip past the bomb limits (parts, unpacked size, ratio), from its directory.

    The in-place writer checks the book it wrote with this too: crmsheet never writes a book
    it would refuse to read.
    """
    if len(infos) > MAX_MEMBERS:
        raise UnsupportedFormatError(
            p, f"the file holds {len(infos):,} parts (more than {MAX_MEMBERS:,}); it is "
            "refused as a safety measure (a normal workbook has a few dozen)"
        )  # fmt: skip
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UnsupportedFormatError(
            p, f"the file would unpack to {total / 1024**3:.1f} GiB (more than "
            f"{MAX_TOTAL_UNCOMPRESSED // 1024**3} GiB); it is refused as a safety measure"
        )  # fmt: skip
    for i in infos:
        if i.file_size > RATIO_MIN_SIZE and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UnsupportedFormatError(
                p, f"the part {i.filename!r} is compressed more than {MAX_RATIO}:1 "
                f"({i.file_size / 1024**2:,.0f} MB from {i.compress_size / 1024**2:,.1f} MB), "
                "which is how zip bombs are made; it is refused as a safety measure"
            )  # fmt: skip


def _zip_not_a_workbook(ext: str, names: set[str]) -> str:
    shown = ext or "this file"
    if "word/document.xml" in names:
        return f"{shown} is not an Excel workbook, it is a Word document"
    if "ppt/presentation.xml" in names:
        return f"{shown} is not an Excel workbook, it is a PowerPoint presentation"
    sheets = sorted(
        n
        for n in names
        if n.lower().endswith((".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".tsv"))
    )
    if sheets:
        listed = ", ".join(sheets[:3]) + (" ..." if len(sheets) > 3 else "")
        return (
            f"{shown} is a zip archive, not an Excel workbook; it contains {listed}: unzip it "
            "and use the spreadsheet inside"
        )
    return f"{shown} is a zip archive, not an Excel workbook; {SAVE_AS}"


# --------------------------------------------------------------------------------------------
# Binary files wearing a text name

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (
        OLE2_MAGIC,
        "it looks like an old-style Excel workbook (.xls), or a password-protected one: "
        "rename it to end in .xls and open it as a workbook, or open it in Excel and save "
        "it as CSV",
    ),
    (
        b"%PDF-",
        "it is a PDF document: export the table as CSV or Excel from the program that made the PDF",
    ),
    (b"\x1f\x8b", "it is a compressed (gzip) file: decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "it is a compressed (7-Zip) archive: extract the CSV from it first"),
    (b"Rar!\x1a\x07", "it is a compressed (RAR) archive: extract the CSV from it first"),
    (b"SQLite format 3\x00", "it is an SQLite database: export the table as CSV first"),
    (b"\x89PNG\r\n\x1a\n", "it is a PNG image: choose the CSV file itself"),
    (b"\xff\xd8\xff", "it is a JPEG image: choose the CSV file itself"),
    (b"GIF87a", "it is a GIF image: choose the CSV file itself"),
    (b"GIF89a", "it is a GIF image: choose the CSV file itself"),
    (b"{\\rtf", "it is a rich-text (RTF) document: save the table as CSV or Excel instead"),
)

#: Share of control characters in the first chars of decoded text that make it binary.
_BINARY_SAMPLE = 1 << 16
_BINARY_CONTROL_SHARE = 0.05
_BINARY_CONTROL_MIN = 8
# C0 controls other than TAB, LF, VT, FF, CR (NUL included), and DEL.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def reject_binary(p: Path, raw: bytes) -> None:
    """Raise UnsupportedFormatError for a text file whose first bytes name another format."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        raise UnsupportedFormatError(p, _not_text(p, _describe_zip(raw)))
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise UnsupportedFormatError(p, _not_text(p, what))
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")):
        raise UnsupportedFormatError(
            p,
            _not_text(
                p,
                "it is a web page (HTML): open it in Excel and save it as CSV or as an Excel "
                "workbook",
            ),
        )
    if head.startswith(b"<?xml"):
        raise UnsupportedFormatError(
            p,
            _not_text(
                p,
                "it is an XML file (perhaps an 'XML Spreadsheet 2003'): open it in Excel and "
                "save it as CSV or as an Excel workbook",
            ),
        )


def _describe_zip(raw: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        names = set()
    if any(n.startswith("xl/") for n in names):
        return "it looks like an Excel workbook: rename it to end in .xlsx"
    if "content.xml" in names:
        return "it looks like an OpenDocument spreadsheet: rename it to end in .ods"
    if any(n.startswith("word/") for n in names):
        return "it is a Word document: save the table as CSV or Excel instead"
    if names or raw.startswith(b"PK\x03\x04"):
        return (
            "it is a zip file (an Excel workbook is one, too): if it is a workbook rename it to "
            "end in .xlsx, otherwise extract the CSV from it first"
        )
    return "it is an empty zip file"  # pragma: no cover - PK\x05\x06 with no members


def reject_binary_text(p: Path, text: str) -> None:
    """Raise UnsupportedFormatError when decoded text is mostly control characters."""
    sample = text[:_BINARY_SAMPLE]
    controls = len(_CONTROL_RE.findall(sample))
    if controls >= _BINARY_CONTROL_MIN and controls >= _BINARY_CONTROL_SHARE * len(sample):
        raise UnsupportedFormatError(
            p,
            _not_text(
                p,
                "it contains binary data. Export it again from the program it came from as "
                "CSV (comma-separated values) or as an Excel workbook",
            ),
        )


def _not_text(p: Path, what: str) -> str:
    return f"{p.name} is not a text CSV file; {what}."
