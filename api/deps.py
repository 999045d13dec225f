"""Dependencies of the routes: the application, the read models, the caller, the headers.

The actor is returned to the route and passed on explicitly; nothing about
the caller lives in a context variable.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.application import core
from ledger.application.core import BUSY
from ledger.application.ledger import Ledger
from ledger.domain.errors import PermissionDenied
from ledger.domain.values import BEIJING, Actor, Role
from ledger.infrastructure.credentials import Credentials, Unauthenticated
from ledger.infrastructure.outage import Unavailable, outage_of
from ledger.projections.queries import ReadModels, When

from .pulse import Beat, Pulse

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="ledger token issue 签发的令牌")

# Dependencies are coroutines: FastAPI runs a plain function in its thread pool,
# a hop per dependency per request, where a coroutine runs in place. The only
# one that touches the database is the beat (pulse.py): one statement per turn
# of the event loop for all requests of that turn; the token check then reads a
# token's row only the first time it is seen, or after a revocation.


async def _ledger(request: Request) -> Ledger:
    return request.app.state.ledger  # type: ignore[no-any-return]


async def _reads(request: Request) -> ReadModels:
    return request.app.state.reads


class Writer:
    """The one thread of this process that runs commands, committing queued ones together.

    Commands in one process take turns anyway (the application's lock: one
    writer at a time), so they get one thread of their own instead of a
    thread each from the pool: queued, they wait without contending for the
    lock and the interpreter, and the event loop stays free for reads.

    Group commit: the commands already waiting when the thread turns to the
    queue (never more than ``GROUP``; in a stream of commands a group smaller
    than ``SMALL`` waits up to ``LINGER`` for more) run
    in one transaction, ``Ledger.batch``: one commit, one fsync, for all of
    them, and each answer is sent only once that commit is done. If any of
    them is refused, or the commit fails, nothing of the group was written
    and each runs again alone, so every request gets exactly the answer it
    would have had alone; a database outage is answered at once instead.
    """

    GROUP = 32
    # Seconds the thread waits for more commands when they come as a stream (the
    # next one was already waiting when it finished a group): with several server
    # processes each one sees only a few clients, and groups of one or two paid
    # a transaction's fixed cost per command. A command that finds the thread
    # free does not wait. Overridden by the environment variable
    # LEDGER_GROUP_LINGER_MS (0: never wait).
    LINGER = float(os.environ.get("LEDGER_GROUP_LINGER_MS", "2")) / 1000
    # A group this large already shares the transaction's cost well: no waiting.
    SMALL = 4

    def __init__(
        self,
        ledger: Ledger | None = None,
        credentials: Credentials | None = None,
        revision: Callable[[], int] | None = None,
    ) -> None:
        self.ledger = ledger
        # For ``run_as``: the tokens, and how to read their revocation count now.
        self.credentials = credentials
        self.revision = revision
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name="ledger-writer", daemon=True)
        self.thread.start()

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` in its turn. A command that waited longer than the core lets
        one wait for its turn is refused unrun (503, retry with the same key), as
        it would be waiting for the application's lock."""
        loop = asyncio.get_running_loop()
        job = _Job(work, loop.create_future(), loop, time.monotonic())
        self.jobs.put(job)
        return await job.future  # type: ignore[no-any-return]

    async def run_as(self, token: str, work: Callable[[Actor], T]) -> T:
        """``run(work)`` for the caller of ``token``, checked in the writer's turn.

        The revocation count the check needs is read by this thread after every
        command of the group arrived: with the group's look at the log, in the
        same round trip (``Ledger.look_also``), or, for a command alone, once
        for it. A token revoked before a command arrived is refused, as with
        the beat (pulse.py); but the beat cost a round trip per loop turn of the
        event loop, which with several server processes was about one per command.
        """
        loop = asyncio.get_running_loop()
        job = _Job(work, loop.create_future(), loop, time.monotonic(), token)
        self.jobs.put(job)
        return await job.future  # type: ignore[no-any-return]

    def close(self) -> None:
        self.jobs.put(None)
        self.thread.join()

    def _serve(self) -> None:
        while True:
            # A command already waiting as the last group ends: they come faster than
            # they commit, so wait a little for more. (A client sending one command
            # after another never finds one waiting, and never waits.)
            stream = not self.jobs.empty()
            if (first := self.jobs.get()) is None:
                return
            group, stop = [first], False
            start = time.monotonic()
            until = start + self.LINGER if stream else start
            while len(group) < self.GROUP:
                try:
                    left = until - time.monotonic() if len(group) < self.SMALL else 0
                    job = self.jobs.get(timeout=left) if left > 0 else self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                group.append(job)
            ready = [job for job in group if not job.expired()]
            if len(ready) < 2 or not self._together(ready):
                # Alone: the tokens not checked yet share one reading of the count.
                for job in self._authenticated([job for job in ready if not job.answered]):
                    if not job.expired():
                        job.run()
            if stop:
                return

    def _authenticated(self, group: list[_Job]) -> list[_Job]:
        """The jobs whose caller's token holds, each given its actor; the others are
        answered now (401, or 503 if the count or a token cannot be read)."""
        if all(job.token is None for job in group):
            return group
        assert self.revision is not None
        try:
            revision = self.revision()
        except Exception as error:  # no database: each of them is answered with it
            for job in group:
                if job.token is not None:
                    job.settle(error=error)
            return [job for job in group if job.token is None]
        return [job for job in group if job.token is None or self._bind(job, revision)]

    def _bind(self, job: _Job, revision: int) -> bool:
        """Give the job its caller, or answer it (False) if the token does not hold."""
        assert self.credentials is not None and job.token is not None
        try:
            actor = self.credentials.authenticate(job.token, revision)
        except Exception as error:
            job.settle(error=error)
            return False
        job.work, job.token = partial(job.work, actor), None
        return True

    def _seen_revision(self) -> int:
        """The revocation count read with this turn's look at the log (``look_also``),
        or read now if the ledger was not asked to read it."""
        assert self.ledger is not None and self.revision is not None
        seen = self.ledger.also_seen
        if seen is None or seen[0] is None:
            return self.revision()
        return int(seen[0])

    def _together(self, group: list[_Job]) -> bool:
        """Run the group in one transaction; False if it wrote nothing (then each runs
        alone). The tokens are checked in the group's turn, with the count its look
        read: no round trip of their own."""
        if self.ledger is None:
            return False
        results = []
        try:
            with self.ledger.batch():
                revision = None
                for job in group:
                    if job.token is not None:
                        if revision is None:
                            revision = self._seen_revision()
                        if not self._bind(job, revision):
                            continue  # answered: the others go on without it
                    results.append((job, job.work()))
        except BaseException as error:
            # A refusal or a conflict: each runs alone. No turn in time, no database
            # (alone, each would wait and fail again) or no interpreter: all answered now.
            plain = isinstance(error, Exception) and not isinstance(error, Unavailable)
            if plain and outage_of(error) is None:
                return False
            for job in group:
                if not job.answered:
                    job.settle(error=error)
            return True
        for job, result in results:
            job.settle(result)
        return True


