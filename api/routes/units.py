"""Units and people: the registry the findings and accountability refer to."""

from __future__ import annotations

from fastapi import APIRouter

from .. import schemas as s
from ..deps import ActorDep, ReadsDep
from ..errors import RESPONSES
from .commanding import Command, add

router = APIRouter(tags=["units 单位与人员"], responses=RESPONSES)
U, PE = "unit_id", "person_id"
COMMANDS = [
    Command("/units", "register_unit", s.UnitCreate, None, "登记单位", 201),
    Command("/units/{unit_id}/name", "rename_unit", s.UnitRename, U, "单位更名"),
    Command("/units/{unit_id}/headcount", "record_headcount", s.Headcount, U, "登记年度编制人数"),
    Command("/people", "register_person", s.PersonCreate, None, "登记人员", 201),
    Command("/people/{person_id}/positions", "take_position", s.PositionTaken, PE, "任职"),
    Command("/people/{person_id}/departures", "leave_position", s.PositionLeft, PE, "离任"),
]
for command in COMMANDS:
    add(router, command)


@router.get("/units", response_model=list[s.UnitPublic], summary="单位名录(名称、层级、编制人数)")
def units(actor: ActorDep, reads: ReadsDep) -> list[s.UnitPublic]:
    return [s.UnitPublic.model_validate(u) for u in reads.units()]
