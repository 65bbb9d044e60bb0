"""GET /campaigns/{campaign_id}/count: the exact running total, cacheable everywhere.

Every open page polls it, so it answers without Powertools' resolver (`one_route`)."""

from undersigned import http_answers, schemas
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.store.campaigns import Campaigns

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)
CACHE = http_answers.public_cache(5, 30)


@http_answers.route(app.get, "/campaigns/<campaign_id>/count", schemas.answers(schemas.CountOut, "The count.", 404, revalidated=True))
def get_count(campaign_id: str) -> http_answers.Reply[schemas.CountOut]:
    """A campaign's count of verified signatures

    May lag the truth by a few seconds. Sends an ETag; If-None-Match answers 304.
    """
    # The count's own item, read eventually consistently: half a read unit.
    return http_answers.cacheable_json(app.current_event.headers, Campaigns().count_view(campaign_id), CACHE)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
