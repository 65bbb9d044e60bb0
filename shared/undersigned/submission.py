"""A submission: what a signer sends to sign, and every rule about what they send.

`SignatureRequest` is what a signer submits (JSON or a form). It normalises what it
keeps (NFC, trimmed, invisible format characters gone, the address canonical) and
refuses what could harm a reader of the list or an export (control characters,
URLs, spreadsheet formulas). Its schema is also the one the OpenAPI document shows.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from undersigned import errors
from undersigned.addresses import canonical_address, organisation_domain
from undersigned.countries import COUNTRY_CODES

FORMULA_PREFIXES = ("=", "+", "-", "@")
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_URL = re.compile(r"(?i:[a-z][a-z0-9+.-]*://|www\.)|[\w-]{2,}\.[a-z]{2,24}(?:/\S*)?(?=\s|$)")
_FORM_TRUE = {"true", "on", "1", "yes"}
_FORM_FALSE = {"false", "off", "0", "no", ""}
# The fields hosted widgets add to a form by themselves; a form post's `captcha`.
_WIDGET_FIELDS = ("cf-turnstile-response", "h-captcha-response", "g-recaptcha-response")
MAX_PROOF_LENGTH = 4096

# What a person reads for pydantic's own error types.
_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not accepted.",
    "string_type": "Must be text.",
    "bool_type": "Must be true or false.",
    "bool_parsing": "Must be true or false.",
    "string_pattern_mismatch": "Contains characters that are not allowed.",
}
_FIELD_MESSAGES = {
    ("name", "missing"): "Enter your name.",
    ("email", "missing"): "Enter your email address.",
    ("signing_as", "literal_error"): 'Must be "person" or "organisation".',
    ("source", "string_pattern_mismatch"): "Use lower-case letters, digits, '.', '_' or '-' (at most 64).",
}


def _without_invisible(text: str) -> str:
    """Format characters (bidi overrides, zero-width) removed, then NFC: in the other
    order a removed zero-width space could leave an accent uncomposed."""
    return unicodedata.normalize("NFC", "".join(ch for ch in text if unicodedata.category(ch) != "Cf"))


def _has_control(text: str, allow: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allow for ch in text)


def _clean_line(value: str, limit: int) -> str:
    value = _without_invisible(value).strip()
    if _has_control(value):
        raise PydanticCustomError("control_characters", "Must be a single line without control characters.")
    if len(value) > limit:
        raise PydanticCustomError("too_long", "Must be at most {limit} characters.", {"limit": limit})
    return value


class SignatureRequest(BaseModel):
    """A signature as submitted: JSON, or a form post from a page without JavaScript."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    name: str = Field(description="Shown publicly only with `public`.", json_schema_extra={"minLength": 1, "maxLength": 120})
    email: str = Field(description="Where the confirmation goes; compared case-insensitively.", json_schema_extra={"format": "email", "maxLength": 254})
    signing_as: Literal["person", "organisation"] = Field(
        default="person", description='"organisation": the signer signs on behalf of `organisation`, which is then required.'
    )
    # Checked also when absent: signing as an organisation requires one.
    organisation: str | None = Field(
        default=None, validate_default=True, description='Required when `signing_as` is "organisation".', json_schema_extra={"maxLength": 200}
    )
    role: str | None = Field(default=None, description='e.g. "Founder"', json_schema_extra={"maxLength": 120})
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, upper case", json_schema_extra={"pattern": "^[A-Z]{2}$"})
    comment: str | None = Field(default=None, description="Never shown publicly.", json_schema_extra={"maxLength": 1000})
    public: bool = Field(default=False, description="Consent to show name, role, organisation, country.")
    updates: bool = Field(default=False, description="Consent to hear from the organiser.")
    locale: str | None = Field(default=None, description="Language of the emails; unknown falls back to en.")
    source: str | None = Field(default=None, pattern=SOURCE_PATTERN, description="Partner attribution tag.")
    website: str | None = Field(default=None, description="Leave empty.")
    altcha: str | None = Field(
        default=None,
        description="Where the campaign asks for it: the ALTCHA widget's solution of a challenge from `GET /campaigns/{campaign_id}/challenge`.",
        json_schema_extra={"maxLength": MAX_PROOF_LENGTH},
    )
    captcha: str | None = Field(
        default=None,
        description="Where the campaign uses Turnstile or hCaptcha: the widget's token (form posts may send the widget's own field instead).",
        json_schema_extra={"maxLength": MAX_PROOF_LENGTH},
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = _clean_line(value, 120)
        if not value:
            raise PydanticCustomError("empty", "Enter your name.")
        if value.startswith(FORMULA_PREFIXES):
            raise PydanticCustomError("formula", "Must not start with =, +, - or @.")
        if _URL.search(value):
            raise PydanticCustomError("url", "Must not contain a web address.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        try:
            checked = validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            raise PydanticCustomError("email", "Enter a valid email address, like name@example.org.") from None
        if len(checked.normalized) > 254:
            raise PydanticCustomError("too_long", "Must be at most 254 characters.")
        return checked.normalized

    @field_validator("organisation")
    @classmethod
    def _organisation(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = _clean_line(value, 200) or None if value is not None else None
        if value is None and info.data.get("signing_as") == "organisation":
            raise PydanticCustomError("organisation_required", "Enter the organisation you sign for.")
        return value

    @field_validator("role")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        return _clean_line(value, 120) or None if value is not None else None

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value not in COUNTRY_CODES:
            raise PydanticCustomError("country", "Use an ISO 3166-1 alpha-2 code in upper case, like UA or PL.")
        return value

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = _without_invisible(value).strip()
        if _has_control(value, allow="\n\t\r"):
            raise PydanticCustomError("control_characters", "Must not contain control characters.")
        if len(value) > 1000:
            raise PydanticCustomError("too_long", "Must be at most 1000 characters.")
        return value or None

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) > 35 or not LOCALE_PATTERN.match(value):
            raise PydanticCustomError("locale", "Use a language tag like en, uk or pt-BR.")
        return value

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("altcha", "captcha")
    @classmethod
    def _proof(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_PROOF_LENGTH:
            raise PydanticCustomError("too_long", "Must be at most {limit} characters.", {"limit": MAX_PROOF_LENGTH})
        return value or None

    @property
    def is_bot(self) -> bool:
        """The honeypot field is hidden from people: only a bot fills it in."""
        return bool(self.website and self.website.strip())

    @property
    def kind(self) -> str:
        """Who signs: a person, or an organisation (through one of its people)."""
        return self.signing_as

    @property
    def organisation_domain(self) -> str | None:
        """For an organisation, the domain its signer's address is at, unless anyone can
        have an address there (see `addresses.organisation_domain`); confirming the
        address proves it. Never kept for a person: their domain is theirs alone."""
        return organisation_domain(self.email) if self.signing_as == "organisation" else None

    @property
    def canonical_email(self) -> str:
        """The form used to tell whether two submissions come from the same mailbox
        (case folded; dots and `+tags` where the provider ignores them). Mail still
        goes to `email` as given."""
        return canonical_address(self.email)


def honeypot_filled(body: dict[str, Any]) -> bool:
    value = body.get("website")
    return isinstance(value, str) and bool(value.strip())


def _form_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Checkbox values from an HTML form ("on", "true", "1"...) as booleans, and a
    hosted widget's own token field as `captcha`."""
    converted = dict(body)
    tokens = [converted.pop(name) for name in _WIDGET_FIELDS if name in converted]
    if tokens and "captcha" not in converted:
        converted["captcha"] = next((token for token in tokens if token), "")
    for key in ("public", "updates"):
        if key in converted and isinstance(converted[key], str):
            lowered = converted[key].strip().lower()
            if lowered in _FORM_TRUE:
                converted[key] = True
            elif lowered in _FORM_FALSE:
                converted[key] = False
    return converted


def parse_signature(body: dict[str, Any], *, from_form: bool) -> SignatureRequest:
    """A valid request, or `400 validation_error` with one entry per bad field."""
    data = _form_fields(body) if from_form else body
    try:
        return SignatureRequest.model_validate(data, strict=not from_form)
    except ValidationError as exc:
        raise errors.InvalidInput(_field_problems(exc)) from None


def _field_problems(exc: ValidationError) -> list[errors.FieldProblem]:
    problems: dict[str, errors.FieldProblem] = {}
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else "body"
        if field in problems:
            continue
        kind = error["type"]
        message = _FIELD_MESSAGES.get((field, kind)) or _MESSAGES.get(kind)
        problems[field] = errors.FieldProblem(field, message or error["msg"])
    return list(problems.values())
