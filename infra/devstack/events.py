"""HTTP request <-> API Gateway HTTP API (payload format 2.0) Lambda event and response.

Pure functions, so that the event shapes can be tested without a server. Where API
Gateway has a habit that surprises (form bodies arrive base64-encoded, cookies leave the
headers, a bare return value becomes JSON), this module copies the habit, so that the
functions meet it here first and not in production.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from devstack.account import ACCOUNT_ID

API_ID = "local"
# API Gateway passes these bodies as text; every other Content-Type (form encoding
# included) reaches the function base64-encoded.
_TEXT_TYPES = ("application/json", "application/javascript", "application/xml")
_TEXT_SUFFIXES = ("+json", "+xml")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path and query string exactly as on the request line
    headers: list[tuple[str, str]]
    body: bytes = b""
    client_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"

    @property
    def raw_path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def raw_query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class BadLambdaResponse(Exception):
    """The function answered something API Gateway would turn into a 500."""


def is_text(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith(_TEXT_SUFFIXES)


def source_ip(request: HttpRequest) -> str:
    """The caller's address: X-Forwarded-For's first entry stands in for it locally (contract)."""
    forwarded = request.header("x-forwarded-for")
    first = forwarded.split(",", 1)[0].strip() if forwarded else ""
    return first or request.client_ip


def _headers(request: HttpRequest) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            continue  # payload 2.0 moves cookies to their own field
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    host = merged.get("host", "127.0.0.1")
    merged.setdefault("x-forwarded-for", request.client_ip)
    merged.setdefault("x-forwarded-proto", "http")
    merged.setdefault("x-forwarded-port", host.rpartition(":")[2] if ":" in host else "80")
    merged["x-amzn-trace-id"] = f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return merged


def _query_parameters(raw_query: str) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        values[name] = f"{values[name]},{value}" if name in values else value
    return values or None


def _cookies(request: HttpRequest) -> list[str] | None:
    cookies = [
        part.strip()
        for name, value in request.headers
        if name.lower() == "cookie"
        for part in value.split(";")
        if part.strip()
    ]
    return cookies or None


def request_id() -> str:
    """Shaped like API Gateway's (base64 of 10 bytes, e.g. `JKJaXmPLvHcESHA=`)."""
    return base64.b64encode(secrets.token_bytes(10)).decode()


def http_api_event(request: HttpRequest, route_key: str, path_parameters: dict[str, str] | None) -> dict[str, Any]:
    """The event API Gateway (HTTP API, payload 2.0) would send the route's function."""
    now = time.time()
    headers = _headers(request)
    host = headers.get("host", "127.0.0.1")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
            "http": {
                "method": request.method,
                "path": request.raw_path,
                "protocol": request.protocol,
                "sourceIp": source_ip(request),
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id(),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    cookies = _cookies(request)
    if cookies:
        event["cookies"] = cookies
    query = _query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        text = _as_text(request.body) if is_text(headers.get("content-type")) else None
        if text is not None:
            event["body"] = text
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    return event


def _as_text(body: bytes) -> str | None:
    """A text body as text; None when it is not valid UTF-8, which API Gateway passes
    base64-encoded as it is, for the function to refuse (never with U+FFFD put in)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def http_response(result: Any, api_request_id: str) -> HttpResponse:
    """The HTTP answer API Gateway makes of a function's return value (payload 2.0 rules).

    Raises BadLambdaResponse where API Gateway would answer 500 instead.
    """
    try:
        result = json.loads(json.dumps(result))  # Lambda returns JSON: anything else fails there
    except (TypeError, ValueError) as error:
        raise BadLambdaResponse(f"the return value is not JSON-serialisable: {error}") from error
    if not (isinstance(result, dict) and "statusCode" in result):
        # No statusCode: API Gateway assumes 200, JSON, and the value itself as the body.
        body = result if isinstance(result, str) else json.dumps(result)
        result = {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": body}
    status = result["statusCode"]
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise BadLambdaResponse(f"statusCode {status!r} is not an HTTP status")
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise BadLambdaResponse(f"body must be a string, got {type(body).__name__}")
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    headers = [(name, _header_value(value)) for name, value in (result.get("headers") or {}).items()]
    headers += [("Set-Cookie", cookie) for cookie in result.get("cookies") or []]
    headers.append(("Apigw-Requestid", api_request_id))
    return HttpResponse(status=status, headers=headers, body=payload)


def gateway_error(status: int, message: str, api_request_id: str | None = None) -> HttpResponse:
    """API Gateway's own answer when a function fails: nothing of ours can change it in production."""
    return HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json"), ("Apigw-Requestid", api_request_id or request_id())],
        body=json.dumps({"message": message}, separators=(",", ":")).encode(),
    )


def contract_error(status: int, code: str, message: str) -> HttpResponse:
    """An answer the local stack makes itself (no route, a body it cannot read), in the
    contract's error shape: v1.1 puts every answer of the API in it."""
    body = {"error": {"code": code, "message": message}}
    return HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json"), ("Apigw-Requestid", request_id())],
        body=json.dumps(body, separators=(",", ":")).encode(),
    )


def not_found() -> HttpResponse:
    """What a request no route serves gets (the template's `$default` route, once it has one, answers instead)."""
    return contract_error(
        404, "not_found", "Nothing is served at this path with this method. Check both; paths end without a slash."
    )
