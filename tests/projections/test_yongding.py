"""The Yongding figures of 2018 (seeds/002), loaded as individual events by the demo, are
reproduced by the read models exactly: 396 problems handled, 164 cases opened, 258 people
dealt with organisationally, 126 given party or government sanctions, 632.29万元 recovered,
225.54万元 refunded to the people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.application.ledger import Ledger
from ledger.demo.load import load_demo
from ledger.projections.queries import ReadModels, When

END_OF_2018 = When.of(date(2018, 12, 31))


def test_the_read_models_reproduce_every_published_yongding_figure(ledger: Ledger) -> None:
    load_demo(ledger)
    rm = ReadModels(ledger.projector)
    assert rm.clue_counts(when=END_OF_2018)["concluded"] == 396
    assert rm.case_counts(2018, when=END_OF_2018)["opened"] == 164
    organisational = rm.action_totals(2018, families=["organisational"], when=END_OF_2018)
    assert organisational["persons"] == 258
    sanctioned = rm.action_totals(2018, families=["party", "government"], when=END_OF_2018)
    # 126 people, 136 sanctions: ten were given both a party and a government sanction.
    assert (sanctioned["persons"], sanctioned["actions"]) == (126, 136)
    [fund] = rm.funds(when=END_OF_2018)
    assert fund["recovered"] == Decimal("6322900.00")  # 632.29万元
    assert fund["refunded"] == Decimal("2255400.00")  # 225.54万元


def test_each_money_figure_is_the_sum_of_the_movements_listed_behind_it(ledger: Ledger) -> None:
    load_demo(ledger)
    rm = ReadModels(ledger.projector)
    for kind, expected in (("recovery", "6322900.00"), ("refund", "2255400.00")):
        items, after = [], None
        while True:
            page = rm.movements(kind=kind, after=after, limit=5)
            items += page.items
            if page.next is None:
                break
            after = page.next
        assert sum(m["amount"] for m in items) == Decimal(expected), kind
    by_case = rm.fund_totals("case")
    assert sum(g["recovered"] for g in by_case) == Decimal("6322900.00")
    named = max(by_case, key=lambda g: g["involved"])
    assert named["involved"] == Decimal("3621900.00")  # 安坪村: 套取362.19万元


def test_the_figures_are_not_there_before_they_happened(ledger: Ledger) -> None:
    load_demo(ledger)
    rm = ReadModels(ledger.projector)
    early = When.of(date(2018, 3, 1))
    assert rm.clue_counts(when=early)["concluded"] < 396
    assert rm.action_totals(2018, families=["organisational"], when=early)["persons"] < 258
    assert rm.funds(when=early)[0]["recovered"] < Decimal("6322900.00")
