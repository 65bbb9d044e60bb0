"""A caller who submits too often is quarantined silently; a flood is refused with 429."""

from __future__ import annotations

import pytest

from integration.conftest import DEMO
from integration.safety_helpers import Clock, count, items, listed_names, sign, signatures, stored_campaign, verify
from undersigned.campaign_file import put_campaign

NGO_OFFICE = "192.0.2.44"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock.at_next_hour(monkeypatch)


@pytest.fixture
def strict(embedded_aws, clock):
    """A campaign that allows 2 submissions a minute and 4 an hour from one caller."""
    put_campaign({**DEMO, "burst_limit": 2, "hourly_limit": 4, "trusted_addresses": ["192.0.2.32/28"]})
    return DEMO


def person(number: int) -> dict[str, object]:
    return {"name": f"Person {number}", "email": f"p{number}@example.org", "public": True}


def test_within_the_limit_a_signature_counts(api, strict, mailbox, stream):
    for number in range(2):
        assert sign(api, person(number), source_ip="198.51.100.1").status == 202
        verify(api, mailbox, f"p{number}@example.org")
    stream.drain()
    assert count(api) == 2
    assert not any(item.get("quarantined") for item in signatures())


def test_over_the_limit_a_submission_is_answered_the_same_but_quarantined(api, strict, mailbox, stream):
    answers = [sign(api, person(number), source_ip="198.51.100.1") for number in range(3)]
    assert len({(answer.status, answer.text, tuple(sorted(answer.headers.items()))) for answer in answers}) == 1
    late = mailbox.last_to("p2@example.org")
    assert "Confirm your signature" in late.subject, "the owner of the address is emailed as usual"

    confirmed = verify(api, mailbox, "p2@example.org")
    assert confirmed.json() == {"status": "verified", "campaign_id": "demo"}, "the signer is not told"
    again = verify(api, mailbox, "p2@example.org")
    assert again.json()["status"] == "already_verified"
    for number in range(2):
        verify(api, mailbox, f"p{number}@example.org")
    stream.drain()

    states = {item["name"]: item["state"] for item in signatures()}
    assert states == {"Person 0": "verified", "Person 1": "verified", "Person 2": "quarantined"}
    assert count(api) == 2, "a quarantined signature is never counted"
    assert "Person 2" not in listed_names(api), "nor listed"


def test_a_quarantined_signer_who_submits_again_hears_they_have_signed(api, strict, mailbox):
    for number in range(3):
        sign(api, person(number), source_ip="198.51.100.1")
    verify(api, mailbox, "p2@example.org")
    sign(api, person(2), source_ip="203.0.113.99")
    assert "already signed" in mailbox.last_to("p2@example.org").subject


def test_far_over_the_limit_the_caller_gets_429_with_retry_after(api, strict, mailbox):
    answers = [sign(api, person(number), source_ip="198.51.100.2") for number in range(12)]
    assert [answer.status for answer in answers[:10]] == [202] * 10
    flood = answers[10]
    assert flood.status == 429
    assert flood.json()["error"]["code"] == "rate_limited"
    assert flood.header("retry-after") == "59", "until the minute's window ends"
    assert len(signatures()) == 10, "a refused submission stores nothing"
    assert not mailbox.to("p10@example.org")


def test_the_limits_are_per_caller_and_per_campaign(api, strict, mailbox):
    put_campaign({**DEMO, "id": "other-letter"})
    for number in range(2):
        sign(api, person(number), source_ip="198.51.100.3")
    sign(api, person(2), source_ip="198.51.100.4")
    sign(api, person(3), campaign="other-letter", source_ip="198.51.100.3")
    assert not any(item.get("quarantined") for item in items("SignaturesTable"))


def test_the_hourly_limit_catches_a_slow_steady_caller(api, strict, clock):
    for number in range(6):
        sign(api, person(number), source_ip="198.51.100.5")
        clock.advance(61)
    quarantined = sorted(item["name"] for item in signatures() if item.get("quarantined"))
    assert quarantined == ["Person 4", "Person 5"]


def test_a_trusted_office_behind_one_address_is_never_limited(api, strict, mailbox, stream):
    for number in range(30):
        assert sign(api, person(number), source_ip=NGO_OFFICE).status == 202
    assert not any(item.get("quarantined") for item in signatures())


def test_the_limits_keep_only_a_keyed_hash_of_the_caller_and_forget_it_with_the_hour(api, strict, clock):
    sign(api, person(1), source_ip="198.51.100.77")
    counters = [item for item in items("LimitsTable") if item["id"].startswith("rate#")]
    assert len(counters) == 1, "one item holds the hour's and the minute's counts"
    assert "198.51.100.77" not in str(counters)
    assert (counters[0]["hour"], counters[0]["minute0"]) == (1, 1)
    assert counters[0]["expires_at"] == clock.epoch - 1 + 3600, "kept until the hour ends (TTL)"


def test_a_flood_can_be_invalidated_by_its_callers_hash_and_nothing_else_keeps_it(api, strict, mailbox, stream):
    from integration.admin_client import Admin

    admin = Admin()
    for number in range(2):
        sign(api, person(number), source_ip="198.51.100.1")
    for number in range(2, 5):
        sign(api, person(number), source_ip="203.0.113.99")  # 2 within the limit, then over it
    for number in range(2, 5):
        sign(api, {**person(number), "email": f"q{number}@example.org"}, source_ip="203.0.113.99")
    stored = signatures()
    hashes = {item.get("caller_hash") for item in stored}
    assert "203.0.113.99" not in str(stored), "never the address itself"
    within = [item for item in stored if not item.get("quarantined")]
    assert within and all("caller_hash" not in item for item in within), "kept only where the limits quarantined"
    (flood_hash,) = hashes - {None}

    answer = admin.post("/admin/campaigns/demo/invalidations", {"caller_hash": flood_hash})
    assert answer.status == 200
    quarantined = [item for item in stored if item.get("quarantined")]
    assert answer.json()["invalidated"] == len(quarantined) > 0
    after = signatures()
    assert all("caller_hash" not in item for item in after), "invalidation erases it with the rest"
    assert sorted(item["state"] for item in after).count("invalidated") == len(quarantined)


def test_a_released_signature_forgets_its_callers_hash(api, strict, mailbox):
    from undersigned.store.signatures import Signatures

    for number in range(3):
        sign(api, person(number), source_ip="203.0.113.98")
    verify(api, mailbox, "p2@example.org")
    (held,) = [item for item in signatures() if item.get("caller_hash")]
    assert held["state"] == "quarantined"
    assert Signatures().release(stored_campaign(), held["signer"], "2026-11-28T12:00:00Z", 1795867200.0)
    assert all("caller_hash" not in item for item in signatures())
