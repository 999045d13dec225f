"""The console in a real browser, working: a unit reports and claims, the office verifies,
and refused actions show the API's message where it belongs, recording nothing."""

from __future__ import annotations

from typing import Any

SHA = "ab" * 32


def one(people: Any, token: str, status: str) -> dict[str, Any]:
    """The first finding the API lists for ``token`` whose status is exactly ``status``."""
    with people.api(token) as api:
        items = api.get("/findings", params={"limit": 1000, "status": status}).json()["items"]
    return next(i for i in items if i["status"] == status)


def submit(v: Any, form: str) -> None:
    """Send a work form and wait until the page shows the command's outcome."""
    v.page.evaluate("document.body.removeAttribute('data-ready')")
    v.page.click(f'form[data-command="{form}"] button[type=submit]')


def open_form(v: Any, form: str) -> None:
    v.page.click(f'details[data-form="{form}"] > summary')


def test_a_unit_reports_progress_with_evidence_and_claims_completion(
    visit: Any, people: Any, demo_api: Any
) -> None:
    finding = one(people, people.unit, status="ongoing")
    before = demo_api.size()
    v = visit()
    v.sign_in(people.unit)
    v.go(f"#/findings/{finding['finding_id']}")
    open_form(v, "progress")
    form = 'form[data-command="progress"]'
    v.page.fill(f'{form} [data-field="narrative"]', "已完成入户核查,漏评农户全部纳入建档立卡。")
    v.page.fill(f'{form} [data-field="figures.0.name"]', "纳入建档立卡")
    v.page.fill(f'{form} [data-field="figures.0.value"]', "138")
    v.page.fill(f'{form} [data-field="figures.0.unit"]', "户")
    v.page.fill(f'{form} [data-field="figures.0.of_total"]', "202")
    v.page.fill(f'{form} [data-field="evidence.0.title"]', "关于漏评问题整改情况的报告")
    v.page.fill(f'{form} [data-field="evidence.0.document_no"]', "黔扶办〔2018〕12号")
    v.page.click(f"{form} .wide button.secondary")
    v.page.fill(f'{form} [data-field="evidence.1.title"]', "入户核查台账")
    v.page.fill(f'{form} [data-field="evidence.1.sha256"]', SHA)
    v.page.fill(f'{form} [data-field="evidence.1.location"]', "省扶贫办档案室")
    v.shot("progress-form")
    submit(v, "progress")
    v.ready()
    assert "已记录:报告整改进展" in v.page.locator(".flash").inner_text()
    report = v.page.locator(".report").last
    assert "漏评农户全部纳入" in report.inner_text()
    assert "纳入建档立卡 138户 / 202户" in report.inner_text()
    assert report.locator(".evidence-list li").count() == 2
    assert "黔扶办〔2018〕12号" in report.inner_text()
    assert v.page.locator(".timeline .event").last.get_attribute("data-kind") == (
        "Finding.ProgressReported"
    )
    assert demo_api.size() == before + 1

    open_form(v, "claim")
    v.page.fill('form[data-command="claim"] [data-field="summary"]', "问题已整改到位,申请验收。")
    submit(v, "claim")
    v.ready()
    assert "已记录:申报整改完成" in v.page.locator(".flash").inner_text()
    assert v.page.locator(".finding .status").first.inner_text() == "已申报完成(待验收)"
    assert demo_api.size() == before + 2
    with people.api(people.unit) as api:
        assert api.get(f"/findings/{finding['finding_id']}").json()["status"] == "claimed"
    v.shot("claimed")
    assert v.console.unexpected() == []


