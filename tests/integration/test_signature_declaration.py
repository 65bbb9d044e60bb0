"""The signature's one declaration (`signature.FIELDS`) is what erasure, export, review and
the public list follow. These tests are computed from it: a field added there is covered
here without touching this file."""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable

import pytest

from integration.safety_helpers import only_signature, stored_campaign
from undersigned.admin import Organiser
from undersigned.campaign import utc_now
from undersigned.signature import (
    ERASED_ON_ENDING,
    EXPORT_COLUMNS,
    FIELDS,
    PERSONAL,
    SUBMITTED,
    State,
    export_row,
    public_view,
    review_view,
)
from undersigned.store.signatures import Signatures
from undersigned.submission import SignatureRequest

SIGNER, SID = "signer-with-everything", "sid-everything"
BOOLEANS = {"public", "updates", "hidden", "quarantined"}


def every_field_filled(state: State) -> dict[str, Any]:
    """A signature holding a value in every declared field."""
    now = int(time.time())
    values: dict[str, Any] = {field.name: f"value of {field.name}" for field in FIELDS}
    values.update({name: True for name in BOOLEANS})
    values.update(
        sid=SID,
        state=state,
        created_at="2026-11-28T12:00:00Z",
        expires_at=now + 86400,
        listed_in="demo",
        listed_at=f"2026-11-28T12:00:00.000000Z#{SID}",
    )
    return values


def withdraw(store: Signatures) -> None:
    assert store.withdraw(stored_campaign(), SIGNER, SID, "2026-11-28T13:00:00Z")


def discard(store: Signatures) -> None:
    Organiser("arn:aws:iam::123456789012:user/reviewer", utc_now()).discard("demo", SIGNER)


def invalidate(store: Signatures) -> None:
    answer = Organiser("arn:aws:iam::123456789012:user/reviewer", utc_now()).invalidate(
        "demo", {"created_from": "2026-11-28T00:00:00Z"}
    )
    assert answer["invalidated"] == 1


def anonymise(store: Signatures) -> None:
    store.anonymise(stored_campaign(), SIGNER, "2026-11-28T13:00:00Z")


ERASURES: dict[str, tuple[Callable[[Signatures], None], bool]] = {
    "withdrawal": (withdraw, True),
    "discard": (discard, True),
    "invalidation": (invalidate, True),
    "anonymisation": (anonymise, False),
}


@pytest.mark.parametrize("way", ERASURES)
def test_every_personal_field_is_erased_by_each_way_a_signature_loses_its_signer(way, demo):
    erase, ends_it = ERASURES[way]
    store = Signatures()
    store.start(stored_campaign(), SIGNER, every_field_filled(State.QUARANTINED), time.time())
    assert set(PERSONAL) <= set(only_signature()), "the fixture fills every personal field"

    erase(store)

    kept = only_signature()
    assert [name for name in PERSONAL if name in kept] == []
    assert "listed_in" not in kept and "listed_at" not in kept, "off the public list too"
    if ends_it:
        assert [name for name in ERASED_ON_ENDING if name in kept] == []
    else:
        assert kept["state"] == State.QUARANTINED, "anonymisation keeps the state (and the count)"


def test_every_submitted_field_is_one_a_signer_can_send():
    assert set(SUBMITTED) <= {field.name for field in dataclasses.fields(SignatureRequest)}


def test_the_public_list_shows_only_public_fields_and_never_an_address_or_comment():
    item = every_field_filled(State.VERIFIED)
    shown = public_view(item)
    assert set(shown) == {field.public_as for field in FIELDS if field.public_as}
    assert not {"email", "comment", "caller_hash", "domain_hash", "locale"} & set(shown)
    assert not any(value in str(shown) for value in (item["email"], item["comment"]))


def test_an_export_carries_the_address_only_with_consent_to_updates():
    item = every_field_filled(State.VERIFIED)
    assert list(export_row(item)) == list(EXPORT_COLUMNS)
    assert export_row(item)["email"] == item["email"]
    assert export_row({**item, "updates": False})["email"] is None
    assert review_view({**item, "updates": False, "signer": SIGNER})["email"] is None
