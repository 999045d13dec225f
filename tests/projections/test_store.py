"""Inline writes coalesce per row, and leave the tables as the statements one by one would."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, Table
from sqlalchemy.schema import CreateTable

from ledger.projections.store import MemoryStore, SqlStore

METADATA = MetaData()
ROWS = Table(
    "rows",
    METADATA,
    Column("k1", String(10), primary_key=True),
    Column("k2", Integer, primary_key=True),
    Column("a", Integer),
    Column("day", Date),
    Column("n", Integer),
)
LOG = Table("log", METADATA, Column("k1", String(10)), Column("note", String(20)))


def database() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for table in (ROWS, LOG):
        conn.execute(str(CreateTable(table).compile()))
    return conn


def contents(conn: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
    return (
        conn.execute("SELECT * FROM rows ORDER BY k1, k2").fetchall(),
        conn.execute("SELECT * FROM log ORDER BY rowid").fetchall(),
    )


def operations(seed: int, count: int) -> list[tuple[Any, ...]]:
    """Inserts, updates, additions and deletes over a few keys, never a duplicate insert."""
    rng = random.Random(seed)
    present: set[tuple[str, int]] = set()
    ops: list[tuple[Any, ...]] = []
    for _ in range(count):
        k1, k2 = rng.choice("abc"), rng.randint(1, 3)
        kind = rng.choice("iiuuuaadl")
        if kind == "i" and (k1, k2) in present:
            kind = "u"
        day = date(2019, 1, 1) + timedelta(days=rng.randint(0, 9))
        n = rng.choice([0, 5, None])
        if kind == "i":
            present.add((k1, k2))
            ops.append(("i", {"k1": k1, "k2": k2, "a": rng.randint(0, 9), "day": day, "n": n}))
        elif kind == "u":
            values = rng.choice([{"a": rng.randint(0, 9)}, {"day": day}, {"n": n}, {}])
            ops.append(("u", {"k1": k1, "k2": k2}, values, rng.choice([None, "n", "a"])))
        elif kind == "a":
            ops.append(("a", {"k1": k1, "k2": k2}, rng.choice(["n", "a"]), rng.randint(1, 3)))
        elif kind == "d":
            present -= {(k1, k) for k in range(1, 4)}
            ops.append(("d", k1))
        else:
            ops.append(("l", {"k1": k1, "note": f"n{len(ops)}"}))
    return ops


def run(store: SqlStore, op: tuple[Any, ...]) -> None:
    if op[0] == "i":
        store.insert(ROWS, op[1])
    elif op[0] == "u":
        values = {k: v for k, v in op[2].items() if k != op[3]}
        store.update(ROWS, op[1], values, op[3])
    elif op[0] == "a":
        store.add(ROWS, op[1], op[2], op[3])
    elif op[0] == "d":
        store.delete(ROWS, op[1])
    else:
        store.insert(LOG, op[1])


def test_coalesced_writes_leave_the_tables_as_one_statement_after_another_would() -> None:
    with_rows = 0
    for seed in range(40):
        ops = operations(seed, 60)
        one_by_one, coalesced = database(), database()
        reference = SqlStore(one_by_one.cursor(), "sqlite")
        store = SqlStore(coalesced.cursor(), "sqlite")
        for n, op in enumerate(ops):
            run(reference, op)
            reference.flush()  # a flush forgets every open row: nothing coalesces
            run(store, op)
            if n % 25 == 24:
                store.flush()
        store.flush()
        assert contents(coalesced) == contents(one_by_one), seed
        with_rows += bool(contents(one_by_one)[0])
    assert with_rows > 20, "most runs end with rows to compare"


def test_a_hundred_reports_on_fifty_rows_are_fifty_updates_in_one_executemany() -> None:
    conn = database()
    calls: list[tuple[str, int]] = []

    class Counting:
        def execute(self, sql: str, params: Any) -> None:
            calls.append((sql.split()[0], 1))
            conn.execute(sql, params)

        def executemany(self, sql: str, rows: list[Any]) -> None:
            calls.append((sql.split()[0], len(rows)))
            conn.executemany(sql, rows)

    setup = SqlStore(conn.cursor(), "sqlite")
    for k in range(50):
        setup.insert(ROWS, {"k1": "f", "k2": k, "a": 0, "day": None, "n": 0})
    setup.flush()
    store = SqlStore(Counting(), "sqlite")
    for j in range(100):
        store.update(ROWS, {"k1": "f", "k2": j % 50}, {"day": date(2019, 1, 1 + j // 50)}, "n")
    store.flush()
    assert calls == [("UPDATE", 50)]
    assert conn.execute("SELECT DISTINCT day, n FROM rows").fetchall() == [("2019-01-02", 2)]


def test_a_projection_reads_its_rows_as_its_writes_so_far_leave_them() -> None:
    conn = database()
    sql, memory = SqlStore(conn.cursor(), "sqlite"), MemoryStore()
    key = {"k1": "f", "k2": 1}
    for store in (sql, memory):
        assert store.get(ROWS, key) is None
        store.insert(ROWS, {**key, "a": 1, "day": None, "n": 0})
        store.add(ROWS, key, "n", 2)
        assert store.get(ROWS, key) == {**key, "a": 1, "day": None, "n": 2}
    sql.flush()
    for store in (sql, memory):
        store.update(ROWS, key, {"a": 5}, "n")
        assert store.get(ROWS, key) == {**key, "a": 5, "day": None, "n": 3}
        assert store.get(ROWS, {"k1": "f", "k2": 2}) is None
    sql.flush()
    assert conn.execute("SELECT a, n FROM rows").fetchall() == [(5, 3)]
    # A new transaction's store: a row updated before it is first read is read as updated.
    later = SqlStore(conn.cursor(), "sqlite")
    later.add(ROWS, key, "n", 4)
    assert later.get(ROWS, key) == {**key, "a": 5, "day": None, "n": 7}
    later.delete(ROWS, "f")
    assert later.get(ROWS, key) is None
