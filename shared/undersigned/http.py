"""The HTTP edge every function on Powertools' resolver shares: the resolver with its error
handlers, reading bodies by the contract's rules (`http_bodies`), and answering in JSON or,
for browser forms, HTML.

This is the one place that maps domain errors to HTTP answers (the answers, JSON or HTML,
built by `http_answers`, which a function without the resolver answers with too).
"""

from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from undersigned import cold_start, http_answers
from undersigned.http_answers import ANY_ORIGIN_HEADERS, JSON_TYPE, Reply  # noqa: F401 - JSON_TYPE read through http too
from undersigned.http_answers import route  # noqa: F401 - the resolver's functions declare their routes through http
from undersigned.http_bodies import FORM_TYPE, is_form_post, read_body  # noqa: F401 - read through http too
from undersigned.http_errors import NoRoute
from undersigned.observability import logger

CorsPolicy = Callable[[APIGatewayHttpResolver], dict[str, str]]


def any_origin(_: APIGatewayHttpResolver) -> dict[str, str]:
    return dict(ANY_ORIGIN_HEADERS)


def same_origin_only(_: APIGatewayHttpResolver) -> dict[str, str]:
    return {}


def make_app(cors: CorsPolicy) -> APIGatewayHttpResolver:
    """A resolver whose every error, expected or not, answers in the contract's shape (as an
    HTML page for a browser form). Made at a function's cold start, so it ends it
    (`cold_start.finish`: the settings checked)."""
    cold_start.finish()
    app = APIGatewayHttpResolver()

    @app.exception_handler(Exception)
    def _error(error: Exception) -> Response:
        domain_error = http_answers.as_domain_error(error)
        return as_response(http_answers.error_reply(domain_error, app.current_event, cors(app), as_html=is_form_post(app)))

    # The resolver's own "no route" is not an error of ours: the contract's 404.
    @app.exception_handler(NotFoundError)
    def _no_route(_: NotFoundError) -> Response:
        return _error(NoRoute())

    return app


def as_response(reply: Reply) -> Response:
    return Response(status_code=reply.status, content_type=reply.content_type, body=reply.body, headers=reply.headers)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return as_response(http_answers.json_reply(status, body, headers))

