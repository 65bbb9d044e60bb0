"""The local API Gateway over real sockets: every request gets an answer in the contract's
error shape or the route's function's own, whatever its method, framing or timing; the
template's `$default` route, where there is one, serves whatever no other route does."""

from __future__ import annotations

import http.client
import json
import os
import socket
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.functions import LocalFunction
from devstack.routing import Router
from devstack.server import DevServer, LocalApi, bind
from devstack.template import FunctionSpec, RouteSpec

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

# Answers with what API Gateway told it, so a test sees which route served the request.
ECHO = """
import json

def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"function": context.function_name, "routeKey": event["routeKey"],
                                "body": event.get("body"), "headers": event["headers"]})}
"""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    closed: bool

    def error(self) -> dict[str, str]:
        return json.loads(self.body)["error"]


def _echo(tmp_path: Path, name: str) -> LocalFunction:
    code_dir = tmp_path / name
    code_dir.mkdir()
    (code_dir / "app.py").write_text(textwrap.dedent(ECHO), encoding="utf-8")
    spec = FunctionSpec(name, code_dir=code_dir, handler="app.lambda_handler", environment={}, events={})
    return LocalFunction(spec, dict(os.environ))


def _serve(api: LocalApi, read_timeout: float = 5) -> Iterator[DevServer]:
    server = bind(api, 0, read_timeout=read_timeout)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def echo(tmp_path: Path) -> Iterator[LocalFunction]:
    function = _echo(tmp_path, "EchoFunction")
    yield function
    function.stop()


@pytest.fixture
def without_default(echo: LocalFunction) -> Iterator[DevServer]:
    routes = [RouteSpec("GET", "/campaigns/{campaign_id}", echo.name), RouteSpec("POST", "/echo", echo.name)]
    yield from _serve(LocalApi({echo.name: echo}, Router(routes)), read_timeout=0.5)


@pytest.fixture
def with_default(tmp_path: Path, echo: LocalFunction) -> Iterator[DevServer]:
    fallback = _echo(tmp_path, "DefaultFunction")
    routes = [RouteSpec("GET", "/campaigns/{campaign_id}", echo.name), RouteSpec("ANY", "$default", fallback.name)]
    try:
        yield from _serve(LocalApi({echo.name: echo, fallback.name: fallback}, Router(routes)))
    finally:
        fallback.stop()


def exchange(server: DevServer, raw: bytes) -> Answer:
    """Sends `raw` as it is on a fresh connection; the one answer that comes back."""
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(raw)
        response = http.client.HTTPResponse(connection)
        response.begin()
        body = response.read()
        closed = response.getheader("Connection") == "close" and connection.recv(1) == b""
        return Answer(response.status, response.msg, body, closed)


def request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/campaigns/demo/"),
        ("GET", "/nothing/here"),
        ("DELETE", "/campaigns/demo"),
        ("FOO", "/campaigns/demo"),
        ("TRACE", "/"),
        ("PROPFIND", "/campaigns/demo"),
        ("GET", "/_dev/nothing"),
    ],
)
def test_what_no_route_serves_is_not_found_in_the_contract_shape(
    without_default: DevServer, method: str, path: str
) -> None:
    answer = exchange(without_default, request(method, path, "Connection: close"))
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.error()["code"] == "not_found"
    assert answer.error()["message"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/campaigns/demo/"), ("FOO", "/anything"), ("DELETE", "/")])
def test_the_default_route_serves_what_no_other_route_does(with_default: DevServer, method: str, path: str) -> None:
    answer = exchange(with_default, request(method, path, "Connection: close"))
    assert answer.status == 200
    assert {key: json.loads(answer.body)[key] for key in ("function", "routeKey")} == {
        "function": "DefaultFunction",
        "routeKey": "$default",
    }


def test_a_route_still_wins_over_the_default_route(with_default: DevServer) -> None:
    answer = exchange(with_default, request("GET", "/campaigns/demo", "Connection: close"))
    assert json.loads(answer.body)["routeKey"] == "GET /campaigns/{campaign_id}"


@pytest.mark.parametrize("length", ["-1", "abc", "5, 6", "1e3"])
def test_a_content_length_that_is_not_a_length_is_a_bad_request(without_default: DevServer, length: str) -> None:
    answer = exchange(without_default, request("POST", "/echo", f"Content-Length: {length}", body=b"hello"))
    assert (answer.status, answer.error()["code"]) == (400, "bad_request")
    assert answer.closed  # where a next request would start is unknown


def test_a_body_that_stops_arriving_gets_a_timeout_answer_not_a_hang(without_default: DevServer) -> None:
    answer = exchange(without_default, request("POST", "/echo", "Content-Length: 100", body=b'{"a":'))
    assert (answer.status, answer.error()["code"]) == (408, "request_timeout")
    assert answer.closed


def test_a_chunked_body_reaches_the_function_whole(without_default: DevServer) -> None:
    chunks = b'7;note=x\r\n{"name"\r\n8\r\n: "Ada"}\r\n0\r\nX-Trailer: t\r\n\r\n'
    raw = request("POST", "/echo", "Content-Type: application/json", "Transfer-Encoding: chunked", body=chunks)
    seen = json.loads(exchange(without_default, raw + request("GET", "/x", "Connection: close")).body)
    assert seen["body"] == '{"name": "Ada"}'
    assert seen["headers"]["content-length"] == "15"
    assert "transfer-encoding" not in seen["headers"]


@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhelloXX0\r\n\r\n", b"5\r\nhel"],
    ids=["size not hexadecimal", "chunk without its CRLF", "cut short"],
)
def test_a_broken_chunked_body_is_a_bad_request(without_default: DevServer, chunks: bytes) -> None:
    raw = request("POST", "/echo", "Transfer-Encoding: chunked", body=chunks)
    with socket.create_connection(without_default.server_address[:2], timeout=10) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)  # "cut short": the client has nothing more to send
        response = http.client.HTTPResponse(connection)
        response.begin()
        assert (response.status, json.loads(response.read())["error"]["code"]) == (400, "bad_request")


def test_both_framings_at_once_are_refused(without_default: DevServer) -> None:
    raw = request("POST", "/echo", "Content-Length: 4", "Transfer-Encoding: chunked", body=b"0\r\n\r\n")
    assert exchange(without_default, raw).status == 400


def test_a_body_over_api_gateways_limit_is_refused_unread(without_default: DevServer) -> None:
    answer = exchange(without_default, request("POST", "/echo", f"Content-Length: {11 * 1024 * 1024}"))
    assert (answer.status, answer.error()["code"]) == (413, "payload_too_large")


def test_a_request_line_http_server_cannot_parse_still_gets_the_contract_shape(without_default: DevServer) -> None:
    answer = exchange(without_default, b"NOT A REQUEST LINE AT ALL\r\n\r\n")
    assert (answer.status, answer.error()["code"]) == (400, "bad_request")


def test_a_burst_of_connections_queues_instead_of_being_reset(without_default: DevServer) -> None:
    """More simultaneous connections than http.server's default backlog of 5 would take."""
    connections = 100
    start_together = threading.Barrier(connections)
    statuses: list[int | str] = []

    def connect() -> None:
        start_together.wait()
        try:
            statuses.append(exchange(without_default, request("GET", "/nothing", "Connection: close")).status)
        except OSError as error:
            statuses.append(type(error).__name__)

    threads = [threading.Thread(target=connect) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [404] * connections
