"""Importing a realistic workbook: what it records, and that a second import records nothing."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import openpyxl
import pytest

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import VersionConflict
from ledger.domain.finding import Finding
from ledger.projections.queries import ReadModels
from ledger.transfer.decide import IMPORTED
from ledger.transfer.importer import apply_import, plan_import
from ledger.transfer.xlsx_out import export_xlsx
from tests.conftest import idempotency_rows, log_snapshot
from tests.transfer.conftest import ROWS, options, workbook


def findings_by_number(ledger: Ledger, inspection_id: str) -> dict[str, Any]:
    page = ReadModels(ledger.projector).findings(inspection_id, limit=1000)
    return {item["number"]: ledger.get_finding(item["finding_id"]) for item in page.items}


def test_a_realistic_workbook_imports_every_finding_with_its_measures_and_status(
    ledger: Ledger,
) -> None:
    report = apply_import(ledger, workbook(), options())
    assert report.problems == [] and report.applied
    assert (report.findings, report.created, report.units_created) == (6, 6, 6)
    counts = ReadModels(ledger.projector).counts(report.inspection_id)[0]
    assert (counts.total, counts.completed, counts.ongoing, counts.long_term) == (6, 2, 4, 2)
    found = findings_by_number(ledger, str(report.inspection_id))
    assert sorted(found) == ["1", "2", "3", "4", "5", "6"]  # full-width 序号 narrowed
    first = found["1"]
    assert first.category == ["扶贫资金", "资金管理"]
    assert [m.text for m in first.measures.values()] == [
        "清理盘活滞留资金",
        "建立资金拨付台账,按月通报",
    ]
    assert first.deadline == date(2018, 6, 10)  # ２０１８年６月１０日
    assert found["2"].deadline == date(2018, 6, 10)  # Excel serial 43261
    assert found["3"].long_term and found["3"].deadline is None
    assert found["5"].deadline == date(2018, 6, 30)  # 6月30日前 with --year 2018
    assert found["6"].deadline == date(2018, 9, 30)
    assert found["4"].status.value == "verified" and found["4"].long_term
    assert len(found["3"].responsible_units) == 2


def test_every_imported_event_names_the_file_and_the_importer(ledger: Ledger) -> None:
    data = workbook()
    report = apply_import(ledger, data, options())
    events = [
        e
        for f in findings_by_number(ledger, str(report.inspection_id)).values()
        for e in ledger.history(f.id)
    ]
    assert (
        len(events) == 6 + 5 + 8 + 4 + 2 + 2
    )  # recorded, assigned, measures, reports, claim+verify
    assert {e.envelope.basis for e in events} == {f"sha256:{report.sha256}"}
    assert {(e.envelope.actor.id, e.envelope.actor.name) for e in events} == {
        ("office-import", "周敏")
    }
    assert {e.envelope.effective_at.date() for e in events} == {date(2018, 8, 1)}


def test_the_dry_run_decides_everything_and_records_nothing(ledger: Ledger) -> None:
    before = log_snapshot(ledger)
    report = plan_import(ledger, workbook(), options())
    assert report.problems == [] and not report.applied
    assert report.created == 6 and report.events > 6
    assert log_snapshot(ledger) == before
    assert apply_import(ledger, workbook(), options()).events == report.events


def test_reimporting_the_same_file_records_nothing(ledger: Ledger) -> None:
    apply_import(ledger, workbook(), options())
    before = log_snapshot(ledger)
    again = apply_import(ledger, workbook(), options())
    assert (again.created, again.changed, again.unchanged, again.events) == (0, 0, 6, 0)
    assert again.problems == []
    assert log_snapshot(ledger) == before


def test_import_export_reimport_gives_no_difference(ledger: Ledger) -> None:
    report = apply_import(ledger, workbook(), options())
    out = io.BytesIO()
    assert export_xlsx(ledger, out, inspection_id=report.inspection_id) == 6
    before = log_snapshot(ledger)
    again = apply_import(
        ledger, out.getvalue(), options(new_inspection=None, inspection_id=report.inspection_id)
    )
    assert again.problems == [] and again.events == 0 and again.unchanged == 6
    assert log_snapshot(ledger) == before
    second = io.BytesIO()
    export_xlsx(ledger, second, inspection_id=report.inspection_id)
    assert sheet_values(second.getvalue()) == sheet_values(out.getvalue())


def sheet_values(data: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [row for ws in book.worksheets for row in ws.iter_rows(min_row=2, values_only=True)]


def test_a_corrected_file_records_only_the_differences(ledger: Ledger) -> None:
    first = apply_import(ledger, workbook(), options())
    rows = list(ROWS)
    rows[1] = (
        *rows[1][:2],
        "贫困户识别不精准,存在错评漏评和错退",
        *rows[1][3:7],
        "2018年8月31日",
        "已完成动态调整",
        "已完成",
    )
    rows[4] = (*rows[4][:3], ["压实驻村干部管理责任"], *rows[4][4:])
    rows.append(
        (
            "7",
            "作风建设",
            "会议过多",
            ["精简会议"],
            None,
            "县委办",
            None,
            "2018-10-31",
            None,
            "正在整改",
        )
    )
    before = findings_by_number(ledger, str(first.inspection_id))
    versions = {n: f.version for n, f in before.items()}
    report = apply_import(ledger, workbook(rows), options())
    assert report.problems == []
    assert (report.created, report.changed, report.unchanged) == (1, 2, 4)
    after = findings_by_number(ledger, str(first.inspection_id))
    new = {
        n: [type(e).__name__ for e in ledger.history(f.id)[versions.get(n, 0) :]]
        for n, f in after.items()
    }
    assert new["2"] == [
        "Corrected",
        "DeadlineExtended",
        "ProgressReported",
        "CompletionClaimed",
        "CompletionVerified",
    ]
    assert new["5"] == ["MeasureAdded"]
    assert new["7"] == ["Recorded", "Assigned", "MeasureAdded"]
    assert all(new[n] == [] for n in ("1", "3", "4", "6"))
    corrected = ledger.history(after["2"].id)[versions["2"]]
    assert isinstance(corrected, Finding.Corrected) and corrected.corrects_event == "Recorded"
    assert corrected.envelope.basis == f"sha256:{report.sha256}" != f"sha256:{first.sha256}"
    assert after["2"].deadline == date(2018, 8, 31) and after["2"].extensions[0].previous == date(
        2018, 6, 10
    )


def test_a_file_saying_a_completed_finding_is_ongoing_sends_it_back(ledger: Ledger) -> None:
    first = apply_import(ledger, workbook(), options())
    rows = list(ROWS)
    rows[3] = (*rows[3][:9], "正在整改,需长期坚持")
    report = apply_import(ledger, workbook(rows), options())
    assert report.problems == [] and report.changed == 1
    finding = findings_by_number(ledger, str(first.inspection_id))["4"]
    assert type(ledger.history(finding.id)[-1]).__name__ == "SentBack"
    assert finding.status.value == "ongoing"


def test_columns_can_be_mapped_to_other_headers(ledger: Ledger) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["序号", "问题类别", "情况说明", "当前状态", "时限"])
    ws.append(["1", "资金管理", "资金滞留", "正在整改", "2018-12-31"])
    out = io.BytesIO()
    book.save(out)
    refused = plan_import(ledger, out.getvalue(), options())
    assert [p.message for p in refused.problems] == [
        "缺少必需列「问题描述」",
        "缺少必需列「完成情况」",
    ]
    mapped = options(mapping=("问题描述=情况说明", "完成情况=当前状态", "deadline=时限"))
    report = apply_import(ledger, out.getvalue(), mapped)
    assert report.problems == [] and report.created == 1
    finding = next(iter(findings_by_number(ledger, str(report.inspection_id)).values()))
    assert (finding.text, finding.deadline) == ("资金滞留", date(2018, 12, 31))


def test_an_import_keeps_one_idempotency_key_for_its_file_not_one_per_step(
    ledger: Ledger,
) -> None:
    report = apply_import(ledger, workbook(), options())
    assert report.applied and report.events == 35
    mine = [
        k for k, _, _ in idempotency_rows(ledger) if k.startswith(f"import:{report.sha256[:24]}")
    ]
    kinds = sorted(k.split(":")[2] for k in mine)
    # the file, the new inspection and its feedback, the six units it registered
    assert kinds == ["feedback", "file", "open-inspection", *["unit"] * 6]


def test_reimporting_a_file_after_the_ledger_changed_is_refused_and_records_nothing(
    ledger: Ledger,
) -> None:
    data = workbook()  # the same bytes each time (a workbook's bytes name the second saved)
    first = apply_import(ledger, data, options())
    rows = list(ROWS)
    rows[1] = (*rows[1][:8], "已完成动态调整", "已完成")
    assert apply_import(ledger, workbook(rows), options()).changed == 1  # another file
    before = log_snapshot(ledger)
    for again in (
        plan_import(ledger, data, options()),
        apply_import(ledger, data, options()),
    ):
        assert again.sha256 == first.sha256 and not again.applied
        assert [(p.row, p.message) for p in again.problems] == [(0, IMPORTED)]
    assert log_snapshot(ledger) == before


SHARED = pytest.mark.parametrize("backend_url", ["sqlite", "postgres"], indirect=True)


@SHARED
def test_of_two_imports_of_one_file_at_once_only_one_writes(
    ledger: Ledger, backend_url: str
) -> None:
    """Two application instances on one database stand for two processes; the units
    and the inspection exist already, so only the file's key is in common."""
    apply_import(ledger, workbook(), options())  # every unit registered, in another inspection
    second = replace(options().new_inspection, title="县委第二轮巡察")
    inspection = apply_import(ledger, workbook(ROWS[:1]), options(new_inspection=second))
    into = options(new_inspection=None, inspection_id=inspection.inspection_id)
    data = workbook()  # one file: the same bytes for both
    other = Ledger(Settings(backend_url))
    inner: list[Any] = []

    def meanwhile(done: int, total: int) -> None:
        if not inner:  # the other process imports the same file while this one decides
            inner.append(apply_import(other, data, into))

    try:
        with pytest.raises(VersionConflict):
            apply_import(ledger, data, into, meanwhile)
        assert inner[0].applied and inner[0].created == 5
        after = log_snapshot(other)
    finally:
        other.close()
    assert log_snapshot(ledger) == after
    found = findings_by_number(ledger, str(inspection.inspection_id))
    assert sorted(found) == ["1", "2", "3", "4", "5", "6"]
