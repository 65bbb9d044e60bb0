"""A signer's write that meets the tally's transaction on the same item is retried, not failed.

DynamoDB answers such a write TransactionConflictException, which botocore's retry modes
do not retry. (moto never conflicts, so the wiring is checked on the client's own events.)
"""

import pytest

from undersigned import aws


def conflict(code: str = "TransactionConflictException"):
    return (None, {"Error": {"Code": code, "Message": "Transaction is ongoing for the item"}})


def test_a_conflict_is_retried_a_few_times_with_backoff():
    waits = [aws.retry_transaction_conflicts(conflict(), attempts) for attempts in range(1, aws.ATTEMPTS)]
    assert all(wait is not None and 0 <= wait <= 0.025 * 2**aws.ATTEMPTS for wait in waits)
    assert aws.retry_transaction_conflicts(conflict(), aws.ATTEMPTS) is None, "gives up in the end"


@pytest.mark.parametrize("code", ["ConditionalCheckFailedException", "ValidationException"])
def test_other_errors_are_not_retried(code):
    assert aws.retry_transaction_conflicts(conflict(code), 1) is None


def test_the_dynamodb_client_retries_conflicts(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    aws.reset()
    client = aws.client("dynamodb")
    answers = client.meta.events.emit(
        "needs-retry.dynamodb.UpdateItem",
        response=conflict(),
        endpoint=None,
        operation=client.meta.service_model.operation_model("UpdateItem"),
        attempts=1,
        caught_exception=None,
        request_dict={"context": {}},
    )
    assert any(isinstance(wait, float) for _, wait in answers)
    aws.reset()


def cancelled(*reasons: str):
    return (None, {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": [{"Code": code} for code in reasons]})


def test_a_transaction_cancelled_only_for_meeting_another_is_retried():
    # Two tally transactions meeting on one count item (two deliveries of one key's records at once).
    assert aws.retry_transaction_conflicts(cancelled("None", "None", "TransactionConflict"), 1) is not None


@pytest.mark.parametrize("reasons", [("ConditionalCheckFailed", "TransactionConflict"), ("None", "ThrottlingError"), ("None", "None")])
def test_a_transaction_cancelled_for_what_it_asked_is_left_to_the_caller(reasons):
    assert aws.retry_transaction_conflicts(cancelled(*reasons), 1) is None
