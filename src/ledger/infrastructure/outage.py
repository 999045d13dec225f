"""When the database cannot take a request: which errors those are, and brief retries.

A command refused because the database is down, restarting, read-only or
full wrote nothing (the transaction rolled back), so the client may send it
again with the same idempotency key. The API answers these with 503 and a
``Retry-After``; every other database error stays a fault (500).

Errors arrive wrapped: eventsourcing turns driver errors into its own
classes (``raise OperationalError(...) from e``) and SQLAlchemy keeps the
driver's error in ``orig``; so the whole chain of causes is looked at.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, TypeVar

import psycopg
from eventsourcing.persistence import ConnectionUnavailableError
from psycopg_pool import PoolTimeout
from sqlalchemy import exc as sa

T = TypeVar("T")


class Outage(Enum):
    """Why the database cannot take the request just now."""

    UNAVAILABLE = "database_unavailable"  # unreachable, restarting, or no connection free
    READ_ONLY = "database_read_only"  # read-only, or this account may not write
    FULL = "database_full"  # out of disk space

    @property
    def message(self) -> str:
        return _MESSAGES[self]

    @property
    def retry_after(self) -> int:
        """Seconds a client should wait before trying again."""
        return 2 if self is Outage.UNAVAILABLE else 60


_MESSAGES = {
    Outage.UNAVAILABLE: "数据库暂时不可用(连接中断、正在重启或连接繁忙),本次操作未执行;"
    "请稍后用同一 Idempotency-Key 重试",
    Outage.READ_ONLY: "数据库当前只读(或本服务无写入权限),命令未执行;查询不受影响",
    Outage.FULL: "数据库存储空间已满,命令未执行;请联系管理员清理空间后重试",
}


class Unavailable(Exception):
    """The server could not start the command in time (the database is not answering)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# SQLite primary result codes (the low byte of the extended code).
_SQLITE = {
    sqlite3.SQLITE_READONLY: Outage.READ_ONLY,
    sqlite3.SQLITE_FULL: Outage.FULL,
    sqlite3.SQLITE_BUSY: Outage.UNAVAILABLE,
    sqlite3.SQLITE_LOCKED: Outage.UNAVAILABLE,
    sqlite3.SQLITE_IOERR: Outage.UNAVAILABLE,
    sqlite3.SQLITE_CANTOPEN: Outage.UNAVAILABLE,
}
# PostgreSQL SQLSTATEs that are not OperationalError but still mean "cannot write now".
_SQLSTATE = {
    "25006": Outage.READ_ONLY,  # read_only_sql_transaction (also a hot standby)
    "42501": Outage.READ_ONLY,  # insufficient_privilege: an account with SELECT only
    "53100": Outage.FULL,  # disk_full
}


def outage_of(error: BaseException) -> Outage | None:
    """The outage an error stands for, or None when it is a fault of ours."""
    for link in _chain(error):
        found = _one(link)
        if found is not None:
            return found
    return None


def _one(error: BaseException) -> Outage | None:
    if isinstance(error, psycopg.Error):
        known = _SQLSTATE.get(error.sqlstate or "")
        if known is not None:
            return known
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return Outage.UNAVAILABLE
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return None if code is None else _SQLITE.get(code & 0xFF)
    if isinstance(error, sa.TimeoutError | ConnectionUnavailableError | Unavailable):
        return Outage.UNAVAILABLE
    return None


def _no_connection(error: BaseException) -> bool:
    """Whether the pool could not even get a connection (it waited its full timeout)."""
    return any(isinstance(link, PoolTimeout) for link in _chain(error))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        orig = getattr(link, "orig", None)  # SQLAlchemy's wrapper
        link = orig if isinstance(orig, BaseException) else (link.__cause__ or link.__context__)


class Patience:
    """Retry a database call for a few seconds while the database is unreachable.

    A PostgreSQL restart takes about a second; a command that meets it waits
    and succeeds. Past ``seconds`` the error goes to the client (503). Calls
    made shortly after one gave up try once only, so requests queued behind
    an outage are answered promptly instead of each waiting out the budget.
    Read-only, full and every other error are not retried.
    """

    def __init__(
        self,
        seconds: float = 5.0,
        pause: float = 0.25,
        purge: Callable[[], None] | None = None,
    ) -> None:
        self.seconds = seconds
        self.pause = pause
        # Called after a failure: drop the pool's dead connections, so that the
        # next attempt gets a live one instead of the next dead one.
        self.purge = purge
        self._gave_up = -1e9
        self._lock = threading.Lock()

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        started = time.monotonic()
        budget = 0.0 if started - self._gave_up < self.seconds else self.seconds
        retried_at_once = False
        while True:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                if outage_of(error) is not Outage.UNAVAILABLE:
                    raise
                self._purge()
                if not retried_at_once and not _no_connection(error):
                    # A connection the database closed while it sat in the pool (a
                    # restart): the purged pool's next one may well be live.
                    retried_at_once = True
                    continue
                if time.monotonic() + self.pause - started > budget:
                    with self._lock:
                        self._gave_up = time.monotonic()
                    raise
                time.sleep(self.pause)

    def _purge(self) -> None:
        if self.purge is not None:
            with contextlib.suppress(Exception):  # the next attempt will tell
                self.purge()
