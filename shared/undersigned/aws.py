"""boto3 clients, made once per Lambda instance and only when first used.

Creating a client costs about 100 ms, so a function pays only for the ones it uses.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

# Standard retries back off on throttling; short timeouts keep a request inside
# API Gateway's 30 s limit even when a dependency hangs.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=5)
CONFLICT_ATTEMPTS = 5


def retry_transaction_conflicts(response: Any, attempts: int, **_: Any) -> float | None:
    """Seconds to wait before trying a write again that met an item inside another
    transaction (the tally's marks). DynamoDB answers TransactionConflictException,
    which botocore's retry modes leave to the caller; a signer should not see it."""
    if response is None or attempts >= CONFLICT_ATTEMPTS:
        return None
    if response[1].get("Error", {}).get("Code") != "TransactionConflictException":
        return None
    return random.uniform(0, 0.025 * 2**attempts)


@lru_cache(maxsize=None)
def client(service: str) -> Any:
    made = boto3.client(service, config=_CONFIG)
    if service == "dynamodb":
        made.meta.events.register("needs-retry.dynamodb", retry_transaction_conflicts)
    return made


def reset() -> None:
    """Forget every client (tests point them at a fresh embedded AWS)."""
    client.cache_clear()
