"""The 问责 page in a real browser on the demo: Yongding's published figures, names only for the
roles that may see them, and proposing then deciding an action from the page."""

from __future__ import annotations

from typing import Any

from tests.api.console.helpers import figure, fill, open_form, refusal_next_to, submit, unit_ids
from tests.conftest import log_snapshot

NAMED = ("覃桂平", "彭万国")  # the two persons of Yongding's cases sent to the judicial organs


def test_the_page_shows_yongdings_published_figures(visit: Any, people: Any) -> None:
    with people.api(people.discipline) as api:
        totals = api.get("/accountability/totals").json()
        listed = api.get("/accountability/actions", params={"limit": 1}).json()
    v = visit()
    v.sign_in(people.discipline)
    v.go("#/accountability")
    # 查处问题396个,立案164件,组织处理258人,党纪政务处分126人 (seeds/002).
    assert figure(v, "clues") == "396"
    assert figure(v, "cases") == "164"
    assert figure(v, "organisational") == "258"
    assert figure(v, "sanctioned") == "126"
    assert figure(v, "persons") == str(totals["persons"]) == "384"
    families = v.page.locator("table.groups").first.locator("tbody tr")
    by_family = {
        r.get_attribute("data-key"): r.locator("td").all_inner_texts() for r in families.all()
    }
    assert by_family["organisational"] == ["258", "258", "0", "0"]
    party, government = by_family["party"], by_family["government"]
    assert int(party[1]) + int(government[1]) == 64 + 68  # persons per family
    caption = v.page.locator("table.action-list caption").inner_text()
    assert f"共 {listed['total']} 项" in caption and listed["total"] == 396
    assert "共 396 项" in v.page.locator(".pager").inner_text()
    assert v.page.locator("table.action-list tbody tr").count() == 20
    v.shot("figures")
    assert v.console.unexpected() == []


def test_discipline_staff_see_the_names_and_other_roles_do_not(visit: Any, people: Any) -> None:
    judicial = "#/accountability?family=judicial"
    v = visit()
    v.sign_in(people.discipline)
    v.go(judicial)
    shown = v.page.locator("table.action-list tbody").inner_text()
    assert all(name in shown for name in NAMED)
    for token in (people.office, people.finance):
        with people.api(token) as api:
            items = api.get("/accountability/actions", params={"family": "judicial"}).json()
        assert [i["subject_name"] for i in items["items"]] == [None, None]
        other = visit()
        other.sign_in(token)
        other.go(judicial)
        text = other.page.locator("main").inner_text()
        assert not any(name in text for name in NAMED)
        assert other.page.locator("table.action-list .hidden-name").count() == 2
        other.go("#/accountability")
        assert "永定区干部" not in other.page.locator("main").inner_text()
        assert other.page.locator("form[data-command]").count() == 0  # no work forms either
        other.shot("no-names")
        assert other.console.unexpected() == []
    assert v.console.unexpected() == []


def test_a_responsible_unit_sees_the_figures_but_no_list_and_no_link(
    visit: Any, people: Any
) -> None:
    v = visit()
    v.sign_in(people.unit)
    assert v.page.locator("#nav a[data-nav=accountability]").is_hidden()
    v.go("#/accountability")
    assert figure(v, "organisational") == "258"
    assert v.page.locator("table.action-list").count() == 0
    assert "不能查看问责处分清单" in v.page.locator("main").inner_text()
    assert v.console.unexpected() == []


def test_proposing_and_deciding_an_action_changes_the_figures(
    visit: Any, people: Any, demo_api: Any
) -> None:
    town = unit_ids(people)["四都坪乡"]
    before = demo_api.size()
    v = visit()
    v.sign_in(people.discipline)
    v.go("#/accountability")
    assert figure(v, "persons") == "384"
    organisations = v.page.locator('[data-figure="persons"]').locator("xpath=../..").inner_text()
    assert "0 个单位(396 项)" in organisations
    open_form(v, "propose-action")
    fill(
        v,
        "propose-action",
        {
            "kind": "circulated_criticism",
            "unit_id": town,
            "proposing_organ": "永定区纪委监委",
            "deciding_organ": "永定区纪委常委会",
            "implementing_organ": "四都坪乡党委",
            "proposed_on": "2018-11-20",
            "description": "危改资金管理不力",
            "basis": "永纪建〔2018〕9号",
        },
    )
    submit(v, "propose-action")
    v.ready()
    assert "#/accountability/actions/" in v.page.evaluate("location.hash")
    assert "已记录:提出问责建议" in v.page.locator(".flash").inner_text()
    assert demo_api.size() == before + 1
    page = v.page.locator("article.action")
    assert page.get_attribute("data-status") == "proposed"
    assert "通报批评" in page.inner_text() and "四都坪乡" in page.inner_text()
    assert "已提出建议" in page.inner_text()
    v.shot("proposed")
    open_form(v, "decide")
    fill(v, "decide", {"decided_on": "2018-11-27"})
    submit(v, "decide")
    v.ready()
    assert "已记录:作出决定" in v.page.locator(".flash").inner_text()
    assert v.page.locator("article.action").get_attribute("data-status") == "decided"
    assert demo_api.size() == before + 2
    # It counts now: one more action, and an organisation held accountable.
    v.go("#/accountability")
    whole = v.page.locator('[data-figure="persons"]').locator("xpath=../..").inner_text()
    assert "1 个单位(397 项)" in whole and figure(v, "persons") == "384"
    family = v.page.locator('table.groups tr[data-key="accountability"] td').all_inner_texts()
    assert family == ["1", "0", "1", "0"]  # 问责: one action, against one organisation
    v.shot("decided")
    assert v.console.unexpected() == []


def test_a_proposal_without_its_deciding_organ_is_refused_next_to_that_field(
    visit: Any, people: Any, demo_api: Any
) -> None:
    town = unit_ids(people)["罗水乡"]
    before = log_snapshot(demo_api.ledger)
    v = visit()
    v.sign_in(people.discipline)
    v.go("#/accountability")
    open_form(v, "propose-action")
    fill(
        v,
        "propose-action",
        {
            "kind": "admonishing_talk",
            "unit_id": town,
            "proposing_organ": "永定区纪委监委",
            "implementing_organ": "罗水乡党委",
            "proposed_on": "2018-11-20",
        },
    )
    submit(v, "propose-action")
    assert refusal_next_to(v, "propose-action", "deciding_organ") == "deciding_organ: 必填"
    v.shot("refused")
    assert log_snapshot(demo_api.ledger) == before
    assert v.console.unexpected(refusals=(422,)) == []


def test_the_as_of_view_shows_the_figures_of_that_day_without_forms(
    visit: Any, people: Any
) -> None:
    with people.api(people.discipline) as api:
        then = api.get("/accountability/totals", params={"as_of": "2018-05-31"}).json()
        cases = api.get("/case-counts", params={"as_of": "2018-05-31"}).json()
    assert then["persons"] < 384
    v = visit()
    v.sign_in(people.discipline)
    v.go("#/accountability")
    v.page.fill("#asof-date", "2018-05-31")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#banner:not([hidden])")
    v.ready()
    assert figure(v, "persons") == str(then["persons"])
    assert figure(v, "cases") == str(cases["opened"])
    assert v.page.locator("form[data-command]").count() == 0
    assert v.page.locator("table.action-list button").count() == 0
    assert v.console.unexpected() == []
