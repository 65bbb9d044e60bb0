"""A stream record the tally cannot read goes to the tally's failure queue, by its
metadata alone; it is never dropped silently and never holds up the rest of its batch."""

from __future__ import annotations

import copy
import json
import os

import boto3
from botocore.awsrequest import AWSResponse

from integration.test_signing_journey import count, sign, verify
from integration.test_tally_exactness import verified_signers
from undersigned import aws


def failure_reports() -> list[dict]:
    sqs = boto3.client("sqs")
    answer = sqs.receive_message(QueueUrl=os.environ["TALLY_FAILURES_QUEUE"], MaxNumberOfMessages=10)
    return [json.loads(message["Body"]) for message in answer.get("Messages", [])]


def poisoned(record: dict, *missing: str) -> dict:
    bad = copy.deepcopy(record)
    for name in missing:
        bad["dynamodb"].pop(name)
    return bad


def test_records_without_keys_or_image_are_reported_and_the_batch_is_counted(api, demo, mailbox, stream):
    verified_signers(api, mailbox, 3)
    records = stream.read()
    no_keys = poisoned(records[0], "Keys")
    no_image = poisoned(records[1], "NewImage")
    no_image["eventName"] = "MODIFY"

    answer = stream.deliver([no_keys, no_image, *records])

    assert answer == {"batchItemFailures": []}, "the shard is not held up"
    assert count(api) == 3
    reports = failure_reports()
    assert sorted(report["reason"] for report in reports) == ["no_keys", "no_new_image"]
    assert {report["sequenceNumber"] for report in reports} == {no_keys["dynamodb"]["SequenceNumber"], no_image["dynamodb"]["SequenceNumber"]}
    assert {report["eventID"] for report in reports} == {no_keys["eventID"], no_image["eventID"]}
    assert all(report["streamArn"] == stream.arn for report in reports)


def test_a_report_never_holds_personal_data(api, demo, mailbox, stream):
    sign(api, {"name": "Oksana Petrenko", "email": "oksana@example.org", "comment": "private words"})
    records = stream.read()
    stream.deliver([poisoned(record, "Keys") for record in records])
    reports = json.dumps(failure_reports())
    assert reports.count("no_keys") == len(records)
    for personal in ("Oksana", "oksana@example.org", "private words"):
        assert personal not in reports


def test_when_the_failure_queue_is_down_the_unreadable_record_is_retried_not_lost(api, demo, mailbox, stream):
    sign(api, {"name": "Ann", "email": "ann@example.org"})
    verify(api, mailbox.last_to("ann@example.org").token("/verify"))
    records = stream.read()
    bad = poisoned(records[-1], "NewImage")
    bad["eventName"] = "MODIFY"
    bad["dynamodb"]["Keys"]["signer"] = {"S": "another-signer"}

    def queue_down(**_):
        return AWSResponse("https://sqs.invalid/", 500, {}, None), {"Error": {"Code": "InternalError", "Message": "injected"}}

    sqs = aws.client("sqs")
    sqs.meta.events.register("before-call.sqs.SendMessageBatch", queue_down)
    try:
        answer = stream.deliver([*records, bad])
    finally:
        sqs.meta.events.unregister("before-call.sqs.SendMessageBatch", queue_down)

    assert answer == {"batchItemFailures": [{"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]}
    assert count(api) == 1, "the readable records are counted meanwhile"
