"""The only code that knows DynamoDB's keys, attributes and expressions.

Campaigns table: one item per campaign (its settings, and the count the tally keeps).
Signatures table: one item per (campaign, signer), where `signer` is a keyed hash of
the canonical address, so the database enforces one signature per address with a
conditional write and nobody reads an address off a key.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from undersigned import aws, errors
from undersigned.campaign import Campaign, is_campaign_id
from undersigned.config import settings
from undersigned.tally import COUNTED_STATES, Mark

PUBLIC_INDEX = "PublicSignatories"
# States whose personal data is gone; the signer may sign afresh.
ERASED_STATES = frozenset({"withdrawn", "discarded"})
CATALOGUE_INDEX = "Catalogue"
# Every campaign item carries it: the catalogue index lists campaigns with a query.
CATALOGUE = "campaigns"
# The domain's keyed hash too: with the rest it could narrow down who signed.
PERSONAL_FIELDS = ("name", "email", "organisation", "role", "country", "comment", "locale", "domain_hash", "caller_hash")
# What a withdrawal removes: the personal data, the public listing and the expiry.
_ERASED_ON_WITHDRAWAL = (*PERSONAL_FIELDS, "public", "updates", "listed_in", "listed_at", "expires_at")
_CAMPAIGN_FIELDS = (
    "title", "statement", "goal", "closes_at", "closed", "allowed_origins",
    "thank_you_url", "public_signatories", "sender_name",
    "burst_limit", "hourly_limit", "trusted_addresses", "human_check", "disposable_addresses", "retention_days",
    "milestones", "email_texts",
)
_DEFAULTS = Campaign(id="defaults", title="", statement="")
# What anonymisation removes after the retention period: the personal data and the
# public listing; the state and the tally's mark stay, so the count does not move.
_ERASED_ON_ANONYMISATION = (*PERSONAL_FIELDS, "listed_in", "listed_at")
# What an export may show of a verified signature; `email` is only ever stored with `updates`.
EXPORTED_FIELDS = ("name", "email", "organisation", "role", "country", "public", "updates", "locale", "source", "verified_at")
# States a bulk invalidation may end; `withdrawn` and the like hold no personal data any more.
INVALIDATABLE_STATES = ("pending", "verified", "quarantined")
_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def _to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serialize(value) for key, value in values.items()}


def _plain(value: Any) -> Any:
    # Numbers come back as Decimal; every number we store is a whole one.
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(inner) for inner in value]
    return value


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserialize(value)) for key, value in item.items()}


def _condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def _if_condition_holds(call: Callable[..., dict[str, Any]], **request: Any) -> dict[str, Any] | None:
    """The answer of a conditional write, or None when its condition did not hold."""
    try:
        return call(**request)
    except ClientError as error:
        if _condition_failed(error):
            return None
        raise


def _campaign_from_item(item: dict[str, Any]) -> Campaign:
    values = _from_item(item)
    return Campaign(
        id=values["campaign_id"],
        title=values.get("title", ""),
        statement=values.get("statement", ""),
        goal=values.get("goal"),
        closes_at=values.get("closes_at"),
        closed=bool(values.get("closed", False)),
        allowed_origins=tuple(values.get("allowed_origins") or ()),
        thank_you_url=values.get("thank_you_url"),
        public_signatories=bool(values.get("public_signatories", False)),
        sender_name=values.get("sender_name") or "Undersigned",
        count=values.get("verified_count", 0),
        count_updated_at=values.get("count_updated_at"),
        created_at=values.get("created_at"),
        updated_at=values.get("updated_at"),
        burst_limit=values.get("burst_limit") or _DEFAULTS.burst_limit,
        hourly_limit=values.get("hourly_limit") or _DEFAULTS.hourly_limit,
        trusted_addresses=tuple(values.get("trusted_addresses") or ()),
        human_check=values.get("human_check") or _DEFAULTS.human_check,
        disposable_addresses=values.get("disposable_addresses") or _DEFAULTS.disposable_addresses,
        retention_days=values.get("retention_days") or _DEFAULTS.retention_days,
        milestones=tuple(values.get("milestones") or ()),
        email_texts=values.get("email_texts"),
    )


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
        values = _from_item(item)
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


class Store:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or aws.client("dynamodb")
        self._campaigns = settings().campaigns_table
        self._signatures = settings().signatures_table
        self._limits = settings().limits_table
        self._counters = settings().counters_table
        self._audit = settings().audit_table

    # ------------------------------------------------------------ campaigns
    def campaign(self, campaign_id: str, consistent: bool = False) -> Campaign | None:
        answer = self._client.get_item(
            TableName=self._campaigns, Key={"campaign_id": {"S": campaign_id}}, ConsistentRead=consistent
        )
        return _campaign_from_item(answer["Item"]) if "Item" in answer else None

    def campaigns(self) -> Iterator[Campaign]:
        pages = self._client.get_paginator("scan").paginate(TableName=self._campaigns)
        for page in pages:
            for item in page.get("Items", []):
                yield _campaign_from_item(item)

    def existing_campaign(self, campaign_id: str) -> Campaign:
        """The campaign, or `404 campaign_not_found` (also for ids that cannot exist)."""
        campaign = self.campaign(campaign_id) if is_campaign_id(campaign_id) else None
        if campaign is None:
            raise errors.campaign_not_found()
        return campaign

    def save_campaign(self, campaign: Campaign, now_iso: str, *, must_be_new: bool = False) -> None:
        """Writes a campaign's settings; never touches the count the tally keeps.
        With `must_be_new`, `409 campaign_exists` when the id is taken."""
        values = {name: getattr(campaign, name) for name in _CAMPAIGN_FIELDS}
        values["allowed_origins"] = list(campaign.allowed_origins)
        values["trusted_addresses"] = list(campaign.trusted_addresses)
        values["milestones"] = list(campaign.milestones)
        values["catalogue"] = CATALOGUE
        names = {f"#{name}": name for name in values}
        sets = [f"#{name} = :{name}" for name in values]
        expression_values = {f":{name}": _serialize(value) for name, value in values.items()}
        expression_values[":now"] = {"S": now_iso}
        request: dict[str, Any] = {}
        if must_be_new:
            request["ConditionExpression"] = "attribute_not_exists(campaign_id)"
        try:
            self._client.update_item(
                TableName=self._campaigns,
                Key={"campaign_id": {"S": campaign.id}},
                UpdateExpression="SET " + ", ".join(sets) + ", created_at = if_not_exists(created_at, :now), updated_at = :now",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=expression_values,
                **request,
            )
        except ClientError as error:
            if _condition_failed(error):
                raise errors.ApiError(409, "campaign_exists", "A campaign with this id exists already: update it, or choose another id.") from None
            raise

    def campaigns_page(self, limit: int, after: str | None) -> tuple[list[Campaign], str | None]:
        """Campaigns by id, a page at a time, from the catalogue index (a query, not a scan)."""
        request: dict[str, Any] = {
            "TableName": self._campaigns,
            "IndexName": CATALOGUE_INDEX,
            "KeyConditionExpression": "catalogue = :all",
            "ExpressionAttributeValues": {":all": {"S": CATALOGUE}},
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = {"catalogue": {"S": CATALOGUE}, "campaign_id": {"S": after}}
        answer = self._client.query(**request)
        ids = [item["campaign_id"]["S"] for item in answer.get("Items", [])]
        found: dict[str, Campaign] = {}
        if ids:
            keys = [{"campaign_id": {"S": campaign_id}} for campaign_id in ids]
            while keys:
                got = self._client.batch_get_item(RequestItems={self._campaigns: {"Keys": keys}})
                for item in got["Responses"].get(self._campaigns, []):
                    campaign = _campaign_from_item(item)
                    found[campaign.id] = campaign
                keys = got.get("UnprocessedKeys", {}).get(self._campaigns, {}).get("Keys", [])
        last = answer.get("LastEvaluatedKey")
        return [found[i] for i in ids if i in found], last["campaign_id"]["S"] if last else None

    def tally_position(self, campaign_id: str) -> tuple[int, int]:
        """(count, how many tally transactions have moved it), read consistently."""
        answer = self._client.get_item(
            TableName=self._campaigns,
            Key={"campaign_id": {"S": campaign_id}},
            ProjectionExpression="verified_count, tally_seq",
            ConsistentRead=True,
        )
        values = _from_item(answer.get("Item", {}))
        return values.get("verified_count", 0), values.get("tally_seq", 0)

    def correct_count(self, campaign_id: str, seen: tuple[int, int], counted: int, now_iso: str) -> bool:
        """Sets the count to the number of counted marks, unless the tally moved it since
        `seen` was read (then nothing is written: the caller looks again later)."""
        seen_count, seen_seq = seen
        answer = _if_condition_holds(
            self._client.update_item,
            TableName=self._campaigns,
            Key={"campaign_id": {"S": campaign_id}},
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

    # ------------------------------------------------------------ signatures
    def _key(self, campaign_id: str, signer: str) -> dict[str, Any]:
        return {"campaign_id": {"S": campaign_id}, "signer": {"S": signer}}

    def signature(self, campaign_id: str, signer: str) -> StoredSignature | None:
        answer = self._client.get_item(
            TableName=self._signatures, Key=self._key(campaign_id, signer), ConsistentRead=True
        )
        return StoredSignature.from_item(answer["Item"]) if "Item" in answer else None

    def start_signature(self, campaign_id: str, signer: str, fields: dict[str, Any], now: float) -> SignatureStart:
        """Stores a pending signature unless one stands for this signer already.

        A withdrawn or discarded signature, or a pending one past its expiry that TTL has not
        removed yet, is started afresh in place (keeping what the tally marked).
        """
        item = {"campaign_id": campaign_id, "signer": signer, **{k: v for k, v in fields.items() if v is not None}}
        try:
            self._client.put_item(
                TableName=self._signatures,
                Item=_to_item(item),
                ConditionExpression="attribute_not_exists(signer)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return SignatureStart(StoredSignature.from_item(_to_item(item)), started=True)
        except ClientError as error:
            if not _condition_failed(error):
                raise
            existing = StoredSignature.from_item(error.response["Item"])
        if existing.state in ERASED_STATES or (existing.state == "pending" and existing.expired(now)):
            restarted = self._restart(existing, fields)
            if restarted is not None:
                return SignatureStart(restarted, started=True)
            existing = self.signature(campaign_id, signer) or existing
        return SignatureStart(existing, started=False)

    def _restart(self, existing: StoredSignature, fields: dict[str, Any]) -> StoredSignature | None:
        present = {name: value for name, value in fields.items() if value is not None}
        absent = [
            name
            for name in (*PERSONAL_FIELDS, "source", "withdrawn_at", "verified_at", "quarantined", "released_at")
            if name not in present
        ]
        names = {f"#{name}": name for name in [*present, *absent]}
        names["#sid_now"] = "sid"
        values = {f":{name}": _serialize(value) for name, value in present.items()}
        values[":old_sid"] = {"S": existing.signature_id}
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in present)
        if absent:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in absent)
        answer = _if_condition_holds(
            self._client.update_item,
            TableName=self._signatures,
            Key=self._key(existing.campaign_id, existing.signer),
            UpdateExpression=expression,
            ConditionExpression="#sid_now = :old_sid",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        if answer is None:
            return None
        return StoredSignature.from_item(answer["Attributes"])

    def verify(
        self,
        campaign_id: str,
        signer: str,
        signature_id: str,
        now_iso: str,
        now: float,
        listed: bool,
        quarantined: bool = False,
    ) -> tuple[bool, StoredSignature | None]:
        """Marks a pending signature verified, or `quarantined` when it was submitted
        under suspicion (never counted, never listed, until an organiser releases it).
        (True, it) when this call did it; (False, what stands) otherwise, so the caller
        can tell repeat from expiry."""
        values = {
            ":pending": {"S": "pending"},
            ":now": {"S": now_iso},
            ":sid": {"S": signature_id},
            ":epoch": {"N": str(int(now))},
        }
        condition = "sid = :sid AND #state = :pending AND expires_at > :epoch"
        if quarantined:
            sets = ["#state = :quarantined", "verified_at = :now"]
            values[":quarantined"] = {"S": "quarantined"}
            values[":yes"] = {"BOOL": True}
            condition += " AND quarantined = :yes"
        else:
            sets = ["#state = :verified", "verified_at = :now"]
            values[":verified"] = {"S": "verified"}
            condition += " AND attribute_not_exists(quarantined)"
            if listed:
                sets += self._listing(campaign_id, signature_id, now, values)
        try:
            answer = self._client.update_item(
                TableName=self._signatures,
                Key=self._key(campaign_id, signer),
                UpdateExpression="SET " + ", ".join(sets) + " REMOVE expires_at",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            item = error.response.get("Item")
            return False, StoredSignature.from_item(item) if item else None
        return True, StoredSignature.from_item(answer["Attributes"])

    @staticmethod
    def _listing(campaign_id: str, signature_id: str, now: float, values: dict[str, Any]) -> list[str]:
        """The SET clauses that put a signature on the public list (sparse index)."""
        values[":campaign"] = {"S": campaign_id}
        # Microseconds and the signature id: a unique sort key, newest first.
        moment = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values[":listed_at"] = {"S": f"{moment}#{signature_id}"}
        return ["listed_in = :campaign", "listed_at = :listed_at"]

    def release_quarantined(self, campaign_id: str, signer: str, now_iso: str, now: float) -> bool:
        """An organiser's review found a quarantined signature genuine: it becomes
        verified (so the tally counts it) and is listed if its signer agreed.
        False when it is not (or no longer) quarantined."""
        current = self.signature(campaign_id, signer)
        if current is None or current.state != "quarantined":
            return False
        values = {
            ":quarantined": {"S": "quarantined"},
            ":verified": {"S": "verified"},
            ":now": {"S": now_iso},
            ":sid": {"S": current.signature_id},
        }
        sets = ["#state = :verified", "released_at = :now"]
        if current.attributes.get("public"):
            sets += self._listing(campaign_id, current.signature_id, now, values)
        answer = _if_condition_holds(
            self._client.update_item,
            TableName=self._signatures,
            Key=self._key(campaign_id, signer),
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE quarantined, caller_hash",
            ConditionExpression="sid = :sid AND #state = :quarantined",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values,
        )
        return answer is not None

    def discard_signature(self, campaign_id: str, signer: str, now_iso: str) -> bool:
        """An organiser's review found a signature fake: erased like a withdrawal (and
        out of the count if it ever was in), marked `discarded`. False when none stands."""
        current = self.signature(campaign_id, signer)
        if current is None:
            return False
        return self._erase(campaign_id, signer, current.signature_id, "discarded", "discarded_at", now_iso)

    def withdraw(self, campaign_id: str, signer: str, signature_id: str, now_iso: str) -> bool:
        """Erases the signer's personal data and marks the signature withdrawn; the tally
        takes it out of the count when it sees the change. Safe to repeat. False when
        no signature with this id stands (the token is stale)."""
        return self._erase(campaign_id, signer, signature_id, "withdrawn", "withdrawn_at", now_iso)

    def _erase(self, campaign_id: str, signer: str, signature_id: str, state: str, stamp: str, now_iso: str) -> bool:
        answer = _if_condition_holds(
            self._client.update_item,
            TableName=self._signatures,
            Key=self._key(campaign_id, signer),
            UpdateExpression=(
                f"SET #state = :state, {stamp} = if_not_exists({stamp}, :now) REMOVE "
                + ", ".join(f"#{name}" for name in _ERASED_ON_WITHDRAWAL)
            ),
            ConditionExpression="sid = :sid",
            ExpressionAttributeNames={"#state": "state", **{f"#{name}": name for name in _ERASED_ON_WITHDRAWAL}},
            ExpressionAttributeValues={
                ":state": {"S": state},
                ":now": {"S": now_iso},
                ":sid": {"S": signature_id},
            },
        )
        return answer is not None

    def signatures_to_anonymise(self, campaign_id: str) -> Iterator[str]:
        """The signers of a campaign's signatures that still hold personal data."""
        names = {f"#{name}": name for name in _ERASED_ON_ANONYMISATION}
        pages = self._client.get_paginator("query").paginate(
            TableName=self._signatures,
            KeyConditionExpression="campaign_id = :campaign",
            FilterExpression=" OR ".join(f"attribute_exists(#{name})" for name in _ERASED_ON_ANONYMISATION),
            ProjectionExpression="signer",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={":campaign": {"S": campaign_id}},
        )
        for page in pages:
            for item in page.get("Items", []):
                yield item["signer"]["S"]

    def anonymise(self, campaign_id: str, signer: str, now_iso: str) -> None:
        """Erases a signature's personal data and public listing after the retention
        period. The state and the tally's `counted` mark are left alone: the count stays."""
        try:
            self._client.update_item(
                TableName=self._signatures,
                Key=self._key(campaign_id, signer),
                UpdateExpression="SET anonymised_at = :now REMOVE "
                + ", ".join(f"#{name}" for name in _ERASED_ON_ANONYMISATION),
                # Never recreate an item that expired meanwhile.
                ConditionExpression="attribute_exists(signer)",
                ExpressionAttributeNames={f"#{name}": name for name in _ERASED_ON_ANONYMISATION},
                ExpressionAttributeValues={":now": {"S": now_iso}},
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    # The retention job's own record (in the limits table: only the tally writes to the
    # campaigns table, where the count lives).
    def anonymised_at(self, campaign_id: str) -> str | None:
        """When the retention job last finished anonymising this campaign, if lately."""
        answer = self._client.get_item(TableName=self._limits, Key={"id": {"S": f"retention#{campaign_id}"}})
        return answer.get("Item", {}).get("anonymised_at", {}).get("S")

    def mark_anonymised(self, campaign_id: str, now_iso: str, expires_at: int) -> None:
        self._client.put_item(
            TableName=self._limits,
            Item={
                "id": {"S": f"retention#{campaign_id}"},
                "anonymised_at": {"S": now_iso},
                "expires_at": {"N": str(expires_at)},
            },
        )

    def public_signatories(self, campaign_id: str, limit: int, before: str | None) -> PublicPage:
        """Newest first. `before` is the `listed_at` of the last item already shown."""
        condition = "listed_in = :campaign"
        values: dict[str, Any] = {":campaign": {"S": campaign_id}}
        if before is not None:
            condition += " AND listed_at < :before"
            values[":before"] = {"S": before}
        answer = self._client.query(
            TableName=self._signatures,
            IndexName=PUBLIC_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ScanIndexForward=False,
            # One more than shown: whether it comes tells if there is a next page.
            Limit=limit + 1,
        )
        items = [_from_item(item) for item in answer.get("Items", [])]
        shown = items[:limit]
        return PublicPage(items=shown, next_before=shown[-1]["listed_at"] if len(items) > limit else None)

    # ------------------------------------------------------------ limits
    def add_hits(self, counter: str, names: Sequence[str], expires_at: int) -> dict[str, int]:
        """Adds one to each named count of a counter item (atomically, whichever instance
        asks) that lives until `expires_at` (TTL); returns their new values."""
        placeholders = {f"#count{number}": name for number, name in enumerate(names)}
        answer = self._client.update_item(
            TableName=self._limits,
            Key={"id": {"S": counter}},
            UpdateExpression="ADD " + ", ".join(f"{placeholder} :one" for placeholder in placeholders)
            + " SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeNames=placeholders,
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
        return {name: int(answer["Attributes"][name]["N"]) for name in names}

    def claim_once(self, name: str, expires_at: int) -> bool:
        """Records a single-use name (a solved challenge) until `expires_at`, when what it
        names expires too; False when it was recorded before."""
        answer = _if_condition_holds(
            self._client.put_item,
            TableName=self._limits,
            Item={"id": {"S": name}, "expires_at": {"N": str(expires_at)}},
            ConditionExpression="attribute_not_exists(id)",
        )
        return answer is not None

    # ------------------------------------------------------------ organisers
    def signatures_page(
        self, campaign_id: str, limit: int, after: str | None, *, states: tuple[str, ...] = (), fields: tuple[str, ...] = ()
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a campaign's signatures (a query on its partition), optionally only
        in some states and only some fields. A page may hold fewer than `limit` items when
        a state filter applies; `after` continues from the last signer read."""
        request: dict[str, Any] = {
            "TableName": self._signatures,
            "KeyConditionExpression": "campaign_id = :campaign",
            "ExpressionAttributeValues": {":campaign": {"S": campaign_id}},
            "ExpressionAttributeNames": {},
            "Limit": limit,
        }
        if states:
            request["FilterExpression"] = "#state IN (" + ", ".join(f":state{i}" for i in range(len(states))) + ")"
            request["ExpressionAttributeNames"]["#state"] = "state"
            request["ExpressionAttributeValues"].update({f":state{i}": {"S": state} for i, state in enumerate(states)})
        if fields:
            # DynamoDB refuses a projection that names an attribute twice.
            wanted = tuple(dict.fromkeys(("signer", "sid", "state", *fields)))
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(wanted)))
            request["ExpressionAttributeNames"].update({f"#p{i}": name for i, name in enumerate(wanted)})
        if not request["ExpressionAttributeNames"]:
            del request["ExpressionAttributeNames"]
        if after:
            request["ExclusiveStartKey"] = self._key(campaign_id, after)
        answer = self._client.query(**request)
        last = answer.get("LastEvaluatedKey")
        return [_from_item(item) for item in answer.get("Items", [])], last["signer"]["S"] if last else None

    def hide_signature(self, campaign_id: str, signer: str) -> bool:
        """Takes a signature off the public list for good (it stays counted). False if there is none."""
        answer = _if_condition_holds(
            self._client.update_item,
            TableName=self._signatures,
            Key=self._key(campaign_id, signer),
            UpdateExpression="SET #hidden = :yes REMOVE listed_in, listed_at",
            ConditionExpression="attribute_exists(signer)",
            ExpressionAttributeNames={"#hidden": "hidden"},
            ExpressionAttributeValues={":yes": {"BOOL": True}},
        )
        return answer is not None

    def invalidate_page(
        self, campaign_id: str, match: dict[str, Any], after: str | None, now_iso: str, limit: int = 200
    ) -> tuple[int, str | None]:
        """Ends, like a withdrawal (state `invalidated`), the signatures of one page that match
        every given criterion: `domain_hash`, `caller_hash`, `created_from`/`created_until`
        (ISO instants, inclusive). The tally takes the counted ones out of the count.
        Returns (how many ended, where the next page starts)."""
        items, next_after = self.signatures_page(
            campaign_id, limit, after, states=INVALIDATABLE_STATES, fields=("domain_hash", "caller_hash", "created_at")
        )
        ended = 0
        for item in items:
            if not _matches(item, match):
                continue
            if self._end_signature(campaign_id, item["signer"], "invalidated", now_iso, INVALIDATABLE_STATES, item.get("sid")):
                ended += 1
        return ended, next_after

    def _end_signature(
        self, campaign_id: str, signer: str, state: str, now_iso: str, from_states: tuple[str, ...], sid: str | None = None
    ) -> dict[str, Any] | None:
        names = {"#state": "state", **{f"#{name}": name for name in _ERASED_ON_WITHDRAWAL}}
        values: dict[str, Any] = {":end": {"S": state}, ":now": {"S": now_iso}}
        values.update({f":from{i}": {"S": old} for i, old in enumerate(from_states)})
        condition = "#state IN (" + ", ".join(f":from{i}" for i in range(len(from_states))) + ")"
        if sid:
            condition += " AND sid = :sid"
            values[":sid"] = {"S": sid}
        answer = _if_condition_holds(
            self._client.update_item,
            TableName=self._signatures,
            Key=self._key(campaign_id, signer),
            UpdateExpression="SET #state = :end, ended_at = :now REMOVE " + ", ".join(f"#{n}" for n in _ERASED_ON_WITHDRAWAL),
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        if answer is None:
            return None
        return _from_item(answer["Attributes"])

    def record_audit(self, campaign_id: str, entry: dict[str, Any], now: datetime) -> None:
        """One admin action in the audit log: who, what, when (never personal data of signers)."""
        # Microseconds in the sort key keep one caller's actions in order; the suffix keeps keys unique.
        moment = now.astimezone(timezone.utc)
        at = f"{moment:%Y-%m-%dT%H:%M:%S.%f}Z#{secrets.token_hex(4)}"
        item = {"campaign_id": campaign_id, "at": at, "when": f"{moment:%Y-%m-%dT%H:%M:%SZ}", **entry}
        self._client.put_item(TableName=self._audit, Item=_to_item({k: v for k, v in item.items() if v is not None}))

    def audit_page(self, campaign_id: str, limit: int, before: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """A campaign's audit entries, newest first."""
        request: dict[str, Any] = {
            "TableName": self._audit,
            "KeyConditionExpression": "campaign_id = :campaign",
            "ExpressionAttributeValues": {":campaign": {"S": campaign_id}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if before:
            request["ExclusiveStartKey"] = {"campaign_id": {"S": campaign_id}, "at": {"S": before}}
        answer = self._client.query(**request)
        last = answer.get("LastEvaluatedKey")
        return [_from_item(item) for item in answer.get("Items", [])], last["at"]["S"] if last else None

    # ------------------------------------------------------------ tally
    def apply_tally(self, campaign_id: str, marks: Iterable[Mark | tuple[str, bool]], now_iso: str) -> int:
        """Sets each signature's `counted` mark and moves the count, the per-source counts
        and the hourly history by the marks that changed, in one transaction: a mark
        already set (a redelivered record), or one whose signature has changed state since
        (a stale record), is dropped, so nothing is counted twice. Returns the change
        applied to the count."""
        pending = {mark[0]: Mark(*mark) for mark in marks}
        while pending:
            delta = sum(1 if mark.counted else -1 for mark in pending.values())
            actions = [self._mark_action(campaign_id, mark) for mark in pending.values()]
            actions += self._counter_actions(campaign_id, pending.values())
            actions.append(self._count_action(campaign_id, delta, now_iso))
            try:
                self._client.transact_write_items(TransactItems=actions)
                return delta
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                stale = [
                    signer
                    for signer, reason in zip(pending, reasons)
                    if reason.get("Code") == "ConditionalCheckFailed"
                ]
                if not stale:
                    raise
                for signer in stale:
                    del pending[signer]
        return 0

    def _mark_action(self, campaign_id: str, mark: Mark) -> dict[str, Any]:
        # The mark moves only when the signature stands as the record said: a stale record
        # (a late duplicate of a batch already passed, or a recount's read overtaken by a
        # change) finds the state moved on and is dropped; its newer record decides.
        states = {f":counted_state{number}": {"S": state} for number, state in enumerate(sorted(COUNTED_STATES))}
        in_counted_state = f"#state IN ({', '.join(states)})"
        update: dict[str, Any] = {
            "TableName": self._signatures,
            "Key": self._key(campaign_id, mark.signer),
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": states,
        }
        if mark.counted:
            # The mark records the hour and source it was counted under, to take down the same.
            recorded = {name: value for name, value in (("counted_hour", mark.hour), ("counted_source", mark.source)) if value}
            update["UpdateExpression"] = "SET counted = :yes" + "".join(f", {name} = :{name}" for name in recorded)
            update["ConditionExpression"] = f"attribute_not_exists(counted) AND {in_counted_state}"
            update["ExpressionAttributeValues"] = {
                **states,
                ":yes": {"BOOL": True},
                **{f":{name}": {"S": value} for name, value in recorded.items()},
            }
        else:
            update["UpdateExpression"] = "REMOVE counted, counted_hour, counted_source"
            update["ConditionExpression"] = f"attribute_exists(counted) AND NOT {in_counted_state}"
        return {"Update": update}

    def _counter_actions(self, campaign_id: str, marks: Iterable[Mark]) -> list[dict[str, Any]]:
        deltas: dict[str, int] = {}
        for mark in marks:
            for counter in mark.counters():
                deltas[counter] = deltas.get(counter, 0) + (1 if mark.counted else -1)
        return [
            {
                "Update": {
                    "TableName": self._counters,
                    "Key": {"campaign_id": {"S": campaign_id}, "counter": {"S": counter}},
                    "UpdateExpression": "ADD n :delta",
                    "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
                }
            }
            for counter, delta in deltas.items()
            if delta
        ]

    def _count_action(self, campaign_id: str, delta: int, now_iso: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._campaigns,
                "Key": {"campaign_id": {"S": campaign_id}},
                # tally_seq: how many times the count moved, so that a recount can tell
                # whether the tally moved it while it was counting.
                "UpdateExpression": "ADD verified_count :delta, tally_seq :one SET count_updated_at = :now",
                "ExpressionAttributeValues": {":delta": {"N": str(delta)}, ":one": {"N": "1"}, ":now": {"S": now_iso}},
            }
        }

    def _counters_between(self, campaign_id: str, low: str, high: str) -> dict[str, int]:
        request: dict[str, Any] = {
            "TableName": self._counters,
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

    def source_counts(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per partner tag (tags whose count fell to 0 left out)."""
        found = self._counters_between(campaign_id, "source#", "source#\uffff")
        return {name.removeprefix("source#"): n for name, n in sorted(found.items()) if n}

    def hourly_counts(self, campaign_id: str, first_hour: str, last_hour: str) -> dict[str, int]:
        """Verified signatures per hour ("2026-11-28T13"), for hours with any, inclusive."""
        found = self._counters_between(campaign_id, f"hour#{first_hour}", f"hour#{last_hour}")
        return {name.removeprefix("hour#"): n for name, n in found.items() if n}

    # ------------------------------------------------------------ milestones
    def announced_milestones(self, campaign_id: str) -> set[int]:
        found = self._counters_between(campaign_id, "milestone#", "milestone#\uffff")
        return {int(name.removeprefix("milestone#")) for name in found}

    def claim_milestone(self, campaign_id: str, milestone: int, now_iso: str) -> bool:
        """Records that a milestone is being announced; False if it was, by anyone, before."""
        answer = _if_condition_holds(
            self._client.put_item,
            TableName=self._counters,
            Item={
                "campaign_id": {"S": campaign_id},
                "counter": {"S": f"milestone#{milestone:012d}"},
                "announced_at": {"S": now_iso},
            },
            ConditionExpression="attribute_not_exists(campaign_id)",
        )
        return answer is not None

    def release_milestone(self, campaign_id: str, milestone: int) -> None:
        """Forgets a claim whose announcement failed, so the retry announces it."""
        self._client.delete_item(
            TableName=self._counters,
            Key={"campaign_id": {"S": campaign_id}, "counter": {"S": f"milestone#{milestone:012d}"}},
        )

def _matches(item: dict[str, Any], match: dict[str, Any]) -> bool:
    """Whether a signature meets every given invalidation criterion (at least one is given)."""
    created = item.get("created_at") or ""
    checks = [
        match.get("domain_hash") is None or item.get("domain_hash") == match["domain_hash"],
        match.get("caller_hash") is None or item.get("caller_hash") == match["caller_hash"],
        match.get("created_from") is None or created >= match["created_from"],
        match.get("created_until") is None or created <= match["created_until"],
    ]
    return any(value is not None for value in match.values()) and all(checks)


def encode_key(value: str) -> str:
    """An opaque cursor for a key or sort key the caller hands back."""
    return base64.urlsafe_b64encode(value.encode()).rstrip(b"=").decode()


def decode_key(cursor: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode() or None
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def encode_cursor(listed_at: str) -> str:
    return base64.urlsafe_b64encode(listed_at.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    # A cursor we made is "<ISO instant>#<signature id>".
    return text if "#" in text and text[:4].isdigit() and len(text) < 100 else None
