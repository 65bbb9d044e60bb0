"""A submission: what a signer sends to sign, and every rule about what they send.

`SignatureRequest` declares what a signer submits (JSON or a form), once: each field's
type, default, description and the limits the OpenAPI document shows; the document's
schema is built from this declaration (`body_schemas`), and `parse_signature` checks a
body against the same one. It normalises what it keeps (NFC, trimmed, invisible format
characters gone, the address canonical) and refuses what could harm a reader of the list
or an export (control characters, URLs, spreadsheet formulas), one problem per field.

The checks are plain Python, not a validation library's model: importing pydantic and
building the model cost the submit function's cold start more than anything else it
loads. They answer as that model did (its strict reading of JSON, its lax reading of a
form's true/false), field by field in the declaration's order, then the fields not accepted.
"""

from __future__ import annotations

import dataclasses
import re
import typing
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from email_validator import EmailNotValidError, validate_email

from undersigned import errors
from undersigned.addresses import canonical_address, organisation_domain
from undersigned.countries import COUNTRY_CODES

FORMULA_PREFIXES = ("=", "+", "-", "@")
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_URL = re.compile(r"(?i:[a-z][a-z0-9+.-]*://|www\.)|[\w-]{2,}\.[a-z]{2,24}(?:/\S*)?(?=\s|$)")
_FORM_TRUE = {"true", "on", "1", "yes"}
_FORM_FALSE = {"false", "off", "0", "no", ""}
# A form's single letters, read case-insensitively (and untrimmed) as forms always were.
_FORM_LETTERS = {"t": True, "y": True, "f": False, "n": False}
# The fields hosted widgets add to a form by themselves; a form post's `captcha`.
_WIDGET_FIELDS = ("cf-turnstile-response", "h-captcha-response", "g-recaptcha-response")
MAX_PROOF_LENGTH = 4096


def _declared(description: str, *, default: Any = dataclasses.MISSING, pattern: str | None = None, schema: dict[str, Any] | None = None) -> Any:
    """A field of the request: its `description` and `schema` (the JSON Schema keywords the
    document shows, such as `maxLength`); a `pattern` is both shown and checked."""
    metadata = {"description": description, "pattern": pattern, "schema": schema}
    return field(metadata=metadata) if default is dataclasses.MISSING else field(default=default, metadata=metadata)


@dataclass(frozen=True)
class SignatureRequest:
    """A signature as submitted: JSON, or a form post from a page without JavaScript."""

    name: str = _declared("Shown publicly only with `public`.", schema={"minLength": 1, "maxLength": 120})
    email: str = _declared("Where the confirmation goes; compared case-insensitively.", schema={"format": "email", "maxLength": 254})
    signing_as: Literal["person", "organisation"] = _declared(
        '"organisation": the signer signs on behalf of `organisation`, which is then required.', default="person"
    )
    # Checked also when absent: signing as an organisation requires one.
    organisation: str | None = _declared('Required when `signing_as` is "organisation".', default=None, schema={"maxLength": 200})
    role: str | None = _declared('e.g. "Founder"', default=None, schema={"maxLength": 120})
    country: str | None = _declared("ISO 3166-1 alpha-2, upper case", default=None, schema={"pattern": "^[A-Z]{2}$"})
    comment: str | None = _declared("Never shown publicly.", default=None, schema={"maxLength": 1000})
    public: bool = _declared("Consent to show name, role, organisation, country.", default=False)
    updates: bool = _declared("Consent to hear from the organiser.", default=False)
    locale: str | None = _declared("Language of the emails; unknown falls back to en.", default=None)
    source: str | None = _declared("Partner attribution tag.", default=None, pattern=SOURCE_PATTERN)
    website: str | None = _declared("Leave empty.", default=None)
    altcha: str | None = _declared(
        "Where the campaign asks for it: the ALTCHA widget's solution of a challenge from `GET /campaigns/{campaign_id}/challenge`.",
        default=None,
        schema={"maxLength": MAX_PROOF_LENGTH},
    )
    captcha: str | None = _declared(
        "Where the campaign uses Turnstile or hCaptcha: the widget's token (form posts may send the widget's own field instead).",
        default=None,
        schema={"maxLength": MAX_PROOF_LENGTH},
    )

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


_FIELDS = dataclasses.fields(SignatureRequest)
_TYPES = typing.get_type_hints(SignatureRequest)
_NAMES = frozenset(declared.name for declared in _FIELDS)
# What a signer reads for a required field left out.
_MISSING = {"name": "Enter your name.", "email": "Enter your email address."}
NOT_ACCEPTED = "This field is not accepted."


class _Refused(Exception):
    """A field's value breaks one of its rules; the message tells the signer what to correct."""


def _max_length(name: str) -> int:
    """The field's longest value, as declared (and documented)."""
    return SignatureRequest.__dataclass_fields__[name].metadata["schema"]["maxLength"]


def _without_invisible(text: str) -> str:
    """Format characters (bidi overrides, zero-width) removed, then NFC: in the other
    order a removed zero-width space could leave an accent uncomposed."""
    return unicodedata.normalize("NFC", "".join(ch for ch in text if unicodedata.category(ch) != "Cf"))


def _has_control(text: str, allow: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allow for ch in text)


def _too_long(limit: int) -> _Refused:
    return _Refused(f"Must be at most {limit} characters.")


