"""The email goes through the outbox: a `202` means stored, and the email follows when SES
can take it, also after SES throttled or was down for hours, exactly once per submission.

Faults are injected where botocore sends the request (a `before-send` hook on the very
client the code uses, `aws.client(...)`), so botocore's own retries and backoff run; its
backoff waits are recorded instead of slept, and hours pass by redelivering the queue as
the event source mapping would once a message's wait is over (`outbox.time_passes`).
"""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse

from devstack.template import load_template
from integration.conftest import DEMO
from integration.dynamodb_faults import Throttling
from integration.safety_helpers import Clock, DynamoCalls, items, only_signature, sign, verify
from roles import ungranted
from undersigned import aws
from undersigned.campaign_file import put_campaign
from undersigned.limits import MAILS_PER_SIGNATURE_PER_DAY

TAMARA = {"name": "Tamara", "email": "tamara@example.org"}
MAX_RECEIVES = load_template()["Resources"]["OutboxQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any):
        yield self._data


def _error(status: int, code: str) -> AWSResponse:
    body = json.dumps({"__type": code, "message": "injected"}).encode()
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
    return AWSResponse("https://injected", status, headers, _Body(body))


class Fault:
    """Fails an operation of one of the code's clients: `times` sends, or while `down`."""

    def __init__(self, service: str, operation: str, status: int, code: str) -> None:
        self.status, self.code = status, code
        self.times = 0
        self.down = False
        self.failed = 0
        # Ahead of moto's own handler, which would answer first otherwise.
        aws.client(service).meta.events.register_first(f"before-send.{service}.{operation}", self._send)

    def _send(self, request: Any, **_: Any) -> AWSResponse | None:
        if self.down or self.times > 0:
            self.times = max(0, self.times - 1)
            self.failed += 1
            # Every before-send handler runs: moto's would still act on a request to it.
            request.url = "https://fault.invalid/"
            return _error(self.status, self.code)
        return None


@pytest.fixture
def backoff_waits(monkeypatch) -> list[float]:
    """botocore's retry waits, recorded rather than slept."""
    waits: list[float] = []

    class Clock:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        def sleep(self, seconds: float) -> None:
            waits.append(seconds)

    monkeypatch.setattr(botocore.endpoint, "time", Clock())
    return waits


@pytest.fixture
def signers(demo) -> list[str]:
    return [f"signer{n}@example.org" for n in range(5)]


def sign_all(api, addresses: list[str]) -> None:
    for address in addresses:
        assert sign(api, {"name": "Signer", "email": address}).status == 202


def confirmations(mailbox, address: str) -> int:
    return sum(1 for mail in mailbox.to(address) if "/verify" in " ".join(mail.links))


def deliver_until_done(outbox, rounds: int = 30) -> None:
    for _ in range(rounds):
        outbox.deliver()
        if not outbox.waiting():
            return
        outbox.time_passes()
    raise AssertionError(f"{outbox.waiting()} message(s) still waiting")


def ask_a_days_emails_while_ses_is_down(api, outbox) -> Fault:
    """Tamara submits as often as a day's cap allows while SES is down; each email is tried, and fails."""
    down = Fault("sesv2", "SendEmail", 503, "ServiceUnavailable")
    down.down = True
    for _ in range(MAILS_PER_SIGNATURE_PER_DAY):
        sign(api, TAMARA)
        outbox.deliver()
        outbox.time_passes()
    return down


def test_a_202_means_stored_and_queued_the_email_comes_from_the_sender(api, demo, outbox, mailbox):
    assert sign(api, {"name": "Olena", "email": "olena@example.org"}).status == 202
    assert only_signature()["state"] == "pending"
    assert outbox.waiting() == 1
    assert confirmations(mailbox, "olena@example.org") == 1
    assert outbox.waiting() == 0


def test_ses_throttled_for_a_while_every_signer_gets_exactly_one_email(api, signers, outbox, mailbox, backoff_waits):
    throttled = Fault("sesv2", "SendEmail", 429, "TooManyRequestsException")
    throttled.times = 12
    sign_all(api, signers)
    deliver_until_done(outbox)
    assert [confirmations(mailbox, address) for address in signers] == [1] * len(signers)
    assert throttled.failed == 12
    assert backoff_waits, "botocore backed off between throttled sends"


def test_ses_down_for_hours_loses_no_email_and_sends_each_once_it_is_back(api, signers, outbox, mailbox, backoff_waits):
    asked: list[int] = []
    aws.client("sqs").meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility", lambda params, **_: asked.append(params["VisibilityTimeout"])
    )
    down = Fault("sesv2", "SendEmail", 503, "ServiceUnavailable")
    down.down = True
    sign_all(api, signers)
    rounds = MAX_RECEIVES - 2
    for _ in range(rounds):
        outbox.deliver()
        outbox.time_passes()
    assert mailbox.to(signers[0]) == [] and outbox.dead_letters() == []
    assert outbox.waiting() == len(signers)
    # The waits the sender asked for, one message's share: hours of outage ridden out.
    assert sum(asked) / len(signers) >= 12 * 3600

    down.down = False
    deliver_until_done(outbox)
    assert [confirmations(mailbox, address) for address in signers] == [1] * len(signers)
    assert len(items("SignaturesTable")) == len(signers)


