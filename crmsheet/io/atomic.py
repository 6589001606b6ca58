"""Atomic file replacement: every file crmsheet writes appears whole or not at all.

A writer gets a temporary path beside the destination and fills it; only when it is complete
(and fsynced) does it replace the destination in one rename, so a crash, a full disk or a
SIGKILL leaves the old file or the complete new one, never half of either. Whatever the
operating system refuses (a full disk, a read-only folder, a name too long) becomes one
:class:`~crmsheet.errors.OutputFileError` naming the destination and the cause.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import CrmsheetError, OutputExistsError, OutputFileError
from .paths import NAME_MAX, fit_name, os_cause

__all__ = ["atomic_path", "os_error_in", "write_target"]

#: Bytes mkstemp adds to a temporary name (its random part), with room to spare.
_RANDOM = 12


def write_target(dest: str | Path) -> Path:
    """The file a write to ``dest`` changes: a symlink's target (the link stays a link)."""
    return Path(os.path.realpath(dest))


def os_error_in(exc: BaseException) -> OSError | None:
    """The operating-system error behind ``exc``: itself, its cause, or a wrapped argument.

    XlsxWriter, for one, re-raises a failed write as its own exception holding the OSError.
    """
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and not isinstance(e, CrmsheetError):
            return e
        todo += [e.__cause__, e.__context__]
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
    return None


#: Why an output that is a device, a pipe or a socket is refused (with --force too).
NOT_A_FILE = ("is not an ordinary file (a device, a pipe or a socket), so crmsheet will not "
              "replace it; give the name of a file to write")  # fmt: skip


@contextlib.contextmanager
def atomic_path(
    dest: str | Path,
    *,
    overwrite: bool = True,
    before_replace: Callable[[], None] | None = None,
) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; on success fsync it and replace ``dest`` with it.

    A crash at any point leaves either the old ``dest`` or the complete new one, never a
    half-written file. The temp file is removed on failure. A symlink is written through
    (its target is replaced; the link stays). A folder, or a read-only file, is refused.
    ``before_replace`` runs last, just before the rename: raising there writes nothing.
    """
    shown = Path(dest)
    dest = write_target(dest)
    if dest.is_dir():
        raise OutputFileError(shown, "is a folder; give the name of a file to write")
    if dest.exists() and not dest.is_file():  # replaced by a rename, /dev/null would be gone
        raise OutputFileError(shown, NOT_A_FILE)
    if dest.exists():
        if not overwrite:
            raise OutputExistsError(shown)
        if not dest.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise OutputFileError(
                shown, "is read-only, so crmsheet will not replace it; make it writable "
                "(file properties) or choose another name"
            )  # fmt: skip
    folder = dest.parent
    if not folder.is_dir():
        raise OutputFileError(shown, f"the folder {folder} does not exist")
    suffix = f".tmp{dest.suffix}"[:40]
    prefix = fit_name(f".{dest.stem}", ".", limit=NAME_MAX - _RANDOM - len(suffix.encode()))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    except OSError as exc:
        raise OutputFileError(shown, f"cannot be written: {os_cause(exc)}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); give it the mode a normal new file would have
    # (or the replaced file's), so a shared folder's users can open the output. Applied
    # after writing, so that a mode without write permission cannot stop the writer.
    mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask()
    try:
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
        except CrmsheetError:
            raise
        except Exception as exc:
            cause = os_error_in(exc)
            if cause is None:
                raise
            raise OutputFileError(shown, f"cannot be written: {os_cause(cause)}") from exc
        if before_replace is not None:
            before_replace()
        _replace(tmp, dest, shown)
        with contextlib.suppress(OSError):  # make the rename itself durable
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _replace(tmp: Path, dest: Path, shown: Path) -> None:
    try:
        os.replace(tmp, dest)
    except PermissionError as exc:
        raise OutputFileError(
            shown, "cannot be replaced: it is probably open in Excel or another program, "
            "or the folder is read-only. Close it and run again."
        ) from exc  # fmt: skip
    except OSError as exc:
        raise OutputFileError(shown, f"cannot be replaced: {os_cause(exc)}") from exc


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
