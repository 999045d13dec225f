"""Log positions not known yet: read-model writes computed before the events exist.

On PostgreSQL an event's log position (its notification id) is given by its
insert, under the events table's lock, which every writer waits for. So that
the read models' work is done before that lock instead of while holding it,
their handlers see a ``Later`` in place of each position: the event's record
id and version (the events table's key). A statement with a ``Later`` among its
parameters looks the number up in its own transaction, after the insert, in
the server: the whole locked part then goes in as one pipeline, with no round
trip inside it and none of the handlers' work.
"""

from __future__ import annotations

from typing import Any


class Later:
    """The log position of the event at ``version`` of record ``originator_id``."""

    __slots__ = ("originator_id", "version")

    def __init__(self, originator_id: Any, version: int) -> None:
        self.originator_id = originator_id
        self.version = version

    def __eq__(self, other: object) -> bool:
        if type(other) is not Later:
            return NotImplemented
        return self.originator_id == other.originator_id and self.version == other.version

    def __hash__(self) -> int:
        return hash((self.originator_id, self.version))

    def __repr__(self) -> str:
        return f"Later({self.originator_id!s}, {self.version})"


def lookup(events: str) -> str:
    """SQL giving the position of one event of ``events`` (its two parameters: the
    record id and the version; one primary-key probe)."""
    return (
        f"(SELECT notification_id FROM {events} "
        "WHERE originator_id = %s AND originator_version = %s)"
    )


def bind(sql: str, params: list[Any], look_up: str, cache: dict[Any, str]) -> tuple[str, list[Any]]:
    """The statement with each ``Later`` parameter replaced by ``look_up`` (its two
    parameters in its place); the statement unchanged if it has none."""
    mask = tuple([i for i, value in enumerate(params) if type(value) is Later])
    if not mask:
        return sql, params
    key = ("later", sql, mask)
    bound = cache.get(key)
    if bound is None:
        parts = sql.split("%s")
        if len(parts) != len(params) + 1:
            raise ValueError(f"{len(params)} parameters for {len(parts) - 1} markers: {sql}")
        out = [parts[0]]
        for i, part in enumerate(parts[1:]):
            out += [look_up if i in mask else "%s", part]
        bound = cache[key] = "".join(out)
    flat: list[Any] = []
    for value in params:
        if type(value) is Later:
            flat += [value.originator_id, value.version]
        else:
            flat.append(value)
    return bound, flat
