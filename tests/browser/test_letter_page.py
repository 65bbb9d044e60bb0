"""The letter's own page (`/letters/{id}`) in Chromium against the real local stack: in
Ukrainian and in Arabic (right to left) with no WCAG 2.2 AA violation, its plain form taken
over by the widget, share links once someone signed, and nothing loaded from anywhere but
the stack's own origin. Also the page without JavaScript, signed by its plain form."""

from __future__ import annotations

import os
import shutil
import uuid
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import ARTIFACTS, LETTER_CAMPAIGN, LETTER_TRANSLATIONS, ROOT, run_axe
from tests.browser.test_coalitions import post_json, token
from tests.browser.test_widget_acceptance import mail_to


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Recorder:
    """Every request the page makes, and every complaint of its console (CSP refusals show there)."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)

    def origins(self) -> set[str]:
        return {origin(url) for url in self.requests if not url.startswith(("data:", "about:"))}


def axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    # The page's policy refuses inline scripts that are not its own: axe comes in through the
    # DevTools protocol, as an extension would, instead of a <script> element.
    page.evaluate(axe_source)
    return run_axe(page, axe_source)


def signed_organisation(stack: str, run: str) -> None:
    body = {
        "name": "Tim Nelson", "email": f"letters-{run}@hopeforjustice.org", "signing_as": "organisation",
        "organisation": "Hope for Justice", "role": "CEO", "country": "GB", "public": True,
    }
    assert post_json(f"{stack}/campaigns/{LETTER_CAMPAIGN}/signatures", body) == 202
    assert post_json(f"{stack}/verify", {"token": token(mail_to(stack, body["email"]), "/verify")}) == 200


def open_letter(page: Any, stack: str, lang: str) -> Any:
    page.goto(f"{stack}/letters/{LETTER_CAMPAIGN}?lang={lang}")
    widget = page.locator("undersigned-sign .w")
    widget.wait_for()
    return widget


def test_the_page_in_ukrainian_and_arabic_is_accessible_enhanced_and_loads_only_from_the_stack(page, stack, axe_source):
    signed_organisation(stack, uuid.uuid4().hex[:8])
    recorder = Recorder(page)

    widget = open_letter(page, stack, "uk")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.get_by_role("heading", level=1).inner_text() == LETTER_TRANSLATIONS["uk"]["title"]
    # The widget took the plain form's place: its own form, in Ukrainian, with the choice of who signs.
    assert widget.get_by_role("group", name="Хто підписує?").is_visible()
    assert not page.locator("undersigned-sign > form").is_visible()
    assert widget.get_by_role("heading").count() == 0, "form-only: the page itself shows the letter"
    assert page.locator(".orgs").get_by_text("підтверджено: hopeforjustice.org").is_visible()
    assert axe(page, axe_source) == []

    open_letter(page, stack, "ar")
    assert (page.locator("html").get_attribute("lang"), page.locator("html").get_attribute("dir")) == ("ar", "rtl")
    assert page.get_by_role("heading", level=1).inner_text() == LETTER_TRANSLATIONS["ar"]["title"]
    assert axe(page, axe_source) == []

    assert recorder.origins() == {stack}, f"requests beyond the stack: {sorted(recorder.origins())}"
    assert not [error for error in recorder.errors if "Content Security Policy" in error], recorder.errors


def test_after_signing_through_the_widget_the_page_offers_plain_share_links(browser, stack, axe_source):
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        recorder = Recorder(page)
        widget = open_letter(page, stack, "en")
        share = page.locator("#share")
        assert not share.is_visible(), "nothing to share before signing"
        widget.locator("#f-name").fill("Olena Koval")
        widget.locator("#f-email").fill(f"olena-{uuid.uuid4().hex[:8]}@example.net")
        widget.get_by_role("button", name="Sign the letter").click()
        widget.get_by_role("heading", name="Check your email").wait_for()

        share.wait_for()
        url = f"{stack}/letters/{LETTER_CAMPAIGN}?lang=en"
        hrefs = {name: share.get_by_role("link", name=name, exact=True).get_attribute("href") for name in ("Email", "WhatsApp", "Telegram", "X", "Facebook")}
        assert hrefs["Email"].startswith("mailto:?subject=")
        assert hrefs["WhatsApp"].startswith("https://wa.me/?text=")
        assert hrefs["Telegram"].startswith("https://t.me/share/url?url=")
        assert hrefs["X"].startswith("https://twitter.com/intent/tweet?")
        assert hrefs["Facebook"].startswith("https://www.facebook.com/sharer/sharer.php?u=")
        assert share.get_by_role("link", name=url).get_attribute("href") == url
        share.get_by_role("button", name="Copy the link").click()
        share.get_by_text("The link is copied.").wait_for()
        assert page.evaluate("() => navigator.clipboard.readText()") == url
        assert axe(page, axe_source) == []
        assert recorder.origins() == {stack}, f"requests beyond the stack: {sorted(recorder.origins())}"
    finally:
        context.close()


def test_without_javascript_the_plain_form_signs_and_its_answer_offers_the_share_links(browser, stack, axe_source):
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="uk-UA", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{stack}/letters/{LETTER_CAMPAIGN}")
        email = f"bez-js-{uuid.uuid4().hex[:8]}@example.net"
        page.get_by_label("Ім'я та прізвище").fill("Олена Коваль")
        page.get_by_label("Електронна пошта").fill(email)
        page.get_by_role("radio", name="Від імені організації").check()
        page.get_by_label("Організація (обов'язково, якщо ви підписуєте від її імені)").fill("Київські юристи")
        page.get_by_role("button", name="Підписати лист").click()
        page.get_by_role("heading", name="Перевірте пошту").wait_for()
        assert page.locator("html").get_attribute("lang") == "uk"
        assert page.get_by_role("link", name="WhatsApp").get_attribute("href").startswith("https://wa.me/")
        assert "підпис" in mail_to(stack, email)["subject"].lower()
    finally:
        context.close()


def test_screenshot_of_the_letter_page(page, stack):
    """UNDERSIGNED_UPDATE_SCREENSHOT=1 copies it to docs/letter-page.png (README, Coalitions)."""
    page.set_viewport_size({"width": 900, "height": 1400})
    open_letter(page, stack, "en")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "letter-page.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    if os.environ.get("UNDERSIGNED_UPDATE_SCREENSHOT"):
        shutil.copyfile(path, ROOT / "docs" / "letter-page.png")
