"""The HTTP side of the letter's own page (`GET /letters/{campaign_id}`): its language
(`?lang=`, else Accept-Language, else the campaign's default), and an answer the edge may
keep for a short while, one copy per language. An unknown campaign is the HTML error page
(`404`), as the function's resolver answers every error with a page."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from undersigned import http, letter_page, pages, signatories
from undersigned.campaign import utc_now
from undersigned.store.campaigns import Campaigns

CACHE = http.public_cache(30, 60)


def show(app: APIGatewayHttpResolver, campaign_id: str) -> Response:
    campaign = Campaigns().existing(campaign_id, with_count=True)
    lang = pages.request_language(app.current_event, campaign.default_locale)
    markup = letter_page.letter_page(
        campaign, signatories.organisations(campaign), lang, http.public_base_url(app), campaign.is_open(utc_now())
    )
    return http.cacheable_page(
        app,
        markup,
        {
            "Cache-Control": CACHE,
            # Without ?lang= the page is in the reader's Accept-Language: caches must key on it.
            "Vary": "Accept-Language",
            "Content-Security-Policy": letter_page.content_security_policy(campaign),
            # Nothing secret in this URL, yet the services a reader shares to need not learn where they came from.
            "Referrer-Policy": "same-origin",
        },
    )
