"""Append throughput: the ledger against bare eventsourcing and the raw drivers.

Run by hand; it prints figures and asserts nothing::

    .venv/bin/python bench/append.py                      # both back ends, defaults
    .venv/bin/python bench/append.py --backend sqlite --events 300 --rounds 5
    .venv/bin/python bench/append.py --profile            # cProfile of the single path

A. single-command appends, one transaction each (events + integrity log):
   ours  ``Ledger.report_progress`` round-robin over 50 findings;
   bare  a plain eventsourcing ``Application`` + ``Aggregate`` with one
         ``@event("Reported")`` method and a stored state of the same size, as a
         command (``repository.get`` → method → ``save``) and as save-only
         (aggregates kept in memory);
   raw   one ``INSERT`` + ``COMMIT`` per row, for context.
B. 100 events per transaction:
   ours  100 ``report_progress`` inside ``with ledger.batch()``;
   bare  100 events over 50 aggregates in one ``app.save(...)``;
   raw   ``executemany`` of 100 rows + ``COMMIT``.
B* (context for B) the same 100 commands decided but never written (the batch is
   abandoned), and each recorder alone writing 100 pre-built stored events.

Everything runs on the same database with the same durability: SQLite files in
one directory, WAL, ``synchronous=FULL`` (checked on every connection used);
PostgreSQL with ``synchronous_commit=on`` and ``fsync=on`` (checked on every
connection), one fresh schema per contender, dropped at the end. Targets are
interleaved within each round (the order rotates), each round works on fresh
aggregates so state size does not drift, and the medians over rounds are
reported.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid4

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.base import Envelope
from ledger.domain.finding import Finding
from ledger.domain.values import Actor, Figure

PG_URL = os.environ.get("LEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FINDINGS = 50
BATCH = 100
NARRATIVE = "已组织全县中小学开展控辍保学专项排查,劝返复学学生 138 人并建立台账,逐人落实帮扶责任。"
FIGURES = [{"name": "劝返复学", "value": "138", "unit": "人", "of_total": "202"}]
OFFICE = Actor(id="office-1", name="张伟", role="inspection_office")


# --- the bare eventsourcing reference ------------------------------------------------


class BareFinding(Aggregate):
    """A plain library aggregate: one event that carries a comparable payload."""

    def __init__(self, number: str) -> None:
        self.number = number
        self.reports: list[tuple[str, str]] = []

    @event("Reported")
    def report(
        self,
        report_id: str,
        actor: dict[str, str],
        effective_at: str,
        reason: str,
        basis: str,
        correlation_id: str,
        measure_id: str | None,
        narrative: str,
        figures: list[dict[str, Any]],
    ) -> None:
        self.reports.append((report_id, narrative))


class Bare(Application[UUID]):
    """A plain library application, cached like ours."""

    name = "Bare"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "10000"}


def bare_payload(unit: UUID, narrative: str) -> dict[str, Any]:
    """The bare event's arguments: what our envelope and report carry.

    Ids, times and amounts go in as strings: the library's JSON transcoder then
    writes plain JSON (no ``_type_`` tags), as ours does, and does less work for
    it, so the reference is the stricter one.
    """
    return {
        "report_id": str(uuid4()),
        "actor": {"id": "u-1", "name": "刘洋", "role": "responsible_unit", "unit": str(unit)},
        "effective_at": datetime.now(UTC).isoformat(),
        "reason": "",
        "basis": "",
        "correlation_id": str(uuid4()),
        "measure_id": None,
        "narrative": narrative,
        "figures": FIGURES,
    }


# --- back ends -------------------------------------------------------------------------


class SQLiteBackend:
    """Three files in one directory: ours, bare, raw."""

    label = "SQLite"

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="ledger-bench-")
        self.where = f"files in {self.dir} (WAL, synchronous=FULL)"

    def ledger_url(self) -> str:
        return f"sqlite:///{self.dir}/ours.db"

    def bare_env(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": f"{self.dir}/bare.db",
            "SQLITE_LOCK_TIMEOUT": "30",
        }

    def raw(self) -> RawSQLite:
        return RawSQLite(f"{self.dir}/raw.db")

    def durability(self, app: Application[Any]) -> str:
        """journal_mode/synchronous on every connection in the library's pool."""
        conns = list(app.recorder.datastore.pool._pool)  # type: ignore[attr-defined]
        seen = {_sqlite_pragmas(c._sqlite_conn) for c in conns}
        return f"{len(conns)} conn: " + ", ".join(sorted(seen))

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresBackend:
    """One server, one fresh schema per contender."""

    label = "PostgreSQL"

    def __init__(self, url: str) -> None:
        self.url = url
        tag = uuid4().hex[:8]
        self.schemas = {k: f"bench_{tag}_{k}" for k in ("ours", "bare", "raw")}
        with psycopg.connect(url, autocommit=True) as conn:
            for name in self.schemas.values():
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        self.where = f"server {version} at {url.split('@')[-1]}, schemas bench_{tag}_*"

    def ledger_url(self) -> str:
        return f"{self.url}?schema={self.schemas['ours']}"

    def bare_env(self) -> dict[str, str]:
        env = Settings(f"{self.url}?schema={self.schemas['bare']}").eventsourcing_env()
        env.pop("APPLICATION_RECORDER_TOPIC")
        return env

    def raw(self) -> RawPostgres:
        return RawPostgres(self.url, self.schemas["raw"])

    def durability(self, app: Application[Any]) -> str:
        with app.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            return _pg_settings(conn)

    def close(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.schemas.values():
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )


