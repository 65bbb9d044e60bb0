"""While DynamoDB throttles, every write path answers `503 service_unavailable` with
`Retry-After` in the contract's shape, never a 500; and repeating the request once it
recovers does what the first would have done, once."""

from __future__ import annotations

from typing import Iterator

import boto3
import pytest

from integration.admin_client import Admin
from integration.test_admin_api import set_state
from integration.dynamodb_faults import Throttling
from integration.test_signing_journey import ALICE, count, sign, verify
from undersigned import aws

CODES = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "TransactionCanceledException",
]
# The address as the email is sent to it (the domain in lower case).
ALICE_TO = "Alice@example.org"
LETTER = {"id": "clean-air", "title": "Clean air now", "statement": "We ask for clean air."}


@pytest.fixture
def admin(demo) -> Admin:
    return Admin()


@pytest.fixture
def throttle(embedded_aws) -> Iterator:
    made: list[Throttling] = []

    def start(**how) -> Throttling:
        made.append(Throttling(aws.client("dynamodb"), **how))
        return made[-1]

    yield start
    for throttling in made:
        throttling.stop()


def assert_unavailable(answer) -> None:
    assert answer.status == 503, answer.text
    assert answer.json()["error"]["code"] == "service_unavailable"
    assert answer.json()["error"]["message"]
    assert int(answer.header("retry-after")) > 0


def stored_signatures() -> int:
    return boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable", Select="COUNT")["Count"]


def pending_tokens(api, mailbox, address: str = ALICE_TO):
    assert sign(api).status == 202
    return mailbox.last_to(address)


@pytest.mark.parametrize("code", CODES)
def test_a_submission_while_the_database_throttles_answers_503_with_retry_after(api, demo, throttle, code):
    throttling = throttle(code=code)
    assert_unavailable(sign(api))
    assert throttling.refused, "the fault was injected on the submission's write"


def test_a_form_submission_while_the_database_throttles_gets_a_503_page(api, demo, throttle):
    throttle()
    answer = api.post("/campaigns/demo/signatures", form={"name": "Alice Adams", "email": "alice@example.org"})
    assert answer.status == 503
    assert "<html" in answer.text and answer.header("retry-after")


def test_a_verification_while_the_database_throttles_answers_503_and_a_repeat_verifies(api, demo, mailbox, stream, throttle):
    mail = pending_tokens(api, mailbox)
    throttling = throttle(tables=("SignaturesTable",))
    assert_unavailable(verify(api, mail.token("/verify")))
    throttling.stop()
    again = verify(api, mail.token("/verify"))
    assert again.json() == {"status": "verified", "campaign_id": "demo"}
    stream.drain()
    assert count(api) == 1


def test_a_withdrawal_while_the_database_throttles_answers_503_and_a_repeat_withdraws(api, demo, mailbox, stream, throttle):
    mail = pending_tokens(api, mailbox)
    verify(api, mail.token("/verify"))
    stream.drain()
    throttling = throttle(tables=("SignaturesTable",))
    assert_unavailable(api.post("/withdraw", json_body={"token": mail.token("/withdraw")}))
    throttling.stop()
    assert api.post("/withdraw", json_body={"token": mail.token("/withdraw")}).json() == {"status": "withdrawn"}
    stream.drain()
    assert count(api) == 0


def test_a_submission_refused_while_the_database_throttles_is_stored_and_emailed_when_repeated(api, demo, mailbox, throttle):
    # The signature's own write is refused: nothing stored, nothing queued, 503. (After the
    # signature is stored only the outbox is written; its refusal is tests/integration/test_email_outbox.py's.)
    throttling = throttle(tables=("SignaturesTable",))
    assert_unavailable(sign(api))
    assert stored_signatures() == 0
    throttling.stop()
    assert mailbox.to(ALICE_TO) == []

    again = sign(api)
    assert again.status == 202
    assert "Confirm" in mailbox.last_to(ALICE_TO).subject
    assert stored_signatures() == 1


def test_a_read_while_the_database_throttles_answers_503_too(api, demo, throttle):
    throttle(operations=("Query",))  # the count's read: one query over its items
    assert_unavailable(api.get("/campaigns/demo/count"))


def test_other_database_errors_stay_internal_errors(api, demo, throttle):
    throttle(code="ValidationException")
    answer = sign(api)
    assert answer.status == 500 and answer.json()["error"]["code"] == "internal_error"
    assert answer.header("retry-after") is None


ADMIN_WRITES = [
    ("POST", "/admin/campaigns", LETTER),
    ("PATCH", "/admin/campaigns/demo", {"goal": 500}),
    ("POST", "/admin/campaigns/demo/close", {}),
    ("POST", "/admin/campaigns/demo/reopen", {}),
    ("POST", "/admin/campaigns/demo/signatures/{signer}/hide", {}),
    ("POST", "/admin/campaigns/demo/signatures/{signer}/release", {}),
    ("POST", "/admin/campaigns/demo/signatures/{signer}/discard", {}),
    ("POST", "/admin/campaigns/demo/invalidations", {"email_domain": "example.org"}),
]


@pytest.mark.parametrize(("method", "target", "body"), ADMIN_WRITES, ids=[f"{m} {t}" for m, t, _ in ADMIN_WRITES])
def test_every_admin_write_while_the_database_throttles_answers_503(api, demo, mailbox, admin, throttle, method, target, body):
    mail = pending_tokens(api, mailbox)
    verify(api, mail.token("/verify"))
    signer = admin.get("/admin/campaigns/demo/signatures").json()["items"][0]["signer"]
    if target.endswith(("release", "discard")):
        set_state(signer, "quarantined")
    throttling = throttle()
    answer = admin.request(method, target.format(signer=signer), body)
    assert_unavailable(answer)
    assert throttling.refused
