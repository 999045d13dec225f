"""What every request must read fresh, read once for all requests of a loop turn.

Each request needs two numbers from the database: the read models' position
(a kept answer is right only at the position it was computed at, memo.py)
and the revocation count of the tokens (a token read before is still good
only if no token was revoked since, credentials.py). Asked separately, on
PostgreSQL, they were two round trips per request on the event loop, and the
counts answered at 0.47× the rate of a trivial endpoint.

Here they are one statement, and one reading serves every request that is
waiting for it. The first request of a turn of the event loop schedules the
reading at the end of the turn (``call_soon``); requests that arrive before
it runs join it. Every request is received before the reading that answers
it starts, so it sees every command acknowledged before it arrived, from any
process: read-your-writes holds, and a token revoked before the request
arrived is refused. Under load a turn holds many requests, and the round trip
is paid once for all of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine

from ledger.infrastructure.credentials import REVISION
from ledger.infrastructure.lookup import Lookup, qualify
from ledger.projections.memo import TRACKED


@dataclass(frozen=True)
class Beat:
    """The two numbers, read after the requests they answer arrived."""

    position: int
    revision: int


class Pulse:
    """Reads :class:`Beat` once per loop turn for all requests waiting on it."""

    def __init__(self, engine: Engine) -> None:
        self._lookup = Lookup(
            engine,
            f"SELECT (SELECT position FROM {{rm_tracking}} WHERE name = '{TRACKED}'), "
            f"(SELECT revision FROM {{{REVISION.name}}} WHERE id = 1)",
            "rm_tracking",
            REVISION.name,
        )
        self._waiting: dict[asyncio.AbstractEventLoop, list[asyncio.Future[Beat]]] = {}
        # The revocation count alone, for the writer's look at the log (deps.Writer).
        self.revision_sql = qualify(
            engine, f"SELECT revision FROM {{{REVISION.name}}} WHERE id = 1", REVISION.name
        )

    async def beat(self) -> Beat:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Beat] = loop.create_future()
        waiting = self._waiting.get(loop)
        if waiting is None:
            self._waiting[loop] = [future]
            loop.call_soon(self._read, loop)
        else:
            waiting.append(future)
        return await future

    def read(self) -> Beat:
        """Read the numbers now (blocking)."""
        row = self._lookup.one()
        position, revision = row if row is not None else (None, None)
        return Beat(int(position or 0), int(revision or 0))

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        waiting = self._waiting.pop(loop, [])
        try:
            beat = self.read()
        except Exception as error:  # each request answers it (503 for an outage)
            for future in waiting:
                if not future.done():
                    future.set_exception(error)
            return
        for future in waiting:
            if not future.done():  # not cancelled: its client is still there
                future.set_result(beat)
