"""A Ukrainian and an Arabic signer, in Chromium against the real local stack: the widget in
their language, the email and the confirm page behind its link in it too (Arabic right to
left), and no WCAG 2.2 AA violation on the way."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest

from devstack.seed import DEMO_TRANSLATIONS
from tests.browser.conftest import run_axe
from tests.browser.helpers import fill_form, open_widget
from tests.browser.test_widget_acceptance import count_of, mail_to, wait_for_count

SIGNERS = {
    # lang: (direction, sign button, "check your email" heading, subject start, confirm page heading, its button)
    "uk": ("ltr", "Підписати лист", "Перевірте пошту", "Підтвердіть свій підпис: ", "Підтвердіть свій підпис", "Підтвердити підпис"),
    "ar": ("rtl", "وقّع الرسالة", "تحقّق من بريدك الإلكتروني", "يُرجى تأكيد توقيعك: ", "تأكيد توقيعك", "تأكيد توقيعي"),
}


@pytest.fixture
def csp_free_page(browser):
    """A page whose own scripts may run on the API's pages (axe is injected there); the browser
    prefers English, so only the email's link can bring the signer's language."""
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize("lang", sorted(SIGNERS))
def test_a_signer_signs_and_confirms_in_their_own_language(csp_free_page, partner, stack, axe_source, lang):
    direction, sign, check, subject, heading, confirm = SIGNERS[lang]
    page = csp_free_page
    before = count_of(stack)
    widget = open_widget(page, partner, stack, attributes=f'lang="{lang}"')
    assert (widget.get_attribute("lang"), widget.evaluate("el => getComputedStyle(el).direction")) == (lang, direction)
    # The letter itself in the widget's language (the demo letter is written in both).
    assert widget.get_by_role("heading", level=2).inner_text() == DEMO_TRANSLATIONS[lang]["title"]
    assert run_axe(page, axe_source) == []

    address = f"signer-{uuid.uuid4().hex[:10]}@example.org"
    fill_form(widget, "Олена Коваленко" if lang == "uk" else "سارة حداد", address)
    widget.get_by_role("button", name=sign).click()
    widget.get_by_role("heading", name=check).wait_for()
    assert run_axe(page, axe_source) == []

    message = mail_to(stack, address)
    assert message["subject"].startswith(subject)
    link = next(link for link in message["links"] if urlsplit(link).path == "/verify")
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.evaluate("() => getComputedStyle(document.body).direction") == direction
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert run_axe(page, axe_source) == []

    page.get_by_role("button", name=confirm).click()
    page.wait_for_url("**status=verified")
    wait_for_count(stack, before + 1)
