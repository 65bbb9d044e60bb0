"""The limits table: a short-lived ledger of counts and claims that expire by TTL.

Rate-limit and mail counters (`rate#…`, `mail#…`), single-use names such as a solved
challenge, and the retention job's record of a finished campaign (`retention#…`: only
the tally writes to the campaigns table, where the count lives).
"""

from __future__ import annotations

from typing import Any, Sequence

from undersigned import config
from undersigned.store import dynamo

LIMITS_TABLE = config.setting("LIMITS_TABLE")


def _key(name: str) -> dict[str, Any]:
    return {"id": {"S": name}}


class Ledger:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = LIMITS_TABLE.value

    def add_hits(self, counter: str, names: Sequence[str], expires_at: int) -> dict[str, int]:
        """Adds one to each named count of a counter item (atomically, whichever instance
        asks) that lives until `expires_at` (TTL); returns their new values."""
        placeholders = {f"#count{number}": name for number, name in enumerate(names)}
        answer = self._client.update_item(
            TableName=self.table,
            Key=_key(counter),
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
