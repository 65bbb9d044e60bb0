"""Trust and safety on DynamoDB Local: the rate-limit and mail counters are atomic
across threads, a challenge is used once however many race for it, an outbox message is
emailed once however many deliveries of it race, and quarantine, release, discard and
anonymisation keep the count exact with real streams."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from fidelity.counting import Recount, count, recount, signatures_of
from integration.safety_helpers import Clock, stored_campaign
from undersigned import aws, limits, mail, sender
from undersigned import outbox as outbox_queue
from undersigned.campaign import format_instant, utc_now
from undersigned.campaign_file import put_campaign
from undersigned.keys import keys
from undersigned.retention import anonymise_due
from undersigned.store.campaigns import Campaigns
from undersigned.store.ledger import Ledger
from undersigned.store.signatures import Signatures

pytestmark = pytest.mark.fidelity


def run_together(calls, workers: int = 8) -> list:
    start = threading.Barrier(workers)

    def call(index: int):
        if index < workers:
            start.wait()
        return calls[index]()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(call, range(len(calls))))


def test_a_callers_submissions_racing_each_other_are_each_counted_once(new_campaign):
    campaign = Campaigns().existing(new_campaign(burst_limit=10, hourly_limit=1000))
    now = time.time() // 60 * 60 + 1  # one window for all
    verdicts = run_together([lambda: limits.admit(campaign, "198.51.100.8", keys(), Ledger(), now) for _ in range(40)])
    assert verdicts.count(True) == 10 and verdicts.count(False) == 30


def test_only_one_of_many_racing_claims_on_a_challenge_wins(core_on_dynamodb_local):
    name = f"pow#{uuid.uuid4().hex}"
    won = run_together([lambda: Ledger().claim_once(name, int(time.time()) + 600) for _ in range(24)])
    assert won.count(True) == 1


@pytest.fixture
def queued(outbox, monkeypatch: pytest.MonkeyPatch) -> list[outbox_queue.Outgoing]:
    """The outbox's messages, held rather than sent: each test delivers them as SQS might."""
    held: list[outbox_queue.Outgoing] = []
    monkeypatch.setattr(outbox_queue, "post", held.append)
    return held


def test_duplicate_deliveries_of_one_message_racing_each_other_send_one_email(signers, outbox, queued, new_campaign):
    signers.submit(new_campaign(), "racer@example.org")
    (message,) = queued
    outcomes = run_together([lambda: sender.deliver_one(message) for _ in range(16)])
    assert len(outbox.sent["racer@example.org"]) == 1
    assert outcomes.count(sender.Outcome.SENT) == 1
    assert set(outcomes) <= {sender.Outcome.SENT, sender.Outcome.BUSY, sender.Outcome.ALREADY_SENT}


def test_a_claim_whose_instance_died_is_taken_again_after_its_lease_and_counted_once(
    signers, outbox, queued, new_campaign, monkeypatch
):
    clock = Clock.at_next_hour(monkeypatch)
    campaign = new_campaign()
    signers.submit(campaign, "ada@example.org")
    (message,) = queued

    def instance_dies(*_: object, **__: object) -> None:
        raise TimeoutError("the function timed out mid-send")

    with monkeypatch.context() as dying:
        dying.setattr(mail, "send", instance_dies)
        with pytest.raises(TimeoutError):
            sender.deliver_one(message)
    assert sender.deliver_one(message) is sender.Outcome.BUSY, "held while its lease lasts"
    clock.advance(sender.LEASE_SECONDS + 1)
    assert sender.deliver_one(message) is sender.Outcome.SENT
    # The day's cap counted that email once: the rest of the day's allowance still goes.
    for _ in range(limits.MAILS_PER_SIGNATURE_PER_DAY):
        signers.submit(campaign, "ada@example.org")
    for later in queued[1:]:
        sender.deliver_one(later)
    assert len(outbox.sent["ada@example.org"]) == limits.MAILS_PER_SIGNATURE_PER_DAY


def test_an_address_at_its_daily_cap_costs_one_write_unit_an_email(signers, outbox, new_campaign):
    """The day's counter item keeps the ids of the messages it emailed: at the address's cap
    it holds its most and stops growing, since a claim past the cap writes nothing."""
    units: list[float] = []

    def ask(params: dict, context: dict, **_: object) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"
        context["mail_counter"] = params["Key"].get("id", {}).get("S", "").startswith("mail#")

    def record(parsed: dict, context: dict, **_: object) -> None:
        if context.get("mail_counter") and "ConsumedCapacity" in parsed:
            units.append(parsed["ConsumedCapacity"]["CapacityUnits"])

    client = aws.client("dynamodb")
    client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", ask)
    client.meta.events.register("after-call.dynamodb.UpdateItem", record)
    campaigns = [new_campaign() for _ in range(4)]
    for campaign in campaigns:
        for _ in range(limits.MAILS_PER_SIGNATURE_PER_DAY):
            signers.submit(campaign, "busy@example.org")
    assert len(outbox.sent["busy@example.org"]) == limits.MAILS_PER_ADDRESS_PER_DAY
    assert units and set(units) == {1.0}


def test_quarantine_release_discard_and_anonymisation_keep_the_count_exact(
    signers, new_campaign, mapping, dynamodb
):
    closes = utc_now() + timedelta(seconds=2)
    campaign = new_campaign(closes_at=format_instant(closes), retention_days=1, public_signatories=True)
    for number in range(4):
        signers.sign(campaign, f"ok{number}@example.org", public=True)
    for number in range(3):
        signers.sign(campaign, f"q{number}@mailinator.com", public=True)
    mapping.drain()
    assert count(campaign) == 4
    quarantined = [item["signer"]["S"] for item in signatures_of(dynamodb, campaign) if item["state"]["S"] == "quarantined"]
    assert len(quarantined) == 3

    store, now = Signatures(), utc_now()
    assert store.release(stored_campaign(campaign), quarantined[0], format_instant(now), now.timestamp())
    assert store.discard(stored_campaign(campaign), quarantined[1], format_instant(now))
    mapping.drain()
    assert count(campaign) == 5
    assert recount(dynamodb, campaign) == Recount(verified=5)

    later = closes + timedelta(days=1, minutes=1)
    run = anonymise_due(later, lambda: 600.0)
    assert run.signatures == 6 and run.finished
    mapping.drain()
    assert count(campaign) == 5
    assert recount(dynamodb, campaign) == Recount(verified=5)
    assert not any("name" in item for item in signatures_of(dynamodb, campaign))
    assert store.public(campaign, 10, None).items == []
