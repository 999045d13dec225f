"""Accountability, clues and funds over real HTTP on SQLite and PostgreSQL: commands as POSTs,
queries as GETs with as_of, amounts as exact decimal strings, refusals that record nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def test_accountability_clues_and_funds_over_http(world: SimpleNamespace) -> None:
    disc, fin, w = world.http["discipline"], world.http["finance"], world
    clue = disc.post(
        "/clues",
        json={
            "kind": "petition",
            "number": "信1",
            "summary": "反映危改资金被截留",
            "organ": "永定区纪委监委",
            "effective_at": "2018-03-01",
        },
    )
    assert clue.status_code == 201, clue.text
    cid = clue.json()["id"]
    assigned = disc.post(
        f"/clues/{cid}/assignment",
        json={"unit_id": str(w.unit_a), "due_date": "2018-04-01", "effective_at": "2018-03-02"},
    )
    assert assigned.status_code == 200, assigned.text
    case = disc.post(
        "/cases",
        json={
            "case_no": "立1",
            "title": "截留案",
            "unit_id": str(w.unit_a),
            "opened_on": "2018-03-10",
            "clue_ids": [cid],
        },
    ).json()["id"]
    action = disc.post(
        "/actions",
        json={
            "kind": "party_warning",
            "unit_id": str(w.unit_a),
            "proposed_on": "2018-03-15",
            "proposing_organ": "纪委",
            "deciding_organ": "纪委常委会",
            "implementing_organ": "党组",
            "case_id": case,
            "effective_at": "2018-03-15",
        },
    ).json()["id"]
    decided = disc.post(
        f"/actions/{action}/decision",
        json={"decided_on": "2018-03-20", "effective_at": "2018-03-20"},
    )
    assert decided.status_code == 200 and decided.headers["ETag"] == '"2"'
    done = disc.post(
        f"/clues/{cid}/conclusion", json={"disposition": "dig_deep", "effective_at": "2018-04-10"}
    )
    assert done.status_code == 200, done.text
    totals = disc.get("/accountability/totals?year=2018&family=party&family=government").json()
    assert totals == {"actions": 1, "persons": 0, "organisations": 1, "cases": 1}
    counts = disc.get("/clue-counts?as_of=2018-04-05").json()
    assert (counts["received"], counts["concluded"], counts["overdue"]) == (1, 0, 1)
    detail = disc.get(f"/clues/{cid}").json()
    assert detail["cases"] == [case] and detail["actions"] == [action]
    assert disc.get("/case-counts?year=2018").json() == {"opened": 1, "closed": 0}

    fund = fin.post(
        "/funds",
        json={
            "name": "专项资金",
            "year": 2018,
            "unit_id": str(w.unit_a),
            "effective_at": "2018-01-02",
        },
    ).json()["id"]
    holder = fin.post(
        f"/funds/{fund}/accounts", json={"kind": "holder", "name": "专户", "unit_id": str(w.unit_a)}
    ).json()["item_id"]
    source = next(b for b in fin.get(f"/funds/{fund}/balances").json() if b["kind"] == "source")
    moved = fin.post(
        f"/funds/{fund}/movements",
        json={
            "kind": "allocation",
            "effective_at": "2018-01-10",
            "outflows": [{"account_id": source["account_id"], "amount": "632.29"}],
            "inflows": [{"account_id": holder, "amount": "632.29"}],
        },
    )
    assert moved.status_code == 201, moved.text
    [summary] = fin.get("/funds").json()
    assert summary["allocated"] == "632.29" and summary["disbursement_rate"] == "0.0000"
    idle = fin.get("/idle-funds?days=30&as_of=2018-03-01").json()
    assert [x["idle"] for x in idle] == ["632.29"]
    listed = fin.get(f"/fund-movements?fund_id={fund}").json()["items"]
    assert [m["amount"] for m in listed] == ["632.29"]


def _size(w: SimpleNamespace) -> int:
    return w.ledger.recorder.max_notification_id() or 0  # type: ignore[no-any-return]


def test_bad_input_over_http_is_refused_with_its_field_and_records_nothing(
    world: SimpleNamespace,
) -> None:
    disc, w = world.http["discipline"], world
    fund = disc.post("/funds", json={"name": "资金", "year": 2018, "unit_id": str(w.unit_a)})
    fid = fund.json()["id"]
    accounts = disc.get(f"/funds/{fid}/balances").json()
    source = next(a["account_id"] for a in accounts if a["kind"] == "source")
    recovered = next(a["account_id"] for a in accounts if a["kind"] == "recovered")
    holder = disc.post(
        f"/funds/{fid}/accounts", json={"kind": "holder", "name": "专户", "unit_id": str(w.unit_a)}
    ).json()["item_id"]
    people = disc.post(
        f"/funds/{fid}/accounts", json={"kind": "beneficiaries", "name": "群众"}
    ).json()["item_id"]

    def legs(src: str, dst: str, a: Any, b: Any = None) -> dict[str, Any]:
        return {
            "outflows": [{"account_id": src, "amount": a}],
            "inflows": [{"account_id": dst, "amount": a if b is None else b}],
        }

    clue = disc.post(
        "/clues", json={"kind": "clue", "number": "1", "summary": "线索", "organ": "纪委"}
    ).json()["id"]
    bad: list[tuple[str, dict[str, Any], int, str]] = [
        (
            f"/funds/{fid}/movements",
            {"kind": "allocation", **legs(source, holder, "-1.00")},
            422,
            "outflows[0].amount",
        ),
        (
            f"/funds/{fid}/movements",
            {"kind": "allocation", **legs(source, holder, "0")},
            422,
            "outflows[0].amount",
        ),
        (
            f"/funds/{fid}/movements",
            {"kind": "allocation", **legs(source, holder, "1.001")},
            422,
            "outflows[0].amount",
        ),
        (
            f"/funds/{fid}/movements",
            {"kind": "allocation", **legs(source, holder, "5.00", "4.99")},
            422,
            "inflows",
        ),
        (
            f"/funds/{fid}/movements",
            {"kind": "refund", **legs(recovered, people, "1.00")},
            422,
            "outflows[0].amount",
        ),
        (
            f"/actions/{clue}/appeals",
            {"outcome": "upheld", "decided_on": "2018-05-01"},
            404,
            "action_id",
        ),
        (
            "/actions",
            {
                "kind": "flogging",
                "unit_id": str(w.unit_a),
                "proposed_on": "2018-03-15",
                "proposing_organ": "纪委",
                "deciding_organ": "纪委",
                "implementing_organ": "党组",
            },
            422,
            "kind",
        ),
        (f"/clues/{clue}/conclusion", {"disposition": None}, 422, "disposition"),
    ]
    for path, body, status, field in bad:
        before = _size(w)
        answer = disc.post(path, json=body)
        assert answer.status_code == status, (path, body, answer.text)
        assert answer.json()["field"] == field, (path, answer.json())
        assert _size(w) == before, path
