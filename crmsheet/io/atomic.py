"""Atomic file replacement: every file crmsheet writes appears whole or not at all.

A writer gets a temporary path beside the destination and fills it; only when it is complete
(and fsynced) does it replace the destination in one rename, so a crash, a full disk or a
SIGKILL leaves the old file or the complete new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputFileError

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(dest: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; on success fsync it and replace ``dest`` with it.

    A crash at any point leaves either the old ``dest`` or the complete new one, never a
    half-written file. The temp file is removed on failure.
    """
    dest = Path(dest)
    if dest.exists() and not overwrite:
        raise OutputFileError(dest, "already exists; use --force to replace it")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise OutputFileError(dest, f"the folder {folder} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=f".tmp{dest.suffix}",
                                    dir=folder)  # fmt: skip
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); give it the mode a normal new file would have
    # (or the replaced file's), so a shared folder's users can open the output
    mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask()
    os.chmod(tmp, mode)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, dest)
        except PermissionError as exc:
            raise OutputFileError(
                dest, "cannot be replaced: it is probably open in Excel or another program. "
                "Close it and run again."
            ) from exc  # fmt: skip
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
