"""Per-source counts, hourly history and EventBridge events stay exact under redelivery,
split batches and failures to publish."""

from __future__ import annotations

import json

from botocore.awsrequest import AWSResponse
import pytest

from integration.dynamodb_faults import Throttling
from integration.test_signing_journey import count, sign, verify
from undersigned import aws, count_events
from undersigned.campaign_file import put_campaign
from undersigned.store.counters import Counters


class Events:
    """What the functions put on EventBridge (moto accepts it; this reads it back)."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        client_events = aws.client("events").meta.events
        client_events.register("before-parameter-build.events.PutEvents", self._asked)
        client_events.register("after-call.events.PutEvents", self._answered)

    def _asked(self, params, context, **_):
        context["entries"] = params["Entries"]

    def _answered(self, parsed, context, **_):
        """The entries EventBridge took (one it names with an error code was not put)."""
        if "Error" in parsed:
            return  # the call failed: none was put
        answered = parsed.get("Entries", [])
        taken = [entry for number, entry in enumerate(context["entries"]) if "ErrorCode" not in (answered[number] if number < len(answered) else {})]
        self.sent += [{"type": e["DetailType"], "source": e["Source"], **json.loads(e["Detail"])} for e in taken]

    def of(self, kind: str, campaign: str = "demo") -> list[dict]:
        return [event for event in self.sent if event["type"] == kind and event["campaign_id"] == campaign]


@pytest.fixture
def events(embedded_aws) -> Events:
    return Events()


def milestone_entries_throttled(model, params, **_):
    """PutEvents' answer when EventBridge throttles the entries of a milestone: the call
    succeeds and names each failed entry (`FailedEntryCount`)."""
    entries = json.loads(params["body"])["Entries"]
    if not any(entry["DetailType"] == count_events.MILESTONE_REACHED for entry in entries):
        return None
    failed = [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"} for _ in entries]
    return AWSResponse("https://events.invalid/", 200, {}, None), {"FailedEntryCount": len(entries), "Entries": failed}



def sign_up(api, mailbox, how_many: int, campaign: str = "demo", prefix: str = "s", source: str | None = None) -> None:
    mails = []
    for number in range(how_many):
        email = f"{prefix}{number}@example.org"
        body = {"name": f"Signer {number}", "email": email, **({"source": source} if source else {})}
        assert sign(api, body, campaign=campaign).status == 202
        mails.append(mailbox.last_to(email))
    for mail in mails:
        assert verify(api, mail.token("/verify")).status == 200


def hourly_total(campaign: str = "demo") -> int:
    return sum(Counters().hours(campaign, "2000-01-01T00", "2999-12-31T23").values())


def test_sources_and_hours_count_once_when_a_batch_comes_twice(api, demo, mailbox, stream):
    sign_up(api, mailbox, 3, source="partner-a")
    sign_up(api, mailbox, 2, prefix="u")
    records = stream.read()
    assert stream.deliver(records) == {"batchItemFailures": []}
    assert stream.deliver(records) == {"batchItemFailures": []}
    stream.drain()
    assert count(api) == 5
    assert Counters().sources("demo") == {"partner-a": 3}
    assert hourly_total() == 5


def test_a_withdrawal_takes_down_the_source_and_hour_it_was_counted_under(api, demo, mailbox, stream):
    sign_up(api, mailbox, 2, source="partner-a")
    stream.drain()
    api.post("/withdraw", json_body={"token": mailbox.last_to("s0@example.org").token("/withdraw")})
    stream.drain()
    stream.deliver(stream.read())
    assert count(api) == 1
    assert Counters().sources("demo") == {"partner-a": 1}
    assert hourly_total() == 1


def test_sources_stay_exact_when_a_failed_campaign_is_retried_from_its_first_record(api, demo, mailbox, stream):
    put_campaign({"id": "second", "title": "t", "statement": "s"})
    sign_up(api, mailbox, 2, source="p1")
    sign_up(api, mailbox, 3, campaign="second", prefix="b", source="p2")
    records = stream.read()
    throttling = Throttling(aws.client("dynamodb"), operations=("TransactWriteItems",), campaigns=("second",))
    failed = {failure["itemIdentifier"] for failure in stream.deliver(records)["batchItemFailures"]}
    assert failed, "the second campaign's partitions failed"
    throttling.stop()
    position = next(i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in failed)
    stream.deliver(records[position:])
    stream.deliver(records)
    stream.drain()
    assert Counters().sources("demo") == {"p1": 2}
    assert Counters().sources("second") == {"p2": 3}
    assert hourly_total("demo") == 2 and hourly_total("second") == 3


def test_many_sources_in_one_batch_split_transactions_within_the_limit(api, demo, mailbox, stream):
    for number in range(70):
        email = f"m{number}@example.org"
        sign(api, {"name": f"M {number}", "email": email, "source": f"src-{number}"})
        verify(api, mailbox.last_to(email).token("/verify"))
    sizes = []
    client = aws.client("dynamodb")
    client.meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems", lambda params, **_: sizes.append(len(params["TransactItems"]))
    )
    stream.drain()
    assert count(api) == 70
    assert len(Counters().sources("demo")) == 70
    assert sizes and max(sizes) <= 100 and len(sizes) >= 2


class TestEvents:
    def test_count_changed_once_per_campaign_per_batch_and_not_on_redelivery(self, api, demo, mailbox, stream, events):
        sign_up(api, mailbox, 4)
        records = stream.read()
        stream.deliver(records)
        changed = events.of("CountChanged")
        assert len(changed) == 1
        assert changed[0]["count"] == 4 and changed[0]["change"] == 4 and changed[0]["goal"] == 100
        assert changed[0]["source"] == "undersigned"
        stream.deliver(records)
        stream.drain()
        assert len(events.of("CountChanged")) == 1

    def test_each_milestone_and_the_goal_are_announced_once(self, api, demo, mailbox, stream, events):
        put_campaign({"id": "small", "title": "Small", "statement": "s", "goal": 5, "milestones": [2, 3]})
        sign_up(api, mailbox, 2, campaign="small")
        records = stream.read()
        stream.deliver(records)
        stream.deliver(records)
        sign_up(api, mailbox, 4, campaign="small", prefix="t")
        stream.drain()
        stream.deliver(records)
        reached = events.of("MilestoneReached", "small")
        assert [event["milestone"] for event in reached] == [2, 3, 5]
        assert [event["is_goal"] for event in reached] == [False, False, True]
        assert reached[-1]["title"] == "Small" and reached[-1]["count"] == 6

    def test_a_milestone_is_not_announced_again_after_the_count_falls_and_rises(self, api, demo, mailbox, stream, events):
        put_campaign({"id": "small", "title": "Small", "statement": "s", "milestones": [2]})
        sign_up(api, mailbox, 2, campaign="small")
        stream.drain()
        api.post("/withdraw", json_body={"token": mailbox.last_to("s0@example.org").token("/withdraw")})
        stream.drain()
        sign_up(api, mailbox, 1, campaign="small", prefix="again")
        stream.drain()
        assert count(api, "small") == 2
        assert len(events.of("MilestoneReached", "small")) == 1

    def test_a_milestone_whose_announcement_failed_is_announced_on_the_retry(self, api, demo, mailbox, stream, events):
        put_campaign({"id": "small", "title": "Small", "statement": "s", "milestones": [1]})
        sign_up(api, mailbox, 1, campaign="small")
        records = stream.read()
        # EventBridge taking the batch but failing its milestone entry, as PutEvents answers.
        client = aws.client("events")
        client.meta.events.register("before-call.events.PutEvents", milestone_entries_throttled)
        answer = stream.deliver(records)
        assert len(answer["batchItemFailures"]) == 1
        assert count(api, "small") == 1
        client.meta.events.unregister("before-call.events.PutEvents", milestone_entries_throttled)
        stream.deliver(records)
        stream.deliver(records)
        assert count(api, "small") == 1
        assert [event["milestone"] for event in events.of("MilestoneReached", "small")] == [1]
        assert len(events.of("CountChanged", "small")) == 1
