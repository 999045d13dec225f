"""The console in a real browser, reading: sign-in, overview, lists, the as-of view, layout."""

from __future__ import annotations

from typing import Any

FIGURES = ("completed", "ongoing", "long_term", "overdue", "claimed", "struck_off")


def card_figures(page: Any, inspection_id: str) -> dict[str, int]:
    card = page.locator(f'.card[data-inspection="{inspection_id}"]')
    return {f: int(card.locator(f'[data-figure="{f}"]').inner_text()) for f in FIGURES}


def test_signing_in_shows_every_inspections_published_counts(visit: Any, people: Any) -> None:
    v = visit()
    v.open()
    v.shot("signin")
    v.sign_in(people.office)
    assert v.page.locator(".who").inner_text().startswith("陈晓")
    with people.api(people.office) as api:
        expected = api.get("/inspections").json()
    assert v.page.locator(".card").count() == len(expected) == 3
    for counts in expected:
        shown = card_figures(v.page, counts["inspection_id"])
        assert shown == {f: counts[f] for f in FIGURES}
    guizhou = card_figures(v.page, expected[0]["inspection_id"])
    assert (guizhou["completed"], guizhou["ongoing"], guizhou["long_term"]) == (50, 18, 24)
    v.shot("overview")
    assert v.console.unexpected() == []


def test_a_bad_token_is_refused_with_the_apis_message_next_to_the_field(
    visit: Any, people: Any
) -> None:
    v = visit()
    v.open()
    v.page.fill("#token", people.office[:-3] + "xyz")
    v.page.click("form.signin button[type=submit]")
    error = v.page.locator("#token-error")
    error.wait_for()
    assert "令牌" in error.inner_text()
    assert v.page.get_attribute("#token", "aria-invalid") == "true"
    assert v.page.locator("#nav").is_hidden()
    v.shot("refused")
    assert v.console.unexpected(refusals=(401,)) == []


def test_the_inspection_page_charts_progress_and_rolls_up_by_category_and_unit(
    visit: Any, people: Any
) -> None:
    with people.api(people.office) as api:
        first = api.get("/inspections").json()[0]
        points = api.get(f"/inspections/{first['inspection_id']}/progress").json()["points"]
    v = visit()
    v.sign_in(people.office)
    v.go(f"#/inspections/{first['inspection_id']}")
    chart = v.page.locator("svg.chart")
    assert chart.locator("path.series").count() == 5
    assert f"问题总数 {first['total']}" in chart.locator("desc").text_content()
    v.page.click(".chart-data summary")
    assert v.page.locator(".chart-data tbody tr").count() == len(points)
    categories = v.page.locator("table.rollup").nth(0).locator("tbody tr")
    assert categories.count() == 5  # Guizhou: 5 categories
    totals = [int(t) for t in categories.locator("td:nth-child(2)").all_inner_texts()]
    assert sum(totals) == first["total"] == 68
    assert v.page.locator("table.rollup").nth(1).locator("tbody tr").count() > 10
    v.shot("inspection")
    assert v.console.unexpected() == []


def test_filtering_the_list_shows_exactly_the_findings_behind_a_figure(
    visit: Any, people: Any
) -> None:
    with people.api(people.office) as api:
        first = api.get("/inspections").json()[0]
    v = visit()
    v.sign_in(people.office)
    v.page.locator(
        f'.card[data-inspection="{first["inspection_id"]}"] [data-figure="overdue"]'
    ).click()
    v.page.wait_for_selector("table.findings")
    v.ready()
    rows = v.page.locator("table.findings tbody tr")
    assert rows.count() == first["overdue"]
    assert all("逾期" in t for t in rows.locator("td:nth-child(6)").all_inner_texts())
    v.page.select_option("#f-overdue", "")
    v.page.select_option("#f-status", "claimed")
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click("form.filters button[type=submit]")
    v.page.wait_for_function("location.hash.includes('status=claimed')")
    v.ready()
    statuses = v.page.locator("table.findings tbody tr td:nth-child(5)").all_inner_texts()
    assert len(statuses) == first["claimed"]
    assert set(statuses) == {"已申报完成(待验收)"}
    v.shot("filtered")
    # Unit and category choices arrive after the list; choosing one filters by it.
    v.page.wait_for_selector("form.filters[data-choices=loaded]", state="attached")
    v.page.select_option("#f-status", "")
    v.page.select_option("#f-unit_id", label="省扶贫办")
    v.page.select_option("#f-category", label="贫困人口识别和退出不精准(全部)")
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click("form.filters button[type=submit]")
    v.page.wait_for_function("location.hash.includes('unit_id=')")
    v.ready()
    with people.api(people.office) as api:
        expected = api.get(
            "/findings",
            params={
                "inspection_id": first["inspection_id"],
                "unit_id": people.unit_id,
                "category": "贫困人口识别和退出不精准",
                "limit": 20,
            },
        ).json()["items"]
    shown = v.page.locator("table.findings tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.finding)"
    )
    assert shown == [i["finding_id"] for i in expected] and shown
    assert v.page.locator("#f-unit_id").input_value() == people.unit_id
    assert v.console.unexpected() == []


