"""boto3 clients, made once per Lambda instance and only when first used.

Creating a client costs about 100 ms, so a function pays only for the ones it uses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

# Standard retries back off on throttling; short timeouts keep a request inside
# API Gateway's 30 s limit even when a dependency hangs.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=5)


@lru_cache(maxsize=None)
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)


def reset() -> None:
    """Forget every client (tests point them at a fresh embedded AWS)."""
    client.cache_clear()
