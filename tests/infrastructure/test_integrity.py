"""The integrity log, through the real application on every back end.

Each stored event has one integrity row, written in the same transaction: a
dense sequence number in notification order, the canonical entry (header
line + the stored state bytes verbatim) and its RFC 9162 leaf hash. Nothing
that fails leaves a trace: no event, no integrity row, no idempotency key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from psycopg import sql
from psycopg.rows import tuple_row

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import (
    DomainError,
    IdempotencyConflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from ledger.domain.values import Actor
from ledger.infrastructure.postgres import LedgerPostgresRecorder
from tests.conftest import database_url

Rows = list[tuple[Any, ...]]


# --- looking into the database ---------------------------------------------------------


def query(app: Ledger, text: str, params: tuple[Any, ...] = ()) -> Rows:
    """Run SQL on the application's own database and commit.

    ``{schema}`` prefixes the ledger's tables (the PostgreSQL schema, nothing on
    SQLite); ``?`` marks parameters on both back ends.
    """
    recorder = app.recorder
    if isinstance(recorder, LedgerPostgresRecorder):
        schema = sql.SQL("{}.").format(sql.Identifier(recorder.datastore.schema))
        statement = sql.SQL(text.replace("?", "%s")).format(schema=schema)
        with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as c:
            c.execute(statement, params)
            return c.fetchall() if c.description else []
    with recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        c.execute(text.format(schema=""), params)
        return [tuple(row) for row in c.fetchall()]


def db_id(app: Ledger, originator_id: UUID) -> Any:
    """An originator id as the back end stores it (SQLite: hex text)."""
    return originator_id if app.settings.is_postgres else originator_id.hex


def as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def stored(app: Ledger) -> tuple[Rows, Rows, Rows]:
    """Everything a command may write: events, integrity rows, idempotency keys."""
    return (
        query(
            app,
            "SELECT originator_id, originator_version, topic, state "
            "FROM {schema}ledger_events ORDER BY originator_id, originator_version",
        ),
        query(app, "SELECT * FROM {schema}ledger_integrity ORDER BY seq"),
        query(app, "SELECT key, fingerprint, receipt FROM {schema}ledger_idempotency ORDER BY key"),
    )


def assert_unchanged(app: Ledger, before: tuple[Rows, Rows, Rows]) -> None:
    """Nothing was written: counts first (a readable failure), then every byte."""
    after = stored(app)
    counts = {"events": 0, "integrity rows": 1, "idempotency keys": 2}
    assert {k: len(after[i]) for k, i in counts.items()} == {
        k: len(before[i]) for k, i in counts.items()
    }
    assert after == before


def integrity_log(app: Ledger) -> Rows:
    """(seq, originator id, version, leaf hash, entry), in sequence order.

    The table holds seq, leaf hash and entry; the event's identity is read
    from the entry's header line.
    """
    rows = query(app, "SELECT seq, leaf_hash, entry FROM {schema}ledger_integrity ORDER BY seq")
    result = []
    for seq, leaf, entry in rows:
        header = json.loads(bytes(entry).split(b"\n", 1)[0])
        identity = (UUID(header["originator_id"]), header["originator_version"])
        result.append((seq, *identity, bytes(leaf), bytes(entry)))
    return result


def notifications(app: Ledger) -> list[Any]:
    return list(app.recorder.select_notifications(start=None, limit=1_000_000))


def assert_log_matches_events(app: Ledger) -> None:
    """One row per event; seq dense 1..N and in notification order."""
    events = notifications(app)
    log = integrity_log(app)
    assert [row[0] for row in log] == list(range(1, len(events) + 1))
    assert [(row[1], row[2]) for row in log] == [
        (n.originator_id, n.originator_version) for n in events
    ]


# --- a small ledger ----------------------------------------------------------------------


def populate(app: Ledger, office: Actor) -> dict[str, UUID]:
    """A unit, an inspection and a finding with progress: nine events, three aggregates."""
    unit = app.register_unit(office, name="陇川县扶贫办", level="county").id
    app.rename_unit(office, unit, name="陇川县乡村振兴局")
    inspection = app.open_inspection(
        office,
        kind="assessment",
        title="省对德宏州2017年党委和政府扶贫开发工作成效考核",
        inspecting_body="云南省扶贫开发领导小组",
        inspected_body="陇川县",
    ).id
    app.deliver_feedback(
        office, inspection, feedback_date="2018-04-20", document_no="云开组〔2018〕37号"
    )
    finding = app.record_finding(
        office,
        inspection,
        category=["精准识别"],
        number="一、1",
        text="贫困人口识别不精准\n漏评 3 户",
        deadline="2018-06-10",
    ).id
    app.assign(office, finding, responsible_leader="副县长", units=[unit])
    app.report_progress(
        office,
        finding,
        narrative="第一行\n第二行",
        figures=[{"name": "资金", "value": "3621900.00", "unit": "元"}],
        evidence=[{"title": "整改报告", "document_no": "陇扶办〔2018〕12号"}],
    )
    app.record_headcount(office, unit, year=2018, headcount=42)
    app.rename_unit(office, unit, name="陇川县乡村振兴局(新)")
    return {"unit": unit, "inspection": inspection, "finding": finding}


@pytest.fixture
def ids(ledger: Ledger, office: Actor) -> dict[str, UUID]:
    return populate(ledger, office)


# --- what every stored event gets ----------------------------------------------------


def test_every_stored_event_has_exactly_one_integrity_row(
    ledger: Ledger, ids: dict[str, UUID]
) -> None:
    events = {(n.originator_id, n.originator_version) for n in notifications(ledger)}
    log = [(row[1], row[2]) for row in integrity_log(ledger)]
    assert len(events) == 9
    assert len(log) == len(set(log)) == len(events)
    assert set(log) == events


def test_integrity_sequence_is_dense_and_in_notification_order(
    ledger: Ledger, ids: dict[str, UUID]
) -> None:
    assert_log_matches_events(ledger)


def test_leaf_hash_is_sha256_of_a_zero_byte_and_the_entry(
    ledger: Ledger, ids: dict[str, UUID]
) -> None:
    for _, _, _, leaf, entry in integrity_log(ledger):
        assert leaf == hashlib.sha256(b"\x00" + entry).digest()
        assert len(leaf) == 32


def test_entry_is_a_header_line_then_the_exact_stored_state_bytes(
    ledger: Ledger, ids: dict[str, UUID]
) -> None:
    states = {
        (e.originator_id, e.originator_version): (e.topic, e.state)
        for record in ids.values()
        for e in ledger.recorder.select_events(record)
    }
    log = integrity_log(ledger)
    assert len(states) == len(log)
    for _, originator_id, version, _, entry in log:
        header, state = entry.split(b"\n", 1)
        topic, stored_state = states[(originator_id, version)]
        assert state == stored_state
        assert header == orjson.dumps(
            {"originator_id": str(originator_id), "originator_version": version, "topic": topic}
        )


def test_a_newline_in_the_event_text_does_not_split_the_entry_early(
    ledger: Ledger, ids: dict[str, UUID]
) -> None:
    # The finding's text and narrative contain newlines; JSON escapes them.
    for _, _, _, _, entry in integrity_log(ledger):
        assert entry.count(b"\n") == 1


# --- refusals leave nothing behind ---------------------------------------------------

Refusal = Callable[[Ledger, dict[str, UUID], Actor, Actor], Any]

REFUSALS: dict[str, tuple[type[DomainError], Refusal]] = {
    "domain rule": (
        InvalidTransition,
        lambda app, ids, office, _: app.rename_unit(
            office,
            ids["unit"],
            name="陇川县乡村振兴局(新)",
            ctx=CommandContext(idempotency_key="k1"),
        ),
    ),
    "expected version": (
        VersionConflict,
        lambda app, ids, office, _: app.rename_unit(
            office,
            ids["unit"],
            name="别名",
            ctx=CommandContext(expected_version=1, idempotency_key="k2"),
        ),
    ),
    "role": (
        PermissionDenied,
        lambda app, ids, _, auditor: app.rename_unit(
            auditor, ids["unit"], name="别名", ctx=CommandContext(idempotency_key="k3")
        ),
    ),
    "unknown record": (
        NotFound,
        lambda app, ids, office, _: app.rename_unit(
            office, uuid4(), name="别名", ctx=CommandContext(idempotency_key="k4")
        ),
    ),
    "bad figure": (
        InvalidInput,
        lambda app, ids, office, _: app.report_progress(
            office,
            ids["finding"],
            narrative="进展",
            figures=[{"name": "资金", "value": 0.1}],
            ctx=CommandContext(idempotency_key="k5"),
        ),
    ),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_command_leaves_events_integrity_and_keys_unchanged(
    ledger: Ledger,
    ids: dict[str, UUID],
    office: Actor,
    auditor: Actor,
    refusal: tuple[type[DomainError], Refusal],
) -> None:
    error, command = refusal
    before = stored(ledger)
    with pytest.raises(error):
        command(ledger, ids, office, auditor)
    assert_unchanged(ledger, before)
    # And the log carries on densely afterwards.
    ledger.rename_unit(office, ids["unit"], name="又一名称")
    assert_log_matches_events(ledger)


# --- two writers, one record ---------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """A database two application instances can share (a private memory one cannot)."""
    return database_url(request.param, tmp_path, request)


@pytest.fixture
def two_ledgers(shared_url: str) -> Iterator[tuple[Ledger, Ledger]]:
    first, second = Ledger(Settings(shared_url)), Ledger(Settings(shared_url))
    yield first, second
    first.close()
    second.close()


def test_a_lost_write_race_leaves_the_sequence_dense_though_ids_may_gap(
    two_ledgers: tuple[Ledger, Ledger], office: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_ledgers
    unit = first.register_unit(office, name="县扶贫办", level="county").id
    load = second.repository.get

    def load_then_lose_the_race(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        aggregate = load(aggregate_id, *args, **kwargs)
        monkeypatch.setattr(second.repository, "get", load)  # only the first load races
        first.rename_unit(office, unit, name="甲")  # commits version 2 meanwhile
        return aggregate

    monkeypatch.setattr(second.repository, "get", load_then_lose_the_race)
    with pytest.raises(VersionConflict):  # it expected version 1, so it may not decide again
        second.rename_unit(office, unit, name="乙", ctx=CommandContext(expected_version=1))
    monkeypatch.undo()
    second.rename_unit(office, unit, name="丙")

    assert [e.name for e in second.history(unit)[1:]] == ["甲", "丙"]
    assert_log_matches_events(second)
    ids = [n.id for n in notifications(second)]
    if second.settings.is_postgres:
        assert ids == [1, 2, 4]  # the refused insert burned notification id 3 …
    else:
        assert ids == [1, 2, 3]
    assert [row[0] for row in integrity_log(second)] == [1, 2, 3]  # … but no seq


def test_concurrent_writers_on_two_instances_keep_one_dense_log(
    two_ledgers: tuple[Ledger, Ledger], office: Actor
) -> None:
    first, second = two_ledgers
    unit = first.register_unit(office, name="县扶贫办", level="county").id
    other = second.register_unit(office, name="县财政局", level="county").id

    def rename(attempt: int) -> bool:
        app = (first, second)[attempt % 2]
        record = unit if attempt % 3 else other
        try:
            app.rename_unit(office, record, name=f"名称{attempt}")
        except VersionConflict:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        successes = sum(pool.map(rename, range(48)))

    assert successes > 0
    assert len(notifications(first)) == 2 + successes
    assert_log_matches_events(first)
    for _, _, _, leaf, entry in integrity_log(first):
        assert leaf == hashlib.sha256(b"\x00" + entry).digest()


# --- many events in one transaction ---------------------------------------------------


def test_a_batch_saved_at_once_gets_consecutive_seqs_in_one_insert(
    ledger: Ledger, office: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.register_unit(office, name="先登记的单位", level="county")
    insert = ledger.recorder.insert_events
    inserts: list[int] = []

    def counting(stored_events: Any, **kwargs: Any) -> Any:
        inserts.append(len(stored_events))
        return insert(stored_events, **kwargs)

    monkeypatch.setattr(ledger.recorder, "insert_events", counting)
    with ledger.batch():
        unit = ledger.register_unit(office, name="单位", level="county").id
        for i in range(40):
            ledger.rename_unit(office, unit, name=f"名称{i}")
        other = ledger.register_unit(office, name="另一单位", level="township", parent_id=unit).id

    assert inserts == [42]
    log = integrity_log(ledger)
    assert [row[0] for row in log] == list(range(1, 44))
    assert [(row[1], row[2]) for row in log[1:]] == [
        *((unit, v) for v in range(1, 42)),
        (other, 1),
    ]
    assert_log_matches_events(ledger)


# --- failures inside the transaction ------------------------------------------------


def test_a_key_already_used_for_another_command_is_refused_before_writing(
    ledger: Ledger, ids: dict[str, UUID], office: Actor
) -> None:
    query(ledger, "INSERT INTO {schema}ledger_idempotency VALUES (?, ?, ?)", ("k", "other", b"{}"))
    before = stored(ledger)
    with pytest.raises(IdempotencyConflict):
        ledger.rename_unit(
            office, ids["unit"], name="别名", ctx=CommandContext(idempotency_key="k")
        )
    assert_unchanged(ledger, before)


def hide_keys_once(app: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first key look-up misses: another request stores the key just after it."""
    find = app.recorder.find_idempotency  # type: ignore[attr-defined]
    calls: list[str] = []

    def find_after_the_first_call(key: str) -> Any:
        calls.append(key)
        return None if len(calls) == 1 else find(key)

    monkeypatch.setattr(app.recorder, "find_idempotency", find_after_the_first_call)


