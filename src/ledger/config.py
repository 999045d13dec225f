"""Configuration: one database URL chooses SQLite (default) or PostgreSQL.

``LEDGER_DATABASE_URL`` (or ``--database``) takes:

* ``sqlite:///ledger.db`` — a file, relative to the working directory (default);
* ``sqlite:///:memory:`` — a private in-memory database (tests);
* ``postgresql://user[:password]@host[:port]/dbname[?schema=name]``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import uuid4

from eventsourcing.utils import get_topic

from ledger.infrastructure.postgres import LedgerPostgresRecorder
from ledger.infrastructure.sqlite import LedgerSQLiteFactory, LedgerSQLiteRecorder

DEFAULT_URL = "sqlite:///ledger.db"


class ConfigError(ValueError):
    """The database URL cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything the ledger needs to start."""

    database_url: str = DEFAULT_URL

    @classmethod
    def from_env(cls, database_url: str | None = None) -> Settings:
        """Settings from an explicit URL, else ``LEDGER_DATABASE_URL``, else the default."""
        return cls(database_url or os.environ.get("LEDGER_DATABASE_URL") or DEFAULT_URL)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql:", "postgres:"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing environment for this URL."""
        url = self.database_url
        if url.startswith("sqlite:///"):
            return _sqlite_env(url.removeprefix("sqlite:///"))
        if self.is_postgres:
            return _postgres_env(url)
        raise ConfigError(f"不支持的数据库地址 {url!r}:应以 sqlite:/// 或 postgresql:// 开头")


def _sqlite_env(path: str) -> dict[str, str]:
    if path in ("", ":memory:"):
        # A named shared-cache memory database, private to this process and call.
        path = f"file:ledger-{uuid4().hex}?mode=memory&cache=shared"
    return {
        "PERSISTENCE_MODULE": get_topic(LedgerSQLiteFactory),
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": get_topic(LedgerSQLiteRecorder),
    }


def _postgres_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not dbname:
        raise ConfigError(f"数据库地址缺少数据库名:{url!r}")
    schema = parse_qs(parts.query).get("schema", [""])[0]
    try:
        port = parts.port or 5432
    except ValueError as error:
        raise ConfigError(f"数据库地址端口无效:{url!r}({error})") from None
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "4",
        # Wait at most this long for a pooled connection: while the database is
        # down a request must get an answer (503), not hang.
        "POSTGRES_CONNECT_TIMEOUT": "3",
        "APPLICATION_RECORDER_TOPIC": get_topic(LedgerPostgresRecorder),
    }
