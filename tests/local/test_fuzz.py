"""schemathesis drives every operation of the local stack's own `/openapi.json`: valid and
invalid requests alike answer without a server error, and every answer matches the
documented status codes, content types, headers and schemas.

A fuzz that only produces rejected input proves nothing, so it is steered onto the accept
path too: part of the generated cases name the seeded `demo` campaign, come from a caller
address of their own (the rate limits would otherwise refuse them) and, for `POST /verify`,
carry a token from a confirmation email the fuzz's own submissions produced. The run
counts the 2xx answers on signing and verifying, and needs some of each.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]
# Per operation and generation mode; with about 25 operations this keeps the run near a minute.
EXAMPLES = 20
SIGN, VERIFY = "POST /campaigns/{campaign_id}/signatures", "POST /verify"
# A sign body that passes the contract's rules, for the cases steered onto the accept path.
_SIGNERS = itertools.count(1)
_CALLERS = (str(ipaddress.ip_address("198.18.0.0") + number) for number in itertools.count(1))


def confirmation_tokens(base_url: str) -> list[str]:
    messages = requests.get(f"{base_url}/_dev/mailbox", timeout=10).json()["messages"]
    return [
        parse_qs(urlsplit(link).query)["token"][0]
        for message in messages
        for link in message["links"]
        if urlsplit(link).path == "/verify"
    ]


def onto_the_accept_path(label: str, tokens: list[str]):
    """Turns a generated case into one the API should accept (where it has a body we can make)."""

    def steer(case):
        if "campaign_id" in (case.path_parameters or {}):
            case.path_parameters["campaign_id"] = "demo"
        if label == SIGN:
            number = next(_SIGNERS)
            case.body = {"name": f"Fuzz Signer {number}", "email": f"fuzz{number}@example.org"}
            case.media_type = "application/json"
        elif label == VERIFY and tokens:
            case.body = {"token": tokens[len(tokens) and next(_SIGNERS) % len(tokens)]}
            case.media_type = "application/json"
        return case

    return steer


def run_operation(operation, base_url: str, tokens: list[str], answers: Counter) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE).map(onto_the_accept_path(label, tokens)),
    )

    @hypothesis.given(case=cases)
    @hypothesis.settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def exchange(case) -> None:
        response = case.call(base_url=base_url, headers={"X-Forwarded-For": next(_CALLERS)}, timeout=60)
        answers[(label, response.status_code // 100)] += 1
        case.validate_response(response, checks=CHECKS)

    exchange()


def test_every_operation_answers_without_server_errors_and_as_documented(local_stack):
    # Fetched here, with time for the document function's cold start on a busy machine.
    document = requests.get(f"{local_stack.base_url}/openapi.json", timeout=60).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Signing first, so that verifying has tokens from the confirmation emails it caused.
    operations.sort(key=lambda operation: f"{operation.method.upper()} {operation.path}" != SIGN)
    answers: Counter = Counter()
    tokens: list[str] = []
    for operation in operations:
        if f"{operation.method.upper()} {operation.path}" == VERIFY:
            tokens.extend(confirmation_tokens(local_stack.base_url))
        run_operation(operation, local_stack.base_url, tokens, answers)

    requests_sent = sum(answers.values())
    server_errors = sum(n for (_, kind), n in answers.items() if kind == 5)
    print(f"fuzz: {len(operations)} operations, {requests_sent} requests, {server_errors} server errors, "
          f"2xx on sign {answers[(SIGN, 2)]}, on verify {answers[(VERIFY, 2)]}")
    assert len(operations) >= 10, "the document lists every operation"
    assert server_errors == 0
    assert answers[(SIGN, 2)] > 0 and answers[(VERIFY, 2)] > 0, f"the fuzz never reached the accept path: {answers}"