def test_a_key_taken_between_check_and_save_rolls_back_events_and_integrity_rows(
    ledger: Ledger, ids: dict[str, UUID], office: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    query(ledger, "INSERT INTO {schema}ledger_idempotency VALUES (?, ?, ?)", ("k", "other", b"{}"))
    before = stored(ledger)
    hide_keys_once(ledger, monkeypatch)
    with pytest.raises(IdempotencyConflict):
        ledger.rename_unit(
            office, ids["unit"], name="别名", ctx=CommandContext(idempotency_key="k")
        )
    assert_unchanged(ledger, before)


def test_a_retry_that_loses_the_race_to_its_first_attempt_replays_and_writes_nothing(
    ledger: Ledger, ids: dict[str, UUID], office: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = CommandContext(idempotency_key="retry-1")
    unit_before_first_attempt = ledger.get_unit(ids["unit"])
    first = ledger.rename_unit(office, ids["unit"], name="别名", ctx=ctx)
    before = stored(ledger)
    # The retry checked its key and loaded the unit before the first attempt committed.
    hide_keys_once(ledger, monkeypatch)
    monkeypatch.setattr(ledger.repository, "get", lambda *_, **__: unit_before_first_attempt)
    again = ledger.rename_unit(office, ids["unit"], name="别名", ctx=ctx)
    assert again.replayed
    assert (again.id, again.version, again.correlation_id) == (
        first.id,
        first.version,
        first.correlation_id,
    )
    assert_unchanged(ledger, before)


def test_a_failed_integrity_insert_rolls_back_the_event_insert(
    ledger: Ledger, ids: dict[str, UUID], office: Actor
) -> None:
    # A trigger refuses integrity rows: the event insert succeeds, the integrity
    # insert after it in the same transaction does not.
    unit = ids["unit"]
    if ledger.settings.is_postgres:
        query(
            ledger,
            "CREATE FUNCTION {schema}refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE unique_violation USING MESSAGE = 'refused'; END $$",
        )
        query(
            ledger,
            "CREATE TRIGGER refuse BEFORE INSERT ON {schema}ledger_integrity "
            "FOR EACH ROW EXECUTE FUNCTION {schema}refuse()",
        )
    else:
        query(
            ledger,
            "CREATE TRIGGER refuse BEFORE INSERT ON ledger_integrity "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
    before = stored(ledger)
    with pytest.raises(VersionConflict):  # the ledger reports any refused insert so
        ledger.rename_unit(office, unit, name="别名", ctx=CommandContext(idempotency_key="k"))
    assert_unchanged(ledger, before)


class SimulatedCrash(Exception):
    """Raised by a recorder hook after the side rows have been written or queued."""


def test_a_crash_after_the_side_inserts_writes_neither_events_nor_integrity_rows(
    ledger: Ledger, ids: dict[str, UUID], office: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = ledger.recorder
    hook = (
        "_insert_stored_events"
        if isinstance(recorder, LedgerPostgresRecorder)
        else "_insert_events"
    )
    write_rows = getattr(recorder, hook)

    def write_rows_then_crash(*args: Any, **kwargs: Any) -> Any:
        write_rows(*args, **kwargs)
        raise SimulatedCrash

    before = stored(ledger)
    monkeypatch.setattr(recorder, hook, write_rows_then_crash)
    with pytest.raises(SimulatedCrash):
        ledger.rename_unit(
            office, ids["unit"], name="别名", ctx=CommandContext(idempotency_key="k")
        )
    monkeypatch.undo()
    assert_unchanged(ledger, before)
    assert ledger.get_unit(ids["unit"]).name == "陇川县乡村振兴局(新)"


def test_figures_keep_their_exact_decimal_digits_in_the_stored_entry(
    ledger: Ledger, ids: dict[str, UUID]
) -> None:
    (entry,) = [e for *_, e in integrity_log(ledger) if b"ProgressReported" in e.split(b"\n")[0]]
    assert b'"value":"3621900.00"' in entry
    assert ledger.history(ids["finding"])[-1].figures[0].value.as_tuple() == (
        Decimal("3621900.00").as_tuple()
    )
