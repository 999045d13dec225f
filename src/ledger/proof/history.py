"""The verdicts of past verifications, kept in table ``ledger_verifications``.

Every ``ledger verify`` run and every verification asked for over HTTP adds
one row: when it finished, how long it took, the tree size and the number of
events it checked, whether it passed, the first bad position and message, and
who asked. The table lives in the ledger's own database (so the console can
show the last result) but apart from the event store and the integrity log:
it is created on first use and nothing here reads or writes any other table.
A row is a claim about the log at one moment, not part of it; an intruder
could forge rows, which is why a verifier re-runs ``ledger verify`` rather
than trusting the last verdict.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from ledger.proof.audit import Verdict, verify_log
from ledger.proof.keys import VerifierKey
from ledger.proof.store import Location, LogStore

TABLE = "ledger_verifications"
COLUMNS = (
    "verified_at, seconds, tree_size, events, ok, first_seq, message, problems, checkpoints, actor"
)
SQLITE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "verified_at TEXT NOT NULL, seconds REAL NOT NULL, tree_size INTEGER NOT NULL, "
    "events INTEGER NOT NULL, ok INTEGER NOT NULL, first_seq INTEGER, message TEXT NOT NULL, "
    "problems INTEGER NOT NULL, checkpoints INTEGER NOT NULL, actor TEXT NOT NULL)"
)
POSTGRES_TABLE = (
    "CREATE TABLE IF NOT EXISTS {table} (id bigserial PRIMARY KEY, "
    "verified_at timestamptz NOT NULL, seconds double precision NOT NULL, "
    "tree_size bigint NOT NULL, events bigint NOT NULL, ok boolean NOT NULL, first_seq bigint, "
    "message text NOT NULL, problems integer NOT NULL, checkpoints integer NOT NULL, "
    "actor text NOT NULL)"
)


@dataclass(frozen=True)
class Verification:
    """One recorded verdict. ``first_seq`` is 0 when the problem is a checkpoint's own."""

    id: int
    verified_at: datetime
    seconds: float
    tree_size: int
    events: int
    ok: bool
    first_seq: int | None
    message: str
    problems: int
    checkpoints: int
    actor: str


def summary(verdict: Verdict) -> str:
    """The verdict in one line of Chinese, as ``ledger verify`` prints it."""
    if verdict.first is None:
        return f"核验通过:{verdict.size} 条条目,{verdict.events} 个事件"
    where = f"第 {verdict.first.seq} 条" if verdict.first.seq else "检查点"
    return f"核验失败:首个问题在{where}:{verdict.first.message}"


class Verifications:
    """The table of verdicts on one connection (created on first use)."""

    def __init__(self, store: LogStore) -> None:
        self.store = store
        self.postgres = store.mark == "%s"
        self.table = store.table(TABLE) if self.postgres else TABLE
        ddl = POSTGRES_TABLE.format(table=self.table) if self.postgres else SQLITE_TABLE
        # PostgreSQL: another connection may create the table at the same moment.
        with contextlib.suppress(psycopg.errors.UniqueViolation):
            store.execute(ddl)

    def add(self, verdict: Verdict, seconds: float, actor: str) -> Verification:
        """Record one verdict and return it as stored."""
        first = verdict.first
        values = (
            self._moment(datetime.now(UTC)),
            seconds,
            verdict.size,
            verdict.events,
            verdict.ok,
            None if first is None else first.seq,
            summary(verdict) if first is None else first.message,
            len(verdict.problems),
            len(verdict.checked),
            actor,
        )
        marks = ", ".join("?" * len(values))
        row = self.store.execute(
            f"INSERT INTO {self.table} ({COLUMNS}) VALUES ({marks}) RETURNING id, {COLUMNS}",
            values,
        ).fetchall()  # all rows: SQLite ends the statement (and its lock) only when read out
        return self._read(row[0])

    def latest(self) -> Verification | None:
        """The most recent verdict, if any."""
        found = self.recent(1)
        return found[0] if found else None

    def recent(self, limit: int = 20) -> list[Verification]:
        """The last ``limit`` verdicts, newest first."""
        rows = self.store.execute(
            f"SELECT id, {COLUMNS} FROM {self.table} ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [self._read(row) for row in rows]

    def _moment(self, moment: datetime) -> Any:
        # SQLite has no time type: ISO text in UTC sorts and parses back exactly.
        return moment if self.postgres else moment.isoformat()

    def _read(self, row: Sequence[Any]) -> Verification:
        moment = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(row[1])
        return Verification(
            int(row[0]),
            moment,
            float(row[2]),
            int(row[3]),
            int(row[4]),
            bool(row[5]),
            None if row[6] is None else int(row[6]),
            str(row[7]),
            int(row[8]),
            int(row[9]),
            str(row[10]),
        )


def verify_and_record(
    location: Location,
    actor: str,
    notes: Sequence[str] = (),
    verifier: VerifierKey | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> tuple[Verdict, Verification]:
    """Run :func:`verify_log` and record its verdict; ``actor`` says who asked."""
    started = time.perf_counter()
    verdict = verify_log(location, notes, verifier, progress, workers)
    seconds = time.perf_counter() - started
    store = location.open()
    try:
        return verdict, Verifications(store).add(verdict, seconds, actor)
    finally:
        store.close()


def latest(location: Location) -> Verification | None:
    """The most recent verdict recorded for this database (None if never verified)."""
    store = location.open()
    try:
        return Verifications(store).latest()
    finally:
        store.close()
