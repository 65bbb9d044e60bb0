"""Delivers the outbox to SenderFunction in-process, as Lambda's SQS event source mapping
would: batches of the template's BatchSize, Lambda-shaped records, what succeeded deleted,
what failed left on the queue. Hours pass without a test sleeping: `time_passes` makes what
was left visible again, as the end of its visibility timeout would."""

from __future__ import annotations

from typing import Any

import boto3

from devstack.queues import delete, receive_batch, succeeded
from devstack.resources import physical_name
from devstack.template import queue_consumers
from integration.lambda_api import invoke

REGION = "eu-west-1"
((SENDER, OUTBOX_QUEUE, MAPPING),) = [c for c in queue_consumers() if c[0] == "SenderFunction"]
# What moto names the queue the local stacks create (devstack.resources.create_queues).
OUTBOX_QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/123456789012/{physical_name(OUTBOX_QUEUE)}"
DEAD_LETTER_QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/123456789012/{physical_name('OutboxDeadLetterQueue')}"


class OutboxMapping:
    def __init__(self) -> None:
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.arn = self.sqs.get_queue_attributes(QueueUrl=OUTBOX_QUEUE_URL, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.left: dict[str, str] = {}  # message id -> latest receipt handle
        self.receives = 0

    def deliver(self) -> list[dict[str, Any]]:
        """Invokes the sender with every visible message; returns the responses."""
        responses = []
        while batch := receive_batch(self.sqs, OUTBOX_QUEUE_URL, self.arn, int(MAPPING.get("BatchSize", 10)), 0):
            self.receives += len(batch)
            response = invoke(SENDER, {"Records": batch})
            responses.append(response)
            done = succeeded(batch, response, "ReportBatchItemFailures" in MAPPING["FunctionResponseTypes"])
            delete(self.sqs, OUTBOX_QUEUE_URL, done)
            for record in batch:
                self.left.pop(record["messageId"], None)
            self.left.update({r["messageId"]: r["receiptHandle"] for r in batch if r not in done})
        return responses

    def time_passes(self) -> None:
        """Every message left on the queue is visible again (its wait is over)."""
        for message_id, handle in list(self.left.items()):
            try:
                self.sqs.change_message_visibility(QueueUrl=OUTBOX_QUEUE_URL, ReceiptHandle=handle, VisibilityTimeout=0)
            except self.sqs.exceptions.ReceiptHandleIsInvalid:
                del self.left[message_id]  # moved to the dead-letter queue by its redrive policy

    def waiting(self) -> int:
        """Messages still on the queue, in sight or not."""
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=OUTBOX_QUEUE_URL, AttributeNames=names)["Attributes"]
        return sum(int(attributes[name]) for name in names)

    def dead_letters(self) -> list[dict[str, Any]]:
        return self.sqs.receive_message(QueueUrl=DEAD_LETTER_QUEUE_URL, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
