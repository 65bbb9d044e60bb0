"""Trust and safety on DynamoDB Local: the rate-limit and mail counters are atomic
across threads, a challenge is used once however many race for it, and quarantine,
release, discard and anonymisation keep the count exact with real streams."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from fidelity.counting import Recount, count, recount, signatures_of
from undersigned import limits
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
    assert store.release(campaign, quarantined[0], format_instant(now), now.timestamp())
    assert store.discard(campaign, quarantined[1], format_instant(now))
    mapping.drain()
    assert count(campaign) == 5
    assert recount(dynamodb, campaign) == Recount(verified=5, marked=5, marked_but_not_verified=0)

    later = closes + timedelta(days=1, minutes=1)
    run = anonymise_due(later, lambda: 600.0)
    assert run.signatures == 6 and run.finished
    mapping.drain()
    assert count(campaign) == 5
    assert recount(dynamodb, campaign) == Recount(verified=5, marked=5, marked_but_not_verified=0)
    assert not any("name" in item for item in signatures_of(dynamodb, campaign))
    assert store.public(campaign, 10, None).items == []
