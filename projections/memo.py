"""Answers kept while the log stands still.

Every inline read model's tracking position moves in the transaction that
applies an event (all of them to the same number), so the position of one of
them names the state of every inline table. An answer computed at position p stays right until
the position moves; the check costs one primary-key lookup instead of the
query. The position is read *before* the answer is computed: an event that
commits in between makes the kept answer newer than its label, never older,
and the next request recomputes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Engine

from ledger.infrastructure.lookup import Lookup

T = TypeVar("T")

# The read model whose tracking row names the state (any inline one would do: they all
# move together; the audit index, kept behind the log, does not).
TRACKED = "findings"


class Memo:
    """A bounded table of answers labelled with the position they were computed at."""

    def __init__(self, engine: Engine, size: int = 2048) -> None:
        self.engine = engine
        self.size = size
        self.find = Lookup(
            engine, "SELECT position FROM {rm_tracking} WHERE name = ?", "rm_tracking"
        )
        self.kept: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def position(self) -> int:
        row = self.find.one(TRACKED)
        return 0 if row is None else int(row[0])

    def peek(self, key: Hashable, at: int | None = None) -> Any:
        """The answer kept under ``key`` if it is still right, else None (computes nothing).

        ``at``: the position, if the caller read it already (after its question
        arrived: the API's ``Pulse``); else it is read here."""
        at = self.position() if at is None else at
        with self.lock:
            kept = self.kept.get(key)
        return kept[1] if kept is not None and kept[0] == at else None

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer under ``key``, computed again only if the log has moved."""
        at = self.position()
        with self.lock:
            kept = self.kept.get(key)
            if kept is not None and kept[0] == at:
                self.kept.move_to_end(key)
                return kept[1]  # type: ignore[no-any-return]
        value = compute()
        with self.lock:
            self.kept[key] = (at, value)
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return value
