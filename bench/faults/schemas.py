"""A fresh PostgreSQL schema for one run, dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import psycopg
from psycopg import sql


@contextmanager
def fresh_schema(server_url: str, prefix: str, keep: bool = False) -> Iterator[str]:
    """Yields the ledger URL of a new schema on ``server_url``."""
    name = f"{prefix}_{uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    joiner = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{joiner}schema={name}"
    finally:
        if not keep:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
