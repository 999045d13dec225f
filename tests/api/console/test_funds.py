"""The 资金 page in a real browser on the demo: Yongding's amounts exact to the fen, the
movements behind each figure adding up to it, and recording a movement from the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.console.helpers import fill, follow, open_form, refusal_next_to, submit
from tests.conftest import log_snapshot


def fund_and_accounts(people: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The demo's fund and its accounts by kind (projects left out: there are many)."""
    with people.api(people.finance) as api:
        [fund] = api.get("/funds").json()
        accounts = api.get(f"/funds/{fund['fund_id']}/balances").json()
    return fund, {a["kind"]: a for a in accounts if a["kind"] != "project"}


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "").removesuffix(" 元"))


def test_the_page_shows_yongdings_amounts_exact_to_the_fen(visit: Any, people: Any) -> None:
    fund, accounts = fund_and_accounts(people)
    v = visit()
    v.sign_in(people.finance)
    v.go("#/funds")
    section = v.page.locator(f'section.fund[data-fund="{fund["fund_id"]}"]')

    def shown(key: str) -> str:
        return str(section.locator(f'[data-figure="{key}"]').inner_text())

    # 追缴632.29万元, 退还群众225.54万元 (seeds/002), to the fen.
    assert shown("recovered") == "6,322,900.00 元"
    assert shown("refunded") == "2,255,400.00 元"
    assert shown("allocated") == "120,000,000.00 元"
    assert shown("disbursed") == "6,322,900.00 元"
    assert shown("rate") == "5.27%" and fund["disbursement_rate"] == "0.0527"
    notes = section.locator(".figure.fig-recovered .note").inner_text()
    assert notes == "632.29 万元"
    held = section.locator(f'tr[data-account="{accounts["recovered"]["account_id"]}"] td.amount')
    assert held.inner_text() == "4,067,500.00"
    idle = v.page.locator("table.idle tbody tr")
    assert idle.count() == 1 and "113,677,100.00" in idle.inner_text()
    anping = v.page.locator("table.by-unit tbody tr", has_text="安坪村").locator("td")
    assert anping.all_inner_texts() == ["3,621,900.00", "3,621,900.00", "654,400.00", "3"]
    v.shot("funds")

    # The figure opens the movements behind it, which add up to it exactly.
    follow(v, f'section.fund[data-fund="{fund["fund_id"]}"] [data-figure="recovered"]')
    total = v.page.locator(".sum")
    assert (total.get_attribute("data-total"), total.get_attribute("data-amount")) == (
        "15",
        "6322900.00",
    )
    assert total.inner_text() == "共 15 笔,合计 6,322,900.00 元(632.29 万元)"
    rows = v.page.locator("table.movements tbody td.amount").all_inner_texts()
    assert len(rows) == 15 and sum(amount(r) for r in rows) == Decimal("6322900.00")
    v.shot("recovered-movements")
    # An account's movements add up to its balance.
    v.go("#/funds")
    follow(v, f'tr[data-account="{accounts["recovered"]["account_id"]}"] a')
    assert v.page.locator(".sum").get_attribute("data-amount") == "4067500.00"
    assert v.console.unexpected() == []


def test_finance_records_a_refund_and_the_figures_change(
    visit: Any, people: Any, demo_api: Any
) -> None:
    fund, accounts = fund_and_accounts(people)
    refunded = Decimal(fund["refunded"])
    before = demo_api.size()
    v = visit()
    v.sign_in(people.finance)
    v.go("#/funds")
    open_form(v, "movement")
    fill(
        v,
        "movement",
        {
            "kind": "refund",
            "outflows.0.account_id": accounts["recovered"]["account_id"],
            "inflows.0.account_id": accounts["beneficiaries"]["account_id"],
            "outflows.0.amount": "1,234.56",
            "description": "退还四都坪乡村民危改资金",
            "basis": "永财〔2018〕88号",
        },
    )
    v.shot("movement-form")
    submit(v, "movement")
    v.ready()
    assert "已记录:资金往来" in v.page.locator(".flash").inner_text()
    assert demo_api.size() == before + 1
    now = amount(v.page.locator('[data-figure="refunded"]').inner_text())
    assert now == refunded + Decimal("1234.56")
    held = Decimal(accounts["recovered"]["balance"]) - Decimal("1234.56")
    row = v.page.locator(f'tr[data-account="{accounts["recovered"]["account_id"]}"] td.amount')
    assert amount(row.inner_text()) == held
    v.shot("refunded")
    assert v.console.unexpected() == []


def test_a_refund_beyond_what_was_recovered_is_refused_next_to_the_amount(
    visit: Any, people: Any, demo_api: Any
) -> None:
    _fund, accounts = fund_and_accounts(people)
    before = log_snapshot(demo_api.ledger)
    v = visit()
    v.sign_in(people.finance)
    v.go("#/funds")
    open_form(v, "movement")
    fill(
        v,
        "movement",
        {
            "kind": "refund",
            "outflows.0.account_id": accounts["recovered"]["account_id"],
            "inflows.0.account_id": accounts["beneficiaries"]["account_id"],
            "outflows.0.amount": "99999999.00",
        },
    )
    submit(v, "movement")
    said = refusal_next_to(v, "movement", "outflows.0.amount")
    assert said.startswith("退还群众金额 99999999.00 元超过已追缴余额")
    v.shot("refused")
    assert log_snapshot(demo_api.ledger) == before
    assert v.console.unexpected(refusals=(422,)) == []


def test_read_only_roles_get_no_form_and_a_unit_only_the_fund_figures(
    visit: Any, people: Any
) -> None:
    v = visit()
    v.sign_in(people.auditor)
    v.go("#/funds")
    assert v.page.locator("section.fund").count() == 1
    assert v.page.locator("form[data-command]").count() == 0
    unit = visit()
    unit.sign_in(people.unit)
    assert unit.page.locator("#nav a[data-nav=funds]").is_hidden()
    unit.go("#/funds")
    assert unit.page.locator('[data-figure="recovered"]').count() == 1
    assert unit.page.locator("table.idle, table.by-unit").count() == 0
    assert v.console.unexpected() == [] and unit.console.unexpected() == []


def test_the_as_of_view_shows_the_amounts_of_that_day_without_the_form(
    visit: Any, people: Any
) -> None:
    with people.api(people.finance) as api:
        [then] = api.get("/funds", params={"as_of": "2018-05-31"}).json()
        [now] = api.get("/funds").json()
    assert then["recovered"] != now["recovered"]
    v = visit()
    v.sign_in(people.finance)
    v.go("#/funds")
    v.page.fill("#asof-date", "2018-05-31")
    v.page.click(".moment-form button[type=submit]")
    v.page.wait_for_selector("#banner:not([hidden])")
    v.ready()
    recovered = amount(v.page.locator('[data-figure="recovered"]').inner_text())
    assert recovered == Decimal(then["recovered"])
    assert v.page.locator("form[data-command]").count() == 0
    follow(v, '[data-figure="recovered"]')
    assert v.page.locator(".sum").get_attribute("data-amount") == then["recovered"]
    assert v.console.unexpected() == []
