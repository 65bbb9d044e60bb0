"""Calls the functions in-process the way API Gateway and the stream mapping would:
real payload 2.0 events, routed by template.yaml's own routes."""

from __future__ import annotations

import base64
import importlib.util
import ipaddress
import itertools
import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from devstack.events import HttpRequest, http_api_event
from devstack.routing import Router
from devstack.template import FunctionSpec, functions, routes

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
    remaining_ms: int = 10_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return {key.lower(): value for key, value in self.headers.items()}.get(name.lower())


_ROUTER = Router(routes())


def http_event(
    method: str,
    target: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "203.0.113.10",
) -> tuple[str, dict[str, Any]]:
    """(function logical id, event) for one request, built and routed as the local stack does."""
    raw = body.encode() if isinstance(body, str) else body or b""
    request = HttpRequest(
        method=method,
        target=target,
        headers=[("host", "api.test"), ("user-agent", "pytest"), ("x-forwarded-for", source_ip), *(headers or {}).items()],
        body=raw,
    )
    found = _ROUTER.match(method, request.raw_path)
    if found is None:
        raise LookupError(f"no route in template.yaml for {method} {request.raw_path}")
    return found.route.function, http_api_event(request, found.route.route_key, found.path_parameters)


def invoke(logical_id: str, event: dict[str, Any]) -> Any:
    spec = functions()[logical_id]
    handler = getattr(load_function(logical_id), spec.handler_name)
    # An invocation starts with its function's whole Timeout ahead of it.
    context = LambdaContext(function_name=logical_id, aws_request_id=str(uuid.uuid4()), remaining_ms=spec.timeout * 1000)
    return handler(event, context)


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
