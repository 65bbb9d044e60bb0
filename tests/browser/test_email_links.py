"""The pages behind the email's links in Chromium, against the real local stack, for a
campaign whose thank-you page is on the organiser's own site (another origin than the
stack's): the confirm button lands there with `?status=verified`, as the page's
Content-Security-Policy (`form-action`) must allow; the withdraw button shows our own page."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import THANKS_CAMPAIGN, THANKS_PATH
from tests.browser.test_coalitions import post_json
from tests.browser.test_letter_page import Recorder
from tests.browser.test_widget_acceptance import mail_to

THANKS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thank you</title></head>
<body><main><h1>Thank you from the organisers</h1></main></body></html>"""


def link(message: dict, path: str) -> str:
    return next(link for link in message["links"] if urlsplit(link).path == path)


def signed(stack: str) -> dict:
    address = f"thanks-{uuid.uuid4().hex[:10]}@example.org"
    assert post_json(f"{stack}/campaigns/{THANKS_CAMPAIGN}/signatures", {"name": "Olena Koval", "email": address}) == 202
    return mail_to(stack, address)


def press(page: Any, button: str, recorder: Recorder) -> None:
    """Presses the button and waits for the page its post lands on; a navigation the browser
    refused fails with what its console said (a CSP refusal shows there)."""
    from playwright.sync_api import Error

    try:
        with page.expect_navigation():
            page.get_by_role("button", name=button).click()
    except Error as error:
        raise AssertionError(f"the browser did not land: {error.message.splitlines()[0]}; console: {recorder.errors}") from None
    refusals = [error for error in recorder.errors if "Content Security Policy" in error]
    assert not refusals, refusals


def test_the_confirm_button_lands_on_the_organisers_thank_you_page(page, partner, stack):
    thanks = partner.page(THANKS_PATH, THANKS_PAGE)
    recorder = Recorder(page)
    page.goto(link(signed(stack), "/verify"))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your signature"
    press(page, "Confirm my signature", recorder)
    landed = urlsplit(page.url)
    assert f"{landed.scheme}://{landed.netloc}{landed.path}" == thanks, page.url
    assert parse_qs(landed.query) == {"status": ["verified"]}
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you from the organisers"


def test_the_withdraw_button_shows_our_own_page(page, partner, stack):
    """After withdrawing the signer stays with us (README: the thank-you URL follows signing
    and confirming, not withdrawing)."""
    partner.page(THANKS_PATH, THANKS_PAGE)
    message = signed(stack)
    recorder = Recorder(page)
    page.goto(link(message, "/withdraw"))
    assert page.get_by_role("heading", level=1).inner_text() == "Withdraw your signature"
    press(page, "Withdraw my signature", recorder)
    assert urlsplit(page.url).path == "/withdraw" and page.url.startswith(stack), page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Signature withdrawn"
