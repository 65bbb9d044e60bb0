"""Domain errors. Each carries the HTTP answer the contract gives it; `undersigned.http`
is the one place that turns them into responses."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldProblem:
    field: str
    message: str


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    details: list[FieldProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}"


def campaign_not_found() -> ApiError:
    return ApiError(404, "campaign_not_found", "There is no campaign with this id. Check the link you followed.")


def campaign_closed() -> ApiError:
    return ApiError(410, "campaign_closed", "This campaign has closed and no longer takes signatures.")


def invalid_token() -> ApiError:
    return ApiError(400, "invalid_token", "This link is not valid. Use the link in the most recent email we sent you.")


def token_expired() -> ApiError:
    return ApiError(410, "token_expired", "This link has expired. Sign again to get a new one.")


def validation_error(details: list[FieldProblem], message: str = "Some fields need correcting.") -> ApiError:
    return ApiError(400, "validation_error", message, details)


def origin_not_allowed() -> ApiError:
    return ApiError(403, "origin_not_allowed", "This site may not collect signatures for this campaign.")


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "Too many submissions from your network just now. Wait a little and try again.",
        headers={"Retry-After": str(retry_after)},
    )


def service_unavailable() -> ApiError:
    return ApiError(
        503,
        "service_unavailable",
        "We could not send the confirmation email just now. Your signature is kept; submit again in a few minutes.",
        headers={"Retry-After": "120"},
    )
