"""Organisers run their letters through /admin: campaigns, review, bulk invalidation,
export and an audit log of who did what."""

from __future__ import annotations

import json

import boto3
import pytest

from integration.admin_client import ORGANISER_ARN, Admin
from integration.safety_helpers import signature_key
from integration.test_signing_journey import count, sign, verify
from integration.test_tally_publishing import sign_up
from undersigned import aws

LETTER = {
    "id": "clean-air",
    "title": "Clean air for schools",
    "statement": "We ask the council to close school streets to traffic.",
    "goal": 500,
    "milestones": [100, 250],
    "allowed_origins": ["https://parents.example.org"],
    "public_signatories": True,
}


@pytest.fixture
def admin(embedded_aws) -> Admin:
    return Admin()


def signers(admin: Admin, campaign: str = "demo", state: str | None = None) -> list[dict]:
    target = f"/admin/campaigns/{campaign}/signatures?limit=100" + (f"&state={state}" if state else "")
    return admin.get(target).json()["items"]


def set_state(signer: str, state: str, campaign: str = "demo") -> None:
    """What issue 5's quarantine does at verification: the signature is stored, never counted."""
    boto3.client("dynamodb").update_item(
        TableName="undersigned-SignaturesTable",
        Key=signature_key(signer, campaign),
        UpdateExpression="SET #s = :s REMOVE listed_in, listed_at",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":s": {"S": state}},
    )


