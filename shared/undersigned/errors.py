"""Domain errors: what went wrong, in the domain's words. They know nothing of HTTP;
`undersigned.http_errors` is the one table that gives each its status, code and message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldProblem:
    field: str
    message: str


class DomainError(Exception):
    """Something the caller can act on. `details` name the fields to correct."""

    def __init__(self, details: list[FieldProblem] | None = None) -> None:
        super().__init__(type(self).__name__)
        self.details = list(details or [])


class CampaignNotFound(DomainError):
    pass


class CampaignClosed(DomainError):
    pass


class CampaignExists(DomainError):
    pass


class SignatureNotFound(DomainError):
    pass


class NotQuarantined(DomainError):
    """A review action for a signature that is not (or no longer) in quarantine."""


class NotListed(DomainError):
    """Only a signature on the public list (verified, public, not hidden) can be featured."""


class InvalidToken(DomainError):
    pass


class TokenExpired(DomainError):
    pass


class OriginNotAllowed(DomainError):
    pass


class Forbidden(DomainError):
    """An admin request without an IAM identity, from outside the loopback."""


class WidgetFileNotFound(DomainError):
    """No widget file by that name (or that version's shape) is served."""


class InvalidInput(DomainError):
    """Fields to correct; `details` has one entry per field."""


class InvalidCampaignSettings(InvalidInput):
    pass


class RateLimited(DomainError):
    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class EmailNotQueued(DomainError):
    """The signature is stored but its email could not be queued: a repeat is safe and queues it."""

    retry_after = 30


class ServiceUnavailable(DomainError):
    """The database cannot take the request right now (throttling). Nothing was half-done:
    every write the request made is one that repeating it makes again, or finds made."""

    retry_after = 5


class Unexpected(DomainError):
    """A fault of ours; the caller only learns that it may try again."""


def invalid(field: str, message: str) -> InvalidInput:
    """One field to correct."""
    return InvalidInput([FieldProblem(field, message)])
