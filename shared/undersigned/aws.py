"""AWS clients, made once per Lambda instance and only when first used.

Creating a client costs about 100 ms, so a function pays only for the ones it uses.
They are botocore's own clients, the ones boto3 wraps: importing boto3 costs a cold start
some 60 ms more (its session and s3transfer) and gives a client nothing we use.

No single call may outlive its function. A call makes at most `ATTEMPTS` attempts; each
attempt waits at most `CONNECT_TIMEOUT` + `READ_TIMEOUT`, and between attempts botocore's
standard mode sleeps up to min(1 s × 2^i, 20 s) after throttling (i = 0, 1, …; its
documented cap is 20 s, which it does not let us lower). So the worst case is

    3 × (0.5 s + 1 s) + (1 s + 2 s) = 7.5 s

inside the 10 s of the shortest `Timeout` in template.yaml, with time left to answer a
`503` (tests/unit/test_call_budget.py recomputes it from the template). DynamoDB answers
in milliseconds; a read that takes a second is a hang, better retried than waited for.
"""

from __future__ import annotations

import random
import sys
from functools import lru_cache
from typing import Any

from undersigned import cold_start

ATTEMPTS = 3
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
# What DynamoDB answers when it cannot take a request right now: the table or the account
# over its capacity, or an item held by another transaction (botocore retries the first
# three, `retry_transaction_conflicts` the last; these are what is left after retrying).
_UNAVAILABLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "TransactionConflictException"}
)
# The same, as a cancelled transaction's reasons name them.
_UNAVAILABLE_REASONS = frozenset({"ProvisionedThroughputExceeded", "ThrottlingError", "TransactionConflict"})


def is_unavailable(error: BaseException) -> bool:
    """Whether an AWS service refused the call for now (throttling, a conflict) rather than
    for what it asked: repeating the same request later may well succeed."""
    # Read from sys.modules, not imported: a function that never loaded botocore (the
    # widget's files, say) cannot have met one of its errors, and need not pay for them.
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None or not isinstance(error, exceptions.ClientError):
        return False
    code = error.response.get("Error", {}).get("Code")
    if code == "TransactionCanceledException":
        reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons", [])}
        return bool(reasons & _UNAVAILABLE_REASONS) and reasons <= _UNAVAILABLE_REASONS | {"None"}
    return code in _UNAVAILABLE_CODES


def retry_transaction_conflicts(response: Any, attempts: int, **_: Any) -> float | None:
    """Seconds to wait before trying a write again that met an item inside another
    transaction: a signer's write meeting the tally's marks, or two tally transactions
    (two shards of one campaign) meeting on its count. DynamoDB answers
    TransactionConflictException, or cancels a transaction for `TransactionConflict`,
    which botocore's retry modes leave to the caller. A cancelled transaction wrote
    nothing, so trying it again cannot count twice. Within the same `ATTEMPTS` as every
    other retry, so the budget above holds."""
    if response is None or attempts >= ATTEMPTS or not _conflicted(response[1]):
        return None
    return random.uniform(0, 0.025 * 2**attempts)


def _conflicted(answer: dict[str, Any]) -> bool:
    """Whether a write was refused only for meeting another transaction."""
    code = answer.get("Error", {}).get("Code")
    if code == "TransactionCanceledException":
        reasons = {reason.get("Code") for reason in answer.get("CancellationReasons", [])}
        return "TransactionConflict" in reasons and reasons <= {"TransactionConflict", "None"}
    return code == "TransactionConflictException"


@lru_cache(maxsize=1)
def _session() -> Any:
    # Imported here, not above: botocore's session and config cost about 100 ms to import,
    # which the functions that never call AWS (the widget's files, the OpenAPI document,
    # unrouted paths) need not pay.
    import botocore.session

    return botocore.session.get_session()


@lru_cache(maxsize=1)
def client_config() -> Any:
    """Every client's retries and timeouts (the budget above)."""
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


@lru_cache(maxsize=None)
def client(service: str) -> Any:
    with cold_start.kept():
        made = _session().create_client(service, config=client_config())
    if service == "dynamodb":
        made.meta.events.register("needs-retry.dynamodb", retry_transaction_conflicts)
    return made


def reset() -> None:
    """Forget every client (tests point them at a fresh embedded AWS)."""
    client.cache_clear()
    _session.cache_clear()
