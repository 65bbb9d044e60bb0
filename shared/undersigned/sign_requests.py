"""The HTTP side of signing (`POST /campaigns/{id}/signatures`): who may post (CORS per
campaign), the order of the checks, and the answer (JSON `202`, or for a browser form
a redirect to the thank-you URL or a page).

Every accepted submission answers the same bytes, whether the address is new, has
signed already or is a bot's, once it is stored and its email queued: the email to the
address owner is what differs.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from undersigned import catalogue, edge, email_links, errors, http, letter_page, sign_up
from undersigned.campaign import Campaign, utc_now
from undersigned.store.campaigns import Campaigns
from undersigned.submission import honeypot_filled, parse_signature

ACCEPTED = {"status": "pending_verification"}


def allowed_campaign(app: APIGatewayHttpResolver, campaign_id: str) -> Campaign:
    """The campaign, once the caller's Origin may post to it (its errors are readable there):
    one of the campaign's allowed origins, or the service's own (the letter's page)."""
    campaign = Campaigns().existing(campaign_id, recent=True)
    origin = app.current_event.headers.get("origin")
    if not campaign.allows_origin(origin) and origin not in http.own_origins(app):
        raise errors.OriginNotAllowed()
    if origin:
        app.append_context(**{http.CORS_ORIGIN: origin})
    return campaign


def accepted(app: APIGatewayHttpResolver, campaign: Campaign, lang: str) -> Response:
    cors = http.allowed_origin(app)
    if not http.is_form_post(app):
        return http.json_response(202, ACCEPTED, cors)
    # Without a thank-you URL of the organiser's, the page asks the signer to share the letter's page.
    return http.as_response(email_links.after_form_post(campaign, None, letter_page.signed_page(campaign, http.public_base_url(app), lang), cors))


def signer_language(app: APIGatewayHttpResolver, campaign: Campaign, fields: dict[str, object]) -> str:
    """The submission's `locale`; for a form post, else the browser's Accept-Language (an
    API client speaks through `locale` alone); else the campaign's default language."""
    accept_language = app.current_event.headers.get("accept-language") if http.is_form_post(app) else None
    locale = fields.get("locale")
    return catalogue.choose(locale if isinstance(locale, str) else None, accept_language, campaign.default_locale)


def sign(app: APIGatewayHttpResolver, campaign_id: str) -> Response:
    campaign = allowed_campaign(app, campaign_id)
    now = utc_now()
    if not campaign.is_open(now):
        raise errors.CampaignClosed()
    # Every attempt counts against the caller's limits, well-formed or not.
    admission = sign_up.admit(campaign, edge.caller_address(app.current_event), now)
    fields = http.read_body(app, allow_form=True)
    lang = signer_language(app, campaign, fields)
    if honeypot_filled(fields):
        sign_up.discard(campaign, http.public_base_url(app), lang)
        return accepted(app, campaign, lang)
    request = parse_signature(fields, from_form=http.is_form_post(app))
    sign_up.submit(campaign, request, http.public_base_url(app), now, admission, lang=lang)
    return accepted(app, campaign, lang)


def preflight(app: APIGatewayHttpResolver, campaign_id: str) -> Response:
    allowed_campaign(app, campaign_id)
    headers = {
        **http.allowed_origin(app),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, body="", headers=headers)
