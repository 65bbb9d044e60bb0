"""The campaigns table: one item per campaign, its settings and the count the tally keeps.

Only the tally's transaction (and the recount's guarded correction, here) writes the
count; saving settings never touches it.
"""

from __future__ import annotations

from typing import Any, Iterator

from undersigned import config, errors
from undersigned.campaign import Campaign, campaign_from_stored, is_campaign_id
from undersigned.store import dynamo

CAMPAIGNS_TABLE = config.setting("CAMPAIGNS_TABLE")
CATALOGUE_INDEX = "Catalogue"
# Every campaign item carries it: the catalogue index lists campaigns with a query.
CATALOGUE = "campaigns"


def key(campaign_id: str) -> dict[str, Any]:
    return {"campaign_id": {"S": campaign_id}}


def _campaign(item: dict[str, Any]) -> Campaign:
    values = dynamo.from_item(item)
    return campaign_from_stored({**values, "id": values["campaign_id"]})


class Campaigns:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = CAMPAIGNS_TABLE.value

    def get(self, campaign_id: str, consistent: bool = False) -> Campaign | None:
        answer = self._client.get_item(TableName=self.table, Key=key(campaign_id), ConsistentRead=consistent)
        return _campaign(answer["Item"]) if "Item" in answer else None

    def existing(self, campaign_id: str) -> Campaign:
        """The campaign, or `CampaignNotFound` (also for ids that cannot exist)."""
        campaign = self.get(campaign_id) if is_campaign_id(campaign_id) else None
        if campaign is None:
            raise errors.CampaignNotFound()
        return campaign

    def all(self) -> Iterator[Campaign]:
        for page in self._client.get_paginator("scan").paginate(TableName=self.table):
            for item in page.get("Items", []):
                yield _campaign(item)

    def save(self, campaign: Campaign, now_iso: str, *, must_be_new: bool = False) -> None:
        """Writes a campaign's settings; never touches the count the tally keeps.
        With `must_be_new`, `CampaignExists` when the id is taken."""
        values = {name: list(value) if isinstance(value, tuple) else value for name, value in campaign.settings().items() if name != "id"}
        values["catalogue"] = CATALOGUE
        expression_values = {f":{name}": dynamo.serialize(value) for name, value in values.items()}
        expression_values[":now"] = {"S": now_iso}
        request: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(campaign_id)"} if must_be_new else {}
        answer = dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=key(campaign.id),
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values)
            + ", created_at = if_not_exists(created_at, :now), updated_at = :now",
            ExpressionAttributeNames=dynamo.names(values),
            ExpressionAttributeValues=expression_values,
            **request,
        )
        if answer is None:
            raise errors.CampaignExists()

    def page(self, limit: int, after: str | None) -> tuple[list[Campaign], str | None]:
        """Campaigns by id, a page at a time, from the catalogue index (a query, not a scan)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": CATALOGUE_INDEX,
            "KeyConditionExpression": "catalogue = :all",
            "ExpressionAttributeValues": {":all": {"S": CATALOGUE}},
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = {"catalogue": {"S": CATALOGUE}, **key(after)}
        answer = self._client.query(**request)
        ids = [item["campaign_id"]["S"] for item in answer.get("Items", [])]
        found = self._many(ids)
        last = answer.get("LastEvaluatedKey")
        return [found[i] for i in ids if i in found], last["campaign_id"]["S"] if last else None

    def _many(self, ids: list[str]) -> dict[str, Campaign]:
        found: dict[str, Campaign] = {}
        keys = [key(campaign_id) for campaign_id in ids]
        while keys:
            got = self._client.batch_get_item(RequestItems={self.table: {"Keys": keys}})
            for item in got["Responses"].get(self.table, []):
                campaign = _campaign(item)
                found[campaign.id] = campaign
            keys = got.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        return found

    def tally_position(self, campaign_id: str) -> tuple[int, int]:
        """(count, how many tally transactions have moved it), read consistently."""
        answer = self._client.get_item(
            TableName=self.table, Key=key(campaign_id), ProjectionExpression="verified_count, tally_seq", ConsistentRead=True
        )
        values = dynamo.from_item(answer.get("Item", {}))
        return values.get("verified_count", 0), values.get("tally_seq", 0)

    def correct_count(self, campaign_id: str, seen: tuple[int, int], counted: int, now_iso: str) -> bool:
        """Sets the count to the number of counted marks, unless the tally moved it since
        `seen` was read (then nothing is written: the caller looks again later)."""
        seen_count, seen_seq = seen
        answer = dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=key(campaign_id),
            UpdateExpression="SET verified_count = :counted, count_updated_at = :now ADD tally_seq :one",
            ConditionExpression=(
                "(attribute_not_exists(tally_seq) AND :seq = :zero OR tally_seq = :seq) "
                "AND (attribute_not_exists(verified_count) AND :count = :zero OR verified_count = :count)"
            ),
            ExpressionAttributeValues={
                ":counted": {"N": str(counted)},
                ":now": {"S": now_iso},
                ":one": {"N": "1"},
                ":zero": {"N": "0"},
                ":seq": {"N": str(seen_seq)},
                ":count": {"N": str(seen_count)},
            },
        )
        return answer is not None


def count_action(table: str, campaign_id: str, delta: int, now_iso: str, organisations: int = 0) -> dict[str, Any]:
    """The tally's move of a campaign's count (and of the organisations among it, kept on
    the same item so that `/count` stays one read), as one action of its transaction."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id),
            # tally_seq: how many times the count moved, so that a recount can tell
            # whether the tally moved it while it was counting.
            "UpdateExpression": "ADD verified_count :delta, organisation_count :organisations, tally_seq :one SET count_updated_at = :now",
            "ExpressionAttributeValues": {
                ":delta": {"N": str(delta)},
                ":organisations": {"N": str(organisations)},
                ":one": {"N": "1"},
                ":now": {"S": now_iso},
            },
        }
    }