class TestCampaigns:
    def test_an_organiser_creates_a_letter_and_signers_can_sign_it(self, admin, api, mailbox):
        created = admin.post("/admin/campaigns", LETTER)
        assert created.status == 201
        body = created.json()
        assert body["id"] == "clean-air" and body["status"] == "open" and body["count"] == 0
        assert body["milestones"] == [100, 250] and body["goal"] == 500
        assert api.get("/campaigns/clean-air").json()["title"] == LETTER["title"]
        assert sign(api, {"name": "Ann", "email": "ann@example.org"}, campaign="clean-air").status == 202

    def test_an_id_that_is_taken_is_refused(self, admin):
        admin.post("/admin/campaigns", LETTER)
        again = admin.post("/admin/campaigns", {**LETTER, "title": "Another"})
        assert (again.status, again.json()["error"]["code"]) == (409, "campaign_exists")
        assert admin.get("/admin/campaigns/clean-air").json()["title"] == LETTER["title"]

    def test_a_create_whose_answer_was_lost_is_retried_and_succeeds(self, admin):
        """DynamoDB stored the letter, its answer never came back, botocore sent the same
        request again: the retry is this create, not a taken id."""
        retried = []

        def answer_lost(request_dict, **_):
            body = json.loads(request_dict["body"])
            if body["TableName"] == "undersigned-CampaignsTable" and "ConditionExpression" in body and not retried:
                retried.append(body["Key"])
                return 0  # retry at once, as botocore does after a read timeout

        aws.client("dynamodb").meta.events.register_first("needs-retry.dynamodb.UpdateItem", answer_lost)
        created = admin.post("/admin/campaigns", LETTER)
        assert retried, "the create was sent twice"
        assert created.status == 201
        assert admin.get("/admin/campaigns/clean-air").json()["title"] == LETTER["title"]
        again = admin.post("/admin/campaigns", {**LETTER, "title": "Another"})
        assert (again.status, again.json()["error"]["code"]) == (409, "campaign_exists")

    def test_bad_settings_say_which_field_to_fix(self, admin):
        answer = admin.post("/admin/campaigns", {**LETTER, "goal": -3, "milestones": ["lots"], "colour": "red"})
        assert answer.status == 400
        fields = {detail["field"] for detail in answer.json()["error"]["details"]}
        assert {"goal", "milestones", "colour"} <= fields

    @pytest.mark.parametrize(
        "settings",
        [
            {"thank_you_url": "https:thanks"},
            {"thank_you_url": "https://example.org;script-src 'unsafe-inline'/"},
            {"thank_you_url": "https://example.org/thanks\r\nSet-Cookie: x=1"},
            {"allowed_origins": ["https://example.org;x"]},
            {"allowed_origins": ["https://example.org/path"]},
        ],
    )
    def test_a_url_whose_host_a_header_could_not_carry_is_refused(self, admin, settings):
        # The thank-you URL goes into a redirect's Location and its origin into the pages' CSP;
        # allowed origins are compared with the browser's Origin and sent back in CORS headers.
        answer = admin.post("/admin/campaigns", {**LETTER, **settings})
        assert answer.status == 400
        assert [detail["field"] for detail in answer.json()["error"]["details"]] == list(settings)
        assert admin.get("/admin/campaigns/clean-air").status == 404

    def test_a_thank_you_url_on_an_international_domain_is_taken(self, admin):
        answer = admin.post("/admin/campaigns", {**LETTER, "thank_you_url": "https://bücher.example/danke?x=1"})
        assert answer.status == 201, answer.text

    def test_the_list_is_paged_by_id(self, admin):
        for name in ("a-letter", "b-letter", "c-letter"):
            admin.post("/admin/campaigns", {**LETTER, "id": name})
        first = admin.get("/admin/campaigns?limit=2").json()
        assert [item["id"] for item in first["items"]] == ["a-letter", "b-letter"]
        second = admin.get(f"/admin/campaigns?limit=2&cursor={first['next_cursor']}").json()
        assert [item["id"] for item in second["items"]] == ["c-letter"]
        assert second["next_cursor"] is None or admin.get(f"/admin/campaigns?cursor={second['next_cursor']}").json()["items"] == []

    def test_listing_is_a_query_not_a_scan(self, admin):
        admin.post("/admin/campaigns", LETTER)
        scans = []
        from undersigned import aws

        aws.client("dynamodb").meta.events.register("before-parameter-build.dynamodb.Scan", lambda **_: scans.append(1))
        assert [item["id"] for item in admin.get("/admin/campaigns").json()["items"]] == ["clean-air"]
        assert scans == []

    def test_an_update_changes_only_what_it_names(self, admin):
        admin.post("/admin/campaigns", LETTER)
        answer = admin.patch("/admin/campaigns/clean-air", {"goal": 1000, "email_texts": {"de": {"confirm_subject": "Bitte bestätigen: {title}"}}})
        assert answer.status == 200
        body = answer.json()
        assert body["goal"] == 1000 and body["title"] == LETTER["title"] and body["milestones"] == [100, 250]
        assert body["email_texts"] == {"de": {"confirm_subject": "Bitte bestätigen: {title}"}}
        renamed = admin.patch("/admin/campaigns/clean-air", {"id": "other"})
        assert renamed.status == 400
        assert admin.patch("/admin/campaigns/nope-nope", {"goal": 3}).status == 404

    def test_trust_and_safety_settings_are_set_like_any_other(self, admin):
        admin.post("/admin/campaigns", LETTER)
        changed = admin.patch("/admin/campaigns/clean-air", {"burst_limit": 3, "human_check": "altcha", "retention_days": 30})
        assert (changed.json()["burst_limit"], changed.json()["human_check"], changed.json()["retention_days"]) == (3, "altcha", 30)
        refused = admin.patch("/admin/campaigns/clean-air", {"human_check": "trust-me"})
        assert refused.status == 400 and refused.json()["error"]["details"][0]["field"] == "human_check"

    def test_the_organisers_email_texts_reach_the_signer_with_only_known_placeholders_filled(self, admin, api, mailbox):
        texts = {"de": {"confirm_subject": "Bitte bestätigen: {title}", "confirm_greeting": "Hallo {name} {name.__class__}"}}
        admin.post("/admin/campaigns", {**LETTER, "email_texts": texts})
        sign(api, {"name": "Jörg", "email": "joerg@example.org", "locale": "de"}, campaign="clean-air")
        sign(api, {"name": "Ann", "email": "ann@example.org", "locale": "en"}, campaign="clean-air")
        german = mailbox.last_to("joerg@example.org")
        assert german.subject == "Bitte bestätigen: Clean air for schools"
        assert "Hallo Jörg {name.__class__}" in german.html
        assert mailbox.last_to("ann@example.org").subject.startswith("Confirm your signature")
        refused = admin.patch("/admin/campaigns/clean-air", {"email_texts": {"de": {"footer": "x"}}})
        assert refused.status == 400 and refused.json()["error"]["details"][0]["field"] == "email_texts"

    def test_closing_stops_signing_and_reopening_restarts_it(self, admin, api):
        admin.post("/admin/campaigns", LETTER)
        assert admin.post("/admin/campaigns/clean-air/close").json()["status"] == "closed"
        closed = sign(api, {"name": "Ann", "email": "ann@example.org"}, campaign="clean-air")
        assert (closed.status, closed.json()["error"]["code"]) == (410, "campaign_closed")
        assert admin.post("/admin/campaigns/clean-air/reopen").json()["status"] == "open"
        assert sign(api, {"name": "Ann", "email": "ann@example.org"}, campaign="clean-air").status == 202


