"""The suppression table: one item per address that must not be mailed again, keyed by
a keyed hash of its canonical form (never the address), with the reasons and when."""

from __future__ import annotations

from typing import Any

from undersigned import config
from undersigned.store import dynamo

SUPPRESSION_TABLE = config.setting("SUPPRESSION_TABLE")


def _key(address_hash: str) -> dict[str, Any]:
    return {"address_hash": {"S": address_hash}}


class Suppressions:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = SUPPRESSION_TABLE.value

    def holds(self, address_hash: str) -> bool:
        answer = self._client.get_item(TableName=self.table, Key=_key(address_hash), ProjectionExpression="address_hash")
        return "Item" in answer

    def suppress(self, address_hash: str, reason: str, now_iso: str) -> None:
        """Safe to repeat: the address stays suppressed once, its reasons gathered."""
        self._client.update_item(
            TableName=self.table,
            Key=_key(address_hash),
            UpdateExpression="SET first_at = if_not_exists(first_at, :now), last_at = :now ADD reasons :reason",
            ExpressionAttributeValues={":now": {"S": now_iso}, ":reason": {"SS": [reason]}},
        )
