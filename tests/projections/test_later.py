"""Positions not known yet: a statement looks up each ``Later`` by its event."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from ledger.projections.later import Later, bind, lookup
from ledger.projections.store import SqlStore

LOOKUP = lookup('"s"."ledger_events"')
ROWS = Table(
    "rows",
    MetaData(),
    Column("k", String(10), primary_key=True),
    Column("position", Integer),
    Column("n", Integer),
)


def test_a_later_parameter_becomes_the_lookup_of_its_event_and_the_others_stay() -> None:
    record = uuid4()
    cache: dict[object, str] = {}
    insert = "INSERT INTO t (a, position, b) VALUES (%s, %s, %s)"
    sql, params = bind(insert, ["x", Later(record, 3), 7], LOOKUP, cache)
    assert sql == f"INSERT INTO t (a, position, b) VALUES (%s, {LOOKUP}, %s)"
    assert params == ["x", record, 3, 7]
    # The same shape again: the same statement (one executemany), from the cache.
    again, _ = bind(insert, ["y", Later(record, 4), 8], LOOKUP, cache)
    assert again is sql


def test_a_statement_without_later_parameters_is_left_as_it_is() -> None:
    params = [1, "a"]
    assert bind("UPDATE t SET a = %s WHERE k = %s", params, LOOKUP, {}) == (
        "UPDATE t SET a = %s WHERE k = %s",
        params,
    )


def test_later_positions_of_one_event_are_equal_and_of_two_events_not() -> None:
    record = uuid4()
    assert Later(record, 1) == Later(record, 1)
    assert hash(Later(record, 1)) == hash(Later(record, 1))
    assert Later(record, 1) != Later(record, 2)
    assert Later(record, 1) != 1


def test_a_deferred_store_writes_positions_as_lookups_keyed_updates_included() -> None:
    record = uuid4()
    store = SqlStore(None, "postgres", "s", later=LOOKUP)
    store.insert(ROWS, {"k": "a", "position": Later(record, 1), "n": 0})
    store.update(ROWS, {"k": "a"}, {"position": Later(record, 2)}, add="n")
    [[(sql, params)]] = store.pending()
    assert sql == f'INSERT INTO "s"."rows" ("k", "position", "n") VALUES (%s, {LOOKUP}, %s)'
    assert params == ["a", record, 2, 1]


def test_a_deferred_store_refuses_to_read_rows_another_writer_may_change() -> None:
    store = SqlStore(None, "postgres", "s", later=LOOKUP)
    with pytest.raises(RuntimeError, match="reads_rows"):
        store.get(ROWS, {"k": "a"})
