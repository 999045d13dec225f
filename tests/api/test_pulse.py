"""The beat (api/pulse.py): one reading per loop turn, never older than the request.

Two servers on one database stand for two processes: what one acknowledges,
the other answers at once; a token revoked by another process (the real
``ledger token revoke`` command) is refused on the next request, though the
server had read and kept it.
"""

from __future__ import annotations

import asyncio

from ledger.api.pulse import Beat, Pulse
from tests.api.conftest import Server, revoke_elsewhere, start
from tests.api.loops import on_own_loop


def test_requests_of_one_turn_share_one_reading_and_later_ones_read_again(world) -> None:
    pulse: Pulse = world.server.app.state.pulse
    readings: list[Beat] = []
    plain = pulse.read

    def counted() -> Beat:
        readings.append(plain())
        return readings[-1]

    pulse.read = counted  # type: ignore[method-assign]

    async def turn(n: int) -> list[Beat]:
        return list(await asyncio.gather(*(pulse.beat() for _ in range(n))))

    first = on_own_loop(turn(20))
    assert len(readings) == 1 and set(first) == {readings[0]}
    before = first[0].position
    world.ledger.mark_long_term(world.actors["office"], world.finding, long_term=True)
    second = on_own_loop(turn(5))
    assert len(readings) == 2 and second[0].position > before
    assert second[0].revision == first[0].revision


def test_a_command_on_one_server_is_counted_at_once_by_another(server, world) -> None:
    other = start(server.database)
    second: Server = next(other)
    try:
        office = world.http["office"]
        reader = second.as_(world.actors["auditor"])
        path = f"/inspections/{world.inspection}"
        counted = [reader.get(path).json()["long_term"] for _ in range(3)]  # now kept
        assert counted == [0, 0, 0]
        for flag, expected in ((True, 1), (False, 0), (True, 1)):
            done = office.post(f"/findings/{world.finding}/long-term", json={"long_term": flag})
            assert done.status_code == 200, done.text
            assert reader.get(path).json()["long_term"] == expected
    finally:
        other.close()


def test_a_token_revoked_by_another_process_is_refused_on_the_next_request(server, world):
    token = server.token(world.actors["office"])
    kept = server.client(token)
    other = server.as_(world.actors["auditor"])
    for _ in range(3):  # read once, then answered from what the server keeps
        assert kept.get("/me").status_code == 200
    revoke_elsewhere(server.database, token)
    refused = kept.get("/me")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "令牌已吊销"
    assert other.get("/me").status_code == 200  # the other tokens are read again, still good
