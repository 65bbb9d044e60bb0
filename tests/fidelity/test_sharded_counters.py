"""On DynamoDB Local: the tally's transactions of different shards of one campaign run at
once on items of their own, and the count of a campaign with 17 shards is still read for
half a read unit."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from devstack.resources import table_name
from fidelity.counting import SIGNATURES, count
from fidelity.test_concurrency import run_together
from undersigned import aws
from undersigned.campaign_file import put_campaign
from undersigned.store import counters, signatures
from undersigned.store.counters import Counters
from undersigned.store.tally_transaction import TallyTransaction
from undersigned.tally import Change, Contribution, PartitionTally, Position

pytestmark = pytest.mark.fidelity

COUNTERS = table_name("CountersTable")
SHARDS = [str(shard) for shard in range(17)]
NOW = "2026-12-02T06:30:00Z"


class Transactions:
    """Every tally transaction the client sends, with what DynamoDB answered."""

    def __init__(self) -> None:
        self.sent: list[set[str]] = []
        self.refusals: list[str] = []
        self.lock = threading.Lock()
        client = aws.client("dynamodb")
        client.meta.events.register("before-parameter-build.dynamodb.TransactWriteItems", self._sent)
        client.meta.events.register("after-call.dynamodb.TransactWriteItems", self._answered)

    def _sent(self, params: dict[str, Any], **_: Any) -> None:
        names = {
            action["Update"]["Key"]["counter"]["S"] for action in params["TransactItems"] if action["Update"]["TableName"] == COUNTERS
        }
        with self.lock:
            self.sent.append(names)

    def _answered(self, parsed: dict[str, Any], **_: Any) -> None:
        reasons = [reason.get("Code") for reason in parsed.get("CancellationReasons", []) if reason.get("Code") != "None"]
        with self.lock:
            self.refusals += reasons or ([parsed["Error"]["Code"]] if "Error" in parsed else [])

    def counters_of(self, shard: str) -> set[str]:
        """The counter items moved by the transactions of one shard (told by its count item)."""
        return set().union(*(names for names in self.sent if counters.sharded(counters.COUNT, shard) in names))


def test_the_tally_of_two_shards_runs_at_once_and_their_transactions_share_no_item(new_campaign):
    """DynamoDB cancels a transaction that meets an item inside another (TransactionConflict);
    DynamoDB Local runs transactions one at a time and never does, so what is shown here is
    the condition for it: two shards' transactions, under the same source, country and hour,
    write no item in common (in one count item they would all share `count`)."""
    campaign = new_campaign()
    transactions = Transactions()
    sequence = iter(range(1000, 100_000))

    def tally(shard: str) -> int:
        moved = 0
        for _ in range(5):
            changes = [Change(Position(str(next(sequence))), None, Contribution("2026-12-02T06", "partner-a", "UA")) for _ in range(20)]
            moved += TallyTransaction().apply(PartitionTally(f"{campaign}#{shard}", changes), NOW)
        return moved

    assert run_together([lambda: tally("3"), lambda: tally("5")], threads=2) == [100, 100]

    assert transactions.refusals == []
    assert len(transactions.sent) == 10
    assert transactions.counters_of("3") == {"applied#3", "count#3", "source#partner-a#3", "country#UA#3", "hour#2026-12-02T06#3"}
    assert transactions.counters_of("3").isdisjoint(transactions.counters_of("5"))
    assert count(campaign) == 200
    assert Counters().sources(campaign) == {"partner-a": 200} and Counters().countries(campaign) == {"UA": 200}


class ReadUnits:
    """The read units of every counters-table query, as DynamoDB Local bills them."""

    def __init__(self) -> None:
        self.units: list[float] = []
        client = aws.client("dynamodb")
        client.meta.events.register("before-parameter-build.dynamodb.Query", self._ask)
        client.meta.events.register("after-call.dynamodb.Query", self._record)

    def _ask(self, params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    def _record(self, parsed: dict[str, Any], **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") or {}
        if consumed.get("TableName") == COUNTERS:
            self.units.append(consumed["CapacityUnits"])


def test_the_count_of_a_campaign_with_17_shards_costs_half_a_read_unit(dynamodb):
    # The longest id a campaign may have (63 characters), in every item's key.
    campaign = f"fid-{uuid.uuid4().hex}".ljust(63, "x")
    put_campaign({"id": campaign, "title": "Fidelity", "statement": "Counted exactly.", "goal": 10_000_000})
    # Each shard's count item as the tally leaves it, with room to grow: counts in the millions.
    dynamodb.transact_write_items(
        TransactItems=[counters.count_action(COUNTERS, campaign, 588_235, NOW, 1_234, shard) for shard in SHARDS]
    )
    read_units = ReadUnits()

    found = Counters().count(campaign)

    assert (found["verified_count"], found["organisation_count"], found["goal"]) == (17 * 588_235, 17 * 1_234, 10_000_000)
    assert read_units.units == [0.5], "one query, its 18 items under 4 KB together, read eventually consistently"
    Counters().count(campaign, consistent=True)
    assert read_units.units[1:] == [1.0], "the tally's milestone check reads it consistently: one unit"
