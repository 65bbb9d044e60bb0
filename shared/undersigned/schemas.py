"""The shapes of the public API's answers, for the OpenAPI document.

TypedDicts, not models: the functions that return them stay free of a validation
library at start-up; only the OpenAPI function turns them into JSON Schema.
"""

from __future__ import annotations

import typing
from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from undersigned import campaign
from undersigned.http_errors import error_responses  # noqa: F401 - every function describes its errors through schemas
from undersigned.signature import FIELDS


class CampaignOut(TypedDict):
    id: str
    title: str
    statement: str
    goal: int | None
    closes_at: str | None
    status: Literal["open", "closed"]
    count: int
    public_signatories: bool
    human_check: campaign.HumanCheck
    # The language of `title` and `statement`, and every language the letter is written in.
    lang: str
    languages: list[str]


class CountOut(TypedDict):
    campaign_id: str
    count: int
    organisations: int
    goal: int | None
    updated_at: str


class CountryCountsOut(TypedDict):
    campaign_id: str
    count: int
    countries: dict[str, int]
    unspecified: int
    updated_at: str


class SourceCountsOut(TypedDict):
    campaign_id: str
    count: int
    sources: dict[str, int]
    unattributed: int
    updated_at: str


class HourCount(TypedDict):
    hour: str
    verified: int


class HistoryOut(TypedDict):
    campaign_id: str
    count: int
    hours: list[HourCount]
    updated_at: str


class SubmissionAccepted(TypedDict):
    status: Literal["pending_verification"]


class ChallengeParameters(TypedDict):
    algorithm: str
    nonce: str
    salt: str
    cost: int
    keyLength: int
    keyPrefix: str
    expiresAt: int
    data: dict[str, str]


class ChallengeOut(TypedDict):
    parameters: ChallengeParameters
    signature: str


class TokenIn(TypedDict):
    token: str


class VerifyOut(TypedDict):
    status: Literal["verified", "already_verified"]
    campaign_id: str


class WithdrawOut(TypedDict):
    status: Literal["withdrawn"]


# The public list's item, from the signature's declaration (`signature.FIELDS`).
Signatory = TypedDict("Signatory", {field.public_as: field.public_type for field in FIELDS if field.public_as})  # type: ignore[misc]


class SignatoriesPage(TypedDict):
    items: list[Signatory]
    next_cursor: str | None


def _as_json(kind: Any) -> Any:
    """A setting's type as JSON carries it: a tuple is a list."""
    if typing.get_origin(kind) is tuple:
        return list[typing.get_args(kind)[0]]  # type: ignore[index]
    return kind


# A campaign's settings, from their one declaration (`campaign.Campaign`'s settings);
# `id`, `title` and `statement` are required to create one.
_SETTING_TYPES = typing.get_type_hints(campaign.Campaign)
CampaignSettingsIn = TypedDict(  # type: ignore[misc]
    "CampaignSettingsIn", {name: _as_json(_SETTING_TYPES[name]) for name in campaign.SETTINGS}, total=False
)


class AdminCampaign(CampaignSettingsIn):
    """A campaign as organisers see it: every setting, and where it stands."""

    status: Literal["open", "closed"]
    count: int
    count_updated_at: str | None
    created_at: str | None


class InvalidationIn(TypedDict, total=False):
    """At least one criterion; a signature must meet every one given."""

    email_domain: str
    caller_hash: str
    created_from: str
    created_until: str
    cursor: str | None


class AdminPage(TypedDict):
    items: list[dict[str, Any]]
    next_cursor: str | None


class AdminAction(TypedDict):
    status: Literal["hidden", "verified", "discarded", "featured", "unfeatured"]
    signer: str


class InvalidationOut(TypedDict):
    invalidated: int
    next_cursor: str | None


# Marks an operation whose JSON body may also come form-encoded (a page without JavaScript);
# the OpenAPI function documents that media type from the JSON schema.
FORM_EXTENSION = "x-undersigned-accepts-form"
ACCEPTS_FORMS = {FORM_EXTENSION: True}


def html_page(description: str) -> dict[str, Any]:
    """A response that is an HTML page for a person (the pages behind the email's links)."""
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


NOT_MODIFIED = {304: {"description": "Not modified since the ETag given in If-None-Match."}}


def ok(model: Any, description: str, status: int = 200) -> dict[int, dict[str, Any]]:
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


def answers(model: Any, description: str, *errors: int, revalidated: bool = False) -> dict[int, dict[str, Any]]:
    """A JSON route's answers: `model` when all is well, `304` for a cached one (`revalidated`:
    it sends an ETag), and its contract errors."""
    return {**ok(model, description), **(NOT_MODIFIED if revalidated else {}), **error_responses(*errors)}
