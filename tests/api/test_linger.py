"""In a stream of commands the writer waits a little for more; a lone command does not wait.

The groups are observed on the writer itself (``_together`` records each
group and answers it), with a long ``LINGER`` so that the timings have wide
margins on a busy machine.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ledger.api.deps import Writer


class Observed(Writer):
    LINGER = 0.5

    def __init__(self) -> None:
        self.groups: list[list[str]] = []
        super().__init__(None)

    def _together(self, group: list[Any]) -> bool:
        self.groups.append([job.work() for job in group])
        for job in group:
            job.settle(None)
        return True


def named(name: str, busy: float = 0.0) -> Any:
    def work() -> str:
        time.sleep(busy)
        return name

    return work


async def _later(writer: Writer, delay: float, work: Any) -> Any:
    await asyncio.sleep(delay)
    return await writer.run(work)


def stream(writer: Writer) -> None:
    """After an idle spell (so 1 does not wait), 1 keeps the thread busy (alone: it
    runs via ``job.run``, not ``_together``); 2 is waiting when it is done, and 3
    comes while a lingering thread would still wait for it."""
    time.sleep(0.6)

    async def commands() -> None:
        await asyncio.gather(
            writer.run(named("1", busy=0.3)),
            _later(writer, 0.05, named("2")),
            _later(writer, 0.45, named("3")),
        )

    asyncio.run(commands())


def test_a_stream_of_commands_waits_for_the_next_one_to_join_the_group() -> None:
    writer = Observed()
    try:
        stream(writer)
        assert writer.groups == [["2", "3"]]
    finally:
        writer.close()


def test_without_lingering_the_same_stream_commits_in_two_groups() -> None:
    writer = Observed()
    writer.LINGER = 0.0
    try:
        stream(writer)
        assert writer.groups == []  # 2 and 3 each ran alone
    finally:
        writer.close()


def test_a_command_after_an_idle_spell_does_not_wait() -> None:
    writer = Observed()
    try:
        time.sleep(0.6)  # longer than LINGER: the thread is idle

        async def one() -> float:
            began = time.monotonic()
            await writer.run(named("lone"))
            return time.monotonic() - began

        assert asyncio.run(one()) < 0.25
    finally:
        writer.close()
