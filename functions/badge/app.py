"""GET /campaigns/{campaign_id}/badge.svg: a count badge for READMEs and dashboards."""

from aws_lambda_powertools.event_handler import Response

from undersigned import count_views, http, schemas
from undersigned.store.campaigns import Campaigns

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(60, 300)
SVG_TYPE = "image/svg+xml"
ANSWERS = {200: {"description": "An SVG image.", "content": {SVG_TYPE: {"schema": {"type": "string"}}}}, **schemas.NOT_MODIFIED, **schemas.error_responses(400, 404)}


@http.route(app.get, "/campaigns/<campaign_id>/badge.svg", ANSWERS)
def get_badge(campaign_id: str):  # noqa: ANN201 - an SVG image, described in `responses`
    """A count badge (SVG)

    `label` (optional, at most 40 characters) replaces the word on its left; `lang` (`uk`, `pl`,
    ...; default `en`) is the language of that word and of the numbers. Sends an ETag; If-None-Match
    answers 304.
    """
    query = app.current_event.get_query_string_value
    label, campaign = count_views.badge_label(query("label")), Campaigns().existing(campaign_id, with_count=True)
    return http.cacheable_response(app, count_views.badge_svg(label, campaign, query("lang") or "en"), CACHE, content_type=SVG_TYPE)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
