"""POST /campaigns/{campaign_id}/signatures (JSON or a browser form) and its CORS preflight.

Every accepted submission answers the same bytes, whether the address is new, has
signed already or is a bot's: the email to the address owner is what differs.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from undersigned import catalogue, errors, http, pages, schemas, signing
from undersigned.campaign import Campaign, utc_now
from undersigned.config import settings
from undersigned.signature import SignatureRequest, honeypot_filled, parse_signature
from undersigned.store import Store

app = http.make_app(cors=http.allowed_origin)
ACCEPTED = {"status": "pending_verification"}


def allowed_campaign(campaign_id: str) -> Campaign:
    """The campaign, once the caller's Origin may post to it (its errors are readable there)."""
    campaign = Store().existing_campaign(campaign_id)
    origin = app.current_event.headers.get("origin")
    if not campaign.allows_origin(origin):
        raise errors.origin_not_allowed()
    if origin:
        app.append_context(**{http.CORS_ORIGIN: origin})
    return campaign


def public_base_url() -> str:
    return settings().public_base_url or f"https://{app.current_event.request_context.domain_name}"


def accepted(campaign: Campaign, lang: str) -> Response:
    cors = http.allowed_origin(app)
    if not http.is_form_post(app):
        return http.json_response(202, ACCEPTED, cors)
    if campaign.thank_you_url:
        return http.redirect(campaign.thank_you_url, cors)
    page = pages.message_page("check", lang)
    return http.html_response(200, page, cors)


@app.post(
    "/campaigns/<campaign_id>/signatures",
    summary="Sign a campaign",
    description=(
        "JSON, or `application/x-www-form-urlencoded` from a form without JavaScript (answered "
        "with `303` to the campaign's thank-you URL, or an HTML page; errors as HTML pages). "
        "The same `202` for a new signer, a repeat and an address that already verified."
    ),
    responses={
        **schemas.ok(schemas.SubmissionAccepted, "Stored; the owner of the address gets an email.", 202),
        303: {"description": "Form posts: to the campaign's thank-you URL."},
        **schemas.error_responses(400, 403, 404, 410, 413, 415, 429, 503),
    },
    openapi_extensions=schemas.ACCEPTS_FORMS,
)
def sign(
    campaign_id: str,
    body: Annotated[SignatureRequest, Body()] = None,  # type: ignore[assignment]
) -> Response[schemas.SubmissionAccepted]:
    # `body` only documents the request for OpenAPI (the resolver runs without validation
    # and passes nothing); the contract's own reading of the body follows.
    campaign = allowed_campaign(campaign_id)
    now = utc_now()
    if not campaign.is_open(now):
        raise errors.campaign_closed()
    # Every attempt counts against the caller's limits, well-formed or not.
    admission = signing.admit(campaign, app.current_event.request_context.http.source_ip, now)
    fields = http.read_body(app, allow_form=True)
    # Only a form post's Accept-Language speaks for the signer; an API client sends `locale`.
    accept_language = app.current_event.headers.get("accept-language") if http.is_form_post(app) else None
    lang = catalogue.choose(fields.get("locale"), accept_language)
    if honeypot_filled(fields):
        return accepted(campaign, lang)
    request = parse_signature(fields, from_form=http.is_form_post(app))
    signing.submit(campaign, request, public_base_url(), now, admission, lang=lang)
    return accepted(campaign, lang)


@app.route("/campaigns/<campaign_id>/signatures", method="OPTIONS", include_in_schema=False)
def preflight(campaign_id: str):  # noqa: ANN201 - no body
    allowed_campaign(campaign_id)
    headers = {
        **http.allowed_origin(app),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, body="", headers=headers)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
