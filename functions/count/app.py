"""GET /campaigns/{campaign_id}/count: the exact running total, cacheable everywhere."""

import json

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas
from undersigned.store import Store

app = http.make_app(cors=http.any_origin)
CACHE = "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400"


@app.get(
    "/campaigns/<campaign_id>/count",
    summary="A campaign's count of verified signatures",
    description="May lag the truth by a few seconds. Sends an ETag; If-None-Match answers 304.",
    responses={
        **schemas.ok(schemas.CountOut, "The count."),
        304: {"description": "Not modified since the ETag given in If-None-Match."},
        **schemas.error_responses(404),
    },
)
def get_count(campaign_id: str) -> Response[schemas.CountOut]:
    campaign = Store().existing_campaign(campaign_id)
    return http.cacheable_response(app, json.dumps(campaign.count_view(), separators=(",", ":")), CACHE)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
