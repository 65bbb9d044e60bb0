"""The count a signer sees is the fresh one: read from `/count` (cached for seconds) when the
widget starts and whenever the page is shown again, not the campaign answer (cached for a
minute and more). A signer who confirms in their mailbox and comes back sees themselves counted.
"""

from __future__ import annotations

import re

from tests.browser.helpers import events, open_widget

# Headless Chromium keeps every page visible (bringing another tab to the front changes
# nothing), so the test sets the state a browser would and fires the event it would.
SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def count_reads(api) -> int:
    return sum(1 for method, path, _, _ in api.requests if method == "GET" and path == "/campaigns/demo/count")


def shown_count(widget) -> str:
    return widget.locator("[part=count]").inner_text()


def test_at_start_the_widget_shows_the_fresh_count_not_the_cached_campaign_answer(page, partner, fake_api):
    fake_api.campaigns["demo"].cached_count = 41
    fake_api.campaigns["demo"].count = 57
    widget = open_widget(page, partner, fake_api.url)
    assert "57 signatures" in shown_count(widget)
    assert widget.get_by_role("progressbar").get_attribute("aria-valuenow") == "57"
    assert events(page, "ready")[0]["detail"]["count"] == 57


def test_a_signer_back_from_their_mailbox_sees_the_new_count(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    assert "41 signatures" in shown_count(widget)
    page.evaluate(SET_VISIBILITY, "hidden")  # off to the mailbox; the signature is confirmed there
    fake_api.campaigns["demo"].count = 42
    reads_before = count_reads(fake_api)

    page.evaluate(SET_VISIBILITY, "visible")
    page.wait_for_function("() => window.widgetEvents.some(e => e.type === 'undersigned:count')")
    assert "42 signatures" in shown_count(widget)
    assert count_reads(fake_api) == reads_before + 1
    assert events(page, "count")[-1]["detail"]["count"] == 42


def test_hiding_the_page_reads_nothing(page, partner, fake_api):
    widget = open_widget(page, partner, fake_api.url)
    reads_before = count_reads(fake_api)
    page.evaluate(SET_VISIBILITY, "hidden")
    page.evaluate(SET_VISIBILITY, "visible")  # a read is sent for this one only
    page.wait_for_function("() => performance.getEntriesByType('resource').filter(e => /\\/count$/.test(e.name)).length >= 2")
    assert count_reads(fake_api) == reads_before + 1
    assert "41 signatures" in shown_count(widget)


def test_when_the_count_cannot_be_read_the_campaigns_own_count_shows(page, partner, fake_api):
    page.route(re.compile(r".*/campaigns/demo/count$"), lambda route: route.abort())
    widget = open_widget(page, partner, fake_api.url)
    assert "41 signatures" in shown_count(widget)
    assert not events(page, "error")
