"""A campaign whose signatures are spread over shards keeps a count and counters per shard:
every reader (the count, the campaign, the badge, the breakdowns, the organiser's list,
the milestones) answers their sum, and the tally of one shard moves that shard's items alone."""

from __future__ import annotations

import boto3
import pytest

from integration.admin_client import Admin
from integration.test_tally_publishing import Events
from undersigned import count_events
from undersigned.campaign import format_instant, utc_now
from undersigned.count_views import hour_floor
from undersigned.store import counters, signatures
from undersigned.store.counters import Counters
from undersigned.store.tally_transaction import TallyTransaction
from undersigned.tally import Change, Contribution, Moves, PartitionTally, Position, country_counter, hour_counter, source_counter

COUNTERS = "undersigned-CountersTable"
SIGNATURES = "undersigned-SignaturesTable"
NOW = "2026-12-02T06:30:00Z"


def this_hour() -> str:
    return hour_floor(utc_now()).strftime("%Y-%m-%dT%H")


def tally_moves(shard: str | None, verified: int, organisations: int = 0, at: str = NOW, **per_counter: int) -> None:
    """What one tally transaction of a shard moves besides the marks: its count and counters."""
    actions = [counters.count_action(COUNTERS, "demo", verified, at, organisations, shard)]
    actions += [counters.move_action(COUNTERS, "demo", name, n, shard) for name, n in per_counter.items()]
    boto3.client("dynamodb").transact_write_items(TransactItems=actions)


def moves(partner: int, ukraine: int, hour: int) -> dict[str, int]:
    return {source_counter("partner-a"): partner, country_counter("UA"): ukraine, hour_counter(this_hour()): hour}


@pytest.fixture
def sharded_demo(demo) -> None:
    """The demo campaign counted on its own items (5) and on shards 3 (2) and 16 (4)."""
    tally_moves(None, 5, 1, "2026-12-02T06:00:00Z", **moves(1, 2, 5))
    tally_moves("3", 2, 0, "2026-12-02T06:20:00Z", **moves(2, 0, 2))
    tally_moves("16", 4, 2, "2026-12-02T06:10:00Z", **moves(0, 3, 4))


@pytest.fixture
def events(embedded_aws) -> Events:
    return Events()


def counter_items() -> dict[str, dict]:
    found = boto3.client("dynamodb").query(
        TableName=COUNTERS,
        KeyConditionExpression="campaign_id = :campaign",
        ExpressionAttributeValues={":campaign": {"S": "demo"}},
    )["Items"]
    return {item["counter"]["S"]: item for item in found}


def test_a_shards_items_are_named_apart_from_every_counter(embedded_aws):
    assert counters.sharded("count", None) == "count" and counters.sharded("count", "3") == "count#3"
    assert counters.sharded("source#partner-a", "16") == "source#partner-a#16"
    assert counters.sharded("hour#2026-12-02T06", "0") == "hour#2026-12-02T06#0"
    # Sorted as DynamoDB sorts them: a count's shards before any country, an hour's before the next hour.
    assert sorted(["country#AD", "count#9", "count", "count#16"]) == ["count", "count#16", "count#9", "country#AD"]
    assert sorted(["hour#2026-12-02T07", "hour#2026-12-02T06#3", "hour#2026-12-02T06"])[-1] == "hour#2026-12-02T07"


def test_the_count_answers_the_sum_of_the_campaigns_item_and_its_shards(api, sharded_demo):
    answer = api.get("/campaigns/demo/count")
    assert answer.status == 200
    assert answer.json() == {
        "campaign_id": "demo", "count": 11, "organisations": 3, "goal": 100, "updated_at": "2026-12-02T06:20:00Z",
    }
    assert Counters().count("demo")["tally_seq"] == 3


def test_the_campaign_the_badge_and_the_organisers_list_show_the_sum(api, sharded_demo):
    assert api.get("/campaigns/demo").json()["count"] == 11
    assert ">11 / 100<" in api.get("/campaigns/demo/badge.svg").text
    listed = {item["id"]: item["count"] for item in Admin().get("/admin/campaigns?limit=10").json()["items"]}
    assert listed == {"demo": 11, "demo-closed": 0, "demo-private": 0}
    assert Admin().get("/admin/campaigns/demo").json()["count"] == 11


