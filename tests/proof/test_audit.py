"""``verify_log`` on every back end: empty logs, checkpoints it must refuse, the memory ledger."""

from __future__ import annotations

import pytest

from ledger.application.ledger import Ledger
from ledger.proof.audit import verify_log
from ledger.proof.checkpoint import Checkpoint
from ledger.proof.keys import SigningKey
from ledger.proof.merkle import EMPTY_ROOT
from ledger.proof.store import Location
from tests.proof.conftest import fill, sign, verify


def test_an_empty_ledger_verifies_and_so_does_its_empty_checkpoint(
    ledger: Ledger, key: SigningKey
) -> None:
    note = Checkpoint(key.name, 0, EMPTY_ROOT).sign(key)
    verdict = verify(ledger, key, note)
    assert verdict.ok and verdict.size == 0 and len(verdict.checked) == 1


def test_a_small_ledger_verifies_on_every_back_end_with_a_checkpoint(
    ledger: Ledger, key: SigningKey
) -> None:
    fill(ledger, reports=20)
    verdict = verify(ledger, key, sign(ledger, key))
    assert verdict.ok and verdict.size == verdict.events == 27


def test_a_checkpoint_without_a_public_key_is_a_failure_not_a_pass(
    ledger: Ledger, key: SigningKey
) -> None:
    fill(ledger, reports=2)
    verdict = verify_log(Location.of(ledger), [sign(ledger, key)], None, workers=1)
    assert not verdict.ok and "没有公钥" in verdict.problems[0].message


def test_a_checkpoint_of_another_log_is_refused(
    ledger: Ledger, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(ledger, reports=2)
    note = sign(ledger, key).replace(key.name + "\n", "other.log\n", 1)
    verdict = verify(ledger, key, note)
    assert not verdict.ok  # the signature no longer covers the edited origin
    monkeypatch.setenv("LEDGER_LOG_ORIGIN", "ledger.elsewhere")
    verdict = verify(ledger, key, sign(ledger, key))
    assert not verdict.ok and "另一个日志" in verdict.problems[0].message
