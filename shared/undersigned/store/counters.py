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

A campaign whose signatures are spread over partition keys (`"<campaign>#<shard>"`) keeps,
per signature shard, a count item and counters of its own (`sharded`: `count#3`,
`source#x#3`, ...), so that the tally's transactions of different shards, running at
once, never touch the same item (DynamoDB would cancel one of them: TransactionConflict).
Readers sum them: the count is one query over `count` and its shards (18 items under
200 bytes each, about 3 KB with the longest campaign id: a query bills their total rounded
up to 4 KB, so still half a read unit), each source, country and hour the sum of its items.
Campaigns kept on one key have the `count` item and unsharded counters alone.

Counts kept before the count had an item of its own lived in the campaign item
(`verified_count`, ...). Such a campaign keeps its count: until the tally first moves it,
readers fall back to the campaign item (`Campaigns.get(..., with_count=True)`), and the
tally's first transaction finds the count item unseeded (its condition fails), copies the
old count over once (`seed_count`) and retries. Nothing moves the old place any more.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from undersigned import config
from undersigned.store import dynamo

COUNTERS_TABLE = config.setting("COUNTERS_TABLE")


def key(campaign_id: str, counter: str) -> dict[str, Any]:
    return {"campaign_id": {"S": campaign_id}, "counter": {"S": counter}}


def _milestone(milestone: int) -> str:
    return f"milestone#{milestone:012d}"


COUNT = "count"
# Where the tally's count of a partition stands applied up to in the stream (`position_action`).
APPLIED = "applied"
# Between a counter's name and its shard. No source tag ([a-z0-9._-]), country (two
# capitals) or hour holds it, and it sorts below every character they hold: `count#…`
# lies between `count` and `country#…`, `hour#…T06#…` between `hour#…T06` and `hour#…T07`.
SHARD_MARK = "#"
_LAST = "\uffff"
# Written only by the tally and the recount (IAM keeps the settings writes off them): the
# count's, the applied position's, and every counter's value (`n`).
COUNT_ATTRIBUTES = ("verified_count", "organisation_count", "count_updated_at", "tally_seq", "applied_seq", "applied_event", "n")


def sharded(counter: str, shard: int | None) -> str:
    """The item that keeps `counter` (the count, or a source's, country's or hour's counter)
    for the signatures of one shard; the counter's own item for a campaign kept on one key
    (`shard` None)."""
    return counter if shard is None else f"{counter}{SHARD_MARK}{shard}"


def _counter_action(table: str, campaign_id: str, counter: str, shard: int | None, expression: str, value: int) -> dict[str, Any]:
    """A transaction's update of a counter's value `n` (its shard's item) by `expression`, with `:n` = `value`."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id, sharded(counter, shard)),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": {":n": {"N": str(value)}},
        }
    }


def _set_counter(table: str, campaign_id: str, counter: str, value: int, shard: int | None) -> dict[str, Any]:
    """The recount's correction of a counter."""
    return _counter_action(table, campaign_id, counter, shard, "SET n = :n", value)


def _set_count(table: str, campaign_id: str, shard: int | None, seen: tuple[int, int], truth: Any, now_iso: str) -> dict[str, Any]:
    """The recount's correction of a count item, holding only while it stands as `seen`
    (count, tally transactions): the tally's next move would have changed both."""
    seen_count, seen_seq = seen
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id, sharded(COUNT, shard)),
            "UpdateExpression": "SET verified_count = :counted, organisation_count = :organisations, count_updated_at = :now ADD tally_seq :one",
            "ConditionExpression": (
                "(attribute_not_exists(tally_seq) AND :seq = :zero OR tally_seq = :seq) "
                "AND (attribute_not_exists(verified_count) AND :count = :zero OR verified_count = :count)"
            ),
            "ExpressionAttributeValues": {
                ":counted": {"N": str(truth.count)},
                ":organisations": {"N": str(truth.organisations)},
                ":now": {"S": now_iso},
                ":one": {"N": "1"},
                ":zero": {"N": "0"},
                ":seq": {"N": str(seen_seq)},
                ":count": {"N": str(seen_count)},
            },
        }
    }


def _last_shard(counter: str) -> str:
    """A bound above every shard's item of `counter`, and below the next counter's."""
    return f"{counter}{SHARD_MARK}{_LAST}"


def _counter_of(item_name: str, kind: str) -> str:
    """The name a counter item counts under (`UA` for `country#UA#3` and `country#UA`)."""
    return item_name.removeprefix(kind).partition(SHARD_MARK)[0]


