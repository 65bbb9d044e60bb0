"""The signatures table's real stream, read from DynamoDB Local, delivered to the tally
the way Lambda's event source mapping does it."""

from __future__ import annotations

from typing import Any, Callable

from devstack.template import stream_consumers
from integration.lambda_api import invoke

TALLY = "TallyFunction"
# The mapping gives up on a batch after MaximumRetryAttempts; tests need far fewer.
MAX_ATTEMPTS_PER_BATCH = 5


def tally_batch_size() -> int:
    for function, _table, properties in stream_consumers():
        if function == TALLY:
            return int(properties.get("BatchSize", 100))
    raise LookupError(f"template.yaml has no stream mapping for {TALLY}")


class SignatureStream:
    """Reads what was written to the signatures table since this reader was made."""

    def __init__(self, dynamodb: Any, streams: Any, table: str) -> None:
        self.streams = streams
        self.arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        # Shards that hold records now are read from their end: earlier tests' records are not ours.
        self.iterators: dict[str, str | None] = {shard: self._start(shard) for shard in self._shards()}
        self.finished: set[str] = set()

    def _start(self, shard: str) -> str | None:
        oldest = self.streams.get_records(ShardIterator=self._iterator(shard, "TRIM_HORIZON"), Limit=1)
        # DynamoDB Local numbers records across all tables, so an iterator taken on an empty
        # shard may point before its first record and fail with TrimmedDataAccessException:
        # an empty shard is read from its start once it holds something (None until then).
        return self._iterator(shard, "LATEST") if oldest["Records"] else None

    def _shards(self) -> list[str]:
        return [shard["ShardId"] for shard in self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]]

    def _iterator(self, shard: str, kind: str) -> str:
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard, ShardIteratorType=kind)["ShardIterator"]

    def read(self) -> list[dict[str, Any]]:
        """Every record not read yet, in stream order, shaped like a Lambda event's records."""
        records: list[dict[str, Any]] = []
        for shard in self._shards():
            records += self._read_shard(shard)
        return records

    def _read_shard(self, shard: str) -> list[dict[str, Any]]:
        if shard in self.finished:
            return []
        started = self.iterators.get(shard) is not None
        iterator = self.iterators.get(shard) or self._iterator(shard, "TRIM_HORIZON")
        records: list[dict[str, Any]] = []
        while True:
            answer = self.streams.get_records(ShardIterator=iterator)
            records += [self._as_lambda_record(record) for record in answer["Records"]]
            if "NextShardIterator" not in answer:
                self.finished.add(shard)  # a closed shard, read to its end
                break
            iterator = answer["NextShardIterator"]
            if not answer["Records"]:
                break
        if started or records:
            self.iterators[shard] = iterator
        return records

    def _as_lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        # GetRecords lacks the source ARN, and boto3 parses the instant that Lambda passes as epoch seconds.
        change = dict(record["dynamodb"])
        moment = change.get("ApproximateCreationDateTime")
        if moment is not None and not isinstance(moment, (int, float)):
            change["ApproximateCreationDateTime"] = moment.timestamp()
        return {**record, "dynamodb": change, "eventSourceARN": self.arn}


def deliver(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One invocation of the tally with one batch."""
    return invoke(TALLY, {"Records": records})


class EventSourceMapping:
    """In order, batches of the template's BatchSize; a batch that reports failures is
    retried from its lowest failed sequence number, as with ReportBatchItemFailures."""

    def __init__(self, stream: SignatureStream, invoke_tally: Callable[[list[dict[str, Any]]], dict[str, Any]] = deliver):
        self.stream = stream
        self.invoke_tally = invoke_tally
        self.batch_size = tally_batch_size()
        self.invocations = 0
        self.retries = 0

    def process(self, records: list[dict[str, Any]]) -> None:
        remaining = list(records)
        attempts = 0
        while remaining:
            batch = remaining[: self.batch_size]
            self.invocations += 1
            answer = self.invoke_tally(batch)
            failed = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
            if not failed:
                remaining, attempts = remaining[len(batch):], 0
                continue
            attempts += 1
            self.retries += 1
            if attempts >= MAX_ATTEMPTS_PER_BATCH:
                raise AssertionError(f"the tally kept failing a batch: {answer}")
            sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
            assert failed <= set(sequence_numbers), f"the tally reported records not in its batch: {failed}"
            remaining = remaining[min(sequence_numbers.index(sequence) for sequence in failed):]

    def drain(self, rounds: int = 10) -> int:
        """Delivers everything new, then what the tally's own writes add, until the stream is quiet."""
        delivered = 0
        for _ in range(rounds):
            records = self.stream.read()
            if not records:
                return delivered
            self.process(records)
            delivered += len(records)
        raise AssertionError(f"the stream never went quiet after {rounds} rounds")
