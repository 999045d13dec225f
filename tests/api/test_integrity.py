"""Provable history over real HTTP: the status page's data, verifying on demand (and who may),
dispute bundles checked offline, and a record's timeline at a point."""

from __future__ import annotations

from types import SimpleNamespace

from ledger.application.ledger import Ledger
from ledger.proof.bundle import verify_bundle
from ledger.proof.checkpoint import open_note
from ledger.proof.history import Verification, Verifications
from ledger.proof.keys import VerifierKey
from ledger.proof.store import Location
from tests.conftest import log_snapshot
from tests.proof.conftest import event_at
from tests.proof.test_tamper import changed, set_state

VERIFIERS = {"office", "discipline", "auditor", "admin"}


def recorded(ledger: Ledger) -> list[Verification]:
    store = Location.of(ledger).open()
    try:
        return Verifications(store).recent(1000)
    finally:
        store.close()


def test_the_status_gives_a_signed_checkpoint_of_the_whole_log_and_no_verdict_yet(
    world: SimpleNamespace,
) -> None:
    answer = world.http["unit"].get("/integrity/status")
    assert answer.status_code == 200, answer.text
    status = answer.json()
    point = status["checkpoint"]
    assert point["tree_size"] == world.ledger.recorder.max_notification_id() > 0
    verifier = VerifierKey.parse(point["public_key"])
    opened = open_note(point["note"], verifier)
    assert opened.size == point["tree_size"]
    assert status["last_verification"] is None


def test_verifying_now_records_the_verdict_and_the_status_shows_it(world: SimpleNamespace) -> None:
    before = log_snapshot(world.ledger)
    answer = world.http["auditor"].post("/integrity/verifications")
    assert answer.status_code == 201, answer.text
    verdict = answer.json()
    assert verdict["ok"] is True and verdict["first_seq"] is None
    assert verdict["tree_size"] == verdict["events"] == world.ledger.recorder.max_notification_id()
    assert verdict["actor"].startswith("王审(审计")
    assert "核验通过" in verdict["message"]
    assert world.http["unit"].get("/integrity/status").json()["last_verification"] == verdict
    assert log_snapshot(world.ledger) == before  # verifying writes no event and no entry


def test_a_tampered_byte_fails_the_verification_at_its_position(world: SimpleNamespace) -> None:
    set_state(world.ledger, 3, changed(bytes(event_at(world.ledger, 3)[4])))
    verdict = world.http["office"].post("/integrity/verifications").json()
    assert verdict["ok"] is False and verdict["first_seq"] == 3
    assert "内容与条目不符" in verdict["message"] and verdict["problems"] >= 1
    last = world.http["discipline"].get("/integrity/status").json()["last_verification"]
    assert last["id"] == verdict["id"] and last["ok"] is False


def test_only_the_office_discipline_auditors_and_admin_may_verify(world: SimpleNamespace) -> None:
    for role, client in world.http.items():
        before = (recorded(world.ledger), log_snapshot(world.ledger))
        answer = client.post("/integrity/verifications")
        if role in VERIFIERS:
            assert answer.status_code == 201, (role, answer.text)
            assert len(recorded(world.ledger)) == len(before[0]) + 1
        else:
            assert answer.status_code == 403, (role, answer.text)
            assert answer.json()["error"] == "permission_denied"
            assert (recorded(world.ledger), log_snapshot(world.ledger)) == before, role
    assert world.server.client().post("/integrity/verifications").status_code == 401


def test_a_findings_bundle_downloads_and_verifies_offline_with_the_public_key(
    world: SimpleNamespace,
) -> None:
    answer = world.http["unit"].get(f"/integrity/bundles/{world.finding}")
    assert answer.status_code == 200, answer.text
    assert f'filename="bundle-{world.finding}.json"' in answer.headers["content-disposition"]
    key = VerifierKey.parse(world.http["unit"].get("/integrity/public-key").json()["public_key"])
    checkpoint, proven = verify_bundle(answer.content, key)
    assert [e.originator_version for e in proven] == [1, 2]  # recorded, assigned
    assert {e.originator_id for e in proven} == {str(world.finding)}
    assert checkpoint.size == world.ledger.recorder.max_notification_id()
    assert world.http["other_unit"].get(f"/integrity/bundles/{world.finding}").status_code == 403


def test_a_records_timeline_at_a_point_lists_only_the_events_that_hold_there(
    world: SimpleNamespace,
) -> None:
    office = world.http["office"]
    finding = office.post(
        f"/inspections/{world.inspection}/findings",
        json={
            "category": ["一、类别"],
            "number": "2",
            "text": "问题",
            "effective_at": "2019-01-20",
        },
    ).json()["id"]
    path = f"/audit/records/{finding}"
    office.post(f"/findings/{finding}/progress", json={"narrative": "今天的进展"})
    office.post(
        f"/findings/{finding}/progress",
        json={"narrative": "补录的进展", "effective_at": "2019-03-01"},
    )
    everything = office.get(path)
    assert everything.headers["record-events"] == "3" and len(everything.json()) == 3
    march = office.get(path, params={"as_of": "2019-03-31"})
    assert [e["version"] for e in march.json()] == [1, 3]  # the back-filled report holds
    assert march.headers["record-events"] == "3"
    assert [e["version"] for e in office.get(path, params={"as_of": "2019-02-01"}).json()] == [1]
    second = everything.json()[1]["recorded_at"]
    known = office.get(path, params={"known_at": second})
    assert [e["version"] for e in known.json()] == [1, 2]
    both = office.get(path, params={"as_of": "2019-03-31", "known_at": second})
    assert [e["version"] for e in both.json()] == [1]
    before = office.get(path, params={"as_of": "2000-01-01"})
    assert before.status_code == 200 and before.json() == []
    future = office.get(path, params={"known_at": "2999-01-01T00:00:00+08:00"})
    assert future.status_code == 422 and future.json()["field"] == "known_at"
