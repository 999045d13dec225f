"""Domain errors: every refusal says what was refused and why.

The API maps each class to one HTTP status in a single table, so a new
refusal should subclass the closest existing class rather than the base.
"""

from __future__ import annotations


class DomainError(Exception):
    """A command refused by the rules of the ledger; nothing was recorded."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(DomainError):
    """A value is missing, malformed, out of range or out of order."""

    code = "invalid_input"


class InvalidTransition(DomainError):
    """The command does not fit the current state (e.g. verify before claim)."""

    code = "invalid_transition"


class NotFound(DomainError):
    """A referenced inspection, finding, measure, unit or person does not exist."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The actor's role or unit may not issue this command on this record."""

    code = "permission_denied"


class VersionConflict(DomainError):
    """The record changed since the version the command expected."""

    code = "version_conflict"

    def __init__(self, message: str, *, expected: int | None, actual: int | None) -> None:
        super().__init__(message, field="expected_version")
        self.expected = expected
        self.actual = actual


class IdempotencyConflict(DomainError):
    """An idempotency key was reused for a different command."""

    code = "idempotency_conflict"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="idempotency_key")
