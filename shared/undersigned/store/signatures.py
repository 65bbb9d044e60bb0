"""The signatures table: one item per (campaign, signer), and its public-list indexes.

`signer` is a keyed hash of the canonical address, so the database enforces one
signature per address with a conditional write and nobody reads an address off a key.
The item's partition key (`campaign_id`) is the campaign's id, or for a campaign spread
over several keys the signer's shard of it (`partition`): one signer, one key, always.
Which attributes each change sets or erases comes from `undersigned.signature`; the
moves between states are conditioned on the states `signature.TRANSITIONS` allows.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from botocore.exceptions import ClientError

from undersigned import config, paging
from undersigned.campaign import ONE_KEY, Campaign
from undersigned.signature import (
    CLEARED_ON_RESTART,
    COUNTED_UNDER,
    ORGANISATION,
    PERSON,
    ERASED_ON_ANONYMISATION,
    ERASED_ON_ENDING,
    State,
    is_counted,
    may_restart,
    kind_of,
    moves_to,
)
from undersigned.store import dynamo

SIGNATURES_TABLE = config.setting("SIGNATURES_TABLE")
# Three sparse indexes over the same sort key (`listed_at`, newest first): the whole list
# (`listed_in` = one of the campaign's list keys), the organisations (`listed_kind` =
# "campaign#organisation"), and the featured (`featured_in` = the signature's list key).
# The organisations' list is a query on its own partition, so a page of 53 organisations
# never reads past 4,210 people. People are the surge and organisations few: a person is
# written to the whole list only (each index entry is a write unit), and the people's list
# is the whole list read past the organisations. Paging is the same on every list.
#
# Every public signer is written to the whole list: at 3,333 a second on one key that would
# pass the 1,000 write units a second a partition key takes. So the list is spread over
# `LIST_SHARDS` keys, "campaign#0" to "campaign#4" by the signer's hash (667 a second each
# at that rate, `benchmarks/capacity.py`), and a page is the newest of every key, merged.
# Signatures listed before keep `listed_in` = campaign: one more key, read the same way.
LIST_SHARDS = 5
# The table's own key is spread the same way: a campaign created since keeps its
# signatures under "campaign#0" to "campaign#16" by the signer's hash (the submit, verify
# and tally writes of 3,333 signatures a second, about 784 write units a second on each,
# `benchmarks/capacity.py`). The layout is the campaign's own, fixed when it is created
# (`Campaign.signature_shards`): a campaign created before keeps every signature on its
# one key, so a signer who signed it there finds that signature again, never a second.
# How many keys a new campaign gets is the stack's `SignatureShards` (template.yaml, where
# the admin function reads it; 17 here for what runs without the template, the CLI's
# campaign files): 1 keeps new campaigns on one key while a stack from before is upgraded.
SIGNATURE_SHARDS = config.setting("SIGNATURE_SHARDS", int, default="17")
PUBLIC_INDEX = "PublicSignatories"
KIND_INDEX = "PublicSignatoriesByKind"
FEATURED_INDEX = "FeaturedSignatories"
# The keys that put a signature on the public lists: gone when it is hidden.
_LISTING_KEYS = ("listed_in", "listed_at", "listed_kind", "featured_in")


def key(partition: str, signer: str) -> dict[str, Any]:
    """A signature's key, on the partition of its campaign that `partition` gives."""
    return {"campaign_id": {"S": partition}, "signer": {"S": signer}}


def key_of(campaign: Campaign, signer: str) -> dict[str, Any]:
    return key(partition(campaign, signer), signer)


def signer_shard(signer: str, shards: int) -> int:
    """Which of `shards` a signer falls in: always the same one, on the public list and in
    the table alike."""
    return zlib.crc32(signer.encode()) % shards


def _shard_key(campaign_id: str, shard: int) -> str:
    return f"{campaign_id}#{shard}"


def partition(campaign: Campaign, signer: str) -> str:
    """The table partition a campaign's signature is kept under: the campaign's id in the
    layout of one key, else its signer's shard of the campaign."""
    if campaign.signature_shards == ONE_KEY:
        return campaign.id
    return _shard_key(campaign.id, signer_shard(signer, campaign.signature_shards))


