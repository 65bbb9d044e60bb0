"""GET /campaigns/{campaign_id}/badge.svg: a count badge for READMEs and dashboards."""

from aws_lambda_powertools.event_handler import Response

from undersigned import errors, http, schemas, totals
from undersigned.store import Store

app = http.make_app(cors=http.any_origin)
CACHE = http.public_cache(60, 300)
SVG_TYPE = "image/svg+xml"


def badge_label(text: str | None) -> str | None:
    """The caller's label, checked; None for the default one (in the badge's language)."""
    if text is None:
        return None
    label = text.strip()
    if not label or len(label) > totals.MAX_LABEL or any(ord(char) < 32 for char in label):
        raise errors.validation_error([errors.FieldProblem("label", f"Must be 1–{totals.MAX_LABEL} characters of text.")])
    return label


@app.get(
    "/campaigns/<campaign_id>/badge.svg",
    summary="A count badge (SVG)",
    description="`label` (optional, at most 40 characters) replaces the word on its left; `lang` "
    "(`uk`, `pl`, ...; default `en`) is the language of that word and of the numbers. "
    "Sends an ETag; If-None-Match answers 304.",
    responses={
        200: {"description": "An SVG image.", "content": {SVG_TYPE: {"schema": {"type": "string"}}}},
        **schemas.NOT_MODIFIED,
        **schemas.error_responses(400, 404),
    },
)
def get_badge(campaign_id: str):  # noqa: ANN201 - an SVG image, described in `responses`
    label = badge_label(app.current_event.get_query_string_value("label"))
    campaign = Store().existing_campaign(campaign_id)
    lang = app.current_event.get_query_string_value("lang") or "en"
    return http.cacheable_response(app, totals.badge_svg(label, campaign, lang), CACHE, content_type=SVG_TYPE)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
