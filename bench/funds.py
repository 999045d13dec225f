"""Fund balances and accountability counts on a ledger of 1M fund movements and 100k actions.

Run by hand; it prints figures and asserts nothing (except that our answers equal the naive
ones, to the fen)::

    .venv/bin/python bench/funds.py sqlite:///<funds db>
    .venv/bin/python bench/funds.py 'postgresql://postgres@127.0.0.1:5432/test?schema=bench_funds'
    .venv/bin/python bench/funds.py sqlite:///<small db> --movements 20000 --actions 2000

What it makes: 1,000 funds (one per county department and year), each with a source, three
holders, five projects, beneficiaries, misappropriated and recovered accounts, and 1,000
movements (allocations, then disbursements, with a misuse every 50th, a recovery every 100th
and a refund every 200th); 100,000 actions over 2016–2020 against 60,000 people in 1,000
units (every kind, some in cases, 2% revoked on appeal). Every event is decided by the
domain's own methods (balances, balance of legs, kinds of account) and saved with the read
models kept inline, a batch of aggregates per transaction, as the application saves them.

Then each query runs ``--iterations`` times on random funds and years (p50 / p99 in ms):
ours (the read models' queries) and, beside them, the naive answer: summing the movements'
legs in SQL (``SELECT account_id, SUM(amount_fen) … GROUP BY account_id``) over the same
indexes; beside the accountability counts, ``COUNT(DISTINCT …) GROUP BY`` over the year's
counted actions (how they were counted before ``rm_action_tallies``). Every naive answer
is checked equal to ours. The rows marked "kept" ask through
the read models' memo (answers kept until the log moves, as the API asks): the first
question per year is computed, the rest are kept; with no writes in between, that is the
figure of a dashboard asked again and again, and the computed rows above are the figure of
the first question after a write.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest.mock import patch
from uuid import UUID, uuid4

from sqlalchemy import case, distinct, func, select, text, true

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.accountability import Action, Grounds, Organs
from ledger.domain.base import Envelope
from ledger.domain.fund import Fund
from ledger.domain.money import AccountKind, Links
from ledger.domain.sanctions import ActionKind
from ledger.domain.unit import Unit
from ledger.domain.values import Actor
from ledger.projections import accountability_queries
from ledger.projections.accountability_queries import FIGURES
from ledger.projections.fund_queries import yuan
from ledger.projections.queries import ReadModels, When

FINANCE = Actor(id="bench-fin", name="财政局", role="finance")
DISCIPLINE = Actor(id="bench-disc", name="纪委监委", role="discipline")
ORGANS = Organs(proposing="县纪委监委", deciding="县纪委常委会", implementing="单位党组")
NO_GROUNDS = Grounds(findings=[], clues=[], cases=[])
START = datetime(2016, 1, 4, 1, tzinfo=UTC)
KINDS = list(ActionKind)


def envelope(actor: Actor, moment: datetime) -> Envelope:
    return Envelope(actor=actor, effective_at=moment, correlation_id=uuid4())


class Maker:
    """Builds funds, movements and actions through the domain and saves them in batches."""

    def __init__(self, ledger: Ledger, rng: random.Random, batch: int) -> None:
        self.ledger, self.rng, self.batch = ledger, rng, batch
        self.pending: list[Any] = []
        self.events = 0

    def save(self, *aggregates: Any, force: bool = False) -> None:
        for aggregate in aggregates:
            if not any(aggregate is p for p in self.pending):
                self.pending.append(aggregate)
        size = sum(len(a.pending_events) for a in self.pending)
        if size >= self.batch or (force and size):
            self.events += size
            self.ledger.save(*self.pending)
            self.pending = []

    def units(self, n: int) -> list[UUID]:
        ids = []
        for i in range(n):
            unit = Unit.register(envelope(FINANCE, START), name=f"县直单位{i:04d}", level="county")
            unit.record_headcount(envelope(FINANCE, START), year=2018, headcount=20 + i % 80)
            ids.append(unit.id)
            self.save(unit)
        return ids

    def fund(self, unit: UUID, year: int, moves: int) -> None:
        at = datetime(year, 1, 5, 1, tzinfo=UTC)
        fund = Fund.open(
            envelope(FINANCE, at), name=f"专项资金{unit.hex[:6]}-{year}", year=year, unit_id=unit
        )
        std = {k: a for a, k in fund.accounts.items()}
        e = envelope(FINANCE, at)
        holders = [
            fund.open_account(e, kind="holder", name=f"专户{i}", unit_id=unit) for i in range(3)
        ]
        projects = [fund.open_account(e, kind="project", name=f"项目{i}") for i in range(5)]
        people = fund.open_account(e, kind="beneficiaries", name="受益群众")
        for i in range(moves):
            moment = at + timedelta(minutes=500 * i)
            self.move(fund, i, moment, std, holders, projects, people, unit)
            if len(fund.pending_events) >= 200:
                self.save(fund)
        self.save(fund)

    def move(
        self,
        fund: Fund,
        i: int,
        moment: datetime,
        std: dict[AccountKind, UUID],
        holders: list[UUID],
        projects: list[UUID],
        people: UUID,
        unit: UUID,
    ) -> None:
        rng, e = self.rng, envelope(FINANCE, moment)
        if i < 3:
            kind, src, dst, amount = (
                "allocation",
                std[AccountKind.SOURCE],
                holders[i],
                "10000000.00",
            )
        elif i % 200 == 0 and fund.balances[std[AccountKind.RECOVERED]] > 0:
            kind, src, dst = "refund", std[AccountKind.RECOVERED], people
            amount = str(fund.balances[src])
        elif i % 100 == 0 and fund.balances[std[AccountKind.MISAPPROPRIATED]] > 0:
            kind, src, dst = (
                "recovery",
                std[AccountKind.MISAPPROPRIATED],
                std[AccountKind.RECOVERED],
            )
            amount = str(fund.balances[src])
        elif i % 50 == 0:
            kind, src, dst = (
                "misappropriation",
                rng.choice(projects),
                std[AccountKind.MISAPPROPRIATED],
            )
            amount = f"{rng.randint(1000, 99999)}.{rng.randint(0, 99):02d}"
        else:
            kind, src, dst = "disbursement", rng.choice(holders), rng.choice([*projects, people])
            amount = f"{rng.randint(100, 9999)}.{rng.randint(0, 99):02d}"
        misuse = kind == "misappropriation"
        fund.move(
            e,
            kind=kind,
            outflows=[{"account_id": src, "amount": amount}],
            inflows=[{"account_id": dst, "amount": amount}],
            manner="fraud" if misuse else None,
            links=Links(unit_id=unit, person_id=uuid4() if misuse else None),
        )

    def actions(self, n: int, units: list[UUID]) -> None:
        rng = self.rng
        people = [uuid4() for _ in range(max(n * 6 // 10, 1))]
        cases = [uuid4() for _ in range(max(n // 10, 1))]
        for i in range(n):
            day = START + timedelta(days=rng.randint(0, 5 * 365 - 10))
            action = Action.propose(
                envelope(DISCIPLINE, day),
                kind=rng.choice(KINDS),
                person_id=rng.choice(people),
                subject_name=f"干部{i:06d}",
                unit_id=rng.choice(units),
                rank=rng.choice(["科级", "县处级", ""]),
                organs=ORGANS,
                proposed_on=day.date(),
                case_id=rng.choice(cases) if i % 3 == 0 else None,
                grounds=NO_GROUNDS,
            )
            decided = day + timedelta(days=7)
            action.decide(envelope(DISCIPLINE, decided), decided_on=decided.date())
            if i % 50 == 0:
                when = decided + timedelta(days=2)
                action.appeal(envelope(DISCIPLINE, when), outcome="revoked", decided_on=when.date())
            self.save(action)
        self.save(force=True)


def generate(ledger: Ledger, movements: int, actions: int, batch: int, out: Any) -> None:
    rng = random.Random(20180101)
    maker = Maker(ledger, rng, batch)
    t = time.perf_counter()
    units = maker.units(1000)
    funds = max(movements // 1000, 1)
    per_fund = movements // funds
    for n in range(funds):
        maker.fund(units[n % len(units)], 2016 + n % 5, per_fund)
        if n % 50 == 49:
            rate = maker.events / (time.perf_counter() - t)
            out.write(f"  funds {n + 1}/{funds}  events {maker.events:,}  {rate:,.0f}/s\n")
            out.flush()
    maker.save(force=True)
    maker.actions(actions, units)
    seconds = time.perf_counter() - t
    out.write(
        f"generated {maker.events:,} events in {seconds:,.0f} s ({maker.events / seconds:,.0f}/s)\n"
    )


def timed(fn: Callable[[], Any], iterations: int, args: list[Any]) -> tuple[float, float, Any]:
    times, result = [], None
    for i in range(iterations):
        t = time.perf_counter()
        result = fn(args[i % len(args)])  # type: ignore[call-arg]
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, result


def measure(ledger: Ledger, iterations: int, out: Any) -> None:
    rm = ReadModels(ledger.projector, memo=False)  # every query computed
    kept = ReadModels(ledger.projector)  # as the API asks: answers kept until the log moves
    engine = ledger.projector.db.engine
    legs, accounts = rm.named["rm_fund_legs"], rm.named["rm_fund_accounts"]
    fund_ids = [r[0] for r in rm.rows(select(rm.named["rm_funds"].c.fund_id))]
    rng = random.Random(7)
    sample = [rng.choice(fund_ids) for _ in range(iterations)]
    years = [2016 + i % 5 for i in range(iterations)]

    def naive_balances(fund: str) -> dict[str, Decimal]:
        query = select(legs.c.account_id, func.sum(legs.c.amount_fen)).where(legs.c.fund_id == fund)
        with engine.connect() as conn:
            return {a: yuan(s) for a, s in conn.execute(query.group_by(legs.c.account_id))}

    def ours_balances(fund: str) -> dict[str, Decimal]:
        return {b["account_id"]: b["balance"] for b in rm.balances(fund)}

    def naive_total(_: Any) -> Decimal:
        with engine.connect() as conn:
            query = select(func.sum(legs.c.amount_fen)).join(
                accounts, accounts.c.account_id == legs.c.account_id
            )
            return yuan(conn.execute(query.where(accounts.c.kind == "recovered")).scalar())

    def ours_total(_: Any) -> Decimal:
        with engine.connect() as conn:
            query = select(func.sum(accounts.c.balance_fen)).where(accounts.c.kind == "recovered")
            return yuan(conn.execute(query).scalar())

    actions = rm.named["rm_actions"]

    def naive_counts(by: str, year: int) -> list[tuple[Any, ...]]:
        """COUNT(DISTINCT …) over the year's counted actions, as before the kept counts."""
        a, key = actions.c, actions.c[by]
        organisation = case((a.subject_type == "organisation", a.unit_id))
        query = select(
            key,
            func.count(),
            func.count(distinct(a.person_id)),
            func.count(distinct(organisation)),
            func.count(distinct(a.case_id)),
        ).where(a.year == year, a.counted == true())
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query.group_by(key).order_by(key))]

    def ours_counts(by: str, year: int) -> list[tuple[Any, ...]]:
        groups = rm.action_counts(by, year)
        return [(g["key"], *(g[f] for f in FIGURES)) for g in groups]

    for fund in sample[:50]:
        assert naive_balances(fund) == ours_balances(fund), fund
    assert naive_total(None) == ours_total(None)
    for year in range(2016, 2021):
        for by in ("family", "kind", "unit_id", "rank"):
            assert naive_counts(by, year) == ours_counts(by.removesuffix("_id"), year), by
    as_of = When.of(date(2019, 6, 30))
    known = known_moments(rm, iterations)
    for year, when in zip(years[:5], known[:5], strict=False):
        for by in ("family", "kind", "unit"):
            ours = rm.action_counts(by, year, when=when)
            assert ours == replayed(rm.action_counts, by, year, when=when), (by, year, when)
        assert rm.action_totals(year, when=when) == replayed(rm.action_totals, year, when=when)
    known_year = list(zip(years, known, strict=False))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    both = [When.of(as_of.as_of, epoch + timedelta(microseconds=w.known_us)) for w in known]
    both_year = list(zip(years, known, both, strict=False))
    for year, when in zip(years[:5], both[:5], strict=False):
        ours = rm.action_counts("kind", year, when=when)
        assert ours == replayed(rm.action_counts, "kind", year, when=when), (year, when)
        assert rm.action_totals(year, when=when) == replayed(rm.action_totals, year, when=when)
    rows = [
        ("fund balances, one fund (ours: rm_fund_accounts)", lambda f: ours_balances(f), sample),
        ("  naive: SUM(legs) GROUP BY account, one fund", naive_balances, sample),
        ("recovered balance, whole ledger (ours)", ours_total, sample),
        ("  naive: SUM(legs) of every recovered account", naive_total, sample),
        ("fund summary + 拨付率, one fund (ours)", lambda f: rm.funds(f), sample),
        ("fund balances as of 2019-06-30 (legs by index)", lambda f: rm.balances(f, as_of), sample),
        (
            "accountability counts by family, one year",
            lambda y: rm.action_counts("family", y),
            years,
        ),
        (
            "  naive: COUNT(DISTINCT) GROUP BY family, one year",
            lambda y: naive_counts("family", y),
            years,
        ),
        ("accountability counts by kind, one year", lambda y: rm.action_counts("kind", y), years),
        (
            "  naive: COUNT(DISTINCT) GROUP BY kind, one year",
            lambda y: naive_counts("kind", y),
            years,
        ),
        ("accountability counts by unit, one year", lambda y: rm.action_counts("unit", y), years),
        (
            "party+government sanctions, persons, one year",
            lambda y: rm.action_totals(y, families=["party", "government"]),
            years,
        ),
        (
            "accountability totals as of 2019-06-30",
            lambda y: rm.action_totals(y, when=as_of),
            years,
        ),
        (
            "accountability totals known at T (rm_action_known)",
            lambda a: rm.action_totals(a[0], when=a[1]),
            known_year,
        ),
        (
            "  replay: totals known at T (previous code)",
            lambda a: replayed(rm.action_totals, a[0], when=a[1]),
            known_year,
        ),
        (
            "accountability counts by kind known at T",
            lambda a: rm.action_counts("kind", a[0], when=a[1]),
            known_year,
        ),
        (
            "  replay: counts by kind known at T",
            lambda a: replayed(rm.action_counts, "kind", a[0], when=a[1]),
            known_year,
        ),
        (
            "accountability counts by unit known at T",
            lambda a: rm.action_counts("unit", a[0], when=a[1]),
            known_year,
        ),
        (
            "  replay: counts by unit known at T",
            lambda a: replayed(rm.action_counts, "unit", a[0], when=a[1]),
            known_year,
        ),
        (
            "accountability totals as of 2019-06-30, known at T",
            lambda a: rm.action_totals(a[0], when=a[2]),
            both_year,
        ),
        (
            "  replay: totals as of 2019-06-30, known at T",
            lambda a: replayed(rm.action_totals, a[0], when=a[2]),
            both_year,
        ),
        (
            "accountability counts by kind as of 2019-06-30, known at T",
            lambda a: rm.action_counts("kind", a[0], when=a[2]),
            both_year,
        ),
        (
            "  replay: counts by kind as of 2019-06-30, known at T",
            lambda a: replayed(rm.action_counts, "kind", a[0], when=a[2]),
            both_year,
        ),
        ("kept: accountability counts by family", lambda y: kept.action_counts("family", y), years),
        ("kept: accountability counts by kind", lambda y: kept.action_counts("kind", y), years),
        (
            "kept: party+government sanctions, persons",
            lambda y: kept.action_totals(y, families=["party", "government"]),
            years,
        ),
    ]
    # As the server does once started (api/app.py): the ledger's start-up objects are frozen
    # out of the collector, or a full collection over them lands in some query's time.
    gc.collect()
    gc.freeze()
    out.write(f"\n{'query':52} {'p50 ms':>8} {'p99 ms':>8}  load (1, 5 min)\n")
    results = {}
    for label, fn, args in rows:
        slow = "replay" in label  # the previous code: replayed per action
        p50, p99, _ = timed(fn, max(10, iterations // 5) if slow else iterations, args)
        results[label] = (p50, p99)
        load = "{:.1f}, {:.1f}".format(*os.getloadavg()[:2])
        out.write(f"{label:52} {p50:8.2f} {p99:8.2f}  {load}\n")
    for ours, naive in (
        (0, 1),
        (2, 3),
        (6, 7),
        (8, 9),
        (13, 14),
        (15, 16),
        (17, 18),
        (19, 20),
        (21, 22),
    ):
        a, b = results[rows[ours][0]], results[rows[naive][0]]
        name = rows[ours][0].split("(")[0].strip()
        out.write(f"speed-up {name}: p50 {b[0] / a[0]:.1f}x, p99 {b[1] / a[1]:.1f}x\n")


def known_moments(rm: ReadModels, n: int) -> list[When]:
    """``n`` moments ("known at") spread over the recording times of the actions' events."""
    st = rm.named["rm_action_states"]
    low, high = rm.rows(select(func.min(st.c.recorded_us), func.max(st.c.recorded_us)))[0]
    rng = random.Random(11)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    moments = [epoch + timedelta(microseconds=rng.randint(low, high)) for _ in range(n)]
    return [When.of(known_at=moment) for moment in moments]


def replayed(question: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """The answer as the previous code gave it: known at a time, replayed per action."""
    with (
        patch.object(accountability_queries, "known_query", return_value=None),
        patch.object(accountability_queries, "known_totals", return_value=None),
    ):
        return question(*args, **kw)


def describe(ledger: Ledger, out: Any) -> None:
    rm = ReadModels(ledger.projector)
    with ledger.projector.db.engine.connect() as conn:
        for name in (
            *("rm_fund_movements", "rm_fund_legs", "rm_fund_accounts", "rm_actions"),
            *("rm_action_known_steps", "rm_action_known_step_members"),
            *("rm_action_known_history", "rm_action_known_members", "rm_action_known_log"),
            *("rm_action_known_step_changes", "rm_action_known_late"),
        ):
            if name not in rm.named:  # an older version of the read models
                continue
            count = conn.execute(select(func.count()).select_from(rm.named[name])).scalar()
            out.write(f"{name:20} {count:>12,} rows\n")
        if ledger.projector.db.dialect == "sqlite":
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database")
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000, help="events per transaction")
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    args = parser.parse_args()
    t = time.perf_counter()
    ledger = Ledger(Settings(args.database))  # builds any read model behind the log
    sys.stdout.write(f"opened in {time.perf_counter() - t:,.1f} s, load {os.getloadavg()}\n")
    try:
        if not args.reuse:
            generate(ledger, args.movements, args.actions, args.batch, sys.stdout)
        describe(ledger, sys.stdout)
        measure(ledger, args.iterations, sys.stdout)
    finally:
        ledger.close()


if __name__ == "__main__":
    main()
