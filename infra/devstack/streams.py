"""The DynamoDB stream event source mappings of the template, run locally.

One thread per (mapping, shard) reads the stream from the embedded AWS and invokes
the function with Lambda-shaped batches, the way the mapping's properties say:
BatchSize, MaximumBatchingWindowInSeconds, StartingPosition, ReportBatchItemFailures
(retry from the first failed record), BisectBatchOnFunctionError (halve a batch whose
invocation raised), MaximumRetryAttempts (-1: until it succeeds), and an SQS on-failure
destination that receives the batch's description when retries run out. As in AWS,
a failing batch holds up the records behind it in its shard.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from devstack import console
from devstack.functions import FunctionFailed, LocalFunction
from devstack.template import MappingSettings

POLL_SECONDS = 0.5
_RETRY_BACKOFF_CAP_SECONDS = 2.0


@dataclass(frozen=True)
class StreamMapping(MappingSettings):
    DEFAULT_BATCH_SIZE = 100  # Lambda's default for a DynamoDB stream

    function: LocalFunction
    table_name: str
    properties: dict[str, Any]
    on_failure_queue_url: str | None = None

    @property
    def max_retries(self) -> int:
        return int(self.properties.get("MaximumRetryAttempts", -1))

    @property
    def bisect(self) -> bool:
        return bool(self.properties.get("BisectBatchOnFunctionError", False))


def _json_ready(value: Any) -> Any:
    """boto3 decodes what Lambda passes as JSON: binary back to base64, times back to epoch seconds."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda delivers it (moto's lack eventSourceARN)."""
    shaped = _json_ready(record)
    shaped["eventVersion"] = "1.1"
    shaped["eventSourceARN"] = stream_arn
    return shaped


def first_failed_index(response: Any, batch: list[dict[str, Any]]) -> int | None:
    """None if the batch succeeded, else the index to retry from (ReportBatchItemFailures rules).

    A missing or unknown itemIdentifier fails the whole batch, as in AWS.
    """
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return None
    positions = {record["dynamodb"]["SequenceNumber"]: index for index, record in enumerate(batch)}
    indexes = []
    for failure in response["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in positions:
            return 0
        indexes.append(positions[identifier])
    return min(indexes)


def deliver(
    records: list[dict[str, Any]],
    mapping: StreamMapping,
    invoke: Callable[[list[dict[str, Any]]], Any],
    give_up: Callable[[list[dict[str, Any]], int], None],
    wait: Callable[[float], bool],
) -> None:
    """Invokes until every record succeeded or was given up on, as the event source mapping does.

    `invoke` raises FunctionFailed when the function raised; `wait` sleeps between retries
    and returns True when the stack is stopping.
    """
    pending: deque[tuple[list[dict[str, Any]], int]] = deque([(records, 0)])
    while pending:
        batch, attempts = pending.popleft()
        try:
            response = invoke(batch)
        except FunctionFailed:
            failed_from, raised = 0, True
        else:
            failed_from = first_failed_index(response, batch) if mapping.reports_item_failures else None
            raised = False
        if failed_from is None:
            continue
        remaining = batch[failed_from:]
        attempts += 1
        if 0 <= mapping.max_retries < attempts:
            give_up(remaining, attempts)
            continue
        if raised and mapping.bisect and len(remaining) > 1:
            half = len(remaining) // 2
            pending.appendleft((remaining[half:], attempts))
            pending.appendleft((remaining[:half], attempts))
        else:
            pending.appendleft((remaining, attempts))
        if wait(min(_RETRY_BACKOFF_CAP_SECONDS, 0.1 * 2 ** (attempts - 1))):
            return


class ShardPoller(threading.Thread):
    def __init__(self, mapping: StreamMapping, stream_arn: str, shard_id: str, stop: threading.Event) -> None:
        super().__init__(name=f"stream-{mapping.function.name}-{shard_id[-8:]}", daemon=True)
        self.mapping = mapping
        self.stream_arn = stream_arn
        self.shard_id = shard_id
        self._halt = stop
        self._streams = boto3.client("dynamodbstreams")
        self._sqs = boto3.client("sqs")
        self._last_sequence: str | None = None

    def _iterator(self) -> str:
        if self._last_sequence:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._last_sequence}
        else:
            position = {"ShardIteratorType": self.mapping.properties.get("StartingPosition", "LATEST")}
        return self._streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=self.shard_id, **position)[
            "ShardIterator"
        ]

    def run(self) -> None:
        iterator: str | None = None
        buffered: list[dict[str, Any]] = []
        first_buffered_at = 0.0
        while not self._halt.is_set():
            try:
                iterator = iterator or self._iterator()
                if len(buffered) < self.mapping.batch_size:
                    page = self._streams.get_records(
                        ShardIterator=iterator, Limit=self.mapping.batch_size - len(buffered)
                    )
                    iterator = page.get("NextShardIterator")
                    if page["Records"] and not buffered:
                        first_buffered_at = time.monotonic()
                    buffered += [lambda_record(record, self.stream_arn) for record in page["Records"]]
                    if buffered:
                        self._last_sequence = buffered[-1]["dynamodb"]["SequenceNumber"]
                window_over = time.monotonic() - first_buffered_at >= self.mapping.batching_window
                if buffered and (len(buffered) >= self.mapping.batch_size or window_over):
                    # Reads never exceed BatchSize, so the buffer is exactly one batch.
                    batch, buffered = buffered, []
                    self._deliver(batch)
                    continue
            except Exception as error:  # the embedded AWS hiccuped: start again after what was read
                console.say(f"stream poller for {self.mapping.function.name}: {error!r}; retrying")
                iterator = None
            self._halt.wait(POLL_SECONDS)

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        deliver(
            records,
            self.mapping,
            invoke=lambda batch: self.mapping.function.invoke({"Records": batch}),
            give_up=self._give_up,
            wait=self._halt.wait,
        )

    def _give_up(self, batch: list[dict[str, Any]], attempts: int) -> None:
        """What AWS sends the on-failure destination: where the records are, not the records."""
        name = self.mapping.function.name
        console.say(f"{name}: gave up on {len(batch)} stream record(s) after {attempts} attempts")
        if not self.mapping.on_failure_queue_url:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        report = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:::function:{name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=self.mapping.on_failure_queue_url, MessageBody=json.dumps(report))


def start_pollers(mappings: list[StreamMapping], stop: threading.Event) -> list[ShardPoller]:
    """Starts a poller per shard of each mapping's table stream; they end when `stop` is set."""
    dynamodb = boto3.client("dynamodb")
    streams = boto3.client("dynamodbstreams")
    pollers = []
    for mapping in mappings:
        stream_arn = dynamodb.describe_table(TableName=mapping.table_name)["Table"]["LatestStreamArn"]
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            poller = ShardPoller(mapping, stream_arn, shard["ShardId"], stop)
            poller.start()
            pollers.append(poller)
    return pollers
