"""An aggregate cache that lends out its objects instead of copying them.

The library's cache deep-copies an aggregate on every read and re-reads the
store to catch it up; both cost more than the command itself. Here a command
works on the cached object directly, under the application's command lock,
and any failure evicts what the command touched. A copy that another process
has made stale cannot be saved (its next version already exists, so the
insert fails and the command is retried on fresh state), and a refusal
decided on cached state is re-decided on fresh state before it is reported.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

from ledger.domain.base import Aggregate


class AggregateCache:
    """Least-recently-used aggregates by id."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[UUID, Aggregate] = OrderedDict()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        item = self._items.get(aggregate_id)
        if item is not None:
            self._items.move_to_end(aggregate_id)
        return item

    def peek(self, aggregate_id: UUID) -> Aggregate | None:
        """The cached aggregate, without marking it as recently used."""
        return self._items.get(aggregate_id)

    def clear(self) -> None:
        self._items.clear()

    def put(self, aggregate: Aggregate) -> None:
        self._items[aggregate.id] = aggregate
        self._items.move_to_end(aggregate.id)
        if len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def evict(self, aggregates: Iterable[Aggregate]) -> None:
        for aggregate in aggregates:
            self._items.pop(aggregate.id, None)
