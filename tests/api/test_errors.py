"""Every refusal: its status, its body naming the field or rule, and an unchanged log."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import update

from ledger.infrastructure.credentials import TOKENS


def refused(
    world: SimpleNamespace,
    snapshot_of,
    answer: httpx.Response,
    status: int,
    field: str | None = None,
) -> dict:
    body = answer.json()
    assert answer.status_code == status, answer.text
    assert set(body) == {"error", "detail", "field"}
    assert body["detail"]
    if field is not None:
        assert body["field"] == field
    return body


@pytest.fixture
def unchanged(world: SimpleNamespace, snapshot_of):
    """Asserts at the end of the test that nothing was written."""
    before = snapshot_of(world.ledger)
    yield
    assert snapshot_of(world.ledger) == before


def test_malformed_json_is_400(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(
        f"/findings/{world.finding}/claim",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    refused(world, snapshot_of, answer, 400)


def test_a_missing_field_is_422_and_names_it(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(f"/findings/{world.finding}/claim", json={})
    refused(world, snapshot_of, answer, 422, "summary")


def test_a_malformed_id_in_the_path_is_422(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post("/findings/not-a-uuid/claim", json={"summary": "x"})
    refused(world, snapshot_of, answer, 422, "finding_id")


def test_an_unknown_finding_is_404(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(
        "/findings/00000000-0000-4000-8000-000000000000/claim", json={"summary": "x"}
    )
    refused(world, snapshot_of, answer, 404, "finding_id")


def test_a_rule_broken_by_a_value_is_422_with_the_rule(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(
        f"/findings/{world.finding}/deadline-extensions",
        json={"new_deadline": "2019-09-30", "approver": "自治区党委"},  # no reason
    )
    body = refused(world, snapshot_of, answer, 422, "reason")
    assert "理由" in body["detail"] or "reason" in body["detail"]


def test_a_command_out_of_turn_is_409(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(f"/findings/{world.finding}/verification", json={})
    refused(world, snapshot_of, answer, 409)


def test_a_role_that_may_not_is_403(world, snapshot_of, unchanged) -> None:
    answer = world.http["auditor"].post(f"/findings/{world.finding}/claim", json={"summary": "x"})
    refused(world, snapshot_of, answer, 403, "role")


def test_an_effective_time_in_the_future_is_422(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(
        f"/findings/{world.finding}/long-term", json={"effective_at": "2999-01-01"}
    )
    refused(world, snapshot_of, answer, 422, "effective_at")


def test_a_naive_or_malformed_effective_time_is_422(world, snapshot_of, unchanged) -> None:
    for value in ("2019-05-01T10:00", "yesterday", "2019-02-30"):
        answer = world.http["office"].post(
            f"/findings/{world.finding}/long-term", json={"effective_at": value}
        )
        refused(world, snapshot_of, answer, 422, "effective_at")


def test_an_expected_version_that_moved_on_is_409(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(
        f"/findings/{world.finding}/long-term", json={"expected_version": 1}
    )
    body = refused(world, snapshot_of, answer, 409, "expected_version")
    assert body["error"] == "version_conflict"


def test_if_match_with_an_old_version_is_412(world, snapshot_of) -> None:
    shown = world.http["office"].get(f"/findings/{world.finding}")
    etag = shown.headers["ETag"]
    before = snapshot_of(world.ledger)
    stale = world.http["office"].post(
        f"/findings/{world.finding}/long-term", json={}, headers={"If-Match": '"1"'}
    )
    refused(world, snapshot_of, stale, 412, "expected_version")
    assert snapshot_of(world.ledger) == before
    fresh = world.http["office"].post(
        f"/findings/{world.finding}/long-term", json={}, headers={"If-Match": etag}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'


def test_a_malformed_if_match_is_422(world, snapshot_of, unchanged) -> None:
    answer = world.http["office"].post(
        f"/findings/{world.finding}/long-term", json={}, headers={"If-Match": "abc"}
    )
    refused(world, snapshot_of, answer, 422, "If-Match")


def test_a_retried_command_returns_the_first_answer_and_records_nothing(world, snapshot_of) -> None:
    office = world.http["office"]
    body = {
        "kind": "immediate",
        "text": "逐户核查",
        "owner_unit": str(world.unit_a),
        "deadline": "2019-03-31",
    }
    key = {"Idempotency-Key": "measure-1"}
    first = office.post(f"/findings/{world.finding}/measures", json=body, headers=key)
    assert first.status_code == 201, first.text
    after_first = snapshot_of(world.ledger)
    again = office.post(f"/findings/{world.finding}/measures", json=body, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert snapshot_of(world.ledger) == after_first
    other = office.post(
        f"/findings/{world.finding}/measures", json={**body, "text": "另一项"}, headers=key
    )
    refused(world, snapshot_of, other, 409, "idempotency_key")
    assert snapshot_of(world.ledger) == after_first


def test_idempotency_keys_are_per_caller(world, snapshot_of) -> None:
    key = {"Idempotency-Key": "same-key"}
    body = {"narrative": "进展"}
    a = world.http["office"].post(f"/findings/{world.finding}/progress", json=body, headers=key)
    b = world.http["unit"].post(f"/findings/{world.finding}/progress", json=body, headers=key)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["item_id"] != b.json()["item_id"]


def test_no_token_is_401(world, snapshot_of, unchanged) -> None:
    anonymous = world.server.client()
    answer = anonymous.post(f"/findings/{world.finding}/claim", json={"summary": "x"})
    refused(world, snapshot_of, answer, 401)
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert anonymous.get("/inspections").status_code == 401


@pytest.mark.parametrize(
    "token",
    ["garbage", "lg_0000000000000000_secret", "lg_short_x", "Bearer lg_"],
)
def test_a_bad_token_is_401(world, snapshot_of, unchanged, token: str) -> None:
    answer = world.server.client(token).post(
        f"/findings/{world.finding}/claim", json={"summary": "x"}
    )
    refused(world, snapshot_of, answer, 401)


def test_a_right_id_with_a_wrong_secret_is_401(world, snapshot_of, unchanged) -> None:
    token = world.server.token(world.actors["office"])
    forged = token[: token.rindex("_") + 1] + "A" * 43
    answer = world.server.client(forged).get("/inspections")
    refused(world, snapshot_of, answer, 401)


def test_a_revoked_token_is_401(world, snapshot_of, unchanged) -> None:
    token = world.server.token(world.actors["office"])
    client = world.server.client(token)
    assert client.get("/me").status_code == 200
    world.server.credentials.revoke(token.split("_")[1])
    refused(world, snapshot_of, client.get("/me"), 401)
    answer = client.post(f"/findings/{world.finding}/long-term", json={})
    refused(world, snapshot_of, answer, 401)


def test_an_expired_token_is_401(world, snapshot_of, unchanged) -> None:
    # Expiry is checked against the clock on every request, also for a token the
    # server has read before and keeps: this one expires a second after its first use.
    token = world.server.token(world.actors["office"], days=1)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    with world.server.credentials.engine.begin() as conn:
        conn.execute(
            update(TOKENS).where(TOKENS.c.token_id == token.split("_")[1]).values(expires_at=soon)
        )
    client = world.server.client(token)
    assert client.get("/me").json()["id"] == "office-1"
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
    refused(world, snapshot_of, client.get("/me"), 401)


def test_only_a_hash_of_the_token_is_stored(world) -> None:
    token = world.server.token(world.actors["office"])
    secret = token.split("_", 2)[2]
    with world.server.credentials.engine.connect() as conn:
        stored = [tuple(map(str, row)) for row in conn.execute(TOKENS.select())]
    assert not any(secret in value for row in stored for value in row)


def test_bad_query_parameters_are_422(world) -> None:
    office = world.http["office"]
    for path in (
        "/findings?status=finished",
        "/findings?limit=0",
        "/findings?after=%%%",
        "/findings?as_of=2019-13-01",
        "/inspections?known_at=2999-01-01T00:00:00%2B08:00",
        f"/inspections/{world.inspection}/rollups?by=colour",
        "/letters?level=mayor",
    ):
        answer = office.get(path)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["detail"]


def test_an_unknown_route_is_404_json(world) -> None:
    answer = world.http["office"].get("/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
