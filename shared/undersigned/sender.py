"""The sender: outbox messages in, emails out, within SES's quota and the daily caps.

Each message (see `undersigned.outbox`) names a signature; the email is built from what
the signature is when it is sent ("confirm your signature" while it is pending, "you have
already signed" once confirmed), so a message that waited out an SES outage says what is
true then. Nothing is sent for a bot's message, a signature that ended, expired or was
started afresh since, a suppressed address, or an address past the caps of the day it was
asked for.

Exactly once, as far as SES allows: a message is claimed in the ledger before its email
goes and marked sent after, so a redelivery (SQS delivers at least once) finds the mark and
sends nothing. Only the instant between SES's answer and the mark is unguarded (a mark
DynamoDB refuses leaves the claim's lease, which holds off a duplicate delivery until it
ends; the message itself is done, since its email went). The claim is the same write that
counts the email against the daily caps, on the address's counter item of the day the
message was queued, which keeps the mark too: two writes an email.

The rate: each instance sends at `SES_SEND_RATE / SENDER_CONCURRENCY` emails a second,
and the event source mapping runs at most `SENDER_CONCURRENCY` instances, so the stack
never asks SES for more than `SES_SEND_RATE`. A message that could not go (SES throttled
past botocore's retries, or down) stays on the queue and comes back later, the wait
doubling with each receive (`retry_delay`), so an outage of days uses few receives before
the queue's redrive policy gives it to the dead-letter queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from undersigned import config, limits, mail, outbox, suppression, tokens
from undersigned.campaign import Campaign, utc_now
from undersigned.keys import keys
from undersigned.observability import logger
from undersigned.signature import CONFIRMED, PENDING_DAYS, State
from undersigned.store.campaigns import Campaigns
from undersigned.store.ledger import Delivery, Ledger
from undersigned.store.signatures import Signatures, StoredSignature

SENDER_ADDRESS = config.setting("SENDER_ADDRESS")
# The SES configuration set whose events feed the suppression list (empty: the identity's default).
CONFIGURATION_SET = config.setting("CONFIGURATION_SET", default="")
# Emails a second for the whole stack (the SesSendRate parameter: at most the account's SES quota).
SES_SEND_RATE = config.setting("SES_SEND_RATE", float)
# Instances the event source mapping runs at most (its MaximumConcurrency).
SENDER_CONCURRENCY = config.setting("SENDER_CONCURRENCY", int)

# botocore's standard retries can wait about 15 s on a throttled send: a send is not
# started with less time left, so that no invocation times out holding sent messages.
TIME_FOR_ONE_SEND_MS = 20_000
# A claim outlives one send with its retries; a claim whose instance died may be taken after it.
LEASE_SECONDS = 120
# A sent mark outlives every redelivery of its message: the queue keeps a message 14 days
# from its queueing, and a redrive from the dead-letter queue queues it anew, so each claim
# keeps the counter item that holds the marks this long from then.
MARK_SECONDS = 15 * 86400
# The first wait of a message that could not go; it doubles with each receive, up to 11 h.
FIRST_RETRY_SECONDS = 60


class Outcome(StrEnum):
    SENT = "sent"
    # Sent by an earlier delivery of the same message.
    ALREADY_SENT = "already_sent"
    # Nothing to send, by the rules (bot, ended signature, suppressed, capped).
    NOT_SENT = "not_sent"
    # Another instance holds the message right now (a duplicate delivery): try later.
    BUSY = "busy"


class Pace:
    """At most `rate` sends a second from this instance, across its invocations."""

    def __init__(
        self, rate: float, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = 1 / rate
        self.next_at = 0.0
        self._sleep = sleep
        self._clock = clock

    def wait(self) -> None:
        now = self._clock()
        if now < self.next_at:
            self._sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


# What a delivery that could not claim its message's email did.
_NOT_CLAIMED = {Delivery.SENT: Outcome.ALREADY_SENT, Delivery.BUSY: Outcome.BUSY, Delivery.CAPPED: Outcome.NOT_SENT}


_pace: Pace | None = None


def instance_pace() -> Pace:
    global _pace
    if _pace is None:
        _pace = Pace(SES_SEND_RATE.value / SENDER_CONCURRENCY.value)
    return _pace


def retry_delay(receive_count: int) -> int:
    """Seconds a message waits before its next receive after its `receive_count`-th failed
    (`outbox.delay` holds it to what SQS allows)."""
    return FIRST_RETRY_SECONDS * 2 ** max(0, receive_count - 1)


def deliver(records: Iterable[dict[str, Any]], remaining_ms: Callable[[], int]) -> list[str]:
    """Sends a batch of the queue's records (Lambda's SQS event); returns the message ids
    to report as failed, which the mapping leaves on the queue. Once SES (or DynamoDB)
    fails one, or time runs short, the rest of the batch is left for later too."""
    records = list(records)
    failed: list[str] = []
    for index, record in enumerate(records):
        if remaining_ms() < TIME_FOR_ONE_SEND_MS:
            return failed + _later(records[index:])
        try:
            outcome = deliver_one(outbox.decode(record["body"]))
        except outbox.UnreadableMessage:
            # Retrying cannot mend it: straight back, so that the redrive policy soon moves it
            # to the dead-letter queue (and its alarm), where an operator can look at it.
            logger.error("outbox message unreadable", extra={"message_id": record.get("messageId")})
            outbox.delay(record["receiptHandle"], 0)
            failed.append(record["messageId"])
            continue
        except (ClientError, BotoCoreError) as error:
            logger.warning("email not sent; left on the queue", extra={"error_type": _error_code(error), "message_id": record["messageId"]})
            return failed + _later(records[index:])
        if outcome is Outcome.BUSY:
            failed += _later([record])
            continue
        logger.info("outbox message done", extra={"message_id": record["messageId"], "outcome": outcome.value})
    return failed


def _later(records: list[dict[str, Any]]) -> list[str]:
    """Leaves the records on the queue, each out of sight for its `retry_delay`."""
    for record in records:
        receives = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
        outbox.delay(record["receiptHandle"], retry_delay(receives))
    return [record["messageId"] for record in records]


def _error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code") or type(error).__name__)
    return type(error).__name__


def deliver_one(outgoing: outbox.Outgoing) -> Outcome:
    """Sends the message's email unless the rules say none goes (or it went already).
    Raises botocore's errors when SES or DynamoDB fail: the message is to be retried."""
    found = _email_to_send(outgoing)
    if found is None or outgoing.signer is None:
        return Outcome.NOT_SENT
    email, campaign = found
    ledger = Ledger()
    now = int(utc_now().timestamp())
    lease_until = now + LEASE_SECONDS
    mail_caps = limits.mail_caps(campaign.id, outgoing.signer, outgoing.queued_at or now)
    claimed = ledger.claim_email(mail_caps.counter, outgoing.message_id, mail_caps.caps, now, lease_until, now + MARK_SECONDS)
    if claimed is not Delivery.CLAIMED:
        return _NOT_CLAIMED[claimed]
    try:
        instance_pace().wait()
        mail.send(email, campaign.sender_name, SENDER_ADDRESS.value, CONFIGURATION_SET.value)
    except (ClientError, BotoCoreError):
        # Not sent: the caps and the message are as if it had not been tried.
        ledger.give_back_email(mail_caps.counter, outgoing.message_id, mail_caps.caps, lease_until)
        raise
    try:
        ledger.mark_emailed(mail_caps.counter, outgoing.message_id)
    except (ClientError, BotoCoreError) as error:
        # Sent all the same: the message is done. Left on the queue, it would be sent again
        # once its lease ended; the lease it keeps still counts the email against the caps.
        logger.warning("email sent; its mark not written", extra={"error_type": _error_code(error), "message_id": outgoing.message_id})
    return Outcome.SENT


