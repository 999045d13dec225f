"""In a stream of commands the writer waits a little for more; a command that finds it free
does not wait.

The groups are observed on the writer itself (``_together`` records each
group and answers it), with a long ``LINGER`` so that the timings have wide
margins on a busy machine.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ledger.api.deps import Writer
from tests.api.loops import on_own_loop


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
    """1 finds the thread free and keeps it busy (alone: it runs via ``job.run``,
    not ``_together``); 2 is waiting when it is done, and 3 comes while a
    lingering thread would still wait for it."""

    async def commands() -> None:
        await asyncio.gather(
            writer.run(named("1", busy=0.3)),
            _later(writer, 0.05, named("2")),
            _later(writer, 0.45, named("3")),
        )

    on_own_loop(commands())


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


def test_commands_sent_one_after_another_never_wait() -> None:
    writer = Observed()
    try:

        async def one_by_one() -> float:
            began = time.monotonic()
            for n in range(3):  # each sent once the one before is answered
                await writer.run(named(str(n)))
            return time.monotonic() - began

        assert on_own_loop(one_by_one()) < 0.4  # lingering once would take 0.5 s
        assert writer.groups == []
    finally:
        writer.close()
