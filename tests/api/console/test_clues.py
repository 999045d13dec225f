"""The 线索 page in a real browser on the demo: Yongding's 396 problems handled and their five
dispositions, the list behind each figure, and receiving then assigning a clue from the page."""

from __future__ import annotations

from typing import Any

from tests.api.console.helpers import (
    figure,
    fill,
    follow,
    open_form,
    refusal_next_to,
    submit,
    unit_ids,
)
from tests.conftest import log_snapshot


def test_the_page_shows_yongdings_clues_by_state_and_disposition(visit: Any, people: Any) -> None:
    with people.api(people.discipline) as api:
        counts = api.get("/clue-counts").json()
    v = visit()
    v.sign_in(people.office)
    v.go("#/clues")
    assert figure(v, "received") == figure(v, "concluded") == "396"
    assert figure(v, "open") == figure(v, "overdue") == "0"
    ways = {k: figure(v, k) for k in counts["by_disposition"]}
    assert ways == {k: str(n) for k, n in counts["by_disposition"].items()}
    assert ways["dig_deep"] == "80" and sum(int(n) for n in ways.values()) == 396
    assert "共 396 件" in v.page.locator("table.clues caption").inner_text()
    assert v.page.locator("table.by-unit tbody tr").count() == 14  # Yongding's townships
    v.shot("clues")
    # A figure opens the list behind it.
    follow(v, '[data-figure="dig_deep"]')
    assert "共 80 件" in v.page.locator(".pager").inner_text()
    dispositions = v.page.locator("table.clues tbody td:nth-child(8)").all_inner_texts()
    assert set(dispositions) == {"深挖细查"} and len(dispositions) == 20
    assert v.console.unexpected() == []


def test_receiving_and_assigning_a_clue_changes_the_figures(
    visit: Any, people: Any, demo_api: Any
) -> None:
    town = unit_ids(people)["茅岩河镇"]
    before = demo_api.size()
    v = visit()
    v.sign_in(people.discipline)
    v.go("#/clues")
    open_form(v, "receive-clue")
    fill(
        v,
        "receive-clue",
        {
            "kind": "petition",
            "number": "永纪线〔2018〕397号",
            "organ": "永定区纪委监委",
            "unit_id": town,
            "summary": "反映茅岩河镇危房改造补助发放不公",
        },
    )
    submit(v, "receive-clue")
    v.ready()
    assert "已记录:受理" in v.page.locator(".flash").inner_text()
    page = v.page.locator("article.clue")
    assert page.get_attribute("data-status") == "received"
    assert "永纪线〔2018〕397号" in v.page.locator("h1").inner_text()
    open_form(v, "assign")
    fill(v, "assign", {"unit_id": town, "due_date": "2099-12-31"})
    submit(v, "assign")
    v.ready()
    assert "已记录:交办" in v.page.locator(".flash").inner_text()
    assert v.page.locator("article.clue").get_attribute("data-status") == "assigned"
    assert demo_api.size() == before + 2
    v.shot("assigned")
    v.go("#/clues")
    assert (figure(v, "received"), figure(v, "assigned")) == ("397", "397")
    assert (figure(v, "concluded"), figure(v, "open")) == ("396", "1")
    follow(v, '[data-figure="open"]')
    [row] = v.page.locator("table.clues tbody tr").all()
    assert "永纪线〔2018〕397号" in row.inner_text() and "已交办" in row.inner_text()
    assert v.console.unexpected() == []


def test_concluding_without_a_disposition_is_refused_next_to_it(
    visit: Any, people: Any, demo_api: Any
) -> None:
    with people.api(people.discipline) as api:
        body = {"kind": "clue", "number": "永纪线〔2018〕398号", "summary": "反映问题"}
        clue = api.post("/clues", json={**body, "organ": "永定区纪委监委"}).json()["id"]
    before = log_snapshot(demo_api.ledger)
    v = visit()
    v.sign_in(people.discipline)
    v.go(f"#/clues/{clue}")
    open_form(v, "conclude")
    fill(v, "conclude", {"summary": "经核查属实"})
    submit(v, "conclude")
    assert refusal_next_to(v, "conclude", "disposition") == "办结须给出处置方式"
    v.shot("refused")
    assert log_snapshot(demo_api.ledger) == before
    assert v.console.unexpected(refusals=(422,)) == []


def test_roles_that_record_no_clues_get_no_forms(visit: Any, people: Any) -> None:
    with people.api(people.discipline) as api:
        first = api.get("/clues", params={"limit": 1}).json()["items"][0]["clue_id"]
    v = visit()
    v.sign_in(people.finance)
    v.go("#/clues")
    assert v.page.locator("form[data-command]").count() == 0
    v.go(f"#/clues/{first}")
    assert v.page.locator("article.clue").get_attribute("data-status") == "concluded"
    assert "深挖细查" in v.page.locator("article.clue").inner_text()
    assert v.page.locator("form[data-command]").count() == 0
    assert v.console.unexpected() == []


def test_the_as_of_view_shows_the_clues_of_that_day(visit: Any, people: Any) -> None:
    with people.api(people.discipline) as api:
        then = api.get("/clue-counts", params={"as_of": "2018-06-30"}).json()
    assert 0 < then["concluded"] < then["received"] < 396
    v = visit()
    v.sign_in(people.discipline)
    v.go("#/clues")
    v.page.fill("#asof-date", "2018-06-30")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#banner:not([hidden])")
    v.ready()
    shown = {k: figure(v, k) for k in ("received", "assigned", "concluded", "open", "overdue")}
    assert shown == {k: str(then[k]) for k in shown}
    assert v.page.locator("form[data-command]").count() == 0
    follow(v, '[data-figure="open"]')
    assert f"共 {then['open']} 件" in v.page.locator(".pager").inner_text()
    assert v.console.unexpected() == []
