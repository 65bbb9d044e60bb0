"""The pages whose form posts to us may let the form land on the organiser's thank-you page:
their Content-Security-Policy's `form-action` is `'self'` and the thank-you URL's origin
(browsers hold a form's redirects to it too), the same rule on the confirm page and the
letter's page (`pages.form_targets`); pages whose post stays with us keep `'self'` alone."""

from __future__ import annotations

import boto3
import pytest

from integration.conftest import DEMO
from integration.test_signing_journey import sign
from undersigned.campaign_file import put_campaign


def form_action(answer) -> str:
    directives = dict(part.strip().split(" ", 1) for part in answer.header("content-security-policy").split(";"))
    assert set(directives) >= {"default-src", "form-action", "frame-ancestors", "base-uri"}
    return directives["form-action"]


def confirm_page(api, mailbox, campaign: str = "demo"):
    address = f"alice-{campaign}@example.org"
    assert sign(api, {"name": "Alice Adams", "email": address}, campaign=campaign).status == 202
    mail = mailbox.last_to(address)
    return api.get(f"/verify?token={mail.token('/verify')}"), mail


def test_the_confirm_page_lets_its_form_land_on_the_thank_you_pages_origin(api, demo, mailbox):
    answer, mail = confirm_page(api, mailbox)
    assert answer.status == 200
    assert form_action(answer) == "'self' https://coalition.example.org"
    posted = api.post("/verify", form={"token": mail.token("/verify")})
    assert (posted.status, posted.header("location")) == (303, "https://coalition.example.org/thanks?status=verified")


def test_the_letter_page_and_the_confirm_page_allow_the_same_targets(api, demo, mailbox):
    answer, _ = confirm_page(api, mailbox)
    assert form_action(api.get("/letters/demo")) == form_action(answer)


@pytest.mark.parametrize(
    ("thank_you_url", "expected"),
    [
        ("https://someone:secret@Thanks.Example.org:8443/after/?from=letter#top", "'self' https://thanks.example.org:8443"),
        ("http://[2001:db8::1]/thanks", "'self' http://[2001:db8::1]"),
        ("https://bücher.example/danke", "'self' https://xn--bcher-kva.example"),
        (None, "'self'"),
        # Nothing a header could not carry as a source: no directive of the organiser's own
        # (the settings refuse such URLs now; a campaign may have stored one before).
        ("https://thanks.example.org;script-src 'unsafe-inline'/", "'self'"),
        ("https:thanks", "'self'"),
    ],
)
def test_only_the_thank_you_urls_scheme_host_and_port_are_allowed(api, embedded_aws, mailbox, thank_you_url, expected):
    put_campaign({**DEMO, "id": "thanked", "thank_you_url": None})
    if thank_you_url:
        boto3.client("dynamodb").update_item(
            TableName="undersigned-CampaignsTable",
            Key={"campaign_id": {"S": "thanked"}},
            UpdateExpression="SET thank_you_url = :url",
            ExpressionAttributeValues={":url": {"S": thank_you_url}},
        )
    answer, _ = confirm_page(api, mailbox, "thanked")
    assert form_action(answer) == expected
    assert "script-src" not in answer.header("content-security-policy")
    assert form_action(api.get("/letters/thanked")) == expected


def test_the_withdraw_page_posts_only_to_us(api, demo, mailbox):
    """Its post answers with our own page (the thank-you URL follows signing and confirming)."""
    _, mail = confirm_page(api, mailbox)
    answer = api.get(f"/withdraw?token={mail.token('/withdraw')}")
    assert answer.status == 200
    assert form_action(answer) == "'self'"
    posted = api.post("/withdraw", form={"token": mail.token("/withdraw")})
    assert posted.status == 200 and "Signature withdrawn" in posted.text
