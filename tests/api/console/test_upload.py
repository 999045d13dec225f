"""Uploading a rectification ledger from the console, in a real browser: a real .xlsx made
with openpyxl, the check that records nothing (every problem by sheet, row and column), then
the import itself once the file has no problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from tests.conftest import log_snapshot

HEADER = ["序号", "问题类别", "问题描述", "整改措施", "责任领导", "牵头单位", "责任单位"]
HEADER += ["整改时限", "整改进展", "完成情况"]
GOOD = [
    ["1", "扶贫资金 > 资金管理", "扶贫资金滞留闲置", "清理盘活滞留资金", "张副县长", "县财政局",
     "县财政局、县扶贫办", "2018年6月10日", "", "正在整改"],
    ["2", "精准识别 > 识别不准", "贫困户识别不精准", "开展动态调整", "李副县长", "县扶贫办",
     "县扶贫办", "2018-07-31", "", "正在整改"],
    ["3", "作风建设", "填表报数过多", "精简报表", "王书记", "县委办", "县委办", "长期坚持",
     "报表由 42 张精简为 9 张", "正在整改,需长期坚持"],
]  # fmt: skip
NEW = {
    "title": "县委第一轮巡察",
    "inspected_body": "县扶贫开发领导小组",
    "inspecting_body": "县委第一巡察组",
    "feedback_date": "2018-05-02",
    "year": "2018",
}


def workbook(path: Path, rows: list[list[str]]) -> Path:
    """An .xlsx as an office would keep it: a title row, then the header, then the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    sheet.append(["县委第一轮巡察反馈问题整改台账"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def choose(v: Any, path: Path) -> None:
    v.page.set_input_files("#import-file", str(path))
    form = "form.import"
    for name, value in NEW.items():
        v.page.fill(f'{form} [data-field="{name}"]', value)


def test_a_file_with_problems_is_listed_by_row_and_column_and_nothing_is_recorded(
    visit: Any, people: Any, demo_api: Any, tmp_path: Path
) -> None:
    bad = [GOOD[0], [*GOOD[1][:9], "差不多完成"], [*GOOD[2][:7], "2018年2月30日", *GOOD[2][8:]]]
    path = workbook(tmp_path / "台账-有问题.xlsx", bad)
    with people.api(people.office) as api:
        expected = api.post(
            "/imports",
            content=path.read_bytes(),
            params={**NEW, "dry_run": "true"},
            headers={"Content-Type": "application/octet-stream"},
        ).json()["problems"]
    assert len(expected) >= 2
    before = log_snapshot(demo_api.ledger)
    v = visit()
    v.sign_in(people.office)
    v.page.click("#nav a[data-nav=import]")
    v.page.wait_for_selector("form.import")
    choose(v, path)
    v.page.click("form.import button[type=submit]")
    v.page.wait_for_selector("table.problems")
    rows = v.page.locator("table.problems tbody tr")
    shown = [r.locator("td").all_inner_texts() for r in rows.all()]
    wanted = [[p["sheet"], str(p["row"]), p["column"] or "—", p["message"]] for p in expected]
    assert shown == wanted
    assert {(r[1], r[2]) for r in shown} >= {("4", "J列(完成情况)"), ("5", "H列(整改时限)")}
    assert v.page.locator("[data-action=confirm]").count() == 0
    assert f"文件有 {len(expected)} 处问题" in v.page.locator(".import-report").inner_text()
    v.shot("problems")
    assert log_snapshot(demo_api.ledger) == before
    assert v.console.unexpected() == []


def test_a_clean_file_is_checked_then_imported_on_confirmation(
    visit: Any, people: Any, demo_api: Any, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "台账.xlsx", GOOD)
    before = log_snapshot(demo_api.ledger)
    v = visit()
    v.sign_in(people.office)
    v.go("#/import")
    choose(v, path)
    v.page.click("form.import button[type=submit]")
    v.page.wait_for_selector("[data-action=confirm]")
    report = v.page.locator(".import-report").inner_text()
    assert "检查通过" in report and "3 个" in report
    assert log_snapshot(demo_api.ledger) == before  # the check recorded nothing
    button = v.page.locator("[data-action=confirm]").inner_text()  # 确认导入(记录 N 个事件)
    events = int(button.split("记录 ")[1].split(" ")[0])
    v.shot("checked")
    size = demo_api.size()
    v.page.click("[data-action=confirm]")
    v.page.wait_for_selector(".import-report .flash[role=status]")
    assert f"已导入:记录 {events} 个事件" in v.page.locator(".import-report").inner_text()
    assert demo_api.size() == size + events
    v.shot("imported")
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click(".import-report a")
    v.ready()
    assert v.page.locator("h1").inner_text() == "县委第一轮巡察"
    assert "问题总数3" in v.page.locator(".facts").inner_text().replace("\n", "")
    assert v.console.unexpected() == []


def test_a_missing_file_is_refused_next_to_the_file_field(
    visit: Any, people: Any, demo_api: Any
) -> None:
    before = log_snapshot(demo_api.ledger)
    v = visit()
    v.sign_in(people.office)
    v.go("#/import")
    v.page.click("form.import button[type=submit]")
    error = v.page.locator("#import-file-error")
    error.wait_for()
    assert error.inner_text() == "请求体为空:请上传 .xlsx 或 .csv 文件"
    assert v.page.get_attribute("#import-file", "aria-invalid") == "true"
    assert log_snapshot(demo_api.ledger) == before
    assert v.console.unexpected(refusals=(422,)) == []


def test_only_the_office_sees_the_import(visit: Any, people: Any) -> None:
    for token in (people.discipline, people.auditor, people.unit):
        v = visit()
        v.sign_in(token)
        assert v.page.locator("#nav a[data-nav=import]").is_hidden()
        v.go("#/import")
        assert v.page.locator("form.import").count() == 0
        assert "只有巡视整改办可以导入台账" in v.page.locator("main").inner_text()
        assert v.console.unexpected() == []
