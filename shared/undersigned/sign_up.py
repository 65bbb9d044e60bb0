"""Signing up: a submission stored as a pending signature, and its owner emailed.

Safe to repeat, and it never tells the caller whether an address had signed before: the
owner of the address learns that from the email they get ("confirm your signature", or
"you have already signed").
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from undersigned import catalogue, config, errors, limits, mail, suppression, tokens
from undersigned.addresses import is_disposable
from undersigned.campaign import Campaign, format_instant
from undersigned.humancheck import Outcome, outcome
from undersigned.keys import keys
from undersigned.observability import logger
from undersigned.signature import CONFIRMED, FROM_SUBMISSION, State, keeps_email
from undersigned.store.ledger import Ledger
from undersigned.store.signatures import Signatures, StoredSignature

if TYPE_CHECKING:
    from undersigned.submission import SignatureRequest

SENDER_ADDRESS = config.setting("SENDER_ADDRESS")
# The SES configuration set whose events feed the suppression list (empty: the identity's default).
CONFIGURATION_SET = config.setting("CONFIGURATION_SET", default="")
# How long a signature waits for its owner to confirm it (and its link stays valid).
PENDING_DAYS = config.setting("PENDING_DAYS", int, default="7")


class SendPace:
    """How long sending an email takes here (a moving average), so that a submission
    whose email is capped takes as long as one whose email goes: the time of the answer
    must not tell that an address was submitted before."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def sent(self, seconds: float) -> None:
        self.seconds = seconds if not self.seconds else 0.8 * self.seconds + 0.2 * seconds

    def skip(self) -> None:
        time.sleep(self.seconds)


_pace = SendPace()


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
    emails its owner what fits, in `lang` (see `catalogue.choose`), within the daily caps on
    mail to one address."""
    ledger = Ledger()
    quarantined = screen(campaign, request, ledger) or not admission.within_limits
    signer = keys().signer_id(request.canonical_email)
    started = Signatures().start(campaign.id, signer, new_signature_fields(request, now, quarantined, admission), now.timestamp())
    # Capped, bounced or complained: no email, and an answer that takes as long as one.
    if not limits.may_email(campaign.id, signer, ledger, now.timestamp()) or suppression.is_suppressed(request.email):
        _pace.skip()
        return
    email = _email_for(campaign, started.signature, request, base_url, lang)
    started_sending = time.perf_counter()
    try:
        mail.send(email, campaign.sender_name, SENDER_ADDRESS.value, CONFIGURATION_SET.value)
        _pace.sent(time.perf_counter() - started_sending)
    except (ClientError, BotoCoreError) as error:
        # The signature stays stored; submitting again sends the email again.
        logger.warning("email not sent", extra={"error_type": type(error).__name__, "campaign_id": campaign.id})
        raise errors.EmailNotSent() from None


def _email_for(
    campaign: Campaign, signature: StoredSignature, request: SignatureRequest, base_url: str, lang: str
) -> mail.Email:
    key_set = keys()
    # The links carry the email's language, so the pages behind them speak it too.
    withdraw = tokens.withdraw_token(campaign.id, signature.signer, signature.signature_id, key_set, lang)
    withdraw_url = mail.link(base_url, "/withdraw", withdraw)
    if signature.state in CONFIRMED:
        return mail.already_signed_email(request.email, campaign.title, withdraw_url, lang, campaign.email_texts)
    verify = tokens.verify_token(
        campaign.id, signature.signer, signature.signature_id, signature.expires_at or 0, key_set, lang
    )
    return mail.confirm_email(
        to=request.email,
        name=signature.attributes.get("name") or request.name,
        title=campaign.title,
        verify_url=mail.link(base_url, "/verify", verify),
        withdraw_url=withdraw_url,
        days=PENDING_DAYS.value,
        lang=lang,
        expires_on=datetime.fromtimestamp(signature.expires_at or 0, timezone.utc).date(),
        campaign_texts=campaign.email_texts,
    )
