"""An import decides new findings on the records in hand (``Ledger.decide_held``); that
records exactly what the commands themselves record, and a refusal still writes nothing."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.findings import verifying
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.base import set_clock
from ledger.domain.errors import InvalidTransition
from ledger.domain.finding import Finding
from ledger.domain.values import FindingStatus
from ledger.projections.queries import ReadModels
from ledger.transfer import decide
from ledger.transfer.importer import apply_import
from ledger.transfer.rows import Planned
from tests.conftest import log_snapshot
from tests.transfer.conftest import ROWS, options, workbook


def _create_by_commands(self: decide.Decider, p: Planned) -> None:
    """A new finding through the application's commands, one by one (the path the
    import took before ``decide_held``)."""
    inspection = self.inspection
    finding = self.call(
        p,
        "text",
        "record",
        lambda ctx: self.app.record_finding(
            self.actor,
            inspection,
            category=p.category,
            number=p.number,
            text=p.text,
            deadline=p.deadline,
            long_term=p.long_term,
            ctx=ctx,
        ),
    ).id
    lead, units = self.assignment(p)
    if units:
        self.assign(p, finding, lead, units)
    for n, m in enumerate(p.measures, 1):
        self.add_measure(p, finding, n, m.row, m.text, m.kind, lead or units[0])
    if p.progress:
        self.report_progress(p, finding)
    if p.completed:
        self.complete(p, finding, FindingStatus.ONGOING)


@pytest.fixture
def repeatable(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Makes ids and the recording clock repeat from the start when called."""

    def restart() -> None:
        counter = iter(range(1, 10**9))
        ticks = iter(range(10**9))
        start = datetime(2019, 3, 2, tzinfo=UTC)
        fake = lambda: uuid.UUID(int=next(counter), version=4)  # noqa: E731
        for name, module in list(sys.modules.items()):
            if name.startswith("ledger") and hasattr(module, "uuid4"):
                monkeypatch.setattr(module, "uuid4", fake)
        set_clock(lambda: start + timedelta(microseconds=next(ticks)))

    yield restart
    set_clock(None)


def test_an_import_records_byte_for_byte_what_the_commands_record(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, repeatable: Callable[[], None]
) -> None:
    logs = []
    data = workbook()  # the same bytes for both (a workbook's bytes name the second saved)
    for path in ("held", "commands"):
        if path == "commands":
            monkeypatch.setattr(decide.Decider, "_create", _create_by_commands)
        repeatable()
        app = Ledger(Settings(f"sqlite:///{tmp_path}/{path}.db"))
        try:
            report = apply_import(app, data, options())
            assert report.applied and report.problems == [] and report.created == 6
            logs.append(log_snapshot(app))
        finally:
            app.close()
    held, commands = logs
    assert held[0] == commands[0] == 35  # events
    assert held == commands  # events, integrity log and idempotency keys, byte for byte


def test_a_row_refused_on_the_direct_path_refuses_the_whole_import(ledger: Ledger) -> None:
    rows = list(ROWS)
    rows[1] = (*rows[1][:8], None, "已完成")  # finding 2: completed without any progress report
    before = log_snapshot(ledger)
    report = apply_import(ledger, workbook(rows), options())
    assert not report.applied and report.events > 20  # the rows after it were decided too
    assert [p.message for p in report.problems] == ["申报完成前须至少报告一次整改进展及佐证材料"]
    assert log_snapshot(ledger) == before
    again = apply_import(ledger, workbook(), options())  # nothing of the refused one lingers
    assert again.applied and (again.created, again.events) == (6, 35)


def test_decide_held_applies_the_commands_rules_and_runs_only_in_a_batch(ledger: Ledger) -> None:
    report = apply_import(ledger, workbook(), options())
    assert report.applied
    page = ReadModels(ledger.projector).findings(str(report.inspection_id), limit=10)
    ongoing = [
        i["finding_id"]
        for i in page.items
        if ledger.get_finding(i["finding_id"]).status is FindingStatus.ONGOING
    ]
    actor = decide.Decider(ledger, options(), report).actor
    ctx = CommandContext().checked()
    before = log_snapshot(ledger)
    with pytest.raises(RuntimeError):
        ledger.decide_held(actor, ctx, "k", ledger.get_finding(ongoing[0]), verifying())
    with pytest.raises(InvalidTransition, match="须先由责任单位申报完成"), ledger.batch():
        finding = ledger.consult(Finding, ongoing[0], "finding_id")
        ledger.decide_held(actor, ctx, "k", finding, verifying())  # verify before any claim
    assert log_snapshot(ledger) == before
