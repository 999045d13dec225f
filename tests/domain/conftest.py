"""Domain fixtures: envelopes and findings built directly, without a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import reduce
from typing import Any
from uuid import uuid4

import pytest

from ledger.domain.base import Aggregate, Envelope
from ledger.domain.finding import Finding
from ledger.domain.values import Actor

FEEDBACK = date(2019, 1, 18)  # 中央第八巡视组 → 内蒙古自治区党委, feedback day
DEADLINE = date(2019, 6, 10)

MakeEnvelope = Callable[..., Envelope]


@pytest.fixture
def env(office: Actor) -> MakeEnvelope:
    """Make an envelope: the office acting now, with an optional reason and basis."""

    def make(reason: str = "", *, basis: str = "", actor: Actor | None = None) -> Envelope:
        return Envelope(
            actor=actor or office,
            effective_at=datetime.now(UTC),
            reason=reason,
            basis=basis,
            correlation_id=uuid4(),
        )

    return make


@pytest.fixture
def make_finding(env: MakeEnvelope) -> Callable[..., Finding]:
    """Record a finding of a feedback delivered on 2019-01-18; keyword overrides."""

    def make(**overrides: Any) -> Finding:
        args: dict[str, Any] = {
            "inspection_id": uuid4(),
            "feedback_date": FEEDBACK,
            "category": ["一、落实脱贫攻坚政治责任不够到位"],
            "number": "(一)1",
            "text": "部分旗县对脱贫攻坚重视程度不够,贫困人口底数不清",
            "sources": ["中央第八巡视组反馈意见"],
            "deadline": DEADLINE,
        }
        args.update(overrides)
        return Finding.record(env(), **args)

    return make


@pytest.fixture
def finding(make_finding: Callable[..., Finding]) -> Finding:
    """An ongoing finding with a deadline and no pending events."""
    f = make_finding()
    f.collect_events()
    return f


@pytest.fixture
def replay() -> Callable[[list[Any]], Any]:
    """Rebuild an aggregate from its events, oldest first (what loading does)."""

    def run(events: list[Any]) -> Aggregate:
        return reduce(lambda aggregate, e: e.mutate(aggregate), events, None)

    return run
