"""The served protocol sends each answer in one write, and a long stream as it comes."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ledger.api import serving
from ledger.api.serving import JoinedWrites


class Recording:
    """The part of a transport ``JoinedWrites`` writes to, keeping what was written."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run on a loop of its own, in a thread of its own: the browser tests leave a loop
    running in this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_the_writes_of_one_turn_go_out_as_one_at_its_end() -> None:
    async def answer(transport: Recording) -> list[bytes]:
        joined = JoinedWrites(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        joined.write(b"{}")
        assert transport.writes == []  # held back until the turn ends
        assert joined.get_write_buffer_size() == 40
        await asyncio.sleep(0)
        return transport.writes

    writes = run(answer(Recording()))
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]


def test_a_long_stream_is_sent_as_it_grows_and_everything_before_a_close() -> None:
    async def stream(transport: Recording) -> None:
        joined = JoinedWrites(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        chunk = b"x" * 10_000
        for _ in range(20):
            joined.write(chunk)
        assert len(transport.writes) == 2  # every 64 KB, without waiting for the turn
        assert [len(w) for w in transport.writes] == [70_000, 70_000]
        assert 70_000 - 10_000 < serving.LARGE <= 70_000
        joined.write(b"end")
        joined.close()
        assert transport.closed
        assert b"".join(transport.writes) == chunk * 20 + b"end"
        assert joined.get_extra_info("peername") == "extra peername"  # the rest passes through

    run(stream(Recording()))
