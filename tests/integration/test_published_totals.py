"""What partners and dashboards read besides the count: per source, per hour, a badge."""

from __future__ import annotations

import re

import boto3

from integration.test_tally_publishing import sign_up
from undersigned.campaign_file import put_campaign


def assert_public_and_cacheable(answer) -> None:
    assert answer.header("access-control-allow-origin") == "*"
    cache = answer.header("cache-control")
    assert cache.startswith("public, max-age=") and "stale-while-revalidate" in cache and "stale-if-error" in cache
    assert answer.header("etag")


class TestSources:
    def test_counts_per_partner_tag_and_the_unattributed_rest(self, api, demo, mailbox, stream):
        sign_up(api, mailbox, 3, source="partner-a")
        sign_up(api, mailbox, 1, prefix="b", source="partner.b")
        sign_up(api, mailbox, 2, prefix="u")
        stream.drain()
        answer = api.get("/campaigns/demo/count/sources")
        assert answer.status == 200
        body = answer.json()
        assert body["sources"] == {"partner-a": 3, "partner.b": 1}
        assert (body["count"], body["unattributed"], body["campaign_id"]) == (6, 2, "demo")
        assert body["updated_at"].endswith("Z")
        assert_public_and_cacheable(answer)

    def test_if_none_match_answers_304_until_a_source_moves(self, api, demo, mailbox, stream):
        tag = api.get("/campaigns/demo/count/sources").header("etag")
        assert api.get("/campaigns/demo/count/sources", headers={"if-none-match": tag}).status == 304
        sign_up(api, mailbox, 1, source="partner-a")
        stream.drain()
        assert api.get("/campaigns/demo/count/sources", headers={"if-none-match": tag}).status == 200

    def test_unknown_campaign(self, api, demo):
        answer = api.get("/campaigns/nope-nope/count/sources")
        assert (answer.status, answer.json()["error"]["code"]) == (404, "campaign_not_found")


class TestHistory:
    def test_verified_signatures_per_hour_every_hour_present_summing_to_the_count(self, api, demo, mailbox, stream):
        sign_up(api, mailbox, 4)
        stream.drain()
        answer = api.get("/campaigns/demo/count/history?hours=24")
        assert answer.status == 200
        body = answer.json()
        hours = body["hours"]
        assert len(hours) == 24
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z", hour["hour"]) for hour in hours)
        assert [hour["hour"] for hour in hours] == sorted(hour["hour"] for hour in hours)
        assert hours[-1]["verified"] == 4 and sum(hour["verified"] for hour in hours) == body["count"] == 4
        assert_public_and_cacheable(answer)

    def test_a_withdrawal_leaves_the_hour_it_was_counted_in(self, api, demo, mailbox, stream):
        sign_up(api, mailbox, 2)
        stream.drain()
        api.post("/withdraw", json_body={"token": mailbox.last_to("s1@example.org").token("/withdraw")})
        stream.drain()
        assert api.get("/campaigns/demo/count/history?hours=1").json()["hours"][0]["verified"] == 1

    def test_the_default_window_is_a_week(self, api, demo):
        assert len(api.get("/campaigns/demo/count/history").json()["hours"]) == 168

    def test_a_bad_window_is_a_validation_error(self, api, demo):
        for value in ("0", "2161", "week", "-1"):
            answer = api.get(f"/campaigns/demo/count/history?hours={value}")
            assert answer.status == 400, value
            assert answer.json()["error"]["details"][0]["field"] == "hours"

    def test_unknown_campaign(self, api, demo):
        assert api.get("/campaigns/nope-nope/count/history").status == 404


class TestBadge:
    def test_an_svg_with_the_count_and_goal(self, api, demo, mailbox, stream):
        sign_up(api, mailbox, 2)
        stream.drain()
        answer = api.get("/campaigns/demo/badge.svg")
        assert answer.status == 200
        assert answer.header("content-type") == "image/svg+xml"
        assert answer.text.startswith("<svg") and ">2 / 100<" in answer.text and ">signatures<" in answer.text
        assert_public_and_cacheable(answer)
        assert api.get("/campaigns/demo/badge.svg", headers={"if-none-match": answer.header("etag")}).status == 304

    def test_text_in_the_badge_is_escaped(self, api, demo):
        answer = api.get("/campaigns/demo/badge.svg?label=%3Cscript%3E%26%22")
        assert answer.status == 200
        assert "<script>" not in answer.text and "&lt;script&gt;&amp;&quot;" in answer.text

    def test_large_counts_are_grouped_and_no_goal_shows_the_count_alone(self, api, embedded_aws):
        put_campaign({"id": "big", "title": "Big", "statement": "s"})
        boto3.client("dynamodb").update_item(
            TableName="undersigned-CountersTable",
            Key={"campaign_id": {"S": "big"}, "counter": {"S": "count"}},
            UpdateExpression="SET verified_count = :n",
            ExpressionAttributeValues={":n": {"N": "12345"}},
        )
        answer = api.get("/campaigns/big/badge.svg?label=supporters")
        assert ">12,345<" in answer.text and ">supporters<" in answer.text and " / " not in answer.text

    def test_a_bad_label_or_campaign(self, api, demo):
        assert api.get("/campaigns/demo/badge.svg?label=" + "x" * 41).status == 400
        assert api.get("/campaigns/nope-nope/badge.svg").status == 404
