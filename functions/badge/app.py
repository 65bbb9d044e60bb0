"""GET /campaigns/{campaign_id}/badge.svg: a count badge for READMEs and dashboards."""

from undersigned import count_views, http_answers, schemas
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.store.campaigns import Campaigns

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)
CACHE = http_answers.public_cache(60, 300)
SVG_TYPE = "image/svg+xml"
ANSWERS = {200: {"description": "An SVG image.", "content": {SVG_TYPE: {"schema": {"type": "string"}}}}, **schemas.NOT_MODIFIED, **schemas.error_responses(400, 404)}


@http_answers.route(app.get, "/campaigns/<campaign_id>/badge.svg", ANSWERS)
def get_badge(campaign_id: str):  # noqa: ANN201 - an SVG image, described in `responses`
    """A count badge (SVG)

    `label` (optional, at most 40 characters) replaces the word on its left; `lang` (`uk`, `pl`,
    ...; default `en`) is the language of that word and of the numbers. Sends an ETag; If-None-Match
    answers 304.
    """
    query = app.current_event.get_query_string_value
    label, campaign = count_views.badge_label(query("label")), Campaigns().existing(campaign_id, with_count=True)
    return http_answers.cacheable_reply(app.current_event.headers, count_views.badge_svg(label, campaign, query("lang") or "en"), CACHE, content_type=SVG_TYPE)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
