"""The counters table: per campaign, the public count (`count`), the verified count per
partner tag (`source#…`), per country (`country#UA`), per hour (`hour#…`), and the
milestones announced (`milestone#…`).

The count item is what `/count` answers, in an item of its own (about 200 bytes, so an
eventually consistent read costs 0.5 read units; the campaign item, with its letter, is
several KB): the count, the organisations among it, when it moved, how many tally
transactions moved it (`tally_seq`), and a copy of the campaign's `goal` that saving the
settings writes. Only the tally's transaction and the recount's guarded correction write
its count attributes (`COUNT_ATTRIBUTES`); the tally moves the source, country and hour
counters in the same transaction (`store.tally_transaction`).

Counts kept before the count had an item of its own lived in the campaign item
(`verified_count`, ...). Such a campaign keeps its count: until the tally first moves it,
readers fall back to the campaign item (`Campaigns.get(..., with_count=True)`), and the
tally's first transaction finds the count item unseeded (its condition fails), copies the
old count over once (`seed_count`) and retries. Nothing moves the old place any more.
"""

from __future__ import annotations

from typing import Any

from undersigned import config
from undersigned.store import dynamo

COUNTERS_TABLE = config.setting("COUNTERS_TABLE")


def key(campaign_id: str, counter: str) -> dict[str, Any]:
    return {"campaign_id": {"S": campaign_id}, "counter": {"S": counter}}


def _milestone(milestone: int) -> str:
    return f"milestone#{milestone:012d}"


COUNT = "count"
# Written only by the tally and the recount (IAM keeps the settings writes off them).
COUNT_ATTRIBUTES = ("verified_count", "organisation_count", "count_updated_at", "tally_seq")


def is_seeded(count: dict[str, Any] | None) -> bool:
    """Whether a count item holds the count: moved there, or a campaign created since counts
    have an item of their own (nothing in the old place: its count starts at 0)."""
    return count is not None and ("verified_count" in count or bool(count.get("fresh")))


def count_action(table: str, campaign_id: str, delta: int, now_iso: str, organisations: int = 0) -> dict[str, Any]:
    """The tally's move of a campaign's count (and of the organisations among it, kept on
    the same item so that `/count` stays one read), as one action of its transaction.
    It holds only once the count item is seeded, so a count kept in the old place is
    never restarted from 0."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id, COUNT),
            # tally_seq: how many times the count moved, so that a recount can tell
            # whether the tally moved it while it was counting.
            "UpdateExpression": "ADD verified_count :delta, organisation_count :organisations, tally_seq :one SET count_updated_at = :now",
            # Seeded, or a campaign created with its count item (nothing in the old place).
            "ConditionExpression": "attribute_exists(verified_count) OR fresh = :yes",
            "ExpressionAttributeValues": {
                ":yes": {"BOOL": True},
                ":delta": {"N": str(delta)},
                ":organisations": {"N": str(organisations)},
                ":one": {"N": "1"},
                ":now": {"S": now_iso},
            },
        }
    }


def move_action(table: str, campaign_id: str, counter: str, delta: int) -> dict[str, Any]:
    """A counter's move, as one action of the tally's transaction."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id, counter),
            "UpdateExpression": "ADD n :delta",
            "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
        }
    }


