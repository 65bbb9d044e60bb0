"""The email links' two steps, alike for confirming and withdrawing: a GET that only shows
a page with a button (mail scanners prefetch links), and the POST behind the button.

Without Powertools' resolver (`one_route`): `app` is the function's `Routes`, or a resolver
(the submit function's form post ends in `after_form_post` too); the answers are `Reply`s."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from undersigned import catalogue, confirmation, errors, http_answers, http_bodies, pages
from undersigned.campaign import Campaign, utc_now


def button_page(app: Any, purpose: str, render: Callable[[str, str, str], str], *, thanks: bool = False) -> http_answers.Reply:
    """The page for the link's token, in the language of the email it came in, or an HTML
    error page (never JSON: a person clicked). `thanks`: the button's post answers with the
    campaign's thank-you page (`after_form_post`), so the page's policy lets the form go there."""
    token = app.current_event.get_query_string_value("token", "") or ""
    try:
        claims = confirmation.read_claims(token, purpose, utc_now())
        campaign = confirmation.campaign_of(claims)
    except errors.DomainError as error:
        return http_answers.html_error(error, pages.request_language(app.current_event))
    lang = catalogue.supported(claims.lang) or pages.request_language(app.current_event)
    headers = pages.security_headers(campaign) if thanks else None
    return http_answers.html_reply(200, render(token, campaign.title_in(lang), lang), headers)


def posted_token(app: Any) -> str:
    """The token from the button's form or a JSON body; `InvalidToken` when there is none."""
    token = http_bodies.read_body(app, allow_form=True).get("token")
    if not isinstance(token, str) or not token:
        raise errors.InvalidToken()
    return token


def with_status(url: str, status: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode({"status": status})]))
    return urlunsplit(parts._replace(query=query))


def after_form_post(campaign: Campaign, status: str | None, page: str, headers: dict[str, str] | None = None) -> http_answers.Reply:
    """A browser form's answer once the step is done: the campaign's thank-you URL (with
    `?status=` where the step has one to tell), or our own page."""
    if campaign.thank_you_url:
        target = with_status(campaign.thank_you_url, status) if status else campaign.thank_you_url
        return http_answers.redirect_reply(target, headers)
    return http_answers.html_reply(200, page, headers)
