"""The reads a surge puts on one campaign's keys, and that they never cost a signature.

A letter going viral is read once per instance per CampaignCacheSeconds, not three times
per signature (submit, verify, email), and an organiser's change still shows: the
campaign's settings are one item on one partition key, and at 3,333 signatures a second
three reads of a several-KB item each would pass the 3,000 read units a key serves.
Verify and the sender read the signature eventually consistently (half a read unit) and
read it again strongly only when what they found may be stale.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from devstack.resources import table_name
from integration.test_signing_journey import ALICE, count, sign, verify
from integration.conftest import DEMO
from undersigned import aws, config
from undersigned.campaign_file import put_campaign
from undersigned.store import campaigns

SIGNERS = [f"signer{number}@example.org" for number in range(5)]


class Reads:
    """The GetItem calls the code's DynamoDB client sends to one table: how many, and
    whether each was strongly consistent."""

    def __init__(self, table: str = "CampaignsTable") -> None:
        self.consistent: list[bool] = []
        self._table = table_name(table)
        aws.client("dynamodb").meta.events.register("before-call.dynamodb.GetItem", self._seen)

    @property
    def calls(self) -> int:
        return len(self.consistent)

    def _seen(self, params: dict, **_: object) -> None:
        body = json.loads(params["body"])
        if body["TableName"] == self._table:
            self.consistent.append(bool(body.get("ConsistentRead")))


class NotSeenYet(Reads):
    """Every eventually consistent read of the table finds nothing, as one may a moment
    after the write (moto's reads are always consistent)."""

    def _seen(self, params: dict, **kwargs: object) -> tuple[AWSResponse, dict] | None:
        super()._seen(params, **kwargs)
        body = json.loads(params["body"])
        if body["TableName"] == self._table and not body.get("ConsistentRead"):
            return AWSResponse("https://dynamodb.invalid/", 200, {}, None), {}
        return None


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
    reads = Reads()
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


def test_verifying_reads_the_signature_once_at_half_a_read_unit(api, demo, mailbox):
    assert sign(api).status == 202
    token = mailbox.last_to("Alice@example.org").token("/verify")
    reads = Reads("SignaturesTable")
    assert verify(api, token).json()["status"] == "verified"
    assert reads.consistent == [False]


def test_a_signature_not_seen_yet_is_read_again_and_nothing_is_lost(api, demo, mailbox, stream):
    reads = NotSeenYet("SignaturesTable")
    assert sign(api).status == 202
    mail = mailbox.last_to("Alice@example.org")
    assert "Confirm your signature" in mail.subject, "the sender read it again and emailed"
    assert verify(api, mail.token("/verify")).json()["status"] == "verified"
    assert verify(api, mail.token("/verify")).json()["status"] == "already_verified"
    assert True in reads.consistent and False in reads.consistent
    stream.drain()
    assert count(api) == 1
