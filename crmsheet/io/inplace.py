"""The safety around writing into the user's own book (``enrich --in-place``).

- :func:`book_lock`: one crmsheet run at a time per book. A lock file beside the book,
  ``.BOOK.crmsheet-lock``, is held (``fcntl.flock``) for the whole run and removed at the end.
  The operating system releases the lock when a process dies, so a lock file left behind by
  a killed run is stale by construction: the next run takes it over. Without ``fcntl``
  (Windows) the file is created exclusively instead, and one left behind by a killed run
  must be deleted by hand (the message says so).
- :class:`BookState`: what the book was when it was read (size, ``mtime_ns``, inode and a
  SHA-256 of its bytes, which are kept). :func:`refuse_if_changed` compares the book on disk
  with it right before the replace, so a save by another program meanwhile is never
  overwritten (the run is refused; nothing is written).
- :func:`write_backup`: the backup is written from the bytes that were read, atomically
  (a disk filling up leaves no truncated backup), never copied from the file as it is now.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import OutputExistsError, OutputFileError
from .atomic import atomic_path, write_target
from .paths import fit_name, os_cause

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["BUSY", "BookState", "backup_path", "book_lock", "lock_path", "read_state",
           "refuse_if_changed", "write_backup"]  # fmt: skip

#: Books this process holds the lock of (so that a nested lock of the same book is a no-op).
_HELD: set[Path] = set()


@dataclass(frozen=True, eq=False)
class BookState:
    """The book's identity when it was read, and the bytes read."""

    path: Path
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    raw: bytes
    mode: int

    @property
    def stamp(self) -> tuple[int, int, int]:
        return self.size, self.mtime_ns, self.inode


def read_state(path: Path) -> BookState:
    """Read the book's bytes and identity (the stat taken before and after must agree)."""
    for _ in range(3):
        before = os.stat(path)
        raw = path.read_bytes()
        after = os.stat(path)
        if _stamp(before) == _stamp(after) and after.st_size == len(raw):
            return BookState(path, after.st_size, after.st_mtime_ns, after.st_ino,
                             hashlib.sha256(raw).hexdigest(), raw, after.st_mode)  # fmt: skip
        time.sleep(0.05)
    raise OutputFileError(path, BUSY)


BUSY = ("is being changed by another program while crmsheet reads it; nothing was written: "
         "close it in the other program (save first) and run again")  # fmt: skip


CHANGED = ("changed on disk since crmsheet read it (saved by another program meanwhile?); "
           "nothing was written: run again to enrich the book as it is now")  # fmt: skip


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ino


def refuse_if_changed(state: BookState) -> None:
    """Raise :class:`OutputFileError` if the book on disk is not the one that was read.

    Size, ``mtime_ns`` and inode first (free); then the bytes' SHA-256, always: hashing a
    workbook costs milliseconds next to the run, and catches a save within one mtime tick.
    """
    try:
        if _stamp(os.stat(state.path)) != state.stamp:
            raise OutputFileError(state.path, CHANGED)
        digest = hashlib.sha256(state.path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise OutputFileError(state.path, CHANGED) from None
    if digest != state.sha256:
        raise OutputFileError(state.path, CHANGED)


def backup_path(book: Path, now: datetime) -> Path:
    """``BOOK.backup-YYYYMMDD-HHMMSS.xlsx`` beside the book (a free name, at most 255 bytes)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = book.with_name(fit_name(book.stem, f".backup-{stamp}{book.suffix}"))
    n = 2
    while candidate.exists():
        candidate = book.with_name(fit_name(book.stem, f".backup-{stamp}-{n}{book.suffix}"))
        n += 1
    return candidate


def write_backup(state: BookState, now: datetime) -> Path:
    """Write the bytes read to a backup beside the book, atomically; keep mode and times."""
    copy = backup_path(state.path, now)
    try:
        with atomic_path(copy, overwrite=False) as tmp:
            tmp.write_bytes(state.raw)
        os.chmod(copy, state.mode & 0o777)
        os.utime(copy, ns=(state.mtime_ns, state.mtime_ns))
    except OutputFileError as exc:  # a name free a moment ago is taken: say so, not --force
        why = "a file of that name appeared meanwhile" if isinstance(
            exc, OutputExistsError) else exc.message  # fmt: skip
        raise OutputFileError(copy, f"the backup cannot be written ({why}); nothing "
                              "was changed; use --no-backup to skip it") from exc  # fmt: skip
    return copy


def lock_path(book: Path) -> Path:
    """``.BOOK.crmsheet-lock`` beside the book (the name shortened to fit if need be)."""
    return book.with_name(fit_name(f".{book.name}", ".crmsheet-lock"))


@contextlib.contextmanager
def book_lock(book: str | Path) -> Iterator[Path]:
    """Hold the lock of ``book`` (its symlink target) for the block; refuse if another run does.

    Yields the book's real path. Re-entrant within one process.
    """
    target = write_target(book)
    if target in _HELD:
        yield target
        return
    lock = lock_path(target)
    fd = _take(lock, Path(book))
    _HELD.add(target)
    try:
        yield target
    finally:
        _HELD.discard(target)
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def _owner() -> bytes:
    return f"crmsheet pid {os.getpid()} on {socket.gethostname()} since {time.ctime()}\n".encode()


def _take(lock: Path, shown: Path) -> int:
    """Create or take over ``lock``; its file descriptor, locked."""
    busy = (f"another crmsheet run is writing into this book (lock file {lock}); wait for it "
            "to finish and run again")  # fmt: skip
    for _ in range(20):
        try:
            if fcntl is None:  # pragma: no cover - Windows
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            else:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except FileExistsError:  # pragma: no cover - Windows
            raise OutputFileError(shown, busy + "; if none is, delete the lock file") from None
        except OSError as exc:
            raise OutputFileError(shown, f"cannot be written into: {os_cause(exc)}") from exc
        if fcntl is None:  # pragma: no cover - Windows
            os.write(fd, _owner())
            return fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputFileError(shown, busy) from None
        try:  # the file we locked must still be the lock file (not one unlinked meanwhile)
            current = os.stat(lock).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            os.ftruncate(fd, 0)
            os.write(fd, _owner())
            return fd
        os.close(fd)
    raise OutputFileError(shown, busy)  # pragma: no cover - lost the race 20 times
