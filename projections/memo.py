"""Answers kept while the log stands still.

Every read model's tracking position moves in the transaction that applies an
event (all of them to the same number), so the position of one of them names
the state of every table. An answer computed at position p stays right until
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

from .database import Database

T = TypeVar("T")


class Memo:
    """A bounded table of answers labelled with the position they were computed at."""

    def __init__(self, db: Database, engine: Engine, size: int = 2048) -> None:
        self.engine = engine
        self.size = size
        self.sql = f"SELECT position FROM {db.qualified('rm_tracking')} WHERE name = 'findings'"
        self.kept: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def position(self) -> int:
        with self.engine.connect() as conn:
            found = conn.exec_driver_sql(self.sql).scalar()
        return int(found or 0)

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
