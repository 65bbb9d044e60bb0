"""GET /campaigns/{campaign_id}: a campaign's public description and its count, the
letter in the reader's language where the organiser wrote one (`?lang=`, else Accept-Language)."""

from aws_lambda_powertools.event_handler import Response

from undersigned import catalogue, http, schemas
from undersigned.campaign import utc_now
from undersigned.store.campaigns import Campaigns

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(30, 60)


@http.route(app.get, "/campaigns/<campaign_id>", schemas.answers(schemas.CampaignOut, "The campaign.", 400, 404))
def get_campaign(campaign_id: str) -> Response[schemas.CampaignOut]:
    """A campaign

    `lang` (`uk`, `pl`, ...; else the Accept-Language header) picks the letter's language;
    `lang` in the answer says which one came, `languages` which exist.
    """
    event = app.current_event
    wanted = catalogue.supported(event.get_query_string_value("lang")) or catalogue.from_accept_language(event.headers.get("accept-language"))
    view = Campaigns().existing(campaign_id, with_count=True).public_view(utc_now(), wanted)
    # Without ?lang= the answer depends on the reader's Accept-Language: caches must key on it.
    return http.json_response(200, view, {**http.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE, "Vary": "Accept-Language"})


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
