"""One fixed statement by primary key, straight through the driver.

SQLAlchemy Core costs ~50 µs a statement before the database sees it (cache
key, compiled-statement lookup, result metadata); the lookups every request
makes — the caller's token, the read models' position — take ~5 µs in SQLite
itself. This runs a fixed SQL string on a connection from the engine's pool,
with the driver's own placeholders, and returns the first row as a tuple.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine


class Lookup:
    """``SELECT … WHERE key = ?`` on one table; ``{table}`` and ``?`` are filled in."""

    def __init__(self, engine: Engine, sql: str, table: str) -> None:
        translate = engine.get_execution_options().get("schema_translate_map") or {}
        schema = translate.get(None)
        postgres = engine.dialect.name == "postgresql"
        qualified = f'"{schema}"."{table}"' if postgres and schema else f'"{table}"'
        self.sql = sql.replace("{table}", qualified).replace("?", "%s" if postgres else "?")
        # Each lookup reads on its own: no transaction to begin and roll back.
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else engine
        self.postgres = postgres

    def one(self, *params: Any) -> tuple[Any, ...] | None:
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                if self.postgres:
                    cursor.execute(self.sql, params, prepare=True)
                else:
                    cursor.execute(self.sql, params)
                row = cursor.fetchone()
            finally:
                cursor.close()
        return None if row is None else tuple(row)
