"""The checks after a fault run: nothing acknowledged lost, nothing twice, nothing
half-written, the log verifies, and the read models equal a rebuild."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from common import OFFICE, Tally, ledger_cli

from ledger.application.ledger import Ledger
from ledger.config import Settings


@dataclass
class Outcome:
    """What the checks found; ``failed`` lists every broken promise, in Chinese."""

    lost: int = 0  # acknowledged, but its event is not at the acknowledged version
    duplicated: int = 0  # a key recorded more than once
    stray: int = 0  # an event from no key that was sent
    events: int = 0
    entries: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def examine(url: str, tally: Tally, env: dict[str, str], checkpoints: list[Path]) -> Outcome:
    """Every check, on a fresh ledger object (as a new process would see the database)."""
    outcome = Outcome()
    ledger = Ledger(Settings(url))
    try:
        for finding, keys in tally.keys.items():
            _one_finding(ledger, UUID(finding), keys, tally, outcome)
        if outcome.lost:
            outcome.failed.append(f"已确认的命令丢失 {outcome.lost} 条")
        if outcome.duplicated or outcome.stray:
            outcome.failed.append(f"重复记录 {outcome.duplicated} 条,来历不明 {outcome.stray} 条")
        _whole(ledger, tally, outcome)
        before = ledger.projector.rows()
        ledger.projector.rebuild()
        if ledger.projector.rows() != before:
            outcome.failed.append("读模型与从日志重建的结果不一致")
    finally:
        ledger.close()
    _verify(url, env, checkpoints, outcome)
    return outcome


def _one_finding(
    ledger: Ledger, finding: UUID, keys: list[str], tally: Tally, outcome: Outcome
) -> None:
    events = ledger.history(finding)
    if [e.originator_version for e in events] != list(range(1, len(events) + 1)):
        outcome.failed.append(f"问题 {finding} 的版本号不连续")
    by_version = {e.originator_version: getattr(e, "narrative", None) for e in events}
    reported = Counter(n for n in by_version.values() if n is not None)
    wanted = set(keys)
    outcome.duplicated += sum(n - 1 for n in reported.values() if n > 1)
    outcome.stray += sum(1 for k in reported if k not in wanted)
    for key in keys:
        version = tally.acked.get(key)
        if version is not None and by_version.get(version) != key:
            outcome.lost += 1


def _whole(ledger: Ledger, tally: Tally, outcome: Outcome) -> None:
    """Events, integrity entries, idempotency keys and read-model positions agree."""
    recorder: Any = ledger.recorder
    notifications = recorder.select_notifications(start=1, limit=10_000_000)
    outcome.events = len(notifications)
    rows = recorder.integrity_rows(1, 10_000_000)
    outcome.entries = len(rows)
    if [seq for seq, _, _ in rows] != list(range(1, len(rows) + 1)):
        outcome.failed.append("完整性日志序号不连续")
    if outcome.entries != outcome.events:
        outcome.failed.append(f"事件 {outcome.events} 条而完整性条目 {outcome.entries} 条")
    wrong = 0
    for key, version in tally.acked.items():
        found = recorder.find_idempotency(f"api:{OFFICE.id}:{key}")  # as the API stores it
        wrong += found is None or orjson.loads(found.receipt)["version"] != version
    if wrong:
        outcome.failed.append(f"{wrong} 个已确认的幂等键未保存或回执不符")
    head = recorder.max_notification_id() or 0
    # Read models kept behind the log (the audit index) lag until read: they are
    # caught up by ``rows()`` below and compared with a rebuild there.
    behind = [p.name for p in ledger.projector.status() if p.position != head and not p.behind]
    if behind:
        outcome.failed.append(f"读模型未跟上日志:{', '.join(behind)}")


def _verify(url: str, env: dict[str, str], checkpoints: list[Path], outcome: Outcome) -> None:
    args = [arg for path in checkpoints for arg in ("--checkpoint", str(path))]
    done = ledger_cli(url, env, "verify", *args, "--workers", "2")
    if done.returncode != 0:
        outcome.failed.append(f"ledger verify 未通过:{done.stderr.strip() or done.stdout.strip()}")
