"""What the HTTP functions answer, as plain data, and how their routes are declared.

Nothing here imports Powertools' resolver: importing it is most of what a function adds to
a cold start, so a function whose routes it does not need answers without it (`one_route`).
`http` turns these answers into the resolver's, so that both answer alike.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

# `pages` (and its catalogue) only where an answer is HTML: a JSON function (the count) never loads it.
from undersigned import aws, config, errors
from undersigned.errors import DomainError
from undersigned.http_errors import answer_for, headers_of, message_of
from undersigned.observability import fault_report, logger

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
ANY_ORIGIN_HEADERS = {"Access-Control-Allow-Origin": "*"}

# Where the public reaches the service (the edge, or a custom domain): email links, the letter's page.
PUBLIC_BASE_URL = config.setting("PUBLIC_BASE_URL", lambda text: text.rstrip("/"), default="")

Shape = TypeVar("Shape")


@dataclass(frozen=True)
class Reply(Generic[Shape]):
    """An answer, its body already text; `Shape` is what the OpenAPI document says it holds.
    Without a `content_type` it sends no Content-Type (a 304, a redirect)."""

    status: int
    body: str
    headers: dict[str, str]
    content_type: str | None = None


def route(register: Callable[..., Callable], path: str, responses: dict[int, Any], **options: Any) -> Callable[[Callable], Callable]:
    """Declares `path` with `register` (`app.get`, `app.post`...), documented by the handler's
    own docstring: its first paragraph is the OpenAPI summary, the rest the description."""

    def declare(handler: Callable) -> Callable:
        summary, _, description = inspect.cleandoc(handler.__doc__ or "").partition("\n\n")
        words = {"summary": " ".join(summary.split()), "description": " ".join(description.split()) or None}
        return register(path, responses=responses, **words, **options)(handler)

    return declare


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, compact_json(body), {"Cache-Control": "no-store", **(headers or {})}, JSON_TYPE)


def entity_tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or any(candidate.removeprefix("W/") == tag for candidate in candidates)


def public_cache(max_age: int, revalidate: int) -> str:
    """Cache-Control for a public read: fresh for `max_age`, refreshed in the background for
    `revalidate` more seconds, and served stale for a day while we are failing."""
    return f"public, max-age={max_age}, stale-while-revalidate={revalidate}, stale-if-error=86400"


def cacheable_json(request_headers: Mapping[str, str], value: Any, cache: str) -> Reply:
    return cacheable_reply(request_headers, compact_json(value), cache)


def cacheable_reply(request_headers: Mapping[str, str], body: str, cache: str, content_type: str = JSON_TYPE) -> Reply:
    """A public, cacheable answer for any origin, with an ETag; `If-None-Match` answers 304.
    `request_headers` are the request's, by lower-case name."""
    return _revalidated(request_headers, Reply(200, body, {**ANY_ORIGIN_HEADERS, "Cache-Control": cache}, content_type))


def _revalidated(request_headers: Mapping[str, str], reply: Reply) -> Reply:
    """`reply` with its ETag; a `304` with the same headers when `If-None-Match` holds it."""
    tag = entity_tag(reply.body)
    headers = {**reply.headers, "ETag": tag}
    if matches(request_headers.get("if-none-match"), tag):
        return Reply(304, "", headers)
    return Reply(reply.status, reply.body, headers, reply.content_type)


def html_reply(status: int, markup: str, headers: dict[str, str] | None = None) -> Reply:
    from undersigned import pages

    return Reply(status, markup, {**pages.SECURITY_HEADERS, **(headers or {})}, HTML_TYPE)


def redirect_reply(location: str, headers: dict[str, str] | None = None) -> Reply:
    """`303 See Other`: a browser form's answer that sends it on to `location`."""
    return Reply(303, "", {"Location": location, "Cache-Control": "no-store", **(headers or {})})


def cacheable_page(request_headers: Mapping[str, str], markup: str, headers: dict[str, str]) -> Reply:
    """A public HTML page with an ETag (`If-None-Match` answers 304); `headers` say how long
    it may be kept and what else it depends on."""
    return _revalidated(request_headers, html_reply(200, markup, headers))


def public_base_url(domain_name: str) -> str:
    """The configured public URL, else the API's own domain (the one the request came to)."""
    return PUBLIC_BASE_URL.value or f"https://{domain_name}"


def error_body(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": answer_for(error).code, "message": message_of(error)}
    if error.details:
        body["details"] = [{"field": problem.field, "message": problem.message} for problem in error.details]
    return {"error": body}


def error_headers(error: DomainError, headers: dict[str, str] | None = None) -> dict[str, str]:
    """The route's `headers` (its CORS) and the error's own (Retry-After)."""
    return {**(headers or {}), **headers_of(error)}


def json_error(error: DomainError, headers: dict[str, str] | None = None) -> Reply:
    return json_reply(answer_for(error).status, error_body(error), error_headers(error, headers))


def html_error(error: DomainError, lang: str, headers: dict[str, str] | None = None) -> Reply:
    from undersigned import pages

    page = pages.error_page(answer_for(error).code, message_of(error), error.details, lang)
    return html_reply(answer_for(error).status, page, error_headers(error, headers))


def error_reply(error: DomainError, event: Any, headers: dict[str, str], *, as_html: bool) -> Reply:
    """The contract's error for the request `event`: in JSON, or as an HTML page in the
    request's language (`pages.request_language`; a JSON error has none to choose)."""
    if not as_html:
        return json_error(error, headers)
    from undersigned import pages

    return html_error(error, pages.request_language(event), headers)


def as_domain_error(error: Exception) -> DomainError:
    """The contract's error for whatever a route raised. One it did not expect is logged by
    where it happened, never by its message (that may quote personal data)."""
    if isinstance(error, DomainError):
        return error
    if aws.is_unavailable(error):
        # Throttling left over after botocore's retries, on any call of any route: every
        # write is conditional or idempotent, so the caller may simply repeat the request.
        logger.warning("service unavailable", extra={"error_code": error.response.get("Error", {}).get("Code")})  # type: ignore[attr-defined]
        return errors.ServiceUnavailable()
    logger.error("unexpected error", extra=fault_report(error))
    return errors.Unexpected()
