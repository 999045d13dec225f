"""The audit index kept behind the log: commands do not write it, every audit query
catches it up first, exactly once, from any number of threads, ledgers or
processes on one database; a database that refuses writes still gets every change."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.projections import behind
from ledger.projections.auditing import AuditLog, Filter
from ledger.projections.behind import Lagging
from tests.conftest import database_url

WORKER = Actor(id="unit-9", name="赵敏", role="inspection_office")


def stored_rows(ledger: Ledger) -> list[tuple[Any, ...]]:
    """The index's rows as stored, without catching up."""
    audit = ledger.projector.find("audit").tables[0]
    with ledger.projector.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(audit).order_by(audit.c.position))]


def audit_position(ledger: Ledger) -> int:
    return int(next(p.position for p in ledger.projector.status() if p.name == "audit"))


def some_findings(ledger: Ledger, office: Actor, n: int) -> list[Any]:
    inspection = ledger.open_inspection(
        office, kind="tour", title="县委巡察组", inspecting_body="巡察办", inspected_body="某局"
    ).id
    return [
        ledger.record_finding(office, inspection, category=["教育"], number=f"{i}", text="问题").id
        for i in range(n)
    ]


def log_positions(ledger: Ledger) -> list[int]:
    """Every event's log position (PostgreSQL's may have gaps: a refused insert burns one)."""
    recorder: Any = ledger.recorder
    return [n.id for n in recorder.select_notifications(start=1, limit=100_000)]


def every_position(ledger: Ledger) -> list[int]:
    items = AuditLog(ledger.projector).changes(Filter(), limit=1000).items
    return [i["position"] for i in items]


def test_a_command_writes_no_audit_row_and_the_next_query_lists_it(
    ledger: Ledger, office: Actor
) -> None:
    fid = some_findings(ledger, office, 1)[0]
    head = ledger.recorder.max_notification_id() or 0
    assert stored_rows(ledger) == [] and audit_position(ledger) == 0
    lag = {p.name: p.lag for p in ledger.projector.status()}
    assert lag["audit"] == head and lag["findings"] == 0  # the others stay inline
    log = AuditLog(ledger.projector)
    mine = log.changes(Filter(record_id=str(fid))).items
    assert [(i["version"], i["kind"]) for i in mine] == [(1, "Finding.Recorded")]
    assert audit_position(ledger) == head and len(stored_rows(ledger)) == head
    # A query right after the next command sees it too.
    ledger.report_progress(WORKER, fid, narrative="进展")
    assert [i["version"] for i in log.changes(Filter(record_id=str(fid))).items] == [1, 2]
    assert log.changes(Filter(actor_id=WORKER.id)).items[0]["kind"] == "Finding.ProgressReported"
    assert "Finding.ProgressReported" in log.kinds()
    # What the catch-up wrote is what a rebuild writes, row for row.
    caught_up = stored_rows(ledger)
    ledger.projector.rebuild("audit")
    assert stored_rows(ledger) == caught_up
    assert all(p.lag == 0 for p in ledger.projector.status())


def test_a_long_lag_is_caught_up_in_several_transactions(
    ledger: Ledger, office: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(behind, "CHUNK", 3)
    some_findings(ledger, office, 8)
    head = ledger.recorder.max_notification_id() or 0
    assert ledger.projector.catch_up() == head
    assert [r[0] for r in stored_rows(ledger)] == list(range(1, head + 1))
    assert ledger.projector.catch_up() == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])  # it writes beside a thread