def _clean_line(value: str, limit: int) -> str:
    value = _without_invisible(value).strip()
    if _has_control(value):
        raise _Refused("Must be a single line without control characters.")
    if len(value) > limit:
        raise _too_long(limit)
    return value


def _name(value: str, kept: dict[str, Any]) -> str:
    value = _clean_line(value, _max_length("name"))
    if not value:
        raise _Refused("Enter your name.")
    if value.startswith(FORMULA_PREFIXES):
        raise _Refused("Must not start with =, +, - or @.")
    if _URL.search(value):
        raise _Refused("Must not contain a web address.")
    return value


def _email(value: str, kept: dict[str, Any]) -> str:
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise _Refused("Enter a valid email address, like name@example.org.") from None
    if len(checked.normalized) > _max_length("email"):
        raise _too_long(_max_length("email"))
    return checked.normalized


def _organisation(value: str | None, kept: dict[str, Any]) -> str | None:
    value = _clean_line(value, _max_length("organisation")) or None if value is not None else None
    if value is None and kept.get("signing_as") == "organisation":
        raise _Refused("Enter the organisation you sign for.")
    return value


def _role(value: str | None, kept: dict[str, Any]) -> str | None:
    return _clean_line(value, _max_length("role")) or None if value is not None else None


def _comment(value: str | None, kept: dict[str, Any]) -> str | None:
    if value is None:
        return None
    value = _without_invisible(value).strip()
    if _has_control(value, allow="\n\t\r"):
        raise _Refused("Must not contain control characters.")
    if len(value) > _max_length("comment"):
        raise _too_long(_max_length("comment"))
    return value or None


def _locale(value: str | None, kept: dict[str, Any]) -> str | None:
    if value in (None, ""):
        return None
    if len(value) > 35 or not LOCALE_PATTERN.match(value):
        raise _Refused("Use a language tag like en, uk or pt-BR.")
    return value


def _proof(value: str | None, kept: dict[str, Any]) -> str | None:
    if value is not None and len(value) > MAX_PROOF_LENGTH:
        raise _too_long(MAX_PROOF_LENGTH)
    return value or None


# Read before the value's type is: a country is one of the codes (or nothing), whatever
# was sent; an empty source is none.
def _country_before(value: Any) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in COUNTRY_CODES:
        raise _Refused("Use an ISO 3166-1 alpha-2 code in upper case, like UA or PL.")
    return value


def _source_before(value: Any) -> Any:
    return None if value == "" else value


_BEFORE: dict[str, Callable[[Any], Any]] = {"country": _country_before, "source": _source_before}
# Read once the value has its type (the rules of what is kept, and how).
_RULES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "name": _name, "email": _email, "organisation": _organisation, "role": _role, "comment": _comment,
    "locale": _locale, "altcha": _proof, "captcha": _proof,
}
# The pattern's words for a signer: the only field with one.
_PATTERN_MESSAGES = {"source": "Use lower-case letters, digits, '.', '_' or '-' (at most 64)."}


def _typed(kind: Any, value: Any, *, from_form: bool) -> Any:
    """`value` as the declared `kind` (text, text or nothing, one of some words, true or
    false), read strictly from JSON; a form's words for true and false are read too."""
    if kind is bool:
        return _boolean(value, from_form=from_form)
    if typing.get_origin(kind) is Literal:
        choices = typing.get_args(kind)
        if isinstance(value, str) and value in choices:
            return value
        raise _Refused("Must be " + " or ".join(f'"{choice}"' for choice in choices) + ".")
    if value is None and type(None) in typing.get_args(kind):
        return None
    if not isinstance(value, str):
        raise _Refused("Must be text.")
    return value


def _boolean(value: Any, *, from_form: bool) -> bool:
    if isinstance(value, bool):
        return value
    if from_form and isinstance(value, str) and value.lower() in _FORM_LETTERS:
        return _FORM_LETTERS[value.lower()]
    raise _Refused("Must be true or false.")


def _checked(declared: dataclasses.Field[Any], data: dict[str, Any], kept: dict[str, Any], *, from_form: bool) -> Any:
    """The field's value to keep, or `_Refused`. An absent field's default goes through
    the same rules (so an organisation is required when absent)."""
    if declared.name not in data and declared.default is dataclasses.MISSING:
        raise _Refused(_MISSING.get(declared.name, "This field is required."))
    value = data.get(declared.name, declared.default)
    value = _BEFORE.get(declared.name, lambda given: given)(value)
    value = _typed(_TYPES[declared.name], value, from_form=from_form)
    pattern = declared.metadata["pattern"]
    # Matched whole: the document's `$` is JSON Schema's, the very end (never before a final newline).
    if pattern and value is not None and not re.fullmatch(pattern, value):
        raise _Refused(_PATTERN_MESSAGES[declared.name])
    rule = _RULES.get(declared.name)
    return rule(value, kept) if rule else value


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
    kept: dict[str, Any] = {}
    problems: list[errors.FieldProblem] = []
    for declared in _FIELDS:
        try:
            kept[declared.name] = _checked(declared, data, kept, from_form=from_form)
        except _Refused as refusal:
            problems.append(errors.FieldProblem(declared.name, str(refusal)))
    problems += [errors.FieldProblem(str(name), NOT_ACCEPTED) for name in data if name not in _NAMES]
    if problems:
        raise errors.InvalidInput(problems)
    return SignatureRequest(**kept)