def test_the_office_verifies_a_claim_and_the_overview_counts_change(
    visit: Any, people: Any, demo_api: Any
) -> None:
    finding = one(people, people.office, status="claimed")
    inspection = finding["inspection_id"]
    v = visit()
    v.sign_in(people.office)
    card = v.page.locator(f'.card[data-inspection="{inspection}"]')

    def figure(name: str) -> int:
        return int(card.locator(f'[data-figure="{name}"]').inner_text())

    completed, claimed, ongoing = figure("completed"), figure("claimed"), figure("ongoing")
    before = demo_api.size()
    v.go(f"#/findings/{finding['finding_id']}")
    open_form(v, "verify")
    v.page.fill('form[data-command="verify"] [data-field="opinion"]', "经核查,整改到位。")
    v.page.fill('form[data-command="verify"] [data-field="basis"]', "黔整改办〔2018〕3号")
    submit(v, "verify")
    v.ready()
    assert "已记录:验收" in v.page.locator(".flash").inner_text()
    assert v.page.locator(".finding .status").first.inner_text() == "已验收"
    last = v.page.locator(".timeline .event").last
    assert last.get_attribute("data-kind") == "Finding.CompletionVerified"
    assert "黔整改办〔2018〕3号" in last.inner_text()
    assert last.locator("del").all_inner_texts() == ["已申报完成(待验收)"]
    assert last.locator("ins").all_inner_texts() == ["已验收"]
    assert demo_api.size() == before + 1
    v.go("#/")
    assert figure("completed") == completed + 1
    assert figure("claimed") == claimed - 1
    assert figure("ongoing") == ongoing - 1
    v.shot("verified")
    assert v.console.unexpected() == []


def test_a_send_back_without_a_reason_is_refused_next_to_the_reason_field(
    visit: Any, people: Any, demo_api: Any
) -> None:
    finding = one(people, people.office, status="claimed")
    before = demo_api.size()
    v = visit()
    v.sign_in(people.office)
    v.go(f"#/findings/{finding['finding_id']}")
    open_form(v, "send-back")
    submit(v, "send-back")
    field = v.page.locator('form[data-command="send-back"] [data-field="reason"]')
    error = v.page.locator(f"#{field.get_attribute('aria-describedby')}")
    error.wait_for()
    assert error.inner_text() == "退回必须说明理由"
    assert field.get_attribute("aria-invalid") == "true"
    assert v.page.evaluate("document.activeElement.dataset.field") == "reason"
    v.shot("refused-field")
    assert demo_api.size() == before
    assert v.console.unexpected(refusals=(422,)) == []


def test_a_strike_off_out_of_turn_is_refused_above_the_form(
    visit: Any, people: Any, demo_api: Any
) -> None:
    finding = one(people, people.office, status="ongoing")
    before = demo_api.size()
    v = visit()
    v.sign_in(people.office)
    v.go(f"#/findings/{finding['finding_id']}")
    open_form(v, "strike-off")
    submit(v, "strike-off")
    error = v.page.locator('form[data-command="strike-off"] .form-error')
    error.wait_for()
    with people.api(people.office) as api:
        answer = api.post(f"/findings/{finding['finding_id']}/strike-off", json={})
    assert answer.status_code == 409
    assert error.inner_text() == answer.json()["detail"]
    v.shot("refused-form")
    assert demo_api.size() == before
    assert v.console.unexpected(refusals=(409,)) == []


def test_a_malformed_evidence_digest_is_refused_next_to_its_field(
    visit: Any, people: Any, demo_api: Any
) -> None:
    finding = one(people, people.unit, status="ongoing")
    before = demo_api.size()
    v = visit()
    v.sign_in(people.unit)
    v.go(f"#/findings/{finding['finding_id']}")
    open_form(v, "progress")
    form = 'form[data-command="progress"]'
    v.page.fill(f'{form} [data-field="narrative"]', "进展")
    v.page.fill(f'{form} [data-field="evidence.0.title"]', "材料")
    v.page.fill(f'{form} [data-field="evidence.0.sha256"]', "not-a-digest")
    submit(v, "progress")
    field = v.page.locator(f'{form} [data-field="evidence.0.sha256"]')
    error = v.page.locator(f"#{field.get_attribute('aria-describedby')}")
    error.wait_for()
    assert "sha256" in error.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert demo_api.size() == before
    assert v.console.unexpected(refusals=(422,)) == []
