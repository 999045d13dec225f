"""Writers of every process on one SQLite file take turns in the kernel, not in SQLite.

SQLite lets one writer in at a time and makes the others poll: a writer that
finds the file locked sleeps 1, 2, 5, 10 … up to 100 ms between tries, so
two server processes writing at once spent much of their time asleep while
the file was free. Here a writer first takes an exclusive ``flock`` on a file
beside the database (``<database>-write.lock``): a waiting process sleeps in
the kernel and is woken as soon as the holder lets go, and then finds
SQLite's own lock free. SQLite's lock still guards the file; this only
orders the writers that use it (the ledger's), so a tool that writes to the
file without it is merely slower to get in, never wrong.

The wait is bounded like SQLite's own (its lock timeout, 5 s by default):
past it the command is refused as the database being busy (503 in the API),
having written nothing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from ledger.infrastructure.outage import Unavailable

BUSY = "数据库正被其他进程写入,等待超时,本次操作未执行;请稍后用同一 Idempotency-Key 重试"


class WriteLock:
    """An exclusive lock on ``path`` for one write transaction at a time."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._threads = threading.Lock()  # one thread of this process at a time
        self._pid = -1
        self._file: IO[str] | None = None

    @classmethod
    def beside(cls, db_name: str, timeout: float) -> WriteLock | None:
        """The lock of a database file; None for a memory database (one process
        only) or where the platform has no ``flock``."""
        if db_name.startswith("file:") or db_name == ":memory:" or fcntl is None:
            return None
        return cls(f"{db_name}-write.lock", timeout)

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=self.timeout):
            raise Unavailable(BUSY)
        try:
            handle = self._handle()
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle = self._wait()  # another process writes: wait for it, bounded
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                if handle is not self._file:
                    handle.close()
        finally:
            self._threads.release()

    def _handle(self) -> IO[str]:
        # A forked child shares its parent's open file, and with it the lock: a
        # process of its own opens the file anew.
        if self._pid != os.getpid() or self._file is None:
            self._file = open(self.path, "a")  # noqa: SIM115 - kept open for the process
            self._pid = os.getpid()
        return self._file

    def _wait(self) -> IO[str]:
        """The lock taken on a file of its own by a thread that may wait in the
        kernel; given up after ``timeout`` (the thread then lets go as soon as it
        gets it, and the lock it took belongs to its own open file only)."""
        handle = open(self.path, "a")  # noqa: SIM115 - closed by the caller or the waiter
        got = threading.Event()
        state = threading.Lock()
        abandoned = False

        def wait() -> None:
            fcntl.flock(handle, fcntl.LOCK_EX)
            with state:
                if not abandoned:
                    got.set()
                    return
            handle.close()  # closing lets go of the lock

        threading.Thread(target=wait, name="ledger-write-lock", daemon=True).start()
        if got.wait(self.timeout):
            return handle
        with state:
            if got.is_set():
                return handle
            abandoned = True
        raise Unavailable(BUSY)
