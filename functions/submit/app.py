"""POST /campaigns/{campaign_id}/signatures (JSON or a browser form) and its CORS preflight.

The steps and the answers are `undersigned.sign_requests`'; this declares the routes.
"""

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas, sign_requests
from undersigned.submission import SignatureRequest

app = http.make_app(cors=http.allowed_origin)
STORED = {
    **schemas.ok(schemas.SubmissionAccepted, "Stored; the owner of the address gets an email.", 202),
    303: {"description": "Form posts: to the campaign's thank-you URL."},
    **schemas.error_responses(400, 403, 404, 410, 413, 415, 429),
}


@http.route(app.post, "/campaigns/<campaign_id>/signatures", STORED, openapi_extensions=schemas.ACCEPTS_FORMS)
def sign(
    campaign_id: str,
    body: SignatureRequest = None,  # type: ignore[assignment]
) -> Response[schemas.SubmissionAccepted]:
    """Sign a campaign

    JSON, or `application/x-www-form-urlencoded` from a form without JavaScript (answered with `303`
    to the campaign's thank-you URL, or an HTML page; errors as HTML pages). The same `202` for a
    new signer, a repeat and an address that already verified.
    """
    # `body` only documents the request for OpenAPI (the resolver runs without validation
    # and passes nothing); `sign_requests` reads the body by the contract's rules.
    return sign_requests.sign(app, campaign_id)


@app.route("/campaigns/<campaign_id>/signatures", method="OPTIONS", include_in_schema=False)
def preflight(campaign_id: str):  # noqa: ANN201 - no body
    return sign_requests.preflight(app, campaign_id)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