def test_sources_countries_and_hours_sum_their_shards(api, sharded_demo):
    sources = api.get("/campaigns/demo/count/sources").json()
    assert (sources["sources"], sources["unattributed"]) == ({"partner-a": 3}, 8)
    countries = api.get("/campaigns/demo/count/countries").json()
    assert (countries["countries"], countries["unspecified"]) == ({"UA": 5}, 6)
    history = api.get("/campaigns/demo/count/history?hours=2").json()
    assert sum(hour["verified"] for hour in history["hours"]) == 11, "in this hour (or the last, if it just turned)"


def test_an_hours_range_takes_in_its_last_hours_shards_and_no_later_hour(embedded_aws, demo):
    tally_moves("3", 3, **{hour_counter("2026-12-02T05"): 1, hour_counter("2026-12-02T06"): 2})
    tally_moves(None, 1, **{hour_counter("2026-12-02T07"): 1})
    assert Counters().hours("demo", "2026-12-02T05", "2026-12-02T06") == {"2026-12-02T05": 1, "2026-12-02T06": 2}
    assert Counters().hours("demo", "2026-12-02T06", "2026-12-02T07") == {"2026-12-02T06": 2, "2026-12-02T07": 1}


def test_a_milestone_is_reached_by_the_sum_of_the_shards(embedded_aws, demo, events):
    tally_moves("1", 60)
    tally_moves("2", 40)
    count_events.announce("demo", 40, NOW)
    (reached,) = events.of("MilestoneReached")
    assert (reached["milestone"], reached["is_goal"], reached["count"]) == (100, True, 100)
    assert events.of("CountChanged")[0]["count"] == 100


def test_a_tally_transaction_of_shard_3_moves_only_shard_3s_items(embedded_aws, sharded_demo):
    before = counter_items()
    tally = PartitionTally("demo#3", [
        Change(Position("101", "e1"), None, Contribution("2026-12-02T06", "partner-a", "UA")),
        Change(Position("102", "e2"), None, Contribution("2026-12-02T06", "partner-b", "UA", organisation=True)),
    ])
    assert TallyTransaction().apply(tally, "2026-12-02T06:40:00Z") == 2

    after = counter_items()
    moved = sorted(name for name in after if after[name] != before.get(name))
    assert moved == ["applied#3", "count#3", "country#UA#3", "hour#2026-12-02T06#3", "source#partner-a#3", "source#partner-b#3"]
    assert after["count#3"]["verified_count"] == {"N": "4"} and after["count#3"]["organisation_count"] == {"N": "1"}
    assert after["applied#3"]["applied_seq"] == {"S": "102"} and after["applied#3"]["applied_event"] == {"S": "e2"}
    assert Counters().count("demo")["verified_count"] == 13
    assert Counters().sources("demo") == {"partner-a": 4, "partner-b": 1}
    assert TallyTransaction().apply(tally, "2026-12-02T06:41:00Z") == 0, "delivered again: applied already"
    assert Counters().count("demo")["verified_count"] == 13


def test_the_recount_reads_and_corrects_one_shards_count(embedded_aws, sharded_demo):
    store = Counters()
    assert store.tally_position("demo", 3) == (2, 1)
    assert store.tally_position("demo", 7) == (0, 0), "a shard the tally never moved"
    assert store.tally_position("demo") == (5, 1), "the campaign's own count item"

    assert store.correct("demo", 3, store.count_item("demo", 3), Moves(1), {}, "2026-12-02T07:00:00Z") == []
    assert store.tally_position("demo", 3) == (1, 2)
    assert store.correct("demo", 7, store.count_item("demo", 7), Moves(2), {"source#partner-a": 2}, "2026-12-02T07:00:00Z") == ["source#partner-a"]
    assert store.count("demo")["verified_count"] == 5 + 1 + 4 + 2
    assert store.shard_counters("demo")[7] == {"source#partner-a": 2}
    assert store.sources("demo") == {"partner-a": 1 + 2 + 0 + 2}

    seen = store.count_item("demo", 16)
    tally_moves("16", 1)
    assert store.correct("demo", 16, seen, Moves(0), {}, "2026-12-02T07:00:00Z") is None, "the tally moved it since"
    assert store.tally_position("demo", 16) == (5, 2)
    assert store.tally_position("demo") == (5, 1), "the others untouched"
