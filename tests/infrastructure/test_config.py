"""One database URL chooses the back end; a URL that cannot be used says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.utils import get_topic

from ledger.application.ledger import Ledger
from ledger.config import DEFAULT_URL, ConfigError, Settings
from ledger.infrastructure.postgres import LedgerPostgresRecorder
from ledger.infrastructure.sqlite import (
    LedgerSQLiteConnectionPool,
    LedgerSQLiteDatastore,
    LedgerSQLiteFactory,
    LedgerSQLiteRecorder,
)
from tests.conftest import PG_URL


def env(url: str) -> dict[str, str]:
    return Settings(url).eventsourcing_env()


# --- SQLite -------------------------------------------------------------------------


def test_a_sqlite_url_names_a_file_relative_to_the_working_directory() -> None:
    settings = Settings("sqlite:///ledger.db")
    assert not settings.is_postgres
    assert settings.eventsourcing_env() == {
        "PERSISTENCE_MODULE": get_topic(LedgerSQLiteFactory),
        "SQLITE_DBNAME": "ledger.db",
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": get_topic(LedgerSQLiteRecorder),
    }


def test_a_sqlite_url_with_four_slashes_names_an_absolute_path() -> None:
    assert (
        env("sqlite:////var/lib/ledger/ledger.db")["SQLITE_DBNAME"] == "/var/lib/ledger/ledger.db"
    )


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite:///"])
def test_a_sqlite_memory_url_gives_a_private_shared_cache_memory_database(url: str) -> None:
    first, second = env(url)["SQLITE_DBNAME"], env(url)["SQLITE_DBNAME"]
    assert first.startswith("file:ledger-")
    assert first.endswith("?mode=memory&cache=shared")
    assert first != second  # documented: private to each call, so to each application
    assert env(url)["APPLICATION_RECORDER_TOPIC"] == get_topic(LedgerSQLiteRecorder)


def test_a_sqlite_ledger_runs_on_connections_that_keep_their_compiled_statements(
    tmp_path: Path,
) -> None:
    # The library's own pool opens connections with a statement cache of one.
    ledger = Ledger(Settings(f"sqlite:///{tmp_path / 'ledger.db'}"))
    try:
        datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        assert isinstance(datastore, LedgerSQLiteDatastore)
        assert isinstance(datastore.pool, LedgerSQLiteConnectionPool)
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()["journal_mode"] == "wal"
    finally:
        ledger.close()


def test_the_default_url_is_a_sqlite_file() -> None:
    assert DEFAULT_URL == "sqlite:///ledger.db"
    assert Settings().database_url == DEFAULT_URL


# --- PostgreSQL ---------------------------------------------------------------------


def test_a_postgresql_url_gives_user_password_host_port_database_and_schema() -> None:
    settings = Settings(
        "postgresql://ledger:s%40cr%3Aet@db.example.org:6543/ledger_prod?schema=audit"
    )
    assert settings.is_postgres
    assert settings.eventsourcing_env() == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": "ledger_prod",
        "POSTGRES_HOST": "db.example.org",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "ledger",
        "POSTGRES_PASSWORD": "s@cr:et",
        "POSTGRES_SCHEMA": "audit",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_CONNECT_TIMEOUT": "3",
        "APPLICATION_RECORDER_TOPIC": get_topic(LedgerPostgresRecorder),
    }


def test_a_postgresql_url_defaults_port_password_and_schema() -> None:
    result = env("postgresql://postgres@127.0.0.1/test")
    assert result["POSTGRES_PORT"] == "5432"
    assert result["POSTGRES_PASSWORD"] == ""
    assert result["POSTGRES_SCHEMA"] == ""  # the library then uses "public"
    assert result["POSTGRES_USER"] == "postgres"


def test_a_postgresql_url_without_user_or_host_defaults_to_local_postgres() -> None:
    result = env("postgresql:///test")
    assert (result["POSTGRES_HOST"], result["POSTGRES_USER"]) == ("127.0.0.1", "postgres")


def test_the_short_postgres_scheme_is_accepted_too() -> None:
    settings = Settings("postgres://postgres@127.0.0.1:5432/test?schema=s1")
    assert settings.is_postgres
    assert settings.eventsourcing_env()["POSTGRES_SCHEMA"] == "s1"


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root@127.0.0.1/ledger",
        "sqlite://ledger.db",
        "ledger.db",
        "",
        "http://127.0.0.1:8000/",
    ],
)
def test_an_unsupported_url_is_a_config_error_naming_the_url(url: str) -> None:
    with pytest.raises(ConfigError) as refused:
        env(url)
    assert repr(url) in str(refused.value)
    assert "sqlite:///" in str(refused.value)
    assert "postgresql://" in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@127.0.0.1:5432",
        "postgresql://postgres@127.0.0.1:5432/",
        "postgresql://postgres@127.0.0.1/?schema=s1",
    ],
)
def test_a_postgresql_url_without_a_database_name_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="数据库名") as refused:
        env(url)
    assert repr(url) in str(refused.value)


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres@127.0.0.1:54x2/test", "postgresql://postgres@127.0.0.1:99999/test"],
)
def test_a_postgresql_url_with_a_bad_port_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match=r"54x2|99999"):
        env(url)


def test_a_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


# --- where the URL comes from -------------------------------------------------------


def test_an_explicit_url_beats_the_environment_which_beats_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    assert Settings.from_env().database_url == DEFAULT_URL
    monkeypatch.setenv("LEDGER_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    assert Settings.from_env().database_url == "postgresql://postgres@127.0.0.1/test"
    assert Settings.from_env("sqlite:///other.db").database_url == "sqlite:///other.db"


def test_an_empty_environment_variable_falls_back_to_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", "")
    assert Settings.from_env().database_url == DEFAULT_URL


# --- the application starts on what the URL names -----------------------------------


def test_a_sqlite_file_url_starts_the_ledger_on_that_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ledger.db"
    path.parent.mkdir()
    app = Ledger(Settings(f"sqlite:///{path}"))
    try:
        assert type(app.recorder) is LedgerSQLiteRecorder
        assert app.recorder.events_table_name == "ledger_events"
        assert path.exists()
    finally:
        app.close()


def test_a_postgresql_url_starts_the_ledger_in_the_named_schema(pg_schema: str) -> None:
    app = Ledger(Settings(f"{PG_URL}?schema={pg_schema}"))
    try:
        assert type(app.recorder) is LedgerPostgresRecorder
        assert app.recorder.datastore.schema == pg_schema
        assert app.recorder.events_table_name == "ledger_events"
    finally:
        app.close()
