"""Does the time of a submission's answer tell whether the address had signed?

    .venv/bin/python benchmarks/enumeration_timing.py [--rounds 150]

Calls the submit function in-process (the handler as API Gateway would, against an
embedded AWS, moto) for each kind of submission a caller cannot tell apart by body or
headers, interleaved round by round so that drift hits every kind alike, and prints
the median and the 90th percentile of each kind and its ratio to a new signer's.
Prints; asserts nothing.

Every kind does the same work on the request path: store (or, for a bot, not), then queue
one outbox message; SES, the daily caps and the suppression list are the sender's, off
the request path (`undersigned.sender`), so there is no send time to imitate. The
honeypot kind skips the signature's write and its screening: expect it a few
milliseconds faster here, the difference moto's PutItem makes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_SERVICE_NAME": "undersigned-bench",
    "UNDERSIGNED_MASTER_KEY": "benchmark-key-not-a-secret",
    "PUBLIC_BASE_URL": "https://api.bench",
}


def setup() -> tuple[Callable[..., object], Callable[[str], None]]:
    import boto3
    from moto import mock_aws

    from devstack.resources import create_queues, create_tables, sender_address, table_variables, verify_sender

    os.environ.update(ENVIRONMENT)
    os.environ.update(
        {
            **table_variables(),
            "SENDER_ADDRESS": sender_address(),
            "SES_SEND_RATE": "10000",
            "SENDER_CONCURRENCY": "2",
        }
    )
    mock_aws().start()
    create_tables(boto3.client("dynamodb"))
    os.environ["OUTBOX_QUEUE_URL"] = create_queues(boto3.client("sqs"))["OutboxQueue"]
    verify_sender(boto3.client("sesv2"))

    import logging

    from integration.conftest import DEMO, Mailbox
    from integration.lambda_api import Api
    from undersigned.campaign_file import put_campaign

    logging.disable(logging.WARNING)
    put_campaign({**DEMO, "burst_limit": 1})
    api, mailbox = Api(), Mailbox()

    def sign(address: str, **kwargs: object) -> object:
        body = {"name": "Bench Signer", "email": address, **kwargs.pop("fields", {})}  # type: ignore[dict-item]
        answer = api.post("/campaigns/demo/signatures", json_body=body, **kwargs)
        assert answer.status == 202, answer.text
        return answer

    def verify(address: str) -> None:
        api.post("/verify", json_body={"token": mailbox.last_to(address).token("/verify")})

    return sign, verify


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=150, help="submissions timed per kind")
    args = parser.parse_args()
    sign, verify = setup()

    # What each kind needs before it is timed: its address's (or caller's) history.
    for number in range(args.rounds):
        sign(f"pending{number}@example.org")
        sign(f"verified{number}@example.org")
        verify(f"verified{number}@example.org")
        for _ in range(3):
            sign(f"capped{number}@example.org")
        sign(f"warm{number}@example.org", source_ip=f"198.51.{100 + number // 250}.{number % 250 + 1}")

    kinds: dict[str, Callable[[int], object]] = {
        "new signer": lambda n: sign(f"new{n}@example.org"),
        "repeat while pending": lambda n: sign(f"pending{n}@example.org"),
        "already verified": lambda n: sign(f"verified{n}@example.org"),
        "over the rate limit (quarantined)": lambda n: sign(
            f"late{n}@example.org", source_ip=f"198.51.{100 + n // 250}.{n % 250 + 1}"
        ),
        "email capped for the day": lambda n: sign(f"capped{n}@example.org"),
        "honeypot filled (a bot)": lambda n: sign(f"bot{n}@example.org", fields={"website": "http://spam"}),
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    for number in range(args.rounds):
        for kind, submit in kinds.items():
            started = time.perf_counter()
            submit(number)
            timings[kind].append((time.perf_counter() - started) * 1000)

    baseline = statistics.median(timings["new signer"])
    print(f"{'kind':38} {'median ms':>10} {'p90 ms':>8} {'ratio':>6}")
    for kind, values in timings.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{kind:38} {median:10.2f} {p90:8.2f} {median / baseline:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