def test_caps_count_emails_sent_so_an_outage_never_uses_up_a_signers_day(api, demo, outbox, mailbox, backoff_waits, monkeypatch):
    Clock.at_next_hour(monkeypatch)
    down = ask_a_days_emails_while_ses_is_down(api, outbox)
    down.down = False
    deliver_until_done(outbox)
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_SIGNATURE_PER_DAY
    sign(api, TAMARA)
    deliver_until_done(outbox)
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_SIGNATURE_PER_DAY, "the cap still holds"


def test_a_redelivered_message_after_a_successful_send_emails_nobody_twice(api, demo, outbox, mailbox):
    from devstack.queues import receive_batch
    from integration.lambda_api import invoke
    from integration.outbox_mapping import OUTBOX_QUEUE_URL

    sign(api, {"name": "Olena", "email": "olena@example.org"})
    batch = receive_batch(outbox.sqs, OUTBOX_QUEUE_URL, outbox.arn, 10, 0)
    # SQS delivers at least once: the same message twice, as if the first delete was lost.
    assert invoke("SenderFunction", {"Records": batch}) == {"batchItemFailures": []}
    assert invoke("SenderFunction", {"Records": batch}) == {"batchItemFailures": []}
    outbox.left = {record["messageId"]: record["receiptHandle"] for record in batch}
    outbox.time_passes()
    deliver_until_done(outbox)
    assert confirmations(mailbox, "olena@example.org") == 1


def test_a_message_redelivered_days_later_still_finds_it_was_sent(api, demo, outbox, mailbox, monkeypatch):
    from devstack.queues import receive_batch
    from integration.lambda_api import invoke
    from integration.outbox_mapping import OUTBOX_QUEUE_URL

    clock = Clock.at_next_hour(monkeypatch)
    sign(api, {"name": "Olena", "email": "olena@example.org"})
    batch = receive_batch(outbox.sqs, OUTBOX_QUEUE_URL, outbox.arn, 10, 0)
    assert invoke("SenderFunction", {"Records": batch}) == {"batchItemFailures": []}
    # Its delete lost, the message comes back on another day (the queue keeps it 14 days).
    clock.advance(3 * 86400)
    assert invoke("SenderFunction", {"Records": batch}) == {"batchItemFailures": []}
    assert len(mailbox.to("olena@example.org")) == 1


def test_an_email_sent_late_keeps_its_mark_for_as_long_as_the_queue_may_bring_it_back(api, demo, outbox, mailbox, monkeypatch):
    """A redrive from the dead-letter queue queues a message anew, for another 14 days: the
    mark of an email sent days after it was asked for lives 14 days past the send. moto runs
    no TTL, so this reads the expiry the counter item that holds the mark is kept to."""
    clock = Clock.at_next_hour(monkeypatch)
    sign(api, {"name": "Olena", "email": "olena@example.org"})
    assert verify(api, mailbox, "olena@example.org").status == 200
    sign(api, {"name": "Olena", "email": "olena@example.org"})
    clock.advance(12 * 86400)
    deliver_until_done(outbox)
    assert "already signed" in mailbox.last_to("olena@example.org").subject
    (counter,) = [item for item in items("LimitsTable") if item["id"].startswith("mail#")]
    assert counter["expires_at"] >= clock.epoch + 14 * 86400


def test_a_message_whose_send_failed_goes_at_its_next_delivery_not_after_its_claim_ends(api, demo, outbox, mailbox, monkeypatch):
    # The clock stands still: a claim the failed send kept would hold the message for its whole lease.
    Clock.at_next_hour(monkeypatch)
    rejected = Fault("sesv2", "SendEmail", 400, "MessageRejected")
    rejected.times = 1
    sign(api, {"name": "Olena", "email": "olena@example.org"})
    outbox.deliver()
    outbox.time_passes()
    assert rejected.failed == 1 and outbox.waiting() == 1
    outbox.deliver()
    assert confirmations(mailbox, "olena@example.org") == 1
    assert outbox.waiting() == 0


