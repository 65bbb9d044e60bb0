"""After a campaign's retention period the hourly job anonymises its signatures: the
signers' details go, the count stays."""

from __future__ import annotations

import pytest

from integration.conftest import DEMO
from integration.safety_helpers import Clock, DynamoCalls, count, items, listed_names, run_retention, sign, signatures, verify
from roles import ungranted
from undersigned.campaign import format_instant
from undersigned.campaign_file import put_campaign
from undersigned.retention import anonymise_due
from undersigned.store.counters import Counters

DAY = 86400
PERSONAL = ("name", "email", "organisation", "role", "country", "comment", "locale", "listed_in", "listed_at")


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock.at_next_hour(monkeypatch)


@pytest.fixture
def signed(api, embedded_aws, mailbox, stream, clock):
    """A campaign closing in an hour, kept 30 days after: two verified signers (one on
    the public list), one still pending."""
    put_campaign({**DEMO, "closes_at": format_instant(_instant(clock.epoch + 3600)), "retention_days": 30})
    for number, public in ((1, True), (2, False), (3, False)):
        sign(api, {"name": f"Signer {number}", "email": f"s{number}@example.org", "public": public,
                   "organisation": "Org", "comment": "words", "updates": True, "country": "UA"})
    verify(api, mailbox, "s1@example.org")
    verify(api, mailbox, "s2@example.org")
    stream.drain()
    assert count(api) == 2


def _instant(epoch: float):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc)


def test_signatures_are_anonymised_after_the_retention_period_and_the_count_stays(api, signed, clock, stream):
    clock.advance(3600 + 30 * DAY + 60)
    assert run_retention() == {"campaigns": 1, "signatures": 3, "finished": True}
    stream.drain()
    assert count(api) == 2
    stored = signatures()
    assert sorted(item["state"] for item in stored) == ["pending", "verified", "verified"]
    assert [item.get("counted_country") for item in stored if item["state"] == "verified"] == ["UA", "UA"], "counted under"
    assert Counters().countries("demo") == {"UA": 2}, "the country stays counted"
    for item in stored:
        assert not set(PERSONAL) & set(item), item
    assert listed_names(api) == []
    assert "Signer" not in str(items("SignaturesTable"))


def test_a_withdrawal_after_anonymisation_takes_its_country_down_with_it(api, signed, clock, mailbox, stream):
    clock.advance(3600 + 30 * DAY + 60)
    run_retention()
    stream.drain()
    answer = api.post("/withdraw", json_body={"token": mailbox.last_to("s1@example.org").token("/withdraw")})
    assert answer.status == 200
    stream.drain()
    assert count(api) == 1 and Counters().countries("demo") == {"UA": 1}
    assert [item.get("counted_country") for item in signatures() if item["state"] == "withdrawn"] == [None], "erased with it"


def test_a_second_run_finds_nothing_left_to_do(api, signed, clock):
    clock.advance(3600 + 30 * DAY + 60)
    run_retention()
    assert run_retention() == {"campaigns": 0, "signatures": 0, "finished": True}


def test_nothing_is_touched_before_the_period_ends(api, signed, clock):
    clock.advance(3600 + 29 * DAY)
    assert run_retention()["signatures"] == 0
    assert listed_names(api) == ["Signer 1"]
    assert all("name" in item for item in signatures())


def test_an_open_campaign_keeps_its_signers(api, demo, mailbox, clock):
    sign(api, {"name": "Olga", "email": "olga@example.org"})
    clock.advance(400 * DAY)
    assert run_retention()["signatures"] == 0
    assert signatures()[0]["name"] == "Olga"


def test_a_campaign_closed_by_hand_counts_from_its_closing(api, demo, mailbox, clock):
    put_campaign({**DEMO, "retention_days": 7})
    sign(api, {"name": "Olga", "email": "olga@example.org"})
    put_campaign({**DEMO, "retention_days": 7, "closed": True})
    clock.advance(6 * DAY)
    assert run_retention()["signatures"] == 0
    clock.advance(2 * DAY)
    assert run_retention()["signatures"] == 1


def test_a_run_short_of_time_stops_and_the_next_carries_on(api, signed, clock):
    clock.advance(3600 + 30 * DAY + 60)
    budget = iter([100, 100, 0])
    first = anonymise_due(_instant(clock.epoch), lambda: next(budget, 0))
    assert (first.signatures, first.finished) == (2, False)
    assert run_retention() == {"campaigns": 1, "signatures": 1, "finished": True}


def test_the_retention_job_makes_only_calls_its_role_allows(api, signed, clock):
    # Moto grants everything; AWS refuses what the role does not name, and a refused job
    # anonymises nothing, ever: the signers' details outlive the retention period.
    clock.advance(3600 + 30 * DAY + 60)
    with DynamoCalls() as recorded:
        assert run_retention()["signatures"] == 3
    assert recorded.calls
    assert ungranted("RetentionFunction", recorded.calls) == []
