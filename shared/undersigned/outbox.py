"""The outbox: one SQS message per accepted submission, which the sender turns into an email.

The submit path answers `202` once the signature is stored and its message queued; SES is
never on the request path, so a slow or failing email service cannot slow or fail signing,
and every kind of submission (new, repeat, verified, capped, suppressed, a bot's) does the
same work there: store, queue one message.

A message lives up to 14 days (the queue's retention), so it carries the least that lets
the sender do its job: the campaign, the signer's keyed hash, the signature's id, the
language and the links' base URL, which the sender needs to find the signature and build
the email, and when it was queued (the day its email counts against, `limits.mail_caps`).
The one personal datum is the address, which the signature item keeps only when its signer
agreed to updates: it travels sealed (AES-GCM with a key derived from the keys secret,
bound to the message's id), so a reader of the queue, its dead-letter queue or a log
learns nothing from it. Nothing here logs a message body.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass, replace

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from undersigned import aws, config, errors
from undersigned.keys import keys
from undersigned.observability import logger

OUTBOX_QUEUE_URL = config.setting("OUTBOX_QUEUE_URL")
_VERSION = 1
_NONCE_BYTES = 12
# SQS allows a message out of sight for 12 hours from its receive in all: an hour to spare.
MAX_DELAY_SECONDS = 11 * 3600


class UnreadableMessage(ValueError):
    """Not a message of ours, or sealed with a key we no longer hold: retrying cannot mend it."""


@dataclass(frozen=True)
class Outgoing:
    """What the sender needs to email one submission's owner. `signer` is None for a
    submission that asked for no email (the honeypot's): the sender discards it."""

    message_id: str
    campaign_id: str
    lang: str
    base_url: str
    signer: str | None = None
    signature_id: str | None = None
    to: str | None = None
    # Epoch seconds; None in a message queued before it was carried (the sender uses its own day).
    queued_at: int | None = None


def new_message_id() -> str:
    return secrets.token_urlsafe(16)


def _seal(address: str, message_id: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(keys().outbox_keys[0]).encrypt(nonce, address.encode(), message_id.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def _open(sealed: str, message_id: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except (AttributeError, ValueError):
        raise UnreadableMessage("the address is not sealed as we seal it") from None
    nonce, ciphertext = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    # Newest key first; an older one opens what was sealed before a rotation.
    for key in keys().outbox_keys:
        try:
            return AESGCM(key).decrypt(nonce, ciphertext, message_id.encode()).decode()
        except InvalidTag:
            continue
    raise UnreadableMessage("the address is sealed with a key we do not hold")


def encode(outgoing: Outgoing) -> str:
    fields = {**asdict(outgoing), "v": _VERSION}
    if outgoing.to is not None:
        fields["to"] = _seal(outgoing.to, outgoing.message_id)
    return json.dumps(fields, separators=(",", ":"))


def decode(body: str) -> Outgoing:
    """Raises `UnreadableMessage` for anything that is not a message `encode` made."""
    try:
        fields = json.loads(body)
        version = fields.pop("v", None) if isinstance(fields, dict) else None
        outgoing = Outgoing(**fields) if version == _VERSION else None
    except (TypeError, ValueError):
        outgoing = None
    if outgoing is None or not isinstance(outgoing.message_id, str):
        raise UnreadableMessage("not an outbox message")
    if outgoing.to is None:
        return outgoing
    return replace(outgoing, to=_open(outgoing.to, outgoing.message_id))


def post(outgoing: Outgoing) -> None:
    """Queues the message; `EmailNotQueued` when SQS does not take it (after botocore's retries)."""
    try:
        aws.client("sqs").send_message(QueueUrl=OUTBOX_QUEUE_URL.value, MessageBody=encode(outgoing))
    except (ClientError, BotoCoreError) as error:
        logger.warning("outbox message not queued", extra={"error_type": type(error).__name__, "campaign_id": outgoing.campaign_id})
        raise errors.EmailNotQueued() from None


def delay(receipt_handle: str, seconds: int) -> None:
    """Keeps a received message out of sight for `seconds` (at most 11 hours), so
    that a message the sender could not send now comes back later, not at once."""
    aws.client("sqs").change_message_visibility(
        QueueUrl=OUTBOX_QUEUE_URL.value, ReceiptHandle=receipt_handle, VisibilityTimeout=min(seconds, MAX_DELAY_SECONDS)
    )
