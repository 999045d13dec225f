"""Dependencies of the routes: the application, the read models, the caller, the headers.

The actor is returned to the route and passed on explicitly; nothing about
the caller lives in a context variable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.application import core
from ledger.application.core import BUSY
from ledger.application.ledger import Ledger
from ledger.domain.errors import PermissionDenied
from ledger.domain.values import BEIJING, Actor, Role
from ledger.infrastructure.credentials import Credentials, Unauthenticated
from ledger.infrastructure.outage import Unavailable
from ledger.projections.queries import ReadModels, When

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="ledger token issue 签发的令牌")

# Dependencies are coroutines: FastAPI runs a plain function in its thread pool,
# a hop per dependency per request, where a coroutine runs in place. The only
# one that touches the database, the token check, is one primary-key lookup
# through the driver (credentials.py), tens of microseconds.


async def _ledger(request: Request) -> Ledger:
    return request.app.state.ledger  # type: ignore[no-any-return]


async def _reads(request: Request) -> ReadModels:
    return request.app.state.reads


class Writer:
    """The one thread of this process that runs commands.

    Commands in one process take turns anyway (the application's lock: one
    writer at a time), so they get one thread of their own instead of a
    thread each from the pool: queued, they wait without contending for the
    lock and the interpreter, and the event loop stays free for reads.
    """

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` in its turn. A command that waited longer than the core lets
        one wait for its turn is refused unrun (503, retry with the same key), as
        it would be waiting for the application's lock."""
        queued = time.monotonic()

        def turn() -> T:
            if time.monotonic() - queued > core.TURN_TIMEOUT:
                raise Unavailable(BUSY)
            return work()

        return await asyncio.get_running_loop().run_in_executor(self.pool, turn)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


async def _writer(request: Request) -> Writer:
    return request.app.state.writer  # type: ignore[no-any-return]


async def _actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None:
        raise Unauthenticated("缺少令牌:请在 Authorization 头中提供 Bearer 令牌")
    store: Credentials = request.app.state.credentials
    return store.authenticate(credentials.credentials)


async def _when(
    as_of: Annotated[
        date | None, Query(description="生效日期:按此日已生效的事件作答(YYYY-MM-DD)")
    ] = None,
    known_at: Annotated[
        datetime | None,
        Query(description="记录时刻:只计此时刻前已记录的事件(ISO 时间;无时区按北京时间)"),
    ] = None,
) -> When:
    return When.of(as_of, in_beijing(known_at))


def in_beijing(moment: datetime | None) -> datetime | None:
    """A time given without a zone is Beijing time (as the console and the CLI take it)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment


@dataclass(frozen=True)
class Writing:
    """Write-safety headers of a command."""

    idempotency_key: str | None
    if_match: str | None


async def _writing(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="重试同一命令时带同一键:返回首次结果,不再写入",
        ),
    ] = None,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=40, description="期望的版本(ETag),不符则 412"),
    ] = None,
) -> Writing:
    return Writing(idempotency_key, if_match)


LedgerDep = Annotated[Ledger, Depends(_ledger)]
ReadsDep = Annotated[ReadModels, Depends(_reads)]
ActorDep = Annotated[Actor, Depends(_actor)]
WhenDep = Annotated[When, Depends(_when)]
WritingDep = Annotated[Writing, Depends(_writing)]
WriterDep = Annotated[Writer, Depends(_writer)]


def own_unit(actor: Actor, unit_id: UUID | None) -> UUID | None:
    """The unit a list is limited to: a responsible unit sees only its own."""
    if actor.role is not Role.RESPONSIBLE_UNIT:
        return unit_id
    if unit_id is not None and unit_id != actor.unit:
        raise PermissionDenied("责任单位只能查看本单位的问题", field="unit_id")
    return actor.unit


def not_a_unit(actor: Actor, what: str) -> None:
    """Registers and rollups across units are not for a responsible unit."""
    if actor.role is Role.RESPONSIBLE_UNIT:
        raise PermissionDenied(f"责任单位无权查看{what}", field="role")
