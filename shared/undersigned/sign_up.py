"""Signing up: a submission stored as a pending signature, and its owner's email queued.

Safe to repeat, and it never tells the caller whether an address had signed before: the
owner of the address learns that from the email they get ("confirm your signature", or
"you have already signed"), which the sender (`undersigned.sender`) builds and sends off
the request path. Every submission does the same work here whatever the email will be
(or whether one goes at all: capped, suppressed): store, then queue one outbox message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from undersigned import catalogue, errors, limits, outbox
from undersigned.addresses import is_disposable
from undersigned.campaign import Campaign, format_instant
from undersigned.humancheck import Outcome, outcome
from undersigned.keys import keys
from undersigned.observability import logger
from undersigned.signature import FROM_SUBMISSION, PENDING_DAYS, State, keeps_email
from undersigned.store.ledger import Ledger
from undersigned.store.signatures import Signatures

if TYPE_CHECKING:
    from undersigned.submission import SignatureRequest


def new_signature_id() -> str:
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class Admission:
    """How a submission stood against its caller's rate limits."""

    within_limits: bool
    caller_hash: str | None = None


WITHIN_LIMITS = Admission(within_limits=True)


def new_signature_fields(request: SignatureRequest, now: datetime, quarantined: bool, admission: Admission) -> dict[str, Any]:
    """What a new signature stores: what the signer gave (see `signature.FIELDS`) and its bookkeeping."""
    return {
        **{name: getattr(request, name) for name in FROM_SUBMISSION},
        "sid": new_signature_id(),
        "state": State.PENDING,
        "created_at": format_instant(now),
        "expires_at": int(now.timestamp()) + PENDING_DAYS.value * 86400,
        "email": request.email if keeps_email(request.updates) else None,
        # Suspicious (over a rate limit, a throwaway mailbox...): verified, it is quarantined.
        "quarantined": True if quarantined else None,
        # Lets an organiser invalidate a domain's signatures in bulk.
        "domain_hash": keys().domain_hash(request.canonical_email.rpartition("@")[2]),
        # Over a rate limit: the caller's keyed hash stays with the quarantined signature until
        # an organiser's review (so a flood can be invalidated by its source), never otherwise.
        "caller_hash": None if admission.within_limits else admission.caller_hash,
    }


def admit(campaign: Campaign, caller_address: str | None, now: datetime) -> Admission:
    """Counts a submission against the caller's rate limits: within them, or over them
    (quarantine it); a flood is refused with `RateLimited`."""
    key_set = keys()
    if limits.admit(campaign, caller_address, key_set, Ledger(), now.timestamp()):
        return WITHIN_LIMITS
    return Admission(within_limits=False, caller_hash=limits.caller_hash(caller_address, key_set))


def screen(campaign: Campaign, request: SignatureRequest, ledger: Ledger) -> bool:
    """Applies the campaign's rules about who may sign: refuses what a person can
    correct, and answers whether to quarantine what only an organiser can judge."""
    disposable = campaign.disposable_addresses != "accept" and is_disposable(request.email)
    if disposable and campaign.disposable_addresses == "refuse":
        raise errors.invalid("email", "Use a permanent address: this one is from a throwaway-mailbox service.")
    checked = outcome(campaign.human_check, request.altcha, request.captcha, campaign.id, keys(), ledger)
    if checked is Outcome.FAILED:
        field = "altcha" if campaign.human_check == "altcha" else "captcha"
        raise errors.invalid(field, "The check that you are a person did not complete. Reload the page and try again.")
    if checked is Outcome.UNKNOWN:
        logger.warning("human check unavailable", extra={"campaign_id": campaign.id, "check": campaign.human_check})
    return disposable or checked is Outcome.UNKNOWN


def submit(
    campaign: Campaign,
    request: SignatureRequest,
    base_url: str,
    now: datetime,
    admission: Admission = WITHIN_LIMITS,
    lang: str = catalogue.DEFAULT,
) -> None:
    """Stores the signature (at most one per address; quarantined when suspicious) and
    queues the email that fits, in `lang` (see `catalogue.choose`). `EmailNotQueued` when
    the queue does not take it: the signature stays stored, and a repeat queues it."""
    ledger = Ledger()
    quarantined = screen(campaign, request, ledger) or not admission.within_limits
    signer = keys().signer_id(request.canonical_email)
    started = Signatures().start(campaign, signer, new_signature_fields(request, now, quarantined, admission), now.timestamp())
    outbox.post(
        outbox.Outgoing(
            message_id=outbox.new_message_id(),
            campaign_id=campaign.id,
            lang=lang,
            base_url=base_url,
            signer=signer,
            signature_id=started.signature.signature_id,
            to=request.email,
            queued_at=int(now.timestamp()),
        )
    )


def discard(campaign: Campaign, base_url: str, lang: str) -> None:
    """A bot's submission (the honeypot filled): nothing stored, and a message queued that
    the sender throws away, so that its answer comes after the same queueing as a person's."""
    outbox.post(outbox.Outgoing(message_id=outbox.new_message_id(), campaign_id=campaign.id, lang=lang, base_url=base_url))
