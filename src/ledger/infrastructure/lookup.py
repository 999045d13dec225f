"""One fixed statement by primary key, straight through the driver.

SQLAlchemy Core costs ~50 µs a statement before the database sees it (cache
key, compiled-statement lookup, result metadata); the lookups every request
makes — the caller's token, the read models' position — take ~5 µs in SQLite
itself. This runs a fixed SQL string on a connection from the engine's pool,
with the driver's own placeholders, and returns the first row as a tuple.
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event

# On PostgreSQL the lookups get a pool of their own, without the main pool's
# check on each checkout (a round trip, ``pool_pre_ping``) and its rollback on
# each return (another): measured 0.92 -> 0.30 ms a lookup. A connection the
# server dropped meanwhile fails once; the pool then starts afresh and the
# lookup is asked again.
OWN_POOL = {"pool_size": 1, "max_overflow": 4, "pool_timeout": 10}


class Lookup:
    """A fixed ``SELECT``; each ``{name}`` of ``tables`` and each ``?`` are filled in."""

    def __init__(self, engine: Engine, sql: str, *tables: str) -> None:
        postgres = engine.dialect.name == "postgresql"
        self.sql = qualify(engine, sql, *tables).replace("?", "%s" if postgres else "?")
        self.postgres = postgres
        self.engine = engine
        if postgres:
            # Each lookup reads on its own: no transaction to begin and roll back.
            self.engine = create_engine(
                engine.url,
                isolation_level="AUTOCOMMIT",
                pool_pre_ping=False,
                pool_reset_on_return=None,
                connect_args={"connect_timeout": 3, "options": "-c jit=off"},
                **OWN_POOL,
            )
            # Closed with the engine it serves (the ledger's close disposes that
            # one, or a copy with other options: their events reach the root's).
            own, root = self.engine, engine
            while isinstance(getattr(root, "_proxied", None), Engine):
                root = root._proxied  # type: ignore[attr-defined]
            event.listen(root, "engine_disposed", lambda _engine: own.dispose())

    def one(self, *params: Any) -> tuple[Any, ...] | None:
        for attempt in range(2):
            with self.engine.connect() as conn:
                cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                try:
                    if self.postgres:
                        cursor.execute(self.sql, params, prepare=True)
                    else:
                        cursor.execute(self.sql, params)
                    row = cursor.fetchone()
                except psycopg.OperationalError:
                    conn.invalidate()  # the server had dropped it: the pool starts afresh
                    if attempt:
                        raise
                    continue
                finally:
                    cursor.close()
            return None if row is None else tuple(row)
        raise AssertionError("unreachable")  # pragma: no cover


def qualify(engine: Engine, sql: str, *tables: str) -> str:
    """``sql`` with each ``{name}`` of ``tables`` named as the engine's schema has it."""
    translate = engine.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(None)
    postgres = engine.dialect.name == "postgresql"
    for table in tables:
        qualified = f'"{schema}"."{table}"' if postgres and schema else f'"{table}"'
        sql = sql.replace("{" + table + "}", qualified)
    return sql