class Counters:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = COUNTERS_TABLE.value

    def count(self, campaign_id: str, consistent: bool = False) -> dict[str, Any] | None:
        """The count item's values, or None when the campaign has none yet."""
        answer = self._client.get_item(TableName=self.table, Key=key(campaign_id, COUNT), ConsistentRead=consistent)
        return dynamo.from_item(answer["Item"]) if "Item" in answer else None

    def counts(self, campaign_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The count items of several campaigns, by campaign id (those that have one)."""
        found: dict[str, dict[str, Any]] = {}
        keys = [key(campaign_id, COUNT) for campaign_id in dict.fromkeys(campaign_ids)]
        while keys:
            got = self._client.batch_get_item(RequestItems={self.table: {"Keys": keys[:100]}})
            for item in got["Responses"].get(self.table, []):
                values = dynamo.from_item(item)
                found[values["campaign_id"]] = values
            keys = keys[100:] + got.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
        return found

    def set_goal(self, campaign_id: str, goal: int | None, created_at: str, fresh: bool) -> None:
        """Copies the campaign's goal to its count item when its settings are saved (never
        the count). `fresh`: a campaign created now, which has no count in the old place,
        so an unseeded count item means 0."""
        values: dict[str, Any] = {":goal": dynamo.serialize(goal), ":created": {"S": created_at}}
        expression = "SET goal = :goal, created_at = if_not_exists(created_at, :created)"
        if fresh:
            expression += ", fresh = :yes"
            values[":yes"] = {"BOOL": True}
        self._client.update_item(
            TableName=self.table, Key=key(campaign_id, COUNT), UpdateExpression=expression, ExpressionAttributeValues=values
        )

    def seed_count(self, campaign_id: str, legacy: dict[str, Any]) -> None:
        """Moves a count kept in the campaign item (`legacy`: its values) to the count item,
        once: a count item already seeded is left alone. Also copies the goal if no save has."""
        values = {
            ":count": {"N": str(legacy.get("verified_count", 0))},
            ":organisations": {"N": str(legacy.get("organisation_count", 0))},
            ":seq": {"N": str(legacy.get("tally_seq", 0))},
            ":goal": dynamo.serialize(legacy.get("goal")),
        }
        expression = "SET verified_count = :count, organisation_count = :organisations, tally_seq = :seq, goal = if_not_exists(goal, :goal)"
        moved_at = legacy.get("count_updated_at") or legacy.get("created_at")
        if moved_at:
            expression += ", count_updated_at = :moved"
            values[":moved"] = {"S": moved_at}
        dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=key(campaign_id, COUNT),
            UpdateExpression=expression,
            ConditionExpression="attribute_not_exists(verified_count)",
            ExpressionAttributeValues=values,
        )

    def tally_position(self, campaign_id: str) -> tuple[int, int]:
        """(count, how many tally transactions have moved it), read consistently."""
        values = self.count(campaign_id, consistent=True) or {}
        return values.get("verified_count", 0), values.get("tally_seq", 0)

    def correct_count(self, campaign_id: str, seen: tuple[int, int], counted: int, now_iso: str) -> bool:
        """Sets the count to `counted`, unless the tally moved it since `seen` was read
        (then nothing is written: the caller looks again later)."""
        seen_count, seen_seq = seen
        answer = dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=key(campaign_id, COUNT),
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

    def _between(self, campaign_id: str, low: str, high: str) -> dict[str, int]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "campaign_id = :campaign AND #counter BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#counter": "counter"},
            "ExpressionAttributeValues": {":campaign": {"S": campaign_id}, ":low": {"S": low}, ":high": {"S": high}},
        }
        found: dict[str, int] = {}
        while True:
            answer = self._client.query(**request)
            for item in answer.get("Items", []):
                found[item["counter"]["S"]] = int(item.get("n", {}).get("N", "0"))
            if "LastEvaluatedKey" not in answer:
                return found
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def sources(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per partner tag (tags whose count fell to 0 left out)."""
        found = self._between(campaign_id, "source#", "source#\uffff")
        return {name.removeprefix("source#"): n for name, n in sorted(found.items()) if n}

    def countries(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per country the signers gave (countries whose count fell to 0 left out)."""
        found = self._between(campaign_id, "country#", "country#\uffff")
        return {name.removeprefix("country#"): n for name, n in sorted(found.items()) if n}

    def hours(self, campaign_id: str, first_hour: str, last_hour: str) -> dict[str, int]:
        """Verified signatures per hour ("2026-11-28T13"), for hours with any, inclusive."""
        found = self._between(campaign_id, f"hour#{first_hour}", f"hour#{last_hour}")
        return {name.removeprefix("hour#"): n for name, n in found.items() if n}

    def announced_milestones(self, campaign_id: str) -> set[int]:
        found = self._between(campaign_id, "milestone#", "milestone#\uffff")
        return {int(name.removeprefix("milestone#")) for name in found}

    def claim_milestone(self, campaign_id: str, milestone: int, now_iso: str) -> bool:
        """Records that a milestone is being announced; False if it was, by anyone, before."""
        answer = dynamo.if_condition_holds(
            self._client.put_item,
            TableName=self.table,
            Item={**key(campaign_id, _milestone(milestone)), "announced_at": {"S": now_iso}},
            ConditionExpression="attribute_not_exists(campaign_id)",
        )
        return answer is not None

    def release_milestone(self, campaign_id: str, milestone: int) -> None:
        """Forgets a claim whose announcement failed, so the retry announces it."""
        self._client.delete_item(TableName=self.table, Key=key(campaign_id, _milestone(milestone)))
