"""Provable history over HTTP: signed checkpoints, inclusion and consistency proofs,
dispute bundles that can be checked offline with the public key, and verifications of the
whole log run on demand, whose verdicts are kept (``ledger.proof.history``).

Each server thread keeps its own prover (a connection and the tile cache's
upper levels in memory), so a proof is one small query.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Request, Response

from ledger.domain.errors import InvalidInput, NotFound, PermissionDenied
from ledger.domain.values import Actor, Role
from ledger.proof.bundle import make_bundle
from ledger.proof.checkpoint import Checkpoint, default_origin
from ledger.proof.history import Verification, Verifications, verify_and_record
from ledger.proof.keys import SigningKey, default_path, load_or_create
from ledger.proof.service import ProofRequestError, Prover
from ledger.proof.store import Location

from .. import schemas as s
from ..deps import ActorDep, LedgerDep, ReadsDep
from ..errors import RESPONSES
from .audit import _may_see

router = APIRouter(tags=["integrity 完整性证明"], responses=RESPONSES)
Size = Annotated[int | None, Query(ge=0, le=2**62)]
# Who may run a verification (it reads the whole log); every role may read the last verdict.
VERIFIERS = frozenset({Role.INSPECTION_OFFICE, Role.DISCIPLINE, Role.AUDITOR, Role.ADMIN})


class Provers:
    """One prover per thread, and the signing key, for one app."""

    def __init__(self, ledger: Any) -> None:
        self.location = Location.of(ledger)
        self.local = threading.local()
        self.verifying = threading.Lock()
        self._key: SigningKey | None = None

    def get(self) -> Prover:
        prover = getattr(self.local, "prover", None)
        if prover is None:
            prover = self.local.prover = Prover(self.location.open())
        return prover

    def verifications(self) -> Verifications:
        """The recorded verdicts, on this thread's connection."""
        found = getattr(self.local, "verifications", None)
        if found is None:
            found = self.local.verifications = Verifications(self.get().store)
        return found

    @property
    def key(self) -> SigningKey:
        if self._key is None:
            self._key = load_or_create(default_path(self.location))
        return self._key


_making = threading.Lock()


def provers(request: Request) -> Provers:
    state = request.app.state
    if getattr(state, "provers", None) is None:
        with _making:  # two first requests at once must share one (and its verifying lock)
            if getattr(state, "provers", None) is None:
                state.provers = Provers(state.ledger)
    return state.provers  # type: ignore[no-any-return]


@router.get(
    "/integrity/checkpoint",
    response_model=s.CheckpointPublic,
    summary="签名检查点:日志大小与 RFC 9162 根哈希(C2SP signed-note 格式)",
)
def checkpoint(request: Request, actor: ActorDep) -> s.CheckpointPublic:
    return _checkpoint(provers(request))


def _checkpoint(p: Provers) -> s.CheckpointPublic:
    prover, key = p.get(), p.key
    size = prover.size()
    root = prover.root(size)
    note = Checkpoint(default_origin(key), size, root).sign(key)
    return s.CheckpointPublic(
        tree_size=size, root=_b64(root), note=note, public_key=key.verifier.text()
    )


@router.get(
    "/integrity/status",
    response_model=s.IntegrityStatusPublic,
    summary="完整性概况:最新的签名检查点与最近一次核验的结果",
)
def status(request: Request, actor: ActorDep) -> s.IntegrityStatusPublic:
    p = provers(request)
    last = p.verifications().latest()
    return s.IntegrityStatusPublic(
        checkpoint=_checkpoint(p), last_verification=None if last is None else _verdict(last)
    )


@router.post(
    "/integrity/verifications",
    response_model=s.VerificationPublic,
    status_code=201,
    summary="立即核验整个日志(重算每个叶子哈希、比对事件库),记录并返回结论",
)
def verify_now(request: Request, actor: ActorDep) -> s.VerificationPublic:
    if actor.role not in VERIFIERS:
        raise PermissionDenied(
            "只有巡视整改办、纪委监委、审计和系统管理员可以发起核验", field="role"
        )
    p = provers(request)
    with p.verifying:  # one at a time: a verification reads the whole log
        _, found = verify_and_record(p.location, _who(actor))
    return _verdict(found)


def _who(actor: Actor) -> str:
    return f"{actor.name}({actor.role.label},{actor.id})"


def _verdict(found: Verification) -> s.VerificationPublic:
    return s.VerificationPublic(**asdict(found))


@router.get(
    "/integrity/public-key",
    response_model=s.PublicKeyPublic,
    summary="验证检查点和争议包所用的公钥",
)
def public_key(request: Request, actor: ActorDep) -> s.PublicKeyPublic:
    return s.PublicKeyPublic(public_key=provers(request).key.verifier.text())


@router.get(
    "/integrity/inclusion",
    response_model=s.InclusionPublic,
    summary="包含证明:某条事件在日志中(按序号,或按记录编号与版本)",
)
def inclusion(
    request: Request,
    actor: ActorDep,
    seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    record_id: UUID | None = None,
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    size: Size = None,
) -> s.InclusionPublic:
    prover = provers(request).get()
    if (seq is None) == (record_id is None) or (record_id is None) != (version is None):
        raise InvalidInput("请给出 seq,或 record_id 与 version(二选一)", field="seq")
    try:
        position = seq if seq is not None else prover.position(str(record_id), version or 0)
        return s.InclusionPublic(**prover.inclusion(position, size))
    except ProofRequestError as error:
        raise NotFound(str(error), field="seq" if seq is not None else "record_id") from None


@router.get(
    "/integrity/consistency",
    response_model=s.ConsistencyPublic,
    summary="一致性证明:新的日志是旧日志的延续",
)
def consistency(
    request: Request,
    actor: ActorDep,
    old: Annotated[int, Query(ge=1, le=2**62)],
    new: Size = None,
) -> s.ConsistencyPublic:
    try:
        return s.ConsistencyPublic(**provers(request).get().consistency(old, new))
    except ProofRequestError as error:
        raise NotFound(str(error), field="old") from None


@router.get(
    "/integrity/bundles/{record_id}",
    summary="争议包:一条记录的全部事件、包含证明和签名检查点",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def bundle(
    record_id: UUID, request: Request, actor: ActorDep, ledger: LedgerDep, reads: ReadsDep
) -> Response:
    _may_see(actor, reads, record_id)
    p = provers(request)
    prover = p.get()
    try:
        seqs = prover.positions(str(record_id))
    except ProofRequestError as error:
        raise NotFound(str(error), field="record_id") from None
    body = orjson.dumps(make_bundle(prover, seqs, p.key), option=orjson.OPT_INDENT_2)
    headers = {"Content-Disposition": f'attachment; filename="bundle-{record_id}.json"'}
    return Response(body, media_type="application/json", headers=headers)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
