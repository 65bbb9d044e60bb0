"""The email links' two steps, alike for confirming and withdrawing: a GET that only shows
a page with a button (mail scanners prefetch links), and the POST behind the button."""

from __future__ import annotations

from typing import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from undersigned import catalogue, errors, http, pages, signing
from undersigned.campaign import utc_now
from undersigned.store import Store


def button_page(app: APIGatewayHttpResolver, purpose: str, render: Callable[[str, str, str], str]) -> Response:
    """The page for the link's token, in the language of the email it came in, or an HTML
    error page (never JSON: a person clicked)."""
    token = app.current_event.get_query_string_value("token", "") or ""
    try:
        claims = signing.read_claims(token, purpose, utc_now())
        campaign = signing.campaign_of(claims, Store())
    except errors.ApiError as error:
        return http.error_response(error, as_html=True, lang=pages.request_language(app.current_event))
    lang = catalogue.supported(claims.lang) or pages.request_language(app.current_event)
    return http.html_response(200, render(token, campaign.title, lang))


def posted_token(app: APIGatewayHttpResolver) -> str:
    """The token from the button's form or a JSON body; `400 invalid_token` when there is none."""
    token = http.read_body(app, allow_form=True).get("token")
    if not isinstance(token, str) or not token:
        raise errors.invalid_token()
    return token
