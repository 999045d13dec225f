"""Queries over HTTP: both time axes, cursors, filters, ETags."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from ledger.api.schemas import CountsPublic
from ledger.domain.values import BEIJING


def test_counts_as_of_a_day_before_the_inspection_existed_are_empty(world: SimpleNamespace) -> None:
    office = world.http["office"]
    assert office.get("/inspections").json()[0]["total"] == 1
    assert office.get("/inspections?as_of=2018-01-01").json() == []
    answer = office.get(f"/inspections/{world.inspection}?as_of=2018-01-01")
    assert answer.status_code == 404


def test_one_inspections_counts_are_sent_exactly_as_the_response_model_renders_them(
    world: SimpleNamespace,
) -> None:
    # The route writes the read model's counts without the response model; asked
    # twice, the second answer is the kept one.
    office = world.http["office"]
    first, kept = (office.get(f"/inspections/{world.inspection}") for _ in range(2))
    model = CountsPublic.model_validate(first.json())
    assert first.content == kept.content == model.model_dump_json().encode()
    assert first.headers["content-type"] == "application/json"
    assert model.inspection_id == world.inspection and model.total == 1


def test_counts_known_at_a_moment_show_what_the_ledger_showed_then(world: SimpleNamespace) -> None:
    office = world.http["office"]
    before = datetime.now(BEIJING)
    recorded = office.post(
        f"/inspections/{world.inspection}/findings",
        json={"category": ["一、类别"], "number": "2", "text": "后来登记的问题", "long_term": True},
    )
    assert recorded.status_code == 201
    now = office.get(f"/inspections/{world.inspection}").json()
    then = office.get(
        f"/inspections/{world.inspection}", params={"known_at": before.isoformat()}
    ).json()
    assert (now["total"], then["total"]) == (2, 1)
    naive = before.replace(tzinfo=None).isoformat()  # read as Beijing time
    assert office.get(f"/inspections/{world.inspection}", params={"known_at": naive}).json() == then


def test_overdue_is_judged_on_the_day_asked_about(world: SimpleNamespace) -> None:
    office = world.http["office"]
    finding = office.post(
        f"/inspections/{world.inspection}/findings",
        json={
            "category": ["一、类别"],
            "number": "3",
            "text": "问题",
            "deadline": "2019-06-10",
            "effective_at": "2019-01-20",
        },
    ).json()["id"]
    on_time = office.get("/overdue", params={"as_of": "2019-06-10"}).json()["items"]
    late = office.get("/overdue", params={"as_of": "2019-06-11"}).json()["items"]
    assert on_time == []
    assert [f["finding_id"] for f in late] == [finding]
    assert late[0]["days_overdue"] == 1


def test_pages_follow_their_cursors_to_the_end(world: SimpleNamespace) -> None:
    office = world.http["office"]
    for n in range(5):
        office.post(
            f"/inspections/{world.inspection}/findings",
            json={
                "category": ["二、类别", f"项{n % 2}"],
                "number": f"2.{n}",
                "text": "问题",
                "long_term": True,
            },
        )
    seen, after = [], None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        page = office.get("/findings", params=params).json()
        seen += [f["number"] for f in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert seen == ["(一)1", "2.0", "2.1", "2.2", "2.3", "2.4"]
    items = office.get("/findings", params={"category": "二、类别 > 项1"}).json()["items"]
    assert [f["number"] for f in items] == ["2.1", "2.3"]
    rollup = office.get(f"/inspections/{world.inspection}/rollups", params={"by": "item"}).json()
    assert [(r["category"], r["item"], r["total"]) for r in rollup][1:] == [
        ("二、类别", "项0", 3),
        ("二、类别", "项1", 2),
    ]


def test_one_finding_carries_its_version_as_etag(world: SimpleNamespace) -> None:
    answer = world.http["office"].get(f"/findings/{world.finding}")
    assert answer.headers["ETag"] == f'"{answer.json()["version"]}"'
    assert answer.json()["units"][0]["unit_id"] == str(world.unit_a)


def test_letters_outstanding_by_level(world: SimpleNamespace) -> None:
    office = world.http["office"]
    issued = office.post(
        f"/findings/{world.finding}/letters",
        json={
            "letter_no": "内督〔2019〕1号",
            "level": "principal",
            "addressed_to": str(world.unit_a),
            "due_date": (datetime.now(BEIJING).date() + timedelta(days=7)).isoformat(),
        },
    )
    assert issued.status_code == 201, issued.text
    assert office.get("/letters/by-level").json() == {"staff": 0, "deputy": 0, "principal": 1}
    letters = office.get("/letters").json()
    assert letters[0]["letter_no"] == "内督〔2019〕1号"
    assert letters[0]["outstanding"] is True
    answered = world.http["unit"].post(
        f"/findings/{world.finding}/letter-answers",
        json={"letter_no": "内督〔2019〕1号", "answer": "已整改"},
    )
    assert answered.status_code == 200, answered.text
    assert office.get("/letters").json() == []
    assert office.get("/letters", params={"outstanding": False}).json()[0]["answer"] == "已整改"
