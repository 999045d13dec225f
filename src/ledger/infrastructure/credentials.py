"""Bearer tokens for the HTTP API: issued, listed and revoked, never stored in clear.

A token reads ``lg_<id>_<secret>``. The id is public and finds the row; the
secret is 32 random bytes, and only its SHA-256 is stored (a random 256-bit
secret needs no slow hash: there is nothing to guess). Checking compares the
hashes in constant time. Each token carries the actor its events are
attributed to: id, name, role and, for a responsible unit, the unit.

Revocations are counted: each one adds 1 to the single row of
``ledger_token_revision`` in its own transaction. A caller that reads that
number after a request arrived (the API reads it with the read models'
position, once for all requests of a turn of its event loop: ``api/pulse.py``)
may answer from tokens it read earlier, as long as the number has not moved
since: no token can have been revoked meanwhile. A token's expiry is checked
on every request against the clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    MetaData,
    Row,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ledger.domain import rules
from ledger.domain.errors import InvalidInput, NotFound
from ledger.domain.values import Actor, Role
from ledger.infrastructure.lookup import Lookup

PREFIX = "lg"
metadata = MetaData()
TOKENS = Table(
    "ledger_tokens",
    metadata,
    Column("token_id", String(16), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("actor_id", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("unit", String(36)),
    Column("label", String(200), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked", Boolean, nullable=False),
)
# One row (id 1): how many revocations there have been.
REVISION = Table(
    "ledger_token_revision",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("revision", BigInteger, nullable=False),
)
_KEPT = 10_000  # tokens kept in memory per process


class Unauthenticated(Exception):
    """No valid token: missing, malformed, unknown, revoked or expired."""


@dataclass(frozen=True)
class TokenInfo:
    """One issued token, without its secret."""

    token_id: str
    actor: Actor
    label: str
    issued_at: datetime
    expires_at: datetime | None
    revoked: bool


class Credentials:
    """The token table, in the same database as the events."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        _count_from_zero(engine)
        self._find = Lookup(
            engine,
            "SELECT secret_sha256, actor_id, name, role, unit, expires_at, revoked "
            "FROM {ledger_tokens} WHERE token_id = ?",
            TOKENS.name,
        )
        self._actors: dict[tuple[Any, ...], Actor] = {}
        # The revocation count, and token id -> (secret's digest, actor, expiry,
        # revoked) as read while the count stood there. One pair, replaced whole:
        # two threads authenticate (the event loop for reads, the writer thread for
        # commands), and a row read at one count is only ever kept in that count's
        # dictionary, whatever the other thread saw meanwhile.
        self._kept: tuple[int, dict[str, tuple[str, Actor, datetime | None, bool]]] = (-1, {})

    def issue(
        self,
        *,
        actor_id: str,
        name: str,
        role: str,
        unit: str | None = None,
        days: int | None = None,
        label: str = "",
    ) -> tuple[str, TokenInfo]:
        """A new token for an actor; returns the token (shown once) and its record."""
        actor = _actor(actor_id, name, role, unit)
        if days is not None and not 1 <= days <= 3650:
            raise InvalidInput("有效天数须为 1 至 3650", field="expires")
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = now + timedelta(days=days) if days else None
        label = rules.text("label", label, optional=True)
        row = dict(
            token_id=token_id,
            secret_sha256=_digest(secret),
            actor_id=actor.id,
            name=actor.name,
            role=actor.role.value,
            unit=str(actor.unit) if actor.unit else None,
            label=label,
            issued_at=now,
            expires_at=expires,
            revoked=False,
        )
        with self.engine.begin() as conn:
            conn.execute(insert(TOKENS).values(row))
        info = TokenInfo(token_id, actor, label, now, expires, False)
        return f"{PREFIX}_{token_id}_{secret}", info

    def authenticate(self, token: str, revision: int | None = None) -> Actor:
        """The actor a token stands for; Unauthenticated if it is not a live token.

        ``revision``: the revocation count, read after the request arrived. With
        it, a token read before is taken as it was while the count stands still
        (see the module's note); without it, the row is read now. The row is
        read with one fixed statement (``lookup.py``), and the Actor of an
        identical row is reused.
        """
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 16:
            raise Unauthenticated("令牌格式不正确")
        if revision is None:
            kept = self._read(parts[1])
        else:
            at, rows = self._kept
            if at != revision or len(rows) >= _KEPT:
                # A token may have been revoked (or too many are kept): read each again.
                rows = {}
                self._kept = (revision, rows)
            found = rows.get(parts[1])
            if found is None:
                found = rows[parts[1]] = self._read(parts[1])
            kept = found
        digest, actor, expires_at, revoked = kept
        if not hmac.compare_digest(digest, _digest(parts[2])):
            raise Unauthenticated("令牌无效")
        if revoked:
            raise Unauthenticated("令牌已吊销")
        if expires_at is not None and expires_at <= datetime.now(UTC):
            raise Unauthenticated("令牌已过期")
        return actor

    def _read(self, token_id: str) -> tuple[str, Actor, datetime | None, bool]:
        row = self._find.one(token_id)
        if row is None:
            raise Unauthenticated("令牌无效")
        digest, actor_id, name, role, unit, expires_at, revoked = row
        key = (actor_id, name, role, unit)
        actor = self._actors.get(key)
        if actor is None:
            actor = Actor(
                id=actor_id, name=name, role=Role(role), unit=UUID(unit) if unit else None
            )
            if len(self._actors) > _KEPT:
                self._actors.clear()
            self._actors[key] = actor
        expires = None if expires_at is None else _moment(expires_at)
        return digest, actor, expires, bool(revoked)

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token by its id (the part after ``lg_``); NotFound if unknown."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(TOKENS).where(TOKENS.c.token_id == token_id).values(revoked=True)
            )
            if done.rowcount != 1:
                raise NotFound(f"没有编号为 {token_id!r} 的令牌", field="token_id")
            conn.execute(
                update(REVISION).where(REVISION.c.id == 1).values(revision=REVISION.c.revision + 1)
            )
            row = conn.execute(select(TOKENS).where(TOKENS.c.token_id == token_id)).one()
        return _info(row)

    def list(self) -> list[TokenInfo]:
        """Every token ever issued, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(TOKENS).order_by(TOKENS.c.issued_at)).all()
        return [_info(row) for row in rows]


def _count_from_zero(engine: Engine) -> None:
    """Give the revocation count its row, once (a ledger made before it existed gets it too)."""
    with engine.begin() as conn:
        if conn.execute(select(REVISION.c.id).where(REVISION.c.id == 1)).first() is not None:
            return
    try:
        with engine.begin() as conn:
            conn.execute(insert(REVISION).values(id=1, revision=0))
    except IntegrityError:
        pass  # another process gave it at the same time


def _actor(actor_id: str, name: str, role: str, unit: str | None) -> Actor:
    kind = rules.enum("role", Role, role)
    unit_id: UUID | None = None if unit is None else rules.uuid("unit", unit)
    if kind is Role.RESPONSIBLE_UNIT and unit_id is None:
        raise InvalidInput("责任单位账号须指定所属单位 --unit", field="unit")
    return Actor(
        id=rules.text("actor", actor_id),
        name=rules.text("name", name),
        role=kind,
        unit=unit_id,
    )


def _info(r: Row[Any]) -> TokenInfo:
    actor = Actor(
        id=r.actor_id, name=r.name, role=Role(r.role), unit=UUID(r.unit) if r.unit else None
    )
    expires = None if r.expires_at is None else _aware(r.expires_at)
    return TokenInfo(r.token_id, actor, r.label, _aware(r.issued_at), expires, bool(r.revoked))


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moment(stored: datetime | str) -> datetime:
    """A stored time as the driver gives it: SQLite hands back SQLAlchemy's text."""
    return _aware(datetime.fromisoformat(stored) if isinstance(stored, str) else stored)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
