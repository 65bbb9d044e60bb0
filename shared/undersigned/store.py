"""The only code that knows DynamoDB's keys, attributes and expressions.

Campaigns table: one item per campaign (its settings, and the count the tally keeps).
Signatures table: one item per (campaign, signer), where `signer` is a keyed hash of
the canonical address, so the database enforces one signature per address with a
conditional write and nobody reads an address off a key.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Sequence

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from undersigned import aws, errors
from undersigned.campaign import Campaign, is_campaign_id
from undersigned.config import settings
from undersigned.tally import COUNTED_STATES

PUBLIC_INDEX = "PublicSignatories"
# States whose personal data is gone; the signer may sign afresh.
ERASED_STATES = frozenset({"withdrawn", "discarded"})
PERSONAL_FIELDS = ("name", "email", "organisation", "role", "country", "comment", "locale")
# What a withdrawal removes: the personal data, the public listing and the expiry.
_ERASED_ON_WITHDRAWAL = (*PERSONAL_FIELDS, "public", "updates", "listed_in", "listed_at", "expires_at")
_CAMPAIGN_FIELDS = (
    "title", "statement", "goal", "closes_at", "closed", "allowed_origins",
    "thank_you_url", "public_signatories", "sender_name",
    "burst_limit", "hourly_limit", "trusted_addresses", "human_check", "disposable_addresses", "retention_days",
)
_DEFAULTS = Campaign(id="defaults", title="", statement="")
# What anonymisation removes after the retention period: the personal data and the
# public listing; the state and the tally's mark stay, so the count does not move.
_ERASED_ON_ANONYMISATION = (*PERSONAL_FIELDS, "listed_in", "listed_at")
_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def _to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serialize(value) for key, value in values.items()}


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    plain = {key: _deserialize(value) for key, value in item.items()}
    # Numbers come back as Decimal; every number we store is a whole one.
    return {key: int(value) if type(value).__name__ == "Decimal" else value for key, value in plain.items()}


def _condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


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

    # ------------------------------------------------------------ campaigns
    def campaign(self, campaign_id: str) -> Campaign | None:
        answer = self._client.get_item(TableName=self._campaigns, Key={"campaign_id": {"S": campaign_id}})
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

    def save_campaign(self, campaign: Campaign, now_iso: str) -> None:
        """Writes a campaign's settings; never touches the count the tally keeps."""
        values = {name: getattr(campaign, name) for name in _CAMPAIGN_FIELDS}
        values["allowed_origins"] = list(campaign.allowed_origins)
        values["trusted_addresses"] = list(campaign.trusted_addresses)
        names = {f"#{name}": name for name in values}
        sets = [f"#{name} = :{name}" for name in values]
        expression_values = {f":{name}": _serialize(value) for name, value in values.items()}
        expression_values[":now"] = {"S": now_iso}
        self._client.update_item(
            TableName=self._campaigns,
            Key={"campaign_id": {"S": campaign.id}},
            UpdateExpression="SET " + ", ".join(sets) + ", created_at = if_not_exists(created_at, :now), updated_at = :now",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=expression_values,
        )

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
        try:
            answer = self._client.update_item(
                TableName=self._signatures,
                Key=self._key(existing.campaign_id, existing.signer),
                UpdateExpression=expression,
                ConditionExpression="#sid_now = :old_sid",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _condition_failed(error):
                return None
            raise
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
        try:
            self._client.update_item(
                TableName=self._signatures,
                Key=self._key(campaign_id, signer),
                UpdateExpression="SET " + ", ".join(sets) + " REMOVE quarantined",
                ConditionExpression="sid = :sid AND #state = :quarantined",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

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
        try:
            self._client.update_item(
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
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

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
        try:
            self._client.put_item(
                TableName=self._limits,
                Item={"id": {"S": name}, "expires_at": {"N": str(expires_at)}},
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    # ------------------------------------------------------------ tally
    def apply_tally(self, campaign_id: str, marks: Iterable[tuple[str, bool]], now_iso: str) -> int:
        """Sets each signature's `counted` mark and moves the count by the marks that
        changed, in one transaction: a mark already set (a redelivered record), or one
        whose signature has changed state since (a stale record), is dropped, so nothing
        is counted twice. Returns the change applied."""
        pending = dict(marks)
        while pending:
            delta = sum(1 if counted else -1 for counted in pending.values())
            actions = [self._mark_action(campaign_id, signer, counted) for signer, counted in pending.items()]
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

    def _mark_action(self, campaign_id: str, signer: str, counted: bool) -> dict[str, Any]:
        # The mark moves only when the signature stands as the record said: a stale record
        # (a late duplicate of a batch already passed) finds the state moved on and is dropped,
        # instead of counting a signature withdrawn since, until a later batch corrects it.
        states = {f":counted_state{number}": {"S": state} for number, state in enumerate(sorted(COUNTED_STATES))}
        in_counted_state = f"#state IN ({', '.join(states)})"
        update: dict[str, Any] = {
            "TableName": self._signatures,
            "Key": self._key(campaign_id, signer),
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": states,
        }
        if counted:
            update["UpdateExpression"] = "SET counted = :yes"
            update["ConditionExpression"] = f"attribute_not_exists(counted) AND {in_counted_state}"
            update["ExpressionAttributeValues"] = {**states, ":yes": {"BOOL": True}}
        else:
            update["UpdateExpression"] = "REMOVE counted"
            update["ConditionExpression"] = f"attribute_exists(counted) AND NOT {in_counted_state}"
        return {"Update": update}

    def _count_action(self, campaign_id: str, delta: int, now_iso: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._campaigns,
                "Key": {"campaign_id": {"S": campaign_id}},
                "UpdateExpression": "ADD verified_count :delta SET count_updated_at = :now",
                "ExpressionAttributeValues": {":delta": {"N": str(delta)}, ":now": {"S": now_iso}},
            }
        }


def encode_cursor(listed_at: str) -> str:
    return base64.urlsafe_b64encode(listed_at.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    # A cursor we made is "<ISO instant>#<signature id>".
    return text if "#" in text and text[:4].isdigit() and len(text) < 100 else None
