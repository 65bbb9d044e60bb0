"""GET /campaigns/{campaign_id}/count/sources, /count/countries and /count/history: the
count per partner tag, per country and per hour, cacheable everywhere like the count."""

from aws_lambda_powertools.event_handler import Response

from undersigned import count_views, http, paging, schemas
from undersigned.campaign import utc_now
from undersigned.store.campaigns import Campaigns

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(30, 60)


@app.get(
    "/campaigns/<campaign_id>/count/sources",
    summary="A campaign's count per partner source tag",
    description="`sources` maps each `source` tag signers came with to its verified signatures; "
    "`unattributed` is the rest of the count. Sends an ETag; If-None-Match answers 304.",
    responses={**schemas.ok(schemas.SourceCountsOut, "The count per source."), **schemas.NOT_MODIFIED, **schemas.error_responses(404)},
)
def get_sources(campaign_id: str) -> Response[schemas.SourceCountsOut]:
    view = count_views.sources_view(Campaigns().existing(campaign_id, with_count=True))
    return http.cacheable_json(app, view, CACHE)


@app.get(
    "/campaigns/<campaign_id>/count/countries",
    summary="A campaign's count per country",
    description="`countries` maps each ISO 3166-1 alpha-2 code signers gave to its verified signatures; "
    "`unspecified` is the rest of the count. Sends an ETag; If-None-Match answers 304.",
    responses={**schemas.ok(schemas.CountryCountsOut, "The count per country."), **schemas.NOT_MODIFIED, **schemas.error_responses(404)},
)
def get_countries(campaign_id: str) -> Response[schemas.CountryCountsOut]:
    view = count_views.countries_view(Campaigns().existing(campaign_id, with_count=True))
    return http.cacheable_json(app, view, CACHE)


@app.get(
    "/campaigns/<campaign_id>/count/history",
    summary="Verified signatures per hour, for charts",
    description="`hours` (1–2160, default 168): how many hours up to the current one, oldest first, "
    "every hour present. A signature counts in the hour it was verified; a withdrawn one leaves it. "
    "Sends an ETag; If-None-Match answers 304.",
    responses={**schemas.ok(schemas.HistoryOut, "The hourly series."), **schemas.NOT_MODIFIED, **schemas.error_responses(400, 404)},
)
def get_history(campaign_id: str) -> Response[schemas.HistoryOut]:
    campaign = Campaigns().existing(campaign_id, with_count=True)
    hours = paging.whole_number(app.current_event.get_query_string_value("hours"), "hours", count_views.DEFAULT_HOURS, count_views.MAX_HOURS)
    view = count_views.history_view(campaign, hours, utc_now())
    return http.cacheable_json(app, view, CACHE)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
