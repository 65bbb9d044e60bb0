"""What the trust-and-safety tests read back: stored items, as a database reader would see them."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

from devstack.resources import TABLE_NAME_PREFIX, table_name
from undersigned import aws
from undersigned.campaign import Campaign
from undersigned.store.campaigns import Campaigns
from undersigned.store.signatures import campaign_id_of, key_of

_plain = TypeDeserializer().deserialize


def items(logical_id: str) -> list[dict[str, Any]]:
    found = boto3.client("dynamodb").scan(TableName=table_name(logical_id))["Items"]
    return [{key: _plain(value) for key, value in item.items()} for item in found]


def signatures(campaign: str = "demo") -> list[dict[str, Any]]:
    return [item for item in items("SignaturesTable") if campaign_id_of(item["campaign_id"]) == campaign]


def stored_campaign(campaign: str = "demo") -> Campaign:
    return Campaigns().existing(campaign)


def signature_key(signer: str, campaign: str = "demo") -> dict[str, Any]:
    """A signature's key by the store's rule: the campaign's own layout decides its partition."""
    return key_of(stored_campaign(campaign), signer)


def make_legacy(campaign: str = "demo") -> None:
    """The campaign as stored before signatures were spread: no layout, all on its one key."""
    boto3.client("dynamodb").update_item(
        TableName=table_name("CampaignsTable"), Key={"campaign_id": {"S": campaign}}, UpdateExpression="REMOVE signature_shards"
    )


def only_signature(campaign: str = "demo") -> dict[str, Any]:
    stored = signatures(campaign)
    assert len(stored) == 1, stored
    return stored[0]


def sign(api, body: dict[str, Any], campaign: str = "demo", **kwargs: Any):
    return api.post(f"/campaigns/{campaign}/signatures", json_body=body, **kwargs)


def verify(api, mailbox, address: str):
    return api.post("/verify", json_body={"token": mailbox.last_to(address).token("/verify")})


def count(api, campaign: str = "demo") -> int:
    return api.get(f"/campaigns/{campaign}/count").json()["count"]


def listed_names(api, campaign: str = "demo") -> list[str]:
    return [item["name"] for item in api.get(f"/campaigns/{campaign}/signatories").json()["items"]]


class Clock:
    """The functions' clock (`undersigned.campaign.utc_now`), frozen and moved by hand,
    so that tests about time windows never straddle a boundary by chance."""

    def __init__(self, monkeypatch, epoch: float) -> None:
        self.epoch = epoch
        clock = self

        class FrozenDateTime(datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.fromtimestamp(clock.epoch, tz or timezone.utc)

        monkeypatch.setattr("undersigned.campaign.datetime", FrozenDateTime)

    @classmethod
    def at_next_hour(cls, monkeypatch) -> "Clock":
        return cls(monkeypatch, (time.time() // 3600 + 1) * 3600 + 1)

    def advance(self, seconds: float) -> None:
        self.epoch += seconds


def run_retention() -> dict[str, Any]:
    """Runs the scheduled retention function as EventBridge would, with its full 15 minutes."""
    from integration.lambda_api import LambdaContext, load_function

    class FifteenMinutes(LambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return 900_000

    scheduled = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    return load_function("RetentionFunction").lambda_handler(scheduled, FifteenMinutes(function_name="RetentionFunction"))


class DynamoCalls:
    """Records every DynamoDB call the code makes through `undersigned.aws` (operation,
    table's logical id, index), as botocore is about to send it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self._client = aws.client("dynamodb")

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        tables = params.get("RequestItems") or {params.get("TableName"): None}
        for table in tables:
            self.calls.append((model.name, str(table).removeprefix(TABLE_NAME_PREFIX), params.get("IndexName")))

    def __enter__(self) -> DynamoCalls:
        self._client.meta.events.register("provide-client-params.dynamodb", self._record)
        return self

    def __exit__(self, *_: Any) -> None:
        self._client.meta.events.unregister("provide-client-params.dynamodb", self._record)
