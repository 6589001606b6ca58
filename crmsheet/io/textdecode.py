"""Which encoding a text export is in, and its text: explicit, BOM, UTF-16 by NULs, UTF-8, cp1252.

Spreadsheet exports come in Excel's "CSV UTF-8" (with a byte-order mark), its plain "CSV"
(Windows-1252), "Unicode text" (UTF-16) and whatever other programs write. The order tried:
the encoding the user gave, else a byte-order mark, else UTF-16 by its NUL pattern, else
strict UTF-8 (or UTF-8 with a few damaged bytes), else Windows-1252 as Windows decodes it.
Every guess or replacement is reported as a note, never silently.
"""

from __future__ import annotations

import codecs

from ..problems import ProblemCode
from .grid import GridNote

__all__ = ["decode", "utf8_payload"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Windows-1252 as Windows decodes it: the five bytes Python's cp1252 leaves undefined
# (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 control of the same number, as in Latin-1.
_CP1252_FROM_LATIN1 = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _decode_cp1252(raw: bytes) -> str:
    return raw.decode("latin-1").translate(_CP1252_FROM_LATIN1)


def decode(raw: bytes, codec: str | None, notes: list[GridNote]) -> tuple[str, bool]:
    """Decode the file; the flag says ``raw`` is valid UTF-8 that pandas may parse directly.

    ``codec`` is the encoding the user gave (else it is detected); what was guessed or
    replaced is added to ``notes``.
    """
    if codec is not None:
        found = _bom(raw)
        if found is not None and found[0] == codec:
            raw = raw[len(found[1]) :]  # e.g. encoding="utf-8" on a file with a BOM
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            text = raw.decode(codec, errors="replace")
            notes.append(
                GridNote(
                    code=ProblemCode.ENCODING_ERRORS,
                    severity="warning",
                    message=(
                        f"some bytes are not valid {codec} and were replaced by \ufffd: "
                        "check --encoding (leave it out to have the encoding guessed)"
                    ),
                )
            )
        return text.removeprefix("\ufeff"), False

    found = _bom(raw)
    if found is not None:
        name, bom = found
        if name == "utf-8":
            try:
                return raw[len(bom) :].decode("utf-8"), True
            except UnicodeDecodeError:
                pass  # a BOM on a file that is not UTF-8 after all: fall through
        else:
            return _decode_lenient(raw[len(bom) :], name, notes), False

    utf16 = _utf16_by_nul_pattern(raw)
    if utf16 is not None:
        return _decode_lenient(raw, utf16, notes), False

    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    damaged = _mostly_utf8(raw)
    if damaged is not None:
        notes.append(
            GridNote(
                code=ProblemCode.ENCODING_ERRORS,
                severity="warning",
                message=(
                    "the file is UTF-8 text with some damaged characters; they were replaced "
                    "by \ufffd. Check those values, or export the file again."
                ),
            )
        )
        return damaged.removeprefix("\ufeff"), False
    notes.append(
        GridNote(
            code=ProblemCode.ENCODING_GUESS,
            severity="warning",
            message=(
                "the file is not UTF-8, so it was read as Windows-1252 (Western European). "
                "If accented letters or box characters look wrong, give its encoding, e.g. "
                "--encoding cp437 (DOS), --encoding mac_roman or --encoding utf-16 (in Python: "
                "read(..., encoding='cp437')), or save it from Excel as 'CSV UTF-8'."
            ),
        )
    )
    return _decode_cp1252(raw.removeprefix(codecs.BOM_UTF8)), False


def _mostly_utf8(raw: bytes) -> str | None:
    """UTF-8 with a few bad bytes (two exports pasted together...): more good non-ASCII
    characters than bad bytes. Windows-1252 text is almost never valid UTF-8 by accident."""
    text = raw.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - raw.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    good = non_ascii - replaced
    return text if good > 0 and good >= replaced else None


def _bom(raw: bytes) -> tuple[str, bytes] | None:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name, bom
    return None


def _decode_lenient(raw: bytes, codec: str, notes: list[GridNote]) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        notes.append(
            GridNote(
                code=ProblemCode.ENCODING_ERRORS,
                severity="warning",
                message=(
                    f"the file is {codec.upper()} text with some damaged characters; they were "
                    "replaced by \ufffd. Check those values, or export the file again."
                ),
            )
        )
        return raw.decode(codec, errors="replace")


def _utf16_by_nul_pattern(raw: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    head = raw[:4096]
    head = head[: len(head) - len(head) % 2]
    half = len(head) // 2
    if half < 2:
        return None
    even_nul = head[0::2].count(0) / half
    odd_nul = head[1::2].count(0) / half
    if odd_nul >= 0.3 and even_nul <= 0.05:
        return "utf-16-le"
    if even_nul >= 0.3 and odd_nul <= 0.05:
        return "utf-16-be"
    return None


def utf8_payload(raw: bytes) -> bytes:
    """UTF-8 bytes without their byte-order mark."""
    return raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw
