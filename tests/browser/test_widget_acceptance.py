"""Acceptance: the widget on a partner's page, against the real local stack (`python -m devstack`).

The partner's page and the API are different origins, as on the web. These are the stories
issue 4 asks for: sign and confirm by email, field errors, keyboard only, WCAG 2.2 AA, the form
that works without JavaScript, and a screenshot.
"""

from __future__ import annotations

import json
import os
import urllib.error
import shutil
import time
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import ALTCHA_CAMPAIGN, ROOT, get_json, run_axe, save_screenshot
from tests.browser.helpers import events, fill_form, focused, open_widget
from tests.browser.servers import embed_page


def new_address() -> str:
    return f"signer-{uuid.uuid4().hex[:10]}@example.org"


def mail_to(stack: str, address: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in get_json(stack + "/_dev/mailbox")["messages"]:
            if address in message["to"]:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} in the dev mailbox")


def verify_link_token(message: dict) -> str:
    link = next(link for link in message["links"] if urlsplit(link).path == "/verify")
    return parse_qs(urlsplit(link).query)["token"][0]


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback only
        return answer.status, json.loads(answer.read())


def count_of(stack: str, campaign: str = "demo") -> int:
    return get_json(f"{stack}/campaigns/{campaign}/count")["count"]


def wait_for_count(stack: str, expected: int, timeout: float = 10, campaign: str = "demo") -> None:
    deadline = time.monotonic() + timeout
    while count_of(stack, campaign) != expected:
        assert time.monotonic() < deadline, f"the count stayed at {count_of(stack, campaign)}, expected {expected}"
        time.sleep(0.25)


def test_signer_signs_sees_check_your_email_confirms_and_the_count_moves(browser, page, partner, stack):
    before = count_of(stack)
    page.clock.install()
    widget = open_widget(page, partner, stack, attributes='source="partner-site"')
    assert widget.locator("[part=count]").inner_text().startswith(f"{before} signature")
    address = new_address()
    fill_form(widget, "Olena Kovalenko", address)
    widget.get_by_label("Show my name on the public list of signatories").check()
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert address in widget.locator("[part=success]").inner_text()
    assert [e["type"] for e in events(page)][-1] == "undersigned:signed"

    status, answer = post_json(stack + "/verify", {"token": verify_link_token(mail_to(stack, address))})
    assert (status, answer["status"]) == (200, "verified")
    wait_for_count(stack, before + 1)

    # The widget refreshes the count every 30 s while it is visible.
    page.clock.run_for(31_000)
    page.wait_for_function("() => window.widgetEvents.some(e => e.type === 'undersigned:count')")
    assert widget.locator("[part=count]").inner_text().startswith(f"{before + 1} signature")
    assert widget.get_by_role("progressbar").get_attribute("aria-valuenow") == str(before + 1)

    # The list is cacheable for a while: a new visitor (no HTTP cache yet) sees the new name.
    visitor = browser.new_context()
    try:
        again = open_widget(visitor.new_page(), partner, stack)
        again.locator("[part=signatories] li").first.wait_for()
        assert again.locator("[part=signatories] li").first.inner_text().startswith("Olena Kovalenko")
    finally:
        visitor.close()