class TestAuthorisation:
    def test_an_unsigned_call_from_outside_is_refused_and_changes_nothing(self, embedded_aws):
        stranger = Admin(user_arn=None, source_ip="203.0.113.99")
        answer = stranger.post("/admin/campaigns", LETTER)
        assert (answer.status, answer.json()["error"]["code"]) == (403, "forbidden")
        assert Admin().get("/admin/campaigns/clean-air").status == 404

    def test_the_local_stack_lets_a_loopback_caller_in_and_audits_it_as_unsigned(self, embedded_aws):
        local = Admin(user_arn=None, source_ip="127.0.0.1")
        assert local.post("/admin/campaigns", LETTER).status == 201
        (entry,) = local.get("/admin/campaigns/clean-air/audit").json()["items"]
        assert entry["who"] == "local:unsigned"


class TestReview:
    def test_hiding_a_public_signatory(self, admin, api, demo, mailbox, stream):
        for name, email in (("Ann", "ann@example.org"), ("Bob", "bob@example.org")):
            sign(api, {"name": name, "email": email, "public": True})
            verify(api, mailbox.last_to(email).token("/verify"))
        stream.drain()
        bob = next(item for item in signers(admin) if item["name"] == "Bob")
        admin.post(f"/admin/campaigns/demo/signatures/{bob['signer']}/hide")
        assert [item["name"] for item in api.get("/campaigns/demo/signatories").json()["items"]] == ["Ann"]
        stream.drain()
        assert count(api) == 2
        assert admin.post("/admin/campaigns/demo/signatures/nobody/hide").status == 404

    def test_releasing_a_quarantined_signature_counts_and_lists_it(self, admin, api, demo, mailbox, stream):
        sign(api, {"name": "Quinn", "email": "quinn@example.org", "public": True})
        verify(api, mailbox.last_to("quinn@example.org").token("/verify"))
        quinn = signers(admin)[0]
        set_state(quinn["signer"], "quarantined")
        stream.drain()
        assert count(api) == 0
        assert [item["name"] for item in signers(admin, state="quarantined")] == ["Quinn"]
        released = admin.post(f"/admin/campaigns/demo/signatures/{quinn['signer']}/release")
        assert released.json() == {"status": "verified", "signer": quinn["signer"]}
        stream.drain()
        assert count(api) == 1
        assert [item["name"] for item in api.get("/campaigns/demo/signatories").json()["items"]] == ["Quinn"]
        again = admin.post(f"/admin/campaigns/demo/signatures/{quinn['signer']}/release")
        assert (again.status, again.json()["error"]["code"]) == (409, "not_quarantined")

    def test_discarding_a_quarantined_signature_erases_it_and_never_counts_it(self, admin, api, demo, mailbox, stream):
        sign(api, {"name": "Spam Bot", "email": "bot@example.org", "public": True, "comment": "buy now"})
        verify(api, mailbox.last_to("bot@example.org").token("/verify"))
        bot = signers(admin)[0]
        set_state(bot["signer"], "quarantined")
        assert admin.post(f"/admin/campaigns/demo/signatures/{bot['signer']}/discard").json()["status"] == "discarded"
        stream.drain()
        assert count(api) == 0
        (item,) = signers(admin)
        assert item["state"] == "discarded" and item["name"] is None and item["comment"] is None
        assert admin.post(f"/admin/campaigns/demo/signatures/{bot['signer']}/discard").status == 409


