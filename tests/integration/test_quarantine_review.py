"""What the organisers' review (issue 6) builds on: a quarantined signature can be
released into the count or discarded like a withdrawal."""

from __future__ import annotations

import pytest

from integration.safety_helpers import count, listed_names, only_signature, sign, stored_campaign, verify
from undersigned.store.signatures import Signatures

NOW = "2026-11-28T12:00:00Z"


@pytest.fixture
def quarantined(api, demo, mailbox):
    """One verified signature in quarantine (a throwaway mailbox), public, with a comment."""
    sign(api, {"name": "Quinn", "email": "quinn@mailinator.com", "public": True, "comment": "hello"})
    verify(api, mailbox, "quinn@mailinator.com")
    stored = only_signature()
    assert stored["state"] == "quarantined"
    return stored


def test_a_released_signature_is_counted_and_listed(api, quarantined, stream):
    stream.drain()
    assert count(api) == 0
    assert Signatures().release(stored_campaign(), quarantined["signer"], NOW, 1795867200.0)
    stream.drain()
    assert count(api) == 1
    assert listed_names(api) == ["Quinn"]
    assert only_signature()["state"] == "verified"
    assert not Signatures().release(stored_campaign(), quarantined["signer"], NOW, 1795867200.0), "only once"


def test_a_discarded_signature_is_erased_and_never_counted(api, quarantined, stream):
    assert Signatures().discard(stored_campaign(), quarantined["signer"], NOW)
    stream.drain()
    assert count(api) == 0
    stored = only_signature()
    assert stored["state"] == "discarded"
    for personal in ("name", "comment", "email", "public", "listed_in"):
        assert personal not in stored


def test_a_discarded_signature_that_was_released_leaves_the_count(api, quarantined, stream):
    Signatures().release(stored_campaign(), quarantined["signer"], NOW, 1795867200.0)
    stream.drain()
    assert count(api) == 1
    Signatures().discard(stored_campaign(), quarantined["signer"], NOW)
    stream.drain()
    assert count(api) == 0
    assert listed_names(api) == []


def test_a_discarded_signer_may_sign_afresh(api, quarantined, mailbox):
    Signatures().discard(stored_campaign(), quarantined["signer"], NOW)
    sign(api, {"name": "Quinn", "email": "quinn@mailinator.com"})
    assert "Confirm" in mailbox.last_to("quinn@mailinator.com").subject
    assert only_signature()["state"] == "pending"


def test_only_a_quarantined_signature_can_be_released(api, demo, mailbox):
    sign(api, {"name": "Pat", "email": "pat@example.org"})
    assert not Signatures().release(stored_campaign(), only_signature()["signer"], NOW, 1795867200.0), "pending"
    assert not Signatures().release(stored_campaign(), "nobody", NOW, 1795867200.0)
    assert not Signatures().discard(stored_campaign(), "nobody", NOW)
