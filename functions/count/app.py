"""GET /campaigns/{campaign_id}/count: the exact running total, cacheable everywhere."""

import hashlib
import json

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas
from undersigned.store import Store

app = http.make_app(cors=http.any_origin)
CACHE = "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400"


def entity_tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or any(candidate.removeprefix("W/") == tag for candidate in candidates)


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
    body = json.dumps(campaign.count_view(), separators=(",", ":"))
    tag = entity_tag(body)
    headers = {**http.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE, "ETag": tag}
    if matches(app.current_event.headers.get("if-none-match"), tag):
        return Response(status_code=304, body="", headers=headers)
    return Response(status_code=200, content_type=http.JSON_TYPE, body=body, headers=headers)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