def test_the_list_pages_forward_and_back(visit: Any, people: Any) -> None:
    v = visit()
    v.sign_in(people.office)
    v.go("#/findings")
    first = v.page.locator("table.findings tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.finding)"
    )
    assert len(first) == 20
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click("a[rel=next]")
    v.page.wait_for_function("location.hash.includes('after=')")
    v.ready()
    second = v.page.locator("table.findings tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.finding)"
    )
    assert len(second) == 20 and not set(first) & set(second)
    assert "第 2 页" in v.page.locator(".pager").inner_text()
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click("a[rel=prev]")
    v.page.wait_for_function("!location.hash.includes('after=')")
    v.ready()
    again = v.page.locator("table.findings tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.finding)"
    )
    assert again == first
    assert v.console.unexpected() == []


def test_the_as_of_view_shows_the_earlier_counts_under_a_banner(visit: Any, people: Any) -> None:
    with people.api(people.office) as api:
        then = api.get("/inspections", params={"as_of": "2018-05-31"}).json()
        now = api.get("/inspections").json()
    assert [c["completed"] for c in then] != [c["completed"] for c in now]
    v = visit()
    v.sign_in(people.office)
    v.page.fill("#asof-date", "2018-05-31")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#banner:not([hidden])")
    v.ready()
    assert "2018-05-31" in v.page.locator("#banner").inner_text()
    assert v.page.evaluate("document.body.classList.contains('is-past')")
    for counts in then:
        assert card_figures(v.page, counts["inspection_id"]) == {f: counts[f] for f in FIGURES}
    v.shot("as-of")
    # The past view is read-only: a finding's page has its timeline but no work forms.
    finding = v.page.locator(".card a[data-figure='total']").first
    finding.click()
    v.page.wait_for_selector("table.findings")
    v.ready()
    v.page.locator("table.findings tbody tr a").first.click()
    v.page.wait_for_selector(".timeline")
    v.ready()
    assert v.page.locator(".work-forms").count() == 0
    assert "2018-05-31" in v.page.locator("#banner").inner_text()
    v.page.click("#banner button")
    v.page.wait_for_selector("#banner", state="hidden")
    v.ready()
    assert v.page.locator(".work-forms").count() == 1
    assert v.console.unexpected() == []


def test_a_recorded_time_before_the_demo_was_loaded_shows_an_empty_ledger(
    visit: Any, people: Any
) -> None:
    v = visit()
    v.sign_in(people.office)
    v.page.fill("#asof-known", "2020-01-01T12:00")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#banner:not([hidden])")
    v.ready()
    assert v.page.locator(".card").count() == 0
    assert "尚无巡视" in v.page.locator("main").inner_text()
    assert v.console.unexpected() == []


def test_a_future_recorded_time_is_refused_next_to_the_picker(visit: Any, people: Any) -> None:
    v = visit()
    v.sign_in(people.office)
    v.page.fill("#asof-known", "2999-01-01T00:00")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#asof-error:not(:empty)")
    assert "known_at" in v.page.locator("#asof-error").inner_text()
    assert v.page.locator("#banner").is_hidden()
    assert v.console.unexpected(refusals=(422,)) == []


def test_a_responsible_unit_sees_only_its_findings_and_no_rollups(visit: Any, people: Any) -> None:
    with people.api(people.unit) as api:
        mine = api.get("/findings", params={"limit": 1000}).json()["items"]
        first = api.get("/inspections").json()[0]
    v = visit()
    v.sign_in(people.unit)
    v.go(f"#/inspections/{first['inspection_id']}")
    assert v.page.locator("svg.chart").count() == 1
    assert v.page.locator("table.rollup").count() == 0
    v.go("#/findings")
    assert v.page.locator("#f-unit_id").count() == 0
    shown = v.page.locator("table.findings tbody tr").count()
    assert shown == min(20, len(mine))
    v.page.locator("table.findings tbody tr a").first.click()
    v.page.wait_for_selector(".work-forms")
    v.ready()
    forms = v.page.locator(".work-box").evaluate_all("boxes => boxes.map(b => b.dataset.form)")
    assert forms == ["progress", "claim"]
    assert v.console.unexpected() == []