def is_seeded(count: dict[str, Any] | None) -> bool:
    """Whether a count item holds the count: moved there, or a campaign created since counts
    have an item of their own (nothing in the old place: its count starts at 0)."""
    return count is not None and ("verified_count" in count or bool(count.get("fresh")))


def count_action(
    table: str, campaign_id: str, delta: int, now_iso: str, organisations: int = 0, shard: int | None = None
) -> dict[str, Any]:
    """The tally's move of a campaign's count (and of the organisations among it, kept on
    the same item so that `/count` stays one read), as one action of its transaction.
    On the `count` item it holds only once that item is seeded, so a count kept in the old place is
    never restarted from 0. A shard's count item needs no such condition: shards are kept
    only for campaigns created since, whose count starts at 0."""
    update: dict[str, Any] = {
        "TableName": table,
        "Key": key(campaign_id, sharded(COUNT, shard)),
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
    if shard is None:
        # Seeded, or a campaign created with its count item (nothing in the old place).
        update["ConditionExpression"] = "attribute_exists(verified_count) OR fresh = :yes"
        update["ExpressionAttributeValues"][":yes"] = {"BOOL": True}
    return {"Update": update}


def position_action(
    table: str, campaign_id: str, read: tuple[str, str | None] | None, applied: tuple[str, str | None], shard: int | None = None
) -> dict[str, Any]:
    """The move of a partition's applied position (`APPLIED`, per shard like the count: the
    last stream record its count was applied through, as (sequence number, event id)), as
    one action of the tally's transaction (or alone, past records that cancel out): it holds only while the position is still `read`, so two
    deliveries of the same records never both land. An item of its own, so that the count
    items `/count` reads stay small."""
    sequence, event = applied
    values: dict[str, Any] = {":applied": {"S": sequence}}
    expression = "SET applied_seq = :applied"
    if event:
        expression += ", applied_event = :event"
        values[":event"] = {"S": event}
    else:
        expression += " REMOVE applied_event"
    if read is None:
        condition = "attribute_not_exists(applied_seq)"
    else:
        condition = "applied_seq = :read"
        values[":read"] = {"S": read[0]}
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id, sharded(APPLIED, shard)),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }


def move_action(table: str, campaign_id: str, counter: str, delta: int, shard: int | None = None) -> dict[str, Any]:
    """A counter's move (its shard's item), as one action of the tally's transaction."""
    return _counter_action(table, campaign_id, counter, shard, "ADD n :n", delta)


_SUMMED = ("verified_count", "organisation_count", "tally_seq")


