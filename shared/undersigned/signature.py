"""A signature: its states, the moves between them, and what each of its fields is.

Every rule about a signature's fields is declared once, in `FIELDS`: which hold personal
data (erased when the signature ends and when it is anonymised), which the public list
shows, which an export carries, which an organiser reviews. The store's erasures, the
export (server and CLI), the review, the public list and its OpenAPI schema derive
from it, so a new field is one row here (and, if signers give it, one in
`submission.SignatureRequest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from undersigned import config

# How long a signature waits for its owner to confirm it (and its link stays valid).
PENDING_DAYS = config.setting("PENDING_DAYS", int, default="7")


class State(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    # Verified, but submitted under suspicion: never counted or listed until released.
    QUARANTINED = "quarantined"
    WITHDRAWN = "withdrawn"
    DISCARDED = "discarded"
    INVALIDATED = "invalidated"


# Where each state may move. An ending may be repeated (repeating a withdrawal is safe), and
# a signer whose signature was withdrawn or discarded, or expired unconfirmed, signs afresh.
_ENDINGS = frozenset({State.WITHDRAWN, State.DISCARDED})
TRANSITIONS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.PENDING, State.VERIFIED, State.QUARANTINED, State.INVALIDATED, *_ENDINGS}),
    State.VERIFIED: frozenset({State.INVALIDATED, *_ENDINGS}),
    State.QUARANTINED: frozenset({State.VERIFIED, State.INVALIDATED, *_ENDINGS}),
    State.WITHDRAWN: frozenset({State.PENDING, *_ENDINGS}),
    State.DISCARDED: frozenset({State.PENDING, *_ENDINGS}),
    State.INVALIDATED: frozenset(_ENDINGS),
}
# Only a verified signature is counted (the contract's rule); the tally and the recount use this.
COUNTED = frozenset({State.VERIFIED})
# What a counted signature keeps of what it is counted under, where its own field is gone:
# `counted_country` once anonymisation erased `country`; the rest only on signatures the
# tally marked (`counted`) before it counted from the stream's images. A new verification
# clears them all: it counts under what the signature holds then.
COUNTED_UNDER = ("counted", "counted_hour", "counted_source", "counted_country", "counted_kind")
# The signer has confirmed: a repeat submission gets "you have already signed".
CONFIRMED = frozenset({State.VERIFIED, State.QUARANTINED})
# Nothing of the signer is left: their link no longer works and they may sign afresh.
ERASED = frozenset({State.WITHDRAWN, State.DISCARDED})


def moves_to(target: State) -> tuple[State, ...]:
    """The states a signature may be in to move to `target`, in a stable order."""
    return tuple(state for state in State if target in TRANSITIONS[state])


def may_restart(state: str) -> bool:
    """A stored signature in this state is started afresh by a new submission."""
    return state in ERASED


def is_counted(state: str | None) -> bool:
    return state in COUNTED


# When a field is erased: never, when the signature ends (withdrawn, discarded,
# invalidated), or then and also when the retention period anonymises it.
NEVER, ON_ENDING, ALWAYS = "never", "on_ending", "always"


@dataclass(frozen=True)
class Field:
    name: str
    # Tells who signed: erased whenever a signature ends or is anonymised.
    personal: bool = False
    # Copied from the signer's submission (`SignatureRequest` has a field of this name).
    submitted: bool = False
    # Worked out from the submission by a rule (`SignatureRequest` has a property of this name).
    derived: bool = False
    # Its key on the public list (shown only with the signer's consent), and in exports.
    public_as: str | None = None
    exported_as: str | None = None
    # Shown to an organiser reviewing signatures.
    reviewable: bool = False
    erased: str = NEVER
    # A signature started afresh (after a withdrawal, say) starts without it.
    cleared_on_restart: bool = False
    # Its type on the public list (OpenAPI).
    public_type: Any = None

    @property
    def erased_on_ending(self) -> bool:
        return self.personal or self.erased in (ON_ENDING, ALWAYS)

    @property
    def erased_on_anonymisation(self) -> bool:
        return self.personal or self.erased == ALWAYS


FIELDS: tuple[Field, ...] = (
    Field("name", personal=True, submitted=True, public_as="name", exported_as="name", reviewable=True, public_type=str),
    Field("organisation", personal=True, submitted=True, public_as="organisation", exported_as="organisation", reviewable=True, public_type=str | None),
    Field("role", personal=True, submitted=True, public_as="role", exported_as="role", reviewable=True, public_type=str | None),
    Field("country", personal=True, submitted=True, public_as="country", exported_as="country", reviewable=True, public_type=str | None),
    # Who signs: "person" or "organisation" (signed through one of its people). Not personal:
    # it tells nothing about who signed, and the tally counts organisations by it.
    Field("kind", derived=True, public_as="kind", exported_as="kind", reviewable=True, public_type=Literal["person", "organisation"]),
    # Only an organisation's signature keeps it, and only where anyone could not have an
    # address there (see `addresses.organisation_domain`); confirming the address proves
    # it. Personal like the address it comes from: shown only with `public`, erased with
    # the signer's data. A person's domain is never stored.
    Field(
        "organisation_domain", personal=True, derived=True, public_as="organisation_domain",
        exported_as="organisation_domain", reviewable=True, public_type=str | None,
    ),
    # Stored only where the signer agreed to hear from the organiser (see `keeps_email`).
    Field("email", personal=True, exported_as="email", reviewable=True),
    Field("comment", personal=True, submitted=True, reviewable=True),
    Field("public", submitted=True, exported_as="public", reviewable=True, erased=ON_ENDING),
    Field("updates", submitted=True, exported_as="updates", reviewable=True, erased=ON_ENDING),
    Field("locale", personal=True, submitted=True, exported_as="locale"),
    # Keyed hashes: with the rest they could narrow down who signed.
    Field("domain_hash", personal=True),
    Field("caller_hash", personal=True, reviewable=True),
    Field("source", submitted=True, exported_as="source", reviewable=True, cleared_on_restart=True),
    Field("verified_at", public_as="signed_at", exported_as="signed_at", reviewable=True, cleared_on_restart=True, public_type=str),
    Field("created_at", reviewable=True),
    Field("hidden", reviewable=True),
    # An organiser shows it first (on the list's `featured=true`); ends with the signature.
    Field("featured", public_as="featured", exported_as="featured", reviewable=True, erased=ON_ENDING, cleared_on_restart=True, public_type=bool),
    Field("quarantined", cleared_on_restart=True),
    Field("released_at", cleared_on_restart=True),
    Field("withdrawn_at", cleared_on_restart=True),
    # The public listing (a sparse index): gone with the personal data.
    Field("listed_in", erased=ALWAYS),
    Field("listed_at", erased=ALWAYS),
    # An organisation's listing among organisations (people listed before carry theirs
    # too), and the listing among the featured: sparse indexes of their own.
    Field("listed_kind", erased=ALWAYS),
    Field("featured_in", erased=ALWAYS),
    Field("expires_at", erased=ON_ENDING),
    # When it last changed in a way that may move the count: the recount waits for it to settle.
    Field("changed_at"),
    # What it is counted under where its own field is gone (`COUNTED_UNDER`): the country of
    # an anonymised signature, and the marks the tally set before it read the stream's images.
    # The withdrawal's old image still holds them for the tally.
    *(Field(name, erased=ON_ENDING) for name in COUNTED_UNDER),
)

PERSONAL = tuple(field.name for field in FIELDS if field.personal)
SUBMITTED = tuple(field.name for field in FIELDS if field.submitted)
DERIVED = tuple(field.name for field in FIELDS if field.derived)
# What a new signature takes from its submission: what the signer gave and what follows from it.
FROM_SUBMISSION = SUBMITTED + DERIVED
ERASED_ON_ENDING = tuple(field.name for field in FIELDS if field.erased_on_ending)
ERASED_ON_ANONYMISATION = tuple(field.name for field in FIELDS if field.erased_on_anonymisation)
CLEARED_ON_RESTART = tuple(dict.fromkeys([*PERSONAL, *FROM_SUBMISSION, *(f.name for f in FIELDS if f.cleared_on_restart)]))
REVIEWED = tuple(field.name for field in FIELDS if field.reviewable)
EXPORTED = tuple(field.name for field in FIELDS if field.exported_as)
EXPORT_COLUMNS = tuple(field.exported_as for field in FIELDS if field.exported_as)
_BOOLEANS = ("public", "updates", "hidden", "featured")
PERSON, ORGANISATION = "person", "organisation"


def keeps_email(updates: bool) -> bool:
    """The address is stored only where its owner agreed to hear from the organiser."""
    return bool(updates)


def _email_if_consented(item: dict[str, Any]) -> str | None:
    return item.get("email") if keeps_email(item.get("updates")) else None


def kind_of(item: dict[str, Any]) -> str:
    """Signatures stored before organisations could sign are people's."""
    return ORGANISATION if item.get("kind") == ORGANISATION else PERSON


