"""An HTTP API function that serves its routes without Powertools' resolver.

Importing the resolver (`aws_lambda_powertools.event_handler`: every event source's data
classes, AppSync's asyncio, the OpenAPI merge) costs a cold start about as much as making
the DynamoDB client. A function with plain routes (the count, polled by every open page; its
breakdowns; the campaign, its challenge, its list, its badge and the letter's page; the email
links' pages and the posts behind their buttons) answers without it, as `http.make_app`'s
resolver would: the method and path matched by the resolver's own rule, the body read by
`http_bodies`, the contract's errors from `http_answers` (in JSON, or as HTML pages for a
browser form's post and for a page's route), the payload 2.0 result the resolver builds.
Only the OpenAPI function loads the resolver, to read the routes' declarations
(`get_openapi_schema`), and it has loaded it anyway; a body declared as a dataclass
(the submission's) is described to it as a pydantic model (`body_schemas`) there too.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import inspect
import re
import typing
from dataclasses import dataclass
from typing import Any, Callable

from undersigned import cold_start, http_answers, http_bodies
from undersigned.http_answers import Reply
from undersigned.http_errors import NoRoute

# The resolver's rule for a `<name>` in a path: these characters, at least one (Powertools'
# `_SAFE_URI`, `_UNSAFE_URI` and word characters), so that a path matches here as it did there.
_PARAMETER = re.compile(r"<(\w+)>")
_PARAMETER_VALUE = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"

# The CORS headers of a request's answers, from what its route found (`Routes.context`).
CorsPolicy = Callable[["Routes"], dict[str, str]]


@dataclass(frozen=True)
class Request:
    """What a route reads of a payload 2.0 event, by the names the resolver's event gives
    it (so that `pages.request_language` and a route read it the same either way): its
    headers by lower-case name, its query parameters (as API Gateway decoded them, a repeated
    one joined with commas), its body, the domain it came to and the caller's address."""

    http_method: str
    path: str
    headers: dict[str, str]
    query_string_parameters: dict[str, str]
    body: str | None = None
    is_base64_encoded: bool = False
    domain_name: str = ""
    source_ip: str = ""

    @classmethod
    def of(cls, event: dict[str, Any]) -> Request:
        """The request of an HTTP API event; a `KeyError` for any other event, as the resolver raises."""
        context = event["requestContext"]
        path, stage = event["rawPath"], context["stage"]
        if stage != "$default":
            path = path[len("/" + stage) :]
        headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
        return cls(
            context["http"]["method"].upper(),
            path,
            headers,
            event.get("queryStringParameters") or {},
            event.get("body"),
            bool(event.get("isBase64Encoded")),
            context.get("domainName", ""),
            context["http"].get("sourceIp", ""),
        )

    def get_query_string_value(self, name: str, default_value: str | None = None) -> str | None:
        return self.query_string_parameters.get(name, default_value)

    @property
    def decoded_body(self) -> str | None:
        if self.is_base64_encoded and self.body:
            return base64.b64decode(self.body.encode()).decode()
        return self.body


def event_result(reply: Reply) -> dict[str, Any]:
    """The payload 2.0 result, as the resolver builds it from the same answer."""
    headers = dict(reply.headers)
    if reply.content_type:
        headers.setdefault("Content-Type", reply.content_type)
    return {"statusCode": reply.status, "body": reply.body, "isBase64Encoded": False, "headers": headers, "cookies": []}


@dataclass(frozen=True)
class _Route:
    method: str
    path: str
    rule: re.Pattern[str]
    handler: Callable[..., Reply]
    declaration: dict[str, Any]

    @classmethod
    def of(cls, method: str, path: str, handler: Callable[..., Reply], declaration: dict[str, Any]) -> _Route:
        rule = re.compile("^" + _PARAMETER.sub(lambda name: f"(?P<{name[1]}>{_PARAMETER_VALUE})", path) + "$")
        return cls(method, path, rule, handler, declaration)

    @property
    def is_static(self) -> bool:
        return self.rule.groups == 0


