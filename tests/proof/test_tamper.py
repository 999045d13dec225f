"""Tampering with the database directly, by SQL, on SQLite and PostgreSQL: verify finds it.

Each test edits the tables as an intruder with database access would, then
runs ``ledger verify``'s function and checks the first problem's position.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ledger.application.ledger import Ledger
from ledger.infrastructure.integrity import entry_bytes, leaf_hash
from ledger.proof.audit import _context, verify_log
from ledger.proof.checkpoint import Checkpoint
from ledger.proof.keys import SigningKey, load_or_create
from ledger.proof.merkle import root
from ledger.proof.store import Location
from tests.proof.conftest import event_at, order_column, sign, sql, verify


def size_of(app: Ledger) -> int:
    return Location.of(app).open().size()


def changed(state: bytes) -> bytes:
    """The same bytes with one byte changed (a digit or letter in the middle)."""
    middle = len(state) // 2
    return state[:middle] + bytes([state[middle] ^ 0x01]) + state[middle + 1 :]


def set_state(app: Ledger, position: int, state: bytes) -> None:
    order = event_at(app, position)[0]
    column = order_column(app)
    sql(app, f"UPDATE {{schema}}ledger_events SET state = ? WHERE {column} = ?", (state, order))


def rewrite_with_leaf(app: Ledger, position: int) -> None:
    """Change an event and rewrite its entry and leaf hash to match: every row looks sound."""
    from eventsourcing.persistence import StoredEvent

    _, originator_id, version, topic, state = event_at(app, position)
    new_state = changed(bytes(state))
    set_state(app, position, new_state)
    entry = entry_bytes(StoredEvent(_uuid(originator_id), version, topic, new_state))
    sql(
        app,
        "UPDATE {schema}ledger_integrity SET entry = ?, leaf_hash = ? WHERE seq = ?",
        (entry, leaf_hash(entry), position),
    )


def _uuid(value: object) -> object:
    from uuid import UUID

    return value if isinstance(value, UUID) else UUID(str(value))


def test_an_untouched_ledger_verifies_with_two_checkpoints(filled: Ledger, key: SigningKey) -> None:
    early, now = sign(filled, key, 100), sign(filled, key)
    verdict = verify(filled, key, early, now)
    assert verdict.ok, verdict.problems
    assert len(verdict.checked) == 2 and verdict.size == verdict.events > 300


def test_one_changed_byte_in_an_event_is_found_at_its_position(filled: Ledger) -> None:
    set_state(filled, 150, changed(bytes(event_at(filled, 150)[4])))
    first = verify(filled).first
    assert first is not None and first.seq == 150 and "内容与条目不符" in first.message


def test_one_changed_byte_in_an_entry_is_found_by_its_leaf_hash(filled: Ledger) -> None:
    (entry,) = sql(filled, "SELECT entry FROM {schema}ledger_integrity WHERE seq = 42")[0]
    sql(
        filled,
        "UPDATE {schema}ledger_integrity SET entry = ? WHERE seq = 42",
        (changed(bytes(entry)),),
    )
    first = verify(filled).first
    assert first is not None and first.seq == 42 and "叶子哈希" in first.message


def test_a_deleted_event_is_found_at_its_position(filled: Ledger) -> None:
    order = event_at(filled, 120)[0]
    column = order_column(filled)
    sql(filled, f"DELETE FROM {{schema}}ledger_events WHERE {column} = ?", (order,))
    first = verify(filled).first
    assert first is not None and first.seq == 120


def test_a_deleted_entry_breaks_the_dense_sequence_at_its_position(filled: Ledger) -> None:
    sql(filled, "DELETE FROM {schema}ledger_integrity WHERE seq = 77")
    first = verify(filled).first
    assert first is not None and first.seq == 77 and "序号不连续" in first.message


def test_an_inserted_event_without_an_entry_is_found_after_the_log(filled: Ledger) -> None:
    size = size_of(filled)
    _, originator_id, _, topic, state = event_at(filled, 5)
    sql(
        filled,
        "INSERT INTO {schema}ledger_events (originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?)",
        (originator_id, 9999, topic, state),
    )
    first = verify(filled).first
    assert first is not None and first.seq == size + 1 and "没有完整性条目" in first.message


def test_an_entry_inserted_in_the_middle_is_found_at_its_position(filled: Ledger) -> None:
    sql(filled, "UPDATE {schema}ledger_integrity SET seq = -seq WHERE seq >= 200")
    sql(filled, "UPDATE {schema}ledger_integrity SET seq = 1 - seq WHERE seq < 0")
    (leaf, entry) = sql(
        filled, "SELECT leaf_hash, entry FROM {schema}ledger_integrity WHERE seq = 5"
    )[0]
    sql(filled, "INSERT INTO {schema}ledger_integrity VALUES (200, ?, ?)", (leaf, entry))
    first = verify(filled).first
    assert first is not None and first.seq == 200 and "条目记的是事件" in first.message


def test_two_swapped_events_are_found_at_the_first_of_them(filled: Ledger) -> None:
    a, b = event_at(filled, 50)[4], event_at(filled, 60)[4]
    set_state(filled, 50, bytes(b))
    set_state(filled, 60, bytes(a))
    first = verify(filled).first
    assert first is not None and first.seq == 50


def test_a_tail_truncated_below_a_checkpoint_is_found_only_against_it(
    filled: Ledger, key: SigningKey
) -> None:
    size = size_of(filled)
    note = sign(filled, key)
    cut = event_at(filled, size - 9)[0]
    column = order_column(filled)
    sql(filled, f"DELETE FROM {{schema}}ledger_events WHERE {column} >= ?", (cut,))
    sql(filled, "DELETE FROM {schema}ledger_integrity WHERE seq >= ?", (size - 9,))
    assert verify(filled).ok  # a shorter log is consistent in itself
    first = verify(filled, key, note).first
    assert first is not None and first.seq == size - 9 and "截断" in first.message


def test_an_event_rewritten_with_its_leaf_hash_is_found_only_against_a_checkpoint(
    filled: Ledger, key: SigningKey
) -> None:
    note = sign(filled, key)
    rewrite_with_leaf(filled, 222)
    assert verify(filled).ok  # every row is consistent in itself
    first = verify(filled, key, note).first
    assert first is not None and first.seq == 222 and "改写" in first.message


def test_without_the_cache_a_rewrite_is_narrowed_to_between_two_checkpoints(
    filled: Ledger, key: SigningKey
) -> None:
    early, now = sign(filled, key, 100), sign(filled, key)
    rewrite_with_leaf(filled, 222)
    sql(filled, "DROP TABLE {schema}ledger_merkle_tiles")
    verdict = verify(filled, key, early, now)
    assert verdict.first is not None and verdict.first.seq == 101
    assert f"第 101–{size_of(filled)} 条" in verdict.first.message
    assert len(verdict.checked) == 1  # the early checkpoint still holds


def test_a_log_rewritten_and_signed_with_a_new_key_fails_against_the_old_checkpoint(
    filled: Ledger, key: SigningKey, tmp_path: Path
) -> None:
    old_note = sign(filled, key)
    rewrite_with_leaf(filled, 180)
    intruder = load_or_create(tmp_path / "intruder.signing-key", key.name)
    # The intruder hashes the stored leaves himself (``ledger checkpoint`` would
    # extend its cached tree, which still holds the old hashes) and signs.
    store = Location.of(filled).open()
    new_root = root(store.leaves(1, store.size()))
    new_note = Checkpoint(key.name, store.size(), new_root).sign(intruder)
    assert verify(filled, intruder, new_note).ok  # with only the new key nothing shows
    first = verify(filled, key, old_note).first
    assert first is not None and first.seq == 180
    assert "签名" in str(verify(filled, intruder, old_note).first)


def test_a_thorough_intruder_who_also_rebuilds_the_cache_is_still_caught(
    filled: Ledger, key: SigningKey, tmp_path: Path
) -> None:
    old_note = sign(filled, key)
    rewrite_with_leaf(filled, 180)
    sql(filled, "DELETE FROM {schema}ledger_merkle_tiles")
    intruder = load_or_create(tmp_path / "intruder.signing-key", key.name)
    sign(filled, intruder)  # the cache now holds the rewritten log's hashes
    first = verify(filled, key, old_note).first
    assert first is not None and first.seq == 1 and "根哈希与检查点不符" in first.message


def test_worker_processes_find_what_one_process_finds(filled: Ledger, key: SigningKey) -> None:
    location = Location.of(filled)
    early, now = sign(filled, key, 100), sign(filled, key)
    clean = verify_log(location, [early, now], key.verifier, workers=2, chunk_level=8)
    assert clean.ok and len(clean.checked) == 2
    set_state(filled, 280, changed(bytes(event_at(filled, 280)[4])))
    set_state(filled, 90, changed(bytes(event_at(filled, 90)[4])))
    parallel = verify_log(location, [now], key.verifier, workers=2, chunk_level=8)
    assert [p.seq for p in parallel.problems] == [p.seq for p in verify(filled).problems]
    assert [p.seq for p in parallel.problems] == [90, 280]


def test_workers_beside_other_threads_are_spawned_and_find_the_same(filled: Ledger) -> None:
    # A server runs threads: forking it could copy a lock another thread holds.
    location = Location.of(filled)
    set_state(filled, 90, changed(bytes(event_at(filled, 90)[4])))
    forked = verify_log(location, workers=2, chunk_level=8)
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert _context().get_start_method() == "spawn"
        spawned = verify_log(location, workers=2, chunk_level=8)
    finally:
        stop.set()
        waiting.join()
    assert [p.seq for p in spawned.problems] == [p.seq for p in forked.problems] == [90]
    assert spawned.problems[0].message == forked.problems[0].message
