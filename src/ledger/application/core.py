"""The ledger application: one transaction per command, idempotent, concurrency-safe."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from ledger.application import keys
from ledger.application.cache import AggregateCache
from ledger.application.context import NO_CONTEXT, CommandContext, Receipt, now
from ledger.config import Settings
from ledger.domain import policy, rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import DomainError, InvalidInput, NotFound, VersionConflict
from ledger.domain.ids import uuid4
from ledger.domain.values import Actor
from ledger.infrastructure.idempotency import Idempotency, Recorded
from ledger.infrastructure.mapper import OrjsonTranscoder, PydanticMapper
from ledger.infrastructure.outage import Unavailable
from ledger.infrastructure.stream import StreamWriter

A = TypeVar("A", bound=Aggregate)
# A command's decision: (record id, aggregates to save[, id of a created part]).
Work = Callable[[Envelope], tuple[Any, ...]]


class LedgerCore(Application[UUID]):
    """Command plumbing shared by every command: authorise, decide, save once.

    Commands of one process run one at a time (the databases serialise
    writers anyway); that lets them work on cached aggregates without copies.
    """

    name = "Ledger"
    env: ClassVar[dict[str, str]] = {
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
        "MAPPER_TOPIC": get_topic(PydanticMapper),
    }

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._batch: Batch | None = None
        self._lock = threading.RLock()
        self._cache = AggregateCache()
        self._seen: int | None = None  # the log position the cache was last checked at
        self._also: str | None = None  # read with every look (``look_also``)
        self.also_seen: tuple[Any, ...] | None = None
        self._attempt = Attempt()
        super().__init__(env=self.settings.eventsourcing_env())

    @property
    def projector(self) -> Any:
        """The read models kept in every write transaction."""
        return self.recorder.projector  # type: ignore[attr-defined]

    def look_also(self, sql: str) -> None:
        """Read the one-row ``sql`` with every look at the log (``_look``: once per
        transaction, at the start of its turn), in the same round trip; its row is
        ``also_seen`` until the next look. The API reads the tokens' revocation
        count this way for the commands of a group."""
        self._also = sql

    def close(self) -> None:
        """Close the read models' connections, then the event store's."""
        projector = getattr(self.recorder, "projector", None)
        if projector is not None:
            projector.db.engine.dispose()
        super().close()

    @contextmanager
    def batch(self, keys: str = "", writer: StreamWriter | None = None) -> Iterator[None]:
        """Run several commands as one transaction: all are recorded, or none is.

        Commands inside the block decide as usual and return receipts, but
        nothing is written until the block ends without an exception.
        ``keys`` is a prefix the block's idempotency keys share (an import's):
        the keys stored under it are read once, up front, instead of one
        lookup per command. (Another process storing such a key meanwhile
        makes the final insert fail, as it would have anyway.) The block waits
        for its turn as a single command does, and is refused as one is.

        ``writer`` (``stream_writer()``): the block's transaction is written by
        another process while the block goes on; ``drain()`` hands it what has
        been decided so far. It commits when the block ends without an
        exception, and rolls back otherwise: all or nothing still.
        """
        with self._turn():
            if self._batch is not None:
                raise RuntimeError("batches do not nest")
            self._batch = pending = Batch(writer=writer)
            if keys:
                pending.prefix = keys
                pending.stored = self.recorder.find_idempotency_prefix(keys)  # type: ignore[attr-defined]
            try:
                yield
                if writer is not None:
                    self._commit_stream(pending, writer)
                elif pending.aggregates:
                    self._save(list(pending.aggregates.values()), list(pending.keys.values()))
            except BaseException:
                self._cache.evict(pending.aggregates.values())
                if writer is not None:
                    writer.abandon()
                raise
            finally:
                self._batch = None

    def stream_writer(self) -> StreamWriter | None:
        """A writer process for a large ``batch()`` (see ``ledger.infrastructure.stream``),
        started now so that it is ready when the batch has events; None where another
        process cannot write this database (memory, a URI file name, PostgreSQL,
        which keeps its own pipelined single write)."""
        url = self.settings.database_url
        path = url.removeprefix("sqlite:///")
        if path == url or path == ":memory:" or path.startswith("file:"):
            return None
        try:
            return StreamWriter(url)
        except OSError:  # no process could be started: the batch writes at its end
            return None

    def drain(self) -> None:
        """Hand the events this batch has decided so far to its writer, if it has one.

        For a bulk caller between records: a record's events are handed over
        record by record in the order the batch first held them, as the single
        write at the end would write them, so a record drained should get no
        further events (if it does, they are written with the last part).
        """
        batch = self._batch
        if batch is None or batch.writer is None:
            return
        fresh = [batch.aggregates[uid] for uid in batch.order[batch.drained :]]
        batch.drained = len(batch.order)
        to_stored = self.mapper.to_stored_event
        try:
            batch.writer.send([to_stored(e) for a in fresh for e in a.collect_events()])
        except IntegrityError:  # as ``_save``: another process wrote first
            raise VersionConflict(
                "记录已被他人同时修改,请刷新后重试", expected=None, actual=None
            ) from None

    def _commit_stream(self, batch: Batch, writer: StreamWriter) -> None:
        """The batch's last events and its keys to its writer, and its commit. Nothing
        at all is written if the batch decided no event (as ``save`` writes no keys
        without events)."""
        aggregates = list(batch.aggregates.values())
        to_stored = self.mapper.to_stored_event
        rest = [to_stored(e) for a in aggregates for e in a.collect_events()]
        if not rest and not writer.sent:
            writer.abandon()
            return
        try:
            writer.commit(rest, list(batch.keys.values()))
        except IntegrityError:
            raise VersionConflict(
                "记录已被他人同时修改,请刷新后重试", expected=None, actual=None
            ) from None
        for saved in aggregates:
            self._cache.put(saved)

    # --- the one path every command takes ------------------------------------------

    def _run(
        self, command: str, actor: Actor, ctx: CommandContext, args: dict[str, Any], work: Work
    ) -> Receipt:
        if not isinstance(actor, Actor):
            raise InvalidInput("须给出操作人", field="actor")
        policy.require_role(command, actor)
        ctx = ctx.checked()
        key = ctx.idempotency_key
        digest = (
            keys.fingerprint(command, actor, {**args, **ctx.fingerprint_fields()}) if key else ""
        )
        with self._turn():
            if self._batch is not None:
                return self._run_in_batch(actor, ctx, work, key, digest)
            for attempt in range(ATTEMPTS):
                self._attempt = Attempt(fresh=attempt > 0)
                try:
                    return self._decide_and_save(actor, ctx, work, key, digest)
                except DomainError as error:
                    # A retry of a command that already succeeded fails here (its
                    # key is taken, or its transition was already made): replay it.
                    if key and (found := self.recorder.find_idempotency(key)):  # type: ignore[attr-defined]
                        return keys.replay(found, digest, key)
                    if _raced(error, ctx) and attempt < ATTEMPTS - 1:
                        _back_off(attempt)  # another process wrote first: decide again
                        continue
                    if attempt > 0 or not self._attempt.used_cache:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn to write; refused when the commands before it take
        too long (waiting for an unreachable database, or a large import)."""
        if not self._lock.acquire(timeout=TURN_TIMEOUT):
            raise Unavailable(BUSY)
        try:
            if self._batch is None:  # a turn of its own, not a command inside a batch
                self._look()
            yield
        finally:
            self._lock.release()

    def _look(self) -> None:
        """Drop from the cache what other processes changed since the last look.

        Once per transaction, instead of a read per cached record: a record last
        written by another server process would otherwise be decided on stale
        state, its insert would fail on the version, and the command (in the API
        the whole group committed with it) would be decided again. Notification
        ids commit in order (writers hold the events table's lock until they
        commit), so every event up to the newest id seen has been looked at.
        A change made after the look is caught by the insert, as before.
        """
        newest, changed, self.also_seen = self.recorder.changes_after(  # type: ignore[attr-defined]
            self._seen, LOOK_LIMIT, self._also
        )
        if changed is None:  # the first look, or too much changed: trust nothing cached
            self._cache.clear()
        else:
            for record_id, version in changed:
                cached = self._cache.peek(record_id)
                if cached is not None and cached.version < version:
                    self._cache.evict([cached])
        self._seen = newest

    def _decide_and_save(
        self, actor: Actor, ctx: CommandContext, work: Work, key: str | None, digest: str
    ) -> Receipt:
        receipt, aggregates = self._decide(actor, ctx, work)
        stored = [Idempotency(key, digest, keys.dump(receipt))] if key else []
        self._save(aggregates, stored, ctx.expected_version)
        return receipt

    def _run_in_batch(
        self, actor: Actor, ctx: CommandContext, work: Work, key: str | None, digest: str
    ) -> Receipt:
        assert self._batch is not None
        if key and (found := self._find_key(key)):
            return keys.replay(found, digest, key)
        self._attempt = Attempt()
        receipt, aggregates = self._decide(actor, ctx, work)
        self._batch.add(aggregates, [Idempotency(key, digest, keys.dump(receipt))] if key else [])
        return receipt

    def _decide(self, actor: Actor, ctx: CommandContext, work: Work) -> tuple[Receipt, list[Any]]:
        envelope = self._envelope(actor, ctx)
        try:
            target, aggregates, *item = work(envelope)
        except BaseException:
            self._cache.evict(self._attempt.loaded)
            raise
        version = next(a.version for a in aggregates if a.id == target)
        return Receipt(target, version, envelope.correlation_id, *item), aggregates

    def _save(
        self, aggregates: list[Aggregate], stored: list[Idempotency], expected: int | None = None
    ) -> None:
        """Save in one transaction; on a conflict nothing is written and nothing is cached."""
        try:
            self.save(*aggregates, **({"idempotency": stored} if stored else {}))
        except IntegrityError:
            self._cache.evict(aggregates)
            raise VersionConflict(
                "记录已被他人同时修改,请刷新后重试", expected=expected, actual=None
            ) from None
        except BaseException:
            self._cache.evict(aggregates)
            raise
        for saved in aggregates:
            self._cache.put(saved)

    def save(self, *aggregates: Any, **kwargs: Any) -> list[Any]:
        """Write the aggregates' pending events (and side rows) in one transaction.

        The library's ``save`` also takes snapshots, notifies and checks each
        object against runtime protocols; the ledger uses none of that, and
        those checks cost more than the insert itself.
        """
        events: list[Any] = []
        for item in aggregates:
            if isinstance(item, Aggregate):
                events.extend(item.collect_events())
            elif item is not None:
                events.append(item)  # a bare event, as the library's save() accepts
        if events:
            stored = [self.mapper.to_stored_event(event) for event in events]
            self.recorder.insert_events(stored, **kwargs)
        return []

    def _find_key(self, key: str) -> Recorded | None:
        batch = self._batch
        if batch is not None and key in batch.keys:
            pending = batch.keys[key]
            return Recorded(pending.fingerprint, pending.receipt)
        if batch is not None and batch.prefix and key.startswith(batch.prefix):
            return batch.stored.get(key)
        return self.recorder.find_idempotency(key)  # type: ignore[attr-defined,no-any-return]

    def _envelope(
        self,
        actor: Actor,
        ctx: CommandContext,
        checked: dict[CommandContext, datetime] | None = None,
    ) -> Envelope:
        """The envelope of a command's event. ``checked``: effective times already
        validated for a context (``decide_held``'s batch): a given effective time stays
        valid as the recording clock moves on, so it is checked once."""
        moment = now()
        effective = None if checked is None else checked.get(ctx)
        if effective is None:
            effective = ctx.effective_time(moment)
            if checked is not None and ctx.effective_at is not None:
                checked[ctx] = effective
        return Envelope(
            actor=actor,
            effective_at=effective,
            reason=ctx.reason,
            basis=ctx.basis,
            correlation_id=ctx.correlation_id or uuid4(),
        )

    def _change(
        self,
        cls: type[A],
        field: str,
        command: str,
        actor: Actor,
        ctx: CommandContext,
        record_id: Any,
        args: dict[str, Any],
        change: Callable[[A, Envelope], Any],
    ) -> Receipt:
        """Load one record, let ``change`` decide on it (it may return a part id), save it."""

        def work(envelope: Envelope) -> tuple[Any, ...]:
            record = self._load(cls, record_id, field, ctx)
            self._guard(actor, record)
            item = change(record, envelope)
            return (record.id, [record]) if item is None else (record.id, [record], item)

        return self._run(command, actor, ctx, {"id": str(record_id), **args}, work)

    def _step(
        self,
        cls: type[A],
        field: str,
        actor: Actor,
        ctx: CommandContext,
        record_id: Any,
        step: Step,
    ) -> Receipt:
        """A command given as a ``Step``, run as any other (see ``_change``)."""
        return self._change(cls, field, step.command, actor, ctx, record_id, step.args, step.change)

    def decide_held(
        self, actor: Actor, ctx: CommandContext, key: str | None, record: Aggregate, step: Step
    ) -> Receipt:
        """Decide one command on a record this batch already holds, as ``_change`` would.

        For a bulk caller (an import creating findings) that has the record in
        hand: the same role check, guard, rules (``step.change``), envelope,
        fingerprint and idempotency key as the command, without the per-command
        turn, load and retry plumbing. ``ctx`` must be ``checked()`` already and
        carries no key (the key is ``key``; None for a command without one, as
        the command would run with ``ctx.idempotency_key`` None). Only inside
        ``batch()``.
        """
        batch = self._batch
        if batch is None:
            raise RuntimeError("decide_held runs only inside batch()")
        policy.require_role(step.command, actor)
        digest = ""
        if key is not None:
            args = {step.subject: str(record.id), **step.args, **ctx.fingerprint_fields()}
            digest = keys.fingerprint(step.command, actor, args)
            if found := self._find_key(key):
                return keys.replay(found, digest, key)
        envelope = self._envelope(actor, ctx, batch.effective)
        if step.guarded:
            self._guard(actor, record)
        made = step.change(record, envelope)
        target, item = (made, None) if isinstance(made, Aggregate) else (record, made)
        receipt = Receipt(target.id, target.version, envelope.correlation_id, item)
        stored = [Idempotency(key, digest, keys.dump(receipt))] if key is not None else []
        batch.add([target], stored)
        return receipt

    def stored_key(self, key: str) -> Recorded | None:
        """What is stored under an idempotency key, this batch's own keys included
        (for a bulk caller's key of its own; only inside ``batch()``)."""
        if self._batch is None:
            raise RuntimeError("stored_key runs only inside batch()")
        return self._find_key(key)

    def store_key(self, stored: Idempotency) -> None:
        """Store a key of a bulk caller's own with this batch's events (written only if
        the batch writes any; only inside ``batch()``)."""
        if self._batch is None:
            raise RuntimeError("store_key runs only inside batch()")
        self._batch.add([], [stored])

    def _guard(self, actor: Actor, record: Aggregate) -> None:
        """Refuse an actor who may not touch this particular record (none by default)."""

    # --- loading ---------------------------------------------------------------------

    def _load(
        self,
        cls: type[A],
        record_id: Any,
        field: str,
        ctx: CommandContext = NO_CONTEXT,
        *,
        reference: bool = False,
    ) -> A:
        """An aggregate of the given class for a command to decide on.

        ``reference=True`` reads a record the command only consults (never
        cached: it cannot be caught by a failed insert if another process
        changed it).
        """
        uid = rules.uuid(field, record_id)
        aggregate = self._lookup(uid, reference)
        if not isinstance(aggregate, cls):
            raise NotFound(
                f"没有编号为 {record_id} 的{_NOUNS.get(cls.__name__, '记录')}", field=field
            )
        expected = ctx.expected_version
        if expected is not None and expected != aggregate.version:
            raise VersionConflict(
                f"记录当前版本为 {aggregate.version},与预期版本 {expected} 不符,请刷新后重试",
                expected=expected,
                actual=aggregate.version,
            )
        return aggregate

    def _lookup(self, uid: UUID, reference: bool) -> Any:
        if self._batch is not None and (pending := self._batch.aggregates.get(uid)):
            return pending
        if not reference and not self._attempt.fresh and (cached := self._cache.get(uid)):
            self._attempt.used_cache = True
            self._attempt.loaded.append(cached)
            return cached
        try:
            aggregate: Any = self.repository.get(uid, projector_func=_replay)
        except AggregateNotFoundError:
            return None
        if not reference:
            self._attempt.loaded.append(aggregate)
            self._cache.put(aggregate)
        return aggregate

    def consult(self, cls: type[A], record_id: Any, field: str) -> A:
        """A record as a command would consult it now: this batch's pending state if the
        batch holds it, else the stored one (not cached). For ``decide_held``."""
        return self._load(cls, record_id, field, reference=True)

    def read(self, cls: type[A], record_id: Any, field: str) -> A:
        """The current state of a record, read from the store (a private copy)."""
        uid = rules.uuid(field, record_id)
        try:
            aggregate: Any = self.repository.get(uid, projector_func=_replay)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(
                f"没有编号为 {record_id} 的{_NOUNS.get(cls.__name__, '记录')}", field=field
            )
        return aggregate

    def history(self, record_id: UUID) -> list[Any]:
        """Every event of one record, oldest first."""
        return list(self.events.get(record_id))


