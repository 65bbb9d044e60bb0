"""The counters table: per campaign, the verified count per partner tag (`source#…`), per
country (`country#UA`), per hour (`hour#…`), and the milestones announced (`milestone#…`).

The tally moves the source, country and hour counters in the count's own transaction
(`store.tally_transaction`); this module reads them and keeps the milestone claims.
"""

from __future__ import annotations

from typing import Any

from undersigned import config
from undersigned.store import dynamo

COUNTERS_TABLE = config.setting("COUNTERS_TABLE")


def key(campaign_id: str, counter: str) -> dict[str, Any]:
    return {"campaign_id": {"S": campaign_id}, "counter": {"S": counter}}


def _milestone(milestone: int) -> str:
    return f"milestone#{milestone:012d}"


def move_action(table: str, campaign_id: str, counter: str, delta: int) -> dict[str, Any]:
    """A counter's move, as one action of the tally's transaction."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(campaign_id, counter),
            "UpdateExpression": "ADD n :delta",
            "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
        }
    }


class Counters:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self.table = COUNTERS_TABLE.value

    def _between(self, campaign_id: str, low: str, high: str) -> dict[str, int]:
        request: dict[str, Any] = {
            "TableName": self.table,
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

    def sources(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per partner tag (tags whose count fell to 0 left out)."""
        found = self._between(campaign_id, "source#", "source#\uffff")
        return {name.removeprefix("source#"): n for name, n in sorted(found.items()) if n}

    def countries(self, campaign_id: str) -> dict[str, int]:
        """Verified signatures per country the signers gave (countries whose count fell to 0 left out)."""
        found = self._between(campaign_id, "country#", "country#\uffff")
        return {name.removeprefix("country#"): n for name, n in sorted(found.items()) if n}

    def hours(self, campaign_id: str, first_hour: str, last_hour: str) -> dict[str, int]:
        """Verified signatures per hour ("2026-11-28T13"), for hours with any, inclusive."""
        found = self._between(campaign_id, f"hour#{first_hour}", f"hour#{last_hour}")
        return {name.removeprefix("hour#"): n for name, n in found.items() if n}

    def announced_milestones(self, campaign_id: str) -> set[int]:
        found = self._between(campaign_id, "milestone#", "milestone#\uffff")
        return {int(name.removeprefix("milestone#")) for name in found}

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
