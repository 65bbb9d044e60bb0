"""Addresses no email may go to again: those that bounced for good or complained.

SES publishes each email's events (bounce, complaint, delivery, reject) through the
stack's configuration set; `record` takes one of them, `is_suppressed` answers whether
an address may be mailed. Call `is_suppressed(to)` before every send, and send nothing
when it is true (the signer's answer must not change: nobody may learn who bounced).

The table (`SUPPRESSION_TABLE`) holds a keyed hash of each address's canonical form, the
reasons and when: never the address. The hash is keyed by the signer key (never rotated,
so a rotation cannot forget a complaint) under a prefix of its own, so it matches no other
hash the service keeps. Nothing here logs an address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from undersigned.addresses import canonical_address
from undersigned.keys import keys
from undersigned.store.suppressions import Suppressions

BOUNCE, COMPLAINT, DELIVERY, REJECT = "Bounce", "Complaint", "Delivery", "Reject"
# A transient or undetermined bounce (mailbox full, greylisting) may deliver next time.
_SUPPRESSING_BOUNCE_TYPE = "Permanent"
# A feedback report that says "not spam" is no complaint about us.
_NOT_A_COMPLAINT = "not-spam"


@dataclass(frozen=True)
class Recorded:
    """What one SES event did: its type (`Bounce`, `Complaint`, `Delivery`, `Reject`, or
    whatever else SES sent) and how many of its recipients are now suppressed."""

    event_type: str
    suppressed: int = 0


def address_hash(address: str) -> str:
    """The suppression table's key for an address: the same for every spelling that reaches
    one mailbox (case, and dots and tags where the provider ignores them)."""
    message = b"suppression:" + canonical_address(address).encode()
    digest = hmac.new(keys().signer_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_suppressed(address: str) -> bool:
    """Whether mail to `address` must not be sent (it bounced permanently or complained)."""
    return Suppressions().holds(address_hash(address))


def record(event: Mapping[str, Any]) -> Recorded:
    """Takes one SES event (the JSON object SES publishes, `eventType` or, for identity
    notifications, `notificationType`) and suppresses the recipients it condemns.

    Safe to repeat: a redelivered event leaves the address suppressed once. Raises
    botocore's errors when the table cannot be written, so that the event is retried.
    """
    event_type = str(event.get("eventType") or event.get("notificationType") or "")
    condemned = _condemned(event_type, event)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    suppressions = Suppressions()
    for address in condemned:
        suppressions.suppress(address_hash(address), event_type.lower(), now)
    return Recorded(event_type=event_type, suppressed=len(condemned))


def _condemned(event_type: str, event: Mapping[str, Any]) -> set[str]:
    if event_type == BOUNCE:
        bounce = event.get("bounce") or {}
        if bounce.get("bounceType") != _SUPPRESSING_BOUNCE_TYPE:
            return set()
        recipients = bounce.get("bouncedRecipients") or []
    elif event_type == COMPLAINT:
        complaint = event.get("complaint") or {}
        if complaint.get("complaintFeedbackType") == _NOT_A_COMPLAINT:
            return set()
        recipients = complaint.get("complainedRecipients") or []
    else:
        return set()
    return {r["emailAddress"] for r in recipients if isinstance(r, Mapping) and r.get("emailAddress")}

