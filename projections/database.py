"""The read models' side of the database: an SQLAlchemy engine on the events' database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine

# Percent of each page filled by inserts, for the tables most updated in place.
FILLFACTOR = {"rm_findings": 70, "rm_letters": 80, "rm_tracking": 50}


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
        # Read-model queries are short index lookups: JIT compiling them costs
        # tens of milliseconds and saves nothing.
        # Connections are checked before use (after a database restart the
        # pooled ones are dead), opening one gives up after 3 s, and waiting for
        # a free one after 10 s: the request then gets a 503, not a hang.
        engine: Engine = create_engine(
            f"postgresql+psycopg://{auth}@{where}",
            pool_size=2,
            pool_pre_ping=True,
            pool_timeout=10,
            connect_args={"options": "-c jit=off", "connect_timeout": 3},
        )
        engine = engine.execution_options(schema_translate_map={None: schema})
        return cls("postgres", engine, schema)

    def tune(self, conn: Any, table: str, like: str | None = None) -> None:
        """PostgreSQL storage settings of a read-model table (``like``: whose settings
        a rebuild copy takes). Tables updated in place leave room on each page for
        a row's new version, so an update that changes no indexed column stays on
        its page and adds nothing to the indexes (a HOT update)."""
        fill = FILLFACTOR.get(like or table)
        if self.dialect == "postgres" and fill:
            conn.exec_driver_sql(f"ALTER TABLE {self.qualified(table)} SET (fillfactor = {fill})")

    def index_names(self, conn: Any) -> set[tuple[str, str]]:
        """(table, index) for every index of the tables beside the events, in one query;
        SQLite's own (for keys) and PostgreSQL's key indexes too."""
        if self.dialect == "postgres":
            rows = conn.exec_driver_sql(
                "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %(s)s",
                {"s": self.schema},
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
            )
        return {(str(table), str(name)) for table, name in rows}

    def qualified(self, name: str) -> str:
        """A table name as raw SQL must spell it."""
        return f'"{self.schema}"."{name}"' if self.dialect == "postgres" else f'"{name}"'
