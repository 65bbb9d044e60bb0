"""The count stays exact when DynamoDB Local's real stream reaches the tally more than
once: duplicate batches racing each other, and batches retried after a partial failure."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fidelity.counting import Recount, count, recount
from fidelity.event_source import EventSourceMapping
from fidelity.faults import TransactionFaults
from devstack.resources import table_name
from undersigned import aws

pytestmark = pytest.mark.fidelity


@pytest.fixture
def faults(dynamodb) -> TransactionFaults:
    return TransactionFaults(dynamodb)


def sign_many(signers, campaign_id: str, how_many: int, prefix: str = "s") -> list[str]:
    addresses = [f"{prefix}{number}@example.org" for number in range(how_many)]
    for address in addresses:
        signers.sign(campaign_id, address)
    return addresses


def test_duplicate_deliveries_of_a_batch_racing_each_other_count_each_signature_once(
    signers, new_campaign, stream, mapping, dynamodb
):
    campaign = new_campaign()
    addresses = sign_many(signers, campaign, 40)
    for address in addresses[:10]:
        signers.withdraw(address)
    records = stream.read()
    copies = 8
    start = threading.Barrier(copies)

    def deliver_a_copy(_: int) -> None:
        start.wait()
        EventSourceMapping(stream).process(records)

    with ThreadPoolExecutor(max_workers=copies) as pool:
        list(pool.map(deliver_a_copy, range(copies)))
    assert count(campaign) == 30

    mapping.drain()
    assert count(campaign) == 30
    assert recount(dynamodb, campaign) == Recount(verified=30)


def test_a_late_duplicate_of_an_older_batch_does_not_count_a_withdrawn_signature(
    signers, new_campaign, stream, mapping, dynamodb
):
    campaign = new_campaign()
    signers.sign(campaign, "late@example.org")
    first_batch = stream.read()
    mapping.process(first_batch)
    assert count(campaign) == 1
    signers.withdraw("late@example.org")
    mapping.drain()
    assert count(campaign) == 0

    # The same first batch again, after the mapping moved on (at-least-once delivery).
    mapping.process(first_batch)
    assert count(campaign) == 0
    mapping.drain()
    assert count(campaign) == 0
    assert recount(dynamodb, campaign) == Recount(verified=0)


def test_a_batch_split_after_a_partial_failure_is_retried_from_the_failed_record_and_counts_once(
    signers, new_campaign, stream, mapping, faults, dynamodb
):
    refused, lost, fine = new_campaign(), new_campaign(), new_campaign()
    for number in range(12):
        # Interleaved, so the retry from the failed record replays the others' records too.
        for campaign in (refused, lost, fine):
            signers.sign(campaign, f"{campaign}-{number}@example.org")
    faults.refuse(refused, call=1)
    faults.lose_answer(lost, call=1)

    mapping.drain()

    assert mapping.retries >= 1
    assert faults.calls[refused] >= 2 and faults.calls[lost] >= 2
    for campaign in (refused, lost, fine):
        assert count(campaign) == 12
        assert recount(dynamodb, campaign) == Recount(verified=12)


def test_a_campaign_whose_second_transaction_fails_is_replayed_without_counting_the_first_twice(
    signers, new_campaign, stream, mapping, faults, dynamodb
):
    campaign = new_campaign()
    # On its one key (as campaigns created before the spread are): one partition, so one
    # batch's changes are one partition's, cut where its counters fill a transaction.
    dynamodb.update_item(TableName=table_name("CampaignsTable"), Key={"campaign_id": {"S": campaign}}, UpdateExpression="REMOVE signature_shards")
    addresses = [f"v{number}@example.org" for number in range(mapping.batch_size)]
    for number, address in enumerate(addresses):
        signers.submit(campaign, address, source=f"partner-{number}")
    mapping.drain()
    for address in addresses:
        signers.verify(address)
    verifications = stream.read()
    # One full batch, a source per signature: more counters than one transaction takes.
    assert len(verifications) == mapping.batch_size
    # The first transaction (97 sources, their hour, the count and the position: DynamoDB's
    # 100 actions) lands; the second is refused.
    faults.refuse(campaign, call=faults.calls[campaign] + 2)
    sizes: list[int] = []
    aws.client("dynamodb").meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems", lambda params, **_: sizes.append(len(params["TransactItems"]))
    )

    mapping.process(verifications)

    assert max(sizes) == 100, "as full as DynamoDB takes, never more"
    assert mapping.retries >= 1
    assert count(campaign) == mapping.batch_size
    mapping.drain()
    assert count(campaign) == mapping.batch_size
    assert recount(dynamodb, campaign).verified == mapping.batch_size


def test_a_transaction_whose_answer_is_lost_and_that_botocore_sends_again_counts_once(
    signers, new_campaign, stream, mapping, faults, dynamodb
):
    campaign = new_campaign()
    sign_many(signers, campaign, 10)
    faults.drop_connection(campaign, call=1)

    mapping.drain()

    assert faults.dropped[campaign] == 1
    assert mapping.retries == 0, "botocore's own retry hid the lost answer from the tally"
    assert count(campaign) == 10
    assert recount(dynamodb, campaign) == Recount(verified=10)
