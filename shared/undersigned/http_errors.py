"""The HTTP answer of every error: the one table that gives each its status, code and
message. Domain errors (`undersigned.errors`) know nothing of HTTP; the errors of reading
a request's body are the HTTP layer's own and stand here too.

`http.make_app` answers every error through `answer_for`; the OpenAPI document describes
each status from the same table (`error_responses`, with the error body's shape).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typing_extensions import NotRequired, TypedDict

from undersigned import errors


class PayloadTooLarge(errors.DomainError):
    pass


class UnsupportedMediaType(errors.DomainError):
    def __init__(self, accepted: str) -> None:
        super().__init__()
        self.accepted = accepted


class BodyNotUtf8(errors.DomainError):
    pass


class EmptyBody(errors.DomainError):
    pass


class BodyNotJson(errors.DomainError):
    pass


class BodyNotObject(errors.InvalidInput):
    pass


class NoRoute(errors.DomainError):
    """No route serves this path with this method (a trailing slash included)."""


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    # May name the error's attributes: "{accepted}".
    message: str
    retry_after: bool = False


ANSWERS: dict[type[errors.DomainError], Answer] = {
    errors.InvalidInput: Answer(400, "validation_error", "Some fields need correcting."),
    errors.InvalidCampaignSettings: Answer(400, "validation_error", "Some campaign settings need correcting."),
    BodyNotObject: Answer(400, "validation_error", "The body must be a JSON object."),
    BodyNotUtf8: Answer(400, "invalid_json", "The body is not valid UTF-8."),
    EmptyBody: Answer(400, "invalid_json", "The body is empty; send a JSON object."),
    BodyNotJson: Answer(400, "invalid_json", "The body is not valid JSON."),
    errors.InvalidToken: Answer(400, "invalid_token", "This link is not valid. Use the link in the most recent email we sent you."),
    errors.Forbidden: Answer(403, "forbidden", "Admin requests must be signed with AWS credentials (SigV4)."),
    errors.OriginNotAllowed: Answer(403, "origin_not_allowed", "This site may not collect signatures for this campaign."),
    errors.CampaignNotFound: Answer(404, "campaign_not_found", "There is no campaign with this id. Check the link you followed."),
    errors.SignatureNotFound: Answer(404, "signature_not_found", "There is no such signature in this campaign."),
    errors.WidgetFileNotFound: Answer(404, "not_found", "There is no such widget file. Load the widget from /widget.js."),
    NoRoute: Answer(404, "not_found", "Nothing is served at this path with this method. Check both; paths end without a slash."),
    errors.CampaignExists: Answer(409, "campaign_exists", "A campaign with this id exists already: update it, or choose another id."),
    errors.NotQuarantined: Answer(409, "not_quarantined", "This signature is not in quarantine (it may have been reviewed already)."),
    errors.NotListed: Answer(409, "not_listed", "Only a signature on the public list can be featured: verified, shown with its signer's consent, not hidden."),
    errors.CampaignClosed: Answer(410, "campaign_closed", "This campaign has closed and no longer takes signatures."),
    errors.TokenExpired: Answer(410, "token_expired", "This link has expired. Sign again to get a new one."),
    PayloadTooLarge: Answer(413, "payload_too_large", "The request body is larger than 16 KiB."),
    UnsupportedMediaType: Answer(415, "unsupported_media_type", "Send the body as {accepted} (UTF-8)."),
    errors.RateLimited: Answer(429, "rate_limited", "Too many submissions from your network just now. Wait a little and try again.", retry_after=True),
    errors.Unexpected: Answer(500, "internal_error", "Something went wrong on our side. Please try again in a moment."),
    errors.ServiceUnavailable: Answer(
        503,
        "service_unavailable",
        "The service is busy just now. Nothing was changed that a repeat would not make again: try again in a few seconds.",
        retry_after=True,
    ),
    errors.EmailNotQueued: Answer(
        503,
        "service_unavailable",
        "We could not take your signature just now. Please submit again in a minute; it is safe to repeat.",
        retry_after=True,
    ),
}


def answer_for(error: errors.DomainError) -> Answer:
    """The row of the error's own class, or of the nearest class above it."""
    for kind in type(error).__mro__:
        if kind in ANSWERS:
            return ANSWERS[kind]
    return ANSWERS[errors.Unexpected]


def message_of(error: errors.DomainError) -> str:
    return answer_for(error).message.format(**vars(error))


def headers_of(error: errors.DomainError) -> dict[str, str]:
    return {"Retry-After": str(error.retry_after)} if answer_for(error).retry_after else {}  # type: ignore[attr-defined]


def codes_for(status: int) -> list[str]:
    """Every code answered with `status`, for the OpenAPI document."""
    return list(dict.fromkeys(answer.code for answer in ANSWERS.values() if answer.status == status))


class FieldError(TypedDict):
    field: str
    message: str


class ErrorDetail(TypedDict):
    code: str
    message: str
    details: NotRequired[list[FieldError]]


class ErrorBody(TypedDict):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, dict[str, Any]]:
    """The `responses` entries for a route's contract errors, described from the one table
    of errors (`ANSWERS`). Each of these routes reads or writes the database,
    so each may also answer `503` while it throttles."""
    return {
        status: {
            "description": ", ".join(f"`{code}`" for code in codes_for(status)) + ".",
            "content": {"application/json": {"model": ErrorBody}},
        }
        for status in sorted({*statuses, 503})
    }
