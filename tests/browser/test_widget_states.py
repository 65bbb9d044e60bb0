"""The widget on a partner's page, against a fake of the public API that keeps to the contract.

The fake can answer what the real stack rarely does on demand (429, a dropped connection,
a campaign that closes mid-way), so these tests cover every state a signer can meet.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

from tests.browser.conftest import run_axe, save_screenshot
from tests.browser.helpers import events, fill_form, focused, open_widget
from tests.browser.servers import Scripted


def requested(api, path_pattern: str) -> list[str]:
    return [path for _, path, _, _ in api.requests if re.search(path_pattern, path)]


def test_widget_replaces_the_nojs_form_and_shows_title_count_and_progress(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    assert widget.get_by_role("heading", name="Open the door: a letter on safe passage").is_visible()
    assert "41 signatures" in widget.locator("[part=count]").inner_text()
    bar = widget.get_by_role("progressbar")
    assert bar.get_attribute("aria-valuenow") == "41" and bar.get_attribute("aria-valuemax") == "100"
    assert not page.locator("undersigned-sign > form").is_visible()
    widget.get_by_text("Read the letter").click()
    assert widget.get_by_text("And for a welcome that lasts.").is_visible()


def test_nothing_is_fetched_until_the_widget_scrolls_near_the_viewport(page, partner, fake_api):
    spacer = '<div style="height:4000px">A long article.</div>'
    open_widget(page, partner, fake_api.url, body_before=spacer, wait=False)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert requested(fake_api, r"^/campaigns/") == []
    page.locator("undersigned-sign").scroll_into_view_if_needed()
    page.locator("undersigned-sign .w").wait_for()
    assert requested(fake_api, r"^/campaigns/demo$") == ["/campaigns/demo"]


def test_count_is_refreshed_while_visible_and_formatted_for_the_language(page, partner, fake_api):
    fake_api.campaigns["demo"].count = 12345
    fake_api.campaigns["demo"].goal = 50000
    page.clock.install()
    widget = open_widget(page, partner, fake_api.url, attributes='lang="pl"')
    assert "12\u00a0345 podpisów" in widget.locator("[part=count]").inner_text()
    fake_api.campaigns["demo"].count = 12346
    page.clock.run_for(31_000)
    page.wait_for_function("() => window.widgetEvents.some(e => e.type === 'undersigned:count')")
    assert "12\u00a0346 podpisów" in widget.locator("[part=count]").inner_text()
    assert widget.get_by_role("progressbar").get_attribute("aria-valuenow") == "12346"


def test_only_the_language_in_use_is_loaded_and_sent_to_the_api(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url, attributes='lang="uk"')
    assert widget.get_by_role("button", name="Підписати лист").is_visible()
    assert [p.rsplit("/", 1)[1] for p in requested(fake_api, r"^/widget/")] == ["uk.json"]
    fill_form(widget, "Олена", "olena@example.org")
    widget.get_by_label("Країна (необов'язково)").select_option("UA")
    widget.get_by_role("button", name="Підписати лист").click()
    widget.get_by_role("heading", name="Перевірте пошту").wait_for()
    assert fake_api.submissions[-1]["locale"] == "uk"
    assert fake_api.submissions[-1]["country"] == "UA"


def test_page_language_is_used_when_the_element_names_none(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url, lang="ro", attributes='lang=""')
    assert widget.get_by_role("button", name="Semnați scrisoarea").is_visible()


def test_field_errors_from_the_api_fill_an_error_summary_that_takes_focus(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "", "not-an-address")
    widget.get_by_role("button", name="Sign the letter").click()
    summary = widget.locator("[part=error-summary]")
    summary.wait_for()
    assert focused(page)["part"] == "error-summary"
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == ["Enter your name.", "Enter a valid email address, like name@example.org."]
    email = widget.get_by_label("Email address")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    assert "f-email-error" in described and "f-email-hint" in described
    links.nth(1).click()
    assert focused(page)["id"] == "f-email"
    assert [e["detail"]["fields"] for e in events(page, "invalid")] == [["name", "email"]]


def test_while_submitting_the_form_is_busy_and_a_second_press_sends_nothing(page, partner, fake_api):
    fake_api.script.append(Scripted(202, {"status": "pending_verification"}, delay=1.0))
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "Ann", "ann@example.org")
    button = widget.get_by_role("button", name="Sign the letter")
    button.click()
    busy = widget.get_by_role("button", name="Signing…")
    assert busy.get_attribute("aria-disabled") == "true"
    assert widget.locator("form").get_attribute("aria-busy") == "true"
    busy.click(force=True)
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert len(fake_api.submissions) == 1
    assert len(events(page, "submit")) == 1


def test_rate_limited_submission_says_when_to_try_again(page, partner, fake_api):
    fake_api.script.append(Scripted(429, {"error": {"code": "rate_limited", "message": "Slow down."}}, {"Retry-After": "120"}))
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    summary = widget.locator("[part=error-summary]")
    summary.get_by_text("Too many attempts. Please try again in 2 minutes.").wait_for()
    assert focused(page)["part"] == "error-summary"
    assert events(page, "error")[-1]["detail"]["code"] == "rate_limited"


def test_network_failure_offers_a_retry_that_resends_the_signature(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    submissions = fake_api.url + "/campaigns/demo/signatures"
    page.route(submissions, lambda route: route.abort("internetdisconnected"))
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_text("We could not reach the server.", exact=False).wait_for()
    assert focused(page)["part"] == "error-summary"
    assert events(page, "error")[-1]["detail"]["code"] == "network_error"
    page.unroute(submissions)
    widget.get_by_role("button", name="Try again").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert [s["email"] for s in fake_api.submissions] == ["ann@example.org"]


def test_a_campaign_that_closes_before_submission_shows_it_is_closed(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    fake_api.campaigns["demo"].status = "closed"
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    closed = widget.get_by_text("This letter is closed and no longer accepts signatures.")
    closed.wait_for()
    assert focused(page)["part"] == "closed"
    assert widget.locator("form").count() == 0


def test_a_closed_campaign_shows_no_form(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url, campaign="demo-closed")
    assert widget.get_by_text("This letter is closed").is_visible()
    assert widget.locator("form").count() == 0


def test_signing_shows_check_your_email_announces_it_and_fires_events_without_personal_data(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url, attributes='source="partner.example"')
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_label("Show my name on the public list of signatories").check()
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert focused(page)["part"] == "success"
    page.wait_for_function("() => document.querySelector('undersigned-sign').shadowRoot.querySelector('[role=status]').textContent")
    assert widget.get_by_role("status").inner_text() == "Check your email"
    assert fake_api.submissions[-1] == {"locale": "en", "name": "Ann", "email": "ann@example.org", "public": True,
                                        "updates": False, "signing_as": "person", "source": "partner.example"}
    assert [e["type"] for e in events(page)] == ["undersigned:ready", "undersigned:submit", "undersigned:signed"]
    assert "ann@example.org" not in json.dumps(events(page))
    assert events(page, "signed")[0]["detail"] == {"campaign": "demo", "source": "partner.example"}


def test_latest_signatories_show_more_on_request_and_keep_keyboard_focus(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    names = widget.locator("[part=signatories] li b")
    names.first.wait_for()
    assert names.count() == 5
    widget.get_by_role("button", name="Show more").click()
    page.wait_for_function("() => document.querySelector('undersigned-sign').shadowRoot.querySelectorAll('li').length === 12")
    assert focused(page)["text"].startswith("Signer 6")
    assert not widget.get_by_role("button", name="Show more").is_visible()


def test_several_widgets_on_one_page_work_independently(page, partner, fake_api):
    open_widget(page, partner, fake_api.url, copies=2)
    widgets = page.locator("undersigned-sign .w")
    widgets.nth(1).wait_for()
    fill_form(widgets.nth(1), "Bo", "bo@example.org")
    widgets.nth(1).get_by_role("button", name="Sign the letter").click()
    widgets.nth(1).get_by_role("heading", name="Check your email").wait_for()
    assert widgets.nth(0).get_by_role("button", name="Sign the letter").is_visible()
    assert len(requested(fake_api, r"/en\.json$")) == 1


def test_right_to_left_language_is_laid_out_right_to_left(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url, attributes='lang="ar"')
    assert widget.evaluate("el => getComputedStyle(el).direction") == "rtl"
    box = widget.bounding_box()
    label = widget.get_by_text("الاسم الكامل").bounding_box()
    # Text starts at the right edge: the label sits against the container's right padding.
    assert box["x"] + box["width"] - (label["x"] + label["width"]) < 40
    save_screenshot(page, "widget-rtl.png")


def test_hostile_host_css_does_not_break_the_widget(page, partner, fake_api):
    hostile = """<style>
      * { all: unset !important; }
      html, body { font-size: 0 !important; line-height: 0 !important; color: transparent !important;
                   letter-spacing: 12px !important; text-transform: uppercase !important; visibility: hidden !important; }
      undersigned-sign { display: inline !important; opacity: .1 !important; }
    </style>"""
    widget = open_widget(page, partner, fake_api.url, head=hostile)
    name = widget.get_by_label("Full name")
    assert name.is_visible()
    assert name.bounding_box()["height"] >= 40
    style = widget.evaluate("el => { const s = getComputedStyle(el); return [s.color, s.fontSize, s.textTransform, s.visibility]; }")
    assert style == ["rgb(27, 27, 27)", "16px", "none", "visible"]
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    save_screenshot(page, "widget-hostile-css.png")


def test_theming_through_custom_properties_and_parts(page, partner, fake_api):
    theme = """<style>
      undersigned-sign { --undersigned-accent: rgb(0, 90, 50); --undersigned-font: monospace; }
      undersigned-sign::part(button) { border-radius: 0; }
    </style>"""
    widget = open_widget(page, partner, fake_api.url, head=theme)
    button = widget.get_by_role("button", name="Sign the letter")
    assert button.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderRadius]") == ["rgb(0, 90, 50)", "0px"]
    assert "monospace" in widget.evaluate("el => getComputedStyle(el).fontFamily")


def test_dark_theme_attribute(page, partner, fake_api, axe_source):
    widget = open_widget(page, partner, fake_api.url, attributes='theme="dark"')
    assert widget.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(22, 22, 22)"
    assert run_axe(page, axe_source) == []
    save_screenshot(page, "widget-dark.png")


def test_auto_theme_follows_the_readers_dark_setting(browser, partner, fake_api):
    context = browser.new_context(color_scheme="dark")
    try:
        widget = open_widget(context.new_page(), partner, fake_api.url, attributes='theme="auto"')
        assert widget.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(22, 22, 22)"
    finally:
        context.close()


def test_no_third_party_request_no_cookie_no_storage(page, partner, fake_api):
    origins = set()
    page.on("request", lambda request: origins.add(re.match(r"^[a-z]+://[^/]+", request.url).group(0)))
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert origins == {partner.origin, fake_api.url}
    assert page.evaluate("() => [document.cookie, localStorage.length, sessionStorage.length]") == ["", 0, 0]
    assert page.context.cookies() == []
    assert all("cookie" not in {k.lower() for k in headers} for _, _, headers, _ in fake_api.requests)


@pytest.mark.parametrize(("width", "zoom"), [(320, 1), (640, 2)], ids=["320px", "200%"])
def test_reflows_without_horizontal_scrolling_on_a_phone_and_at_200_percent_zoom(browser, partner, fake_api, width, zoom):
    # Zooming shrinks the viewport in CSS pixels: a 1280 px window at 200% is 640 CSS px wide,
    # and 320 CSS px is WCAG 1.4.10's reflow width.
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=zoom)
    page = context.new_page()
    try:
        widget = open_widget(page, partner, fake_api.url)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        for control in ["Full name", "Email address", "Country (optional)"]:
            box = widget.get_by_label(control).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        context.close()


def test_states_pass_axe_at_wcag_22_aa(page, partner, fake_api, axe_source):
    widget = open_widget(page, partner, fake_api.url, lang="en")
    assert run_axe(page, axe_source) == []
    fill_form(widget, "", "bad")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.locator("[part=error-summary]").wait_for()
    assert run_axe(page, axe_source) == []
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert run_axe(page, axe_source) == []


def test_when_the_campaign_cannot_load_the_nojs_form_stays(page, partner, fake_api):
    open_widget(page, partner, fake_api.url, campaign="no-such-campaign", wait=False)
    page.wait_for_function("() => window.widgetEvents.some(e => e.type === 'undersigned:error')")
    assert events(page, "error")[0]["detail"]["code"] == "load_failed"
    assert page.locator("undersigned-sign > form").is_visible()
    assert page.locator("undersigned-sign .w").count() == 0


@pytest.mark.parametrize("human_check", ["none", "altcha"])
def test_a_strict_content_security_policy_needs_only_the_api_origin(page, partner, fake_api, human_check):
    fake_api.campaigns["demo"].human_check = human_check
    policy = f"default-src 'none'; script-src 'nonce-partner' {fake_api.url}; connect-src {fake_api.url}; form-action {fake_api.url}"
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    widget = open_widget(page, partner, fake_api.url, head=f'<meta http-equiv="Content-Security-Policy" content="{policy}">')
    button = widget.get_by_role("button", name="Sign the letter")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(29, 78, 216)"
    assert widget.get_by_role("progressbar").locator("div").evaluate("el => el.style.width") == "41%"
    fill_form(widget, "Ann", "ann@example.org")
    button.click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert violations == []


# ------------------------------------------------------------------ proof of human
def proofs_sent(api) -> list[dict]:
    """The `altcha` field of every submission the widget sent, decoded."""
    bodies = [json.loads(raw) for method, path, _, raw in api.requests if method == "POST" and path.endswith("/signatures")]
    return [json.loads(base64.b64decode(body["altcha"])) for body in bodies if "altcha" in body]


def announcements(page) -> list[str]:
    return page.evaluate("() => window.announced")


def record_announcements(page) -> None:
    page.evaluate(
        """() => { window.announced = [];
             const live = document.querySelector('undersigned-sign').shadowRoot.querySelector('[data-live]');
             new MutationObserver(() => live.textContent && window.announced.push(live.textContent))
               .observe(live, {childList: true, characterData: true, subtree: true}); }"""
    )


def test_a_campaign_asking_for_proof_of_work_gets_it_solved_in_the_browser(page, partner, fake_api, axe_source):
    fake_api.campaigns["demo"].human_check = "altcha"
    widget = open_widget(page, partner, fake_api.url)
    assert fake_api.challenges == [], "no challenge before the signer turns to the form"
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    # The fake accepted it with the server's own library (humancheck.py's cost and prefix).
    [proof] = proofs_sent(fake_api)
    assert proof["challenge"] == fake_api.challenges[0]
    assert proof["solution"]["derivedKey"].startswith("00")
    assert len(fake_api.challenges) == 1
    assert requested(fake_api, r"^/widget/[0-9a-f]{12}/altcha\.js$")
    assert run_axe(page, axe_source) == []


def test_announces_the_check_while_the_signer_waits_for_it(page, partner, fake_api):
    fake_api.campaigns["demo"].human_check = "altcha"
    widget = open_widget(page, partner, fake_api.url)
    record_announcements(page)
    # Filled in and sent without the form ever taking the focus (as a password manager might):
    # the check runs while the signer waits.
    widget.locator("form").evaluate(
        "form => { form.elements.name.value = 'Ann'; form.elements.email.value = 'ann@example.org'; form.requestSubmit(); }"
    )
    widget.get_by_role("heading", name="Check your email").wait_for()
    page.wait_for_function("() => window.announced.includes('Check your email')")
    said = announcements(page)
    assert said.index("Checking you're not a robot…") < said.index("Sending your signature…") < said.index("Check your email")


def test_a_refused_proof_shows_the_field_error_and_the_next_try_solves_a_fresh_challenge(page, partner, fake_api, axe_source):
    fake_api.campaigns["demo"].human_check = "altcha"
    refusal = {"error": {"code": "validation_error", "message": "Some fields need attention.",
                         "details": [{"field": "altcha", "message": "The check that you are a person did not complete."}]}}
    fake_api.script.append(Scripted(400, refusal))
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    summary = widget.locator("[part=error-summary]")
    summary.get_by_text("The check that you are a person did not complete.").wait_for()
    assert focused(page)["part"] == "error-summary"
    assert events(page, "invalid")[-1]["detail"]["fields"] == ["altcha"]
    assert run_axe(page, axe_source) == []
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    first, second = proofs_sent(fake_api)
    assert first["challenge"]["parameters"]["nonce"] != second["challenge"]["parameters"]["nonce"]
    assert [p["challenge"] for p in (first, second)] == fake_api.challenges


def test_a_campaign_that_starts_asking_for_proof_while_the_page_is_open_gets_it_on_the_next_try(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    fake_api.campaigns["demo"].human_check = "altcha"
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.locator("[part=error-summary]").get_by_text("The check that you are a person did not complete.").wait_for()
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert len(proofs_sent(fake_api)) == 1


def test_a_refused_proof_is_explained_in_the_signers_language(page, partner, fake_api):
    fake_api.campaigns["demo"].human_check = "altcha"
    refusal = {"error": {"code": "validation_error", "message": "Some fields need attention.",
                         "details": [{"field": "altcha", "message": "The check that you are a person did not complete."}]}}
    fake_api.script.append(Scripted(400, refusal))
    widget = open_widget(page, partner, fake_api.url, attributes='lang="pl"')
    fill_form(widget, "Anna", "anna@example.org")
    widget.get_by_role("button", name="Podpisz list").click()
    widget.locator("[part=error-summary]").get_by_text("Sprawdzenie zabezpieczenia przed robotami nie zostało ukończone.", exact=False).wait_for()


def test_after_a_server_error_the_retry_solves_a_fresh_challenge(page, partner, fake_api):
    fake_api.campaigns["demo"].human_check = "altcha"
    fake_api.script.append(Scripted(503, {"error": {"code": "unavailable", "message": "Try again."}}))
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_text("We could not reach the server.", exact=False).wait_for()
    widget.get_by_role("button", name="Try again").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    first, second = proofs_sent(fake_api)
    assert first["challenge"]["parameters"]["nonce"] != second["challenge"]["parameters"]["nonce"]


def test_when_no_challenge_can_be_fetched_the_signer_is_told_and_can_try_again(page, partner, fake_api):
    fake_api.campaigns["demo"].human_check = "altcha"
    challenges = fake_api.url + "/campaigns/demo/challenge"
    page.route(challenges, lambda route: route.abort("internetdisconnected"))
    widget = open_widget(page, partner, fake_api.url)
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_text("We could not check that you're not a robot.", exact=False).wait_for()
    assert focused(page)["part"] == "error-summary"
    assert events(page, "error")[-1]["detail"]["code"] == "check_failed"
    assert requested(fake_api, r"/signatures$") == [], "nothing is sent without a proof"
    page.unroute(challenges)
    widget.get_by_role("button", name="Try again").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert len(proofs_sent(fake_api)) == 1


@pytest.mark.parametrize("kind", ["turnstile", "hcaptcha"])
def test_a_hosted_check_sends_the_token_the_host_page_leaves_on_the_element_once(page, partner, fake_api, kind):
    fake_api.campaigns["demo"].human_check = kind
    widget = open_widget(page, partner, fake_api.url)
    # What the provider's own widget's callback does on the partner's page (docs/widget.md).
    page.locator("undersigned-sign").evaluate("el => el.setAttribute('captcha', 'token-from-the-provider')")
    fill_form(widget, "Ann", "ann@example.org")
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert fake_api.submissions[0]["captcha"] == "token-from-the-provider"
    assert "altcha" not in fake_api.submissions[0]
    assert page.locator("undersigned-sign").get_attribute("captcha") is None
    assert fake_api.challenges == []
