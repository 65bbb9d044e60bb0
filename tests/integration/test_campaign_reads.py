"""A letter going viral is read once per instance per CampaignCacheSeconds, not three
times per signature (submit, verify, email), and an organiser's change still shows.

The campaign's settings are one item on one partition key: at 3,333 signatures a second,
three reads of a several-KB item each would pass the 3,000 read units a key serves.
"""

from __future__ import annotations

import json

import boto3
import pytest

from devstack.resources import table_name
from integration.test_signing_journey import ALICE, count, sign, verify
from integration.conftest import DEMO
from undersigned import aws, config
from undersigned.campaign_file import put_campaign
from undersigned.store import campaigns

SIGNERS = [f"signer{number}@example.org" for number in range(5)]


class CampaignReads:
    """The GetItem calls the code's DynamoDB client sends to the campaigns table."""

    def __init__(self) -> None:
        self.calls = 0
        self._client = aws.client("dynamodb")
        self._client.meta.events.register("before-call.dynamodb.GetItem", self._seen)

    def _seen(self, params: dict, **_: object) -> None:
        if json.loads(params["body"])["TableName"] == table_name("CampaignsTable"):
            self.calls += 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(embedded_aws: None, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setenv("CAMPAIGN_CACHE_SECONDS", "5")
    config.reset()
    clock = Clock()
    monkeypatch.setattr(campaigns, "_clock", clock)
    monkeypatch.setattr(campaigns, "_recent", {})
    return clock


def test_many_signers_read_the_letter_once_while_it_is_kept(api, demo, mailbox, stream, clock):
    reads = CampaignReads()
    for address in SIGNERS:
        assert sign(api, {**ALICE, "email": address}).status == 202
    for address in SIGNERS:
        assert verify(api, mailbox.last_to(address).token("/verify")).json()["status"] == "verified"
    assert reads.calls == 1, "submit, email and verify share the settings this instance read"
    stream.drain()
    assert count(api) == len(SIGNERS)


def test_an_organisers_change_shows_once_the_interval_has_passed(api, demo, clock):
    assert sign(api).status == 202
    # Another instance (the admin function's) closes the letter: this one still has it open.
    boto3.client("dynamodb", region_name="eu-west-1").update_item(
        TableName=table_name("CampaignsTable"),
        Key={"campaign_id": {"S": "demo"}},
        UpdateExpression="SET closed = :yes",
        ExpressionAttributeValues={":yes": {"BOOL": True}},
    )
    assert sign(api, {**ALICE, "email": "bob@example.org"}).status == 202
    clock.now += 5
    closed = sign(api, {**ALICE, "email": "carol@example.org"})
    assert closed.status == 410
    assert closed.json()["error"]["code"] == "campaign_closed"


def test_a_change_made_through_this_instance_shows_at_once(api, demo, clock):
    assert sign(api).status == 202
    put_campaign({**DEMO, "closed": True})
    assert sign(api, {**ALICE, "email": "bob@example.org"}).status == 410


def test_a_letter_not_found_is_not_kept(api, embedded_aws, clock):
    assert sign(api, campaign="late").status == 404
    put_campaign({**DEMO, "id": "late"})
    assert sign(api, campaign="late").status == 202, "a letter created a moment later is found"
