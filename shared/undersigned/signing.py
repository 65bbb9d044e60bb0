"""The signer's journey: submit, confirm by email, and perhaps withdraw.

Each step is safe to repeat, and none tells the caller whether an address had
signed before: the owner of the address learns that from the email they get.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from undersigned import catalogue, errors, limits, mail, tokens
from undersigned.addresses import is_disposable
from undersigned.campaign import Campaign, format_instant
from undersigned.config import settings
from undersigned.humancheck import Outcome, outcome
from undersigned.observability import logger
from undersigned.keys import keys
from undersigned.store import ERASED_STATES, StoredSignature, Store

if TYPE_CHECKING:
    from undersigned.signature import SignatureRequest

VERIFIED = "verified"
QUARANTINED = "quarantined"
ALREADY_VERIFIED = "already_verified"
# States whose owner has confirmed: a repeat gets "you have already signed".
CONFIRMED_STATES = frozenset({VERIFIED, QUARANTINED})


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


def _new_signature_fields(
    request: SignatureRequest, now: datetime, quarantined: bool, admission: Admission
) -> dict[str, object]:
    return {
        "sid": new_signature_id(),
        "state": "pending",
        "created_at": format_instant(now),
        "expires_at": int(now.timestamp()) + settings().pending_days * 86400,
        "name": request.name,
        "organisation": request.organisation,
        "role": request.role,
        "country": request.country,
        "comment": request.comment,
        "public": request.public,
        "updates": request.updates,
        "locale": request.locale,
        "source": request.source,
        # Kept only where the signer agreed to hear from the organiser.
        "email": request.email if request.updates else None,
        # Suspicious (over a rate limit, a throwaway mailbox...): verified, it is quarantined.
        "quarantined": True if quarantined else None,
        # Lets an organiser invalidate a domain's signatures in bulk (issue 6).
        "domain_hash": keys().domain_hash(request.canonical_email.rpartition("@")[2]),
        # Over a rate limit: the caller's keyed hash stays with the quarantined signature until
        # an organiser's review (so a flood can be invalidated by its source), never otherwise.
        "caller_hash": None if admission.within_limits else admission.caller_hash,
    }


def admit(campaign: Campaign, caller_address: str | None, now: datetime) -> Admission:
    """Counts a submission against the caller's rate limits: within them, or over them
    (quarantine it); a flood is refused with `429 rate_limited`."""
    key_set = keys()
    if limits.admit(campaign, caller_address, key_set, Store(), now.timestamp()):
        return WITHIN_LIMITS
    return Admission(within_limits=False, caller_hash=limits.caller_hash(caller_address, key_set))


def screen(campaign: Campaign, request: SignatureRequest, store: Store) -> bool:
    """Applies the campaign's rules about who may sign: refuses (400) what a person can
    correct, and answers whether to quarantine what only an organiser can judge."""
    disposable = campaign.disposable_addresses != "accept" and is_disposable(request.email)
    if disposable and campaign.disposable_addresses == "refuse":
        raise errors.validation_error(
            [errors.FieldProblem("email", "Use a permanent address: this one is from a throwaway-mailbox service.")]
        )
    checked = outcome(campaign.human_check, request.altcha, request.captcha, campaign.id, keys(), store)
    if checked is Outcome.FAILED:
        field = "altcha" if campaign.human_check == "altcha" else "captcha"
        raise errors.validation_error(
            [errors.FieldProblem(field, "The check that you are a person did not complete. Reload the page and try again.")]
        )
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
    key_set = keys()
    store = Store()
    quarantined = screen(campaign, request, store) or not admission.within_limits
    signer = key_set.signer_id(request.canonical_email)
    started = store.start_signature(
        campaign.id, signer, _new_signature_fields(request, now, quarantined, admission), now.timestamp()
    )
    if not limits.may_email(campaign.id, signer, store, now.timestamp()):
        _pace.skip()
        return
    email = _email_for(campaign, started.signature, request, base_url, lang)
    started_sending = time.perf_counter()
    try:
        mail.send(email, campaign.sender_name, settings().sender_address)
        _pace.sent(time.perf_counter() - started_sending)
    except (ClientError, BotoCoreError) as error:
        # The signature stays stored; submitting again sends the email again.
        logger.warning("email not sent", extra={"error_type": type(error).__name__, "campaign_id": campaign.id})
        raise errors.service_unavailable() from None


def _email_for(
    campaign: Campaign, signature: StoredSignature, request: SignatureRequest, base_url: str, lang: str
) -> mail.Email:
    key_set = keys()
    # The links carry the email's language, so the pages behind them speak it too.
    withdraw = tokens.withdraw_token(campaign.id, signature.signer, signature.signature_id, key_set, lang)
    withdraw_url = mail.link(base_url, "/withdraw", withdraw)
    if signature.state in CONFIRMED_STATES:
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
        days=settings().pending_days,
        lang=lang,
        expires_on=datetime.fromtimestamp(signature.expires_at or 0, timezone.utc).date(),
        campaign_texts=campaign.email_texts,
    )


@dataclass(frozen=True)
class Verification:
    status: str  # "verified" or "already_verified"
    campaign: Campaign


def read_claims(token: str, purpose: str, now: datetime) -> tokens.TokenClaims:
    return tokens.read(token, purpose, keys(), now.timestamp())


def campaign_of(claims: tokens.TokenClaims, store: Store) -> Campaign:
    campaign = store.campaign(claims.campaign_id)
    if campaign is None:
        raise errors.invalid_token()
    return campaign


def verify(token: str, now: datetime) -> Verification:
    """Confirms a pending signature (into quarantine when it was submitted under
    suspicion; the answer is the same). Repeating it answers `already_verified`."""
    claims = read_claims(token, tokens.VERIFY, now)
    store = Store()
    campaign = campaign_of(claims, store)
    signature = store.signature(claims.campaign_id, claims.signer)
    for _ in range(2):
        status = _verification_status(signature, claims, now)
        if status is not None:
            return Verification(status, campaign)
        done, signature = store.verify(
            claims.campaign_id,
            claims.signer,
            claims.signature_id,
            format_instant(now),
            now.timestamp(),
            # Listed whenever the signer agreed; the list itself shows only while the campaign's is on.
            listed=bool(signature.attributes.get("public")),
            quarantined=bool(signature.attributes.get("quarantined")),
        )
        if done:
            return Verification(VERIFIED, campaign)
    raise errors.invalid_token()


def _verification_status(signature: StoredSignature | None, claims: tokens.TokenClaims, now: datetime) -> str | None:
    """The answer when there is nothing to do; None when the signature awaits verification."""
    if signature is None or signature.signature_id != claims.signature_id or signature.state in ERASED_STATES:
        raise errors.invalid_token()
    # A quarantined signature answers like a verified one: its signer is not told.
    if signature.state in CONFIRMED_STATES:
        return ALREADY_VERIFIED
    if signature.expired(now.timestamp()):
        raise errors.token_expired()
    return None


def withdraw(token: str, now: datetime) -> Campaign:
    """Erases the signer's details and takes the signature out of the count. Repeatable."""
    claims = read_claims(token, tokens.WITHDRAW, now)
    store = Store()
    campaign = campaign_of(claims, store)
    if not store.withdraw(claims.campaign_id, claims.signer, claims.signature_id, format_instant(now)):
        raise errors.invalid_token()
    return campaign
