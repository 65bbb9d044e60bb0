"""The count is exact under redelivery, split batches, concurrency and moto's stream quirks,
and moves with one write per campaign per batch."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

import boto3
from botocore.exceptions import ConnectionClosedError
import pytest

from integration.dynamodb_faults import Throttling
from integration.safety_helpers import Clock, make_legacy, signature_key
from integration.test_signing_journey import count, sign, verify
from undersigned import aws
from undersigned.campaign_file import put_campaign
from undersigned.store.signatures import campaign_id_of
from undersigned.tally import chunks, tally_records


def verified_signers(api, mailbox, how_many: int, campaign: str = "demo", prefix: str = "s") -> list:
    mails = []
    for number in range(how_many):
        email = f"{prefix}{number}@example.org"
        sign(api, {"name": f"Signer {number}", "email": email}, campaign=campaign)
        mails.append(mailbox.last_to(email))
    for mail in mails:
        verify(api, mail.token("/verify"))
    return mails


@contextmanager
def on_calls(event: str, operation: str, handler) -> Iterator[None]:
    """`handler` on the functions' DynamoDB client at `event` of every call of `operation`."""
    client = aws.client("dynamodb")
    client.meta.events.register(f"{event}.dynamodb.{operation}", handler)
    try:
        yield
    finally:
        client.meta.events.unregister(f"{event}.dynamodb.{operation}", handler)


def on_transactions(event: str, handler):
    """`handler` at `event` of every TransactWriteItems."""
    return on_calls(event, "TransactWriteItems", handler)


def test_a_batch_delivered_twice_counts_once(api, demo, mailbox, stream):
    verified_signers(api, mailbox, 3)
    records = stream.read()
    assert stream.deliver(records) == {"batchItemFailures": []}
    assert count(api) == 3
    assert stream.deliver(records) == {"batchItemFailures": []}
    assert count(api) == 3
    stream.drain()
    assert count(api) == 3


def retried_from_a_failure_of(stream, campaign: str, records: list) -> list:
    """Delivers the records with `campaign`'s count transactions throttled, and returns what
    the mapping delivers again: every record from the earliest failed one on."""
    # Its transactions refused as DynamoDB does when over capacity, after botocore's retries.
    throttling = Throttling(aws.client("dynamodb"), operations=("TransactWriteItems",), campaigns=(campaign,))
    failed = {failure["itemIdentifier"] for failure in stream.deliver(records)["batchItemFailures"]}
    throttling.stop()
    assert failed and throttling.refused
    of_campaign = {record["dynamodb"]["SequenceNumber"] for record in records if campaign_id_of(record["dynamodb"]["Keys"]["campaign_id"]["S"]) == campaign}
    assert failed <= of_campaign, "only the throttled campaign's records are reported"
    return records[next(i for i, record in enumerate(records) if record["dynamodb"]["SequenceNumber"] in failed) :]


def cancelling_out(records: list, partition: str) -> bool:
    """Whether the partition's records in `records` net to nothing: one chunk that moves nothing."""
    (tally,) = [tally for tally in tally_records(records).tallies if tally.partition == partition]
    found = chunks(tally.changes)
    return len(found) == 1 and not found[0].moves


def test_a_batch_split_after_a_partial_failure_counts_each_signature_once(api, demo, mailbox, stream):
    put_campaign({"id": "second", "title": "t", "statement": "s"})
    verified_signers(api, mailbox, 2)
    verified_signers(api, mailbox, 2, campaign="second", prefix="b")
    records = stream.read()

    again = retried_from_a_failure_of(stream, "second", records)
    assert count(api) == 2 and count(api, "second") == 0
    assert stream.deliver(again) == {"batchItemFailures": []}
    stream.drain()
    assert count(api) == 2 and count(api, "second") == 2


def test_a_signature_verified_and_withdrawn_in_one_batch_stays_uncounted_when_retried_from_between(api, demo, mailbox, stream):
    put_campaign({"id": "second", "title": "t", "statement": "s"})
    sign(api, {"name": "Signer S", "email": "s@example.org"})
    mail = mailbox.last_to("s@example.org")
    verify(api, mail.token("/verify"))
    # Another campaign's records between the verification and the withdrawal.
    verified_signers(api, mailbox, 1, campaign="second", prefix="t")
    api.post("/withdraw", json_body={"token": mail.token("/withdraw")})
    records = stream.read()
    assert cancelling_out(records, next(t.partition for t in tally_records(records).tallies if t.campaign_id == "demo"))
    again = retried_from_a_failure_of(stream, "second", records)
    assert count(api) == 0
    assert any(campaign_id_of(record["dynamodb"]["Keys"]["campaign_id"]["S"]) == "demo" for record in again), "the withdrawal comes again"
    assert stream.deliver(again) == {"batchItemFailures": []}
    stream.drain()
    assert count(api, "second") == 1
    assert count(api) == 0, "verified and withdrawn: nothing to count"


