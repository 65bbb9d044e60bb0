"""The HTTP side of the letter's own page (`GET /letters/{campaign_id}`): its language
(`?lang=`, else Accept-Language, else the campaign's default), and an answer the edge may
keep for a short while, one copy per language. An unknown campaign is the HTML error page
(`404`), as the function answers every error with a page. Without Powertools' resolver
(`one_route`): `request` is the function's `Routes.current_event`."""

from __future__ import annotations

from undersigned import http_answers, letter_page, pages, signatories
from undersigned.campaign import utc_now
from undersigned.http_answers import Reply
from undersigned.one_route import Request
from undersigned.store.campaigns import Campaigns

CACHE = http_answers.public_cache(30, 60)


def show(request: Request, campaign_id: str) -> Reply:
    campaign = Campaigns().existing(campaign_id, with_count=True)
    lang = pages.request_language(request, campaign.default_locale)
    markup = letter_page.letter_page(
        campaign, signatories.organisations(campaign), lang, http_answers.public_base_url(request.domain_name), campaign.is_open(utc_now())
    )
    return http_answers.cacheable_page(
        request.headers,
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
