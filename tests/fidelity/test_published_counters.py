"""Per-source counts and the hourly history on DynamoDB Local: they ride in the count's
own transactions (real 100-action limit), stay exact under racing duplicate batches,
and the recount repairs what the tally never saw."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from fidelity.counting import count
from fidelity.event_source import EventSourceMapping
from undersigned.campaign import utc_now
from undersigned.recount import recount as recount_campaign, settle_seconds
from undersigned.store.campaigns import Campaigns
from undersigned.store.counters import Counters

pytestmark = pytest.mark.fidelity


def hours_total(campaign: str) -> int:
    return sum(Counters().hours(campaign, "2000-01-01T00", "2999-12-31T23").values())


def test_a_batch_with_a_source_per_signature_fits_the_transaction_limit(signers, new_campaign, stream, mapping):
    campaign = new_campaign()
    for number in range(60):
        signers.sign(campaign, f"p{number}@example.org", source=f"partner-{number}")
    mapping.process(stream.read())
    mapping.drain()
    assert count(campaign) == 60
    sources = Counters().sources(campaign)
    assert len(sources) == 60 and set(sources.values()) == {1}
    assert hours_total(campaign) == 60


def test_racing_duplicate_batches_move_sources_and_hours_once(signers, new_campaign, stream, mapping):
    campaign = new_campaign()
    for number in range(20):
        signers.sign(campaign, f"r{number}@example.org", source="partner-a" if number % 2 else "partner-b")
    for number in range(0, 20, 5):
        signers.withdraw(f"r{number}@example.org")
    records = stream.read()
    start = threading.Barrier(6)

    def deliver_a_copy(_: int) -> None:
        start.wait()
        EventSourceMapping(stream).process(records)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(deliver_a_copy, range(6)))
    mapping.drain()
    assert count(campaign) == 16
    assert Counters().sources(campaign) == {"partner-a": 8, "partner-b": 8}
    assert hours_total(campaign) == 16


def test_the_recount_counts_what_the_tally_never_saw(signers, new_campaign, stream, mapping):
    campaign = new_campaign()
    for number in range(5):
        signers.sign(campaign, f"lost{number}@example.org", source="partner-a")
    stream.read()  # lost: never delivered
    assert count(campaign) == 0
    stored = Campaigns().existing(campaign)
    assert recount_campaign(stored, utc_now()).unsettled, "changed a moment ago: records may be on their way"
    assert count(campaign) == 0
    settled = utc_now() + timedelta(seconds=settle_seconds() + 60)
    result = recount_campaign(stored, settled)
    assert result.count_corrected_by == 5 and result.repairs == 15, "the count, the source's and the hour's counters"
    assert count(campaign) == 5 and Counters().sources(campaign) == {"partner-a": 5} and hours_total(campaign) == 5
    assert recount_campaign(stored, settled).drifted is False
