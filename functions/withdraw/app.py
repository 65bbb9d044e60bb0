"""GET /withdraw shows a withdraw button (a GET changes nothing); POST /withdraw
(JSON or form) erases the signer's details and takes the signature out of the count.
Both answer without Powertools' resolver (`one_route`)."""

from undersigned import confirmation, email_links, http_answers, http_bodies, pages, schemas, tokens
from undersigned.campaign import utc_now
from undersigned.observability import logger
from undersigned.one_route import Routes

app = Routes(cors={})
WITHDRAWN = {"status": "withdrawn"}
PAGE = {200: schemas.html_page("A page with a withdraw button."), 400: schemas.html_page("`invalid_token`."), **schemas.error_responses()}
ANSWERS = schemas.answers(schemas.WithdrawOut, "Withdrawn.", 400, 413, 415)


@http_answers.route(app.get, "/withdraw", PAGE)
def withdraw_page():  # noqa: ANN201 - an HTML/JSON document, described in `responses`
    """The page behind the email's withdraw link"""
    return email_links.button_page(app, tokens.WITHDRAW, pages.withdraw_page)


@http_answers.route(app.post, "/withdraw", ANSWERS, openapi_extensions=schemas.ACCEPTS_FORMS)
def withdraw(body: schemas.TokenIn = None) -> http_answers.Reply[schemas.WithdrawOut]:  # type: ignore[assignment]
    """Withdraw a signature and erase the signer's details

    `{"token": ...}` as JSON or `token=...` from a form. Repeating it answers the same.
    """
    # `body` documents the request for OpenAPI only (see the submit function).
    confirmation.withdraw(email_links.posted_token(app), utc_now())
    if http_bodies.is_form_post(app):
        return http_answers.html_reply(200, pages.message_page("withdrawn", pages.request_language(app.current_event)))
    return http_answers.json_reply(200, WITHDRAWN)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
