"""DynamoDB refusing calls for now, injected where botocore sends them.

A `before-call` hook on the client the code uses (`undersigned.aws.client("dynamodb")`)
answers chosen calls with the error DynamoDB gives when it is over capacity, as the
caller sees it once botocore's own retries are spent: the call never reaches the
table, so whatever it would have written is not written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

from devstack.resources import table_name
from undersigned.store.signatures import campaign_id_of

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def refusal(code: str) -> dict[str, Any]:
    """The parsed error answer for `code`; a cancelled transaction names its reason per item."""
    if code == "TransactionCanceledException":
        return {
            "Error": {"Code": code, "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError]"},
            "CancellationReasons": [{"Code": "ThrottlingError", "Message": "Throughput exceeds the current capacity."}],
        }
    return {"Error": {"Code": code, "Message": "injected: the table is over its capacity"}}


def _campaigns_of(body: dict[str, Any]) -> set[str]:
    """The campaigns whose items the call writes (a signature shard's key read as its
    campaign): a single item's, or a transaction's; a BatchWriteItem's are not read, so
    `campaigns=` never refuses one."""
    actions = [next(iter(item.values())) for item in body.get("TransactItems", [])] or [body]
    return {
        campaign_id_of(item["campaign_id"]["S"])
        for action in actions
        for item in (action.get("Key"), action.get("Item"))
        if item and "campaign_id" in item
    }


def _tables_of(body: dict[str, Any]) -> set[str]:
    if "TableName" in body:
        return {body["TableName"]}
    if "RequestItems" in body:
        return set(body["RequestItems"])
    return {next(iter(item.values()))["TableName"] for item in body.get("TransactItems", [])}


@dataclass
class Throttling:
    client: Any
    code: str = "ProvisionedThroughputExceededException"
    operations: tuple[str, ...] = WRITES
    # Logical ids from template.yaml; empty: every table.
    tables: tuple[str, ...] = ()
    # Campaigns whose writes to refuse (by the items' `campaign_id`); empty: every one.
    campaigns: tuple[str, ...] = ()
    # Which of the matching calls to refuse, counting from 1; empty: all of them.
    calls: tuple[int, ...] = ()
    seen: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client.meta.events.register("before-call.dynamodb", self._answer)

    def stop(self) -> None:
        self.client.meta.events.unregister("before-call.dynamodb", self._answer)

    def _answer(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if model.name not in self.operations:
            return None
        body = json.loads(params["body"])
        tables = _tables_of(body)
        if self.tables and not tables & {table_name(logical) for logical in self.tables}:
            return None
        if self.campaigns and not _campaigns_of(body) & set(self.campaigns):
            return None
        self.seen += 1
        if self.calls and self.seen not in self.calls:
            return None
        self.refused.append((model.name, ",".join(sorted(tables))))
        return AWSResponse("https://dynamodb.invalid/", 400, {}, None), refusal(self.code)
