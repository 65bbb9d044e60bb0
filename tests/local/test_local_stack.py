"""User stories against `make dev`'s stack over real HTTP: what a partner site, a signer
and a developer see. The contract's "Local development" section is the specification."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local.stack_process import StackProcess, mail_to

# Generous: the first request to each function starts its worker, and CI machines are shared.
HTTP_TIMEOUT = 30

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

COUNT_LAG_SECONDS = 5


def _new_address() -> str:
    return f"signer-{uuid.uuid4().hex[:12]}@example.net"


def _sign(
    stack: StackProcess, email: str, campaign: str = "demo", timeout: float = HTTP_TIMEOUT, **headers: str
) -> requests.Response:
    return requests.post(
        f"{stack.base_url}/campaigns/{campaign}/signatures",
        json={"name": "Ada Lovelace", "email": email, "public": True},
        headers=headers,
        timeout=timeout,
    )


def _mail_to(stack: StackProcess, email: str) -> dict[str, Any]:
    return mail_to(stack.base_url, email)


def _link(message: dict[str, Any], path: str) -> str:
    [link] = [link for link in message["links"] if urlsplit(link).path == path]
    return link


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _count(stack: StackProcess, campaign: str = "demo") -> int:
    response = requests.get(f"{stack.base_url}/campaigns/{campaign}/count", timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()["count"]


def _count_reaches(stack: StackProcess, expected: int) -> float:
    """Seconds until /count shows `expected`; fails after the contract's 5 s."""
    started = time.monotonic()
    while time.monotonic() - started < COUNT_LAG_SECONDS:
        if _count(stack) == expected:
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"/count did not reach {expected} within {COUNT_LAG_SECONDS} s (it shows {_count(stack)})")


def test_demo_campaigns_are_seeded_as_the_contract_says(local_stack: StackProcess) -> None:
    base = local_stack.base_url
    demo = requests.get(f"{base}/campaigns/demo", timeout=HTTP_TIMEOUT).json()
    assert {key: demo[key] for key in ("id", "goal", "status", "public_signatories")} == {
        "id": "demo",
        "goal": 100,
        "status": "open",
        "public_signatories": True,
    }
    assert requests.get(f"{base}/campaigns/demo-closed", timeout=HTTP_TIMEOUT).json()["status"] == "closed"
    private = requests.get(f"{base}/campaigns/demo-private", timeout=HTTP_TIMEOUT).json()
    assert (private["status"], private["public_signatories"]) == ("open", False)
    assert requests.get(f"{base}/campaigns/demo-private/signatories", timeout=HTTP_TIMEOUT).status_code == 404
    assert requests.get(f"{base}/campaigns/demo/signatories", timeout=HTTP_TIMEOUT).status_code == 200


def test_a_signature_counts_once_verified_and_stops_counting_once_withdrawn(local_stack: StackProcess) -> None:
    base, email = local_stack.base_url, _new_address()
    before = _count(local_stack)

    submitted = _sign(local_stack, email, **{"X-Forwarded-For": "198.51.100.23"})
    assert (submitted.status_code, submitted.json()) == (202, {"status": "pending_verification"})

    message = _mail_to(local_stack, email)
    verify_link, withdraw_link = _link(message, "/verify"), _link(message, "/withdraw")
    assert verify_link.startswith(f"{base}/verify?token=")  # absolute, pointing at this server
    assert withdraw_link.startswith(f"{base}/withdraw?token=")

    page = requests.get(verify_link, timeout=HTTP_TIMEOUT)  # what a mail scanner's prefetch does
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")

    verified = requests.post(f"{base}/verify", json={"token": _token(verify_link)}, timeout=HTTP_TIMEOUT)
    assert verified.json() == {"status": "verified", "campaign_id": "demo"}
    _count_reaches(local_stack, before + 1)
    again = requests.post(f"{base}/verify", json={"token": _token(verify_link)}, timeout=HTTP_TIMEOUT)
    assert again.json()["status"] == "already_verified"

    withdrawn = requests.post(f"{base}/withdraw", json={"token": _token(withdraw_link)}, timeout=HTTP_TIMEOUT)
    assert withdrawn.json() == {"status": "withdrawn"}
    _count_reaches(local_stack, before)


def test_verify_link_page_changes_nothing(local_stack: StackProcess) -> None:
    email = _new_address()
    before = _count(local_stack)
    _sign(local_stack, email)
    requests.get(_link(_mail_to(local_stack, email), "/verify"), timeout=HTTP_TIMEOUT)
    time.sleep(2)  # longer than the stream takes to count a verified signature
    assert _count(local_stack) == before


def test_closed_campaign_refuses_signatures(local_stack: StackProcess) -> None:
    response = _sign(local_stack, _new_address(), campaign="demo-closed")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "campaign_closed"


