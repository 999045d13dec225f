"""What every command carries besides its own arguments, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from uuid import UUID

from ledger.domain import rules
from ledger.domain.base import utc_now
from ledger.domain.errors import InvalidInput
from ledger.domain.values import BEIJING

# How far ahead of the recording clock an effective time may be (clock skew).
SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class CommandContext:
    """Envelope inputs and write-safety options of one command.

    ``effective_at`` may be a date (taken as 00:00 Beijing time), an aware
    datetime, or None for "now". ``expected_version`` makes the command fail
    with a conflict if the record has changed. ``idempotency_key`` makes a
    retry return the first receipt and write nothing.
    """

    effective_at: date | datetime | None = None
    reason: str = ""
    basis: str = ""
    correlation_id: UUID | None = None
    expected_version: int | None = None
    idempotency_key: str | None = None

    def effective_time(self, now: datetime) -> datetime:
        """The validated effective time, never later than the recording time."""
        value = self.effective_at
        if value is None:
            return now
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise InvalidInput("须带时区", field="effective_at")
            moment = value
        elif isinstance(value, date):
            moment = datetime.combine(value, time(0), BEIJING)
        else:
            raise InvalidInput("须为日期或带时区的时间", field="effective_at")
        if moment > now + SKEW:
            raise InvalidInput(f"生效时间 {moment.isoformat()} 晚于记录时间", field="effective_at")
        return moment

    def checked(self) -> CommandContext:
        """The context normalised (itself if it already is); malformed fields are refused
        before anything is loaded."""
        version = self.expected_version
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise InvalidInput("必须是整数", field="expected_version")
        key = self.idempotency_key
        correlation = self.correlation_id
        reason = rules.text("reason", self.reason, max_len=rules.MAX_TEXT, optional=True)
        basis = rules.text("basis", self.basis, optional=True)
        key = None if key is None else rules.text("idempotency_key", key)
        correlation = None if correlation is None else rules.uuid("correlation_id", correlation)
        if (
            reason is self.reason
            and basis is self.basis
            and key is self.idempotency_key
            and correlation is self.correlation_id
        ):
            return self  # the very same values: already normal, no copy
        return replace(
            self, reason=reason, basis=basis, idempotency_key=key, correlation_id=correlation
        )

    def fingerprint_fields(self) -> dict[str, object]:
        """What a retry must repeat exactly for its idempotency key to match."""
        effective = self.effective_at.isoformat() if self.effective_at is not None else None
        return {
            "effective_at": effective,
            "reason": self.reason,
            "basis": self.basis,
            "expected_version": self.expected_version,
            "correlation_id": str(self.correlation_id) if self.correlation_id else None,
        }


NO_CONTEXT = CommandContext()


@dataclass(frozen=True)
class Receipt:
    """What a command returns: the record it touched and its new version.

    ``item_id`` names a part created inside the record (a measure or a
    progress report). ``replayed`` is true when an idempotency key matched an
    earlier command and nothing new was written.
    """

    id: UUID
    version: int
    correlation_id: UUID
    item_id: UUID | None = None
    replayed: bool = False


def now() -> datetime:
    """The recording clock (kept here so tests can see one place)."""
    return utc_now()
