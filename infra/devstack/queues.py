"""The SQS event source mappings of the template, run locally.

As many threads per mapping as its ScalingConfig's MaximumConcurrency (one where it has none) receive from the embedded AWS's queue and invoke the function with
Lambda-shaped batches of up to BatchSize messages, gathered for up to
MaximumBatchingWindowInSeconds. What succeeded is deleted, as the mapping does: the whole
batch when the function answered without `batchItemFailures` (ReportBatchItemFailures),
only the messages not reported otherwise, and none when it raised or reported an id it
was not given. What is left comes back once its visibility timeout ends, and the queue's
redrive policy moves it to the dead-letter queue after maxReceiveCount receives.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

import boto3

from devstack import console
from devstack.account import REGION
from devstack.functions import FunctionFailed, LocalFunction
from devstack.template import MappingSettings

POLL_SECONDS = 0.2
# SQS hands out at most this many messages per ReceiveMessage call.
_RECEIVE_LIMIT = 10


@dataclass(frozen=True)
class QueueMapping(MappingSettings):
    function: LocalFunction
    queue_url: str
    properties: dict[str, Any]
    # ScalingConfig's MaximumConcurrency, resolved (the template may give it as a parameter).
    concurrency: int = 1


def lambda_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """A received message as Lambda's SQS event carries it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def succeeded(batch: list[dict[str, Any]], response: Any, reports_item_failures: bool) -> list[dict[str, Any]]:
    """The records of a batch the mapping deletes, by ReportBatchItemFailures' rules."""
    if not reports_item_failures or not isinstance(response, dict) or not response.get("batchItemFailures"):
        return batch
    ids = {record["messageId"] for record in batch}
    failed = set()
    for failure in response["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in ids:
            return []  # an id it was not given: the whole batch failed, as in AWS
        failed.add(identifier)
    return [record for record in batch if record["messageId"] not in failed]


def receive_batch(sqs: Any, queue_url: str, queue_arn: str, batch_size: int, window: float) -> list[dict[str, Any]]:
    """Up to `batch_size` messages, gathered for at most `window` seconds once one came."""
    batch: list[dict[str, Any]] = []
    started = time.monotonic()
    while len(batch) < batch_size:
        answer = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(_RECEIVE_LIMIT, batch_size - len(batch)),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        batch += [lambda_record(message, queue_arn) for message in answer.get("Messages", [])]
        if not batch or time.monotonic() - started >= window or not answer.get("Messages"):
            break
    return batch


def delete(sqs: Any, queue_url: str, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), _RECEIVE_LIMIT):
        entries = [{"Id": str(n), "ReceiptHandle": r["receiptHandle"]} for n, r in enumerate(records[start : start + _RECEIVE_LIMIT])]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)


class QueuePoller(threading.Thread):
    def __init__(self, mapping: QueueMapping, number: int, stop: threading.Event) -> None:
        super().__init__(name=f"queue-{mapping.function.name}-{number}", daemon=True)
        self.mapping = mapping
        self._halt = stop
        self._sqs = boto3.client("sqs")
        self._arn = self._sqs.get_queue_attributes(QueueUrl=mapping.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def run(self) -> None:
        mapping = self.mapping
        while not self._halt.is_set():
            try:
                batch = receive_batch(self._sqs, mapping.queue_url, self._arn, mapping.batch_size, mapping.batching_window)
                if batch:
                    self._deliver(batch)
                    continue
            except Exception as error:  # the embedded AWS hiccuped: poll again
                console.say(f"queue poller for {mapping.function.name}: {error!r}; retrying")
            self._halt.wait(POLL_SECONDS)

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        try:
            response = self.mapping.function.invoke({"Records": batch})
        except FunctionFailed:
            return  # shown on the console; the batch comes back after its visibility timeout
        done = succeeded(batch, response, self.mapping.reports_item_failures)
        if done:
            delete(self._sqs, self.mapping.queue_url, done)
        if len(done) < len(batch):
            console.say(f"{self.mapping.function.name}: {len(batch) - len(done)} message(s) left on the queue for later")


def start_pollers(mappings: list[QueueMapping], stop: threading.Event) -> list[QueuePoller]:
    """Starts each mapping's pollers; they end when `stop` is set."""
    pollers = []
    for mapping in mappings:
        for number in range(mapping.concurrency):
            poller = QueuePoller(mapping, number, stop)
            poller.start()
            pollers.append(poller)
    return pollers
