"""Funds as double entry on every back end: balances, 拨付率, 滞留闲置, totals and the movements
behind them, exact to the fen; every bad movement refused with the log unchanged."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.domain.base import set_clock
from ledger.domain.errors import InvalidInput, NotFound, PermissionDenied
from ledger.domain.money import AccountKind
from ledger.domain.values import BEIJING, Actor
from ledger.projections.queries import ReadModels, When

FINANCE = Actor(id="fin-1", name="钱财", role="finance")
DISCIPLINE = Actor(id="disc-1", name="赵纪", role="discipline")


def on(day: str) -> CommandContext:
    return CommandContext(effective_at=date.fromisoformat(day))


def legs(account: Any, amount: Any) -> list[dict[str, Any]]:
    return [{"account_id": account, "amount": amount}]


def move(
    app: Ledger, w: SimpleNamespace, kind: str, src: Any, dst: Any, amount: Any, **kw: Any
) -> Any:
    actor = kw.pop("actor", FINANCE)
    return app.record_movement(
        actor, w.fund, kind=kind, outflows=legs(src, amount), inflows=legs(dst, amount), **kw
    )


@pytest.fixture
def fw(ledger: Ledger, admin: Actor) -> SimpleNamespace:
    """A county fund held by the finance bureau, a project, the villagers; a person, a case."""
    county = ledger.register_unit(admin, name="永定区财政局", level="county").id
    village = ledger.register_unit(admin, name="安坪村", level="village").id
    person = ledger.register_person(admin, name="覃某").id
    case = ledger.open_case(
        DISCIPLINE,
        case_no="永纪立〔2018〕1号",
        title="套取案",
        unit_id=village,
        opened_on="2018-03-01",
    ).id
    fund = ledger.open_fund(
        FINANCE, name="2018年财政专项扶贫资金", year=2018, unit_id=county, ctx=on("2018-01-02")
    ).id
    accounts = {k: a for a, k in ledger.get_fund(fund).accounts.items()}

    def account(kind: str, name: str, unit: Any = None) -> Any:
        return ledger.open_account(FINANCE, fund, kind=kind, name=name, unit_id=unit).item_id

    return SimpleNamespace(
        county=county,
        village=village,
        person=person,
        case=case,
        fund=fund,
        source=accounts[AccountKind.SOURCE],
        misused=accounts[AccountKind.MISAPPROPRIATED],
        recovered=accounts[AccountKind.RECOVERED],
        holder=account("holder", "永定区财政局扶贫专户", county),
        project=account("project", "安坪村产业项目"),
        people=account("beneficiaries", "安坪村贫困户"),
    )


def test_money_moves_between_accounts_and_every_balance_is_exact_to_the_fen(
    ledger: Ledger, fw: SimpleNamespace
) -> None:
    move(ledger, fw, "allocation", fw.source, fw.holder, "10000000.00", ctx=on("2018-02-01"))
    move(ledger, fw, "disbursement", fw.holder, fw.project, "6000000.01", ctx=on("2018-03-01"))
    move(
        ledger,
        fw,
        "misappropriation",
        fw.project,
        fw.misused,
        "3621900.00",
        manner="fraud",
        unit_id=fw.village,
        person_id=fw.person,
        case_id=fw.case,
        actor=DISCIPLINE,
        ctx=on("2018-05-01"),
    )
    move(
        ledger,
        fw,
        "recovery",
        fw.misused,
        fw.recovered,
        "3000000.00",
        case_id=fw.case,
        unit_id=fw.village,
    )
    move(
        ledger,
        fw,
        "refund",
        fw.recovered,
        fw.people,
        "125000.00",
        case_id=fw.case,
        unit_id=fw.village,
    )
    rm = ReadModels(ledger.projector)
    balances = {b["name"]: b["balance"] for b in rm.balances(fw.fund)}
    assert balances == {
        "资金来源(上级下达)": Decimal("-10000000.00"),
        "永定区财政局扶贫专户": Decimal("3999999.99"),
        "安坪村产业项目": Decimal("2378100.01"),
        "安坪村贫困户": Decimal("125000.00"),
        "被套取/挪用/贪污/截留资金": Decimal("621900.00"),
        "已追缴资金": Decimal("2875000.00"),
    }
    assert sum(balances.values()) == 0  # nothing created, nothing lost
    fund = rm.funds(fw.fund)[0]
    assert (fund["allocated"], fund["disbursed"]) == (Decimal("10000000.00"), Decimal("6000000.01"))
    assert fund["disbursement_rate"] == Decimal("0.6000")
    assert (fund["recovered"], fund["refunded"]) == (Decimal("3000000.00"), Decimal("125000.00"))
    app_balances = ledger.get_fund(fw.fund).balances
    assert app_balances[fw.holder] == Decimal("3999999.99")


def test_totals_per_unit_and_case_list_the_movements_behind_them(
    ledger: Ledger, fw: SimpleNamespace
) -> None:
    move(ledger, fw, "allocation", fw.source, fw.holder, "500.00")
    for amount in ("100.10", "200.20"):
        move(
            ledger,
            fw,
            "misappropriation",
            fw.holder,
            fw.misused,
            amount,
            manner="embezzlement",
            unit_id=fw.village,
            case_id=fw.case,
            actor=DISCIPLINE,
        )
    move(
        ledger,
        fw,
        "recovery",
        fw.misused,
        fw.recovered,
        "250.00",
        case_id=fw.case,
        unit_id=fw.village,
    )
    move(
        ledger, fw, "refund", fw.recovered, fw.people, "50.05", case_id=fw.case, unit_id=fw.village
    )
    rm = ReadModels(ledger.projector)
    [by_case] = rm.fund_totals("case")
    assert by_case["key"] == str(fw.case)
    assert (by_case["involved"], by_case["recovered"], by_case["refunded"]) == (
        Decimal("300.30"),
        Decimal("250.00"),
        Decimal("50.05"),
    )
    assert by_case["movements"] == 4
    behind = rm.movements(case_id=fw.case, kind="misappropriation").items
    assert sum(m["amount"] for m in behind) == by_case["involved"]
    assert {m["manner"] for m in behind} == {"embezzlement"}
    [by_unit] = rm.fund_totals("unit")
    assert (by_unit["key"], by_unit["recovered"]) == (str(fw.village), Decimal("250.00"))
    page = rm.movements(fund_id=fw.fund, limit=2)
    rest = rm.movements(fund_id=fw.fund, limit=2, after=page.next)
    assert (
        len(page.items)
        + len(rest.items)
        + len(rm.movements(fund_id=fw.fund, limit=2, after=rest.next).items)
        == 5
    )
    on_holder = rm.movements(account_id=fw.holder).items
    assert [m["amount"] for m in on_holder] == [
        Decimal("500.00"),
        Decimal("-100.10"),
        Decimal("-200.20"),
    ]


def test_funds_idle_at_a_holder_past_the_days_allowed(ledger: Ledger, fw: SimpleNamespace) -> None:
    move(ledger, fw, "allocation", fw.source, fw.holder, "1000.00", ctx=on("2018-01-10"))
    move(ledger, fw, "allocation", fw.source, fw.holder, "300.00", ctx=on("2018-06-01"))
    move(ledger, fw, "disbursement", fw.holder, fw.project, "400.00", ctx=on("2018-06-10"))
    rm = ReadModels(ledger.projector)
    # On 30 June 2018 the holder has 900.00; 300.00 arrived within 90 days, so 600.00 is idle.
    [idle] = rm.idle(90, when=When.of(date(2018, 6, 30)))
    assert (idle["balance"], idle["idle"], idle["name"]) == (
        Decimal("900.00"),
        Decimal("600.00"),
        "永定区财政局扶贫专户",
    )
    assert rm.idle(200, when=When.of(date(2018, 6, 30))) == []
    assert rm.idle(90, when=When.of(date(2018, 3, 1))) == []  # 50 days: not yet idle
    assert rm.idle(90, when=When.of(date(2018, 4, 15)))[0]["idle"] == Decimal("1000.00")


def test_balances_as_of_a_day_and_as_known_at_a_moment(ledger: Ledger, fw: SimpleNamespace) -> None:
    start = datetime(2018, 7, 1, 9, tzinfo=BEIJING)
    set_clock(lambda: start)
    try:
        move(ledger, fw, "allocation", fw.source, fw.holder, "800.00", ctx=on("2018-06-01"))
        set_clock(lambda: start + timedelta(days=3))
        move(ledger, fw, "disbursement", fw.holder, fw.project, "300.00", ctx=on("2018-06-15"))
    finally:
        set_clock(None)
    rm = ReadModels(ledger.projector)

    def holder(when: When) -> Decimal:
        return next(b["balance"] for b in rm.balances(fw.fund, when) if b["kind"] == "holder")

    assert holder(When.of(date(2018, 6, 10))) == Decimal("800.00")
    assert holder(When.of(date(2018, 6, 30))) == Decimal("500.00")
    assert holder(When.of(date(2018, 6, 30), start + timedelta(days=1))) == Decimal("800.00")
    assert rm.funds(fw.fund, When.of(date(2018, 6, 30)))[0]["disbursement_rate"] == Decimal(
        "0.3750"
    )
    assert rm.funds(when=When.of(date(2018, 1, 1))) == []


def _misuse(app: Ledger, w: SimpleNamespace, **kw: Any) -> Any:
    args = {"manner": "diversion", "unit_id": w.village, "person_id": w.person, "actor": DISCIPLINE}
    return move(app, w, "misappropriation", w.holder, w.misused, "10.00", **{**args, **kw})


BAD: list[tuple[str, Any, type[Exception], str]] = [
    (
        "zero",
        lambda a, w: move(a, w, "allocation", w.source, w.holder, "0"),
        InvalidInput,
        "outflows[0].amount",
    ),
    (
        "negative",
        lambda a, w: move(a, w, "allocation", w.source, w.holder, "-5.00"),
        InvalidInput,
        "outflows[0].amount",
    ),
    (
        "three decimals",
        lambda a, w: move(a, w, "allocation", w.source, w.holder, "1.005"),
        InvalidInput,
        "outflows[0].amount",
    ),
    (
        "a float",
        lambda a, w: move(a, w, "allocation", w.source, w.holder, 0.1),
        InvalidInput,
        "outflows[0].amount",
    ),
    (
        "unbalanced",
        lambda a, w: a.record_movement(
            FINANCE,
            w.fund,
            kind="allocation",
            outflows=legs(w.source, "100.00"),
            inflows=legs(w.holder, "99.99"),
        ),
        InvalidInput,
        "inflows",
    ),
    (
        "refund beyond what was recovered",
        lambda a, w: move(a, w, "refund", w.recovered, w.people, "0.01"),
        InvalidInput,
        "outflows[0].amount",
    ),
    (
        "below zero without misuse",
        lambda a, w: move(a, w, "disbursement", w.holder, w.project, "0.01"),
        InvalidInput,
        "outflows[0].amount",
    ),
    (
        "wrong kind of account",
        lambda a, w: move(a, w, "disbursement", w.source, w.project, "1.00"),
        InvalidInput,
        "outflows[0].account_id",
    ),
    (
        "unknown account",
        lambda a, w: move(a, w, "allocation", w.source, w.person, "1.00"),
        NotFound,
        "inflows[0].account_id",
    ),
    (
        "unknown movement kind",
        lambda a, w: move(a, w, "gift", w.source, w.holder, "1.00"),
        InvalidInput,
        "kind",
    ),
    ("misuse without a manner", lambda a, w: _misuse(a, w, manner=None), InvalidInput, "manner"),
    (
        "misuse without a person or case",
        lambda a, w: _misuse(a, w, person_id=None),
        InvalidInput,
        "person_id",
    ),
    (
        "unknown fund",
        lambda a, w: a.record_movement(FINANCE, w.case, kind="allocation", outflows=[], inflows=[]),
        NotFound,
        "fund_id",
    ),
]


@pytest.mark.parametrize(("name", "command", "error", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_movements_are_refused_and_record_nothing(
    ledger: Ledger,
    fw: SimpleNamespace,
    snapshot_of: Any,
    name: str,
    command: Any,
    error: Any,
    field: str,
) -> None:
    before = snapshot_of(ledger)
    with pytest.raises(error) as refused:
        command(ledger, fw)
    assert refused.value.field == field, (name, str(refused.value))
    assert snapshot_of(ledger) == before


def test_misuse_may_take_an_account_below_zero(ledger: Ledger, fw: SimpleNamespace) -> None:
    _misuse(ledger, fw)
    rm = ReadModels(ledger.projector)
    holder = next(b for b in rm.balances(fw.fund) if b["kind"] == "holder")
    assert holder["balance"] == Decimal("-10.00")


@pytest.mark.parametrize("role", ["inspection_office", "auditor", "admin"])
def test_only_finance_and_discipline_record_fund_movements(
    ledger: Ledger, fw: SimpleNamespace, snapshot_of: Any, role: str
) -> None:
    before = snapshot_of(ledger)
    with pytest.raises(PermissionDenied):
        move(
            ledger,
            fw,
            "allocation",
            fw.source,
            fw.holder,
            "1.00",
            actor=Actor(id="x", name="某", role=role),
        )
    assert snapshot_of(ledger) == before