def test_a_follower_catches_up_when_the_log_stands_still_or_the_lag_is_long(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest, office: Actor
) -> None:
    ledger = Ledger(Settings(database_url(backend, tmp_path, request)))
    request.addfinalizer(ledger.close)

    def reaches(position: int) -> bool:
        deadline = time.monotonic() + 20
        while audit_position(ledger) < position and time.monotonic() < deadline:
            time.sleep(0.02)
        return audit_position(ledger) == position

    # Long lag: caught up while the log keeps moving. A command every few ms and a
    # look every 50 ms: the log never stands still between two looks, so only the
    # threshold can start a catch-up.
    follower = behind.Follower(ledger.projector.behind, every=0.05, lag=10).start()
    try:
        inspection = ledger.open_inspection(
            office, kind="tour", title="县委巡察组", inspecting_body="巡察办", inspected_body="某局"
        ).id
        deadline, n = time.monotonic() + 20, 0
        while audit_position(ledger) == 0 and time.monotonic() < deadline:
            n += 1
            ledger.record_finding(office, inspection, category=["教育"], number=f"{n}", text="问题")
        assert audit_position(ledger) >= 10  # caught up past the threshold, under writes
    finally:
        follower.close()
    assert not follower._thread.is_alive()
    # Idle: a short lag is caught up once the log has stood still for a look.
    some_findings(ledger, office, 1)
    head = ledger.recorder.max_notification_id() or 0
    follower = behind.Follower(ledger.projector.behind, every=0.05, lag=10**9).start()
    try:
        assert reaches(head)
    finally:
        follower.close()
    assert [r[0] for r in stored_rows(ledger)] == list(range(1, head + 1))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_ledgers_on_one_database_each_see_the_others_commands_at_once(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest, office: Actor
) -> None:
    url = database_url(backend, tmp_path, request)
    one, two = Ledger(Settings(url)), Ledger(Settings(url))
    try:
        fid = some_findings(one, office, 1)[0]
        for turn in range(6):
            writer, reader = (one, two) if turn % 2 else (two, one)
            writer.report_progress(WORKER, fid, narrative=f"进展{turn}")
            seen = AuditLog(reader.projector).changes(Filter(record_id=str(fid))).items
            assert [i["version"] for i in seen] == list(range(1, turn + 3))
        assert stored_rows(one) == stored_rows(two)
    finally:
        one.close()
        two.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_catch_ups_from_two_ledgers_apply_every_event_exactly_once(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest, office: Actor
) -> None:
    url = database_url(backend, tmp_path, request)
    one, two = Ledger(Settings(url)), Ledger(Settings(url))
    failures: list[BaseException] = []
    fids = some_findings(one, office, 4)

    def write(app: Ledger, n: int) -> None:
        try:
            for i in range(25):
                app.report_progress(WORKER, fids[(n + i) % 4], narrative=f"{n}-{i}")
                if i % 5 == 0:
                    app.projector.catch_up()  # raises if a row were applied twice
        except BaseException as error:
            failures.append(error)

    def read(app: Ledger) -> None:
        try:
            for _ in range(40):
                app.projector.catch_up()
                AuditLog(app.projector).changes(Filter(actor_id=WORKER.id), limit=5)
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=write, args=(one, 0)),
        threading.Thread(target=write, args=(two, 1)),
        threading.Thread(target=read, args=(one,)),
        threading.Thread(target=read, args=(two,)),
        threading.Thread(target=read, args=(two,)),
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        assert every_position(two) == log_positions(one)
        caught_up = stored_rows(one)
        one.projector.rebuild("audit")
        assert stored_rows(two) == caught_up
    finally:
        one.close()
        two.close()


