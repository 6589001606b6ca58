"""Output paths: never one of the run's inputs, and names the file system can hold.

Every command checks its outputs here before any work (:func:`refuse_overwriting_inputs`),
so a problem report, an enriched workbook or a template can never land on a file the same
run reads, whatever the option that named it and however the path is spelt: two paths are
the same file when they resolve to the same place (symlinks followed) or, for files that
exist, when the operating system says so (:func:`os.path.samefile`: hard links, and other
spellings of one name on a case-insensitive file system).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputFileError

__all__ = ["NAME_MAX", "fit_name", "os_cause", "refuse_overwriting_inputs", "same_file"]

#: The longest file name (in bytes, one path component) most file systems allow.
NAME_MAX = 255


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether ``a`` and ``b`` name one file (links followed; hard links; case twins)."""
    a, b = Path(a), Path(b)
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting_inputs(
    outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]
) -> None:
    """Raise :class:`OutputFileError` if any output is the same file as any input.

    ``None`` entries (an option not given) are ignored. Called before any work is done.
    """
    sources = [Path(p) for p in inputs if p is not None]
    for out in outputs:
        if out is None:
            continue
        for source in sources:
            if same_file(out, source):
                shown = "" if str(source) == str(out) else f" ({source})"
                raise OutputFileError(
                    out, f"is one of the inputs{shown}; crmsheet never writes over its input: "
                    "choose another output name"
                )  # fmt: skip


def fit_name(stem: str, tail: str, *, limit: int = NAME_MAX) -> str:
    """``stem + tail``, the stem shortened so the name fits ``limit`` bytes (UTF-8)."""
    room = limit - len(tail.encode("utf-8"))
    encoded = stem.encode("utf-8")
    if len(encoded) <= room:
        return stem + tail
    return encoded[: max(room, 1)].decode("utf-8", errors="ignore") + tail


#: What an operating-system error means for a file being written, in a shop owner's words.
_CAUSES = {
    getattr(errno, "EDQUOT", errno.ENOSPC): "the disk quota is used up; free some space",
    errno.ENOSPC: "the disk is full; free some space and run again",
    errno.EFBIG: "the file would be larger than this disk or a size limit allows",
    errno.EROFS: "the disk or folder is read-only; choose a folder you can write to",
    errno.EACCES: "permission denied; choose a folder you can write to, or check the "
    "file's and folder's permissions",
    errno.EPERM: "permission denied; choose a folder you can write to, or check the "
    "file's and folder's permissions",
    errno.ENAMETOOLONG: "the file name is too long for this file system; choose a shorter one",
    errno.EISDIR: "is a folder; give the name of a file to write",
    errno.ENOENT: "its folder does not exist",
}


def os_cause(exc: OSError) -> str:
    """The cause of an operating-system error, as a plain sentence (errno, else its text)."""
    if exc.errno in _CAUSES:
        return _CAUSES[exc.errno]
    return exc.strerror or str(exc) or type(exc).__name__
