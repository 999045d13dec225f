"""The ledger application: one transaction per command, idempotent, concurrency-safe."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from ledger.application.context import NO_CONTEXT, CommandContext, Receipt, now
from ledger.config import Settings
from ledger.domain import policy, rules
from ledger.domain.base import Aggregate, Envelope
from ledger.domain.errors import IdempotencyConflict, InvalidInput, NotFound, VersionConflict
from ledger.domain.values import Actor
from ledger.infrastructure.idempotency import Idempotency, Recorded
from ledger.infrastructure.mapper import OrjsonTranscoder, PydanticMapper

A = TypeVar("A", bound=Aggregate)
# A command's decision: (record id, aggregates to save[, id of a created part]).
Work = Callable[[Envelope], tuple[Any, ...]]


class LedgerCore(Application[UUID]):
    """Command plumbing shared by every command: authorise, decide, save once."""

    name = "Ledger"
    env: ClassVar[dict[str, str]] = {
        "TRANSCODER_TOPIC": get_topic(OrjsonTranscoder),
        "MAPPER_TOPIC": get_topic(PydanticMapper),
        "AGGREGATE_CACHE_MAXSIZE": "10000",
    }

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._batch: Batch | None = None
        super().__init__(env=self.settings.eventsourcing_env())

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run several commands as one transaction: all are recorded, or none is.

        Commands inside the block decide as usual and return receipts, but
        nothing is written until the block ends without an exception.
        """
        if self._batch is not None:
            raise RuntimeError("batches do not nest")
        self._batch = pending = Batch()
        try:
            yield
        finally:
            self._batch = None
        if pending.aggregates:
            self._save(list(pending.aggregates.values()), list(pending.keys.values()), None)

    # --- the one path every command takes ------------------------------------------

    def _run(
        self, command: str, actor: Actor, ctx: CommandContext, args: dict[str, Any], work: Work
    ) -> Receipt:
        if not isinstance(actor, Actor):
            raise InvalidInput("须给出操作人", field="actor")
        policy.require_role(command, actor)
        ctx = ctx.checked()
        key = ctx.idempotency_key
        fingerprint = (
            _fingerprint(command, actor, {**args, **ctx.fingerprint_fields()}) if key else ""
        )
        if key and (found := self._find_key(key)):
            return _replay(found, fingerprint, key)
        envelope = self._envelope(actor, ctx)
        target, aggregates, *item = work(envelope)
        version = _version_of(target, aggregates)
        receipt = Receipt(target, version, envelope.correlation_id, *item)
        keys = [Idempotency(key, fingerprint, _dump(receipt))] if key else []
        if self._batch is not None:
            self._batch.add(aggregates, keys)
            return receipt
        replayed = self._save(aggregates, keys, ctx.expected_version)
        return receipt if replayed is None else _replay(replayed, fingerprint, key or "")

    def _save(
        self, aggregates: list[Aggregate], keys: list[Idempotency], expected: int | None
    ) -> Recorded | None:
        """Save in one transaction; a lost race on a retried key replays the winner."""
        try:
            self.save(*aggregates, **({"idempotency": keys} if keys else {}))
        except IntegrityError:
            if len(keys) == 1 and (found := self._find_key(keys[0].key)):
                return found
            raise VersionConflict(
                "记录已被他人同时修改,请刷新后重试", expected=expected, actual=None
            ) from None
        return None

    def _find_key(self, key: str) -> Recorded | None:
        if self._batch is not None and key in self._batch.keys:
            pending = self._batch.keys[key]
            return Recorded(pending.fingerprint, pending.receipt)
        return self.recorder.find_idempotency(key)  # type: ignore[attr-defined,no-any-return]

    def _envelope(self, actor: Actor, ctx: CommandContext) -> Envelope:
        moment = now()
        return Envelope(
            actor=actor,
            effective_at=ctx.effective_time(moment),
            reason=ctx.reason.strip(),
            basis=ctx.basis.strip(),
            correlation_id=ctx.correlation_id or uuid4(),
        )

    def _load(
        self, cls: type[A], record_id: Any, field: str, ctx: CommandContext = NO_CONTEXT
    ) -> A:
        """Load an aggregate of the given class, checking the expected version."""
        uid = rules.uuid(field, record_id)
        aggregate: Any = self._batch.aggregates.get(uid) if self._batch is not None else None
        if aggregate is None:
            try:
                aggregate = self.repository.get(uid)
            except AggregateNotFoundError:
                aggregate = None
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

    def history(self, record_id: UUID) -> list[Any]:
        """Every event of one record, oldest first."""
        return list(self.events.get(record_id))


@dataclass
class Batch:
    """Aggregates and idempotency keys decided inside ``Ledger.batch()``."""

    aggregates: dict[UUID, Aggregate] = field(default_factory=dict)
    keys: dict[str, Idempotency] = field(default_factory=dict)

    def add(self, aggregates: list[Aggregate], keys: list[Idempotency]) -> None:
        for aggregate in aggregates:
            self.aggregates[aggregate.id] = aggregate
        for key in keys:
            self.keys[key.key] = key


_NOUNS = {"Inspection": "巡视", "Finding": "问题", "Unit": "单位", "Person": "人员"}


def _version_of(target: UUID, aggregates: list[Aggregate]) -> int:
    return next(a.version for a in aggregates if a.id == target)


def _fingerprint(command: str, actor: Actor, args: dict[str, Any]) -> str:
    payload = orjson.dumps(
        [command, actor.id, args], default=_jsonable, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(payload).hexdigest()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _dump(receipt: Receipt) -> bytes:
    return orjson.dumps(
        {
            "id": receipt.id,
            "version": receipt.version,
            "correlation_id": receipt.correlation_id,
            "item_id": receipt.item_id,
        }
    )


def _replay(found: Recorded, fingerprint: str, key: str) -> Receipt:
    if found.fingerprint != fingerprint:
        raise IdempotencyConflict(f"幂等键 {key} 已用于另一条不同的命令")
    data = orjson.loads(found.receipt)
    item = data.get("item_id")
    return Receipt(
        UUID(data["id"]),
        data["version"],
        UUID(data["correlation_id"]),
        UUID(item) if item else None,
        replayed=True,
    )
