"""GET /verify shows a confirm button (mail scanners prefetch links: a GET changes
nothing); POST /verify (JSON or form) verifies, and is safe to repeat. Both answer
without Powertools' resolver (`one_route`)."""

from undersigned import confirmation, email_links, http_answers, http_bodies, pages, schemas, tokens
from undersigned.campaign import utc_now
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.signature import State

app = Routes(cors={})
PAGE = {
    200: schemas.html_page("A page with a confirm button."), 400: schemas.html_page("`invalid_token`."),
    410: schemas.html_page("`token_expired`."), **schemas.error_responses(),
}
VERIFIED = {**schemas.ok(schemas.VerifyOut, "Verified (or already was)."), 303: {"description": "Form posts."}, **schemas.error_responses(400, 410, 413, 415)}


@http_answers.route(app.get, "/verify", PAGE, include_in_schema=True)
def confirm_page():  # noqa: ANN201 - an HTML/JSON document, described in `responses`
    """The page behind the email's confirm link"""
    return email_links.button_page(app, tokens.VERIFY, pages.confirm_page, thanks=True)


@http_answers.route(app.post, "/verify", VERIFIED, openapi_extensions=schemas.ACCEPTS_FORMS)
def verify(body: schemas.TokenIn = None) -> http_answers.Reply[schemas.VerifyOut]:  # type: ignore[assignment]
    """Confirm a signature

    `{"token": ...}` as JSON, or `token=...` from the page's form (answered with `303` to the
    thank-you URL with `?status=verified`, or a page).
    """
    # `body` documents the request for OpenAPI only (see the submit function).
    outcome = confirmation.verify(email_links.posted_token(app), utc_now())
    if not http_bodies.is_form_post(app):
        return http_answers.json_reply(200, {"status": outcome.status, "campaign_id": outcome.campaign.id})
    page = pages.message_page("verified", pages.request_language(app.current_event))
    return email_links.after_form_post(outcome.campaign, State.VERIFIED, page)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
