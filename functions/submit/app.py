"""POST /campaigns/{campaign_id}/signatures (JSON or a browser form) and its CORS preflight,
answered without Powertools' resolver (`one_route`).

The steps and the answers are `undersigned.sign_requests`'; this declares the routes.
"""

from undersigned import http_answers, schemas, sign_requests
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.submission import SignatureRequest

app = Routes(cors=sign_requests.allowed_origin)
STORED = {
    **schemas.ok(schemas.SubmissionAccepted, "Stored; the owner of the address gets an email.", 202),
    303: {"description": "Form posts: to the campaign's thank-you URL."},
    **schemas.error_responses(400, 403, 404, 410, 413, 415, 429),
}


@http_answers.route(app.post, "/campaigns/<campaign_id>/signatures", STORED, openapi_extensions=schemas.ACCEPTS_FORMS)
def sign(
    campaign_id: str,
    body: SignatureRequest = None,  # type: ignore[assignment]
) -> http_answers.Reply[schemas.SubmissionAccepted]:
    """Sign a campaign

    JSON, or `application/x-www-form-urlencoded` from a form without JavaScript (answered with `303`
    to the campaign's thank-you URL, or an HTML page; errors as HTML pages). The same `202` for a
    new signer, a repeat and an address that already verified.
    """
    # `body` only documents the request for OpenAPI (`Routes` passes nothing);
    # `sign_requests` reads the body by the contract's rules.
    return sign_requests.sign(app, campaign_id)


@app.options("/campaigns/<campaign_id>/signatures", include_in_schema=False)
def preflight(campaign_id: str) -> http_answers.Reply:
    return sign_requests.preflight(app, campaign_id)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
