"""The local API Gateway: an HTTP server on 127.0.0.1 that turns each request into the
route's Lambda event, invokes the function and answers with what it returned.

`/_dev/...` belongs to the local stack itself (mailbox, demo page); everything else is
routed from the template, and a request no route matches answers as API Gateway does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from devstack import console, demo, mailbox
from devstack.events import (
    BadLambdaResponse,
    HttpRequest,
    HttpResponse,
    gateway_error,
    http_api_event,
    http_response,
)
from devstack.functions import FunctionFailed, LocalFunction
from devstack.routing import Router

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


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
                return gateway_error(404, "Not Found"), "dev"
            return page(request), "dev"
        match = self.router.match(request.method, path)
        if match is None:
            return gateway_error(404, "Not Found"), "no route"
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


def _handler_class(api: LocalApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as browsers and requests expect
        server_version = "undersigned-devstack"

        def _serve(self) -> None:
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            path = self.path.split("?", 1)[0]
            if length > MAX_BODY_BYTES:
                self.close_connection = True
                response, target = gateway_error(413, "Request Entity Too Large"), "too large"
            else:
                request = HttpRequest(
                    method=self.command,
                    target=self.path,
                    headers=list(self.headers.items()),
                    body=self.rfile.read(length) if length else b"",
                    client_ip=self.client_address[0],
                    protocol=self.request_version,
                )
                response, target = api.handle(request)
            self._write(response)
            console.request_line(self.command, path, response.status, started, target)

        def _write(self, response: HttpResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            if response.status in (204, 304):  # no body, and no length of one
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the console's request line replaces http.server's (which would print query strings)."""

    for method in _METHODS:
        setattr(Handler, f"do_{method}", Handler._serve)
    return Handler


class DevServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck request never holds up Ctrl-C


def bind(api: LocalApi, port: int) -> DevServer:
    """Binds 127.0.0.1:port now (so a taken port fails fast); serve_forever starts serving."""
    return DevServer(("127.0.0.1", port), _handler_class(api))
