"""The campaigns table: one item per campaign, its settings.

The count lives in items of its own (`store.counters`: the `count` item, and one per
signature shard), so that a count read (one query) costs half a read unit, not the
letter's several KB. A campaign read
`with_count` gets it from there; a campaign whose count the tally has not moved since the
count got its own item still has it here (`verified_count`, ...), and is read from here
until the tally (or the recount) seeds the count item from it (`seed_count`).

A letter going viral is read by every submit, verify and email. Those functions read it
through `recent`: an instance keeps the settings it read for `CAMPAIGN_CACHE_SECONDS` (the
template's CampaignCacheSeconds), so the campaign's one key serves about one read per
instance per interval, not three per signature (see `benchmarks/capacity.py`).
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import Any, Iterator

from undersigned import config, errors
from undersigned.campaign import Campaign, campaign_from_stored, is_campaign_id
from undersigned.store import counters, dynamo

CAMPAIGNS_TABLE = config.setting("CAMPAIGNS_TABLE")
CATALOGUE_INDEX = "Catalogue"
# Every campaign item carries it: the catalogue index lists campaigns with a query.
CATALOGUE = "campaigns"
# 0 (where the template gives none): read every time.
CACHE_SECONDS = config.setting("CAMPAIGN_CACHE_SECONDS", float, default="0")
# (table, campaign id) -> (when this instance read it, on `_clock`; its settings)
_recent: dict[tuple[str, str], tuple[float, Campaign]] = {}
_clock = time.monotonic


def key(campaign_id: str) -> dict[str, Any]:
    return {"campaign_id": {"S": campaign_id}}


def _campaign(item: dict[str, Any]) -> Campaign:
    values = dynamo.from_item(item)
    return campaign_from_stored({**values, "id": values["campaign_id"]})


def counted(campaign: Campaign, count: dict[str, Any] | None) -> Campaign:
    """The campaign with the count its count item holds; as read (the old place) while that
    item is not seeded, or 0 for a campaign created since counts have an item of their own."""
    if not counters.is_seeded(count):
        return campaign
    return dataclasses.replace(
        campaign,
        count=count.get("verified_count", 0),
        organisations=count.get("organisation_count", 0),
        count_updated_at=count.get("count_updated_at"),
    )


class Campaigns:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = CAMPAIGNS_TABLE.value

    def get(self, campaign_id: str, consistent: bool = False, with_count: bool = False) -> Campaign | None:
        """The campaign's settings; `with_count`, also its count (one more read)."""
        answer = self._client.get_item(TableName=self.table, Key=key(campaign_id), ConsistentRead=consistent)
        if "Item" not in answer:
            return None
        campaign = _campaign(answer["Item"])
        return counted(campaign, counters.Counters(self._client).count(campaign_id, consistent)) if with_count else campaign

    def recent(self, campaign_id: str) -> Campaign | None:
        """The campaign's settings as this instance read them within `CACHE_SECONDS`, else
        as read now. What they decide by the clock (whether it is open) is worked out at
        each use, so a campaign closes on time; an organiser's change shows within the
        interval. A campaign not found is not kept: created a moment later, it is found."""
        seconds, now = CACHE_SECONDS.value, _clock()
        kept = _recent.get((self.table, campaign_id))
        if kept is not None and now - kept[0] < seconds:
            return kept[1]
        campaign = self.get(campaign_id)
        if campaign is not None and seconds > 0:
            _recent[(self.table, campaign_id)] = (now, campaign)
        return campaign

    def existing(self, campaign_id: str, with_count: bool = False, recent: bool = False) -> Campaign:
        """The campaign, or `CampaignNotFound` (also for ids that cannot exist). `recent`:
        its settings as `recent` reads them (without the count)."""
        if not is_campaign_id(campaign_id):
            raise errors.CampaignNotFound()
        campaign = self.recent(campaign_id) if recent else self.get(campaign_id, with_count=with_count)
        if campaign is None:
            raise errors.CampaignNotFound()
        return campaign

    def count_view(self, campaign_id: str) -> dict[str, Any]:
        """What `/count` answers: from the count items alone (one query, half a read unit) once
        they hold the count and the goal; from the campaign item too while they do not."""
        if not is_campaign_id(campaign_id):
            raise errors.CampaignNotFound()
        count = counters.Counters(self._client).count(campaign_id)
        if counters.is_seeded(count) and "goal" in count:
            return {
                "campaign_id": campaign_id,
                "count": count.get("verified_count", 0),
                "organisations": count.get("organisation_count", 0),
                "goal": count["goal"],
                "updated_at": count.get("count_updated_at") or count.get("created_at") or "1970-01-01T00:00:00Z",
            }
        return counted(self.existing(campaign_id), count).count_view()

    def seed_count(self, campaign_id: str) -> None:
        """Moves a count still kept in the campaign item to the count item (once; see
        `store.counters`). For signatures of a campaign that has no item, from 0."""
        answer = self._client.get_item(TableName=self.table, Key=key(campaign_id), ConsistentRead=True)
        counters.Counters(self._client).seed_count(campaign_id, dynamo.from_item(answer.get("Item", {})))

    def all(self) -> Iterator[Campaign]:
        for page in self._client.get_paginator("scan").paginate(TableName=self.table):
            for item in page.get("Items", []):
                yield _campaign(item)

    def save(self, campaign: Campaign, now_iso: str, *, must_be_new: bool = False) -> None:
        """Writes a campaign's settings (and the goal's copy on the count item); never
        touches the count the tally keeps. With `must_be_new`, `CampaignExists` when the id
        is taken, and the new campaign's signatures are spread over `SIGNATURE_SHARDS` keys."""
        values = {name: list(value) if isinstance(value, tuple) else value for name, value in campaign.settings().items() if name != "id"}
        values["catalogue"] = CATALOGUE
        request: dict[str, Any] = {}
        if must_be_new:
            # Imported here: only a create reads it, and the count (which imports this module) need not load it.
            from undersigned.store import signatures

            # This call's own mark: botocore retrying a create whose first attempt landed
            # (its answer lost) finds the mark and succeeds, rather than `CampaignExists`.
            # And its signatures' layout, for good: no later save names it.
            values.update(create_token=secrets.token_urlsafe(12), signature_shards=signatures.SIGNATURE_SHARDS.value)
            request["ConditionExpression"] = "attribute_not_exists(campaign_id) OR create_token = :create_token"
        expression_values = {f":{name}": dynamo.serialize(value) for name, value in values.items()}
        expression_values[":now"] = {"S": now_iso}
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
        _recent.pop((self.table, campaign.id), None)
        counters.Counters(self._client).set_goal(campaign.id, campaign.goal, now_iso, fresh=must_be_new)

    def page(self, limit: int, after: str | None, with_count: bool = False) -> tuple[list[Campaign], str | None]:
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
        if with_count:
            counts = counters.Counters(self._client).counts(list(found))
            found = {campaign_id: counted(campaign, counts.get(campaign_id)) for campaign_id, campaign in found.items()}
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