def partitions(campaign: Campaign) -> list[str]:
    """Every partition a campaign's signatures are kept under, by shard."""
    if campaign.signature_shards == ONE_KEY:
        return [campaign.id]
    return [_shard_key(campaign.id, shard) for shard in range(campaign.signature_shards)]


def campaign_id_of(partition: str) -> str:
    """The campaign a partition belongs to (campaign ids never hold a '#')."""
    return partition.partition("#")[0]


def shard_of(partition: str) -> int | None:
    """The partition's shard of its campaign, or None for a campaign's one key (the layout of one key)."""
    _, spread, shard = partition.partition("#")
    return int(shard) if spread else None


@dataclass(frozen=True)
class StoredSignature:
    campaign_id: str
    signer: str
    signature_id: str
    state: str
    expires_at: int | None
    attributes: dict[str, Any]

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredSignature:
        values = _plain(item)
        return cls(
            campaign_id=values["campaign_id"],
            signer=values["signer"],
            signature_id=values.get("sid", ""),
            state=values.get("state", ""),
            expires_at=values.get("expires_at"),
            attributes=values,
        )

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class SignatureStart:
    """What happened when a signer submitted: a new (or restarted) signature, or one that stood already."""

    signature: StoredSignature
    started: bool


@dataclass(frozen=True)
class PublicPage:
    items: list[dict[str, Any]]
    next_before: str | None


def listing_cursor(listed_at: str) -> str:
    return dynamo.encode_cursor(listed_at)


def listing_start(cursor: str) -> str | None:
    """Where a public page continues, or None for a cursor we did not make."""
    text = dynamo.decode_cursor(cursor)
    # A cursor we made is "<ISO instant>#<signature id>".
    return text if text and "#" in text and text[:4].isdigit() and len(text) < 100 else None


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A signature item as plain values, `campaign_id` its campaign's (not its partition's)."""
    values = dynamo.from_item(item)
    if "campaign_id" in values:
        values["campaign_id"] = campaign_id_of(values["campaign_id"])
    return values


def _page_end(campaign: Campaign, shard: int, signer: str | None) -> str:
    """Where a page of a campaign's signatures ended: after `signer` of a partition (None:
    before its first). A campaign's one key names the signer alone, as pages always did;
    a spread campaign's, "<shard>#<signer>"."""
    if campaign.signature_shards == ONE_KEY:
        return signer or ""
    return f"{shard}#{signer or ''}"


def _page_start(campaign: Campaign, after: str | None) -> tuple[int, str | None]:
    """Where the page after `_page_end` starts (the partition's shard, the last signer
    read); `InvalidInput` for what it did not make."""
    if not after or campaign.signature_shards == ONE_KEY:
        return 0, after or None
    shard, mark, signer = after.partition("#")
    if not (mark and shard.isascii() and shard.isdigit() and int(shard) < campaign.signature_shards):
        raise paging.unknown_cursor()
    return int(shard), signer or None


def _in_state(states: tuple[State, ...], prefix: str = "from") -> tuple[str, dict[str, Any]]:
    return dynamo.one_of("state", states, prefix)


def listed_kind(campaign_id: str, kind: str) -> str:
    """The by-kind index's partition. Only organisations are written there now; people
    listed before keep "campaign#person", which no list reads any more."""
    return f"{campaign_id}#{kind}"


def list_key(campaign_id: str, signer: str) -> str:
    """The whole list's partition a signer is listed under (always the same one)."""
    return _shard_key(campaign_id, signer_shard(signer, LIST_SHARDS))


def list_keys(campaign_id: str) -> list[str]:
    """Every partition of a campaign's whole list, the one of signatures listed before it was spread included."""
    return [campaign_id, *(_shard_key(campaign_id, shard) for shard in range(LIST_SHARDS))]


def _listing(campaign_id: str, signer: str, signature_id: str, now: float, values: dict[str, Any], kind: str) -> list[str]:
    """The SET clauses that put a signature on the public lists (sparse indexes): the
    whole list, and an organisation on the organisations' list too."""
    values[":campaign"] = {"S": list_key(campaign_id, signer)}
    # Microseconds and the signature id: a unique sort key, newest first.
    moment = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    values[":listed_at"] = {"S": f"{moment}#{signature_id}"}
    sets = ["listed_in = :campaign", "listed_at = :listed_at"]
    if kind == ORGANISATION:
        values[":listed_kind"] = {"S": listed_kind(campaign_id, kind)}
        sets.append("listed_kind = :listed_kind")
    return sets


