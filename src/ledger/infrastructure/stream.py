"""One large SQLite transaction written by a second process while the first still decides.

A large import decides every command, then writes every event in one
transaction; on one core the two take turns. Here the deciding process hands
the events it has decided so far (already mapped to stored events) to a
writer process, which inserts them into a transaction it keeps open, with
their integrity rows and read models, as the deciding goes on. The writer
commits only when told to, with the batch's idempotency keys and its last
events; if the deciding process refuses the import, fails, or goes away, the
writer rolls everything back. All or nothing, as before: no other connection
sees any of it until the commit.

The transaction holds the database's write lock from the first part written
to the commit, as the single write of a batch does for its own duration.
Only for a SQLite file (another process cannot open a memory database).

Frames on the writer's stdin and stdout: a 4-byte big-endian length, then a
pickle. In: ``("events", rows)`` any number of times, then ``("commit", rows,
keys)``; end of input without a commit rolls back. Out: ``("ok", count)`` after
the commit, or ``("error", exception)`` as soon as anything fails.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import sqlite3
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any, NoReturn
from uuid import UUID

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.infrastructure.idempotency import Idempotency

Row = tuple[str, int, str, bytes]  # (record id as hex, version, topic, state)
_LENGTH = struct.Struct(">I")
# Seconds to wait for the writer to end after it was told to roll back.
ABANDON_TIMEOUT = 30.0


class WriterFailed(RuntimeError):
    """The writer process stopped without saying why (killed, or crashed)."""


class StreamWriter:
    """The deciding process's end: starts the writer, feeds it, commits or abandons.

    Parts go to the writer through a thread of their own, queued without bound:
    the deciding thread never waits for the writer (on a busy machine the two
    processes are not always running at once, and a pipe holds only one part or
    so). The thread spends its time in ``write``, without the interpreter lock.
    """

    def __init__(self, database_url: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ledger.infrastructure.stream", database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        _widen(self._process.stdin)
        self.sent = 0  # events handed over so far
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._broken = False  # the writer stopped reading: it has said why, or died
        self._sender = threading.Thread(target=self._send_all, name="ledger-stream", daemon=True)
        self._sender.start()

    def send(self, events: Sequence[StoredEvent]) -> None:
        """Hand over stored events, in the order they are to be written; raises what the
        writer raised if it has already stopped."""
        if self._broken:
            self._failed()
        if events:
            self._queue.put(_frame(("events", _rows(events))))
            self.sent += len(events)

    def commit(self, events: Sequence[StoredEvent], keys: list[Idempotency]) -> None:
        """Hand over the last events and the keys, and wait for the commit; raises what
        the writer raised (a key or version taken meanwhile: ``IntegrityError``)."""
        self._queue.put(_frame(("commit", _rows(events), [tuple(k) for k in keys])))
        self._queue.put(None)  # then the sender closes the writer's input
        self._sender.join()
        answer = self._answer()
        self._process.wait()
        if answer is None or answer[0] == "error":
            self._failed(answer)

    def abandon(self) -> None:
        """Roll back whatever was handed over: the writer sees its input end and rolls
        back; it is waited for, so that its lock is gone when this returns. Does
        nothing once the writer has ended (committed or not)."""
        if self._sender.is_alive():
            self._broken = True  # the sender drops what is still queued
            self._queue.put(None)
            self._sender.join()
        try:
            self._process.wait(ABANDON_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()  # a transaction never committed is rolled back
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def _send_all(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (data := self._queue.get()) is not None:
                if not self._broken:
                    stdin.write(data)
                    stdin.flush()
        except (BrokenPipeError, ValueError):  # the writer stopped reading
            self._broken = True
            while self._queue.get() is not None:  # until the end is put
                pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()

    def _failed(self, answer: Any = None) -> NoReturn:
        """Raise what the writer said, or that it died, once it has ended."""
        stdout = self._process.stdout
        if answer is None and stdout is not None and not stdout.closed:
            answer = self._answer()  # it has stopped reading: it is saying why, or gone
        self.abandon()
        if answer is not None and answer[0] == "error":
            raise answer[1]
        raise WriterFailed(f"写入进程异常退出(退出码 {self._process.returncode}),未写入任何内容")

    def _answer(self) -> Any:
        assert self._process.stdout is not None
        return _read(self._process.stdout)


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def _widen(pipe: IO[bytes] | None) -> None:
    """A pipe buffer of 1 MB where Linux allows it (a part is a few hundred kB): the
    sender writes a part at once instead of in 64 kB turns with the writer."""
    if pipe is not None and fcntl is not None and hasattr(fcntl, "F_SETPIPE_SZ"):
        # Above the system's limit the call fails: the default is only slower.
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


def _rows(events: Sequence[StoredEvent]) -> list[Row]:
    # Ids as hex: a UUID object pickles as a class and a dict, several times the cost.
    return [(_hex(e.originator_id), e.originator_version, e.topic, e.state) for e in events]


def _hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex


def _stored(rows: list[Row]) -> list[StoredEvent]:
    return [StoredEvent(UUID(hex=i), v, t, s) for i, v, t, s in rows]


def _read(source: IO[bytes]) -> Any:
    """The next frame, or None at the end of input."""
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = source.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def _write(source: IO[bytes], recorder: Any) -> int:
    """Read frames into one transaction; the count written once committed. Raises
    ``_Abandoned`` (rolling back) at the end of input without a commit. The
    transaction begins with the first frame: the writer is started before the
    file is read, and must not hold the write lock meanwhile."""
    message = _read(source)
    if message is None:
        raise _Abandoned
    written = 0
    with recorder.streamed() as insert:
        while True:
            kind, rows, *rest = message
            events = _stored(rows)
            written += len(events)
            if kind != "events":
                insert(events, [Idempotency(*k) for k in rest[0]])
                return written
            insert(events, [])
            message = _read(source)
            if message is None:
                raise _Abandoned


def _portable(error: Exception) -> Exception:
    """The error to raise in the deciding process: a conflict as the library's
    ``IntegrityError`` (the application maps it), else itself if it survives
    pickling, else ``WriterFailed`` with its text."""
    if isinstance(error, IntegrityError | sqlite3.IntegrityError):
        return IntegrityError(str(error))
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return WriterFailed(f"写入失败,未写入任何内容:{error!r}")
    return error


class _Abandoned(Exception):
    """The deciding process ended its input without a commit."""


def main() -> int:
    """The writer process: ``python -m ledger.infrastructure.stream <database url>``."""
    from ledger.application.ledger import Ledger
    from ledger.config import Settings
    from ledger.infrastructure import collector

    out = sys.stdout.buffer
    source = sys.stdin.buffer
    app = None
    try:
        app = Ledger(Settings(sys.argv[1]))
        with collector.paused():
            written = _write(source, app.recorder)
        answer: Any = ("ok", written)
    except _Abandoned:
        return 0
    except KeyboardInterrupt:  # the terminal's Ctrl-C reaches both processes: rolled back
        return 1
    except Exception as error:  # handed to the deciding process, which raises it
        answer = ("error", _portable(error))
    finally:
        if app is not None:
            app.close()
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        out.write(_LENGTH.pack(len(data)) + data)
        out.flush()
    except BrokenPipeError:  # the deciding process has gone: nothing to tell
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
