"""The stream poller hands the tally the batches, retries and failures the event source
mapping in template.yaml would."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from devstack.functions import FunctionFailed
from devstack.streams import StreamMapping, deliver, first_failed_index, lambda_record
from devstack.template import stream_consumers

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1"


def _records(count: int) -> list[dict[str, Any]]:
    return [{"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(100 + n)}} for n in range(count)]


def _mapping(**properties: Any) -> StreamMapping:
    defaults = {"FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumRetryAttempts": 3}
    return StreamMapping(function=None, table_name="t", properties={**defaults, **properties})  # type: ignore[arg-type]


class Recorder:
    """A stand-in tally: answers from a script, remembers each batch's sequence numbers."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.batches: list[list[str]] = []
        self.given_up: list[tuple[list[str], int]] = []

    def invoke(self, batch: list[dict[str, Any]]) -> Any:
        self.batches.append([record["dynamodb"]["SequenceNumber"] for record in batch])
        answer = self.answers.pop(0) if self.answers else None
        if answer == "raise":
            raise FunctionFailed("boom")
        return answer

    def give_up(self, batch: list[dict[str, Any]], attempts: int) -> None:
        self.given_up.append(([record["dynamodb"]["SequenceNumber"] for record in batch], attempts))


def _run(recorder: Recorder, mapping: StreamMapping, records: list[dict[str, Any]]) -> None:
    deliver(records, mapping, recorder.invoke, recorder.give_up, wait=lambda seconds: False)


def test_template_mapping_is_read_with_its_settings() -> None:
    [(function, table, properties)] = stream_consumers()
    mapping = StreamMapping(function=None, table_name=table, properties=properties)  # type: ignore[arg-type]
    assert (function, table) == ("TallyFunction", "SignaturesTable")
    assert (mapping.batch_size, mapping.batching_window, mapping.max_retries) == (1000, 1.0, 20)
    assert mapping.bisect and mapping.reports_item_failures


def test_records_get_the_lambda_shape_moto_leaves_out() -> None:
    raw = {
        "eventName": "INSERT",
        "eventVersion": "1.0",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 1, 1, tzinfo=timezone.utc),
            "NewImage": {"blob": {"B": b"\x00\x01"}},
            "SequenceNumber": "1",
        },
    }
    record = lambda_record(raw, STREAM_ARN)
    assert record["eventSourceARN"] == STREAM_ARN
    assert record["eventVersion"] == "1.1"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1767225600
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}


def test_partial_failure_retries_from_the_first_failed_record() -> None:
    recorder = Recorder({"batchItemFailures": [{"itemIdentifier": "103"}, {"itemIdentifier": "102"}]}, None)
    _run(recorder, _mapping(), _records(5))
    assert recorder.batches == [["100", "101", "102", "103", "104"], ["102", "103", "104"]]
    assert recorder.given_up == []


def test_unknown_item_identifier_fails_the_whole_batch() -> None:
    assert first_failed_index({"batchItemFailures": [{"itemIdentifier": "nope"}]}, _records(3)) == 0
    assert first_failed_index({"batchItemFailures": [{}]}, _records(3)) == 0
    assert first_failed_index({"batchItemFailures": []}, _records(3)) is None
    assert first_failed_index(None, _records(3)) is None


def test_batch_item_failures_are_ignored_unless_the_mapping_reports_them() -> None:
    recorder = Recorder({"batchItemFailures": [{"itemIdentifier": "100"}]})
    _run(recorder, _mapping(FunctionResponseTypes=[]), _records(2))
    assert recorder.batches == [["100", "101"]]


def test_a_raising_function_gets_the_batch_bisected_when_configured() -> None:
    recorder = Recorder("raise", None, None)
    _run(recorder, _mapping(BisectBatchOnFunctionError=True), _records(4))
    assert recorder.batches == [["100", "101", "102", "103"], ["100", "101"], ["102", "103"]]


def test_a_raising_function_gets_the_whole_batch_again_without_bisect() -> None:
    recorder = Recorder("raise", None)
    _run(recorder, _mapping(), _records(3))
    assert recorder.batches == [["100", "101", "102"]] * 2


def test_retries_stop_at_maximum_retry_attempts_and_the_batch_is_given_up() -> None:
    recorder = Recorder(*["raise"] * 10)
    _run(recorder, _mapping(MaximumRetryAttempts=2), _records(2))
    assert len(recorder.batches) == 3  # the first attempt and two retries
    assert recorder.given_up == [(["100", "101"], 3)]
