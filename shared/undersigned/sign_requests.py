"""The HTTP side of signing (`POST /campaigns/{id}/signatures`): who may post (CORS per
campaign), the order of the checks, and the answer (JSON `202`, or for a browser form
a redirect to the thank-you URL or a page).

Every accepted submission answers the same bytes, whether the address is new, has
signed already or is a bot's, once it is stored and its email queued: the email to the
address owner is what differs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from undersigned import catalogue, edge, email_links, errors, http_answers, http_bodies, letter_page, sign_up
from undersigned.campaign import Campaign, utc_now
from undersigned.one_route import Routes
from undersigned.store.campaigns import Campaigns
from undersigned.submission import honeypot_filled, parse_signature

ACCEPTED = {"status": "pending_verification"}
# The origin the route has allowed for this request, so that its errors are readable there too.
CORS_ORIGIN = "cors_origin"


def allowed_origin(app: Routes) -> dict[str, str]:
    """The CORS headers of this request's answers, its errors' too (the function's policy)."""
    origin = app.context.get(CORS_ORIGIN)
    if not origin:
        return {"Vary": "Origin"}
    # The widget reads Retry-After to say when to try again.
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": "Retry-After", "Vary": "Origin"}


def public_base_url(app: Routes) -> str:
    return http_answers.public_base_url(app.current_event.domain_name)


def own_origins(app: Routes) -> set[str]:
    """The origins of the service's own pages (the letter's page): through the public URL,
    and the API's own domain."""
    parts = urlsplit(public_base_url(app))
    return {f"{parts.scheme}://{parts.netloc}", f"https://{app.current_event.domain_name}"}


def allowed_campaign(app: Routes, campaign_id: str) -> Campaign:
    """The campaign, once the caller's Origin may post to it (its errors are readable there):
    one of the campaign's allowed origins, or the service's own (the letter's page)."""
    campaign = Campaigns().existing(campaign_id, recent=True)
    origin = app.current_event.headers.get("origin")
    if not campaign.allows_origin(origin) and origin not in own_origins(app):
        raise errors.OriginNotAllowed()
    if origin:
        app.append_context(**{CORS_ORIGIN: origin})
    return campaign


def accepted(app: Routes, campaign: Campaign, lang: str) -> http_answers.Reply:
    cors = allowed_origin(app)
    if not http_bodies.is_form_post(app):
        return http_answers.json_reply(202, ACCEPTED, cors)
    # Without a thank-you URL of the organiser's, the page asks the signer to share the letter's page.
    return email_links.after_form_post(campaign, None, letter_page.signed_page(campaign, public_base_url(app), lang), cors)


def signer_language(app: Routes, campaign: Campaign, fields: dict[str, object]) -> str:
    """The submission's `locale`; for a form post, else the browser's Accept-Language (an
    API client speaks through `locale` alone); else the campaign's default language."""
    accept_language = app.current_event.headers.get("accept-language") if http_bodies.is_form_post(app) else None
    locale = fields.get("locale")
    return catalogue.choose(locale if isinstance(locale, str) else None, accept_language, campaign.default_locale)


def sign(app: Routes, campaign_id: str) -> http_answers.Reply:
    campaign = allowed_campaign(app, campaign_id)
    now = utc_now()
    if not campaign.is_open(now):
        raise errors.CampaignClosed()
    # Every attempt counts against the caller's limits, well-formed or not.
    admission = sign_up.admit(campaign, edge.caller_address(app.current_event.source_ip, app.current_event.headers), now)
    fields = http_bodies.read_body(app, allow_form=True)
    lang = signer_language(app, campaign, fields)
    if honeypot_filled(fields):
        sign_up.discard(campaign, public_base_url(app), lang)
        return accepted(app, campaign, lang)
    request = parse_signature(fields, from_form=http_bodies.is_form_post(app))
    sign_up.submit(campaign, request, public_base_url(app), now, admission, lang=lang)
    return accepted(app, campaign, lang)


def preflight(app: Routes, campaign_id: str) -> http_answers.Reply:
    allowed_campaign(app, campaign_id)
    headers = {
        **allowed_origin(app),
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return http_answers.Reply(204, "", headers)
