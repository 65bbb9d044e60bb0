"""What dashboards and partner pages read: campaign, count, signatories."""

from __future__ import annotations

import json

import boto3

from integration.test_signing_journey import sign, verify


def sign_and_verify(api, mailbox, name: str, email: str, public: bool = True) -> None:
    sign(api, {"name": name, "email": email, "public": public, "country": "PL"})
    verify(api, mailbox.last_to(email).token("/verify"))


def test_campaign_shows_its_description_status_and_count(api, demo, mailbox, stream):
    sign_and_verify(api, mailbox, "Ann", "ann@example.org")
    stream.drain()
    answer = api.get("/campaigns/demo")
    assert answer.status == 200
    assert answer.json() == {
        "id": "demo",
        "title": demo["title"],
        "statement": demo["statement"],
        "goal": 100,
        "closes_at": None,
        "status": "open",
        "count": 1,
        "public_signatories": True,
        "human_check": "none",
        # CONTRACT v1.1: the letter's language, and every language it is written in.
        "lang": "en",
        "languages": ["en"],
    }
    assert answer.header("access-control-allow-origin") == "*"
    assert api.get("/campaigns/demo-closed").json()["status"] == "closed"
    missing = api.get("/campaigns/nope-nope")
    assert (missing.status, missing.json()["error"]["code"]) == (404, "campaign_not_found")
    assert missing.header("access-control-allow-origin") == "*"


class TestCount:
    def test_count_is_cacheable_with_an_etag_and_cors_for_all(self, api, demo):
        answer = api.get("/campaigns/demo/count")
        assert answer.status == 200
        body = answer.json()
        assert body["campaign_id"] == "demo" and body["count"] == 0 and body["goal"] == 100
        assert body["updated_at"].endswith("Z")
        cache = answer.header("cache-control")
        assert cache.startswith("public, max-age=")
        assert "stale-while-revalidate" in cache and "stale-if-error" in cache
        assert answer.header("access-control-allow-origin") == "*"
        assert answer.header("etag")

    def test_if_none_match_answers_304_until_the_count_moves(self, api, demo, mailbox, stream):
        tag = api.get("/campaigns/demo/count").header("etag")
        unchanged = api.get("/campaigns/demo/count", headers={"if-none-match": tag})
        assert unchanged.status == 304 and unchanged.text == ""
        assert unchanged.header("etag") == tag
        assert api.get("/campaigns/demo/count", headers={"if-none-match": f"W/{tag}"}).status == 304
        sign_and_verify(api, mailbox, "Ann", "ann@example.org")
        stream.drain()
        moved = api.get("/campaigns/demo/count", headers={"if-none-match": tag})
        assert moved.status == 200 and moved.json()["count"] == 1
        assert moved.header("etag") != tag

    def test_unknown_campaign(self, api, demo):
        answer = api.get("/campaigns/unknown-one/count")
        assert (answer.status, answer.json()["error"]["code"]) == (404, "campaign_not_found")


class TestSignatories:
    def test_only_verified_public_signatures_are_listed_newest_first(self, api, demo, mailbox, stream, monkeypatch):
        sign_and_verify(api, mailbox, "First", "first@example.org")
        sign_and_verify(api, mailbox, "Private", "private@example.org", public=False)
        sign(api, {"name": "Pending", "email": "pending@example.org", "public": True})
        sign_and_verify(api, mailbox, "Second", "second@example.org")
        answer = api.get("/campaigns/demo/signatories")
        assert answer.status == 200
        items = answer.json()["items"]
        assert [item["name"] for item in items] == ["Second", "First"]
        assert set(items[0]) == {"name", "role", "organisation", "country", "signed_at", "kind", "organisation_domain", "featured"}
        assert items[0]["role"] is None and items[0]["country"] == "PL"
        assert "@" not in answer.text
        assert answer.json()["next_cursor"] is None
        assert answer.header("access-control-allow-origin") == "*"

    def test_pages_follow_the_opaque_cursor_to_the_end(self, api, demo, mailbox):
        for number in range(5):
            sign_and_verify(api, mailbox, f"Signer {number}", f"s{number}@example.org")
        names, cursor = [], None
        while True:
            target = "/campaigns/demo/signatories?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = api.get(target).json()
            names += [item["name"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(names) == [f"Signer {number}" for number in range(5)]
        assert len(set(names)) == 5

    def test_bad_paging_parameters_are_validation_errors(self, api, demo):
        for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("cursor=%%%", "cursor"), ("cursor=bm9wZQ", "cursor")):
            answer = api.get(f"/campaigns/demo/signatories?{query}")
            assert answer.status == 400, query
            assert answer.json()["error"]["details"][0]["field"] == field

    def test_a_campaign_with_its_list_off_answers_404(self, api, demo):
        answer = api.get("/campaigns/demo-private/signatories")
        assert (answer.status, answer.json()["error"]["code"]) == (404, "campaign_not_found")


def test_a_count_read_is_one_eventually_consistent_read_of_the_counts_own_small_items(api, demo, mailbox, stream):
    from undersigned import aws

    sign_and_verify(api, mailbox, "Ann", "ann@example.org")
    stream.drain()
    calls = []
    client = aws.client("dynamodb")
    record = lambda params, **kwargs: calls.append(params)  # noqa: E731
    client.meta.events.register("provide-client-params.dynamodb", record)
    try:
        answer = api.get("/campaigns/demo/count")
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb", record)
    assert answer.json()["count"] == 1 and answer.json()["goal"] == 100
    (read,) = calls
    assert read["TableName"] == "undersigned-CountersTable" and not read.get("ConsistentRead")
    items = boto3.client("dynamodb").query(**read)["Items"]
    assert len(json.dumps(items)) < 1024, "well under 4 KB together: half a read unit"
