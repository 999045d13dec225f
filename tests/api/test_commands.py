"""Commands over real HTTP: a finding from record to strike-off, on SQLite and PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

from ledger.domain.values import Role


def test_a_finding_goes_from_record_to_strike_off_over_http(world: SimpleNamespace) -> None:
    office, unit = world.http["office"], world.http["unit"]
    recorded = office.post(
        f"/inspections/{world.inspection}/findings",
        json={
            "category": ["二、精准识别不到位", "（二）漏评"],
            "number": "(二)1",
            "text": "个别嘎查建档立卡贫困户识别不精准",
            "deadline": "2019-06-30",
            "effective_at": "2019-01-20",
            "basis": "内巡整改〔2019〕1号",
        },
    )
    assert recorded.status_code == 201, recorded.text
    finding = recorded.json()["id"]
    assert recorded.json()["version"] == 1
    assert recorded.headers["ETag"] == '"1"'
    steps = [
        (
            office,
            "assignment",
            {"lead_department": str(world.unit_a), "units": [str(world.unit_a)]},
        ),
        (
            unit,
            "measures",
            {
                "kind": "immediate",
                "text": "逐户核查",
                "owner_unit": str(world.unit_a),
                "deadline": "2019-03-31",
            },
        ),
        (
            unit,
            "progress",
            {
                "narrative": "已核查 202 户",
                "figures": [{"name": "核查户数", "value": "202", "unit": "户"}],
                "evidence": [{"title": "核查报告", "document_no": "兴扶〔2019〕3号"}],
            },
        ),
        (unit, "claim", {"summary": "已完成"}),
        (office, "verification", {"opinion": "同意"}),
        (office, "strike-off", {}),
    ]
    for client, path, body in steps:
        answer = client.post(f"/findings/{finding}/{path}", json=body)
        assert answer.status_code in (200, 201), (path, answer.text)
    shown = office.get(f"/findings/{finding}").json()
    assert shown["status"] == "struck_off"
    assert shown["completed"] is True
    assert shown["measures"][0]["text"] == "逐户核查"
    counts = office.get(f"/inspections/{world.inspection}").json()
    assert (counts["total"], counts["completed"], counts["ongoing"]) == (2, 1, 1)


def test_the_actor_of_every_event_comes_from_the_token(world: SimpleNamespace) -> None:
    answer = world.http["unit"].post(
        f"/findings/{world.finding}/measures",
        json={
            "kind": "rules",
            "text": "建立台账",
            "owner_unit": str(world.unit_a),
            "long_term": True,
        },
    )
    assert answer.status_code == 201, answer.text
    last = world.ledger.history(world.finding)[-1]
    assert last.envelope.actor.id == "unit-a"
    assert last.envelope.actor.role is Role.RESPONSIBLE_UNIT
    assert last.envelope.actor.unit == world.unit_a


def test_a_body_cannot_name_its_own_actor(world: SimpleNamespace, snapshot_of) -> None:
    before = snapshot_of(world.ledger)
    answer = world.http["unit"].post(
        f"/findings/{world.finding}/claim",
        json={"summary": "已完成", "actor": {"id": "office-1", "role": "inspection_office"}},
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "actor"
    assert snapshot_of(world.ledger) == before


def test_envelope_fields_reach_the_event(world: SimpleNamespace) -> None:
    answer = world.http["office"].post(
        f"/findings/{world.finding}/deadline-extensions",
        json={
            "new_deadline": "2019-09-30",
            "approver": "自治区党委",
            "reason": "涉及跨年度项目",
            "basis": "内党办〔2019〕7号",
            "effective_at": "2019-05-01",
        },
    )
    assert answer.status_code == 200, answer.text
    envelope = world.ledger.history(world.finding)[-1].envelope
    assert (envelope.reason, envelope.basis) == ("涉及跨年度项目", "内党办〔2019〕7号")
    assert envelope.effective_at.isoformat().startswith("2019-05-01T00:00:00+08:00")
    register = world.http["office"].get("/extensions").json()
    assert register[0]["new_deadline"] == "2019-09-30"
    assert register[0]["approver"] == "自治区党委"


def test_units_and_people_are_registered_over_http(world: SimpleNamespace) -> None:
    admin = world.http["admin"]
    unit = admin.post(
        "/units", json={"name": "阿尔山市扶贫办", "level": "county", "parent_id": str(world.unit_a)}
    )
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]
    assert admin.post(
        f"/units/{unit_id}/headcount", json={"year": 2019, "headcount": 30}
    ).is_success
    assert admin.post(f"/units/{unit_id}/name", json={"name": "阿尔山市乡村振兴局"}).is_success
    person = admin.post("/people", json={"name": "刘强"})
    assert person.status_code == 201
    pid = person.json()["id"]
    taken = admin.post(
        f"/people/{pid}/positions",
        json={"unit_id": unit_id, "title": "局长", "start": "2019-01-01"},
    )
    assert taken.is_success, taken.text
    left = admin.post(
        f"/people/{pid}/departures", json={"unit_id": unit_id, "title": "局长", "end": "2019-12-31"}
    )
    assert left.is_success, left.text
    assert world.ledger.get_unit(unit_id).name == "阿尔山市乡村振兴局"


def test_the_docs_load_every_asset_from_the_server_itself(world: SimpleNamespace) -> None:
    import re

    import httpx

    base = world.server.url
    for page in ("/docs", "/redoc"):
        html = httpx.get(base + page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), (page, asset)  # no CDN, no other host
            assert httpx.get(base + asset).status_code == 200, asset
    assert httpx.get(base + "/openapi.json").json()["info"]["title"].startswith("ledger")
