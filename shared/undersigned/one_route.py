"""An HTTP API function that serves one GET route without Powertools' resolver.

Importing the resolver (`aws_lambda_powertools.event_handler`: every event source's data
classes, AppSync's asyncio, the OpenAPI merge) costs a cold start about as much as making
the DynamoDB client. A function with one public GET route (the count, polled by every
open page; the campaign, its challenge, its list and its badge) answers without it, as
`http.make_app`'s resolver would: the path matched by the resolver's own rule, errors in
JSON from `http_errors` (a GET is never a browser form's post), the payload 2.0 result the
resolver builds. Only the OpenAPI function loads the resolver, to read the route's
declaration (`get_openapi_schema`), and it has loaded it anyway.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from dataclasses import dataclass
from typing import Any, Callable

from undersigned import config, http_answers
from undersigned.http_answers import Reply
from undersigned.http_errors import NoRoute

# The resolver's rule for a `<name>` in a path: these characters, at least one (Powertools'
# `_SAFE_URI`, `_UNSAFE_URI` and word characters), so that a path matches here as it did there.
_PARAMETER = re.compile(r"<(\w+)>")
_PARAMETER_VALUE = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"


@dataclass(frozen=True)
class Request:
    """What a route reads of a payload 2.0 event: its headers by lower-case name, its query
    parameters (as API Gateway decoded them, a repeated one joined with commas)."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]

    @classmethod
    def of(cls, event: dict[str, Any]) -> Request:
        """The request of an HTTP API event; a `KeyError` for any other event, as the resolver raises."""
        context = event["requestContext"]
        path, stage = event["rawPath"], context["stage"]
        if stage != "$default":
            path = path[len("/" + stage) :]
        headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
        return cls(context["http"]["method"].upper(), path, headers, event.get("queryStringParameters") or {})

    def get_query_string_value(self, name: str, default_value: str | None = None) -> str | None:
        """As the resolver's event reads it, so that a route reads the same either way."""
        return self.query.get(name, default_value)


def event_result(reply: Reply) -> dict[str, Any]:
    """The payload 2.0 result, as the resolver builds it from the same answer."""
    headers = dict(reply.headers)
    if reply.content_type:
        headers.setdefault("Content-Type", reply.content_type)
    return {"statusCode": reply.status, "body": reply.body, "isBase64Encoded": False, "headers": headers, "cookies": []}


class OneRoute:
    """A function's one route: `app.get(path, ...)` declares it as the resolver's `app.get`
    does (the same options, for the OpenAPI document); `resolve` answers an event with it.
    Every answer, errors too, carries the route's `cors` headers. Made at a function's cold
    start, so it first checks the function's settings."""

    def __init__(self, cors: dict[str, str]) -> None:
        config.check()
        self.cors = dict(cors)
        self.current_event = Request("", "", {}, {})
        self._path = ""
        self._rule: re.Pattern[str] | None = None
        self._handler: Callable[..., Reply] | None = None
        self._declaration: dict[str, Any] = {}

    def get(self, path: str, **declaration: Any) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        def register(handler: Callable[..., Reply]) -> Callable[..., Reply]:
            if self._handler is not None:
                raise ValueError(f"one route only: {path} after {self._path}")
            self._path, self._handler, self._declaration = path, handler, declaration
            self._rule = re.compile("^" + _PARAMETER.sub(lambda name: f"(?P<{name[1]}>{_PARAMETER_VALUE})", path) + "$")
            return handler

        return register

    def resolve(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        self.current_event = Request.of(event)
        return event_result(self._answer())

    def _answer(self) -> Reply:
        assert self._rule is not None and self._handler is not None, "no route declared"
        found = self._rule.match(self.current_event.path) if self.current_event.method == "GET" else None
        try:
            if found is None:
                raise NoRoute()
            return self._handler(**found.groupdict())
        except Exception as error:
            return http_answers.json_error(http_answers.as_domain_error(error), self.cors)

    def get_openapi_schema(self) -> Any:
        """The route's part of the OpenAPI document, as the resolver describes the same declaration."""
        # Here only: the OpenAPI function calls this, and has loaded the resolver already.
        from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

        assert self._handler is not None, "no route declared"
        resolver = APIGatewayHttpResolver()
        resolver.get(self._path, **self._declaration)(_as_declared_to_the_resolver(self._handler, Response))
        return resolver.get_openapi_schema()


def _as_declared_to_the_resolver(handler: Callable[..., Reply], response: Any) -> Callable[..., Any]:
    """A stand-in for `handler` with its name, docstring and parameters, returning the
    resolver's `Response[Shape]` where it returns `Reply[Shape]`: the resolver reads the
    answer's shape from the return annotation. It is read, never called."""
    signature = inspect.signature(handler, eval_str=True)
    returned = signature.return_annotation
    if typing.get_origin(returned) is Reply:
        returned = response[typing.get_args(returned)]

    @functools.wraps(handler)
    def stand_in(**_: Any) -> Any:
        raise NotImplementedError("read for the OpenAPI document only")

    stand_in.__signature__ = signature.replace(return_annotation=returned)  # type: ignore[attr-defined]
    return stand_in
