"""Proof that a person, not a script, submitted: a campaign picks one kind.

- `none`: no check (the default).
- `altcha`: a self-hosted proof of work (ALTCHA v2, PBKDF2): the page fetches a
  challenge from `GET /campaigns/{id}/challenge`, the browser spends a moment solving
  it, and the submission carries the solution in `altcha`. Nothing leaves our servers,
  no cookie is set, and it works without any third party. A challenge is bound to its
  campaign, expires, and is accepted once.
- `turnstile`, `hcaptcha`: a hosted widget's token in `captcha`, confirmed with the
  provider's siteverify endpoint (secret key from the keys secret; the caller's
  address is not sent). When the provider cannot be reached, the submission is
  quarantined rather than refused: an outage elsewhere does not silence signers.
"""

from __future__ import annotations

import base64
import json
from enum import Enum
from typing import TYPE_CHECKING, Any

from undersigned import config
from undersigned.keys import Keys

if TYPE_CHECKING:
    from undersigned.store.ledger import Ledger

# Where hosted human checks confirm a widget's token (tests point these at a fake).
TURNSTILE_VERIFY_URL = config.setting("TURNSTILE_VERIFY_URL", default="https://challenges.cloudflare.com/turnstile/v0/siteverify")
HCAPTCHA_VERIFY_URL = config.setting("HCAPTCHA_VERIFY_URL", default="https://api.hcaptcha.com/siteverify")

ALGORITHM = "PBKDF2/SHA-256"
# About 256 tries of 5,000 PBKDF2 rounds: well under a second in a browser, one
# derivation (a few ms) to check; a million submissions cost a bot days of CPU.
COST = 5_000
KEY_PREFIX = "00"
CHALLENGE_SECONDS = 600
MAX_PROOF_LENGTH = 4096
HOSTED_TIMEOUT_SECONDS = 3


class Outcome(Enum):
    PASSED = "passed"
    FAILED = "failed"
    # The check could not be made (a hosted provider is down): quarantine, do not refuse.
    UNKNOWN = "unknown"


def new_challenge(campaign_id: str, keys: Keys, now: float) -> dict[str, Any]:
    """A signed ALTCHA v2 challenge for one campaign, as the widget fetches it."""
    from altcha import create_challenge

    challenge = create_challenge(
        algorithm=ALGORITHM,
        cost=COST,
        key_prefix=KEY_PREFIX,
        expires_at=int(now) + CHALLENGE_SECONDS,
        data={"campaign": campaign_id},
        hmac_secret=keys.challenge_keys[0],
    )
    return challenge.to_dict()


def _challenge_parameters(payload: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.b64decode(payload, validate=True))
        parameters = decoded["challenge"]["parameters"]
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    return parameters if isinstance(parameters, dict) else None


def _solved(payload: str, keys: Keys) -> bool:
    from altcha import verify_solution

    for key in keys.challenge_keys:
        try:
            if verify_solution(payload, key).verified:
                return True
        except (ValueError, TypeError, KeyError, RecursionError, OverflowError):
            return False
    return False


def altcha_outcome(payload: str | None, campaign_id: str, keys: Keys, ledger: Ledger) -> Outcome:
    """A genuine solution of an unexpired challenge we issued for this campaign, used once.
    The library re-derives the key and checks its prefix (a zero-work answer fails)."""
    if not payload or len(payload) > MAX_PROOF_LENGTH or not _solved(payload, keys):
        return Outcome.FAILED
    # Authentic from here on: the parameters are covered by our signature.
    parameters = _challenge_parameters(payload)
    if parameters is None or (parameters.get("data") or {}).get("campaign") != campaign_id:
        return Outcome.FAILED
    if not ledger.claim_once(f"pow#{parameters['nonce']}", int(parameters["expiresAt"])):
        return Outcome.FAILED
    return Outcome.PASSED


def hosted_outcome(kind: str, token: str | None, keys: Keys) -> Outcome:
    """Asks the provider whether the widget's token is genuine (it is good for one use)."""
    if not token or len(token) > MAX_PROOF_LENGTH:
        return Outcome.FAILED
    secret = keys.hosted_check_secrets.get(kind)
    url = (TURNSTILE_VERIFY_URL if kind == "turnstile" else HCAPTCHA_VERIFY_URL).value
    if not secret:
        return Outcome.UNKNOWN
    # Imported here: only campaigns with a hosted check pay for urllib's HTTP client.
    import urllib.error
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"secret": secret, "response": token}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=HOSTED_TIMEOUT_SECONDS) as answer:  # noqa: S310 - our fixed https URL
            verdict = json.loads(answer.read(65536))
    except (urllib.error.URLError, OSError, ValueError):
        return Outcome.UNKNOWN
    return Outcome.PASSED if isinstance(verdict, dict) and verdict.get("success") is True else Outcome.FAILED


def outcome(kind: str, altcha: str | None, captcha: str | None, campaign_id: str, keys: Keys, ledger: Ledger) -> Outcome:
    """The campaign's check applied to a submission's proof."""
    if kind == "altcha":
        return altcha_outcome(altcha, campaign_id, keys, ledger)
    if kind in ("turnstile", "hcaptcha"):
        return hosted_outcome(kind, captcha, keys)
    return Outcome.PASSED
