"""The accountability, funds, clue and import screens at 390 px and from the keyboard: no
sideways scrolling, a label on every field (work forms open), focus on each page's heading."""

from __future__ import annotations

from typing import Any

UNLABELLED = (
    "[...document.querySelectorAll('input, select, textarea')]"
    ".filter(e => !e.labels.length).map(e => e.name || e.id)"
)


def pages(people: Any) -> list[tuple[str, str]]:
    with people.api(people.discipline) as api:
        clue = api.get("/clues", params={"limit": 1}).json()["items"][0]["clue_id"]
        action = api.get("/accountability/actions", params={"limit": 1}).json()["items"][0]
        [fund] = api.get("/funds").json()
    return [
        ("accountability", "#/accountability"),
        ("action", f"#/accountability/actions/{action['action_id']}"),
        ("funds", "#/funds"),
        ("movements", f"#/funds/movements?fund_id={fund['fund_id']}&kind=recovery"),
        ("clues", "#/clues"),
        ("clue", f"#/clues/{clue}"),
    ]


def open_every_form(v: Any) -> None:
    for summary in v.page.locator("details.work-box > summary").all():
        summary.click()


def test_the_new_pages_fit_a_390_pixel_screen_with_their_forms_open(
    visit: Any, people: Any
) -> None:
    for role, token in (("discipline", people.discipline), ("finance", people.finance)):
        v = visit(width=390, height=844)
        v.sign_in(token)
        for step, where in pages(people):
            v.go(where)
            open_every_form(v)
            width = v.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (role, step, width)
            assert v.page.evaluate(UNLABELLED) == [], (role, step)
            v.shot(f"{role}-{step}")
        assert v.console.unexpected() == []
    office = visit(width=390, height=844)
    office.sign_in(people.office)
    office.go("#/import")
    assert office.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert office.page.evaluate(UNLABELLED) == []
    office.shot("import")
    assert office.console.unexpected() == []


def test_the_new_pages_work_from_the_keyboard(visit: Any, people: Any) -> None:
    v = visit()
    v.sign_in(people.discipline)
    headings = {"accountability": "问责处分", "funds": "扶贫资金", "clues": "问题线索与信访件"}
    for nav, heading in headings.items():
        v.page.evaluate("document.body.removeAttribute('data-ready')")
        v.page.focus(f"#nav a[data-nav={nav}]")
        v.page.keyboard.press("Enter")
        v.ready()
        assert v.page.evaluate("document.activeElement.tagName") == "H1"
        assert v.page.locator("h1").inner_text() == heading
        assert v.page.locator(f"#nav a[data-nav={nav}]").get_attribute("aria-current") == "page"
    # A work form opens and fills from the keyboard: Enter on its summary, Tab to the fields.
    v.page.focus('details[data-form="receive-clue"] > summary')
    v.page.keyboard.press("Enter")
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.dataset.field") == "kind"
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.dataset.field") == "number"
    assert v.console.unexpected() == []
