"""GET /campaigns/{campaign_id}/count: the exact running total, cacheable everywhere."""

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas
from undersigned.store.campaigns import Campaigns

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(5, 30)


@http.route(app.get, "/campaigns/<campaign_id>/count", schemas.answers(schemas.CountOut, "The count.", 404, revalidated=True))
def get_count(campaign_id: str) -> Response[schemas.CountOut]:
    """A campaign's count of verified signatures

    May lag the truth by a few seconds. Sends an ETag; If-None-Match answers 304.
    """
    # The count's own item, read eventually consistently: half a read unit.
    return http.cacheable_json(app, Campaigns().count_view(campaign_id), CACHE)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
