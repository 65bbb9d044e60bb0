"""Reading a request's body by the contract's rules, for any function: one on Powertools'
resolver and one without it (`one_route`) read it alike. `app` is either; both give the
request as `app.current_event`, by the resolver event's names (`http_method`, `headers` by
lower-case name, `body`, `is_base64_encoded`)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl

from undersigned import errors
from undersigned.http_answers import JSON_TYPE
from undersigned.http_errors import BodyNotJson, BodyNotObject, BodyNotUtf8, EmptyBody, PayloadTooLarge, UnsupportedMediaType

MAX_BODY_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


def media_type(app: Any) -> tuple[str, str | None]:
    """The Content-Type's media type (lower case) and its charset, if any."""
    header = app.current_event.headers.get("content-type") or ""
    kind, *params = [part.strip() for part in header.split(";")]
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return kind.lower(), charset


def is_form_post(app: Any) -> bool:
    event = app.current_event
    return event.http_method == "POST" and media_type(app)[0] == FORM_TYPE


def raw_body(app: Any) -> bytes:
    event = app.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(body)
    return body.encode("utf-8", "surrogatepass")


def read_body(app: Any, *, allow_form: bool) -> dict[str, Any]:
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
