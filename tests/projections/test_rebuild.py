"""Rebuilding read models from the log gives, row for row, what the inline writes gave."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from unittest.mock import patch
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, event, inspect, select

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.domain.base import Envelope
from ledger.domain.finding import Finding
from ledger.domain.values import BEIJING, Actor
from ledger.projections import rebuild
from ledger.projections.base import Projection
from ledger.projections.behind import Reached
from ledger.projections.queries import ReadModels
from ledger.projections.rebuild import ALT, Rebuild
from ledger.projections.rebuild import NEXT as REBUILT
from ledger.projections.runner import UnknownReadModel

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(ledger: Ledger, projection: Projection) -> Snapshot:
    """Every row of every table of one read model, sorted (those kept behind the log
    caught up first, as a query would)."""
    ledger.projector.catch_up()
    with ledger.projector.db.engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in projection.tables
        }


def everything(ledger: Ledger) -> dict[str, Snapshot]:
    return {p.name: snapshot(ledger, p) for p in ledger.projector.projections}


def ctx(day: date, reason: str = "") -> CommandContext:
    return CommandContext(effective_at=day, reason=reason)


def rich_history(ledger: Ledger, office: Actor, admin: Actor) -> None:
    """The demo, then answers, a new letter, extensions, corrections, a send-back, a rename."""
    ids = load_demo(ledger)
    rm = ReadModels(ledger.projector)
    letter = rm.letters()[0]
    ledger.answer_letter(
        office, letter["finding_id"], letter_no=letter["letter_no"], answer="已整改到位"
    )
    slow = rm.overdue(ids["guizhou"], limit=1).items[0]["finding_id"]
    ledger.issue_letter(office, slow, letter_no="黔扶督〔2018〕99号", level="principal")
    ledger.extend_deadline(
        office, slow, new_deadline="2030-12-31", approver="省长", ctx=ctx(date(2019, 1, 5), "延")
    )
    verified = rm.findings(ids["guizhou"], status="verified", limit=1).items[0]["finding_id"]
    ledger.send_back(office, verified, ctx=ctx(date(2018, 7, 10), "整改不彻底"))
    ledger.correct(
        office,
        verified,
        corrects_version=1,
        changes={"category": ["更正后的大类", "更正后的项"], "text": "更正后的问题"},
        ctx=CommandContext(reason="归类有误"),
    )
    measured = rm.findings(ids["longchuan"], limit=1).items[0]["finding_id"]
    detail = rm.finding(measured)
    assert detail is not None and detail["measures"]
    ledger.correct(
        office,
        measured,
        corrects_version=detail["measures"][0]["version"],
        changes={"text": "更正后的措施"},
        ctx=CommandContext(reason="笔误"),
    )
    ledger.mark_long_term(office, measured, long_term=not detail["long_term"])
    unit = detail["units"][0]["unit_id"]
    ledger.rename_unit(admin, unit, name="更名后的单位")
    ledger.record_headcount(admin, unit, year=2019, headcount=42)


@pytest.fixture
def rich(ledger: Ledger, office: Actor, admin: Actor) -> Ledger:
    rich_history(ledger, office, admin)
    return ledger


def test_every_read_model_rebuilt_from_the_log_equals_the_one_kept_inline(rich: Ledger) -> None:
    head = rich.recorder.max_notification_id()
    for projection in rich.projector.projections:
        inline = snapshot(rich, projection)
        assert any(inline.values()), f"{projection.name} has no rows: the test proves nothing"
        assert rich.projector.rebuild(projection.name) == head
        assert snapshot(rich, projection) == inline, projection.name


def test_all_read_models_rebuilt_in_one_pass_equal_the_ones_kept_inline(rich: Ledger) -> None:
    projections = rich.projector.projections
    inline = {p.name: snapshot(rich, p) for p in projections}
    assert rich.projector.rebuild() == rich.recorder.max_notification_id()
    assert {p.name: snapshot(rich, p) for p in projections} == inline
    assert all(position.lag == 0 for position in rich.projector.status())


def test_the_audit_index_rebuilt_keeps_every_time_and_actor_exactly(
    rich: Ledger, office: Actor
) -> None:
    """On SQLite the database fills the audit index's copy itself: recording times
    a microsecond before a second (which SQLite's own time functions round),
    without decimals or in another zone, effective times near midnight in other
    zones, and actor ids JSON must escape come out as the handlers make them."""
    fid = UUID(ReadModels(rich.projector).findings(limit=1).items[0]["finding_id"])
    version: int = rich.repository.get(fid).version
    west = timezone(timedelta(hours=-5))
    times = [
        (
            datetime(2019, 12, 31, 23, 59, 59, 999999, UTC),
            datetime(2019, 12, 31, 16, 0, tzinfo=UTC),
        ),
        (datetime(2019, 1, 1, tzinfo=UTC), datetime(2018, 12, 31, 15, 59, 59, 999999, UTC)),
        (datetime(2019, 6, 1, 7, 59, 59, 999500, west), datetime(2019, 6, 1, 23, 59, tzinfo=west)),
        (datetime(2020, 2, 29, 12, 0, 0, 1, UTC), datetime(2020, 3, 1, 0, 0, tzinfo=BEIJING)),
    ]
    odd = Actor(id='办公室"\\\n一', name="x", role="inspection_office", unit=uuid4())
    events = []
    for n, (recorded, effective) in enumerate(times):
        envelope = Envelope(
            actor=odd if n % 2 else office, effective_at=effective, correlation_id=uuid4()
        )
        events.append(
            Finding.ProgressReported(
                originator_id=fid,
                originator_version=version + n + 1,
                timestamp=recorded,
                envelope=envelope,
                report_id=uuid4(),
                measure_id=None,
                narrative="边界时间",
                figures=[],
                evidence=[],
            )
        )
    rich.save(*events)
    audit = rich.projector.find("audit")
    inline = snapshot(rich, audit)  # caught up (on SQLite by its fill statement)
    # … the same rows as its handlers make
    head = rich.recorder.max_notification_id() or 0
    handled = rich.projector.behind.pending(audit, Reached(0, head))
    names = [c.name for c in audit.tables[0].columns]
    assert sorted((tuple(row[n] for n in names) for row in handled), key=repr) == inline["rm_audit"]
    rich.projector.rebuild()
    assert snapshot(rich, audit) == inline
    rows = sorted(inline["rm_audit"])[-len(times) :]  # by log position
    assert [row[6] % 1_000_000 for row in rows] == [999999, 0, 999500, 1]
    assert [row[4] for row in rows][1] == odd.id
    assert [row[7] for row in rows] == [
        date(2020, 1, 1),
        date(2018, 12, 31),
        date(2019, 6, 2),
        date(2020, 3, 1),
    ]


class Churn:
    """Commands that touch every read model, run from a rebuild's progress callback."""

    def __init__(self, ledger: Ledger, office: Actor, admin: Actor, inspection: Any) -> None:
        self.ledger, self.office, self.admin, self.inspection = ledger, office, admin, inspection
        self.calls = 0

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        n, app, office = self.calls, self.ledger, self.office
        unit = app.register_unit(self.admin, name=f"新单位{n}", level="county").id
        app.open_inspection(
            office, kind="audit", title=f"审计{n}", inspecting_body="审计厅", inspected_body="某县"
        )
        fid = app.record_finding(
            office, self.inspection, category=["新增"], number=f"新{n}", text="新问题"
        ).id
        app.assign(office, fid, units=[unit])
        app.set_deadline(office, fid, deadline="2018-12-31")
        app.extend_deadline(office, fid, new_deadline="2019-06-30", approver="县长", ctx=ctx_now())
        app.issue_letter(office, fid, letter_no=f"督{n}号", level="staff")
        app.answer_letter(office, fid, letter_no=f"督{n}号", answer="已答复")
        app.report_progress(office, fid, narrative="推进中")


def ctx_now() -> CommandContext:
    return CommandContext(reason="工作量大")


def test_a_rebuild_while_commands_keep_arriving_ends_equal_to_a_fresh_rebuild(
    rich: Ledger, office: Actor, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rebuild, "PAGE", 100)  # several pages, commands between them
    inspection = ReadModels(rich.projector).counts()[0].inspection_id
    for projection in rich.projector.projections:
        churn = Churn(rich, office, admin, inspection)
        rich.projector.rebuild(projection.name, churn)
        assert churn.calls > 1
        during = snapshot(rich, projection)
        rich.projector.rebuild(projection.name)
        assert snapshot(rich, projection) == during, projection.name
        assert [p.lag for p in rich.projector.status()] == [0] * len(rich.projector.projections)
    assert everything(rich) == _rebuilt_everything(rich)


def _rebuilt_everything(ledger: Ledger) -> dict[str, Snapshot]:
    for projection in ledger.projector.projections:
        ledger.projector.rebuild(projection.name)
    return everything(ledger)


def test_commands_after_a_rebuild_keep_the_swapped_in_tables_up_to_date(
    rich: Ledger, office: Actor, admin: Actor
) -> None:
    for projection in rich.projector.projections:
        rich.projector.rebuild(projection.name)
    inspection = ReadModels(rich.projector).counts()[0].inspection_id
    churn = Churn(rich, office, admin, inspection)
    for _ in range(7):  # enough for PostgreSQL to prepare the inline statements
        churn(0, 0)
    inline = everything(rich)
    assert inline == _rebuilt_everything(rich)
    letters = ReadModels(rich.projector).letters(outstanding=False)
    assert {f"督{n}号" for n in range(1, 8)} <= {x["letter_no"] for x in letters}


def test_a_read_model_missing_from_an_existing_ledger_is_built_on_start(rich: Ledger) -> None:
    projector = rich.projector
    before = everything(rich)
    letters = projector.find("letters")
    with projector.db.engine.begin() as conn:
        letters.tables[0].drop(conn)
        conn.execute(delete(projector.tracking).where(projector.tracking.c.name == "letters"))
    projector.ensure()
    assert everything(rich) == before
    assert all(p.lag == 0 for p in projector.status())


def test_unknown_read_model_names_are_refused(rich: Ledger) -> None:
    before = everything(rich)
    for name in ("nonsense", "", "rm_findings", "Findings"):
        with pytest.raises(UnknownReadModel) as refused:
            rich.projector.rebuild(name)
        assert "findings" in str(refused.value)  # the message lists the names there are
    assert everything(rich) == before


def indexes(ledger: Ledger) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Each read-model table's indexes in the database: (name, columns)."""
    found = {}
    schema = ledger.projector.db.schema or None
    with ledger.projector.db.engine.connect() as conn:
        look = inspect(conn)
        for projection in ledger.projector.projections:
            for table in projection.tables:
                found[table.name] = sorted(
                    (str(i["name"]), tuple(str(c) for c in i["column_names"]))
                    for i in look.get_indexes(table.name, schema=schema)
                )
    return found


def test_a_rebuild_leaves_each_table_with_the_indexes_its_definition_names(rich: Ledger) -> None:
    defined = {
        table.name: sorted((str(i.name), tuple(c.name for c in i.columns)) for i in table.indexes)
        for projection in rich.projector.projections
        for table in projection.tables
    }
    assert any(defined.values())
    assert indexes(rich) == defined
    # On SQLite the copies' index names alternate, also when some were rebuilt alone.
    for rebuilt in (None, "history", None, "history", "findings", "history", None):
        rich.projector.rebuild(rebuilt)
        assert _as_defined(indexes(rich)) == defined
    db = rich.projector.db
    replay = next(n for n, c in indexes(rich)["rm_finding_changes"] if "replay" in n)
    with db.engine.begin() as conn:  # an older database lacks an index, has one too many
        conn.exec_driver_sql(f"DROP INDEX {db.qualified(replay)}")
        conn.exec_driver_sql(
            f'CREATE INDEX "ix_rm_units_retired" ON {db.qualified("rm_units")} (name, unit_id)'
        )
    rich.projector.ensure()
    assert _as_defined(indexes(rich)) == defined
    assert rich.projector.rebuild() and _as_defined(indexes(rich)) == defined


def _as_defined(found: dict[str, list[tuple[str, tuple[str, ...]]]]) -> dict[str, Any]:
    """Index names as defined: on SQLite a rebuilt table keeps its copy's names."""
    return {
        table: sorted((rebuild.as_defined(table, name), columns) for name, columns in indexes)
        for table, indexes in found.items()
    }


def test_writers_are_held_only_for_the_swap_not_for_the_index_builds(rich: Ledger) -> None:
    """The copies are indexed before the swap and the replaced tables dropped after
    it: inside it, no index is created and no table dropped (every SQLite
    statement of the swap, on any connection, is seen)."""
    db = rich.projector.db
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL renames its indexes in the swap")
    seen: list[str] = []
    watching = False

    def trace(statement: str) -> None:
        if watching:
            seen.append(" ".join(statement.split()).upper())

    def traced(connection: Any, _record: Any) -> None:
        connection.set_trace_callback(trace)

    swap = Rebuild._swap

    def watched(self: Rebuild, head: int) -> int:
        nonlocal watching
        watching = True
        try:
            return swap(self, head)
        finally:
            watching = False

    db.engine.dispose()  # every connection from now on is traced
    event.listen(db.engine, "connect", traced)
    try:
        with patch.object(Rebuild, "_swap", watched):
            rich.projector.rebuild()
    finally:
        event.remove(db.engine, "connect", traced)
        db.engine.dispose()
    assert any(" RENAME TO " in s for s in seen)
    assert not [s for s in seen if s.startswith(("CREATE INDEX", "DROP "))]
    tables = inspect(db.engine).get_table_names()
    assert not [t for t in tables if t.endswith((rebuild.OLD, REBUILT, ALT))]


def test_on_postgresql_tables_updated_in_place_keep_room_on_their_pages(rich: Ledger) -> None:
    db = rich.projector.db
    if db.dialect != "postgres":
        pytest.skip("fillfactor is a PostgreSQL storage setting")

    def options() -> dict[str, Any]:
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = %(s)s AND c.relkind = 'r'",
                {"s": db.schema},
            )
            return {name: opts for name, opts in rows}

    expected = {"rm_findings": ["fillfactor=70"], "rm_letters": ["fillfactor=80"]}
    assert {k: options()[k] for k in expected} == expected  # as created
    rich.projector.rebuild()
    assert {k: options()[k] for k in expected} == expected  # and as rebuilt
    assert options()["rm_measures"] is None
