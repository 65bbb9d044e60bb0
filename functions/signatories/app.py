"""GET /campaigns/{campaign_id}/signatories: the public list, newest first, paginated.

Only verified signatures whose signers agreed to be shown; never an address,
comment or caller address.
"""

from aws_lambda_powertools.event_handler import Response

from undersigned import errors, http, paging, schemas
from undersigned.store import Store, decode_cursor, encode_cursor

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(30, 60)
DEFAULT_LIMIT, MAX_LIMIT = 50, 100


def signatory(item: dict) -> schemas.Signatory:
    return {
        "name": item.get("name") or "",
        "role": item.get("role"),
        "organisation": item.get("organisation"),
        "country": item.get("country"),
        "signed_at": item.get("verified_at"),
    }


@app.get(
    "/campaigns/<campaign_id>/signatories",
    summary="The public list of signatories",
    description="`limit` 1–100 (default 50); `cursor` is the previous answer's opaque `next_cursor`.",
    responses={**schemas.ok(schemas.SignatoriesPage, "A page of signatories."), **schemas.error_responses(400, 404)},
)
def list_signatories(campaign_id: str) -> Response[schemas.SignatoriesPage]:
    store = Store()
    campaign = store.existing_campaign(campaign_id)
    if not campaign.public_signatories:
        raise errors.campaign_not_found()
    event = app.current_event
    limit = paging.page_size(event.get_query_string_value("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    start = paging.page_start(event.get_query_string_value("cursor"), decode_cursor)
    found = store.public_signatories(campaign.id, limit, start)
    body = {
        "items": [signatory(item) for item in found.items],
        "next_cursor": encode_cursor(found.next_before) if found.next_before else None,
    }
    return http.json_response(200, body, {**http.ANY_ORIGIN_HEADERS, "Cache-Control": CACHE})


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
