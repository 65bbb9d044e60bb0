"""The HTTP edge every function shares: the resolver with its error handlers, reading
bodies by the contract's rules, and answering in JSON or, for browser forms, HTML.

This is the one place that maps domain errors to HTTP answers (the answers, JSON or HTML,
built by `http_answers`, which a function without the resolver answers with too).
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from undersigned import config, errors, http_answers
from undersigned.errors import DomainError
from undersigned.http_answers import ANY_ORIGIN_HEADERS, JSON_TYPE, Reply
from undersigned.http_answers import public_cache, route  # noqa: F401 - every function declares its routes and caching through http
from undersigned.http_errors import (
    BodyNotJson,
    BodyNotObject,
    BodyNotUtf8,
    EmptyBody,
    NoRoute,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from undersigned.observability import logger


MAX_BODY_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
# The origin a route has allowed for this request, so that its errors are readable there too.
CORS_ORIGIN = "cors_origin"

CorsPolicy = Callable[[APIGatewayHttpResolver], dict[str, str]]


def any_origin(_: APIGatewayHttpResolver) -> dict[str, str]:
    return dict(ANY_ORIGIN_HEADERS)


def same_origin_only(_: APIGatewayHttpResolver) -> dict[str, str]:
    return {}


def allowed_origin(app: APIGatewayHttpResolver) -> dict[str, str]:
    origin = app.context.get(CORS_ORIGIN)
    if not origin:
        return {"Vary": "Origin"}
    # The widget reads Retry-After to say when to try again.
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "Retry-After", "Vary": "Origin"}


def make_app(cors: CorsPolicy, *, html_errors: bool = False) -> APIGatewayHttpResolver:
    """A resolver whose every error, expected or not, answers in the contract's shape (as an
    HTML page for a browser form, or for every request where `html_errors`: a page's route).
    Made at a function's cold start, so it first checks the function's settings."""
    config.check()
    app = APIGatewayHttpResolver()

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        as_html = html_errors or is_form_post(app)
        return as_response(http_answers.error_reply(error, app.current_event, cors(app), as_html=as_html))

    @app.exception_handler(NotFoundError)
    def _no_route(_: NotFoundError) -> Response:
        return _domain_error(NoRoute())

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        return _domain_error(http_answers.as_domain_error(error))

    return app


def public_base_url(app: APIGatewayHttpResolver) -> str:
    return http_answers.public_base_url(app.current_event.request_context.domain_name)


def own_origins(app: APIGatewayHttpResolver) -> set[str]:
    """The origins of the service's own pages (the letter's page): through the public URL,
    and the API's own domain."""
    parts = urlsplit(public_base_url(app))
    return {f"{parts.scheme}://{parts.netloc}", f"https://{app.current_event.request_context.domain_name}"}


def media_type(app: APIGatewayHttpResolver) -> tuple[str, str | None]:
    """The Content-Type's media type (lower case) and its charset, if any."""
    header = app.current_event.headers.get("content-type") or ""
    kind, *params = [part.strip() for part in header.split(";")]
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return kind.lower(), charset


def is_form_post(app: APIGatewayHttpResolver) -> bool:
    event = app.current_event
    return event.http_method == "POST" and media_type(app)[0] == FORM_TYPE


def raw_body(app: APIGatewayHttpResolver) -> bytes:
    event = app.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(body)
    return body.encode("utf-8", "surrogatepass")


def read_body(app: APIGatewayHttpResolver, *, allow_form: bool) -> dict[str, Any]:
    """The request body as an object, or the contract's 413/415/400 error."""
    raw = raw_body(app)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    kind, charset = media_type(app)
    if charset not in (None, "utf-8", "utf8") or kind not in ((JSON_TYPE, FORM_TYPE) if allow_form else (JSON_TYPE,)):
        raise UnsupportedMediaType("application/json" + (" or application/x-www-form-urlencoded" if allow_form else ""))
    try:
        text = raw.decode("utf-8")
        if kind == FORM_TYPE:
            # Percent-escaped bytes must be UTF-8 too, else U+FFFD would be stored for them.
            return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise BodyNotUtf8() from None
    if not text.strip():
        raise EmptyBody()
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        # RecursionError: nested deeper than the parser goes (thousands of `[`), at the top or in a field.
        raise BodyNotJson() from None
    if not isinstance(body, dict):
        raise BodyNotObject()
    _refuse_lone_surrogates(body)
    return body


def _refuse_lone_surrogates(body: dict[str, Any]) -> None:
    """JSON's `"\\ud800"` decodes to a string that is not Unicode text: it cannot be stored,
    sent or shown. Refused on its field (the top-level name it is under), as bad input."""
    problems = [errors.FieldProblem(_printable(name), "Must be Unicode text (this holds a lone surrogate).")
                for name, value in body.items() if _has_lone_surrogate(name) or _has_lone_surrogate(value)]
    if problems:
        raise errors.InvalidInput(problems)


def _has_lone_surrogate(value: Any) -> bool:
    # Iterative: a body nested as deep as the parser allows must not overflow the stack here.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _printable(name: str) -> str:
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def as_response(reply: Reply) -> Response:
    return Response(status_code=reply.status, content_type=reply.content_type, body=reply.body, headers=reply.headers)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return as_response(http_answers.json_reply(status, body, headers))


def html_response(status: int, markup: str, headers: dict[str, str] | None = None) -> Response:
    return as_response(http_answers.html_reply(status, markup, headers))


def redirect(location: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=303, body="", headers={"Location": location, "Cache-Control": "no-store", **(headers or {})})


def cacheable_json(app: APIGatewayHttpResolver, value: Any, cache: str) -> Response:
    return as_response(http_answers.cacheable_json(app.current_event.headers, value, cache))


def error_response(error: DomainError, *, as_html: bool, headers: dict[str, str] | None = None, lang: str = "en") -> Response:
    if not as_html:
        return as_response(http_answers.json_error(error, headers))
    return as_response(http_answers.html_error(error, lang, headers))