def _of_kind(kind: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A filter on a list's items for one kind, by `signature.kind_of`'s rule: an
    organisation is what says so, a person the rest (signatures stored before
    organisations could sign carry no kind)."""
    names, values = {"#kind": "kind"}, {":organisation": {"S": ORGANISATION}}
    if kind == ORGANISATION:
        return "#kind = :organisation", names, values
    return "(attribute_not_exists(#kind) OR #kind <> :organisation)", names, values


class Signatures:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = SIGNATURES_TABLE.value

    def _update(self, **request: Any) -> dict[str, Any] | None:
        return dynamo.if_condition_holds(self._client.update_item, TableName=self.table, **request)

    def _updated(self, campaign: Campaign, signer: str, **request: Any) -> bool:
        """Whether the conditional update of one signature held (False: its condition did not)."""
        return self._update(Key=key_of(campaign, signer), **request) is not None

    def get(self, campaign: Campaign, signer: str, consistent: bool = True) -> StoredSignature | None:
        answer = self._client.get_item(TableName=self.table, Key=key_of(campaign, signer), ConsistentRead=consistent)
        return StoredSignature.from_item(answer["Item"]) if "Item" in answer else None

    def get_expecting(
        self, campaign: Campaign, signer: str, expected: Callable[[StoredSignature | None], bool]
    ) -> StoredSignature | None:
        """The signature as an eventually consistent read finds it (half a read unit, on a
        campaign's one hot key in a surge) when that is what the caller `expected`; any
        other answer may be stale (a moment-old write not seen yet), so it is read again
        strongly consistently. For callers whose next step is a conditional write that
        decides anyway, or an email built from a state that is not about to change."""
        found = self.get(campaign, signer, consistent=False)
        return found if expected(found) else self.get(campaign, signer)

    # ------------------------------------------------------------ the signer's journey
    def start(self, campaign: Campaign, signer: str, fields: dict[str, Any], now: float) -> SignatureStart:
        """Stores a pending signature unless one stands for this signer already.

        A withdrawn or discarded signature, or a pending one past its expiry that TTL has not
        removed yet, is started afresh in place.
        """
        # When it last changed in a way that may move the count (what the recount settles on).
        fields = {**fields, "changed_at": fields.get("created_at")}
        item = {**dynamo.from_item(key_of(campaign, signer)), **{k: v for k, v in fields.items() if v is not None}}
        try:
            self._client.put_item(
                TableName=self.table,
                Item=dynamo.to_item(item),
                ConditionExpression="attribute_not_exists(signer)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return SignatureStart(StoredSignature.from_item(dynamo.to_item(item)), started=True)
        except ClientError as error:
            if not dynamo.condition_failed(error):
                raise
            existing = StoredSignature.from_item(error.response["Item"])
        if may_restart(existing.state) or (existing.state == State.PENDING and existing.expired(now)):
            restarted = self._restart(campaign, existing, fields)
            if restarted is not None:
                return SignatureStart(restarted, started=True)
            existing = self.get(campaign, signer) or existing
        return SignatureStart(existing, started=False)

    def _restart(self, campaign: Campaign, existing: StoredSignature, fields: dict[str, Any]) -> StoredSignature | None:
        present = {name: value for name, value in fields.items() if value is not None}
        absent = [name for name in CLEARED_ON_RESTART if name not in present]
        values = {f":{name}": dynamo.serialize(value) for name, value in present.items()}
        values[":old_sid"] = {"S": existing.signature_id}
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in present)
        if absent:
            expression += " REMOVE " + dynamo.remove_clause(absent)
        answer = self._update(
            Key=key_of(campaign, existing.signer),
            UpdateExpression=expression,
            ConditionExpression="#sid_now = :old_sid",
            ExpressionAttributeNames={**dynamo.names([*present, *absent]), "#sid_now": "sid"},
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return StoredSignature.from_item(answer["Attributes"]) if answer else None

    def verify(
        self,
        campaign: Campaign,
        signer: str,
        signature_id: str,
        now_iso: str,
        now: float,
        listed: bool,
        quarantined: bool = False,
        kind: str = PERSON,
    ) -> tuple[bool, StoredSignature | None]:
        """Marks a pending signature verified, or `quarantined` when it was submitted
        under suspicion (never counted, never listed, until an organiser releases it).
        (True, it) when this call did it; (False, what stands) otherwise, so the caller
        can tell repeat from expiry."""
        values = {
            ":pending": {"S": State.PENDING},
            ":to": {"S": State.QUARANTINED if quarantined else State.VERIFIED},
            ":now": {"S": now_iso},
            ":sid": {"S": signature_id},
            ":epoch": {"N": str(int(now))},
        }
        condition = "sid = :sid AND #state = :pending AND expires_at > :epoch"
        sets = ["#state = :to", "verified_at = :now", "changed_at = :now"]
        if quarantined:
            values[":yes"] = {"BOOL": True}
            condition += " AND quarantined = :yes"
        else:
            condition += " AND attribute_not_exists(quarantined)"
            if listed:
                sets += _listing(campaign.id, signer, signature_id, now, values, kind)
        try:
            answer = self._client.update_item(
                TableName=self.table,
                Key=key_of(campaign, signer),
                UpdateExpression="SET " + ", ".join(sets) + " REMOVE expires_at, " + ", ".join(COUNTED_UNDER),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not dynamo.condition_failed(error):
                raise
            item = error.response.get("Item")
            return False, StoredSignature.from_item(item) if item else None
        return True, StoredSignature.from_item(answer["Attributes"])

    def withdraw(self, campaign: Campaign, signer: str, signature_id: str, now_iso: str) -> bool:
        """Erases the signer's personal data and marks the signature withdrawn; the tally
        takes it out of the count when it sees the change. Safe to repeat. False when
        no signature with this id stands (the token is stale)."""
        return self._erase(campaign, signer, signature_id, State.WITHDRAWN, "withdrawn_at", now_iso)

    def _erase(self, campaign: Campaign, signer: str, signature_id: str, state: State, stamp: str, now_iso: str) -> bool:
        in_state, values = _in_state(moves_to(state))
        values.update({":state": {"S": state}, ":now": {"S": now_iso}, ":sid": {"S": signature_id}})
        return self._updated(
            campaign,
            signer,
            UpdateExpression=f"SET #state = :state, {stamp} = if_not_exists({stamp}, :now), changed_at = :now REMOVE " + dynamo.remove_clause(ERASED_ON_ENDING),
            ConditionExpression=f"sid = :sid AND {in_state}",
            ExpressionAttributeNames={"#state": "state", **dynamo.names(ERASED_ON_ENDING)},
            ExpressionAttributeValues=values,
        )

    # ------------------------------------------------------------ organisers' review
    def release(self, campaign: Campaign, signer: str, now_iso: str, now: float) -> bool:
        """An organiser's review found a quarantined signature genuine: it becomes
        verified (so the tally counts it) and is listed if its signer agreed.
        False when it is not (or no longer) quarantined."""
        current = self.get(campaign, signer)
        if current is None or current.state != State.QUARANTINED:
            return False
        values = {":from": {"S": State.QUARANTINED}, ":to": {"S": State.VERIFIED}, ":now": {"S": now_iso}, ":sid": {"S": current.signature_id}}
        sets = ["#state = :to", "released_at = :now", "changed_at = :now"]
        if current.attributes.get("public"):
            sets += _listing(campaign.id, signer, current.signature_id, now, values, kind_of(current.attributes))
        return self._updated(
            campaign,
            signer,
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE quarantined, caller_hash, " + ", ".join(COUNTED_UNDER),
            ConditionExpression="sid = :sid AND #state = :from",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values,
        )

    def discard(self, campaign: Campaign, signer: str, now_iso: str) -> bool:
        """An organiser's review found a signature fake: erased like a withdrawal (and
        out of the count if it ever was in), marked `discarded`. False when none stands."""
        current = self.get(campaign, signer)
        if current is None:
            return False
        return self._erase(campaign, signer, current.signature_id, State.DISCARDED, "discarded_at", now_iso)

    def end(self, campaign: Campaign, signer: str, state: State, now_iso: str, sid: str | None = None) -> bool:
        """Ends a signature (an invalidation, say) like a withdrawal, from any state that
        `signature.TRANSITIONS` lets move to `state`; False when it stands otherwise."""
        in_state, values = _in_state(moves_to(state))
        values.update({":end": {"S": state}, ":now": {"S": now_iso}})
        condition = in_state
        if sid:
            condition += " AND sid = :sid"
            values[":sid"] = {"S": sid}
        return self._updated(
            campaign,
            signer,
            UpdateExpression="SET #state = :end, ended_at = :now, changed_at = :now REMOVE " + dynamo.remove_clause(ERASED_ON_ENDING),
            ConditionExpression=condition,
            ExpressionAttributeNames={"#state": "state", **dynamo.names(ERASED_ON_ENDING)},
            ExpressionAttributeValues=values,
        )

    def hide(self, campaign: Campaign, signer: str) -> bool:
        """Takes a signature off the public lists for good (it stays counted). False if there is none."""
        return self._updated(
            campaign,
            signer,
            UpdateExpression="SET #hidden = :yes REMOVE featured, " + ", ".join(_LISTING_KEYS),
            ConditionExpression="attribute_exists(signer)",
            ExpressionAttributeNames={"#hidden": "hidden"},
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )

    def feature(self, campaign: Campaign, signer: str) -> bool:
        """Puts a listed signature on the featured list too; False when it is not listed."""
        return self._updated(
            campaign,
            signer,
            # Its place on the featured list is its place on the whole list (`listed_at`).
            UpdateExpression="SET featured = :yes, featured_in = listed_in",
            ConditionExpression="attribute_exists(listed_in)",
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )

    def unfeature(self, campaign: Campaign, signer: str) -> bool:
        """Takes a signature off the featured list (it stays listed); False if there is none."""
        return self._updated(
            campaign,
            signer,
            UpdateExpression="REMOVE featured, featured_in",
            ConditionExpression="attribute_exists(signer)",
        )

    def page(
        self,
        campaign: Campaign,
        limit: int,
        after: str | None,
        *,
        states: tuple[str, ...] = (),
        fields: tuple[str, ...] = (),
        consistent: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a campaign's signatures, optionally only in some states and only some
        fields. Its partitions are read one after the other, `limit` items evaluated in all:
        a page may hold fewer when a state filter applies, or when it ends where a partition
        does. `after` continues from where the page before ended (`_page_end`). `consistent`:
        every write that landed before the read is seen (twice the read units)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "campaign_id = :partition",
            "ExpressionAttributeValues": {},
            "ExpressionAttributeNames": {},
            "ConsistentRead": consistent,
        }
        if states:
            request["FilterExpression"], state_values = dynamo.one_of("state", states, "state")
            request["ExpressionAttributeNames"]["#state"] = "state"
            request["ExpressionAttributeValues"].update(state_values)
        if fields:
            # DynamoDB refuses a projection that names an attribute twice.
            wanted = tuple(dict.fromkeys(("signer", "sid", "state", *fields)))
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(wanted)))
            request["ExpressionAttributeNames"].update({f"#p{i}": name for i, name in enumerate(wanted)})
        if not request["ExpressionAttributeNames"]:
            del request["ExpressionAttributeNames"]
        spread, (shard, signer) = partitions(campaign), _page_start(campaign, after)
        items: list[dict[str, Any]] = []
        while True:
            request["ExpressionAttributeValues"][":partition"] = {"S": spread[shard]}
            request["Limit"] = limit
            request.pop("ExclusiveStartKey", None)
            if signer:
                request["ExclusiveStartKey"] = key(spread[shard], signer)
            answer = self._client.query(**request)
            items += [_plain(item) for item in answer.get("Items", [])]
            limit -= answer.get("ScannedCount", len(answer.get("Items", [])))
            last = answer.get("LastEvaluatedKey")
            if last:
                return items, _page_end(campaign, shard, last["signer"]["S"])
            shard, signer = shard + 1, None
            if shard == len(spread):
                return items, None
            if limit <= 0:
                return items, _page_end(campaign, shard, None)

    # ------------------------------------------------------------ retention
    def to_anonymise(self, campaign: Campaign) -> Iterator[str]:
        """The signers of a campaign's signatures that still hold personal data."""
        for value in partitions(campaign):
            pages = self._client.get_paginator("query").paginate(
                TableName=self.table,
                KeyConditionExpression="campaign_id = :partition",
                FilterExpression=" OR ".join(f"attribute_exists(#{name})" for name in ERASED_ON_ANONYMISATION),
                ProjectionExpression="signer",
                ExpressionAttributeNames=dynamo.names(ERASED_ON_ANONYMISATION),
                ExpressionAttributeValues={":partition": {"S": value}},
            )
            for page in pages:
                for item in page.get("Items", []):
                    yield item["signer"]["S"]

    def anonymise(self, campaign: Campaign, signer: str, now_iso: str) -> None:
        """Erases a signature's personal data and public listing after the retention
        period. The state is left alone, so the count stays; a counted signature keeps the
        country it is counted under (`counted_country`), so that the per-country count
        stays too, and a later withdrawal takes it down from there. Read first and written
        only if it still stands so (a withdrawal or a release meanwhile is read again)."""
        for _ in range(3):
            current = self.get(campaign, signer)
            if current is None:
                return  # expired meanwhile: never recreated
            values = {":now": {"S": now_iso}, ":sid": {"S": current.signature_id}, ":state": {"S": current.state}}
            sets = "SET anonymised_at = :now"
            country = current.attributes.get("country")
            if is_counted(current.state) and country:
                sets += ", counted_country = :country"
                values[":country"] = {"S": country}
            answer = self._update(
                Key=key_of(campaign, signer),
                UpdateExpression=sets + " REMOVE " + dynamo.remove_clause(ERASED_ON_ANONYMISATION),
                ConditionExpression="sid = :sid AND #state = :state",
                ExpressionAttributeNames={**dynamo.names(ERASED_ON_ANONYMISATION), "#state": "state"},
                ExpressionAttributeValues=values,
            )
            if answer is not None:
                return

    # ------------------------------------------------------------ the public list
    def public(self, campaign_id: str, limit: int, before: str | None, kind: str | None = None, featured: bool = False) -> PublicPage:
        """Newest first, all or only one `kind`, or only the `featured`. `before` is the
        `listed_at` of the last item already shown."""
        index, hash_key, values, filtered_by = PUBLIC_INDEX, "listed_in", list_keys(campaign_id), kind
        if featured:
            index, hash_key = FEATURED_INDEX, "featured_in"
        elif kind == ORGANISATION:
            # Their own partition holds nothing else.
            index, hash_key, values, filtered_by = KIND_INDEX, "listed_kind", [listed_kind(campaign_id, kind)], None
        # One more than shown: whether it comes tells if there is a next page. `listed_at` is
        # unique, so the newest `limit + 1` of every partition, merged, are the list's.
        items = sorted(
            (item for value in values for item in self._newest(index, hash_key, value, limit + 1, before, filtered_by)),
            key=lambda item: item["listed_at"],
            reverse=True,
        )[: limit + 1]
        shown = items[:limit]
        return PublicPage(items=shown, next_before=shown[-1]["listed_at"] if len(items) > limit else None)

    def _newest(
        self, index: str, partition: str, value: str, count: int, before: str | None, kind: str | None
    ) -> list[dict[str, Any]]:
        """The newest `count` items of one list partition listed before `before`, of one `kind` if given."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{partition} = :partition" + (" AND listed_at < :before" if before is not None else ""),
            "ExpressionAttributeValues": {":partition": {"S": value}, **({":before": {"S": before}} if before is not None else {})},
            "ScanIndexForward": False,
            "Limit": count,
        }
        if kind:
            # The featured are few (an organiser picks them), and so are the organisations
            # among the people: filtering by kind reads little past the page.
            request["FilterExpression"], request["ExpressionAttributeNames"], kind_values = _of_kind(kind)
            request["ExpressionAttributeValues"].update(kind_values)
        items: list[dict[str, Any]] = []
        while True:
            answer = self._client.query(**request)
            items += [dynamo.from_item(item) for item in answer.get("Items", [])]
            # A filter may leave a read page short: read on until it is full.
            if len(items) >= count or "LastEvaluatedKey" not in answer:
                return items[:count]
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