def _email_to_send(outgoing: outbox.Outgoing) -> tuple[mail.Email, Campaign] | None:
    """The email that fits the signature now (and its campaign), or None when none is to go."""
    if outgoing.signer is None or outgoing.to is None or outgoing.signature_id is None:
        return None
    campaign = Campaigns().recent(outgoing.campaign_id)
    signature = Signatures().get_expecting(campaign, outgoing.signer, lambda found: _fits(found, outgoing)) if campaign else None
    if campaign is None or signature is None or not _fits(signature, outgoing):
        return None
    expired = signature.state == State.PENDING and signature.expired(utc_now().timestamp())
    if expired or suppression.is_suppressed(outgoing.to):
        return None
    return email_for(campaign, signature, outgoing.to, outgoing.base_url, outgoing.lang), campaign


def _fits(signature: StoredSignature | None, outgoing: outbox.Outgoing) -> bool:
    """The message's own signature, pending or confirmed: an email may go (read again if not).
    Not gone, ended, or started afresh since (its own message carries the new signature's id)."""
    return signature is not None and signature.signature_id == outgoing.signature_id and (
        signature.state == State.PENDING or signature.state in CONFIRMED
    )


def email_for(campaign: Campaign, signature: StoredSignature, to: str, base_url: str, lang: str) -> mail.Email:
    """"Confirm your signature" while it is pending, "you have already signed" once confirmed."""
    key_set = keys()
    # The links carry the email's language, so the pages behind them speak it too.
    withdraw = tokens.withdraw_token(campaign.id, signature.signer, signature.signature_id, key_set, lang)
    withdraw_url = mail.link(base_url, "/withdraw", withdraw)
    if signature.state in CONFIRMED:
        return mail.already_signed_email(to, campaign.title_in(lang), withdraw_url, lang, campaign.email_texts)
    verify = tokens.verify_token(
        campaign.id, signature.signer, signature.signature_id, signature.expires_at or 0, key_set, lang
    )
    return mail.confirm_email(
        to=to,
        name=signature.attributes.get("name") or "",
        title=campaign.title_in(lang),
        verify_url=mail.link(base_url, "/verify", verify),
        withdraw_url=withdraw_url,
        days=PENDING_DAYS.value,
        lang=lang,
        expires_on=datetime.fromtimestamp(signature.expires_at or 0, timezone.utc).date(),
        campaign_texts=campaign.email_texts,
    )