class TestInvalidation:
    def test_invalidating_a_domain_takes_its_signatures_out_of_the_count(self, admin, api, demo, mailbox, stream):
        sign_up(api, mailbox, 3, prefix="bot")
        for number in range(2):
            email = f"real{number}@spam.example"
            sign(api, {"name": f"Real {number}", "email": email})
            verify(api, mailbox.last_to(email).token("/verify"))
        sign(api, {"name": "Pending", "email": "pending@SPAM.example"})
        stream.drain()
        assert count(api) == 5
        total, cursor = 0, None
        while True:
            answer = admin.post("/admin/campaigns/demo/invalidations", {"email_domain": "Spam.Example", "cursor": cursor})
            assert answer.status == 200
            total += answer.json()["invalidated"]
            cursor = answer.json()["next_cursor"]
            if cursor is None:
                break
        assert total == 3
        stream.drain()
        assert count(api) == 3
        states = sorted(item["state"] for item in signers(admin))
        assert states == ["invalidated"] * 3 + ["verified"] * 3

    def test_a_time_window_invalidates_only_what_was_submitted_inside_it(self, admin, api, demo, mailbox, stream):
        sign_up(api, mailbox, 2)
        stream.drain()
        answer = admin.post("/admin/campaigns/demo/invalidations", {"created_from": "2000-01-01T00:00:00Z", "created_until": "2000-12-31T23:59:59Z"})
        assert answer.json()["invalidated"] == 0
        answer = admin.post("/admin/campaigns/demo/invalidations", {"created_from": "2000-01-01T00:00:00Z"})
        assert answer.json()["invalidated"] == 2
        stream.drain()
        assert count(api) == 0

    def test_a_withdrawal_erases_the_domain_hash_with_the_rest(self, admin, api, demo, mailbox):
        sign(api, {"name": "Ann", "email": "ann@example.org"})
        stored = boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"][0]
        assert "domain_hash" in stored and "example.org" not in str(stored)
        verify(api, mailbox.last_to("ann@example.org").token("/verify"))
        api.post("/withdraw", json_body={"token": mailbox.last_to("ann@example.org").token("/withdraw")})
        assert "domain_hash" not in boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"][0]

    def test_criteria_are_required_and_checked(self, admin, demo):
        for body, field in (({}, "body"), ({"email_domain": "not a domain"}, "email_domain"), ({"created_from": "yesterday"}, "created_from"), ({"everything": True}, "everything")):
            answer = admin.post("/admin/campaigns/demo/invalidations", body)
            assert answer.status == 400, body
            assert field in {detail["field"] for detail in answer.json()["error"]["details"]}


class TestExportAndAudit:
    def test_export_shows_only_verified_signers_and_only_what_each_consented_to(self, admin, api, demo, mailbox, stream):
        sign(api, {"name": "Ann", "email": "ann@example.org", "updates": True, "organisation": "Shelter", "source": "partner-a"})
        verify(api, mailbox.last_to("ann@example.org").token("/verify"))
        sign(api, {"name": "Bob", "email": "bob@example.org", "updates": False, "comment": "private"})
        verify(api, mailbox.last_to("bob@example.org").token("/verify"))
        sign(api, {"name": "Pending", "email": "pending@example.org", "updates": True})
        page = admin.get("/admin/campaigns/demo/export").json()
        rows = {row["name"]: row for row in page["items"]}
        assert set(rows) == {"Ann", "Bob"}
        assert rows["Ann"]["email"] == "ann@example.org" and rows["Ann"]["organisation"] == "Shelter"
        assert rows["Ann"]["source"] == "partner-a" and rows["Ann"]["signed_at"].endswith("Z")
        assert rows["Bob"]["email"] is None
        assert "private" not in str(page) and "pending@" not in str(page)

    def test_every_change_is_in_the_audit_log_with_who_and_when(self, admin, demo):
        admin.post("/admin/campaigns", LETTER)
        admin.patch("/admin/campaigns/clean-air", {"goal": 900})
        admin.post("/admin/campaigns/clean-air/close")
        Admin(user_arn="arn:aws:sts::123456789012:assumed-role/Editor/sam").post("/admin/campaigns/clean-air/reopen")
        entries = admin.get("/admin/campaigns/clean-air/audit").json()["items"]
        assert [entry["action"] for entry in entries] == ["reopen", "close", "update", "create"]
        assert entries[0]["who"] == "arn:aws:sts::123456789012:assumed-role/Editor/sam"
        assert entries[-1]["who"] == ORGANISER_ARN
        assert entries[2]["fields"] == ["goal"]
        assert all(entry["when"].endswith("Z") for entry in entries)