def test_a_withdrawal_and_a_verification_that_cancel_out_survive_a_retry_from_between(api, demo, mailbox, stream, monkeypatch):
    Clock.at_next_hour(monkeypatch)  # both verifications in one hour: their counters cancel out too
    put_campaign({"id": "onekey", "title": "t", "statement": "s"})
    make_legacy("onekey")  # one key: both signers' records in one partition
    put_campaign({"id": "second", "title": "t", "statement": "s"})
    (mail_a,) = verified_signers(api, mailbox, 1, campaign="onekey", prefix="a")
    sign(api, {"name": "Signer B", "email": "b@example.org"}, campaign="onekey")
    mail_b = mailbox.last_to("b@example.org")
    stream.drain()
    assert count(api, "onekey") == 1
    # A out, B in (the same hour: -1 and +1), another campaign's records between them.
    api.post("/withdraw", json_body={"token": mail_a.token("/withdraw")})
    verified_signers(api, mailbox, 1, campaign="second", prefix="t")
    verify(api, mail_b.token("/verify"))
    records = stream.read()
    assert cancelling_out(records, "onekey")
    again = retried_from_a_failure_of(stream, "second", records)
    assert count(api, "onekey") == 1
    assert stream.deliver(again) == {"batchItemFailures": []}
    stream.drain()
    assert count(api, "second") == 1
    assert count(api, "onekey") == 1, "B verified, A withdrawn"


def test_a_position_another_delivery_moved_past_the_same_records_first_is_read_again_and_applies_nothing(api, demo, mailbox, stream):
    make_legacy()  # one partition: the campaign's own key
    (mail,) = verified_signers(api, mailbox, 1)
    api.post("/withdraw", json_body={"token": mail.token("/withdraw")})
    records = stream.read()
    assert cancelling_out(records, "demo")
    other: list = []

    def another_delivery_lands_first(params, **_):
        if not other and json.loads(params["body"])["Key"]["counter"]["S"] == "applied":
            other.append("delivering")
            other[0] = stream.deliver(records)

    with on_calls("before-call", "UpdateItem", another_delivery_lands_first):
        answer = stream.deliver(records)
    assert other == [{"batchItemFailures": []}], "the other delivery moved the position"
    assert answer == {"batchItemFailures": []}, "refused, read again: nothing left to apply"
    assert count(api) == 0
    assert stream.deliver(records[-1:]) == {"batchItemFailures": []}
    assert count(api) == 0


def test_a_late_duplicate_of_a_batch_never_counts_a_signature_withdrawn_since(api, demo, mailbox, stream, caplog):
    (mail,) = verified_signers(api, mailbox, 1)
    first_batch = stream.read()
    assert stream.deliver(first_batch) == {"batchItemFailures": []}
    api.post("/withdraw", json_body={"token": mail.token("/withdraw")})
    stream.drain()
    assert count(api) == 0
    caplog.clear()
    assert stream.deliver(first_batch) == {"batchItemFailures": []}
    assert count(api) == 0
    # Placed by its sequence numbers (it does not hold the applied record), and said so.
    (line,) = [record for record in caplog.records if record.getMessage() == "stream records behind the applied position"]
    assert line.records >= 1 and line.partition.startswith("demo#")


def test_concurrent_verifications_and_withdrawals_leave_an_exact_count(api, demo, mailbox, stream):
    mails = []
    for number in range(30):
        email = f"c{number}@example.org"
        sign(api, {"name": f"C {number}", "email": email})
        mails.append(mailbox.last_to(email))

    def verify_then_maybe_withdraw(numbered):
        number, mail = numbered
        verify(api, mail.token("/verify"))
        verify(api, mail.token("/verify"))
        if number % 3 == 0:
            api.post("/withdraw", json_body={"token": mail.token("/withdraw")})

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(verify_then_maybe_withdraw, enumerate(mails)))
    stream.drain()
    assert count(api) == 20


