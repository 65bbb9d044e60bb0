"""GET /letters/{campaign_id}: the letter's own public page (HTML), in the reader's language
(`?lang=`, else Accept-Language); see `undersigned.letter_page`. One GET route, so it
answers without Powertools' resolver (`one_route`), every error as an HTML page."""

from undersigned import http_answers, letter_requests, schemas
from undersigned.observability import logger
from undersigned.one_route import Routes

app = Routes(cors={}, html_errors=True)
PAGE = {200: schemas.html_page("An HTML page."), **schemas.NOT_MODIFIED, 404: schemas.html_page("`campaign_not_found`, as an HTML page.")}


@http_answers.route(app.get, "/letters/<campaign_id>", PAGE)
def letter(campaign_id: str):  # noqa: ANN201 - an HTML page, described in `responses`
    """The letter's own page (HTML)

    The letter, its count, the organisations that signed and a sign form that works without
    JavaScript. `lang` (`uk`, `pl`, ...; else the Accept-Language header) picks the language. An
    unknown campaign is a `404` HTML page.
    """
    return letter_requests.show(app.current_event, campaign_id)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
