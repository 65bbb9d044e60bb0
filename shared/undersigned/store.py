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
from typing import Any, Iterable

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from undersigned import aws, errors
from undersigned.campaign import Campaign, is_campaign_id
from undersigned.config import settings
from undersigned.tally import COUNTED_STATES

PUBLIC_INDEX = "PublicSignatories"
PERSONAL_FIELDS = ("name", "email", "organisation", "role", "country", "comment", "locale")
# What a withdrawal removes: the personal data, the public listing and the expiry.
_ERASED_ON_WITHDRAWAL = (*PERSONAL_FIELDS, "public", "updates", "listed_in", "listed_at", "expires_at")
_CAMPAIGN_FIELDS = (
    "title", "statement", "goal", "closes_at", "closed", "allowed_origins",
    "thank_you_url", "public_signatories", "sender_name",
)
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

    # ------------------------------------------------------------ campaigns
    def campaign(self, campaign_id: str) -> Campaign | None:
        answer = self._client.get_item(TableName=self._campaigns, Key={"campaign_id": {"S": campaign_id}})
        if "Item" not in answer:
            return None
        values = _from_item(answer["Item"])
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
        )

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

        A withdrawn signature, or a pending one past its expiry that TTL has not
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
        if existing.state == "withdrawn" or (existing.state == "pending" and existing.expired(now)):
            restarted = self._restart(existing, fields)
            if restarted is not None:
                return SignatureStart(restarted, started=True)
            existing = self.signature(campaign_id, signer) or existing
        return SignatureStart(existing, started=False)

    def _restart(self, existing: StoredSignature, fields: dict[str, Any]) -> StoredSignature | None:
        present = {name: value for name, value in fields.items() if value is not None}
        absent = [name for name in (*PERSONAL_FIELDS, "source", "withdrawn_at", "verified_at") if name not in present]
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
        self, campaign_id: str, signer: str, signature_id: str, now_iso: str, now: float, listed: bool
    ) -> tuple[bool, StoredSignature | None]:
        """Marks a pending signature verified. (True, it) when this call did it;
        (False, what stands) otherwise, so the caller can tell repeat from expiry."""
        sets = ["#state = :verified", "verified_at = :now"]
        values = {
            ":verified": {"S": "verified"},
            ":pending": {"S": "pending"},
            ":now": {"S": now_iso},
            ":sid": {"S": signature_id},
            ":epoch": {"N": str(int(now))},
        }
        if listed:
            sets += ["listed_in = :campaign", "listed_at = :listed_at"]
            values[":campaign"] = {"S": campaign_id}
            # Microseconds and the signature id: a unique sort key, newest first.
            moment = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            values[":listed_at"] = {"S": f"{moment}#{signature_id}"}
        try:
            answer = self._client.update_item(
                TableName=self._signatures,
                Key=self._key(campaign_id, signer),
                UpdateExpression="SET " + ", ".join(sets) + " REMOVE expires_at",
                ConditionExpression="sid = :sid AND #state = :pending AND expires_at > :epoch",
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

    def withdraw(self, campaign_id: str, signer: str, signature_id: str, now_iso: str) -> bool:
        """Erases the signer's personal data and marks the signature withdrawn; the tally
        takes it out of the count when it sees the change. Safe to repeat. False when
        no signature with this id stands (the token is stale)."""
        try:
            self._client.update_item(
                TableName=self._signatures,
                Key=self._key(campaign_id, signer),
                UpdateExpression=(
                    "SET #state = :withdrawn, withdrawn_at = if_not_exists(withdrawn_at, :now) REMOVE "
                    + ", ".join(f"#{name}" for name in _ERASED_ON_WITHDRAWAL)
                ),
                ConditionExpression="sid = :sid",
                ExpressionAttributeNames={"#state": "state", **{f"#{name}": name for name in _ERASED_ON_WITHDRAWAL}},
                ExpressionAttributeValues={
                    ":withdrawn": {"S": "withdrawn"},
                    ":now": {"S": now_iso},
                    ":sid": {"S": signature_id},
                },
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

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
