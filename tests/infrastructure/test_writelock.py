"""Writers of several processes on one SQLite file take turns on the file's write lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.infrastructure.outage import Outage, Unavailable, outage_of
from ledger.infrastructure.writelock import WriteLock


@contextmanager
def held_elsewhere(db: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's write lock for ``seconds``."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from ledger.infrastructure.writelock import WriteLock
        with WriteLock.beside({str(db)!r}, 5).held():
            print("held", flush=True)
            time.sleep({seconds})
        print("released", flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held"
    try:
        yield child
    finally:
        child.wait(timeout=30)


def test_a_writer_waits_for_another_process_and_gets_in_when_it_lets_go(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    lock = WriteLock.beside(str(db), 5)
    assert lock is not None
    with held_elsewhere(db, 0.6):
        started = time.monotonic()
        with lock.held():
            waited = time.monotonic() - started
    # It waited for the holder, and was woken when the holder let go (SQLite's own
    # polling would have slept up to 100 ms at a time).
    assert 0.4 < waited < 3.0


def test_a_writer_that_waits_too_long_is_refused_and_the_lock_is_left_free(
    tmp_path: Path,
) -> None:
    db = tmp_path / "ledger.db"
    lock = WriteLock.beside(str(db), 0.2)
    assert lock is not None
    with held_elsewhere(db, 1.0), pytest.raises(Unavailable) as refused, lock.held():
        pytest.fail("got the lock while another process held it")
    assert outage_of(refused.value) is Outage.UNAVAILABLE
    # The waiter it left behind took the lock when the holder let go, and let go too.
    lock.timeout = 5
    started = time.monotonic()
    with lock.held():
        assert time.monotonic() - started < 2.0


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    import threading

    lock = WriteLock.beside(str(tmp_path / "ledger.db"), 5)
    assert lock is not None
    inside, most = 0, 0
    guard = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        for _ in range(50):
            with lock.held():
                with guard:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0005)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1


def test_no_lock_for_a_memory_database() -> None:
    assert WriteLock.beside("file:ledger-x?mode=memory&cache=shared", 5) is None


def test_a_command_refused_for_the_lock_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    app = Ledger(Settings(f"sqlite:///{db}"))
    admin = Actor(id="admin-1", name="李静", role="admin")
    try:
        app.register_unit(admin, name="兴安盟扶贫办", level="prefecture")
        before = app.recorder.max_notification_id()
        app.recorder.datastore.write_lock.timeout = 0.2
        with held_elsewhere(db, 1.0), pytest.raises(Exception) as refused:
            app.register_unit(admin, name="阿尔山市", level="county")
        assert outage_of(refused.value) is Outage.UNAVAILABLE
        assert app.recorder.max_notification_id() == before
        app.recorder.datastore.write_lock.timeout = 5
        app.register_unit(admin, name="阿尔山市", level="county")
        assert app.recorder.max_notification_id() == before + 1
    finally:
        app.close()
