"""The tokens in email links: an HMAC over what they refer to, nothing stored.

A token names one signature (campaign, signer hash, signature id) and one purpose,
so a verify link cannot withdraw and a link for a signature that was withdrawn and
signed again no longer applies. A database reader cannot make one: that needs the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from undersigned import errors
from undersigned.keys import Keys

VERIFY = "v"
WITHDRAW = "w"
_MAC_BYTES = 16  # 128 bits
_NEVER = 0


@dataclass(frozen=True)
class TokenClaims:
    purpose: str
    campaign_id: str
    signer: str
    signature_id: str
    expires_at: int  # epoch seconds; 0: never
    # The language of the email the link came in, for the pages behind it; "" in tokens
    # issued before the service spoke more than English (they stay valid).
    lang: str = ""

    def expired(self, now: float) -> bool:
        return self.expires_at != _NEVER and now >= self.expires_at


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def issue(claims: TokenClaims, keys: Keys) -> str:
    fields = [claims.purpose, claims.campaign_id, claims.signer, claims.signature_id, str(claims.expires_at)]
    payload = "|".join(fields + ([claims.lang] if claims.lang else [])).encode()
    return f"{_b64(payload)}.{_b64(_mac(keys.token_keys[0], payload))}"


def read(token: str, purpose: str, keys: Keys, now: float) -> TokenClaims:
    """The claims of a genuine, unexpired token for `purpose`; otherwise the contract's error."""
    claims = _authentic_claims(token, keys)
    if claims is None or claims.purpose != purpose:
        raise errors.InvalidToken()
    if claims.expired(now):
        raise errors.TokenExpired()
    return claims


def _authentic_claims(token: str, keys: Keys) -> TokenClaims | None:
    if not isinstance(token, str) or len(token) > 512 or token.count(".") != 1:
        return None
    encoded_payload, encoded_mac = token.split(".")
    try:
        payload, mac = _unb64(encoded_payload), _unb64(encoded_mac)
    except (binascii.Error, ValueError):
        return None
    # Check every key, whatever matched, so that timing says nothing about which.
    genuine = [hmac.compare_digest(mac, _mac(key, payload)) for key in keys.token_keys]
    if not any(genuine):
        return None
    parts = payload.decode("utf-8", "replace").split("|")
    if len(parts) not in (5, 6) or not parts[4].isdigit():
        return None
    return TokenClaims(parts[0], parts[1], parts[2], parts[3], int(parts[4]), parts[5] if len(parts) == 6 else "")


def verify_token(campaign_id: str, signer: str, signature_id: str, expires_at: int, keys: Keys, lang: str = "") -> str:
    return issue(TokenClaims(VERIFY, campaign_id, signer, signature_id, expires_at, lang), keys)


def withdraw_token(campaign_id: str, signer: str, signature_id: str, keys: Keys, lang: str = "") -> str:
    return issue(TokenClaims(WITHDRAW, campaign_id, signer, signature_id, _NEVER, lang), keys)
