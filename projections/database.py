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
    def sqlite(cls, db_name: str) -> Database:
        """The SQLite file (or shared-cache memory database) the events are in."""
        uri = db_name if db_name.startswith("file:") else f"file:{quote(db_name)}"
        joiner = "&" if "?" in uri else "?"
        return cls("sqlite", create_engine(f"sqlite:///{uri}{joiner}uri=true"), "")

    @classmethod
    def postgres(cls, connect: dict[str, Any], schema: str) -> Database:
        """The PostgreSQL database and schema the events are in."""
        user = quote(str(connect.get("user") or "postgres"), safe="")
        password = quote(str(connect.get("password") or ""), safe="")
        auth = f"{user}:{password}" if password else user
        where = f"{connect['host']}:{connect['port']}/{connect['dbname']}"
        engine: Engine = create_engine(f"postgresql+psycopg://{auth}@{where}", pool_size=2)
        engine = engine.execution_options(schema_translate_map={None: schema})
        return cls("postgres", engine, schema)

    def qualified(self, name: str) -> str:
        """A table name as raw SQL must spell it."""
        return f'"{self.schema}"."{name}"' if self.dialect == "postgres" else f'"{name}"'
