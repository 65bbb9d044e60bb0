"""The email links' two steps, alike for confirming and withdrawing: a GET that only shows
a page with a button (mail scanners prefetch links), and the POST behind the button."""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from undersigned import catalogue, confirmation, errors, http, pages
from undersigned.campaign import Campaign, utc_now


def button_page(app: APIGatewayHttpResolver, purpose: str, render: Callable[[str, str, str], str], *, thanks: bool = False) -> Response:
    """The page for the link's token, in the language of the email it came in, or an HTML
    error page (never JSON: a person clicked). `thanks`: the button's post answers with the
    campaign's thank-you page (`after_form_post`), so the page's policy lets the form go there."""
    token = app.current_event.get_query_string_value("token", "") or ""
    try:
        claims = confirmation.read_claims(token, purpose, utc_now())
        campaign = confirmation.campaign_of(claims)
    except errors.DomainError as error:
        return http.error_response(error, as_html=True, lang=pages.request_language(app.current_event))
    lang = catalogue.supported(claims.lang) or pages.request_language(app.current_event)
    headers = pages.security_headers(campaign) if thanks else None
    return http.html_response(200, render(token, campaign.title_in(lang), lang), headers)


def posted_token(app: APIGatewayHttpResolver) -> str:
    """The token from the button's form or a JSON body; `InvalidToken` when there is none."""
    token = http.read_body(app, allow_form=True).get("token")
    if not isinstance(token, str) or not token:
        raise errors.InvalidToken()
    return token


def with_status(url: str, status: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode({"status": status})]))
    return urlunsplit(parts._replace(query=query))


def after_form_post(campaign: Campaign, status: str | None, page: str, headers: dict[str, str] | None = None) -> Response:
    """A browser form's answer once the step is done: the campaign's thank-you URL (with
    `?status=` where the step has one to tell), or our own page."""
    if campaign.thank_you_url:
        target = with_status(campaign.thank_you_url, status) if status else campaign.thank_you_url
        return http.redirect(target, headers)
    return http.html_response(200, page, headers)
