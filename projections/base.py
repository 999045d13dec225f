"""What every read model is: named tables and a handler per event topic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from eventsourcing.utils import get_topic
from sqlalchemy import MetaData, Table

from .records import Record
from .store import Store

Handler = Callable[[Record, Store], None]


class Projection:
    """A read model: its tables (one module each) and how each event changes them.

    A projection reads only events, never another read model, so any one of
    them can be rebuilt on its own.
    """

    name: ClassVar[str]
    title: ClassVar[str]  # for people, in Chinese
    # Whether a handler reads the read model's own rows (``Store.get``). Such rows
    # may be changed by a concurrent writer until the events table is locked, so
    # on PostgreSQL these handlers run under that lock; the others' writes are
    # computed before it (``Projector.defer``).
    reads_rows: ClassVar[bool] = False
    # Kept behind the log instead of in the command's transaction, and caught up
    # before it is read (``behind``): for a read model whose rows cost the write
    # path much and are read rarely.
    behind: ClassVar[bool] = False

    def __init__(self, metadata: MetaData) -> None:
        self.tables = self.define(metadata)
        self.handlers: dict[str, Handler] = {
            get_topic(cls): handler for cls, handler in self.handles().items()
        }

    @staticmethod
    def define(metadata: MetaData, suffix: str = "") -> list[Table]:
        """The read model's tables; ``suffix`` names the copies a rebuild fills."""
        raise NotImplementedError

    def handles(self) -> dict[type[Any], Handler]:
        """Event class → handler."""
        raise NotImplementedError

    def fill(self, dialect: str, events: str, copy: str) -> str | None:
        """SQL that fills the rebuild copy (``copy``) straight from the events table
        (``events``) for the log positions between its two parameters, or None
        (the default): the handlers fold the events instead. Only for a read
        model whose rows are each made from one event alone, and only where
        the database does it faster than the handlers would."""
        return None

    def apply(self, record: Record, store: Store) -> None:
        handler = self.handlers.get(record.topic)
        if handler is not None:
            handler(record, store)
