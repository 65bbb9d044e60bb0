"""GET /campaigns/{campaign_id}: a campaign's public description and its count, the
letter in the reader's language where the organiser wrote one (`?lang=`, else Accept-Language)."""

from undersigned import catalogue, http_answers, schemas
from undersigned.campaign import utc_now
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.store.campaigns import Campaigns

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)
CACHE = http_answers.public_cache(30, 60)


@http_answers.route(app.get, "/campaigns/<campaign_id>", schemas.answers(schemas.CampaignOut, "The campaign.", 400, 404))
def get_campaign(campaign_id: str) -> http_answers.Reply[schemas.CampaignOut]:
    """A campaign

    `lang` (`uk`, `pl`, ...; else the Accept-Language header) picks the letter's language;
    `lang` in the answer says which one came, `languages` which exist.
    """
    event = app.current_event
    wanted = catalogue.supported(event.get_query_string_value("lang")) or catalogue.from_accept_language(event.headers.get("accept-language"))
    view = Campaigns().existing(campaign_id, with_count=True).public_view(utc_now(), wanted)
    # Without ?lang= the answer depends on the reader's Accept-Language: caches must key on it.
    return http_answers.json_reply(200, view, {**http_answers.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE, "Vary": "Accept-Language"})


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
