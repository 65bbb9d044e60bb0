"""Calls the functions in-process the way API Gateway and the stream mapping would:
real payload 2.0 events, routed by template.yaml's own routes."""

from __future__ import annotations

import base64
import importlib.util
import ipaddress
import itertools
import json
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from devstack.template import FunctionSpec, functions, routes

TEXT_TYPES = ("application/json",)
# Unless a test says who calls, each request comes from another address (198.18.0.0/15,
# the benchmarking range), so that the rate limits stay out of tests about other things.
_CALLER_NUMBERS = itertools.count(1)


def another_caller() -> str:
    return str(ipaddress.ip_address("198.18.0.0") + next(_CALLER_NUMBERS))


@lru_cache(maxsize=None)
def load_function(logical_id: str) -> ModuleType:
    spec: FunctionSpec = functions()[logical_id]
    module_spec = importlib.util.spec_from_file_location(f"fn_{logical_id}", spec.module_path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str = ""
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return {key.lower(): value for key, value in self.headers.items()}.get(name.lower())


def _match(method: str, path: str) -> tuple[str, str, dict[str, str]]:
    for route in routes():
        if route.method != method:
            continue
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path)) + "$"
        found = re.match(pattern, path)
        if found:
            return route.function, route.route_key, found.groupdict()
    raise LookupError(f"no route in template.yaml for {method} {path}")


def http_event(
    method: str,
    target: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.10",
) -> tuple[str, dict[str, Any]]:
    """(function logical id, event) for one request."""
    parts = urlsplit(target)
    function, route_key, params = _match(method, parts.path)
    lowered = {key.lower(): value for key, value in (headers or {}).items()}
    raw = body.encode() if isinstance(body, str) else body
    is_text = raw is None or lowered.get("content-type", "").split(";")[0].strip() in TEXT_TYPES
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {"host": "api.test", "x-forwarded-for": source_ip, **lowered},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.test",
            "domainPrefix": "api",
            "http": {"method": method, "path": parts.path, "protocol": "HTTP/1.1", "sourceIp": source_ip, "userAgent": "pytest"},
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": "28/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795867200000,
        },
        "isBase64Encoded": not is_text,
    }
    if parts.query:
        event["queryStringParameters"] = dict(parse_qsl(parts.query, keep_blank_values=True))
    if params:
        event["pathParameters"] = params
    if raw is not None:
        try:
            event["body"] = raw.decode() if is_text else None
        except UnicodeDecodeError:
            event["body"] = None
        if event["body"] is None:
            # What API Gateway does with a body that is not text: base64.
            event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    return function, event


def invoke(logical_id: str, event: dict[str, Any]) -> Any:
    handler = getattr(load_function(logical_id), functions()[logical_id].handler_name)
    return handler(event, LambdaContext(function_name=logical_id, aws_request_id=str(uuid.uuid4())))


class Api:
    """A client that sends requests through the template's routes to the functions."""

    def request(
        self,
        method: str,
        target: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        source_ip: str | None = None,
    ) -> Answer:
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            headers.setdefault("content-type", "application/json")
        if form is not None:
            body = urlencode(form)
            headers.setdefault("content-type", "application/x-www-form-urlencoded")
        function, event = http_event(method, target, body=body, headers=headers, source_ip=source_ip or another_caller())
        result = invoke(function, event)
        text = result.get("body") or ""
        if result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        return Answer(result["statusCode"], result.get("headers") or {}, text)

    def get(self, target: str, **kwargs: Any) -> Answer:
        return self.request("GET", target, **kwargs)

    def post(self, target: str, **kwargs: Any) -> Answer:
        return self.request("POST", target, **kwargs)
