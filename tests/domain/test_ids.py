"""New ids: version 4 UUIDs from pools of random bytes that no two threads or processes share."""

from __future__ import annotations

import os
import threading
import uuid
from uuid import UUID

from ledger.domain.ids import uuid4


def test_new_ids_are_version_4_uuids_and_never_repeat() -> None:
    made = [uuid4() for _ in range(10_000)]  # more than one pool's worth
    assert len(set(made)) == len(made)
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in made)
    assert all(UUID(str(u)) == u for u in made[:100])


def test_threads_draw_from_pools_of_their_own() -> None:
    made: list[list[UUID]] = [[], []]
    uuid4()  # this thread's pool is filled before the others start

    def draw(into: list[UUID]) -> None:
        into.extend(uuid4() for _ in range(5_000))

    threads = [threading.Thread(target=draw, args=(m,)) for m in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mine = [uuid4() for _ in range(5_000)]
    assert len({*made[0], *made[1], *mine}) == 15_000


def test_a_forked_child_does_not_hand_out_the_parents_next_ids() -> None:
    uuid4()  # the parent's pool is filled before the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, b"".join(uuid4().bytes for _ in range(3)))
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    data = os.read(read, 48)
    os.close(read)
    child = {UUID(bytes=data[i : i + 16]) for i in range(0, 48, 16)}
    parent = {uuid4() for _ in range(3)}
    assert len(child) == 3 and not child & parent
