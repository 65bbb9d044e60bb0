"""GET /campaigns/{campaign_id}/count/sources, /count/countries and /count/history: the
count per partner tag, per country and per hour, cacheable everywhere like the count.
GET routes only, so they answer without Powertools' resolver (`one_route`)."""

from undersigned import count_views, http_answers, paging, schemas
from undersigned.campaign import utc_now
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.store.campaigns import Campaigns

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)
CACHE = http_answers.public_cache(30, 60)


@http_answers.route(app.get, "/campaigns/<campaign_id>/count/sources", schemas.answers(schemas.SourceCountsOut, "The count per source.", 404, revalidated=True))
def get_sources(campaign_id: str) -> http_answers.Reply[schemas.SourceCountsOut]:
    """A campaign's count per partner source tag

    `sources` maps each `source` tag signers came with to its verified signatures; `unattributed` is
    the rest of the count. Sends an ETag; If-None-Match answers 304.
    """
    view = count_views.sources_view(Campaigns().existing(campaign_id, with_count=True))
    return http_answers.cacheable_json(app.current_event.headers, view, CACHE)


@http_answers.route(app.get, "/campaigns/<campaign_id>/count/countries", schemas.answers(schemas.CountryCountsOut, "The count per country.", 404, revalidated=True))
def get_countries(campaign_id: str) -> http_answers.Reply[schemas.CountryCountsOut]:
    """A campaign's count per country

    `countries` maps each ISO 3166-1 alpha-2 code signers gave to its verified signatures;
    `unspecified` is the rest of the count. Sends an ETag; If-None-Match answers 304.
    """
    view = count_views.countries_view(Campaigns().existing(campaign_id, with_count=True))
    return http_answers.cacheable_json(app.current_event.headers, view, CACHE)


@http_answers.route(app.get, "/campaigns/<campaign_id>/count/history", schemas.answers(schemas.HistoryOut, "The hourly series.", 400, 404, revalidated=True))
def get_history(campaign_id: str) -> http_answers.Reply[schemas.HistoryOut]:
    """Verified signatures per hour, for charts

    `hours` (1–2160, default 168): how many hours up to the current one, oldest first, every hour
    present. A signature counts in the hour it was verified; a withdrawn one leaves it. Sends an
    ETag; If-None-Match answers 304.
    """
    campaign = Campaigns().existing(campaign_id, with_count=True)
    hours = paging.whole_number(app.current_event.get_query_string_value("hours"), "hours", count_views.DEFAULT_HOURS, count_views.MAX_HOURS)
    view = count_views.history_view(campaign, hours, utc_now())
    return http_answers.cacheable_json(app.current_event.headers, view, CACHE)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
