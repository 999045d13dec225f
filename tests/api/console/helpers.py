"""Steps the browser tests of the work forms share."""

from __future__ import annotations

from typing import Any


def open_form(v: Any, form: str) -> None:
    """Open a work form's box (its <details>)."""
    v.page.click(f'details[data-form="{form}"] > summary')


def submit(v: Any, form: str) -> None:
    """Send a work form; the test then waits for what the command should show."""
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click(f'form[data-command="{form}"] button[type=submit]')


def fill(v: Any, form: str, values: dict[str, str]) -> None:
    """Type or choose each value in the form's field of that name (data-field)."""
    for name, value in values.items():
        target = v.page.locator(f'form[data-command="{form}"] [data-field="{name}"]')
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)


def refusal_next_to(v: Any, form: str, name: str) -> str:
    """The message shown beside a field once the API refused the form (and it is marked)."""
    field = v.page.locator(f'form[data-command="{form}"] [data-field="{name}"]')
    error = v.page.locator(f"#{field.get_attribute('aria-describedby')}")
    error.wait_for()
    assert field.get_attribute("aria-invalid") == "true"
    assert v.page.evaluate("document.activeElement.dataset.field") == name
    return str(error.inner_text())


def figure(v: Any, key: str) -> str:
    """The text of the figure ``key`` on the page (data-figure)."""
    return str(v.page.locator(f'[data-figure="{key}"]').first.inner_text())


def unit_ids(people: Any) -> dict[str, str]:
    """Unit ids by name, from the API's register."""
    with people.api(people.office) as api:
        return {u["name"]: u["unit_id"] for u in api.get("/units").json()}


def follow(v: Any, selector: str) -> None:
    """Click a link inside the console and wait until the page it leads to has rendered."""
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.locator(selector).first.click()
    v.ready()