CHILD = """
import sys
from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.values import Actor
from ledger.projections.auditing import AuditLog, Filter
from uuid import UUID
app = Ledger(Settings(sys.argv[1]))
worker = Actor(id="unit-child", name="钱进", role="inspection_office")
fid = UUID(sys.argv[2])
for i in range(30):
    app.report_progress(worker, fid, narrative=f"子进程{i}")
    seen = AuditLog(app.projector).changes(Filter(record_id=str(fid)), limit=1000).items
    assert seen[-1]["version"] == app.repository.get(fid).version, seen[-1]
app.close()
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_processes_writing_and_reading_the_audit_index_see_every_event_once(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest, office: Actor
) -> None:
    url = database_url(backend, tmp_path, request)
    app = Ledger(Settings(url))
    try:
        mine, theirs = some_findings(app, office, 2)
        child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(theirs)])
        log = AuditLog(app.projector)
        for i in range(30):
            app.report_progress(WORKER, mine, narrative=f"父进程{i}")
            seen = log.changes(Filter(record_id=str(mine)), limit=1000).items
            assert seen[-1]["version"] == i + 2
        assert child.wait(timeout=120) == 0
        assert every_position(app) == log_positions(app)
        theirs_seen = log.changes(Filter(actor_id="unit-child"), limit=1000).items
        assert len(theirs_seen) == 30
        caught_up = stored_rows(app)
        app.projector.rebuild("audit")
        assert stored_rows(app) == caught_up
    finally:
        app.close()


def filters(fid: Any, unit: Any) -> list[Filter]:
    return [
        Filter(),
        Filter(record_id=str(fid)),
        Filter(record_id=str(fid).upper()),
        Filter(actor_id=WORKER.id),
        Filter(unit_id=str(unit)),
        Filter(kind="Finding.DeadlineExtended"),
        Filter(late=True),
        Filter(late=False),
        Filter(kind="Finding.ProgressReported", actor_id="nobody"),
    ]


def test_sqlite_opened_read_only_answers_with_the_events_not_yet_applied(
    tmp_path: Any, office: Actor, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"{tmp_path}/ledger.db"
    app = Ledger(Settings(f"sqlite:///{path}"))
    unit = app.register_unit(admin, name="县教育局", level="county").id
    fid = some_findings(app, office, 1)[0]
    app.assign(office, fid, units=[unit], lead_department=unit)
    AuditLog(app.projector).changes(Filter())  # caught up to here …
    stood = audit_position(app)
    unit_worker = Actor(id="unit-1", name="王芳", role="responsible_unit", unit=unit)
    app.set_deadline(office, fid, deadline="2018-12-31")
    for n in range(3):  # … and these are not applied yet
        app.report_progress(unit_worker if n % 2 else WORKER, fid, narrative=f"进展{n}")
    app.extend_deadline(
        office,
        fid,
        new_deadline="2019-06-30",
        approver="县长",
        ctx=CommandContext(reason="工作量大"),
    )
    read_only = Ledger(Settings(f"sqlite:///file:{path}?mode=ro"))
    try:
        head = app.recorder.max_notification_id() or 0
        assert audit_position(read_only) == stood < head
        pages = {}
        for f in filters(fid, unit):
            whole = AuditLog(read_only.projector).changes(f, limit=1000).items
            paged, after = [], None
            while True:  # two at a time: pages cross from the index to the events
                page = AuditLog(read_only.projector).changes(f, after, limit=2)
                paged += page.items
                if page.next is None:
                    break
                after = page.next
            assert paged == whole
            pages[f] = whole
        assert audit_position(read_only) == stood  # nothing was written
        assert [i["position"] for i in pages[Filter()]] == list(range(1, head + 1))
        assert pages[Filter(record_id=str(fid).upper())] == []
        assert len(pages[Filter(kind="Finding.DeadlineExtended")]) == 1
        # The writable ledger, caught up, gives the same pages.
        for f, items in pages.items():
            assert AuditLog(app.projector).changes(f, limit=1000).items == items, f
        assert sorted(AuditLog(read_only.projector).kinds()) == sorted(
            AuditLog(app.projector).kinds()
        )
        # Too far behind to fold in memory: a clear refusal (503 in the API), not a 500.
        monkeypatch.setattr(behind, "MAX_PENDING", 0)
        app.report_progress(WORKER, fid, narrative="又一次")
        with pytest.raises(Lagging, match="ledger projections rebuild"):
            AuditLog(read_only.projector).changes(Filter())
    finally:
        read_only.close()
        app.close()