def _sqlite_pragmas(conn: sqlite3.Connection) -> str:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={mode} synchronous={names.get(sync, sync)}({sync})"


def _pg_settings(conn: Any) -> str:
    names = ("synchronous_commit", "fsync", "wal_sync_method")
    values = [conn.execute(f"SHOW {n}").fetchone() for n in names]
    return " ".join(f"{n}={_first(v)}" for n, v in zip(names, values, strict=True))


def _first(row: Any) -> Any:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


class RawSQLite:
    """sqlite3 on its own, into a table shaped like the library's events table."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS raw_events (originator_id TEXT, originator_version "
            "INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )
        self.insert = "INSERT INTO raw_events VALUES (?,?,?,?)"

    def durability(self) -> str:
        return _sqlite_pragmas(self.conn)

    def one(self, row: tuple[Any, ...]) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute(self.insert, (row[0].hex, *row[1:]))
        self.conn.execute("COMMIT")

    def many(self, rows: list[tuple[Any, ...]]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany(self.insert, [(r[0].hex, *r[1:]) for r in rows])
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class RawPostgres:
    """psycopg on its own, into a plain table in its own schema."""

    def __init__(self, url: str, schema: str) -> None:
        self.conn = psycopg.connect(url)
        table = sql.Identifier(schema, "raw_events")
        self.conn.execute(
            sql.SQL(
                "CREATE TABLE {} (originator_id uuid, originator_version bigint, topic text, "
                "state bytea, PRIMARY KEY (originator_id, originator_version))"
            ).format(table)
        )
        self.conn.commit()
        self.insert = sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s)").format(table)

    def durability(self) -> str:
        text = _pg_settings(self.conn)
        self.conn.rollback()
        return text

    def one(self, row: tuple[Any, ...]) -> None:
        with self.conn.cursor() as cur:
            cur.execute(self.insert, row)
        self.conn.commit()

    def many(self, rows: list[tuple[Any, ...]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self.insert, rows)
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


# --- the contenders -------------------------------------------------------------------


class _Abandon(Exception):
    """Raised inside ``ledger.batch()`` to drop the batch unwritten."""


@dataclass
class Target:
    """One contender: ``setup`` (untimed, per round) then ``run(n)`` (timed)."""

    key: str
    name: str
    group: str  # "A" single-command, "B" 100 per transaction, "B*" context for B
    setup: Callable[[], None]
    run: Callable[[int], None]
    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


class Contenders:
    """Builds every target on one back end and owns its resources."""

    def __init__(
        self, backend: SQLiteBackend | PostgresBackend, bare_narrative: str, state: bytes
    ) -> None:
        self.backend = backend
        self.ledger = Ledger(Settings(backend.ledger_url()))
        self.bare = Bare(env=backend.bare_env())
        self.raw = backend.raw()
        self.bare_narrative = bare_narrative
        self.state = state
        self.unit_id = self.ledger.register_unit(OFFICE, name="某县教育局", level="county").id
        self.actor = Actor(id="u-1", name="刘洋", role="responsible_unit", unit=self.unit_id)
        self.inspection = self.ledger.open_inspection(
            OFFICE,
            kind="provincial_inspection",
            title="第三轮巡视",
            inspecting_body="省委第三巡视组",
            inspected_body="某县",
        ).id
        self.findings: list[UUID] = []
        self.bare_ids: list[UUID] = []
        self.bare_aggs: list[BareFinding] = []
        self.raw_ids: list[UUID] = []
        self.raw_versions: dict[str, dict[UUID, int]] = {}

    # setups: fresh aggregates each round, cached as a long-running server would have them
    def fresh_findings(self) -> None:
        self.findings = []
        for i in range(FINDINGS):
            fid = self.ledger.record_finding(
                OFFICE,
                self.inspection,
                category=["教育"],
                number=f"{i + 1}",
                text="控辍保学工作不扎实,部分乡镇辍学学生底数不清。",
            ).id
            self.ledger.assign(
                OFFICE,
                fid,
                responsible_leader="王某",
                lead_department=self.unit_id,
                units=[self.unit_id],
            )
            self.ledger.get_finding(fid)
            self.findings.append(fid)

    def fresh_bare(self) -> None:
        self.bare_aggs = [BareFinding(number=f"{i + 1}") for i in range(FINDINGS)]
        self.bare.save(*self.bare_aggs)
        self.bare_ids = [a.id for a in self.bare_aggs]
        for uid in self.bare_ids:
            self.bare.repository.get(uid)

    def fresh_raw(self) -> None:
        self.raw_ids = [uuid4() for _ in range(FINDINGS)]
        self.raw_versions = {}

    def _raw_row(self, i: int, who: str = "raw") -> tuple[Any, ...]:
        key = self.raw_ids[i % FINDINGS]
        versions = self.raw_versions.setdefault(who, dict.fromkeys(self.raw_ids, 0))
        versions[key] += 1
        return (key, versions[key], "bench.append:Reported", self.state)

    # A. one event per transaction
    def ours_single(self, n: int) -> None:
        for i in range(n):
            self.ledger.report_progress(
                self.actor, self.findings[i % FINDINGS], narrative=NARRATIVE, figures=FIGURES
            )

    def ours_keyed(self, n: int) -> None:
        for i in range(n):
            self.ledger.report_progress(
                self.actor,
                self.findings[i % FINDINGS],
                narrative=NARRATIVE,
                figures=FIGURES,
                ctx=CommandContext(idempotency_key=uuid4().hex),
            )

    def bare_single(self, n: int) -> None:
        for i in range(n):
            agg: BareFinding = self.bare.repository.get(self.bare_ids[i % FINDINGS])
            agg.report(**bare_payload(self.unit_id, self.bare_narrative))
            self.bare.save(agg)

    def bare_save_only(self, n: int) -> None:
        for i in range(n):
            agg = self.bare_aggs[i % FINDINGS]
            agg.report(**bare_payload(self.unit_id, self.bare_narrative))
            self.bare.save(agg)

    def raw_single(self, n: int) -> None:
        for i in range(n):
            self.raw.one(self._raw_row(i))

    # B. 100 events per transaction
    def _hundred_commands(self) -> None:
        for j in range(BATCH):
            self.ledger.report_progress(
                self.actor, self.findings[j % FINDINGS], narrative=NARRATIVE, figures=FIGURES
            )

    def ours_batch(self, n: int) -> None:
        for _ in range(n // BATCH):
            with self.ledger.batch():
                self._hundred_commands()

    def ours_decided(self, n: int) -> None:
        """The same commands in a batch that is abandoned: decisions only, no write."""
        for _ in range(n // BATCH):
            try:
                with self.ledger.batch():
                    self._hundred_commands()
                    raise _Abandon
            except _Abandon:
                pass

    def bare_batch(self, n: int) -> None:
        for _ in range(n // BATCH):
            pending: dict[UUID, BareFinding] = {}
            for j in range(BATCH):
                uid = self.bare_ids[j % FINDINGS]
                agg = pending.get(uid) or self.bare.repository.get(uid)
                pending[uid] = agg
                agg.report(**bare_payload(self.unit_id, self.bare_narrative))
            self.bare.save(*pending.values())

    def _stored(self, who: str) -> list[StoredEvent]:
        return [
            StoredEvent(k, v, "bench.append:Reported", self.state)
            for k, v, _, _ in (self._raw_row(j, who) for j in range(BATCH))
        ]

    def ours_recorder(self, n: int) -> None:
        for _ in range(n // BATCH):
            self.ledger.recorder.insert_events(self._stored("ours"))

    def bare_recorder(self, n: int) -> None:
        for _ in range(n // BATCH):
            self.bare.recorder.insert_events(self._stored("bare"))

    def ours_append(self, n: int) -> None:
        """100 decided events per transaction through our store: mapper, recorder, integrity."""
        envelope = Envelope(
            actor=self.actor, effective_at=datetime.now(UTC), correlation_id=uuid4()
        )
        figures = [Figure(name="劝返复学", value=Decimal(138), unit="人", of_total=Decimal(202))]
        for _ in range(n // BATCH):
            rows = [self._raw_row(j, "ours_app") for j in range(BATCH)]
            self.ledger.save(
                *[
                    Finding.ProgressReported(
                        originator_id=key,
                        originator_version=version,
                        envelope=envelope,
                        report_id=uuid4(),
                        measure_id=None,
                        narrative=NARRATIVE,
                        figures=figures,
                        evidence=[],
                    )
                    for key, version, _, _ in rows
                ]
            )

    def bare_append(self, n: int) -> None:
        """The same through the library's store: its mapper, transcoder and recorder."""
        reported: Any = BareFinding.Reported
        for _ in range(n // BATCH):
            rows = [self._raw_row(j, "bare_app") for j in range(BATCH)]
            self.bare.save(
                *[
                    reported(
                        originator_id=key,
                        originator_version=version,
                        timestamp=datetime.now(UTC),
                        **bare_payload(self.unit_id, self.bare_narrative),
                    )
                    for key, version, _, _ in rows
                ]
            )

    def raw_batch(self, n: int) -> None:
        for _ in range(n // BATCH):
            self.raw.many([self._raw_row(j) for j in range(BATCH)])

    def targets(self) -> dict[str, Target]:
        """Every contender by key; the names are what the table prints."""
        new, bare, raw = self.fresh_findings, self.fresh_bare, self.fresh_raw
        return {
            t.key: t
            for t in (
                Target("ours", "ours   report_progress", "A", new, self.ours_single),
                Target("ours_key", "ours   report_progress + idem. key", "A", new, self.ours_keyed),
                Target("bare", "bare   get + report + save", "A", bare, self.bare_single),
                Target(
                    "bare_save", "bare   report + save (no get)", "A", bare, self.bare_save_only
                ),
                Target("raw", "raw    INSERT + COMMIT", "A", raw, self.raw_single),
                Target("ours_b", "ours   batch() of 100 commands", "B", new, self.ours_batch),
                Target("bare_b", "bare   100 events in one save()", "B", bare, self.bare_batch),
                Target("raw_b", "raw    executemany(100) + COMMIT", "B", raw, self.raw_batch),
                Target(
                    "ours_app", "ours   save() of 100 decided events", "B", raw, self.ours_append
                ),
                Target(
                    "bare_app", "bare   save() of 100 decided events", "B", raw, self.bare_append
                ),
                Target(
                    "ours_dec", "ours   same, decided only (no write)", "B*", new, self.ours_decided
                ),
                Target(
                    "ours_rec", "ours   recorder.insert_events(100)", "B*", raw, self.ours_recorder
                ),
                Target(
                    "bare_rec", "bare   recorder.insert_events(100)", "B*", raw, self.bare_recorder
                ),
            )
        }

    def durability(self) -> list[str]:
        return [
            f"ours: {self.backend.durability(self.ledger)}",
            f"bare: {self.backend.durability(self.bare)}",
            f"raw:  {self.raw.durability()}",
        ]

    def close(self) -> None:
        self.ledger.close()
        self.bare.close()
        self.raw.close()


# --- sizing: the bare event and the raw rows store as many bytes as ours -------------------


def calibrate() -> tuple[str, bytes, int, int]:
    """Pad the bare narrative so its stored state matches ours; return the raw state too."""
    ledger = Ledger(Settings("sqlite:///:memory:"))
    unit = ledger.register_unit(OFFICE, name="某县教育局", level="county").id
    actor = Actor(id="u-1", name="刘洋", role="responsible_unit", unit=unit)
    ins = ledger.open_inspection(
        OFFICE, kind="provincial_inspection", title="t", inspecting_body="b", inspected_body="c"
    ).id
    fid = ledger.record_finding(OFFICE, ins, category=["教育"], number="1", text="t").id
    ledger.assign(OFFICE, fid, responsible_leader="王某", lead_department=unit, units=[unit])
    ledger.report_progress(actor, fid, narrative=NARRATIVE, figures=FIGURES)
    ours = ledger.mapper.to_stored_event(ledger.history(fid)[-1]).state
    ledger.close()

    bare = Bare(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    narrative = NARRATIVE

    def bare_size() -> int:
        agg = BareFinding("1")
        agg.report(**bare_payload(unit, narrative))
        return len(bare.mapper.to_stored_event(agg.collect_events()[-1]).state)

    while (size := bare_size()) > len(ours) and narrative:  # its type tags cost bytes
        narrative = narrative[:-1]
    narrative += "." * (len(ours) - size)
    size = bare_size()
    bare.close()
    return narrative, ours, len(ours), size


# --- running ---------------------------------------------------------------------------


def timed(target: Target, n: int) -> None:
    target.setup()
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    target.run(n)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    target.rates.append(n / wall)
    target.cpu.append(cpu / n * 1e6)


def measure(c: Contenders, events: int, batch_events: int, rounds: int) -> dict[str, Target]:
    targets = c.targets()
    order = list(targets.values())
    size = {"A": events, "B": batch_events, "B*": batch_events}
    for t in order:  # warm-up: imports, prepared statements, page cache, WAL file
        t.setup()
        t.run(min(size[t.group], 2 * BATCH))
    for r in range(rounds):
        k = r % len(order)
        for t in order[k:] + order[:k]:
            timed(t, size[t.group])
    return targets


RATIOS = [  # (label, numerator, denominator, target)
    ("A ours / bare (get+report+save)", "ours", "bare", 1.0),
    ("A ours / bare (report+save, no get)", "ours", "bare_save", None),
    ("A ours+key / bare (get+report+save)", "ours_key", "bare", None),
    ("A ours / raw INSERT+COMMIT", "ours", "raw", None),
    ("A bare / raw INSERT+COMMIT", "bare", "raw", None),
    ("B ours append / raw executemany", "ours_app", "raw_b", 0.5),
    ("B bare append / raw executemany", "bare_app", "raw_b", None),
    ("B ours batch() of commands / raw", "ours_b", "raw_b", None),
    ("B bare 100 commands / raw", "bare_b", "raw_b", None),
    ("B ours / bare", "ours_b", "bare_b", None),
    ("B* ours decided-only / raw", "ours_dec", "raw_b", None),
    ("B* ours recorder-only / raw", "ours_rec", "raw_b", None),
    ("B* bare recorder-only / raw", "bare_rec", "raw_b", None),
]


def report(
    label: str,
    where: str,
    durability: list[str],
    targets: dict[str, Target],
    sizes: tuple[int, int],
) -> dict[str, float]:
    med = {k: statistics.median(t.rates) for k, t in targets.items()}
    print(f"\n== {label}: {where}")
    for line in durability:
        print(f"   durability  {line}")
    print(f"   stored state bytes per event: ours {sizes[0]}, bare {sizes[1]}, raw {sizes[0]}")
    print(
        f"\n   {'':3}{'target':38}{'events/s':>10}{'min':>9}{'max':>9}"
        f"{'wall us/ev':>12}{'CPU us/ev':>11}"
    )
    for k, t in targets.items():
        m = med[k]
        print(
            f"   {t.group:3}{t.name:38}{m:10.0f}{min(t.rates):9.0f}{max(t.rates):9.0f}"
            f"{1e6 / m:12.0f}{statistics.median(t.cpu):11.0f}"
        )
    print("   (B* rows are context for B: the same 100 commands decided but not written, and")
    print("    the recorder alone writing 100 pre-built stored events per transaction)\n")
    ratios = {}
    for name, num, den, goal in RATIOS:
        ratios[name] = value = med[num] / med[den]
        verdict = (
            ""
            if goal is None
            else (f"   target >= {goal:.1f}x  {'MET' if value >= goal else 'MISSED'}")
        )
        print(f"   {name:40}{value:7.2f}x{verdict}")
    return ratios


def run_backend(
    backend: SQLiteBackend | PostgresBackend,
    args: argparse.Namespace,
    calib: tuple[str, bytes, int, int],
) -> dict[str, float]:
    narrative, state, ours_size, bare_size = calib
    c = Contenders(backend, narrative, state)
    try:
        if args.profile:
            print("\n".join(c.durability()))
            profile(c, args.events)
            return {}
        targets = measure(c, args.events, args.batch_events, args.rounds)
        durability = c.durability()  # read after the run, from the connections it used
        return report(backend.label, backend.where, durability, targets, (ours_size, bare_size))
    finally:
        c.close()


def profile(c: Contenders, n: int) -> None:
    """cProfile of the single-command path: ours, then bare (get + report + save)."""
    for name, setup, run in (
        ("ours report_progress", c.fresh_findings, c.ours_single),
        ("bare get+report+save", c.fresh_bare, c.bare_single),
    ):
        setup()
        run(50)
        prof = cProfile.Profile()
        wall = time.perf_counter()
        prof.runcall(run, n)
        wall = time.perf_counter() - wall
        print(
            f"\n== {c.backend.label} profile: {name}, {n} events, "
            f"{wall / n * 1e6:.0f} us/event under cProfile"
        )
        stats = pstats.Stats(prof, stream=sys.stdout).strip_dirs()
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(20)


@contextmanager
def backend_of(kind: str, pg_url: str) -> Iterator[SQLiteBackend | PostgresBackend]:
    backend = SQLiteBackend() if kind == "sqlite" else PostgresBackend(pg_url)
    try:
        yield backend
    finally:
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events",
        type=int,
        default=200,
        help="events per target per round, single-command targets (A)",
    )
    parser.add_argument(
        "--batch-events",
        type=int,
        default=None,
        help="events per target per round, batched targets (B); "
        "default 5 x --events, rounded to 100",
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--profile", action="store_true", help="profile the single-command path instead of timing"
    )
    args = parser.parse_args()
    if args.batch_events is None:
        args.batch_events = max(BATCH, 5 * args.events // BATCH * BATCH)
    started = time.perf_counter()
    calib = calibrate()
    kinds = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
        f"A: {args.events} events/target/round, B: {args.batch_events} events/target/round "
        f"({BATCH}/txn), {args.rounds} rounds, medians; {FINDINGS} aggregates per round"
    )
    results = {}
    for kind in kinds:
        with backend_of(kind, args.pg_url) as backend:
            results[backend.label] = run_backend(backend, args, calib)
    if len(results) == 2 and not args.profile:
        print("\n== ratios side by side" + " " * 21 + "".join(f"{k:>12}" for k in results))
        for name, _, _, goal in RATIOS:
            wanted = f"   (target >= {goal:.1f}x)" if goal else ""
            print(f"   {name:40}" + "".join(f"{r[name]:11.2f}x" for r in results.values()) + wanted)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
