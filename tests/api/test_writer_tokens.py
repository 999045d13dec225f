"""Commands have their token checked by the writer thread (``Writer.run_as``).

The revocation count is read once per group of commands, after all of them
arrived; a token revoked by another process before a command arrived is
refused, and the refused command writes nothing.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ledger.api.deps import Writer
from ledger.domain.values import Actor
from ledger.infrastructure.credentials import Unauthenticated
from tests.api.conftest import revoke_elsewhere
from tests.api.loops import on_own_loop


def test_a_command_with_a_token_another_process_revoked_is_refused_and_writes_nothing(
    server, world
) -> None:
    token = server.token(world.actors["office"])
    office = server.client(token)
    path = f"/findings/{world.finding}/long-term"
    for flag in (True, False):  # the token is read once, then kept by the server
        assert office.post(path, json={"long_term": flag}).status_code == 200
    revoke_elsewhere(server.database, token)
    head = world.ledger.recorder.max_notification_id()
    refused = office.post(path, json={"long_term": True})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "令牌已吊销"
    assert world.ledger.recorder.max_notification_id() == head
    other = world.http["office"]  # another token of the same role still writes
    assert other.post(path, json={"long_term": True}).status_code == 200


def _whose(actor: Actor) -> str:
    return actor.name


def _queued_behind_one(writer: Writer, tokens: list[str]) -> list[Any]:
    """The answers to ``tokens``' commands, all queued while the writer was busy, so
    that they form one group."""
    gate = threading.Event()

    def held() -> str:
        gate.wait(10)
        return "held"

    async def commands() -> list[Any]:
        first = asyncio.ensure_future(writer.run(held))
        await asyncio.sleep(0.05)
        rest = [asyncio.ensure_future(writer.run_as(t, _whose)) for t in tokens]
        await asyncio.sleep(0.05)
        gate.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    try:
        answers = on_own_loop(commands())
    finally:
        writer.close()
    assert answers[0] == "held"
    return answers[1:]


def _counted(server: Any, readings: list[int]) -> Any:
    def revision() -> int:
        readings.append(server.app.state.pulse.read().revision)
        return readings[-1]

    return revision


def test_commands_alone_share_one_reading_of_the_count_and_only_the_bad_token_is_refused(
    server, world
) -> None:
    readings: list[int] = []
    # Without a ledger the writer runs every command alone (``_together`` declines).
    writer = Writer(None, server.app.state.credentials, _counted(server, readings))
    good = server.token(world.actors["office"])
    answers = _queued_behind_one(writer, [good, good, "lg_0000000000000000_nothing", good])
    name = world.actors["office"].name
    assert answers[:2] == [name, name] and answers[3] == name
    assert isinstance(answers[2], Unauthenticated)
    assert len(readings) == 1  # one reading for the four


def test_a_group_checks_its_tokens_with_the_count_its_look_read(server, world) -> None:
    """No reading of its own: the count comes with the look at the log that starts
    the group's transaction; a token revoked by another process before is refused."""
    readings: list[int] = []
    ledger = server.app.state.ledger
    writer = Writer(ledger, server.app.state.credentials, _counted(server, readings))
    good, revoked = server.token(world.actors["office"]), server.token(world.actors["office"])
    assert server.client(revoked).get("/me").status_code == 200  # read and kept
    revoke_elsewhere(server.database, revoked)
    answers = _queued_behind_one(writer, [good, revoked, good])
    name = world.actors["office"].name
    assert answers[0] == name and answers[2] == name
    assert isinstance(answers[1], Unauthenticated) and str(answers[1]) == "令牌已吊销"
    assert readings == []
    assert ledger.also_seen is not None
