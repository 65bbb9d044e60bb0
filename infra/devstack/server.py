"""The local API Gateway: an HTTP server on 127.0.0.1 that turns each request into the
route's Lambda event, invokes the function and answers with what it returned.

`/_dev/...` belongs to the local stack itself (mailbox, demo page); everything else is
routed from the template. A request no route matches, whatever its method, gets the
contract's `404 not_found` (or goes to the template's `$default` route, once it has one).
It is a threaded server with a deep listen backlog, so that a burst of signers queues
instead of being reset.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from devstack import console, demo, mailbox
from devstack.bodies import BodyRefused, is_chunked, read_body
from devstack.events import (
    BadLambdaResponse,
    HttpRequest,
    HttpResponse,
    contract_error,
    gateway_error,
    http_api_event,
    http_response,
    not_found,
)
from devstack.functions import FunctionFailed, LocalFunction
from devstack.routing import Router

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
# A client that stops sending mid-request gets a 408 after this long, and an idle
# keep-alive connection is closed, so neither holds a thread for ever.
READ_TIMEOUT_SECONDS = 30
# Connections the kernel queues while every thread is busy accepting (http.server's 5
# reset a burst of 40 signers; the kernel caps this at net.core.somaxconn).
LISTEN_BACKLOG = 1024


def _page(status: int, content_type: str, text: str) -> HttpResponse:
    return HttpResponse(
        status=status,
        headers=[("Content-Type", content_type), ("Cache-Control", "no-store")],
        body=text.encode("utf-8"),
    )


class LocalApi:
    """Answers one request: a dev page, or the template's function for the route."""

    def __init__(self, functions: dict[str, LocalFunction], router: Router) -> None:
        self.functions = functions
        self.router = router
        self.dev_pages: dict[str, Callable[[HttpRequest], HttpResponse]] = {
            "/_dev": self._index,
            "/_dev/": self._index,
            "/_dev/mailbox": self._mailbox_json,
            "/_dev/mailbox.html": self._mailbox_html,
            "/_dev/demo": self._demo,
        }

    def handle(self, request: HttpRequest) -> tuple[HttpResponse, str]:
        """The response and what answered it (for the console)."""
        path = request.raw_path
        if path == "/_dev" or path.startswith("/_dev/"):
            page = self.dev_pages.get(path)
            if page is None or request.method not in ("GET", "HEAD"):
                return not_found(), "dev"
            return page(request), "dev"
        match = self.router.match(request.method, path)
        if match is None:
            return not_found(), "no route"
        function = self.functions[match.route.function]
        event = http_api_event(request, match.route.route_key, match.path_parameters)
        api_request_id = event["requestContext"]["requestId"]
        try:
            result = function.invoke(event)
            return http_response(result, api_request_id), function.name
        except FunctionFailed:
            return gateway_error(500, "Internal Server Error", api_request_id), function.name
        except BadLambdaResponse as error:
            console.say(f"    {function.name} | API Gateway would answer 500: {error}")
            return gateway_error(500, "Internal Server Error", api_request_id), function.name

    def call(self, method: str, target: str) -> tuple[int, Any]:
        """Calls this API from inside (the demo page reads the campaign like a partner would)."""
        response, _ = self.handle(HttpRequest(method=method, target=target, headers=[("Host", "127.0.0.1")]))
        try:
            return response.status, json.loads(response.body or b"null")
        except ValueError:
            return response.status, None

    def _index(self, request: HttpRequest) -> HttpResponse:
        links = "".join(
            f'<li><a href="{path}">{path}</a></li>'
            for path in ("/_dev/demo", "/_dev/mailbox.html", "/_dev/mailbox", "/campaigns/demo", "/openapi.json")
        )
        return _page(200, "text/html; charset=utf-8", f"<!doctype html><title>Undersigned dev</title><ul>{links}</ul>")

    def _mailbox_json(self, request: HttpRequest) -> HttpResponse:
        return _page(200, "application/json", json.dumps({"messages": mailbox.messages()}))

    def _mailbox_html(self, request: HttpRequest) -> HttpResponse:
        return _page(200, "text/html; charset=utf-8", mailbox.page(mailbox.messages()))

    def _demo(self, request: HttpRequest) -> HttpResponse:
        status, campaign = self.call("GET", f"/campaigns/{demo.CAMPAIGN_ID}")
        outcome = parse_qs(request.raw_query).get("status", [None])[0]
        return _page(200, "text/html; charset=utf-8", demo.page(status, campaign if status == 200 else None, outcome))


def _forwarded_headers(headers: list[tuple[str, str]], body: bytes, chunked: bool) -> list[tuple[str, str]]:
    """A chunked body reaches the function whole, so its headers announce a length instead."""
    if not chunked:
        return headers
    kept = [(name, value) for name, value in headers if name.lower() != "transfer-encoding"]
    return [*kept, ("Content-Length", str(len(body)))]


def _error_code(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def _handler_class(api: LocalApi, read_timeout: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as browsers and requests expect
        server_version = "undersigned-devstack"
        timeout = read_timeout

        def __getattr__(self, name: str) -> Any:
            # http.server answers a method it has no do_<METHOD> for with its own 501 page;
            # API Gateway routes every method (and one no route serves is not found).
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def _serve(self) -> None:
            started = time.perf_counter()
            path = self.path.split("?", 1)[0]
            try:
                body = read_body(self.headers, self.rfile, MAX_BODY_BYTES)
            except BodyRefused as refused:
                self.close_connection = True  # where the next request would start is unknown
                response, target = contract_error(refused.status, refused.code, refused.message), "refused"
            else:
                request = HttpRequest(
                    method=self.command,
                    target=self.path,
                    headers=_forwarded_headers(list(self.headers.items()), body, is_chunked(self.headers)),
                    body=body,
                    client_ip=self.client_address[0],
                    protocol=self.request_version,
                )
                response, target = api.handle(request)
            self._write(response)
            console.request_line(self.command, path, response.status, started, target)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            """http.server's own refusals (a malformed request line, headers too long) in the
            contract's error shape instead of its HTML page."""
            self.close_connection = True
            if self.request_version == "HTTP/0.9":  # an unparsable line: answer with a status line all the same
                self.request_version = "HTTP/1.1"
            self._write(contract_error(code, _error_code(code), message or HTTPStatus(code).phrase))

        def _write(self, response: HttpResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            if response.status in (204, 304):  # no body, and no length of one
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the console's request line replaces http.server's (which would print query strings)."""

    return Handler


class DevServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck request never holds up Ctrl-C
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is no fault of the stack's: no traceback on the console for it."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def bind(api: LocalApi, port: int, read_timeout: float = READ_TIMEOUT_SECONDS) -> DevServer:
    """Binds 127.0.0.1:port now (so a taken port fails fast); serve_forever starts serving."""
    return DevServer(("127.0.0.1", port), _handler_class(api, read_timeout))
