"""Changes across the ledger from the audit index: one record's changes found through the
event store's own key, and an index an older version kept, dropped on start."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import inspect, select

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.values import Actor
from ledger.projections.auditing import AuditLog, Filter


@pytest.fixture
def busy(ledger: Ledger, office: Actor, admin: Actor) -> Ledger:
    """Two units, an inspection, three findings written to in turn (interleaved log)."""
    unit = ledger.register_unit(admin, name="县教育局", level="county").id
    other = ledger.register_unit(admin, name="某镇政府", level="township").id
    inspection = ledger.open_inspection(
        office,
        kind="tour",
        title="县委第一巡察组",
        inspecting_body="县委巡察办",
        inspected_body="县教育局",
    ).id
    findings = [
        ledger.record_finding(
            office, inspection, category=["教育扶贫"], number=f"{n}", text=f"问题{n}"
        ).id
        for n in range(3)
    ]
    for fid in findings:
        ledger.assign(office, fid, units=[unit, other], lead_department=unit)
    worker = Actor(id="unit-1", name="王芳", role="responsible_unit", unit=unit)
    for n in range(4):
        for fid in findings[n % 2 :]:
            ctx = CommandContext(effective_at=date(2018, 4, 1 + n))
            ledger.report_progress(worker, fid, narrative=f"进展{n}", ctx=ctx)
    return ledger


def index_rows(ledger: Ledger) -> list[dict[str, Any]]:
    """The index's rows, caught up with the log as a query would first."""
    ledger.projector.catch_up()
    audit = ledger.projector.find("audit").tables[0]
    with ledger.projector.db.engine.connect() as conn:
        return [dict(r._asdict()) for r in conn.execute(select(audit).order_by(audit.c.position))]


def found(log: AuditLog, f: Filter, limit: int = 1000) -> list[tuple[int, str, int]]:
    items = log.changes(f, limit=limit).items
    return [(i["position"], i["record_id"], i["version"]) for i in items]


def test_one_records_changes_are_exactly_its_rows_of_the_index_in_log_order(busy: Ledger) -> None:
    rows = index_rows(busy)
    records = sorted({r["record_id"] for r in rows})
    assert len(records) >= 6  # units, inspection, findings: the filter has rows to tell apart
    log = AuditLog(busy.projector)
    for record_id in records:
        expected = [(r["position"], r["record_id"], r["version"]) for r in rows]
        expected = [e for e in expected if e[1] == record_id]
        assert found(log, Filter(record_id=record_id)) == expected
        assert [v for _, _, v in expected] == list(range(1, len(expected) + 1))


def test_a_records_changes_combine_with_the_other_filters_and_come_in_pages(
    busy: Ledger,
) -> None:
    rows = index_rows(busy)
    finding = next(r["record_id"] for r in rows if r["kind"] == "Finding.ProgressReported")
    log = AuditLog(busy.projector)
    reports = Filter(record_id=finding, kind="Finding.ProgressReported", actor_id="unit-1")
    expected = [
        r["position"]
        for r in rows
        if r["record_id"] == finding and r["kind"] == "Finding.ProgressReported"
    ]
    assert len(expected) >= 2
    assert [p for p, _, _ in found(log, reports)] == expected
    first = log.changes(reports, limit=1)
    assert [i["position"] for i in first.items] == expected[:1] and first.next == expected[0]
    rest = log.changes(reports, after=first.next, limit=1000)
    assert [i["position"] for i in rest.items] == expected[1:] and rest.next is None
    assert found(log, Filter(record_id=finding, actor_id="nobody")) == []


@pytest.mark.parametrize(
    "spelling",
    [
        lambda rid: rid.upper(),  # the index keeps ids in lower case: no rows, as before
        lambda rid: rid.replace("-", ""),
        lambda rid: "{" + rid + "}",
        lambda rid: "not an id",
        lambda rid: "",
    ],
)
def test_any_other_spelling_of_a_record_id_finds_nothing_and_fails_nothing(
    busy: Ledger, spelling: Any
) -> None:
    record_id = index_rows(busy)[0]["record_id"]
    log = AuditLog(busy.projector)
    assert found(log, Filter(record_id=record_id)) != []
    assert found(log, Filter(record_id=spelling(record_id))) == []


def test_the_record_index_an_older_version_kept_is_dropped_on_start(busy: Ledger) -> None:
    projector = busy.projector
    db = projector.db
    before = index_rows(busy)
    with db.engine.begin() as conn:  # as the previous version defined it
        conn.exec_driver_sql(
            f"CREATE INDEX ix_rm_audit_record ON {db.qualified('rm_audit')} (record_id, version)"
        )
        conn.exec_driver_sql(f"CREATE INDEX by_hand_rm_audit ON {db.qualified('rm_audit')} (kind)")
    assert "ix_rm_audit_record" in names_of_indexes(busy)
    projector.ensure()
    left = names_of_indexes(busy)
    assert "ix_rm_audit_record" not in left
    assert "by_hand_rm_audit" in left  # not named as the read models name theirs: kept
    defined = {str(i.name) for i in projector.find("audit").tables[0].indexes}
    assert left - {"by_hand_rm_audit"} == defined
    assert index_rows(busy) == before
    assert all(p.lag == 0 for p in projector.status())


def names_of_indexes(ledger: Ledger) -> set[str]:
    db = ledger.projector.db
    with db.engine.connect() as conn:
        found = inspect(conn).get_indexes("rm_audit", schema=db.schema or None)
    return {str(i["name"]) for i in found}
