"""What DynamoDB Local's stream really carries (unlike moto: one INSERT for an UpdateItem
that creates an item, nothing for a write that changes nothing), and the tally on it."""

from __future__ import annotations

import pytest

from fidelity.counting import SIGNATURES, count, signatures_of
from integration.safety_helpers import signature_key

pytestmark = pytest.mark.fidelity


def set_state(dynamodb, campaign: str, signer: str, state: str) -> None:
    dynamodb.update_item(
        TableName=SIGNATURES,
        Key=signature_key(signer, campaign),
        UpdateExpression="SET #state = :state, sid = :sid",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":state": {"S": state}, ":sid": {"S": f"sid-{signer}"}},
    )


def test_an_update_that_creates_a_verified_signature_emits_one_insert_and_counts_once(
    new_campaign, dynamodb, stream, mapping
):
    campaign = new_campaign()
    set_state(dynamodb, campaign, "created-by-update", "verified")

    records = stream.read()
    assert [record["eventName"] for record in records] == ["INSERT"]
    assert records[0]["dynamodb"]["NewImage"]["state"] == {"S": "verified"}
    mapping.process(records)
    assert count(campaign) == 1
    # The tally writes nothing on the signature: no record of its own comes back.
    assert stream.read() == []
    mapping.process(records)
    assert count(campaign) == 1, "delivered again, counted once"


def test_rewriting_a_signature_without_change_emits_nothing_and_the_count_stands(
    new_campaign, dynamodb, stream, mapping, signers
):
    campaign = new_campaign()
    signers.sign(campaign, "steady@example.org")
    mapping.drain()
    assert count(campaign) == 1

    (item,) = signatures_of(dynamodb, campaign)
    dynamodb.put_item(TableName=SIGNATURES, Item=item)
    dynamodb.update_item(
        TableName=SIGNATURES,
        Key={"campaign_id": item["campaign_id"], "signer": item["signer"]},
        UpdateExpression="SET #state = :state",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={":state": {"S": "verified"}},
    )

    assert stream.read() == []
    assert signers.verify("steady@example.org") == "already_verified"
    assert stream.read() == []
    assert count(campaign) == 1


@pytest.mark.parametrize("state", ["pending", "withdrawn", "quarantined"])
def test_only_verified_signatures_are_counted(new_campaign, dynamodb, stream, mapping, state):
    campaign = new_campaign()
    set_state(dynamodb, campaign, "someone", state)
    mapping.drain()
    assert count(campaign) == 0
    set_state(dynamodb, campaign, "someone", "verified")
    mapping.drain()
    assert count(campaign) == 1
    set_state(dynamodb, campaign, "someone", state)
    mapping.drain()
    assert count(campaign) == 0


def test_a_signature_confirmed_then_withdrawn_within_one_batch_is_never_counted(
    new_campaign, signers, stream, mapping
):
    campaign = new_campaign()
    signers.sign(campaign, "brief@example.org")
    signers.withdraw("brief@example.org")

    records = stream.read()
    assert [record["eventName"] for record in records] == ["INSERT", "MODIFY", "MODIFY"]
    mapping.process(records)
    assert count(campaign) == 0
    assert stream.read() == []  # the tally writes nothing on signatures
