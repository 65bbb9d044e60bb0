"""The limits table: a short-lived ledger of counts and claims that expire by TTL.

Rate-limit counters (`rate#…`), mail counters (`mail#…`, which also hold the sender's
claim on each outbox message it emails and its mark once sent), single-use names such as a
solved challenge, and the retention job's record of a finished campaign (`retention#…`:
only the tally writes to the campaigns table, where the count lives).
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
    """Where an outbox message's email stands: this caller may send it now (counted against
    the caps), it was sent, another instance is sending it (a duplicate delivery) and holds
    it until its lease ends, or the caps are reached."""

    CLAIMED = "claimed"
    SENT = "sent"
    BUSY = "busy"
    CAPPED = "capped"


# A mail counter's attribute holding the ids of the messages it counted that were sent.
_SENT = "sent"


def _lease(message_id: str) -> str:
    """A mail counter's attribute holding a message's lease while it is being sent."""
    return f"lease#{message_id}"


def _lease_names(message_id: str) -> dict[str, str]:
    return {"#lease": _lease(message_id)}


def _claim_names(message_id: str) -> dict[str, str]:
    return {**_lease_names(message_id), "#sent": _SENT}


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

    def claim_email(
        self, counter: str, message_id: str, caps: Mapping[str, int], now: int, lease_until: int, expires_at: int
    ) -> Delivery:
        """Claims an outbox message's email for sending until `lease_until` and counts it
        against each of the counter item's caps, in one conditional write: only if the
        message is neither sent nor held and every count is below its cap, so concurrent
        deliveries never pass a cap nor send one message twice. `CAPPED` adds nothing.

        The counter item keeps the marks of the messages it counted (`sent`, a set of their
        ids) and a lease per message being sent, so each claim keeps it until `expires_at`,
        past the last redelivery the queue's retention allows from then. The ids and leases
        it holds are at most the address's daily cap in number (a claim past a cap writes
        nothing): the item stays within one write unit."""
        adding, placeholders = _adding(caps, ":one")
        values: dict[str, Any] = {
            ":one": {"N": "1"},
            ":lease": {"N": str(lease_until)},
            ":message": {"S": message_id},
            ":expires": {"N": str(expires_at)},
        }
        below = []
        for number, (count, cap) in enumerate(zip(placeholders, caps.values())):
            values[f":cap{number}"] = {"N": str(cap)}
            below.append(f"(attribute_not_exists({count}) OR {count} < :cap{number})")
        try:
            self._client.update_item(
                TableName=self.table,
                Key=_key(counter),
                UpdateExpression=adding + " SET #lease = :lease, expires_at = :expires",
                ConditionExpression=" AND ".join(["attribute_not_exists(#lease)", "NOT contains(#sent, :message)", *below]),
                ExpressionAttributeNames={**placeholders, **_claim_names(message_id)},
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not dynamo.condition_failed(error):
                raise
            return self._claim_refused(counter, message_id, error.response.get("Item", {}), now, lease_until, expires_at)
        return Delivery.CLAIMED

    def _claim_refused(
        self, counter: str, message_id: str, standing: dict[str, Any], now: int, lease_until: int, expires_at: int
    ) -> Delivery:
        """Why a claim did not hold, from the counter item as it stood; a lease that ended
        is an instance that died mid-send: its claim is taken over, the email it counted
        still counted (another write, only then)."""
        if message_id in standing.get(_SENT, {}).get("SS", []):
            return Delivery.SENT
        held = standing.get(_lease(message_id), {}).get("N")
        if held is None:
            return Delivery.CAPPED
        if int(held) >= now:
            return Delivery.BUSY
        taken = dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=_key(counter),
            UpdateExpression="SET #lease = :lease, expires_at = :expires",
            ConditionExpression="#lease = :held",
            ExpressionAttributeNames=_lease_names(message_id),
            ExpressionAttributeValues={":lease": {"N": str(lease_until)}, ":held": {"N": held}, ":expires": {"N": str(expires_at)}},
        )
        return Delivery.CLAIMED if taken is not None else Delivery.BUSY

    def mark_emailed(self, counter: str, message_id: str) -> None:
        """The claimed email was sent: a redelivery of its message finds it `SENT` and sends nothing."""
        self._client.update_item(
            TableName=self.table,
            Key=_key(counter),
            UpdateExpression="ADD #sent :sent REMOVE #lease",
            ExpressionAttributeNames=_claim_names(message_id),
            ExpressionAttributeValues={":sent": {"SS": [message_id]}},
        )

    def give_back_email(self, counter: str, message_id: str, names: Iterable[str], lease_until: int) -> None:
        """The claimed email was not sent: the caps and the message are as if it had not been
        tried, in one write; only by the claim's holder (a claim taken over since is its new
        holder's, with the count it stands on)."""
        adding, placeholders = _adding(names, ":minus")
        dynamo.if_condition_holds(
            self._client.update_item,
            TableName=self.table,
            Key=_key(counter),
            UpdateExpression=adding + " REMOVE #lease",
            ConditionExpression="#lease = :lease",
            ExpressionAttributeNames={**placeholders, **_lease_names(message_id)},
            ExpressionAttributeValues={":minus": {"N": "-1"}, ":lease": {"N": str(lease_until)}},
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
