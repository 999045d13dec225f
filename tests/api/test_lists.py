"""What the console's lists need from the API: how many items match in all (``total``), on
every page, with the same filters and moment as the page; the sum of the movements behind
a figure; clues by status and disposition; one action; the unit register; HEAD on the
console's page. Real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import httpx

from tests.conftest import log_snapshot


def every_page(client: httpx.Client, path: str, **params: Any) -> tuple[list[Any], set[int]]:
    """All the items of a list, page by page, and the totals the pages gave."""
    items: list[Any] = []
    totals: set[int] = set()
    after = None
    while True:
        query = {**params, **({"after": after} if after else {})}
        answer = client.get(path, params=query)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        totals.add(page["total"])
        after = page["next"]
        if after is None:
            return items, totals


def findings(w: SimpleNamespace) -> None:
    """Six more findings: two categories, three long-term, four assigned to unit B."""
    office = w.actors["office"]
    for n in range(6):
        category = ["二、基础工作不扎实", "（一）档案"] if n % 2 else ["一、责任落实", "（二）督导"]
        finding = w.ledger.record_finding(
            office,
            w.inspection,
            category=category,
            number=f"(二){n + 1}",
            text=f"问题{n + 1}",
            deadline="2019-06-30",
            long_term=n < 3,
        ).id
        if n < 4:
            w.ledger.assign(office, finding, lead_department=w.unit_b, units=[w.unit_b])


def test_finding_lists_give_their_total_on_every_page(world: SimpleNamespace) -> None:
    findings(world)
    office = world.http["office"]
    cases = [
        ({}, 7),
        ({"long_term": "true"}, 3),
        ({"category": "二、基础工作不扎实"}, 3),
        ({"unit_id": str(world.unit_b)}, 4),
        ({"unit_id": str(world.unit_b), "long_term": "false"}, 1),
        ({"status": "completed"}, 0),
        ({"as_of": "2000-01-01"}, 0),
    ]
    for filters, expected in cases:
        items, totals = every_page(office, "/findings", limit=2, **filters)
        assert totals == {expected} and len(items) == expected, filters
    overdue = office.get("/overdue", params={"limit": 1}).json()
    assert overdue["total"] == 4  # not long-term, deadline passed: (一)1 and three of six
    # A responsible unit's total counts only its own findings.
    mine, totals = every_page(world.http["unit"], "/findings", limit=5)
    assert totals == {1} and len(mine) == 1


def test_the_provenance_of_a_figure_gives_the_same_total_as_the_figure(
    world: SimpleNamespace,
) -> None:
    findings(world)
    answer = (
        world.http["auditor"]
        .get(
            f"/inspections/{world.inspection}/provenance",
            params={"figure": "long_term", "limit": 1},
        )
        .json()
    )
    assert answer["value"] == answer["findings"]["total"] == 3


def test_clue_action_and_movement_lists_give_their_totals(world: SimpleNamespace) -> None:
    w, disc, fin = world, world.http["discipline"], world.http["finance"]
    for n in range(5):
        kind = "petition" if n < 2 else "clue"
        body = {"kind": kind, "number": f"线{n}", "summary": "反映问题", "organ": "区纪委监委"}
        assert disc.post("/clues", json=body).status_code == 201
    assert every_page(disc, "/clues", limit=2)[1] == {5}
    assert every_page(disc, "/clues", limit=2, kind="petition")[1] == {2}
    assert disc.get("/clues", params={"overdue": "true"}).json()["total"] == 0

    action = {
        "kind": "criticism",
        "unit_id": str(w.unit_a),
        "proposed_on": "2019-02-01",
        "proposing_organ": "纪委",
        "deciding_organ": "纪委常委会",
        "implementing_organ": "党组",
    }
    ids = [disc.post("/actions", json=action).json()["id"] for _ in range(3)]
    disc.post(f"/actions/{ids[0]}/decision", json={"decided_on": "2019-02-10"})
    assert every_page(disc, "/accountability/actions", limit=2)[1] == {3}
    counted = disc.get("/accountability/actions", params={"counted_only": "true"}).json()
    assert counted["total"] == 1 and len(counted["items"]) == 1
    # Other roles get the same total without the names.
    assert w.http["finance"].get("/accountability/actions").json()["total"] == 3

    fund = fin.post("/funds", json={"name": "专项", "year": 2019, "unit_id": str(w.unit_a)})
    fund_id = fund.json()["id"]
    balances = fin.get(f"/funds/{fund_id}/balances").json()
    source = next(b["account_id"] for b in balances if b["kind"] == "source")
    account = {"kind": "holder", "name": "专户", "unit_id": str(w.unit_a)}
    holder = fin.post(f"/funds/{fund_id}/accounts", json=account).json()["item_id"]
    opened = fin.post(f"/funds/{fund_id}/accounts", json={"kind": "project", "name": "项目"})
    project = opened.json()["item_id"]

    def move(kind: str, src: str, dst: str, amount: str) -> None:
        legs = {"outflows": [{"account_id": src, "amount": amount}]}
        legs["inflows"] = [{"account_id": dst, "amount": amount}]
        answer = fin.post(f"/funds/{fund_id}/movements", json={"kind": kind, **legs})
        assert answer.status_code == 201, answer.text

    move("allocation", source, holder, "100.00")
    move("disbursement", holder, project, "30.01")
    move("disbursement", holder, project, "29.99")
    page = fin.get("/fund-movements", params={"fund_id": fund_id, "limit": 1}).json()
    assert (page["total"], page["total_amount"]) == (3, "160.00")
    paid = fin.get("/fund-movements", params={"kind": "disbursement", "limit": 1}).json()
    assert (paid["total"], Decimal(paid["total_amount"])) == (2, Decimal("60.00"))
    # On one account the amounts are signed: what is left at the holder.
    held = fin.get("/fund-movements", params={"account_id": holder}).json()
    assert (held["total"], held["total_amount"]) == (3, "40.00")
    before = fin.get("/fund-movements", params={"as_of": "2000-01-01"}).json()
    assert (before["total"], before["total_amount"], before["items"]) == (0, "0.00", [])


def test_each_clue_figure_has_the_list_behind_it(world: SimpleNamespace) -> None:
    disc, unit = world.http["discipline"], str(world.unit_a)
    ids = []
    for n in range(5):
        body = {"kind": "clue", "number": f"线{n}", "summary": "反映问题", "organ": "区纪委监委"}
        body["effective_at"] = "2019-03-01"
        ids.append(disc.post("/clues", json=body).json()["id"])
    for clue in ids[:2]:
        assigned = {"unit_id": unit, "due_date": "2019-04-01", "effective_at": "2019-03-05"}
        assert disc.post(f"/clues/{clue}/assignment", json=assigned).status_code == 200
    done = {"disposition": "resolve", "effective_at": "2019-03-20"}
    assert disc.post(f"/clues/{ids[0]}/conclusion", json=done).status_code == 200
    counts = disc.get("/clue-counts").json()
    expected = {"received": 3, "assigned": 1, "concluded": counts["concluded"], "open": 4}
    for status, total in expected.items():
        items, totals = every_page(disc, "/clues", limit=2, status=status)
        assert totals == {total} and len(items) == total, status
    assert counts["open"] == 4 and counts["concluded"] == 1
    resolved = disc.get("/clues", params={"disposition": "resolve"}).json()
    assert resolved["total"] == counts["by_disposition"]["resolve"] == 1
    # As of before the conclusion, the concluded clue is still assigned, and overdue later.
    then = {"as_of": "2019-03-10"}
    assert disc.get("/clues", params={**then, "status": "assigned"}).json()["total"] == 2
    assert disc.get("/clues", params={**then, "disposition": "resolve"}).json()["total"] == 0
    late = disc.get("/clues", params={"as_of": "2019-05-01", "overdue": "true"}).json()
    assert late["total"] == disc.get("/clue-counts?as_of=2019-05-01").json()["overdue"] == 1
    refused = disc.get("/clues", params={"status": "lost"})
    assert refused.status_code == 422 and refused.json()["field"] == "status"


def test_the_unit_register_lists_every_unit_for_every_role(world: SimpleNamespace) -> None:
    for role in ("office", "unit", "discipline", "finance", "auditor", "admin"):
        units = world.http[role].get("/units").json()
        assert [u["name"] for u in units] == ["兴安盟扶贫办", "赤峰市扶贫办"], role
    assert world.server.client().get("/units").status_code == 401


def test_a_bad_filter_on_a_list_is_refused_in_chinese_and_records_nothing(
    world: SimpleNamespace,
) -> None:
    before = log_snapshot(world.ledger)
    answer = world.http["discipline"].get("/clues", params={"kind": "rumour"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "kind" and "须为以下之一" in answer.json()["detail"]
    answer = world.http["discipline"].post("/clues", json={"kind": "clue", "summary": "x"})
    assert answer.status_code == 422
    assert answer.json()["detail"] == "number: 必填; organ: 必填"
    assert log_snapshot(world.ledger) == before


def test_head_answers_like_get_on_the_console_and_its_files(world: SimpleNamespace) -> None:
    base = world.server.url
    for path in ("/", "/console/console.css", "/console/js/main.js", "/docs"):
        got, head = httpx.get(base + path), httpx.head(base + path)
        assert got.status_code == head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"], path
    head = httpx.head(base + "/")
    assert "default-src 'self'" in head.headers["content-security-policy"]
    assert int(head.headers["content-length"]) == len(httpx.get(base + "/").content)
    assert httpx.head(base + "/console/missing.js").status_code == 404


def test_one_action_answers_like_its_row_with_names_for_discipline_only(
    world: SimpleNamespace,
) -> None:
    w, disc = world, world.http["discipline"]
    person = w.ledger.register_person(w.actors["admin"], name="王某某").id
    action = {
        "kind": "admonition",
        "unit_id": str(w.unit_a),
        "person_id": str(person),
        "proposed_on": "2019-02-01",
        "proposing_organ": "纪委",
        "deciding_organ": "纪委常委会",
        "implementing_organ": "党组",
    }
    action_id = disc.post("/actions", json=action).json()["id"]
    one = disc.get(f"/accountability/actions/{action_id}")
    assert one.status_code == 200 and one.headers["ETag"] == '"1"'
    [row] = disc.get("/accountability/actions").json()["items"]
    assert one.json() == row and row["subject_name"] == "王某某"
    path = f"/accountability/actions/{action_id}"
    for role in ("office", "finance", "admin"):
        assert w.http[role].get(path).json()["subject_name"] is None
    assert w.http["auditor"].get(path).json()["subject_name"] == "王某某"
    assert w.http["unit"].get(path).status_code == 403
    earlier = disc.get(f"/accountability/actions/{action_id}", params={"as_of": "2000-01-01"})
    assert earlier.status_code == 404 and earlier.json()["field"] == "action_id"


def test_the_accountability_summary_is_the_separate_answers_in_one(
    world: SimpleNamespace,
) -> None:
    w, disc = world, world.http["discipline"]
    people = [w.ledger.register_person(w.actors["admin"], name=f"干部{n}").id for n in range(3)]
    kinds = ["party_warning", "gov_demerit", "recall", "gov_demerit"]
    for n, kind in enumerate(kinds):
        action = {
            "kind": kind,
            "unit_id": str(w.unit_a),
            "person_id": str(people[n % 3]),
            "proposed_on": "2019-02-01",
            "proposing_organ": "纪委",
            "deciding_organ": "纪委常委会",
            "implementing_organ": "党组",
        }
        action_id = disc.post("/actions", json=action).json()["id"]
        decided = {"decided_on": f"2019-02-1{n}", "effective_at": f"2019-02-1{n}"}
        assert disc.post(f"/actions/{action_id}/decision", json=decided).status_code == 200
    for moment in ({}, {"as_of": "2019-02-11"}, {"year": 2018}):
        answer = disc.get("/accountability/summary", params=moment).json()
        totals = "/accountability/totals"
        assert answer == {
            "cases": disc.get("/case-counts", params=moment).json(),
            "all": disc.get(totals, params=moment).json(),
            "organisational": disc.get(
                totals, params={**moment, "family": "organisational"}
            ).json(),
            "sanctioned": disc.get(
                totals, params={**moment, "family": ["party", "government"]}
            ).json(),
            "by_family": disc.get(
                "/accountability/counts", params={**moment, "by": "family"}
            ).json(),
            "by_kind": disc.get("/accountability/counts", params={**moment, "by": "kind"}).json(),
        }, moment
    now = disc.get("/accountability/summary").json()
    # 党纪政务处分: three actions, two persons (干部0 party, 干部1 and 干部0 again government).
    assert (now["sanctioned"]["actions"], now["sanctioned"]["persons"]) == (3, 2)
    assert now["organisational"]["persons"] == 1 and now["all"]["persons"] == 3


def test_an_actions_status_and_dates_are_as_of_the_moment_asked(world: SimpleNamespace) -> None:
    w, disc = world, world.http["discipline"]
    action = {
        "kind": "admonition",
        "unit_id": str(w.unit_a),
        "proposed_on": "2019-02-01",
        "proposing_organ": "纪委",
        "deciding_organ": "纪委常委会",
        "implementing_organ": "党组",
        "effective_at": "2019-02-01",
    }
    action_id = disc.post("/actions", json=action).json()["id"]
    steps = [
        ("decision", {"decided_on": "2019-02-10", "effective_at": "2019-02-10"}),
        ("execution", {"carried_out_on": "2019-02-20", "effective_at": "2019-02-20"}),
        (
            "appeals",
            {"outcome": "upheld", "decided_on": "2019-03-01", "effective_at": "2019-03-01"},
        ),
        (
            "appeals",
            {"outcome": "revoked", "decided_on": "2019-04-01", "effective_at": "2019-04-01"},
        ),
    ]
    for path, body in steps:
        answer = disc.post(f"/actions/{action_id}/{path}", json=body)
        assert answer.status_code in (200, 201), answer.text
    expected = {
        "2019-02-05": ("proposed", None, None, None, 0, False),
        "2019-02-15": ("decided", "2019-02-10", None, 2019, 0, True),
        "2019-02-25": ("carried_out", "2019-02-10", "2019-02-20", 2019, 0, True),
        "2019-03-15": ("carried_out", "2019-02-10", "2019-02-20", 2019, 1, True),
        "2019-04-15": ("revoked", "2019-02-10", "2019-02-20", 2019, 2, False),
    }
    keys = ("status", "decided_on", "carried_out_on", "year", "appeals", "counted")
    for day, shown in expected.items():
        one = disc.get(f"/accountability/actions/{action_id}", params={"as_of": day}).json()
        [row] = disc.get("/accountability/actions", params={"as_of": day}).json()["items"]
        assert tuple(one[k] for k in keys) == tuple(row[k] for k in keys) == shown, day
    now = disc.get(f"/accountability/actions/{action_id}").json()
    assert tuple(now[k] for k in keys) == expected["2019-04-15"]
    # Recorded later than asked about: as it was known then, nothing had happened yet.
    known = {"as_of": "2019-04-15", "known_at": "2000-01-01T00:00:00+08:00"}
    assert disc.get("/accountability/actions", params=known).json()["total"] == 0
