"""The aggregate cache: lent, never copied, and never trusted blindly.

Two application instances on one database stand for two processes: one
instance's cache goes stale when the other writes.
"""

from __future__ import annotations

import pytest

from ledger.application.context import CommandContext
from ledger.application.ledger import Ledger
from ledger.config import Settings
from ledger.domain.errors import InvalidTransition
from ledger.domain.values import FindingStatus

SHARED = pytest.mark.parametrize("backend_url", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def other(backend_url):
    app = Ledger(Settings(backend_url))
    yield app
    app.close()


@SHARED
def test_a_command_on_a_stale_cached_finding_is_retried_on_fresh_state(
    ledger, other, office, world
):
    other.report_progress(office, world.finding, narrative="B 缓存了该问题")
    ledger.report_progress(office, world.finding, narrative="A 写入,B 的缓存过期")
    receipt = other.report_progress(office, world.finding, narrative="B 再次写入")
    history = other.history(world.finding)
    assert receipt.version == history[-1].originator_version == len(history)
    assert [e.narrative for e in history[-3:]] == [
        "B 缓存了该问题",
        "A 写入,B 的缓存过期",
        "B 再次写入",
    ]


@SHARED
def test_a_refusal_decided_on_stale_cached_state_is_decided_again(ledger, other, office, world):
    other.claim_completion(office, world.finding, summary="B 申报,缓存为已申报")
    ledger.send_back(office, world.finding, ctx=CommandContext(reason="材料不足"))
    # On B's stale copy the finding is still claimed, so a claim would be refused.
    other.claim_completion(office, world.finding, summary="B 再次申报")
    assert other.get_finding(world.finding).status is FindingStatus.CLAIMED


@SHARED
def test_a_refusal_on_fresh_state_is_still_refused(ledger, other, office, world):
    other.report_progress(office, world.finding, narrative="B 缓存")
    ledger.claim_completion(office, world.finding, summary="A 申报")
    ledger.verify(office, world.finding)
    ledger.strike_off(office, world.finding)
    with pytest.raises(InvalidTransition):
        other.report_progress(office, world.finding, narrative="已销号,应拒绝")


def test_a_failed_save_leaves_no_half_applied_aggregate_in_the_cache(
    ledger, office, world, monkeypatch
):
    version = ledger.get_finding(world.finding).version
    real_save = ledger.save

    def crash(*aggregates, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(ledger, "save", crash)
    with pytest.raises(OSError):
        ledger.report_progress(office, world.finding, narrative="写入失败")
    monkeypatch.setattr(ledger, "save", real_save)
    receipt = ledger.report_progress(office, world.finding, narrative="重新写入")
    assert receipt.version == version + 1
    assert [e.narrative for e in ledger.history(world.finding)[-1:]] == ["重新写入"]


def test_get_finding_returns_a_private_copy(ledger, office, world):
    ledger.report_progress(office, world.finding, narrative="缓存")
    copy = ledger.get_finding(world.finding)
    copy.status = FindingStatus.STRUCK_OFF
    ledger.claim_completion(office, world.finding, summary="仍可申报")
    assert ledger.get_finding(world.finding).status is FindingStatus.CLAIMED


@SHARED
def test_a_batch_on_a_stale_cached_record_catches_it_up_and_commits(ledger, other, office, world):
    # In a batch (the API's group commit) a conflict found at the insert fails
    # the whole group; so a cached record is first caught up with what another
    # process wrote to it, and the batch commits on current state.
    other.report_progress(office, world.finding, narrative="B 缓存了该问题")
    ledger.report_progress(office, world.finding, narrative="A 写入,B 的缓存过期")
    with other.batch():
        receipt = other.report_progress(office, world.finding, narrative="B 批量写入")
    history = other.history(world.finding)
    assert receipt.version == history[-1].originator_version == len(history)
    assert [e.narrative for e in history[-3:]] == [
        "B 缓存了该问题",
        "A 写入,B 的缓存过期",
        "B 批量写入",
    ]


@SHARED
def test_one_look_at_the_log_per_transaction_keeps_what_nobody_else_changed(
    ledger, other, office, world, record_other_finding, monkeypatch
):
    second = record_other_finding()
    other.report_progress(office, world.finding, narrative="B 缓存了两个问题")
    other.report_progress(office, second, narrative="B 缓存了两个问题")
    kept = other._cache.peek(second)
    ledger.report_progress(office, world.finding, narrative="A 只改了第一个")
    looks = []
    real = other.recorder.changes_after
    monkeypatch.setattr(other.recorder, "changes_after", lambda *a: looks.append(a) or real(*a))
    with other.batch():
        first = other.report_progress(office, world.finding, narrative="B 批量写入一")
        other.report_progress(office, second, narrative="B 批量写入二")
        other.report_progress(office, second, narrative="B 批量写入三")
    assert len(looks) == 1  # one read of the log for the whole transaction
    assert other._cache.peek(second) is kept  # untouched elsewhere: still the cached object
    assert first.version == other.history(world.finding)[-1].originator_version
    assert [e.narrative for e in other.history(world.finding)[-2:]] == [
        "A 只改了第一个",
        "B 批量写入一",
    ]


@SHARED
def test_when_more_changed_elsewhere_than_a_look_reads_the_cache_is_dropped(
    ledger, other, office, world, record_other_finding, monkeypatch
):
    from ledger.application import core

    monkeypatch.setattr(core, "LOOK_LIMIT", 3)
    second = record_other_finding()
    other.report_progress(office, world.finding, narrative="B 缓存")
    other.report_progress(office, second, narrative="B 缓存")
    for n in range(3):  # more events than a look reads, none of them on `second`
        ledger.report_progress(office, world.finding, narrative=f"A 写入 {n}")
    with other.batch():
        receipt = other.report_progress(office, world.finding, narrative="B 批量写入")
    assert other._cache.peek(second) is None  # dropped with everything else
    history = other.history(world.finding)
    assert receipt.version == history[-1].originator_version == len(history)
    assert history[-2].narrative == "A 写入 2"


@SHARED
def test_a_statement_read_with_the_look_sees_what_was_committed_before_it(
    ledger, other, office, world, monkeypatch
):
    """``look_also``: its row comes with every look (the usual one, one after more
    changes than a look reads, and a batch's), as it stands at the start of the turn."""
    from ledger.application import core

    monkeypatch.setattr(core, "LOOK_LIMIT", 2)
    table = other.projector.db.qualified("look_also_probe")

    def set_probe(sql: str) -> None:
        with other.projector.db.engine.begin() as conn:
            conn.exec_driver_sql(sql)

    set_probe(f"CREATE TABLE {table} (n integer)")
    set_probe(f"INSERT INTO {table} VALUES (1)")
    ledger.look_also(f"SELECT n FROM {table}")
    ledger.report_progress(office, world.finding, narrative="第 1 次")
    seen = [ledger.also_seen]
    set_probe(f"UPDATE {table} SET n = 2")
    for n in range(3):  # more than a look reads: the look reads the newest id instead
        other.report_progress(office, world.finding, narrative=f"B 写入 {n}")
    ledger.report_progress(office, world.finding, narrative="第 2 次")
    seen.append(ledger.also_seen)
    set_probe(f"UPDATE {table} SET n = 3")
    with ledger.batch():
        seen.append(ledger.also_seen)
    assert seen == [(1,), (2,), (3,)]
