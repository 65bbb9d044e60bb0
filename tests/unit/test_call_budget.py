"""No single AWS call, retries and their backoff included, outlives the function making it:
the worst case of `undersigned.aws`'s client settings, computed here from botocore's own
backoff rule, stays well inside every function's Timeout in template.yaml."""

from __future__ import annotations

import pytest
from botocore.retries.standard import ExponentialBackoff

from devstack.template import functions
from undersigned import aws

# What a function needs after its last call gave up: answering the 503 (or reporting the
# failed batch) and Lambda's own overhead. Generous, so that "inside" means well inside.
HEADROOM_SECONDS = 2.0
# botocore's standard mode: 1 s × 2^i after throttling, capped (the cap is botocore's own).
THROTTLING_BASE_SECONDS = ExponentialBackoff._DEFAULT_BACKOFF_CONFIG["throttling_base_scale"]
BACKOFF_CAP_SECONDS = ExponentialBackoff._MAX_BACKOFF


def worst_case_seconds() -> float:
    """Every attempt hanging until its timeouts, and the longest sleep before each retry."""
    attempts = aws.client_config().retries["total_max_attempts"]
    per_attempt = aws.client_config().connect_timeout + aws.client_config().read_timeout
    sleeps = sum(min(THROTTLING_BASE_SECONDS * 2**retry, BACKOFF_CAP_SECONDS) for retry in range(attempts - 1))
    return attempts * per_attempt + sleeps


def test_the_worst_case_is_the_one_written_in_the_clients_module():
    assert worst_case_seconds() == pytest.approx(7.5)


def test_a_transaction_conflict_is_retried_within_the_same_attempts():
    conflict = (None, {"Error": {"Code": "TransactionConflictException"}})
    assert aws.retry_transaction_conflicts(conflict, aws.ATTEMPTS) is None
    assert 0.025 * 2 ** (aws.ATTEMPTS - 1) < THROTTLING_BASE_SECONDS, "its backoff is shorter than throttling's"


@pytest.mark.parametrize("function", sorted(functions().values(), key=lambda spec: spec.logical_id), ids=lambda spec: spec.logical_id)
def test_no_call_outlives_its_functions_timeout(function):
    assert worst_case_seconds() + HEADROOM_SECONDS <= function.timeout, (
        f"{function.logical_id}: one call may take {worst_case_seconds()} s of its {function.timeout} s"
    )
