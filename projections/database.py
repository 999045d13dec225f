"""The read models' side of the database: an SQLAlchemy engine on the events' database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine


@dataclass(frozen=True)
class Database:
    """Where the events are, as the application configured it."""

    dialect: str  # "sqlite" or "postgres"
    engine: Engine
    schema: str

    @classmethod
    def of(cls, env: Any) -> Database:
        """From the application's eventsourcing environment."""
        if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
            user = quote(env.get("POSTGRES_USER") or "postgres", safe="")
            password = quote(env.get("POSTGRES_PASSWORD") or "", safe="")
            auth = f"{user}:{password}" if password else user
            host, port = env.get("POSTGRES_HOST"), env.get("POSTGRES_PORT")
            url = f"postgresql+psycopg://{auth}@{host}:{port}/{env.get('POSTGRES_DBNAME')}"
            schema = env.get("POSTGRES_SCHEMA") or "public"
            engine: Engine = create_engine(url, pool_size=2, max_overflow=4)
            engine = engine.execution_options(schema_translate_map={None: schema})
            return cls("postgres", engine, schema)
        name = env.get("SQLITE_DBNAME")
        uri = name if name.startswith("file:") else f"file:{quote(name)}"
        joiner = "&" if "?" in uri else "?"
        engine = create_engine(f"sqlite:///{uri}{joiner}uri=true")
        return cls("sqlite", engine, "")

    def qualified(self, name: str) -> str:
        """A table name as raw SQL must spell it."""
        return f'"{self.schema}"."{name}"' if self.dialect == "postgres" else f'"{name}"'