class Routes:
    """A function's routes: `app.get(path, ...)`, `app.post(path, ...)` and `app.options(path, ...)`
    declare one as the resolver's do (the same options, for the OpenAPI document); `resolve`
    answers an event with the first of its method whose path matches, as the resolver tries
    them (the paths without parameters first, each kind in the order declared). Every error is
    the contract's, in JSON (as an HTML page for a browser form's post, and for every request
    where `html_errors`: a page's routes), with the routes' `cors` headers: fixed ones, or a
    policy that gives this request's (the submission's, from the origin its route allowed).
    Made at a function's cold start, so it ends it (`cold_start.finish`: the settings checked)."""

    def __init__(self, cors: dict[str, str] | CorsPolicy, *, html_errors: bool = False) -> None:
        cold_start.finish()
        self.cors = cors if callable(cors) else dict(cors)
        self.html_errors = html_errors
        self.current_event = Request("", "", {}, {})
        # What a route keeps for the rest of its request, as the resolver's `append_context`.
        self.context: dict[str, Any] = {}
        self._routes: list[_Route] = []
        # The order a request tries them in: paths without parameters first, as the resolver does.
        self._tried: list[_Route] = []

    def get(self, path: str, **declaration: Any) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        return self._declare("GET", path, declaration)

    def post(self, path: str, **declaration: Any) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        return self._declare("POST", path, declaration)

    def options(self, path: str, **declaration: Any) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        return self._declare("OPTIONS", path, declaration)

    def append_context(self, **values: Any) -> None:
        self.context.update(values)

    def cors_headers(self) -> dict[str, str]:
        """The CORS headers of this request's answers."""
        return self.cors(self) if callable(self.cors) else dict(self.cors)

    def _declare(self, method: str, path: str, declaration: dict[str, Any]) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        def register(handler: Callable[..., Reply]) -> Callable[..., Reply]:
            self._routes.append(_Route.of(method, path, handler, declaration))
            self._tried = [route for route in self._routes if route.is_static] + [route for route in self._routes if not route.is_static]
            return handler

        return register

    def resolve(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        self.current_event = Request.of(event)
        self.context = {}
        return event_result(self._answer())

    def _answer(self) -> Reply:
        try:
            route, found = self._matching()
            return route.handler(**found.groupdict())
        except Exception as error:
            domain_error = http_answers.as_domain_error(error)
            as_html = self.html_errors or http_bodies.is_form_post(self)
            return http_answers.error_reply(domain_error, self.current_event, self.cors_headers(), as_html=as_html)

    def _matching(self) -> tuple[_Route, re.Match[str]]:
        for route in self._tried:
            found = route.rule.match(self.current_event.path) if route.method == self.current_event.http_method else None
            if found is not None:
                return route, found
        raise NoRoute()

    def get_openapi_schema(self) -> Any:
        """The routes' part of the OpenAPI document, as the resolver describes the same declarations."""
        # Here only: the OpenAPI function calls this, and has loaded the resolver (and pydantic) already.
        from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

        from undersigned.body_schemas import model_of

        resolver = APIGatewayHttpResolver()
        for route in self._routes:
            resolver.route(route.path, route.method, **route.declaration)(_as_declared_to_the_resolver(route.handler, Response, model_of))
        return resolver.get_openapi_schema()


def _as_declared_to_the_resolver(handler: Callable[..., Reply], response: Any, model_of: Callable[[type], Any]) -> Callable[..., Any]:
    """A stand-in for `handler` with its name, docstring and parameters, returning the
    resolver's `Response[Shape]` where it returns `Reply[Shape]`, and taking `model_of(Body)`
    where it takes a body declared as a dataclass: the resolver reads the answer's shape from
    the return annotation, and the body's from its parameter's. It is read, never called."""
    signature = inspect.signature(handler, eval_str=True)
    returned = signature.return_annotation
    if typing.get_origin(returned) is Reply:
        returned = response[typing.get_args(returned)]
    parameters = [
        parameter.replace(annotation=model_of(parameter.annotation)) if dataclasses.is_dataclass(parameter.annotation) else parameter
        for parameter in signature.parameters.values()
    ]

    @functools.wraps(handler)
    def stand_in(**_: Any) -> Any:
        raise NotImplementedError("read for the OpenAPI document only")

    stand_in.__signature__ = signature.replace(parameters=parameters, return_annotation=returned)  # type: ignore[attr-defined]
    return stand_in