def test_a_bad_email_gets_an_error_summary_that_takes_focus_and_links_to_the_field(page, partner, stack):
    widget = open_widget(page, partner, stack)
    fill_form(widget, "Ann", "ann.example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    summary = widget.locator("[part=error-summary]")
    summary.wait_for()
    assert focused(page)["part"] == "error-summary"
    link = summary.get_by_role("link")
    assert link.count() == 1
    assert "email" in link.inner_text().lower()
    error = widget.locator("#f-email-error")
    assert error.inner_text().endswith(link.inner_text())
    assert widget.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "f-email"
    assert events(page, "invalid")[-1]["detail"]["fields"] == ["email"]


def tab_to(page, element_id: str, seen: list[str], limit: int = 20) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(now["id"] or now["tag"])
        if now["id"] == element_id:
            outline = page.evaluate(
                """() => { let el = document.activeElement;
                     while (el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
                     const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"""
            )
            assert outline == ["solid", "3px"], f"{element_id} shows no focus indicator: {outline}"
            return
    raise AssertionError(f"Tab never reached #{element_id}; went through {seen}")


def test_keyboard_only_signing(page, partner, stack):
    widget = open_widget(page, partner, stack)
    seen: list[str] = []
    tab_to(page, "f-name", seen)
    page.keyboard.type("Keyboard User")
    tab_to(page, "f-email", seen)
    page.keyboard.type(new_address())
    tab_to(page, "f-country", seen)
    tab_to(page, "f-public", seen)
    page.keyboard.press("Space")
    assert widget.get_by_label("Show my name on the public list of signatories").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["part"] == "button"
    page.keyboard.press("Enter")
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert focused(page)["part"] == "success"
    assert "f-website" not in seen, "the honeypot must never take the focus"


def test_axe_finds_no_wcag_22_aa_violation_in_any_state(page, partner, stack, axe_source):
    widget = open_widget(page, partner, stack)
    assert run_axe(page, axe_source) == []
    widget.get_by_text("Read the letter").click()
    fill_form(widget, "", "nope")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.locator("[part=error-summary]").wait_for()
    assert run_axe(page, axe_source) == []
    fill_form(widget, "Axe Tester", new_address())
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert run_axe(page, axe_source) == []


def test_the_nojs_form_signs_with_javascript_disabled(browser, partner, stack):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(partner.page("/nojs.html", embed_page(stack)))
        form = page.locator("undersigned-sign form")
        assert form.is_visible()
        address = new_address()
        form.locator("input[name=name]").fill("No Script")
        form.locator("input[name=email]").fill(address)
        form.locator("input[name=public]").check()
        with page.expect_navigation():
            form.get_by_role("button", name="Sign the letter").click()
        assert page.url.startswith(stack)
        message = mail_to(stack, address)
        assert verify_link_token(message)
    finally:
        context.close()


def test_screenshot_of_the_widget(page, partner, stack):
    page.set_viewport_size({"width": 720, "height": 1200})
    # The widget takes the host page's font.
    widget = open_widget(page, partner, stack, head="<style>body { font-family: system-ui, sans-serif; }</style>")
    widget.get_by_text("Read the letter").click()
    path = save_screenshot(page, "widget.png")
    assert path.stat().st_size > 10_000
    if os.environ.get("UNDERSIGNED_UPDATE_SCREENSHOT"):
        shutil.copyfile(path, ROOT / "docs" / "widget.png")


def test_on_a_campaign_asking_for_proof_of_work_the_browser_solves_it_and_the_signature_counts(page, partner, stack, axe_source):
    assert get_json(f"{stack}/campaigns/{ALTCHA_CAMPAIGN}")["human_check"] == "altcha"
    before = count_of(stack, ALTCHA_CAMPAIGN)
    sent = []
    page.on("request", lambda request: sent.append(request.post_data_json) if request.method == "POST" else None)
    widget = open_widget(page, partner, stack, campaign=ALTCHA_CAMPAIGN)
    address = new_address()
    fill_form(widget, "Petra Proof", address)
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert run_axe(page, axe_source) == []
    [submission] = sent
    assert submission["altcha"], "the widget sent its solution"

    status, answer = post_json(stack + "/verify", {"token": verify_link_token(mail_to(stack, address))})
    assert (status, answer["status"]) == (200, "verified")
    wait_for_count(stack, before + 1, campaign=ALTCHA_CAMPAIGN)

    # The solution the browser found is good once: the API refuses it a second time.
    replay = {**submission, "email": new_address()}
    try:
        post_json(f"{stack}/campaigns/{ALTCHA_CAMPAIGN}/signatures", replay)
        raise AssertionError("a replayed solution was accepted")
    except urllib.error.HTTPError as refused:
        error = json.loads(refused.read())["error"]
        assert (refused.code, [d["field"] for d in error["details"]]) == (400, ["altcha"])
