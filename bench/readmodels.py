"""Read models on a realistic 1M-event ledger: rebuild rate, inline cost, query latency.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/readmodels.py                       # both back ends, 1M events
    .venv/bin/python bench/readmodels.py --backend sqlite --events 200000
    .venv/bin/python bench/readmodels.py --keep                # keep (and next time reuse)
                                                               # the generated ledgers

For each back end (SQLite file, PostgreSQL schema) it generates a ledger with
``generate.py`` (or reuses one kept by ``--keep``), then measures:

1. **Rebuild**: every read model rebuilt from the log in one pass with
   ``projector.rebuild()`` (``--per-model``: ``rebuild(name)`` one after the other),
   against the reference "simply reading and decoding the same events": every
   notification read with ``recorder.select_notifications`` in pages of 5,000 and
   decoded with the application's mapper (``mapper.to_domain_event``). The reference
   runs right before and right after the rebuild; the faster is used.
2. **Inline cost**: the full write path with read models kept in the transaction
   against the same path without them, on the same ledger instance and database,
   toggling ``ledger.recorder.projector`` between the two in interleaved rounds (the
   order alternates; fresh findings every round; medians over rounds):
   single ``report_progress`` commands, 100 commands in one ``ledger.batch()``, and
   ``ledger.save()`` of 100 decided ``ProgressReported`` events.
3. **Queries** on the generated ledger, many iterations over random inspections,
   dates and recording times (2018–2020), p50 / p99: an inspection's counts now, as
   of a past effective date, as known at a past recording time; a page of the
   overdue list (one inspection now, one inspection as of a past date, every
   inspection now); and, for context, the counts of every inspection.

The events written while the read models are detached (inline phase) are never
applied to them, so a kept ledger's read models are rebuilt (and measured) first
when it is reused.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg import sql
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
import generate

from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.base import Envelope
from ledger.domain.finding import Finding
from ledger.domain.values import BEIJING, Actor, Figure
from ledger.projections.queries import ReadModels, When

PG_URL = os.environ.get("LEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PAGE = 5000
BATCH = 100
FINDINGS = 50
NARRATIVE = "已组织全县中小学开展控辍保学专项排查,劝返复学学生 138 人并建立台账,逐人落实帮扶责任。"
FIGURES = [{"name": "劝返复学", "value": "138", "unit": "人", "of_total": "202"}]
OFFICE = Actor(id="bench-office", name="张伟", role="inspection_office")
LAST_DAY = date(2020, 12, 31)
LAST_KNOWN = datetime(2021, 2, 15, 18, 0, tzinfo=BEIJING)

# --- back ends ---------------------------------------------------------------------------


class SQLiteTarget:
    """A ledger file in one directory."""

    label = "SQLite"

    def __init__(self, directory: str, events: int) -> None:
        self.path = Path(directory) / f"ledger-{events}.db"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.url = f"sqlite:///{self.path}"
        self.where = f"file {self.path}"

    def exists(self) -> bool:
        return self.path.exists()

    def prepare(self) -> None:
        self.drop()

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def durability(self, ledger: Ledger) -> str:
        conns = list(ledger.recorder.datastore.pool._pool)  # type: ignore[attr-defined]
        seen = {_sqlite_pragmas(c._sqlite_conn) for c in conns}
        size = sum(
            Path(f"{self.path}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{self.path}{s}").exists()
        )
        return f"{', '.join(sorted(seen))}; {size / 1e9:.2f} GB on disk"


class PostgresTarget:
    """A ledger in its own schema of the test database."""

    label = "PostgreSQL"

    def __init__(self, url: str, events: int) -> None:
        self.server = url
        self.schema = f"bench_readmodels_{events}"
        self.url = f"{url}?schema={self.schema}"
        with psycopg.connect(url, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        self.where = f"server {version} at {url.split('@')[-1]}, schema {self.schema}"

    def exists(self) -> bool:
        with psycopg.connect(self.server, autocommit=True) as conn:
            row = conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
                "AND table_name = 'ledger_events'",
                (self.schema,),
            ).fetchone()
        return row is not None

    def prepare(self) -> None:
        self.drop()
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))

    def drop(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema))
            )

    def durability(self, ledger: Ledger) -> str:
        with ledger.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            names = ("synchronous_commit", "fsync", "shared_buffers", "autovacuum", "jit")
            values = [_first(conn.execute(f"SHOW {n}").fetchone()) for n in names]
            size = _first(
                conn.execute(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                    (self.schema,),
                ).fetchone()
            )
        settings = " ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
        return f"{settings}; {int(size or 0) / 1e9:.2f} GB in the schema"


def _sqlite_pragmas(conn: sqlite3.Connection) -> str:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={mode} synchronous={names.get(sync, sync)}"


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


# --- 1. rebuild against reading and decoding --------------------------------------------------


@dataclass
class Rebuild:
    """Seconds to read + decode the log (twice) and to rebuild every read model."""

    events: int = 0
    reference_s: list[float] = field(default_factory=list)
    read_s: list[float] = field(default_factory=list)
    models_s: dict[str, float] = field(default_factory=dict)
    where: str = ""

    @property
    def reference_rate(self) -> float:
        return self.events / min(self.reference_s)

    @property
    def rebuild_rate(self) -> float:
        return self.events / sum(self.models_s.values())


def read_and_decode(ledger: Ledger) -> tuple[int, float, float]:
    """Every event read in pages and decoded by the mapper: (events, seconds, of which reading)."""
    recorder, mapper = ledger.recorder, ledger.mapper
    gc.collect()
    started = time.perf_counter()
    reading = 0.0
    start, count = 1, 0
    while True:
        t = time.perf_counter()
        page = recorder.select_notifications(start=start, limit=PAGE)
        reading += time.perf_counter() - t
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        if len(page) < PAGE:
            return count, time.perf_counter() - started, reading
        start = page[-1].id + 1


def measure_rebuild(ledger: Ledger, per_model: bool, out: Any) -> Rebuild:
    result = Rebuild(where="measured now")
    for step in ("reference", "rebuild", "reference"):
        if step == "reference":
            result.events, seconds, reading = read_and_decode(ledger)
            result.reference_s.append(seconds)
            result.read_s.append(reading)
            print(
                f"  reference read + decode: {result.events:,} events in {seconds:.1f} s "
                f"({reading:.1f} s of it reading)",
                file=out,
                flush=True,
            )
        else:
            gc.collect()
            result.models_s = generate.rebuild_all(ledger, out, per_model)
    return result


# --- 2. inline cost -------------------------------------------------------------------------


@dataclass
class Workload:
    """One write path, timed with and without read models."""

    name: str
    events: int
    run: Callable[[list[UUID], int], None]
    rates: dict[bool, list[float]] = field(default_factory=lambda: {True: [], False: []})

    def median(self, with_models: bool) -> float:
        return statistics.median(self.rates[with_models])


class Inline:
    """The write path on one ledger, with its read models attached or detached."""

    def __init__(self, ledger: Ledger, events: int) -> None:
        self.ledger = ledger
        self.recorder: Any = ledger.recorder  # ours: it carries the read models' projector
        self.projector = ledger.projector
        rm = ReadModels(self.projector)
        with rm.engine.connect() as conn:
            i, u = rm.t.inspections, rm.t.units
            self.inspection = conn.execute(select(i.c.inspection_id).limit(1)).scalar_one()
            self.unit = UUID(
                conn.execute(select(u.c.unit_id).where(u.c.level == "county").limit(1)).scalar_one()
            )
        self.actor = Actor(id="bench-unit", name="刘洋", role="responsible_unit", unit=self.unit)
        self.workloads = [
            Workload("A  report_progress, 1 per transaction", events, self.single),
            Workload("B  batch() of 100 report_progress", 5 * events // BATCH * BATCH, self.batch),
            Workload("B  save() of 100 decided events", 5 * events // BATCH * BATCH, self.save),
        ]

    def attach(self, with_models: bool) -> None:
        self.recorder.projector = self.projector if with_models else None

    def fresh(self) -> list[UUID]:
        """50 new findings, recorded and assigned, in the ledger's cache."""
        ids = []
        for n in range(FINDINGS):
            fid = self.ledger.record_finding(
                OFFICE,
                self.inspection,
                category=["基准测试", "写入"],
                number=f"B{n}",
                text="基准测试问题",
                deadline="2030-12-31",
            ).id
            self.ledger.assign(OFFICE, fid, units=[self.unit], lead_department=self.unit)
            ids.append(fid)
        return ids

    def single(self, ids: list[UUID], n: int) -> None:
        for i in range(n):
            self.ledger.report_progress(
                self.actor, ids[i % FINDINGS], narrative=NARRATIVE, figures=FIGURES
            )

    def batch(self, ids: list[UUID], n: int) -> None:
        for _ in range(n // BATCH):
            with self.ledger.batch():
                for j in range(BATCH):
                    self.ledger.report_progress(
                        self.actor, ids[j % FINDINGS], narrative=NARRATIVE, figures=FIGURES
                    )

    def save(self, ids: list[UUID], n: int) -> None:
        """100 decided events per ``save``, on findings only this workload touches."""
        figures = [Figure(name="劝返复学", value=Decimal(138), unit="人", of_total=Decimal(202))]
        versions = dict.fromkeys(ids, 2)  # recorded, assigned
        for _ in range(n // BATCH):
            envelope = Envelope(
                actor=self.actor, effective_at=datetime.now(UTC), correlation_id=uuid4()
            )
            events = []
            for j in range(BATCH):
                fid = ids[j % FINDINGS]
                versions[fid] += 1
                events.append(
                    Finding.ProgressReported(
                        originator_id=fid,
                        originator_version=versions[fid],
                        envelope=envelope,
                        report_id=uuid4(),
                        measure_id=None,
                        narrative=NARRATIVE,
                        figures=figures,
                        evidence=[],
                    )
                )
            self.ledger.save(*events)

    def measure(self, rounds: int, out: Any) -> list[Workload]:
        began = time.perf_counter()
        for w in self.workloads:  # warm-up, both ways
            for with_models in (True, False):
                self.attach(with_models)
                w.run(self.fresh(), min(w.events, 2 * BATCH))
        for r in range(rounds):
            for with_models in (True, False) if r % 2 == 0 else (False, True):
                self.attach(with_models)
                for w in self.workloads:
                    ids = self.fresh()
                    gc.collect()
                    started = time.perf_counter()
                    w.run(ids, w.events)
                    w.rates[with_models].append(w.events / (time.perf_counter() - started))
            print(
                f"  inline round {r + 1}/{rounds} done ({time.perf_counter() - began:.0f} s)",
                file=out,
                flush=True,
            )
        # End attached, with one more write, so the tracking position is at the head
        # (the events written detached stay missing until the next rebuild).
        self.attach(True)
        self.single(self.fresh(), 1)
        return self.workloads


# --- 3. queries -----------------------------------------------------------------------------


@dataclass
class Query:
    """One kind of question, timed over many iterations."""

    name: str
    ask: Callable[[Any], Any]
    goal: str = ""
    every: int = 1  # asked on one iteration in ``every``
    ms: list[float] = field(default_factory=list)

    def pct(self, p: float) -> float:
        values = sorted(self.ms)
        return values[min(len(values) - 1, round(p * (len(values) - 1)))]


@dataclass
class Sample:
    """One iteration's inspection and moments asked about."""

    inspection: str
    as_of: date
    known_at: datetime


def queries(rm: ReadModels) -> list[Query]:
    def overdue_items(page: Any) -> int:
        return len(page.items)

    return [
        Query(
            "counts, one inspection, now", lambda s: rm.counts(s.inspection), "p50 <= 2, p99 <= 10"
        ),
        Query(
            "counts, one inspection, as of a past date",
            lambda s: rm.counts(s.inspection, When.of(as_of=s.as_of)),
            "p99 <= 50",
        ),
        Query(
            "counts, one inspection, known at a past time",
            lambda s: rm.counts(s.inspection, When.of(known_at=s.known_at)),
            "p99 <= 50",
        ),
        Query(
            "overdue page (50), one inspection, now",
            lambda s: overdue_items(rm.overdue(inspection_id=s.inspection)),
            "p99 <= 20",
        ),
        Query(
            "overdue page, one inspection, as of a past date",
            lambda s: overdue_items(
                rm.overdue(inspection_id=s.inspection, when=When.of(as_of=s.as_of))
            ),
            "(context)",
        ),
        Query(
            "overdue page, every inspection, now",
            lambda s: overdue_items(rm.overdue()),
            "(context)",
            every=5,
        ),
        Query("counts, every inspection, now", lambda s: rm.counts(), "(context)", every=30),
    ]


def samples(rm: ReadModels, n: int, rng: random.Random) -> list[Sample]:
    """Random inspections, effective dates after each was opened, and recording times."""
    i = rm.t.inspections
    with rm.engine.connect() as conn:
        rows = list(conn.execute(select(i.c.inspection_id, i.c.opened_on)))
    result = []
    for _ in range(n):
        inspection, opened = rng.choice(rows)
        opened = opened if isinstance(opened, date) else date.fromisoformat(opened)
        span = max((LAST_DAY - opened).days, 1)
        as_of = opened + timedelta(days=rng.randint(1, span))
        first = datetime.combine(opened, clock(0), BEIJING) + timedelta(days=1)
        known_at = first + timedelta(
            seconds=rng.randint(0, int((LAST_KNOWN - first).total_seconds()))
        )
        result.append(Sample(inspection, as_of, known_at))
    return result


def measure_queries(ledger: Ledger, iterations: int, out: Any) -> list[Query] | None:
    rm = ReadModels(ledger.projector)
    if not hasattr(rm, "overdue"):
        print("  ReadModels.overdue() does not exist yet: overdue pages not measured", file=out)
    kinds = [q for q in queries(rm) if "overdue" not in q.name or hasattr(rm, "overdue")]
    rng = random.Random(7)
    warm = samples(rm, 10, rng)
    for s in warm:
        for q in kinds:
            q.ask(s)
    started = time.perf_counter()
    for n, s in enumerate(samples(rm, iterations, rng)):
        order = [q for q in kinds if n % q.every == 0]
        rng.shuffle(order)
        for q in order:
            t = time.perf_counter()
            q.ask(s)
            q.ms.append((time.perf_counter() - t) * 1000)
    print(
        f"  {iterations} query iterations in {time.perf_counter() - started:.0f} s",
        file=out,
        flush=True,
    )
    return kinds


# --- running and reporting --------------------------------------------------------------------


@dataclass
class Outcome:
    """Everything measured on one back end."""

    label: str
    where: str
    durability: str = ""
    generated: generate.Result | None = None
    rebuild: Rebuild | None = None
    inline: list[Workload] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)


def run_backend(
    target: SQLiteTarget | PostgresTarget, args: argparse.Namespace, out: Any
) -> Outcome:
    outcome = Outcome(target.label, target.where)
    print(f"\n== {target.label}: {target.where}", file=out, flush=True)
    reuse = args.keep and target.exists()
    if not reuse:
        target.prepare()
        print(f"  generating {args.events:,} events", file=out, flush=True)
        outcome.generated = generate.generate(
            target.url, args.events, seed=args.seed, per_model=args.per_model, out=out
        )
        generate.summary(outcome.generated, out)
    ledger = Ledger(Settings(target.url))
    try:
        outcome.durability = target.durability(ledger)
        if reuse:  # the kept read models miss the last run's detached writes: rebuild first
            outcome.rebuild = measure_rebuild(ledger, args.per_model, out)
        else:  # the rebuild was just measured by the generator; read + decode beside it
            outcome.rebuild = reference_beside(ledger, outcome.generated, out)
        outcome.queries = measure_queries(ledger, args.queries, out) or []
        outcome.inline = Inline(ledger, args.inline_events).measure(args.rounds, out)
    finally:
        ledger.close()
        if not args.keep:
            target.drop()
    report(outcome, args, out)
    return outcome


def reference_beside(ledger: Ledger, generated: Any, out: Any) -> Rebuild:
    result = Rebuild(models_s=dict(generated.rebuild_s), where="right after generation")
    for _ in range(2):
        result.events, seconds, reading = read_and_decode(ledger)
        result.reference_s.append(seconds)
        result.read_s.append(reading)
        print(
            f"  reference read + decode: {result.events:,} events in {seconds:.1f} s "
            f"({reading:.1f} s of it reading)",
            file=out,
            flush=True,
        )
    return result


def verdict(value: float, goal: float, higher: bool = True) -> str:
    met = value >= goal if higher else value <= goal
    return "MET" if met else "MISSED"


def report(o: Outcome, args: argparse.Namespace, out: Any) -> None:
    print(f"\n== {o.label} results: {o.where}\n   {o.durability}", file=out)
    rb = o.rebuild
    if rb is not None:
        total = sum(rb.models_s.values())
        ratio = rb.rebuild_rate / rb.reference_rate
        print(f"\n   1. rebuild ({rb.where}), {rb.events:,} events", file=out)
        rows = [
            (
                "reference: read + decode every event (mapper)",
                rb.reference_rate,
                min(rb.reference_s),
            ),
            (
                "  of which reading (select_notifications)",
                rb.events / min(rb.read_s),
                min(rb.read_s),
            ),
            (
                "rebuild every read model, one pass: projector.rebuild()"
                if generate.ALL_AT_ONCE in rb.models_s
                else f"rebuild every read model ({len(rb.models_s)}, one after another)",
                rb.rebuild_rate,
                total,
            ),
            *(
                (f"  {name}", rb.events / s, s)
                for name, s in rb.models_s.items()
                if name != generate.ALL_AT_ONCE
            ),
        ]
        print(f"   {'':58}{'events/s':>10}{'seconds':>10}", file=out)
        for name, rate, seconds in rows:
            print(f"   {name:58}{rate:10,.0f}{seconds:10.1f}", file=out)
        print(
            f"   {'ratio rebuild / reference':58}{ratio:9.2f}x   target >= 0.5x  "
            f"{verdict(ratio, 0.5)}",
            file=out,
        )
    if o.inline:
        print(f"\n   2. inline cost, events/s, medians of {args.rounds} rounds", file=out)
        print(f"   {'':48}{'with RM':>10}{'without':>10}{'ratio':>10}", file=out)
        for w in o.inline:
            ratio = w.median(True) / w.median(False)
            print(
                f"   {w.name:48}{w.median(True):10,.0f}{w.median(False):10,.0f}"
                f"{ratio:9.2f}x   target >= 0.8x  {verdict(ratio, 0.8)}",
                file=out,
            )
    if o.queries:
        print(f"\n   3. queries, ms ({args.queries} iterations)", file=out)
        print(f"   {'':48}{'n':>4}{'p50':>8}{'p99':>8}{'mean':>8}{'max':>8}   target", file=out)
        for q in o.queries:
            print(
                f"   {q.name:48}{len(q.ms):4}{q.pct(0.5):8.2f}{q.pct(0.99):8.2f}"
                f"{statistics.fmean(q.ms):8.2f}{max(q.ms):8.2f}   {q.goal}"
                f"{'  ' + query_verdict(q) if q.goal != '(context)' else ''}",
                file=out,
            )
    out.flush()


def query_verdict(q: Query) -> str:
    checks = []
    for part in q.goal.split(","):
        which, _, limit = part.strip().partition(" <= ")
        checks.append(q.pct(0.5 if which == "p50" else 0.99) <= float(limit))
    return "MET" if all(checks) else "MISSED"


def side_by_side(outcomes: list[Outcome], out: Any) -> None:
    print(
        "\n== side by side" + " " * 45 + "".join(f"{o.label:>12}" for o in outcomes) + "   target",
        file=out,
    )
    lines: list[tuple[str, list[str], str]] = []
    rbs = [o.rebuild for o in outcomes if o.rebuild is not None]
    if len(rbs) == len(outcomes):
        lines.append(("rebuild all, events/s", [f"{r.rebuild_rate:,.0f}" for r in rbs], ""))
        lines.append(
            ("reference read + decode, events/s", [f"{r.reference_rate:,.0f}" for r in rbs], "")
        )
        lines.append(
            (
                "rebuild / reference",
                [f"{r.rebuild_rate / r.reference_rate:.2f}x" for r in rbs],
                ">= 0.5x",
            )
        )
    for k, w in enumerate(outcomes[0].inline):
        lines.append(
            (
                f"inline {w.name[3:]}, with / without",
                [f"{o.inline[k].median(True) / o.inline[k].median(False):.2f}x" for o in outcomes],
                ">= 0.8x",
            )
        )
    for k, q in enumerate(outcomes[0].queries):
        for p in (0.5, 0.99):
            lines.append(
                (
                    f"{q.name.replace('one inspection', '1 insp.')} p{int(p * 100)} ms",
                    [f"{o.queries[k].pct(p):.2f}" for o in outcomes],
                    _goal_of(q.goal, p),
                )
            )
    for name, values, goal in lines:
        print(f"   {name:57}" + "".join(f"{v:>12}" for v in values) + f"   {goal}", file=out)


def _goal_of(goal: str, p: float) -> str:
    want = "p50" if p == 0.5 else "p99"
    for part in goal.split(","):
        if part.strip().startswith(want):
            return "<= " + part.strip().split("<= ")[1]
    return ""


def code_version() -> str:
    """The commit measured, and whether the read-model code differs from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "projections", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in projections/ or src/" if dirty.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated ledgers, and reuse them if they exist",
    )
    parser.add_argument("--queries", type=int, default=300, help="query iterations")
    parser.add_argument("--rounds", type=int, default=5, help="inline-cost rounds")
    parser.add_argument(
        "--inline-events",
        type=int,
        default=200,
        help="single commands per round (batched: 5x this)",
    )
    parser.add_argument(
        "--per-model",
        action="store_true",
        help="rebuild the read models one after another (rebuild(name)) instead of in one pass",
    )
    parser.add_argument("--seed", type=int, default=2018, help="generator seed")
    parser.add_argument(
        "--dir", default="/tmp/ledger-bench-readmodels", help="where the SQLite ledger goes"
    )
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()
    out = sys.stdout
    started = time.perf_counter()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}; {args.events:,} events; {args.queries} query iterations; "
        f"{args.rounds} inline rounds; code {code_version()}",
        file=out,
        flush=True,
    )
    kinds = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    outcomes = []
    for kind in kinds:
        target = (
            SQLiteTarget(args.dir, args.events)
            if kind == "sqlite"
            else PostgresTarget(args.pg_url, args.events)
        )
        outcomes.append(run_backend(target, args, out))
    if len(outcomes) == 2:
        side_by_side(outcomes, out)
    print(f"\ntotal {time.perf_counter() - started:.0f} s", file=out)


if __name__ == "__main__":
    main()