def test_read_only_roles_get_no_work_forms(visit: Any, people: Any) -> None:
    v = visit()
    v.sign_in(people.auditor)
    v.go("#/findings")
    v.page.locator("table.findings tbody tr a").first.click()
    v.page.wait_for_selector(".timeline")
    v.ready()
    assert v.page.locator(".work-forms").count() == 0
    assert v.page.locator(".timeline .event").count() >= 1
    assert v.console.unexpected() == []


def test_every_page_fits_a_390_pixel_screen(visit: Any, people: Any) -> None:
    v = visit(width=390, height=844)
    v.sign_in(people.office)
    with people.api(people.office) as api:
        first = api.get("/inspections").json()[0]["inspection_id"]
        finding = api.get("/findings", params={"limit": 1}).json()["items"][0]["finding_id"]
    for step, where in [
        ("overview", "#/"),
        ("inspection", f"#/inspections/{first}"),
        ("findings", "#/findings"),
        ("finding", f"#/findings/{finding}"),
    ]:
        v.go(where)
        width = v.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (step, width)
        v.shot(step)
    assert v.console.unexpected() == []


def test_every_form_field_has_a_label_on_every_page(visit: Any, people: Any) -> None:
    v = visit()
    v.open()
    unlabelled = (
        "[...document.querySelectorAll('input, select, textarea')]"
        ".filter(e => !e.labels.length).map(e => e.name || e.id)"
    )
    assert v.page.evaluate(unlabelled) == []
    v.sign_in(people.office)
    with people.api(people.office) as api:
        finding = api.get("/findings", params={"limit": 1}).json()["items"][0]["finding_id"]
    for where in ("#/", "#/findings", f"#/findings/{finding}"):
        v.go(where)
        assert v.page.evaluate(unlabelled) == [], where
    assert v.page.locator(".work-forms textarea, .work-forms input").count() > 10
    assert v.console.unexpected() == []


def test_the_console_can_be_used_from_the_keyboard(visit: Any, people: Any) -> None:
    v = visit()
    v.open()
    v.page.focus("#token")
    v.page.keyboard.type(people.office)
    v.page.keyboard.press("Enter")
    v.page.wait_for_selector("#nav:not([hidden])")
    v.ready()
    # Each page puts focus on its heading, so a screen reader starts there.
    assert v.page.evaluate("document.activeElement.tagName") == "H1"
    # The skip link shows when focused and moves focus to the content.
    v.page.focus(".skip")
    assert v.page.locator(".skip").bounding_box()["x"] >= 0
    v.page.keyboard.press("Enter")
    assert v.page.evaluate("document.activeElement.id") == "main"
    v.page.focus("#nav a[data-nav=findings]")
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.keyboard.press("Enter")
    v.page.wait_for_function("location.hash === '#/findings'")
    v.ready()
    # From the heading, Tab reaches the first filter; Enter on the submit button filters.
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.id") == "f-inspection_id"
    v.page.focus("#f-status")
    v.page.keyboard.press("ArrowDown")
    v.page.focus("form.filters button[type=submit]")
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.keyboard.press("Enter")
    v.page.wait_for_function("location.hash.includes('status=')")
    v.ready()
    assert v.page.evaluate("document.activeElement.tagName") == "H1"
    assert v.console.unexpected() == []


def test_the_console_loads_nothing_from_elsewhere(visit: Any, people: Any, demo_api: Any) -> None:
    v = visit()
    requested: list[str] = []
    v.page.on("request", lambda r: requested.append(r.url))
    v.sign_in(people.office)
    v.go("#/findings")
    assert requested and all(u.startswith(demo_api.url) for u in requested)
    response = v.page.request.get(demo_api.url + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert v.console.unexpected() == []


def test_the_findings_list_says_how_many_findings_match_on_every_page(
    visit: Any, people: Any
) -> None:
    with people.api(people.office) as api:
        total = api.get("/findings", params={"status": "ongoing", "limit": 1}).json()["total"]
        every = api.get("/findings", params={"limit": 1}).json()["total"]
    assert total > 20 and every > total
    v = visit()
    v.sign_in(people.office)
    v.go("#/findings?status=ongoing")
    assert v.page.locator(".pager .total").get_attribute("data-total") == str(total)
    assert f"共 {total} 条" in v.page.locator("table.findings caption").inner_text()
    v.page.click("a[rel=next]")
    v.page.wait_for_selector("a[rel=prev]")
    v.ready()
    assert v.page.locator(".pager .total").inner_text() == f"共 {total} 条"
    v.go("#/findings")
    assert v.page.locator(".pager .total").inner_text() == f"共 {every} 条"
    assert v.console.unexpected() == []
