"""GET /campaigns/{campaign_id}/signatories: the public list, newest first, paginated
(who is listed is `undersigned.signatories`' rule)."""

from undersigned import http_answers, schemas, signatories
from undersigned.observability import logger
from undersigned.one_route import Routes

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)
CACHE = http_answers.public_cache(30, 60)


@http_answers.route(app.get, "/campaigns/<campaign_id>/signatories", schemas.answers(schemas.SignatoriesPage, "A page of signatories.", 400, 404))
def list_signatories(campaign_id: str) -> http_answers.Reply[schemas.SignatoriesPage]:
    """The public list of signatories

    `limit` 1–100 (default 50); `cursor` is the previous answer's opaque `next_cursor`.
    `kind=organisation` (or `person`) lists only that kind; `featured=true` only those an organiser featured.
    """
    query = app.current_event.get_query_string_value
    body = signatories.page(campaign_id, query("limit"), query("cursor"), query("kind"), query("featured"))
    return http_answers.json_reply(200, body, {**http_answers.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE})


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
