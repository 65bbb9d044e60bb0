"""GET /campaigns/{campaign_id}/signatories: the public list, newest first, paginated
(who is listed is `undersigned.signatories`' rule)."""

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas, signatories

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(30, 60)


@http.route(app.get, "/campaigns/<campaign_id>/signatories", schemas.answers(schemas.SignatoriesPage, "A page of signatories.", 400, 404))
def list_signatories(campaign_id: str) -> Response[schemas.SignatoriesPage]:
    """The public list of signatories

    `limit` 1–100 (default 50); `cursor` is the previous answer's opaque `next_cursor`.
    `kind=organisation` (or `person`) lists only that kind; `featured=true` only those an organiser featured.
    """
    query = app.current_event.get_query_string_value
    body = signatories.page(campaign_id, query("limit"), query("cursor"), query("kind"), query("featured"))
    return http.json_response(200, body, {**http.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE})


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
