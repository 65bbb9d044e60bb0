"""GET /campaigns/{campaign_id}: a campaign's public description and its count."""

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas
from undersigned.campaign import utc_now
from undersigned.store.campaigns import Campaigns

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(30, 60)


@app.get(
    "/campaigns/<campaign_id>",
    summary="A campaign",
    responses={**schemas.ok(schemas.CampaignOut, "The campaign."), **schemas.error_responses(404)},
)
def get_campaign(campaign_id: str) -> Response[schemas.CampaignOut]:
    campaign = Campaigns().existing(campaign_id)
    return http.json_response(
        200, campaign.public_view(utc_now()), {**http.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE}
    )


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
