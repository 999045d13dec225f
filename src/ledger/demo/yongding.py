"""Yongding District (张家界市永定区), 2018: the special campaign against corruption and
misconduct in poverty alleviation, as published (seeds/002): 396 problems handled, 164 cases
opened, 258 people dealt with organisationally, 126 given party or government sanctions,
632.29万元 recovered and 225.54万元 refunded to the people — each one an event.

The two named cases and the Sidu­ping refund come from the seed (安坪村原村支部书记套取
362.19万元; 青云桥村支部书记贪污110万元; 四都坪乡50余名村民危改资金12.5万元失而复得). Everything
else (who, which township, which day, how the recovered money splits) is invented but adds up
exactly to the published figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.application.ledger import Ledger
from ledger.domain.values import Actor

DISCIPLINE = Actor(id="demo-yd-disc", name="永定区纪委监委干部", role="discipline")
FINANCE = Actor(id="demo-yd-fin", name="永定区财政局资金股", role="finance")
ADMIN = Actor(id="demo-admin", name="系统管理员", role="admin")
COMMISSION, BUREAU = "永定区纪委监委", "永定区信访局"
TOWNSHIPS = [
    "四都坪乡", "王家坪镇", "教字垭镇", "罗塔坪乡", "沅古坪镇", "三家馆乡", "尹家溪镇",
    "谢家垭乡", "罗水乡", "合作桥乡", "双溪桥乡", "桥头乡", "茅岩河镇", "枫香岗街道",
]  # fmt: skip
HANDLED, CASES, ORGANISATIONAL, SANCTIONED = 396, 164, 258, 126
RECOVERED, REFUNDED = Decimal("6322900.00"), Decimal("2255400.00")
WAYS = ["dig_deep", "rectify", "pin_responsibility", "resolve", "clarify"]
ORGANISATIONAL_KINDS = ["organisational", "recall", "transfer", "suspension", "removal"]
SANCTION_KINDS = ["party_warning", "party_serious_warning", "gov_demerit", "gov_major_demerit"]
# The named cases: (village, person, manner, amount misused, refunded to the people).
NAMED = [
    ("安坪村", "覃桂平", "fraud", Decimal("3621900.00"), Decimal("654400.00")),
    ("青云桥村", "彭万国", "embezzlement", Decimal("1100000.00"), Decimal("0.00")),
    ("四都坪乡", "四都坪乡危改经办人", "withholding", Decimal("125000.00"), Decimal("125000.00")),
]  # fmt: skip
SMALL_CASES, SMALL_AMOUNT = 12, Decimal("123000.00")  # recovered and refunded in full


def day_of(n: int, first: date = date(2018, 1, 15), span: int = 300) -> date:
    """A working date of 2018 spread over ``span`` days."""
    return first + timedelta(days=(n * 7) % span)


class Yongding:
    """Issues Yongding's 2018 commands through the application, with idempotency keys."""

    def __init__(self, app: Ledger, ctx: Any, units: dict[str, UUID]) -> None:
        self.app, self.ctx, self.units = app, ctx, units
        self.clues: list[UUID] = []
        self.cases: list[UUID] = []
        self.people: list[UUID] = []
        self.fund: UUID | None = None

    def unit(self, name: str, level: str, parent: str | None, headcount: int) -> UUID:
        if name not in self.units:
            on = date(2018, 1, 2)
            parent_id = self.units[parent] if parent else None
            uid = self.app.register_unit(
                ADMIN,
                name=name,
                level=level,
                parent_id=parent_id,
                ctx=self.ctx(f"yd:unit:{name}", on),
            ).id
            self.app.record_headcount(
                ADMIN, uid, year=2018, headcount=headcount, ctx=self.ctx(f"yd:head:{name}", on)
            )
            self.units[name] = uid
        return self.units[name]

    def registry(self) -> None:
        self.unit("湖南省", "province", None, 300)
        self.unit("张家界市", "prefecture", "湖南省", 200)
        self.unit("永定区", "county", "张家界市", 150)
        for name, size in (("永定区财政局", 60), ("永定区扶贫办", 30)):
            self.unit(name, "county", "永定区", size)
        for n, town in enumerate(TOWNSHIPS):
            self.unit(town, "township", "永定区", 40 + 3 * n)
        for village in ("安坪村", "青云桥村"):
            self.unit(village, "village", "永定区", 12)

    def clue_work(self) -> None:
        """396 clues and petitions received, assigned, concluded in 2018 (the problems handled)."""
        for n in range(HANDLED):
            key, town = f"yd:clue:{n}", self.units[TOWNSHIPS[n % len(TOWNSHIPS)]]
            received = day_of(n)
            clue = self.app.receive_clue(
                DISCIPLINE,
                kind="petition" if n % 3 == 0 else "clue",
                number=f"永纪线〔2018〕{n + 1}号",
                summary="反映扶贫领域腐败和作风问题",
                organ=COMMISSION,
                unit_id=town,
                ctx=self.ctx(f"{key}:receive", received),
            ).id
            assigned = received + timedelta(days=2)
            self.app.assign_clue(
                DISCIPLINE,
                clue,
                unit_id=town,
                due_date=assigned + timedelta(days=30),
                ctx=self.ctx(f"{key}:assign", assigned),
            )
            self.app.conclude_clue(
                DISCIPLINE,
                clue,
                disposition=WAYS[n % len(WAYS)],
                summary="已核查处置",
                ctx=self.ctx(f"{key}:conclude", assigned + timedelta(days=20)),
            )
            self.clues.append(clue)

    def case_work(self) -> None:
        """164 cases opened from the first 164 clues."""
        for n in range(CASES):
            opened = day_of(n) + timedelta(days=25)
            town = TOWNSHIPS[n % len(TOWNSHIPS)]
            case = self.app.open_case(
                DISCIPLINE,
                case_no=f"永纪立〔2018〕{n + 1}号",
                title=f"{town}扶贫领域违纪违法案",
                unit_id=self.units[town],
                opened_on=opened,
                clue_ids=[self.clues[n]],
                ctx=self.ctx(f"yd:case:{n}", opened),
            ).id
            self.cases.append(case)

    def person(self, n: int, name: str) -> UUID:
        return self.app.register_person(
            ADMIN, name=name, ctx=self.ctx(f"yd:person:{n}", date(2018, 1, 2))
        ).id

    def action(
        self, key: str, kind: str, person: UUID, unit: str, when: date, **extra: Any
    ) -> None:
        organs = {"proposing_organ": COMMISSION, "deciding_organ": "永定区纪委常委会"}
        action = self.app.propose_action(
            DISCIPLINE,
            kind=kind,
            person_id=person,
            unit_id=self.units[unit],
            rank="科级",
            implementing_organ=f"{unit}党委",
            proposed_on=when,
            **organs,
            **extra,
            ctx=self.ctx(f"{key}:propose", when),
        ).id
        decided = when + timedelta(days=7)
        self.app.decide_action(
            DISCIPLINE, action, decided_on=decided, ctx=self.ctx(f"{key}:decide", decided)
        )

    def accountability(self) -> None:
        """258 people dealt with organisationally; 126 sanctioned, ten of them twice."""
        for n in range(ORGANISATIONAL):
            person = self.person(n, f"永定区干部{n + 1:03d}")
            town = TOWNSHIPS[n % len(TOWNSHIPS)]
            kind = ORGANISATIONAL_KINDS[n % len(ORGANISATIONAL_KINDS)]
            self.action(
                f"yd:org:{n}",
                kind,
                person,
                town,
                day_of(n, date(2018, 3, 1), 270),
                clues=[self.clues[n]],
            )
        names = [p for _, p, *_ in NAMED]
        for n in range(SANCTIONED):
            name = names[n] if n < len(names) else f"永定区受处分人员{n + 1:03d}"
            person = self.person(1000 + n, name)
            self.people.append(person)
            unit = NAMED[n][0] if n < len(NAMED) else TOWNSHIPS[n % len(TOWNSHIPS)]
            on, case = day_of(n, date(2018, 4, 1), 240), self.cases[n % 100]
            kind = "party_expulsion" if n < 2 else SANCTION_KINDS[n % len(SANCTION_KINDS)]
            self.action(f"yd:sanction:{n}", kind, person, unit, on, case_id=case)
            if n < 10:  # a government sanction too: one more action, the same person
                self.action(f"yd:sanction2:{n}", "gov_removal", person, unit, on, case_id=case)
            if n < 2:  # the two named cases also went to the judicial organs
                self.action(f"yd:judicial:{n}", "judicial", person, unit, on, case_id=case)

    def open_fund(self) -> None:
        """The special fund of 2018, managed by the district finance bureau."""
        self.fund = self.app.open_fund(
            FINANCE,
            name="永定区2018年财政专项扶贫资金",
            year=2018,
            unit_id=self.units["永定区财政局"],
            ctx=self.ctx("yd:fund", date(2018, 1, 20)),
        ).id

    def funds(self) -> None:
        """The special fund: allocated, disbursed, misused, recovered, refunded to the fen."""
        fund, yd = self.fund, date(2018, 1, 20)
        assert fund is not None
        accounts = {k.value: a for a, k in self.app.get_fund(fund).accounts.items()}
        holder = self.account(fund, "holder", "永定区财政局扶贫资金专户", "永定区财政局")
        people = self.account(fund, "beneficiaries", "永定区贫困群众", None)
        self.move(
            fund, "alloc", "allocation", accounts["source"], holder, Decimal("120000000.00"), yd
        )
        cases = [
            *NAMED,
            *(
                (TOWNSHIPS[i + 1], "", "diversion", SMALL_AMOUNT, SMALL_AMOUNT)
                for i in range(SMALL_CASES)
            ),
        ]
        # The split is invented; the totals are the published ones.
        assert sum(c[3] for c in cases) == RECOVERED and sum(c[4] for c in cases) == REFUNDED
        for n, (place, _name, manner, amount, refund) in enumerate(cases):
            self.misuse(fund, n, holder, accounts, people, place, manner, amount, refund)

    def misuse(
        self,
        fund: UUID,
        n: int,
        holder: UUID,
        accounts: dict[str, UUID],
        people: UUID,
        place: str,
        manner: str,
        amount: Decimal,
        refund: Decimal,
    ) -> None:
        project = self.account(fund, "project", f"{place}扶贫项目{n + 1}", None)
        on = date(2018, 3, 1) + timedelta(days=10 * n)
        links = {
            "unit_id": self.units[place],
            "case_id": self.cases[n],
            "person_id": self.people[n],
        }
        self.move(fund, f"disb:{n}", "disbursement", holder, project, amount, on)
        self.move(
            fund,
            f"misuse:{n}",
            "misappropriation",
            project,
            accounts["misappropriated"],
            amount,
            on + timedelta(days=30),
            manner=manner,
            actor=DISCIPLINE,
            **links,
        )
        self.move(
            fund,
            f"recover:{n}",
            "recovery",
            accounts["misappropriated"],
            accounts["recovered"],
            amount,
            on + timedelta(days=60),
            actor=DISCIPLINE,
            **links,
        )
        if refund:
            self.move(
                fund,
                f"refund:{n}",
                "refund",
                accounts["recovered"],
                people,
                refund,
                on + timedelta(days=70),
                **links,
            )

    def account(self, fund: UUID, kind: str, name: str, unit: str | None) -> UUID:
        unit_id = None if unit is None else self.units[unit]
        receipt = self.app.open_account(
            FINANCE,
            fund,
            kind=kind,
            name=name,
            unit_id=unit_id,
            ctx=self.ctx(f"yd:account:{name}", date(2018, 1, 20)),
        )
        assert receipt.item_id is not None
        return receipt.item_id

    def move(
        self,
        fund: UUID,
        key: str,
        kind: str,
        src: UUID,
        dst: UUID,
        amount: Decimal,
        on: date,
        **kw: Any,
    ) -> None:
        actor = kw.pop("actor", FINANCE)
        legs = ([{"account_id": src, "amount": amount}], [{"account_id": dst, "amount": amount}])
        self.app.record_movement(
            actor,
            fund,
            kind=kind,
            outflows=legs[0],
            inflows=legs[1],
            ctx=self.ctx(f"yd:move:{key}", on),
            **kw,
        )


def load_yongding(app: Ledger, ctx: Any, units: dict[str, UUID], step: Any) -> None:
    """Load Yongding's 2018 figures, each part in one transaction."""
    yd = Yongding(app, ctx, units)
    for label, part in (
        ("永定区单位", yd.registry),
        ("永定区问题线索", yd.clue_work),
        ("永定区立案", yd.case_work),
        ("永定区问责处分", yd.accountability),
        ("永定区扶贫资金专户", yd.open_fund),
        ("永定区扶贫资金", yd.funds),
    ):
        with app.batch():
            part()
        step(label)


YONGDING_STEPS = 6
