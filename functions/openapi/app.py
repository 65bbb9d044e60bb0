"""GET /openapi.json: the public API's OpenAPI 3 document, merged from every function's
routes (see `undersigned.api_document`)."""

from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from undersigned import api_document, http

app = http.make_app(cors=http.any_origin)


@http.route(app.get, "/openapi.json", {200: {"description": "OpenAPI 3 JSON."}})
def get_openapi():  # noqa: ANN201 - an HTML/JSON document, described in `responses`
    """This document"""
    return Response(
        status_code=200,
        content_type=http.JSON_TYPE,
        body=api_document.openapi_document(app, Path(__file__)),
        headers={**http.ANY_ORIGIN_HEADERS, "Cache-Control": "public, max-age=300"},
    )


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