def _replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply events in turn. The library's own projector asserts each event against a
    runtime-checkable Protocol first, which costs more than the mutation itself."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


# Events written elsewhere that a look at the log (``_look``) checks one by one;
# when more were written (an import in another process), the cache is cleared.
LOOK_LIMIT = 1000

# Seconds a command waits for the commands of this process before it.
TURN_TIMEOUT = 10.0
BUSY = (
    "服务器正忙:本进程之前的命令尚未完成(可能在等待数据库或进行大批量导入),"
    "本次操作未执行;请稍后用同一 Idempotency-Key 重试"
)

# A command without an expected version is decided again, on fresh state, when
# another process wrote the same record between our read and our write.
ATTEMPTS = 8


def _raced(error: DomainError, ctx: CommandContext) -> bool:
    return isinstance(error, VersionConflict) and ctx.expected_version is None


def _back_off(attempt: int) -> None:
    """A short random pause, growing with each attempt, so racing writers spread out."""
    time.sleep(random.uniform(0, 0.001 * 2**attempt))


@dataclass
class Attempt:
    """What one attempt at a command loaded, and whether it may trust the cache."""

    fresh: bool = False
    used_cache: bool = False
    loaded: list[Aggregate] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One command's decision, apart from how it is run.

    ``change(record, envelope)`` applies the command's rules to the record and
    returns a part id, a new aggregate (the record is then only consulted), or
    None. ``args`` are what its idempotency fingerprint covers besides the
    record's id, which goes under ``subject``. The command runs it through
    ``_step``; a bulk caller holding the record through ``decide_held``.
    """

    command: str
    args: dict[str, Any]
    change: Callable[[Any, Envelope], Any]
    subject: str = "id"
    guarded: bool = True  # the record is the one changed: check the actor may touch it


@dataclass
class Batch:
    """Aggregates and idempotency keys decided inside ``Ledger.batch()``."""

    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)
    keys: dict[str, Idempotency] = field(default_factory=dict)
    writer: StreamWriter | None = None  # another process writes as it goes (``drain``)
    order: list[UUID] = field(default_factory=list)  # the aggregates' ids, as first held
    drained: int = 0  # how many of ``order`` were handed to ``writer``
    prefix: str = ""  # keys under it were read up front, into ``stored``
    stored: dict[str, Recorded] = field(default_factory=dict)
    # ``decide_held``'s effective times, checked once per context (``_envelope``).
    effective: dict[CommandContext, datetime] = field(default_factory=dict)

    def add(self, aggregates: list[Aggregate], stored: list[Idempotency]) -> None:
        for aggregate in aggregates:
            if aggregate.id not in self.aggregates:
                self.order.append(aggregate.id)
            self.aggregates[aggregate.id] = aggregate
        for key in stored:
            self.keys[key.key] = key


_NOUNS = {
    "Inspection": "巡视",
    "Finding": "问题",
    "Unit": "单位",
    "Person": "人员",
    "Action": "问责",
    "Case": "案件",
    "Clue": "线索或信访件",
    "Fund": "资金",
}