def transactions_to_count(stream, records) -> list:
    calls = []
    client = aws.client("dynamodb")
    client.meta.events.register("before-call.dynamodb.TransactWriteItems", lambda **kwargs: calls.append(1))
    client.meta.events.register("before-call.dynamodb.UpdateItem", lambda **kwargs: calls.append("update"))
    stream.deliver(records)
    return calls


def test_many_verifications_move_the_count_with_one_transaction_per_partition_batch(api, demo, mailbox, stream):
    verified_signers(api, mailbox, 120)
    records = stream.read()
    partitions = {record["dynamodb"]["Keys"]["campaign_id"]["S"] for record in records}
    assert len(partitions) > 1, "a new campaign's signatures are spread"
    # No per-signature write: one transaction per partition.
    assert transactions_to_count(stream, records) == [1] * len(partitions)
    assert count(api) == 120


def test_a_campaign_on_its_one_key_counts_a_batch_in_one_transaction(api, demo, mailbox, stream):
    make_legacy()
    verified_signers(api, mailbox, 120)
    records = stream.read()
    assert {record["dynamodb"]["Keys"]["campaign_id"]["S"] for record in records} == {"demo"}
    # 120 verifications, nothing written on them: the count, its hour and its position.
    assert transactions_to_count(stream, records) == [1]
    assert count(api) == 120


def test_items_rewritten_without_change_do_not_move_the_count(api, demo, mailbox, stream):
    verified_signers(api, mailbox, 1)
    stream.drain()
    dynamodb = boto3.client("dynamodb")
    items = dynamodb.scan(TableName="undersigned-SignaturesTable")["Items"]
    for item in items:
        dynamodb.put_item(TableName="undersigned-SignaturesTable", Item=item)  # moto: emits MODIFY
    stream.drain()
    assert count(api) == 1


@pytest.mark.parametrize("state", ["pending", "withdrawn", "quarantined"])
def test_only_verified_signatures_are_counted(api, demo, stream, state):
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_item(  # moto: an UpdateItem that creates emits two INSERTs
        TableName="undersigned-SignaturesTable",
        Key=signature_key("someone"),
        UpdateExpression="SET #s = :s, sid = :sid",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":s": {"S": state}, ":sid": {"S": "x"}},
    )
    stream.drain()
    assert count(api) == 0
    dynamodb.update_item(
        TableName="undersigned-SignaturesTable",
        Key=signature_key("someone"),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":s": {"S": "verified"}},
    )
    stream.drain()
    assert count(api) == 1



def test_an_answer_lost_after_the_count_transaction_committed_counts_once_on_redelivery(api, demo, mailbox, stream):
    verified_signers(api, mailbox, 3)
    records = stream.read()
    committed = []

    def connection_lost_after_commit(http_response, **_):
        # The first TransactWriteItems landed in the table; its caller sees only a dropped connection.
        if http_response.status_code == 200 and not committed:
            committed.append(1)
            raise ConnectionClosedError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com")

    with on_transactions("after-call", connection_lost_after_commit):
        answer = stream.deliver(records)

    assert committed and answer["batchItemFailures"], "the tally reported the batch it could not confirm"
    assert count(api) == 3, "the commit stands"
    # The mapping delivers the batch again from the failed record.
    failed = answer["batchItemFailures"][0]["itemIdentifier"]
    position = next(i for i, record in enumerate(records) if record["dynamodb"]["SequenceNumber"] == failed)
    assert stream.deliver(records[position:]) == {"batchItemFailures": []}
    stream.drain()
    assert count(api) == 3


def test_a_position_that_keeps_moving_under_the_tally_fails_the_partition_for_the_mapping_to_retry(api, demo, mailbox, stream):
    """Another invocation moving a partition's position between the tally's read and its
    transaction refuses the transaction; past a few re-reads the partition is reported as
    failed, nothing counted, and the mapping's retry counts it once."""
    make_legacy()  # one partition: the campaign's own key
    verified_signers(api, mailbox, 2)
    records = stream.read()
    another = boto3.client("dynamodb")
    moved = []

    def another_invocation_moves_the_position(**_):
        moved.append(1)
        another.put_item(
            TableName="undersigned-CountersTable",
            Item={"campaign_id": {"S": "demo"}, "counter": {"S": "applied"}, "applied_seq": {"S": str(len(moved))}},
        )

    with on_transactions("before-call", another_invocation_moves_the_position):
        answer = stream.deliver(records)
    assert len(moved) == 5, "read again and tried again, a few times"
    assert answer == {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    assert count(api) == 0
    assert stream.deliver(records) == {"batchItemFailures": []}
    assert count(api) == 2
