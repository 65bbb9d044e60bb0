"""The limits table: a short-lived ledger of counts and claims that expire by TTL.

Rate-limit and mail counters (`rate#…`, `mail#…`), single-use names such as a solved
challenge, the sender's record of each outbox message it emailed (`sent#…`), and the
retention job's record of a finished campaign (`retention#…`: only the tally writes to
the campaigns table, where the count lives).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Iterable, Mapping, Sequence

from botocore.exceptions import ClientError

from undersigned import config
from undersigned.store import dynamo

LIMITS_TABLE = config.setting("LIMITS_TABLE")


def _key(name: str) -> dict[str, Any]:
    return {"id": {"S": name}}


class Delivery(StrEnum):
    """Where an outbox message stands: this caller may send it now, it was sent, or
    another instance is sending it (a duplicate delivery) and holds it until its lease ends."""

    CLAIMED = "claimed"
    SENT = "sent"
    BUSY = "busy"


def _adding(names: Iterable[str], value: str) -> tuple[str, dict[str, str]]:
    """`ADD #count0 value, #count1 value, ...` and its placeholders for the named counts."""
    placeholders = {f"#count{number}": name for number, name in enumerate(names)}
    return "ADD " + ", ".join(f"{placeholder} {value}" for placeholder in placeholders), placeholders


class Ledger:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = LIMITS_TABLE.value

    def add_hits(self, counter: str, names: Sequence[str], expires_at: int) -> dict[str, int]:
        """Adds one to each named count of a counter item (atomically, whichever instance
        asks) that lives until `expires_at` (TTL); returns their new values."""
        adding, placeholders = _adding(names, ":one")
        answer = self._client.update_item(
            TableName=self.table,
            Key=_key(counter),
            UpdateExpression=adding + " SET expires_at = if_not_exists(expires_at, :expires)",
            ExpressionAttributeNames=placeholders,
            ExpressionAttributeValues={":one": {"N": "1"}, ":expires": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW",
        )
        return {name: int(answer["Attributes"][name]["N"]) for name in names}

    def add_within(self, counter: str, caps: Mapping[str, int], expires_at: int) -> bool:
        """Adds one to each named count of a counter item, only if every one is still
        below its cap (one conditional write, so concurrent callers never pass a cap);
        False, adding nothing, when one is reached."""
        adding, placeholders = _adding(caps, ":one")
        values: dict[str, Any] = {":one": {"N": "1"}, ":expires": {"N": str(expires_at)}}
        below = []
        for number, name in enumerate(caps):
            values[f":cap{number}"] = {"N": str(caps[name])}
            below.append(f"(attribute_not_exists(#count{number}) OR #count{number} < :cap{number})")
        answer = dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=_key(counter),
            UpdateExpression=adding + " SET expires_at = if_not_exists(expires_at, :expires)",
            ConditionExpression=" AND ".join(below),
            ExpressionAttributeNames=placeholders,
            ExpressionAttributeValues=values,
        )
        return answer is not None

    def take_back(self, counter: str, names: Sequence[str]) -> None:
        """Undoes one `add_within` (what it counted did not happen after all)."""
        adding, placeholders = _adding(names, ":minus")
        self._client.update_item(
            TableName=self.table,
            Key=_key(counter),
            UpdateExpression=adding,
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeNames=placeholders,
            ExpressionAttributeValues={":minus": {"N": "-1"}},
        )

    def claim_delivery(self, message_id: str, now: int, lease_until: int, expires_at: int) -> Delivery:
        """Claims an outbox message for sending until `lease_until` (a claim whose lease
        ended is an instance that died mid-send: it may be claimed again). Kept until
        `expires_at`, past the last redelivery the queue's retention allows."""
        try:
            self._client.put_item(
                TableName=self.table,
                Item={
                    **_key(f"sent#{message_id}"),
                    "delivery": {"S": Delivery.CLAIMED},
                    "lease_until": {"N": str(lease_until)},
                    "expires_at": {"N": str(expires_at)},
                },
                ConditionExpression="attribute_not_exists(id) OR (delivery = :claimed AND lease_until < :now)",
                ExpressionAttributeValues={":claimed": {"S": Delivery.CLAIMED}, ":now": {"N": str(now)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not dynamo.condition_failed(error):
                raise
            standing = error.response.get("Item", {}).get("delivery", {}).get("S")
            return Delivery.SENT if standing == Delivery.SENT else Delivery.BUSY
        return Delivery.CLAIMED

    def mark_delivered(self, message_id: str) -> None:
        """The claimed message was sent: a redelivery of it finds it `SENT` and sends nothing."""
        self._client.update_item(
            TableName=self.table,
            Key=_key(f"sent#{message_id}"),
            UpdateExpression="SET delivery = :sent REMOVE lease_until",
            ExpressionAttributeValues={":sent": {"S": Delivery.SENT}},
        )

    def release_delivery(self, message_id: str) -> None:
        """The claimed message was not sent: its next delivery may claim it at once."""
        dynamo.if_condition_holds(
            self._client.delete_item,
            TableName=self.table,
            Key=_key(f"sent#{message_id}"),
            ConditionExpression="delivery = :claimed",
            ExpressionAttributeValues={":claimed": {"S": Delivery.CLAIMED}},
        )

    def claim_once(self, name: str, expires_at: int) -> bool:
        """Records a single-use name (a solved challenge) until `expires_at`, when what it
        names expires too; False when it was recorded before."""
        answer = dynamo.if_condition_holds(
            self._client.put_item,
            TableName=self.table,
            Item={**_key(name), "expires_at": {"N": str(expires_at)}},
            ConditionExpression="attribute_not_exists(id)",
        )
        return answer is not None

    def anonymised_at(self, campaign_id: str) -> str | None:
        """When the retention job last finished anonymising this campaign, if lately."""
        answer = self._client.get_item(TableName=self.table, Key=_key(f"retention#{campaign_id}"))
        return answer.get("Item", {}).get("anonymised_at", {}).get("S")

    def mark_anonymised(self, campaign_id: str, now_iso: str, expires_at: int) -> None:
        self._client.put_item(
            TableName=self.table,
            Item={**_key(f"retention#{campaign_id}"), "anonymised_at": {"S": now_iso}, "expires_at": {"N": str(expires_at)}},
        )