@dataclass(eq=False)
class _Job:
    """One command waiting for the writer thread, and where its answer goes."""

    work: Callable[..., Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    queued: float
    token: str | None = None  # ``run_as``: the work takes the token's actor first
    answered: bool = False

    def expired(self) -> bool:
        if time.monotonic() - self.queued <= core.TURN_TIMEOUT:
            return False
        self.settle(error=Unavailable(BUSY))
        return True

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as error:  # the request's own answer (its error page)
            self.settle(error=error)
        else:
            self.settle(result)

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        self.answered = True
        self.loop.call_soon_threadsafe(self._set, result, error)

    def _set(self, result: Any, error: BaseException | None) -> None:
        if self.future.done():  # the client went away and the request was cancelled
            return
        if error is not None:
            self.future.set_exception(error)
        else:
            self.future.set_result(result)


async def _writer(request: Request) -> Writer:
    return request.app.state.writer  # type: ignore[no-any-return]


async def _beat(request: Request) -> Beat:
    pulse: Pulse = request.app.state.pulse
    return await pulse.beat()


async def _actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    beat: Annotated[Beat, Depends(_beat)],
) -> Actor:
    if credentials is None:
        raise Unauthenticated("缺少令牌:请在 Authorization 头中提供 Bearer 令牌")
    store: Credentials = request.app.state.credentials
    return store.authenticate(credentials.credentials, beat.revision)


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
BeatDep = Annotated[Beat, Depends(_beat)]
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
