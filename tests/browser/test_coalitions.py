"""Organisations sign a coalition's letter in Chromium, against the real local stack: one on
behalf of Hope for Justice from its own domain (shown "verified: hopeforjustice.org"), one
from a gmail.com address (not verified), and a person whose email domain is shown nowhere.
The widget counts them apart and lists organisations first, the signatory wall shows them,
a withdrawal takes one out of the organisations, and no WCAG 2.2 AA violation on the way."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import COALITION_CAMPAIGN, get_json, run_axe
from tests.browser.helpers import open_widget
from tests.browser.test_widget_acceptance import mail_to


def post_json(url: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback only
        return answer.status


def token(message: dict, path: str) -> str:
    link = next(link for link in message["links"] if urlsplit(link).path == path)
    return parse_qs(urlsplit(link).query)["token"][0]


def counts(stack: str) -> dict:
    return get_json(f"{stack}/campaigns/{COALITION_CAMPAIGN}/count")


def wait_for_organisations(stack: str, count: int, organisations: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (counts(stack)["count"], counts(stack)["organisations"]) != (count, organisations):
        assert time.monotonic() < deadline, f"the count stayed at {counts(stack)}"
        time.sleep(0.25)


def signed_through_the_api(stack: str, body: dict) -> dict:
    assert post_json(f"{stack}/campaigns/{COALITION_CAMPAIGN}/signatures", body) == 202
    message = mail_to(stack, body["email"])
    assert post_json(f"{stack}/verify", {"token": token(message, "/verify")}) == 200
    return message


def test_organisations_sign_are_verified_by_domain_counted_apart_and_shown_on_the_wall(page, partner, stack, axe_source):
    run = uuid.uuid4().hex[:8]
    widget = open_widget(page, partner, stack, campaign=COALITION_CAMPAIGN)

    # The choice: a fieldset with a legend, two radios, the person's chosen at first.
    choice = widget.get_by_role("group", name="Who is signing?")
    assert choice.get_by_role("radio", name="I sign as myself").is_checked()
    organisation = widget.get_by_label("Organisation (optional)")
    assert organisation.get_attribute("aria-required") is None
    choice.get_by_role("radio", name="On behalf of an organisation").check()
    organisation = widget.get_by_label("Organisation you sign for")
    assert organisation.get_attribute("aria-required") == "true"
    assert "shown as verified" in widget.locator("#" + organisation.get_attribute("aria-describedby").split()[0]).inner_text()
    assert run_axe(page, axe_source) == []

    # Sent without the organisation: the field is marked and the summary links to it.
    address = f"campaigns-{run}@hopeforjustice.org"
    widget.locator("#f-name").fill("Tim Nelson")
    widget.locator("#f-email").fill(address)
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("link", name="Enter the organisation you sign for.").wait_for()
    assert organisation.get_attribute("aria-invalid") == "true"
    assert run_axe(page, axe_source) == []

    organisation.fill("Hope for Justice")
    widget.get_by_label("Show my name on the public list of signatories").check()
    widget.get_by_role("button", name="Sign the letter").click()
    widget.get_by_role("heading", name="Check your email").wait_for()
    assert post_json(f"{stack}/verify", {"token": token(mail_to(stack, address), "/verify")}) == 200

    signed_through_the_api(stack, {
        "name": "Ann Other", "email": f"freedom-{run}@gmail.com", "signing_as": "organisation",
        "organisation": "Freedom Fund", "public": True,
    })
    person_domain = f"employer-{run}.example"
    signed_through_the_api(stack, {"name": "Olena Koval", "email": f"olena@{person_domain}", "country": "UA", "public": True})
    wait_for_organisations(stack, 3, 2)

    wall_page = partner.page(f"/wall-{run}.html", f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Our coalition</title></head><body><main><h1>Our coalition</h1>
<undersigned-signatories campaign="{COALITION_CAMPAIGN}" kind="organisation"></undersigned-signatories>
<undersigned-signatories campaign="{COALITION_CAMPAIGN}" kind="person"></undersigned-signatories>
<undersigned-sign campaign="{COALITION_CAMPAIGN}"></undersigned-sign>
</main><script src="{stack}/widget.js" async></script></body></html>""")
    page.goto(wall_page)
    walls = page.locator("undersigned-signatories")
    organisations = walls.nth(0).get_by_role("list", name="Organisations that signed")
    organisations.get_by_role("listitem").nth(1).wait_for()
    hope, freedom = (item.inner_text() for item in organisations.get_by_role("listitem").all()[:2])
    assert hope.startswith("Freedom Fund") or freedom.startswith("Freedom Fund")
    hope_item = hope if "Hope for Justice" in hope else freedom
    freedom_item = freedom if hope_item is hope else hope
    assert "verified: hopeforjustice.org" in hope_item
    assert "verified" not in freedom_item and "gmail" not in freedom_item
    people = walls.nth(1).get_by_role("list", name="People who signed")
    people.get_by_role("listitem").first.wait_for()
    assert "Olena Koval" in people.inner_text()

    # The sign widget: counted apart, organisations first.
    widget = page.locator("undersigned-sign .w")
    widget.wait_for()
    assert widget.locator("[part=count]").inner_text().startswith("Signed by 2 organisations and 1 person")
    # The two lists load apart: wait for the second before reading both headings.
    widget.locator("section:not([hidden]) h3").nth(1).wait_for()
    sections = widget.locator("section:not([hidden]) h3").all_inner_texts()
    assert sections == ["Organisations that signed", "Latest signatories"]
    assert run_axe(page, axe_source) == []
    assert person_domain not in page.evaluate(
        "() => [...document.querySelectorAll('undersigned-signatories, undersigned-sign')].map(e => e.shadowRoot.innerHTML).join('')"
    ), "a person's email domain is shown nowhere"

    # Hope for Justice withdraws: out of the organisations, off the wall.
    assert post_json(f"{stack}/withdraw", {"token": token(mail_to(stack, address), "/withdraw")}) == 200
    wait_for_organisations(stack, 2, 1)
    page.reload()
    walls.nth(0).get_by_role("listitem").first.wait_for()
    assert "Hope for Justice" not in walls.nth(0).inner_text()