def _summed_count(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The count of a campaign from its count items (the `count` item and its shards'): the
    counts and tally transactions added up, the latest move, the rest (the goal, when it
    was created, `fresh`) as the `count` item has it."""
    if not items:
        return None
    base = next((item for item in items if item["counter"] == COUNT), {})
    total = {name: value for name, value in base.items() if name not in COUNT_ATTRIBUTES}
    total["campaign_id"] = items[0]["campaign_id"]
    for name in _SUMMED:
        kept = [item[name] for item in items if name in item]
        if kept:
            total[name] = sum(kept)
    moved = [item["count_updated_at"] for item in items if item.get("count_updated_at")]
    if moved:
        total["count_updated_at"] = max(moved)
    return total


class Counters:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = COUNTERS_TABLE.value

    def count(self, campaign_id: str, consistent: bool = False) -> dict[str, Any] | None:
        """The campaign's count, summed over its count items (one query), or None when the
        campaign has none yet."""
        items = self._query(campaign_id, COUNT, _last_shard(COUNT), consistent)
        return _summed_count([dynamo.from_item(item) for item in items])

    def counts(self, campaign_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The counts of several campaigns, by campaign id (those that have one): a query
        each, as a batch of reads would cost (half a read unit per campaign)."""
        found = {campaign_id: self.count(campaign_id) for campaign_id in dict.fromkeys(campaign_ids)}
        return {campaign_id: count for campaign_id, count in found.items() if count is not None}

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

    def applied(self, campaign_id: str, shard: int | None = None) -> tuple[str, str | None] | None:
        """(sequence number, event id) of the last stream record the tally applied this
        partition's count through (`position_action`), read consistently; None before the first."""
        answer = self._client.get_item(TableName=self.table, Key=key(campaign_id, sharded(APPLIED, shard)), ConsistentRead=True)
        values = dynamo.from_item(answer.get("Item", {}))
        return (values["applied_seq"], values.get("applied_event")) if "applied_seq" in values else None

    def count_item(self, campaign_id: str, shard: int | None = None) -> dict[str, Any]:
        """One shard's count item (the `count` item for None) as plain values, read
        consistently ({} when it has none)."""
        answer = self._client.get_item(TableName=self.table, Key=key(campaign_id, sharded(COUNT, shard)), ConsistentRead=True)
        return dynamo.from_item(answer.get("Item", {}))

    def tally_position(self, campaign_id: str, shard: int | None = None) -> tuple[int, int]:
        """(count, how many tally transactions have moved it) of one shard's count item (the
        `count` item for None), read consistently: what a correction is conditioned on."""
        values = self.count_item(campaign_id, shard)
        return values.get("verified_count", 0), values.get("tally_seq", 0)

    def shard_counters(self, campaign_id: str) -> dict[int | None, dict[str, int]]:
        """The campaign's hour, source and country counter items, by shard (None for the
        unsharded ones), each by the tally's counter name (`source#x` for `source#x#3`)."""
        found: dict[int | None, dict[str, int]] = {}
        for kind in ("country#", "hour#", "source#"):
            for item in self._query(campaign_id, kind, kind + _LAST, consistent=True):
                counter, _, shard = item["counter"]["S"].removeprefix(kind).partition(SHARD_MARK)
                found.setdefault(int(shard) if shard else None, {})[kind + counter] = int(item.get("n", {}).get("N", "0"))
        return found

    def correct(
        self, campaign_id: str, shard: int | None, seen: dict[str, Any], truth: Any, counters: dict[str, int], now_iso: str
    ) -> list[str] | None:
        """Sets one shard's count, organisations (`truth`, a `tally.Moves`) and the named
        `counters` to what they should be, unless the tally moved the count since `seen`
        (its count item as read) was read: then nothing is written (None), and the caller
        looks again later. At most 98 counters go with the count in one transaction; each
        next one holds only if the one before landed, so a tally move between them leaves the
        rest for the next run. Returns the counters set (the count was set with the first)."""
        names = list(counters)
        counted, moves = seen.get("verified_count", 0), seen.get("tally_seq", 0)
        for start in range(0, max(len(names), 1), 98):
            actions = [_set_counter(self.table, campaign_id, name, counters[name], shard) for name in names[start : start + 98]]
            actions.append(_set_count(self.table, campaign_id, shard, (counted, moves), truth, now_iso))
            try:
                self._client.transact_write_items(TransactItems=actions)
            except ClientError as error:
                if error.response["Error"]["Code"] == "TransactionCanceledException":
                    # What the transactions before this one set; none landed: None.
                    return names[:start] if start else None
                raise
            counted, moves = truth.count, moves + 1
        return names

    def _query(self, campaign_id: str, low: str, high: str, consistent: bool = False) -> list[dict[str, Any]]:
        """The campaign's counter items named `low` to `high`, inclusive."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "campaign_id = :campaign AND #counter BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#counter": "counter"},
            "ExpressionAttributeValues": {":campaign": {"S": campaign_id}, ":low": {"S": low}, ":high": {"S": high}},
            "ConsistentRead": consistent,
        }
        items: list[dict[str, Any]] = []
        while True:
            answer = self._client.query(**request)
            items += answer.get("Items", [])
            if "LastEvaluatedKey" not in answer:
                return items
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _between(self, campaign_id: str, kind: str, first: str = "", last: str = _LAST) -> dict[str, int]:
        """A kind's counters (`source#`, ...) named `first` to `last`, inclusive, by name,
        each the sum of its items (its own and its shards')."""
        found: dict[str, int] = {}
        for item in self._query(campaign_id, kind + first, _last_shard(kind + last)):
            name = _counter_of(item["counter"]["S"], kind)
            found[name] = found.get(name, 0) + int(item.get("n", {}).get("N", "0"))
        return found

    def sources(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per partner tag (tags whose count fell to 0 left out)."""
        return {name: n for name, n in sorted(self._between(campaign_id, "source#").items()) if n}

    def countries(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per country the signers gave (countries whose count fell to 0 left out)."""
        return {name: n for name, n in sorted(self._between(campaign_id, "country#").items()) if n}

    def hours(self, campaign_id: str, first_hour: str, last_hour: str) -> dict[str, int]:
        """Verified signatures per hour ("2026-11-28T13"), for hours with any, inclusive."""
        return {name: n for name, n in self._between(campaign_id, "hour#", first_hour, last_hour).items() if n}

    def announced_milestones(self, campaign_id: str) -> set[int]:
        return {int(name) for name in self._between(campaign_id, "milestone#")}

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
