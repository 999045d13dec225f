"""Who am I, and is the server up."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from .. import schemas as s
from ..deps import ActorDep
from ..errors import RESPONSES

router = APIRouter(tags=["system 系统"])


class Health(BaseModel):
    status: str


@router.get("/health", response_model=Health, summary="服务是否在线(无需令牌)")
def health() -> Health:
    return Health(status="ok")


@router.get("/me", response_model=s.ActorPublic, summary="当前令牌代表的用户", responses=RESPONSES)
def me(actor: ActorDep) -> s.ActorPublic:
    return s.ActorPublic.model_validate(actor.model_dump())
