"""The admin API under /admin (AWS_IAM on every route; open on loopback in the local
stack): campaigns, signature review, bulk invalidation, export and the audit log.
Every change is audited with the caller's IAM principal (see `undersigned.admin`)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from undersigned import http, schemas
from undersigned.campaign import utc_now
from undersigned.admin import EXPORT_PAGE, Organiser, page_size, principal

app = http.make_app(cors=http.same_origin_only)
ADMIN = {"tags": ["admin"], "description": "Requires AWS_IAM: a SigV4-signed request (service `execute-api`)."}
CAMPAIGN = {**schemas.ok(schemas.AdminCampaign, "The campaign's settings and count."), **schemas.error_responses(400, 403, 404)}
PAGE = {**schemas.ok(schemas.AdminPage, "A page; pass next_cursor as cursor for the next."), **schemas.error_responses(400, 403, 404)}
ACTION = {**schemas.ok(schemas.AdminAction, "Done."), **schemas.error_responses(403, 404, 409)}


def organiser() -> Organiser:
    return Organiser(principal(app.current_event.raw_event.get("requestContext") or {}), utc_now())


def body() -> dict[str, Any]:
    return http.read_body(app, allow_form=False)


def query(name: str) -> str | None:
    return app.current_event.get_query_string_value(name)


def ok(answer: dict[str, Any], status: int = 200) -> Response:
    return http.json_response(status, answer)


@app.get("/admin/campaigns", summary="List campaigns", responses=PAGE, **ADMIN)
def list_campaigns() -> Response[schemas.AdminPage]:
    return ok(organiser().campaigns(page_size(query("limit")), query("cursor")))


CREATED = {**schemas.ok(schemas.AdminCampaign, "Created.", 201), **schemas.error_responses(400, 403, 409)}


@app.post("/admin/campaigns", summary="Create a campaign", responses=CREATED, **ADMIN)
def create_campaign(
    settings: schemas.CampaignSettingsIn = None,  # type: ignore[assignment]
) -> Response[schemas.AdminCampaign]:
    # `settings` documents the body for OpenAPI only (see the submit function); read_body reads it.
    return ok(organiser().create(body()), 201)


@app.get("/admin/campaigns/<campaign_id>", summary="A campaign's settings", responses=CAMPAIGN, **ADMIN)
def get_campaign(campaign_id: str) -> Response[schemas.AdminCampaign]:
    return ok(organiser().campaign(campaign_id))


@app.patch("/admin/campaigns/<campaign_id>", summary="Change a campaign's settings", responses=CAMPAIGN, **ADMIN)
def update_campaign(
    campaign_id: str,
    changes: schemas.CampaignSettingsIn = None,  # type: ignore[assignment]
) -> Response[schemas.AdminCampaign]:
    return ok(organiser().update(campaign_id, body()))


@app.post("/admin/campaigns/<campaign_id>/close", summary="Close a campaign", responses=CAMPAIGN, **ADMIN)
def close_campaign(campaign_id: str) -> Response[schemas.AdminCampaign]:
    return ok(organiser().set_closed(campaign_id, True))


@app.post("/admin/campaigns/<campaign_id>/reopen", summary="Reopen a closed campaign", responses=CAMPAIGN, **ADMIN)
def reopen_campaign(campaign_id: str) -> Response[schemas.AdminCampaign]:
    return ok(organiser().set_closed(campaign_id, False))


@app.get("/admin/campaigns/<campaign_id>/signatures", summary="Review signatures (`state` filters)", responses=PAGE, **ADMIN)
def list_signatures(campaign_id: str) -> Response[schemas.AdminPage]:
    return ok(organiser().signatures(campaign_id, query("state"), page_size(query("limit")), query("cursor")))


@app.post("/admin/campaigns/<campaign_id>/signatures/<signer>/hide", summary="Hide a signatory from the public list", responses=ACTION, **ADMIN)
def hide_signature(campaign_id: str, signer: str) -> Response[schemas.AdminAction]:
    return ok(organiser().hide(campaign_id, signer))


@app.post("/admin/campaigns/<campaign_id>/signatures/<signer>/release", summary="Release a quarantined signature", responses=ACTION, **ADMIN)
def release_signature(campaign_id: str, signer: str) -> Response[schemas.AdminAction]:
    return ok(organiser().release(campaign_id, signer))


@app.post("/admin/campaigns/<campaign_id>/signatures/<signer>/feature", summary="Feature a signatory on the public list", responses=ACTION, **ADMIN)
def feature_signature(campaign_id: str, signer: str) -> Response[schemas.AdminAction]:
    return ok(organiser().feature(campaign_id, signer, True))


@app.post("/admin/campaigns/<campaign_id>/signatures/<signer>/unfeature", summary="Stop featuring a signatory", responses=ACTION, **ADMIN)
def unfeature_signature(campaign_id: str, signer: str) -> Response[schemas.AdminAction]:
    return ok(organiser().feature(campaign_id, signer, False))


@app.post("/admin/campaigns/<campaign_id>/signatures/<signer>/discard", summary="Discard a quarantined signature", responses=ACTION, **ADMIN)
def discard_signature(campaign_id: str, signer: str) -> Response[schemas.AdminAction]:
    return ok(organiser().discard(campaign_id, signer))


@app.post(
    "/admin/campaigns/<campaign_id>/invalidations",
    summary="Invalidate signatures in bulk (one page per call; repeat with cursor)",
    responses={**schemas.ok(schemas.InvalidationOut, "How many this page ended."), **schemas.error_responses(400, 403, 404)},
    **ADMIN,
)
def invalidate(
    campaign_id: str,
    criteria: schemas.InvalidationIn = None,  # type: ignore[assignment]
) -> Response[schemas.InvalidationOut]:
    return ok(organiser().invalidate(campaign_id, body()))


@app.get("/admin/campaigns/<campaign_id>/export", summary="Verified signers, only what each consented to", responses=PAGE, **ADMIN)
def export(campaign_id: str) -> Response[schemas.AdminPage]:
    return ok(organiser().export(campaign_id, page_size(query("limit"), EXPORT_PAGE, 1000), query("cursor")))


@app.get("/admin/campaigns/<campaign_id>/audit", summary="The audit log, newest first", responses=PAGE, **ADMIN)
def audit(campaign_id: str) -> Response[schemas.AdminPage]:
    return ok(organiser().audit(campaign_id, page_size(query("limit")), query("cursor")))


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
