"""The HTTP protocol ``ledger serve`` runs: uvicorn's httptools one, each answer sent whole.

uvicorn writes an answer's status line and headers, then its body, as two
writes to the socket; uvloop makes each a ``send`` system call on the spot,
with the interpreter's lock held. On loopback a send also runs the receiving
side's TCP work, so the two calls were over a quarter of the event loop's
time under a stream of small answers (py-spy, commands at 8 clients). Here
the writes of one turn of the loop are joined and sent at the end of the
turn, one call per answer: the answer leaves no later than the turn in which
it was finished, and a streamed one still goes out as it is produced (at the
latest every 64 KB).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Bytes held back at most before they are sent without waiting for the turn's end.
LARGE = 64 * 1024


class JoinedWrites:
    """A transport whose writes within one turn of the loop go out as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= LARGE:  # a stream producing faster than the loop turns
            self.flush()

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._size

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class JoinedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a ``JoinedWrites`` transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        joined = JoinedWrites(transport, self.loop)
        super().connection_made(joined)  # type: ignore[arg-type]
