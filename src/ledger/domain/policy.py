"""Who may issue which command (roles of DOMAIN.md), and unit scoping.

Auditors read everything and write nothing; only the office verifies, sends
back and strikes off; a responsible unit acts only on findings assigned to
it; only discipline staff record clues, cases and accountability, and only
finance and discipline staff record funds.
"""

from __future__ import annotations

from uuid import UUID

from ledger.domain.errors import PermissionDenied
from ledger.domain.values import Actor, Role

OFFICE = frozenset({Role.INSPECTION_OFFICE})
OFFICE_OR_UNIT = frozenset({Role.INSPECTION_OFFICE, Role.RESPONSIBLE_UNIT})
REFERENCE = frozenset({Role.INSPECTION_OFFICE, Role.ADMIN})
DISCIPLINE = frozenset({Role.DISCIPLINE})
MONEY = frozenset({Role.FINANCE, Role.DISCIPLINE})

ALLOWED: dict[str, frozenset[Role]] = {
    "open_inspection": OFFICE,
    "begin_on_site": OFFICE,
    "deliver_feedback": OFFICE,
    "file_plan": OFFICE,
    "publish_progress": OFFICE,
    "close_inspection": OFFICE,
    "record_finding": OFFICE,
    "assign": OFFICE,
    "set_deadline": OFFICE,
    "extend_deadline": OFFICE,
    "mark_long_term": OFFICE,
    "add_measure": OFFICE_OR_UNIT,
    "report_progress": OFFICE_OR_UNIT,
    "claim_completion": OFFICE_OR_UNIT,
    "verify": OFFICE,
    "send_back": OFFICE,
    "strike_off": OFFICE,
    "issue_letter": OFFICE,
    "answer_letter": OFFICE_OR_UNIT,
    "correct": OFFICE,
    "register_unit": REFERENCE,
    "rename_unit": REFERENCE,
    "record_headcount": REFERENCE,
    "register_person": REFERENCE,
    "take_position": REFERENCE,
    "leave_position": REFERENCE,
    # Only the discipline commission records clues, cases and accountability.
    "open_case": DISCIPLINE,
    "close_case": DISCIPLINE,
    "propose_action": DISCIPLINE,
    "decide_action": DISCIPLINE,
    "carry_out_action": DISCIPLINE,
    "appeal_action": DISCIPLINE,
    "receive_clue": DISCIPLINE,
    "assign_clue": DISCIPLINE,
    "urge_clue": DISCIPLINE,
    "supervise_clue": DISCIPLINE,
    "transfer_clue": DISCIPLINE,
    "conclude_clue": DISCIPLINE,
    # Only finance and discipline record funds and their movements.
    "open_fund": MONEY,
    "open_account": MONEY,
    "record_movement": MONEY,
}


def require_role(command: str, actor: Actor) -> None:
    """Refuse a command the actor's role may not issue."""
    allowed = ALLOWED[command]
    if actor.role not in allowed:
        roles = "、".join(r.label for r in sorted(allowed))
        raise PermissionDenied(f"{actor.role.label}无权执行 {command};仅限:{roles}", field="role")
    if actor.role is Role.RESPONSIBLE_UNIT and actor.unit is None:
        raise PermissionDenied("责任单位账号未绑定单位", field="unit")


def require_assigned(actor: Actor, assigned: bool) -> None:
    """Refuse a unit actor acting on a finding not assigned to its unit."""
    if actor.role is Role.RESPONSIBLE_UNIT and not assigned:
        raise PermissionDenied("该问题未交办给本单位,不能操作", field="unit")


def require_own_unit(actor: Actor, unit: UUID) -> None:
    """Refuse a unit actor acting for another unit (e.g. owning or reporting its measure)."""
    if actor.role is Role.RESPONSIBLE_UNIT and actor.unit != unit:
        raise PermissionDenied("只能为本单位负责的整改措施操作", field="unit")
