"""The functions' settings, parsed once from the environment the template gives them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    campaigns_table: str
    signatures_table: str
    limits_table: str
    keys_secret_arn: str
    sender_address: str
    public_base_url: str
    pending_days: int
    # Where hosted human checks confirm a widget's token (tests point these at a fake).
    turnstile_verify_url: str
    hcaptcha_verify_url: str
    counters_table: str = ""
    audit_table: str = ""
    event_bus_name: str = "default"


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        campaigns_table=env.get("CAMPAIGNS_TABLE", ""),
        signatures_table=env.get("SIGNATURES_TABLE", ""),
        limits_table=env.get("LIMITS_TABLE", ""),
        keys_secret_arn=env.get("KEYS_SECRET_ARN", ""),
        sender_address=env.get("SENDER_ADDRESS", ""),
        public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        pending_days=int(env.get("PENDING_DAYS") or 7),
        turnstile_verify_url=env.get("TURNSTILE_VERIFY_URL") or "https://challenges.cloudflare.com/turnstile/v0/siteverify",
        hcaptcha_verify_url=env.get("HCAPTCHA_VERIFY_URL") or "https://api.hcaptcha.com/siteverify",
        counters_table=env.get("COUNTERS_TABLE", ""),
        audit_table=env.get("AUDIT_TABLE", ""),
        event_bus_name=env.get("EVENT_BUS_NAME") or "default",
    )