def test_an_email_that_waited_out_an_outage_counts_against_the_day_it_was_asked_for(
    api, demo, outbox, mailbox, backoff_waits, monkeypatch
):
    clock = Clock.at_next_hour(monkeypatch)
    down = ask_a_days_emails_while_ses_is_down(api, outbox)
    clock.advance(2 * 86400)
    down.down = False
    deliver_until_done(outbox)
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_SIGNATURE_PER_DAY
    # The day they went has caps of its own: what was asked for today still goes.
    sign(api, TAMARA)
    deliver_until_done(outbox)
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_SIGNATURE_PER_DAY + 1


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue_after_its_receives(api, demo, outbox, mailbox, backoff_waits):
    down = Fault("sesv2", "SendEmail", 400, "MessageRejected")
    down.down = True
    sign(api, {"name": "Olena", "email": "olena@example.org"})
    for _ in range(MAX_RECEIVES + 1):
        outbox.deliver()
        outbox.time_passes()
    assert outbox.receives == MAX_RECEIVES
    (dead,) = outbox.dead_letters()
    assert int(dead["Attributes"]["ApproximateReceiveCount"]) > MAX_RECEIVES
    assert outbox.waiting() == 0 and mailbox.to("olena@example.org") == []
    assert only_signature()["state"] == "pending", "the signature itself is kept"


def test_an_unreadable_message_is_dead_lettered_not_dropped(api, demo, outbox):
    from integration.outbox_mapping import OUTBOX_QUEUE_URL

    outbox.sqs.send_message(QueueUrl=OUTBOX_QUEUE_URL, MessageBody='{"not": "ours"}')
    for _ in range(MAX_RECEIVES + 1):
        outbox.deliver()
    assert len(outbox.dead_letters()) == 1


def test_when_the_queue_refuses_the_answer_is_503_and_submitting_again_is_safe(api, demo, mailbox, backoff_waits):
    refusing = Fault("sqs", "SendMessage", 500, "InternalError")
    refusing.down = True
    failed = sign(api, {"name": "Olena", "email": "olena@example.org"})
    assert failed.status == 503
    assert failed.json()["error"]["code"] == "service_unavailable"
    assert int(failed.header("retry-after")) > 0
    refusing.down = False
    assert sign(api, {"name": "Olena", "email": "olena@example.org"}).status == 202
    assert only_signature()["state"] == "pending"
    assert confirmations(mailbox, "olena@example.org") == 1


def test_a_bots_submission_queues_a_message_the_sender_throws_away(api, demo, outbox, mailbox):
    assert sign(api, {"name": "Bot", "email": "bot@example.org", "website": "http://spam"}).status == 202
    assert outbox.waiting() == 1
    assert mailbox.messages() == []
    assert outbox.waiting() == 0 and items("SignaturesTable") == []


def test_the_queue_never_holds_the_address_or_the_name_in_the_clear(api, demo, outbox, mailbox):
    from integration.outbox_mapping import OUTBOX_QUEUE_URL

    sign(api, {"name": "Olena Kovalenko", "email": "olena@example.org"})
    (message,) = outbox.sqs.receive_message(QueueUrl=OUTBOX_QUEUE_URL, VisibilityTimeout=0)["Messages"]
    assert "olena" not in message["Body"].lower() and "kovalenko" not in message["Body"].lower()
    assert confirmations(mailbox, "olena@example.org") == 1


def test_an_email_sent_whose_mark_was_throttled_is_not_sent_again(api, demo, outbox, mailbox, monkeypatch):
    clock = Clock.at_next_hour(monkeypatch)
    sign(api, {"name": "Olena", "email": "olena@example.org"})
    # The claim goes through, SES sends, then DynamoDB refuses the sent mark past botocore's retries.
    throttled = Throttling(aws.client("dynamodb"), operations=("UpdateItem",), tables=("LimitsTable",), calls=(2,))
    outbox.deliver()
    throttled.stop()
    assert len(throttled.refused) == 1 and len(mailbox.to("olena@example.org")) == 1
    for _ in range(5):
        clock.advance(3600)
        outbox.time_passes()
        outbox.deliver()
    assert len(mailbox.to("olena@example.org")) == 1, "one submission, one email"
    assert outbox.waiting() == 0


def test_the_sender_makes_only_dynamodb_calls_its_role_allows(api, signers, outbox, mailbox, backoff_waits):
    # Its claim, a failed send's give-back, the sent mark, a capped and a redelivered message.
    sign_all(api, signers)
    for _ in range(MAILS_PER_SIGNATURE_PER_DAY + 1):
        sign(api, TAMARA)
    throttled = Fault("sesv2", "SendEmail", 429, "TooManyRequestsException")
    throttled.times = 3
    with DynamoCalls() as recorded:
        deliver_until_done(outbox)
    assert throttled.failed == 3 and confirmations(mailbox, TAMARA["email"]) == MAILS_PER_SIGNATURE_PER_DAY
    assert ungranted("SenderFunction", recorded.calls) == []
