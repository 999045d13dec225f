"""Uploading a rectification ledger and downloading reports over HTTP."""

from __future__ import annotations

import io
from types import SimpleNamespace

from openpyxl import load_workbook

from tests.transfer.conftest import ROWS, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW = {
    "title": "县委第一轮巡察",
    "inspected_body": "县扶贫开发领导小组",
    "inspecting_body": "县委第一巡察组",
    "year": 2018,
}


def upload(client, data: bytes, **params):
    return client.post(
        "/imports", content=data, params={**NEW, **params}, headers={"Content-Type": XLSX}
    )


def test_a_dry_run_checks_everything_and_records_nothing(
    world: SimpleNamespace, snapshot_of
) -> None:
    before = snapshot_of(world.ledger)
    answer = upload(world.http["office"], workbook())
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["dry_run"], report["applied"], report["problems"]) == (True, False, [])
    assert report["findings"] == len(ROWS)
    assert snapshot_of(world.ledger) == before


def test_an_import_records_the_file_once(world: SimpleNamespace, snapshot_of) -> None:
    office = world.http["office"]
    first = upload(office, workbook(), dry_run=False)
    assert first.status_code == 201, first.text
    assert first.json()["applied"] and first.json()["events"] > 0
    inspection = first.json()["inspection_id"]
    assert office.get(f"/inspections/{inspection}").json()["total"] == len(ROWS)
    after = snapshot_of(world.ledger)
    again = upload(office, workbook(), dry_run=False)
    assert again.status_code == 200 and again.json()["events"] == 0
    assert snapshot_of(world.ledger) == after


def test_a_file_with_problems_is_refused_whole_with_every_problem(
    world: SimpleNamespace, snapshot_of
) -> None:
    rows = [ROWS[0], ("1", *ROWS[1][1:]), ("3", "类别", "", ["措施"], *ROWS[0][4:])]
    before = snapshot_of(world.ledger)
    answer = upload(world.http["office"], workbook(rows), dry_run=False)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "import_refused" and body["field"] == "file"
    problems = body["report"]["problems"]
    assert len(problems) >= 2 and all(p["row"] > 0 and p["message"] for p in problems)
    assert snapshot_of(world.ledger) == before


def test_not_a_spreadsheet_and_an_empty_body_are_refused(
    world: SimpleNamespace, snapshot_of
) -> None:
    before = snapshot_of(world.ledger)
    garbage = upload(world.http["office"], b"\x00\x01 not a workbook", dry_run=False)
    assert garbage.status_code == 422
    empty = upload(world.http["office"], b"", dry_run=False)
    assert empty.status_code == 422 and empty.json()["field"] == "file"
    nowhere = world.http["office"].post(
        "/imports", content=workbook(), headers={"Content-Type": XLSX}
    )
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "inspection_id"
    assert snapshot_of(world.ledger) == before


def test_only_the_office_imports(world: SimpleNamespace, snapshot_of) -> None:
    before = snapshot_of(world.ledger)
    for role in ("unit", "auditor", "discipline", "admin"):
        answer = upload(world.http[role], workbook(), dry_run=False)
        assert answer.status_code == 403, role
    assert snapshot_of(world.ledger) == before


def test_the_ledger_and_the_progress_report_download(world: SimpleNamespace) -> None:
    office = world.http["office"]
    upload(office, workbook(), dry_run=False)
    book = office.get("/exports/ledger.xlsx")
    assert book.headers["content-type"] == XLSX
    sheets = load_workbook(io.BytesIO(book.content)).sheetnames
    assert "县委第一轮巡察" in "".join(sheets)
    html = office.get("/exports/progress-report")
    assert html.headers["content-type"].startswith("text/html")
    assert "整改" in html.text and "张副县长" not in html.text
    md = office.get("/exports/progress-report", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert world.http["unit"].get("/exports/ledger.xlsx").status_code == 403