def _who_signed(view: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    view["kind"] = kind_of(item)
    # A domain belongs beside an organisation only: a person's is never shown.
    if view["kind"] != ORGANISATION:
        view["organisation_domain"] = None
    view["featured"] = bool(item.get("featured"))
    return view


def public_view(item: dict[str, Any]) -> dict[str, Any]:
    """A signatory as the public list shows it: every key present, `null` where none."""
    view = {field.public_as: item.get(field.name) for field in FIELDS if field.public_as}
    view["name"] = view["name"] or ""
    return _who_signed(view, item)


def export_row(item: dict[str, Any]) -> dict[str, Any]:
    """A verified signer as an export carries them: only what they consented to share."""
    row = {field.exported_as: item.get(field.name) for field in FIELDS if field.exported_as}
    row["name"] = row["name"] or ""
    row["email"] = _email_if_consented(item)
    row["public"], row["updates"] = bool(item.get("public")), bool(item.get("updates"))
    return _who_signed(row, item)


def review_view(item: dict[str, Any]) -> dict[str, Any]:
    """A signature as an organiser reviews it."""
    view = {"signer": item["signer"], "signature_id": item.get("sid"), "state": item.get("state")}
    view.update({name: item.get(name) for name in REVIEWED})
    view["email"] = _email_if_consented(item)
    view.update({name: bool(item.get(name)) for name in _BOOLEANS})
    view["kind"] = kind_of(item)
    # Until its owner confirms the address, the domain is only claimed.
    if item.get("state") not in CONFIRMED:
        view["organisation_domain"] = None
    return view
