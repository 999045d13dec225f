"""The supervision-letter register and the deadline-extension register."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ledger.domain.values import EscalationLevel

from .. import schemas as s
from ..deps import ActorDep, ReadsDep, WhenDep, not_a_unit
from ..errors import RESPONSES

router = APIRouter(tags=["registers 台账"], responses=RESPONSES)


@router.get("/extensions", response_model=list[s.ExtensionPublic], summary="延期登记簿")
def extensions(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    finding_id: UUID | None = None,
    inspection_id: UUID | None = None,
) -> list[s.ExtensionPublic]:
    not_a_unit(actor, "延期登记簿")
    rows = reads.extensions(finding_id, inspection_id, when=when)
    return [s.ExtensionPublic.model_validate(row) for row in rows]


@router.get("/letters", response_model=list[s.LetterPublic], summary="督办函登记簿")
def letters(
    actor: ActorDep,
    reads: ReadsDep,
    when: WhenDep,
    level: EscalationLevel | None = None,
    outstanding: bool = True,
    inspection_id: UUID | None = None,
) -> list[s.LetterPublic]:
    not_a_unit(actor, "督办函登记簿")
    rows = reads.letters(level, outstanding, inspection_id, when=when)
    return [s.LetterPublic.model_validate(row) for row in rows]


@router.get("/letters/by-level", response_model=s.LettersByLevel, summary="未办结督办函按层级计数")
def letters_by_level(
    actor: ActorDep, reads: ReadsDep, when: WhenDep, inspection_id: UUID | None = None
) -> s.LettersByLevel:
    not_a_unit(actor, "督办函登记簿")
    return s.LettersByLevel.model_validate(reads.letters_by_level(when, inspection_id))
