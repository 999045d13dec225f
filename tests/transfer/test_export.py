"""Exports: the XLSX ledger as of a date, and the public progress report without personal names."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.base import set_clock
from ledger.domain.values import BEIJING, Actor
from ledger.projections.queries import When
from ledger.transfer.importer import apply_import
from ledger.transfer.report import progress_report
from ledger.transfer.xlsx_out import export_xlsx
from tests.transfer.conftest import ROWS, options, sheet_rows, workbook


def test_the_xlsx_export_shows_the_ledger_as_of_a_date(ledger: Ledger, office: Actor) -> None:
    report = apply_import(ledger, workbook(), options())  # effective 2018-08-01
    rows = list(ROWS)
    rows[1] = (*rows[1][:8], "已完成动态调整", "已完成")
    later = apply_import(ledger, workbook(rows), options(effective=date(2018, 10, 15)))
    assert later.changed == 1
    ledger.record_finding(
        office,
        report.inspection_id,
        category=["新增"],
        number="8",
        text="后续发现的问题",
        deadline="2018-12-31",
        ctx=CommandContext(effective_at=date(2018, 10, 1)),
    )
    out = io.BytesIO()
    export_xlsx(ledger, out, When.of(date(2018, 9, 30)), report.inspection_id)
    then = {r[0]: r for r in sheet_rows(out.getvalue()) if r[0]}
    assert list(then) == ["1", "2", "3", "4", "5", "6"]  # 8 took effect on 1 October
    assert (then["1"][-1], then["2"][-1], then["2"][-2]) == ("已完成", "正在整改", None)
    export_xlsx(ledger, out := io.BytesIO(), inspection_id=report.inspection_id)
    now = {r[0]: r for r in sheet_rows(out.getvalue()) if r[0]}
    assert (now["2"][-1], now["2"][-2]) == ("已完成", "已完成动态调整")
    assert now["4"][-1] == "已完成,需长期坚持" and "8" in now
    nothing = io.BytesIO()
    export_xlsx(ledger, nothing, When.of(date(2018, 7, 31)), report.inspection_id)
    assert sheet_rows(nothing.getvalue()) == []  # the inspection itself was not yet open


def test_the_xlsx_export_as_known_at_a_moment_leaves_out_later_records(
    ledger: Ledger, office: Actor
) -> None:
    set_clock(lambda: datetime(2018, 8, 2, 9, tzinfo=BEIJING))
    try:
        report = apply_import(ledger, workbook(), options())
    finally:
        set_clock(None)
    out = io.BytesIO()
    export_xlsx(ledger, out, When.of(None, datetime(2018, 8, 1, 18, tzinfo=BEIJING)))
    assert [r[0] for r in sheet_rows(out.getvalue())] == []
    assert report.created == 6


def test_control_characters_in_recorded_text_are_marked_in_the_xlsx_not_a_failure(
    ledger: Ledger, office: Actor
) -> None:
    inspection = ledger.open_inspection(
        office, kind="tour", title="巡察\x0b一组", inspecting_body="县委", inspected_body="某乡"
    ).id
    ledger.record_finding(office, inspection, category=["一"], number="1", text="底数\x01不清")
    out = io.BytesIO()
    export_xlsx(ledger, out, inspection_id=str(inspection))
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.worksheets[0]["A1"].value.startswith("巡察\ufffd一组")
    assert sheet_rows(out.getvalue())[0][2] == "底数\ufffd不清"


def test_the_progress_report_gives_the_counts_and_measures_but_no_names(ledger: Ledger) -> None:
    apply_import(ledger, workbook(), options())
    for fmt in ("md", "html"):
        text = progress_report(ledger, fmt)
        assert "共反馈问题 6 个,已完成整改 2 个,正在整改 4 个,其中需长期坚持 2 个" in text
        assert "建立资金拨付台账,按月通报" in text and "扶贫资金" in text
        for name in ("张副县长", "李副县长", "王书记", "周敏"):  # leaders and the importer
            assert name not in text
    assert "| 精准识别 | 2 | 0 | 2 | 1 |" in progress_report(ledger, "md")
    html = progress_report(ledger, "html")
    assert html.startswith("<!DOCTYPE html>") and "<td>精准识别</td><td>2</td>" in html
    assert ROWS[0][2] in html
