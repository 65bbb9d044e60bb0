"""The scheduled recount finds counts that drifted from the signatures, sets them back once
their signatures have settled, says so in a metric, and leaves a true count alone."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from integration.conftest import DEMO
from integration.lambda_api import invoke
from integration.safety_helpers import Clock, make_legacy
from integration.test_signing_journey import count, sign, verify
from integration.test_tally_exactness import on_transactions
from integration.test_tally_publishing import Events, hourly_total, sign_up
from undersigned import aws
from undersigned.campaign import format_instant
from undersigned.campaign_file import put_campaign
from undersigned.recount import settle_seconds
from undersigned.store.campaigns import Campaigns
from undersigned.store.signatures import Signatures
from undersigned.store.counters import Counters
from undersigned.tally import Moves


SCHEDULED = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}


def run_recount(capsys, settled: bool = True, event: dict = SCHEDULED) -> tuple[dict, dict]:
    """Runs the recount (as its schedule does, unless told `event`), by default once the
    signatures have settled (the functions' clock past the longest a stream record can wait
    for the tally)."""
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        if settled:
            Clock(patch, time.time() + settle_seconds() + 60)
        answer = invoke("RecountFunction", event)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (emf,) = [line for line in lines if "_aws" in line]
    return answer, emf


def hand_set_count(value: int, campaign: str = "demo", counter: str = "count") -> None:
    """Writes a count item as a hand would: the campaign's `count` item, or one shard's
    (`count#3`; a campaign's count is the sum of them)."""
    boto3.client("dynamodb").update_item(
        TableName="undersigned-CountersTable",
        Key={"campaign_id": {"S": campaign}, "counter": {"S": counter}},
        UpdateExpression="SET verified_count = :n",
        ExpressionAttributeValues={":n": {"N": str(value)}},
    )


def test_verifications_the_tally_never_saw_are_counted_with_their_sources_and_hours(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 3, source="partner-a")
    stream.read()  # the records are lost: the tally never gets them
    assert count(api) == 0
    answer, emf = run_recount(capsys)
    # Set back: the count by 3, the source's counter by 3 and the hour's by 3.
    assert answer["drifted"] == ["demo"] and answer["repairs"] == 9
    assert emf["RecountRepairs"] == [9.0] and emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Undersigned"
    assert count(api) == 3
    assert Counters().sources("demo") == {"partner-a": 3} and hourly_total() == 3


def test_signatures_changed_lately_are_left_to_a_later_run(api, demo, mailbox, stream, capsys):
    """The count trails its signatures by the tally's lag: a partition whose signatures
    changed lately may still have records on their way, so its count is not touched."""
    sign_up(api, mailbox, 3)
    stream.read()
    answer, emf = run_recount(capsys, settled=False)
    assert answer == {"drifted": [], "failed": [], "repairs": 0} and count(api) == 0
    answer, _ = run_recount(capsys)
    assert answer["drifted"] == ["demo"] and count(api) == 3


def test_a_change_on_its_way_to_the_tally_holds_the_recount_back_whatever_was_stamped_before(api, demo, mailbox, stream, capsys):
    """A signature discarded days ago, signed afresh and discarded again keeps its first
    `discarded_at`: what holds the recount back is when it last changed (`changed_at`)."""
    sign_up(api, mailbox, 1)
    stream.drain()
    campaign = Campaigns().existing("demo")
    (signer,) = [item["signer"]["S"] for item in boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"]]
    assert Signatures().discard(campaign, signer, "2026-11-28T10:00:00Z")
    sign_up(api, mailbox, 1)  # the same address signs afresh
    stream.drain()
    assert count(api) == 1
    when_the_recount_runs = datetime.now(timezone.utc) + timedelta(seconds=settle_seconds() + 60)
    assert Signatures().discard(campaign, signer, format_instant(when_the_recount_runs))  # its record still on its way
    answer, _ = run_recount(capsys)
    assert answer["repairs"] == 0 and count(api) == 1, "left alone: the tally has yet to take it down"
    stream.drain()
    assert count(api) == 0


def test_a_withdrawal_the_tally_never_saw_leaves_the_count(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 2)
    stream.drain()
    api.post("/withdraw", json_body={"token": mailbox.last_to("s0@example.org").token("/withdraw")})
    stream.read()
    assert count(api) == 2
    answer, _ = run_recount(capsys)
    assert answer["repairs"] == 2, "the count and the hour's counter, one each"
    assert count(api) == 1 and hourly_total() == 1


def test_a_counter_written_by_hand_is_set_back_and_the_count_left(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 2, source="partner-a")
    stream.drain()
    shards = [shard for shard in range(17) if Counters().tally_position("demo", shard)[0]]
    boto3.client("dynamodb").update_item(
        TableName="undersigned-CountersTable",
        Key={"campaign_id": {"S": "demo"}, "counter": {"S": f"source#partner-a#{shards[0]}"}},
        UpdateExpression="ADD n :n",
        ExpressionAttributeValues={":n": {"N": "40"}},
    )
    assert Counters().sources("demo") == {"partner-a": 42}
    answer, _ = run_recount(capsys)
    assert answer["repairs"] == 40 and Counters().sources("demo") == {"partner-a": 2} and count(api) == 2


def test_a_count_written_by_hand_is_set_back_to_the_signatures(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 2)
    stream.drain()
    # The campaign's own count item: its signatures are spread over shards, which keep the count.
    hand_set_count(42)
    assert count(api) == 44
    answer, emf = run_recount(capsys)
    assert answer["repairs"] == 42 and emf["RecountRepairs"] == [42.0]
    assert count(api) == 2


def test_a_shards_count_written_by_hand_is_set_back_to_its_signatures(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 2)
    stream.drain()
    empty = next(shard for shard in range(17) if Counters().tally_position("demo", shard) == (0, 0))
    hand_set_count(5, counter=f"count#{empty}")
    assert count(api) == 7
    answer, _ = run_recount(capsys)
    assert answer["repairs"] == 5 and count(api) == 2
    assert sum(Counters().tally_position("demo", shard)[0] for shard in range(17)) == 2, "the shards keep the count"


def test_a_true_count_is_left_alone_and_reported_as_no_repair(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 2)
    stream.drain()
    events = Events()
    answer, emf = run_recount(capsys)
    assert answer == {"drifted": [], "failed": [], "repairs": 0} and emf["RecountRepairs"] == [0.0]
    assert count(api) == 2 and events.sent == []


def test_closed_campaigns_are_not_recounted(api, demo, capsys):
    hand_set_count(7, "demo-closed")
    run_recount(capsys)
    assert count(api, "demo-closed") == 7


def test_a_closed_campaign_an_operator_names_is_recounted_and_an_unknown_one_reported(api, demo, mailbox, stream, capsys):
    sign_up(api, mailbox, 2, campaign="demo")
    stream.drain()
    api.post("/withdraw", json_body={"token": mailbox.last_to("s0@example.org").token("/withdraw")})
    stream.read()  # the withdrawal lost to the tally
    put_campaign({**DEMO, "closed": True})
    assert count(api) == 2
    run_recount(capsys)
    assert count(api) == 2, "the schedule leaves a closed campaign"
    answer, emf = run_recount(capsys, event={"campaigns": ["demo", "no-such-letter"]})
    assert answer == {"drifted": ["demo"], "failed": ["no-such-letter"], "repairs": 2}
    assert emf["RecountFailures"] == [1.0]
    assert count(api) == 1 and hourly_total() == 1


@pytest.mark.filterwarnings("ignore:No application metrics to publish")  # refused before it counted anything
def test_a_recount_named_in_a_malformed_event_is_refused(api, demo):
    with pytest.raises(ValueError, match="campaigns"):
        invoke("RecountFunction", {"campaigns": "demo"})


def test_a_correction_is_refused_when_the_tally_moved_the_count_meanwhile(api, demo, mailbox, stream):
    store = Counters()
    seen = {shard: store.count_item("demo", shard) for shard in range(17)}
    sign_up(api, mailbox, 1)
    stream.drain()
    (moved,) = [shard for shard in seen if store.count_item("demo", shard) != seen[shard]]
    assert store.correct("demo", moved, seen[moved], Moves(0), {}, "2026-11-28T13:00:00Z") is None
    assert count(api) == 1


def test_recount_repairs_announce_like_the_tally(api, demo, mailbox, stream, capsys):
    put_campaign({"id": "small", "title": "Small", "statement": "s", "milestones": [2]})
    sign_up(api, mailbox, 2, campaign="small")
    stream.read()
    events = Events()
    run_recount(capsys)
    kinds = [(event["type"], event["campaign_id"]) for event in events.sent]
    assert ("CountChanged", "small") in kinds and ("MilestoneReached", "small") in kinds
    sign(api, {"name": "Late", "email": "late@example.org"}, campaign="small")
    verify(api, mailbox.last_to("late@example.org").token("/verify"))
    stream.drain()
    assert [e["milestone"] for e in events.sent if e["type"] == "MilestoneReached"] == [2]


def test_a_count_kept_in_the_campaign_item_before_it_had_an_item_of_its_own_is_kept(api, demo, mailbox, stream):
    """A deploy never resets a count: a campaign whose count still lives in the campaign
    item answers it from there, and the tally's first move carries it over. (Such a
    campaign was created before signatures were spread, so it keeps them on one key.)"""
    dynamodb = boto3.client("dynamodb")
    dynamodb.delete_item(TableName="undersigned-CountersTable", Key={"campaign_id": {"S": "demo"}, "counter": {"S": "count"}})
    dynamodb.update_item(
        TableName="undersigned-CampaignsTable",
        Key={"campaign_id": {"S": "demo"}},
        UpdateExpression="SET verified_count = :n, organisation_count = :zero, tally_seq = :seq REMOVE signature_shards",
        ExpressionAttributeValues={":n": {"N": "1000"}, ":zero": {"N": "0"}, ":seq": {"N": "7"}},
    )
    assert api.get("/campaigns/demo/count").json()["count"] == 1000
    assert api.get("/campaigns/demo").json()["count"] == 1000
    sign_up(api, mailbox, 2)
    stream.drain()
    assert api.get("/campaigns/demo/count").json()["count"] == 1002
    assert api.get("/campaigns/demo").json()["count"] == 1002


def test_the_recount_reads_the_signatures_as_they_stand(api, demo, mailbox, stream, capsys):
    """Its reads of the signatures are consistent: an eventually consistent one could still
    show a withdrawal the tally has already taken off the count, and the recount would set
    the count back up (moto's reads are always consistent, so what is checked is the ask)."""
    sign_up(api, mailbox, 2)
    stream.drain()
    asked: list[bool] = []

    def seen(params: dict, **_: object) -> None:
        body = json.loads(params["body"])
        if body["TableName"] == "undersigned-SignaturesTable":
            asked.append(body.get("ConsistentRead") is True)

    aws.client("dynamodb").meta.events.register("before-call.dynamodb.Query", seen)
    run_recount(capsys)
    assert asked and all(asked)


def test_a_correction_cut_short_by_the_tally_reports_what_it_set_and_the_next_run_the_rest(api, demo, mailbox, stream, capsys):
    make_legacy()  # one partition: the campaign's own counter items
    sign_up(api, mailbox, 1)
    stream.drain()
    dynamodb = boto3.client("dynamodb")
    # 120 source counters written by hand where no signature has the source: more than one
    # transaction sets (98 with the count).
    for number in range(120):
        dynamodb.update_item(
            TableName="undersigned-CountersTable",
            Key={"campaign_id": {"S": "demo"}, "counter": {"S": f"source#bogus-{number:03d}"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    transactions = []

    def the_tally_moves_the_count_before_the_second(**_):
        transactions.append(1)
        if len(transactions) == 2:
            dynamodb.update_item(
                TableName="undersigned-CountersTable",
                Key={"campaign_id": {"S": "demo"}, "counter": {"S": "count"}},
                UpdateExpression="ADD tally_seq :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    with on_transactions("before-call", the_tally_moves_the_count_before_the_second):
        answer, emf = run_recount(capsys)
    assert len(transactions) == 2
    assert answer["repairs"] == 98 and emf["RecountRepairs"] == [98.0], "what the first transaction set, no more"
    assert sum(Counters().sources("demo").values()) == 120 - 98
    answer, _ = run_recount(capsys)
    assert answer["repairs"] == 120 - 98
    assert sum(Counters().sources("demo").values()) == 0 and count(api) == 1
