"""GET /withdraw shows a withdraw button (a GET changes nothing); POST /withdraw
(JSON or form) erases the signer's details and takes the signature out of the count."""

from aws_lambda_powertools.event_handler import Response

from undersigned import confirmation, email_links, http, pages, schemas, tokens
from undersigned.campaign import utc_now

app = http.make_app(cors=http.same_origin_only)
WITHDRAWN = {"status": "withdrawn"}
PAGE = {200: schemas.html_page("A page with a withdraw button."), 400: schemas.html_page("`invalid_token`."), **schemas.error_responses()}
ANSWERS = schemas.answers(schemas.WithdrawOut, "Withdrawn.", 400, 413, 415)


@http.route(app.get, "/withdraw", PAGE)
def withdraw_page():  # noqa: ANN201 - an HTML/JSON document, described in `responses`
    """The page behind the email's withdraw link"""
    return email_links.button_page(app, tokens.WITHDRAW, pages.withdraw_page)


@http.route(app.post, "/withdraw", ANSWERS, openapi_extensions=schemas.ACCEPTS_FORMS)
def withdraw(body: schemas.TokenIn = None) -> Response[schemas.WithdrawOut]:  # type: ignore[assignment]
    """Withdraw a signature and erase the signer's details

    `{"token": ...}` as JSON or `token=...` from a form. Repeating it answers the same.
    """
    # `body` documents the request for OpenAPI only (see the submit function).
    confirmation.withdraw(email_links.posted_token(app), utc_now())
    if http.is_form_post(app):
        return http.html_response(200, pages.message_page("withdrawn", pages.request_language(app.current_event)))
    return http.json_response(200, WITHDRAWN)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
