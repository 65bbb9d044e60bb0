"""The submit endpoint's answers to bad input, browsers, bots and outages, per the contract."""

from __future__ import annotations

import json

import boto3
import pytest

GOOD = {"name": "Bohdan Kovalenko", "email": "bohdan@example.org"}
PARTNER = "https://partner.example.org"


def stored_signatures() -> int:
    return boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable", Select="COUNT")["Count"]


def error_of(answer) -> dict:
    return answer.json()["error"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ("x" * (16 * 1024 + 1), {"content-type": "application/json"}, 413, "payload_too_large"),
        ("", {"content-type": "application/json"}, 400, "invalid_json"),
        ("{not json", {"content-type": "application/json"}, 400, "invalid_json"),
        ("[1, 2]", {"content-type": "application/json"}, 400, "validation_error"),
        ('"text"', {"content-type": "application/json; charset=utf-8"}, 400, "validation_error"),
        (json.dumps(GOOD), {"content-type": "text/plain"}, 415, "unsupported_media_type"),
        (json.dumps(GOOD), {"content-type": "application/json; charset=latin-1"}, 415, "unsupported_media_type"),
        (json.dumps(GOOD), {}, 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_get_the_contract_error_and_store_nothing(api, demo, body, headers, status, code):
    answer = api.post("/campaigns/demo/signatures", body=body, headers=headers)
    assert answer.status == status
    assert error_of(answer)["code"] == code
    assert error_of(answer)["message"]
    assert stored_signatures() == 0


def test_json_with_a_charset_is_accepted(api, demo):
    answer = api.post("/campaigns/demo/signatures", body=json.dumps(GOOD), headers={"content-type": "application/json; charset=UTF-8"})
    assert answer.status == 202


def test_each_bad_field_gets_its_own_detail(api, demo):
    answer = api.post(
        "/campaigns/demo/signatures",
        json_body={"name": "  ", "email": "not-an-address", "country": "ua", "source": "Bad Tag", "public": "yes", "extra": 1},
    )
    assert answer.status == 400
    assert error_of(answer)["code"] == "validation_error"
    fields = {detail["field"] for detail in error_of(answer)["details"]}
    assert fields == {"name", "email", "country", "source", "public", "extra"}
    assert all(detail["message"] for detail in error_of(answer)["details"])


@pytest.mark.parametrize(
    "name",
    ["=HYPERLINK(\"x\")", "+1 555", "-minus", "@handle", "Visit https://spam.example", "buy at www.spam.example",
     "cheap.example.com", "line\nbreak", "tab\there", "x" * 121],
)
def test_names_that_could_harm_a_reader_are_refused(api, demo, name):
    answer = api.post("/campaigns/demo/signatures", json_body={**GOOD, "name": name})
    assert answer.status == 400
    assert [d["field"] for d in error_of(answer)["details"]] == ["name"]


def test_invisible_characters_are_stripped_from_names(api, demo, mailbox):
    answer = api.post("/campaigns/demo/signatures", json_body={**GOOD, "name": "\u202eMaria\u200b Ionescu "})
    assert answer.status == 202
    assert "Hello Maria Ionescu," in mailbox.last_to("bohdan@example.org").html


def test_the_name_is_html_escaped_in_the_email(api, demo, mailbox):
    api.post("/campaigns/demo/signatures", json_body={**GOOD, "name": "<b>Eve</b> & co"})
    mail = mailbox.last_to("bohdan@example.org")
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; co" in mail.html
    assert "<b>Eve</b>" not in mail.html


def test_unknown_and_closed_campaigns(api, demo):
    missing = api.post("/campaigns/no-such-letter/signatures", json_body=GOOD)
    assert (missing.status, error_of(missing)["code"]) == (404, "campaign_not_found")
    bad_id = api.post("/campaigns/BAD_ID/signatures", json_body=GOOD)
    assert bad_id.status == 404
    closed = api.post("/campaigns/demo-closed/signatures", json_body=GOOD)
    assert (closed.status, error_of(closed)["code"]) == (410, "campaign_closed")
    assert stored_signatures() == 0


def test_a_campaign_past_its_closing_time_is_closed(api, embedded_aws):
    from undersigned.campaign_file import put_campaign

    put_campaign({"id": "ended", "title": "t", "statement": "s", "closes_at": "2020-01-01T00:00:00Z"})
    assert api.get("/campaigns/ended").json()["status"] == "closed"
    assert api.post("/campaigns/ended/signatures", json_body=GOOD).status == 410


def test_the_honeypot_answers_like_a_success_and_stores_and_sends_nothing(api, demo, mailbox):
    real = api.post("/campaigns/demo/signatures", json_body={**GOOD, "email": "person@example.org"})
    bot = api.post("/campaigns/demo/signatures", json_body={**GOOD, "website": "http://spam"})
    assert (bot.status, bot.text, bot.headers) == (real.status, real.text, real.headers)
    assert stored_signatures() == 1
    assert mailbox.to("bohdan@example.org") == []


class TestBrowsers:
    def test_an_allowed_origin_may_post_and_read_the_answer(self, api, demo):
        answer = api.post("/campaigns/demo/signatures", json_body=GOOD, headers={"origin": PARTNER})
        assert answer.status == 202
        assert answer.header("access-control-allow-origin") == PARTNER
        assert "Origin" in answer.header("vary")
        assert answer.header("access-control-expose-headers") == "Retry-After"

    def test_errors_are_readable_by_an_allowed_origin(self, api, demo):
        answer = api.post("/campaigns/demo/signatures", json_body={"name": "x"}, headers={"origin": PARTNER})
        assert answer.status == 400
        assert answer.header("access-control-allow-origin") == PARTNER

    def test_another_origin_is_refused(self, api, demo):
        answer = api.post("/campaigns/demo/signatures", json_body=GOOD, headers={"origin": "https://evil.example"})
        assert (answer.status, error_of(answer)["code"]) == (403, "origin_not_allowed")
        assert answer.header("access-control-allow-origin") is None
        assert stored_signatures() == 0

    def test_an_organiser_may_allow_every_origin(self, api, demo):
        from undersigned.campaign_file import put_campaign

        put_campaign({"id": "open-to-all", "title": "t", "statement": "s", "allowed_origins": ["*"]})
        answer = api.post("/campaigns/open-to-all/signatures", json_body=GOOD, headers={"origin": "https://any.example"})
        assert answer.status == 202
        assert answer.header("access-control-allow-origin") == "https://any.example"

    def test_preflight_answers_by_the_campaigns_origins(self, api, demo):
        ok = api.request("OPTIONS", "/campaigns/demo/signatures", headers={"origin": PARTNER, "access-control-request-method": "POST"})
        assert ok.status == 204
        assert ok.header("access-control-allow-origin") == PARTNER
        assert "POST" in ok.header("access-control-allow-methods")
        assert "content-type" in ok.header("access-control-allow-headers").lower()
        refused = api.request("OPTIONS", "/campaigns/demo/signatures", headers={"origin": "https://evil.example"})
        assert refused.status == 403
        assert refused.header("access-control-allow-origin") is None


class TestFormPosts:
    def test_a_form_post_is_redirected_to_the_thank_you_page(self, api, demo, mailbox):
        answer = api.post(
            "/campaigns/demo/signatures",
            form={"name": "Olena", "email": "olena@example.org", "public": "on", "website": ""},
            headers={"origin": PARTNER},
        )
        assert answer.status == 303
        assert answer.header("location") == "https://coalition.example.org/thanks"
        assert mailbox.last_to("olena@example.org")

    def test_without_a_thank_you_url_the_answer_is_a_page(self, api, demo):
        answer = api.post("/campaigns/demo-private/signatures", form={"name": "Olena", "email": "olena@example.org"})
        assert answer.status == 200
        assert answer.header("content-type").startswith("text/html")
        assert "Check your email" in answer.text

    def test_a_failing_form_post_gets_an_html_page_with_the_same_status(self, api, demo):
        answer = api.post("/campaigns/demo/signatures", form={"name": "<script>x</script>", "email": "nope"})
        assert answer.status == 400
        assert answer.header("content-type").startswith("text/html")
        assert "email" in answer.text
        assert "<script>x" not in answer.text
        closed = api.post("/campaigns/demo-closed/signatures", form={"name": "A", "email": "a@example.org"})
        assert closed.status == 410 and "<html" in closed.text


def test_an_unexpected_fault_answers_500_in_the_contract_shape_without_a_trace(api, demo, monkeypatch):
    from undersigned import sign_up

    def crash(*args, **kwargs):
        raise RuntimeError("secret internals bohdan@example.org")

    monkeypatch.setattr(sign_up, "submit", crash)
    answer = api.post("/campaigns/demo/signatures", json_body=GOOD)
    assert answer.status == 500
    assert error_of(answer)["code"] == "internal_error"
    assert "secret internals" not in answer.text and "Traceback" not in answer.text
