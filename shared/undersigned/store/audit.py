"""The audit table: one entry per admin action (who, what, when; never a signer's personal data)."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from undersigned import config
from undersigned.store import dynamo

AUDIT_TABLE = config.setting("AUDIT_TABLE")


class AuditLog:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = AUDIT_TABLE.value

    def record(self, campaign_id: str, entry: dict[str, Any], now: datetime) -> None:
        # Microseconds in the sort key keep one caller's actions in order; the suffix keeps keys unique.
        moment = now.astimezone(timezone.utc)
        at = f"{moment:%Y-%m-%dT%H:%M:%S.%f}Z#{secrets.token_hex(4)}"
        item = {"campaign_id": campaign_id, "at": at, "when": f"{moment:%Y-%m-%dT%H:%M:%SZ}", **entry}
        self._client.put_item(TableName=self.table, Item=dynamo.to_item({k: v for k, v in item.items() if v is not None}))

    def page(self, campaign_id: str, limit: int, before: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """A campaign's audit entries, newest first."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "campaign_id = :campaign",
            "ExpressionAttributeValues": {":campaign": {"S": campaign_id}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if before:
            request["ExclusiveStartKey"] = {"campaign_id": {"S": campaign_id}, "at": {"S": before}}
        answer = self._client.query(**request)
        last = answer.get("LastEvaluatedKey")
        return [dynamo.from_item(item) for item in answer.get("Items", [])], last["at"]["S"] if last else None
