"""Which marks a batch of stream records moves, whatever order and duplicates it holds."""

import pytest

from undersigned.tally import tally_records

_sequence = iter(range(100, 10_000))


def record(event, signer, state=None, counted=False, campaign="demo", keys_only=False):
    keys = {"campaign_id": {"S": campaign}, "signer": {"S": signer}}
    image = dict(keys)
    if not keys_only:
        image["state"] = {"S": state}
        if counted:
            image["counted"] = {"BOOL": True}
    change = {"Keys": keys, "SequenceNumber": str(next(_sequence)), "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if event != "REMOVE":
        change["NewImage"] = image
    return {"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": change}


def marks(records):
    return {tally.campaign_id: tally.marks for tally in tally_records(records).tallies}


def test_a_verification_marks_the_signature_counted():
    assert marks([record("INSERT", "a", "pending"), record("MODIFY", "a", "verified")]) == {"demo": {"a": True}}


def test_the_newest_image_in_a_batch_decides():
    batch = [record("MODIFY", "a", "verified"), record("MODIFY", "a", "withdrawn")]
    assert marks(batch) == {}


def test_a_counted_withdrawal_is_unmarked():
    assert marks([record("MODIFY", "a", "withdrawn", counted=True)]) == {"demo": {"a": False}}


def test_the_tallys_own_mark_writes_move_nothing():
    assert marks([record("MODIFY", "a", "verified", counted=True)]) == {}


def test_moto_keys_only_inserts_move_nothing():
    batch = [record("INSERT", "a", keys_only=True), record("INSERT", "a", "pending")]
    assert marks(batch) == {}


def test_removals_move_nothing():
    assert marks([record("REMOVE", "a")]) == {}


def test_campaigns_are_tallied_apart_and_report_their_first_record():
    batch = [record("MODIFY", "a", "verified", campaign="one"), record("MODIFY", "b", "verified", campaign="two")]
    tallies = tally_records(batch).tallies
    assert [tally.campaign_id for tally in tallies] == ["one", "two"]
    assert tallies[1].first_sequence_number == batch[1]["dynamodb"]["SequenceNumber"]


def test_large_batches_are_split_into_transactions_of_at_most_99_marks():
    batch = [record("MODIFY", f"s{n}", "verified") for n in range(150)]
    (tally,) = tally_records(batch).tallies
    assert [len(chunk) for chunk in tally.chunks()] == [99, 51]


def test_marks_with_their_own_source_and_hour_fit_three_actions_each_within_the_limit():
    batch = []
    for n in range(70):
        image = record("MODIFY", f"s{n}", "verified")
        image["dynamodb"]["NewImage"]["source"] = {"S": f"partner-{n}"}
        image["dynamodb"]["NewImage"]["verified_at"] = {"S": f"2026-11-28T{n % 24:02d}:05:00Z"}
        batch.append(image)
    (tally,) = tally_records(batch).tallies
    chunks = tally.chunks()
    for chunk in chunks:
        counters = {name for mark in chunk for name in mark.counters()}
        assert len(chunk) + len(counters) + 1 <= 100
    # 37 marks + 37 sources + 24 hours (shared) + the count = 99: packed as full as allowed.
    assert [len(chunk) for chunk in chunks] == [37, 33]


def test_an_uncounted_mark_takes_down_the_source_and_hour_it_recorded():
    withdrawn = record("MODIFY", "a", "withdrawn", counted=True)
    withdrawn["dynamodb"]["NewImage"].update({"counted_hour": {"S": "2026-11-28T09"}, "counted_source": {"S": "p"}})
    (tally,) = tally_records([withdrawn]).tallies
    (chunk,) = tally.chunks()
    assert chunk[0].counters() == ["hour#2026-11-28T09", "source#p"] and chunk[0].counted is False


def without(record_, *path):
    """The record with the key at `path` taken out."""
    *parents, last = path
    where = record_
    for name in parents:
        where = where[name]
    del where[last]
    return record_


POISON = {
    "no_keys": lambda: without(record("MODIFY", "x", "verified"), "dynamodb", "Keys"),
    "no_new_image": lambda: without(record("MODIFY", "x", "verified"), "dynamodb", "NewImage"),
    "no_sequence_number": lambda: without(record("MODIFY", "x", "verified"), "dynamodb", "SequenceNumber"),
    "no_change": lambda: without(record("MODIFY", "x", "verified"), "dynamodb"),
    "unknown_event": lambda: {**record("MODIFY", "x", "verified"), "eventName": "RENAME"},
    "unreadable_image": lambda: _with_image(record("MODIFY", "x", "verified"), {"state": {"Q": "verified"}}),
}


def _with_image(record_, image):
    record_["dynamodb"]["NewImage"] = image
    return record_


@pytest.mark.parametrize("reason", sorted(POISON))
def test_an_unreadable_record_is_reported_and_the_rest_of_the_batch_is_counted(reason):
    poison = POISON[reason]()
    poison["eventID"] = "event-1"
    batch = [record("MODIFY", "a", "verified"), poison, record("MODIFY", "b", "verified")]
    tallied = tally_records(batch)
    assert {tally.campaign_id: tally.marks for tally in tallied.tallies} == {"demo": {"a": True, "b": True}}
    (unreadable,) = tallied.unreadable
    assert unreadable.reason == reason and unreadable.event_id == "event-1"
    assert unreadable.sequence_number == poison.get("dynamodb", {}).get("SequenceNumber")


def test_an_unreadable_newest_record_leaves_its_signature_to_the_recount():
    batch = [record("MODIFY", "a", "verified"), without(record("MODIFY", "a", "withdrawn"), "dynamodb", "NewImage")]
    tallied = tally_records(batch)
    assert tallied.tallies == [] and [problem.reason for problem in tallied.unreadable] == ["no_new_image"]
