"""Key material: never in the code or the repo.

Deployed, it is a Secrets Manager secret (`KEYS_SECRET_ARN`, a JSON object with
`master_key` and, during a rotation, `previous_master_key`; optionally the secret keys
of hosted human checks, `turnstile_secret_key` and `hcaptcha_secret_key`); locally it may come
from `UNDERSIGNED_MASTER_KEY`. Separate keys for separate jobs are derived from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache

from undersigned import aws
from undersigned import config


@dataclass(frozen=True)
class Keys:
    # Newest first: tokens are signed with the first and accepted with any.
    token_keys: tuple[bytes, ...]
    # Never rotated: it keys the hash that identifies a signer in the table.
    signer_key: bytes
    # Keys the hash of a caller's network address in the rate limits (kept minutes to hours).
    caller_key: bytes = b""
    # Newest first, like token_keys: sign proof-of-work challenges, accept any.
    challenge_keys: tuple[bytes, ...] = ()
    # Newest first, like token_keys: seal the address in an outbox message, open with any.
    outbox_keys: tuple[bytes, ...] = ()
    # Secret keys of hosted human checks, by kind ("turnstile", "hcaptcha"), where configured.
    hosted_check_secrets: dict[str, str] = field(default_factory=dict, compare=False)

    def domain_hash(self, domain: str) -> str:
        """A keyed hash of an address's domain, so that an organiser can invalidate a
        domain's signatures without the table holding addresses."""
        digest = hmac.new(self.signer_key, b"domain:" + domain.strip().lower().encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    def signer_id(self, canonical_email: str) -> str:
        """The table's key for an address: the same for the same address, unreadable without the key."""
        digest = hmac.new(self.signer_key, canonical_email.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def caller_id(self, address: str) -> str:
        """A caller's network address as the rate limits know it: never the address itself."""
        digest = hmac.new(self.caller_key, address.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _derive(master: str, purpose: str) -> bytes:
    return hmac.new(master.encode(), f"undersigned/{purpose}/v1".encode(), hashlib.sha256).digest()


# Empty in the local stack, which gives UNDERSIGNED_MASTER_KEY instead.
KEYS_SECRET_ARN = config.setting("KEYS_SECRET_ARN", default="")


def keys_from_secret(secret: dict[str, str]) -> Keys:
    masters = [secret["master_key"]] + ([secret["previous_master_key"]] if secret.get("previous_master_key") else [])
    signer_master = secret.get("signer_master_key") or masters[-1]
    return Keys(
        token_keys=tuple(_derive(master, "token") for master in masters),
        signer_key=_derive(signer_master, "signer"),
        caller_key=_derive(masters[0], "caller"),
        challenge_keys=tuple(_derive(master, "challenge") for master in masters),
        outbox_keys=tuple(_derive(master, "outbox") for master in masters),
        hosted_check_secrets={
            kind: secret[f"{kind}_secret_key"] for kind in ("turnstile", "hcaptcha") if secret.get(f"{kind}_secret_key")
        },
    )


def _load_secret() -> dict[str, str]:
    arn = KEYS_SECRET_ARN.value
    if arn:
        answer = aws.client("secretsmanager").get_secret_value(SecretId=arn)
        return json.loads(answer["SecretString"])
    local = os.environ.get("UNDERSIGNED_MASTER_KEY")
    if not local:
        raise RuntimeError("No key material: set KEYS_SECRET_ARN (deployed) or UNDERSIGNED_MASTER_KEY (local).")
    return {"master_key": local}


@lru_cache(maxsize=1)
def keys() -> Keys:
    return keys_from_secret(_load_secret())
