"""Confirming and withdrawing: the steps behind the links in a signer's email.

Each is safe to repeat. A confirmation answers `already_verified` the second time (and
for a signature held in quarantine: its signer is not told); a withdrawal answers alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from undersigned import errors, tokens
from undersigned.campaign import Campaign, format_instant
from undersigned.keys import keys
from undersigned.signature import CONFIRMED, ERASED, State, kind_of
from undersigned.store.campaigns import Campaigns
from undersigned.store.signatures import Signatures, StoredSignature

ALREADY_VERIFIED = "already_verified"


@dataclass(frozen=True)
class Verification:
    status: str  # "verified" or "already_verified"
    campaign: Campaign


def read_claims(token: str, purpose: str, now: datetime) -> tokens.TokenClaims:
    return tokens.read(token, purpose, keys(), now.timestamp())


def campaign_of(claims: tokens.TokenClaims) -> Campaign:
    campaign = Campaigns().recent(claims.campaign_id)
    if campaign is None:
        raise errors.InvalidToken()
    return campaign


def verify(token: str, now: datetime) -> Verification:
    """Confirms a pending signature (into quarantine when it was submitted under
    suspicion; the answer is the same). Repeating it answers `already_verified`."""
    claims = read_claims(token, tokens.VERIFY, now)
    campaign = campaign_of(claims)
    signatures = Signatures()
    # Only a signature awaiting this token goes on to the write, whose condition decides.
    signature = signatures.get_expecting(campaign, claims.signer, lambda found: _awaits(found, claims, now))
    for _ in range(2):
        status = _verification_status(signature, claims, now)
        if status is not None:
            return Verification(status, campaign)
        done, signature = signatures.verify(
            campaign,
            claims.signer,
            claims.signature_id,
            format_instant(now),
            now.timestamp(),
            # Listed whenever the signer agreed; the list itself shows only while the campaign's is on.
            listed=bool(signature.attributes.get("public")),
            quarantined=bool(signature.attributes.get("quarantined")),
            kind=kind_of(signature.attributes),
        )
        if done:
            return Verification(State.VERIFIED, campaign)
    raise errors.InvalidToken()


def _awaits(signature: StoredSignature | None, claims: tokens.TokenClaims, now: datetime) -> bool:
    return (
        signature is not None and signature.signature_id == claims.signature_id
        and signature.state == State.PENDING and not signature.expired(now.timestamp())
    )


def _verification_status(signature: StoredSignature | None, claims: tokens.TokenClaims, now: datetime) -> str | None:
    """The answer when there is nothing to do; None when the signature awaits verification."""
    if signature is None or signature.signature_id != claims.signature_id or signature.state in ERASED:
        raise errors.InvalidToken()
    # A quarantined signature answers like a verified one: its signer is not told.
    if signature.state in CONFIRMED:
        return ALREADY_VERIFIED
    if signature.expired(now.timestamp()):
        raise errors.TokenExpired()
    return None


def withdraw(token: str, now: datetime) -> Campaign:
    """Erases the signer's details and takes the signature out of the count. Repeatable."""
    claims = read_claims(token, tokens.WITHDRAW, now)
    campaign = campaign_of(claims)
    if not Signatures().withdraw(campaign, claims.signer, claims.signature_id, format_instant(now)):
        raise errors.InvalidToken()
    return campaign
