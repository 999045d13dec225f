"""Who changed what, replay and provenance over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from types import SimpleNamespace

from openpyxl import load_workbook

from ledger.audit import HEADERS
from ledger.domain.values import BEIJING


def extend_late(world: SimpleNamespace) -> None:
    """Deadline 2019-06-10 extended on 2019-07-01: after it had passed."""
    answer = world.http["office"].post(
        f"/findings/{world.finding}/deadline-extensions",
        json={
            "new_deadline": "2019-09-30",
            "approver": "自治区党委",
            "reason": "汛期",
            "basis": "内党办〔2019〕7号",
            "effective_at": "2019-07-01",
        },
    )
    assert answer.status_code == 200, answer.text


def test_a_findings_trail_names_who_when_why_and_what_changed(world: SimpleNamespace) -> None:
    extend_late(world)
    trail = world.http["auditor"].get(f"/audit/records/{world.finding}").json()
    assert [e["kind"] for e in trail] == [
        "Finding.Recorded",
        "Finding.Assigned",
        "Finding.DeadlineExtended",
    ]
    last = trail[-1]
    assert (last["actor_name"], last["actor_role"]) == ("张伟", "inspection_office")
    assert (last["reason"], last["basis"]) == ("汛期", "内党办〔2019〕7号")
    assert last["effective_at"].startswith("2019-07-01T00:00:00+08:00")
    assert {"field": "deadline", "before": "2019-06-10", "after": "2019-09-30"} in last["changes"]
    assigned = {c["field"]: c for c in trail[1]["changes"]}
    assert assigned["lead_department"]["after"] == str(world.unit_a)


def test_changes_across_the_ledger_by_actor_unit_kind_time_and_lateness(
    world: SimpleNamespace,
) -> None:
    auditor = world.http["auditor"]
    started = datetime.now(BEIJING).isoformat()
    extend_late(world)
    world.http["unit"].post(f"/findings/{world.finding}/progress", json={"narrative": "进展"})
    by_unit = auditor.get("/audit/changes", params={"unit_id": str(world.unit_a)}).json()
    assert [e["kind"] for e in by_unit["items"]] == ["Finding.ProgressReported"]
    by_actor = auditor.get("/audit/changes", params={"actor_id": "office-1"}).json()["items"]
    assert {e["kind"] for e in by_actor} >= {"Finding.Recorded", "Finding.DeadlineExtended"}
    window = auditor.get("/audit/changes", params={"since": started}).json()["items"]
    assert [e["kind"] for e in window] == ["Finding.DeadlineExtended", "Finding.ProgressReported"]
    late = auditor.get("/audit/changes", params={"late": True}).json()["items"]
    assert [(e["record_id"], e["kind"]) for e in late] == [
        (str(world.finding), "Finding.DeadlineExtended")
    ]
    assert auditor.get("/audit/changes", params={"late": False}).json()["items"] == []
    kind = auditor.get("/audit/changes", params={"kind": "Unit.Registered"}).json()["items"]
    assert len(kind) == 2 and all(e["changes"] for e in kind)


def test_changes_come_in_pages(world: SimpleNamespace) -> None:
    auditor = world.http["auditor"]
    seen, after = [], None
    while True:
        page = auditor.get(
            "/audit/changes", params={"limit": 2, **({"after": after} if after else {})}
        ).json()
        seen += [e["position"] for e in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 6


def test_trails_export_as_csv_and_xlsx_with_chinese_headers(world: SimpleNamespace) -> None:
    extend_late(world)
    auditor = world.http["auditor"]
    answer = auditor.get(f"/audit/records/{world.finding}", params={"format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == HEADERS
    assert table[3][3] == "Finding.DeadlineExtended"
    assert "deadline:2019-06-10 → 2019-09-30" in table[3][13]
    book = auditor.get("/audit/changes", params={"format": "xlsx", "late": True})
    sheet = load_workbook(io.BytesIO(book.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][4] == "张伟" and rows[1][10] == "汛期"


def test_a_control_character_in_a_reason_is_marked_in_the_xlsx_not_a_failure(
    world: SimpleNamespace,
) -> None:
    office = world.http["office"]
    extended = office.post(
        f"/findings/{world.finding}/deadline-extensions",
        json={"new_deadline": "2019-09-30", "approver": "党委", "reason": "汛期\x01延误"},
    )
    assert extended.status_code == 200, extended.text
    book = office.get(f"/audit/records/{world.finding}", params={"format": "xlsx"})
    assert book.status_code == 200, book.text
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert rows[-1][10] == "汛期\ufffd延误"


def test_state_at_a_point_on_either_axis_and_the_difference(world: SimpleNamespace) -> None:
    office = world.http["office"]
    finding = office.post(
        f"/inspections/{world.inspection}/findings",
        json={
            "category": ["一、类别"],
            "number": "5",
            "text": "问题",
            "deadline": "2019-06-10",
            "effective_at": "2019-01-20",
        },
    ).json()["id"]
    before_backfill = datetime.now(BEIJING).isoformat()
    office.post(
        f"/findings/{finding}/progress",
        json={"narrative": "补录:已核查", "effective_at": "2019-03-28", "basis": "纸质台账"},
    )
    office.post(
        f"/findings/{finding}/claim", json={"summary": "已完成", "effective_at": "2019-03-29"}
    )
    as_of = office.get(f"/records/{finding}/state", params={"as_of": "2019-03-31"}).json()
    known = office.get(f"/records/{finding}/state", params={"known_at": before_backfill}).json()
    assert as_of["state"]["status"] == "claimed"
    assert known["state"]["status"] == "ongoing"
    earlier = office.get(f"/records/{finding}/state", params={"as_of": "2018-01-01"})
    assert earlier.json()["state"] is None
    diff = office.get(
        f"/records/{finding}/difference", params={"from_known_at": before_backfill}
    ).json()
    assert {"field": "status", "before": "ongoing", "after": "claimed"} in diff["changes"]
    assert [e["kind"] for e in diff["added"]] == [
        "Finding.ProgressReported",
        "Finding.CompletionClaimed",
    ]
    assert diff["added"][0]["basis"] == "纸质台账"


def test_every_figure_expands_to_the_findings_behind_it(world: SimpleNamespace) -> None:
    office = world.http["office"]
    for n in range(3):
        office.post(
            f"/inspections/{world.inspection}/findings",
            json={
                "category": ["二、类别"],
                "number": f"2.{n}",
                "text": "问题",
                "long_term": n == 0,
                "deadline": "2019-06-30",
                "effective_at": "2019-02-01",
            },
        )
    counts = office.get(f"/inspections/{world.inspection}").json()
    for figure in (
        "total",
        "completed",
        "ongoing",
        "long_term",
        "overdue",
        "claimed",
        "struck_off",
        "sent_back",
    ):
        found = office.get(
            f"/inspections/{world.inspection}/provenance", params={"figure": figure, "limit": 1000}
        ).json()
        assert found["value"] == counts[figure] == len(found["findings"]["items"]), figure
    behind = office.get(
        f"/inspections/{world.inspection}/provenance", params={"figure": "total"}
    ).json()["findings"]["items"]
    trail = office.get(f"/audit/records/{behind[0]['finding_id']}").json()
    assert trail[0]["kind"] == "Finding.Recorded"


def test_a_unit_sees_the_history_of_its_own_findings_only(world: SimpleNamespace) -> None:
    unit, other = world.http["unit"], world.http["other_unit"]
    assert unit.get(f"/audit/records/{world.finding}").status_code == 200
    assert unit.get(f"/records/{world.finding}/state").status_code == 200
    assert other.get(f"/audit/records/{world.finding}").status_code == 403
    assert other.get(f"/records/{world.finding}/difference").status_code == 403
    assert unit.get("/audit/changes").status_code == 403
    assert unit.get(f"/audit/records/{world.inspection}").status_code == 403


def test_an_unknown_record_is_404(world: SimpleNamespace) -> None:
    answer = world.http["auditor"].get("/audit/records/00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert answer.json()["field"] == "record_id"