def test_demo_page_embeds_the_widget_and_its_plain_form_returns_to_it(local_stack: StackProcess) -> None:
    base = local_stack.base_url
    page = requests.get(f"{base}/_dev/demo", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200
    assert '<form method="post" action="/campaigns/demo/signatures">' in page.text
    assert '<undersigned-sign campaign="demo"' in page.text and '<script src="/widget.js"' in page.text
    assert requests.get(f"{base}/widget.js", timeout=HTTP_TIMEOUT).status_code == 200
    response = requests.post(
        f"{base}/campaigns/demo/signatures",
        data={"name": "Grace Hopper", "email": _new_address(), "website": ""},
        headers={"Origin": base},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{base}/_dev/demo")


def test_whatever_no_route_serves_is_not_found_in_the_contract_shape(local_stack: StackProcess) -> None:
    base = local_stack.base_url
    unserved = [
        ("GET", "/"),
        ("GET", "/nothing/here"),
        ("GET", "/campaigns/demo/"),  # a trailing slash is another path
        ("GET", "/campaigns/demo/count/"),
        ("DELETE", "/campaigns/demo"),
        ("TRACE", "/campaigns/demo"),
        ("PROPFIND", "/"),
        ("FOO", "/campaigns/demo"),
        ("GET", "/_dev/x"),
    ]
    for method, path in unserved:
        response = requests.request(method, f"{base}{path}", timeout=HTTP_TIMEOUT)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found", (method, path)


def test_a_chunked_submission_is_read_whole(local_stack: StackProcess) -> None:
    email = _new_address()
    parts = [b'{"name": "Ada Lovelace", ', f'"email": "{email}"}}'.encode()]
    response = requests.post(  # a generator body is sent with Transfer-Encoding: chunked
        f"{local_stack.base_url}/campaigns/demo/signatures",
        data=iter(parts),
        headers={"Content-Type": "application/json", "X-Forwarded-For": "192.0.2.201"},
        timeout=HTTP_TIMEOUT,
    )
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert (response.status_code, response.json()) == (202, {"status": "pending_verification"})
    assert _mail_to(local_stack, email)["to"] == [email]


@pytest.mark.parametrize("length", ["-1", "abc"])
def test_a_content_length_that_is_not_a_length_gets_an_answer(local_stack: StackProcess, length: str) -> None:
    with socket.create_connection(("127.0.0.1", local_stack.port), timeout=HTTP_TIMEOUT) as connection:
        connection.sendall(
            f"POST /campaigns/demo/signatures HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n\r\n{{}}".encode()
        )
        response = http.client.HTTPResponse(connection)
        response.begin()
        assert (response.status, json.loads(response.read())["error"]["code"]) == (400, "bad_request")


def test_mailbox_page_shows_the_emails_to_a_person(local_stack: StackProcess) -> None:
    email = _new_address()
    _sign(local_stack, email)
    _mail_to(local_stack, email)
    page = requests.get(f"{local_stack.base_url}/_dev/mailbox.html", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert email in page.text
    assert "/verify?token=" in page.text


def test_console_shows_one_line_per_request_without_tokens_or_addresses(local_stack: StackProcess) -> None:
    email = _new_address()
    _sign(local_stack, email)
    message = _mail_to(local_stack, email)
    requests.get(_link(message, "/verify"), timeout=HTTP_TIMEOUT)
    time.sleep(0.3)
    log = local_stack.log()
    assert re.search(r"^\d\d:\d\d:\d\d POST /campaigns/demo/signatures 202 \d+ ms", log, re.MULTILINE)
    assert re.search(r"^\d\d:\d\d:\d\d GET /verify 200 \d+ ms", log, re.MULTILINE)
    assert _token(_link(message, "/verify")) not in log
    assert email not in log
    assert 'HTTP/1.1" 200' not in log  # no werkzeug or http.server access lines


def test_concurrent_signers_each_get_their_own_email_and_all_count(local_stack: StackProcess) -> None:
    base, signers = local_stack.base_url, 12
    before = _count(local_stack)
    addresses = [_new_address() for _ in range(signers)]

    def sign_and_verify(index: int) -> str:
        caller = {"X-Forwarded-For": f"192.0.2.{index + 1}"}  # many clients, as far as the API knows
        assert _sign(local_stack, addresses[index], **caller).status_code == 202
        token = _token(_link(_mail_to(local_stack, addresses[index]), "/verify"))
        return requests.post(f"{base}/verify", json={"token": token}, headers=caller, timeout=HTTP_TIMEOUT).json()["status"]

    with ThreadPoolExecutor(max_workers=signers) as pool:
        outcomes = list(pool.map(sign_and_verify, range(signers)))
    assert outcomes == ["verified"] * signers
    messages = requests.get(f"{base}/_dev/mailbox", timeout=HTTP_TIMEOUT).json()["messages"]
    for address in addresses:
        [mine] = [message for message in messages if address in message["to"]]
        assert mine["to"] == [address]
    _count_reaches(local_stack, before + signers)


def test_browsers_on_the_demo_origins_may_post_and_others_may_not(local_stack: StackProcess) -> None:
    base = local_stack.base_url
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for origin in (base, base.replace("127.0.0.1", "localhost")):
        allowed = requests.options(
            f"{base}/campaigns/demo/signatures", headers={"Origin": origin, **preflight}, timeout=HTTP_TIMEOUT
        )
        assert allowed.status_code == 204, origin
        assert allowed.headers["Access-Control-Allow-Origin"] == origin
    refused = _sign(local_stack, _new_address(), Origin="https://elsewhere.example")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "origin_not_allowed"


def test_a_hundred_signers_at_once_are_all_accepted(local_stack: StackProcess) -> None:
    """The burst a letter's launch brings: every signer queues, none is reset (correctness, not speed)."""
    signers = 100
    start_together = threading.Barrier(signers)
    outcomes: list[int | str] = [0] * signers

    def sign_at_once(index: int) -> None:
        caller = {"X-Forwarded-For": f"198.18.{index // 250}.{index % 250 + 1}"}  # a hundred different callers
        start_together.wait()
        try:
            # A generous wait: a burst on a busy laptop is slow, and only a refusal would be wrong.
            outcomes[index] = _sign(local_stack, _new_address(), timeout=60, **caller).status_code
        except requests.ConnectionError as error:
            outcomes[index] = f"connection failed: {error}"

    threads = [threading.Thread(target=sign_at_once, args=(index,)) for index in range(signers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == [202] * signers
