"""Reading the outcome back: the campaign's count and a recount of its signatures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devstack.resources import table_name
from undersigned.store.campaigns import Campaigns
from undersigned.store.signatures import partitions

SIGNATURES = table_name("SignaturesTable")


def signatures_of(dynamodb: Any, campaign_id: str) -> list[dict[str, Any]]:
    """Every signature item of a campaign, read consistently (a query per partition, as the core reads)."""
    items = []
    for partition in partitions(Campaigns().existing(campaign_id)):
        pages = dynamodb.get_paginator("query").paginate(
            TableName=SIGNATURES,
            KeyConditionExpression="campaign_id = :partition",
            ExpressionAttributeValues={":partition": {"S": partition}},
            ConsistentRead=True,
        )
        items += [item for page in pages for item in page["Items"]]
    return items


@dataclass(frozen=True)
class Recount:
    verified: int


def recount(dynamodb: Any, campaign_id: str) -> Recount:
    """What the count must say: the campaign's verified signatures, counted by hand."""
    items = signatures_of(dynamodb, campaign_id)
    return Recount(sum(item.get("state", {}).get("S") == "verified" for item in items))


def count(campaign_id: str) -> int:
    campaign = Campaigns().get(campaign_id, with_count=True)
    assert campaign is not None
    return campaign.count
