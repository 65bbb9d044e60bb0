"""What a batch of stream records moves, read from each record's two images, and which of
them a partition has applied already, whatever order and duplicates the batch holds."""

import pytest

from undersigned.tally import Moves, Position, chunks, tally_records

_sequence = iter(range(100, 10_000))


def image(signer, state, campaign="demo", **fields):
    found = {"campaign_id": {"S": campaign}, "signer": {"S": signer}}
    if state is not None:
        found["state"] = {"S": state}
    found.update({name: {"S": value} for name, value in fields.items()})
    return found


def record(event, signer, new=None, old=None, campaign="demo", event_id=None, **fields):
    """A record of `event` on `signer`: its old and new states (None: no such image), the
    new image holding `fields` (and the old, unless the change erased them)."""
    keys = {"campaign_id": {"S": campaign}, "signer": {"S": signer}}
    change = {"Keys": keys, "SequenceNumber": str(next(_sequence)), "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if event != "REMOVE":
        change["NewImage"] = image(signer, new, campaign, **fields)
    if event != "INSERT":
        change["OldImage"] = image(signer, old, campaign, **fields)
    return {"eventID": event_id or f"e{change['SequenceNumber']}", "eventName": event, "eventSource": "aws:dynamodb", "dynamodb": change}


def moved(records, applied=None) -> dict[str, Moves]:
    """What each partition's unapplied changes move, in sum."""
    found = {}
    for tally in tally_records(records).tallies:
        total = Moves()
        for chunk in chunks(tally.unapplied(applied)):
            total.absorb(chunk.moves)
        found[tally.partition] = Moves(total.count, total.organisations, total.moved_counters())
    return found


HOUR = {"verified_at": "2026-11-28T13:05:00Z"}


def test_a_verification_adds_one_under_its_hour_source_and_country():
    batch = [record("INSERT", "a", "pending"), record("MODIFY", "a", "verified", "pending", source="p", country="UA", **HOUR)]
    assert moved(batch) == {"demo": Moves(1, 0, {"hour#2026-11-28T13": 1, "source#p": 1, "country#UA": 1})}


def test_a_withdrawal_takes_down_what_its_old_image_was_counted_under():
    withdrawal = record("MODIFY", "a", "withdrawn", "verified", source="p", **HOUR)
    withdrawal["dynamodb"]["OldImage"]["country"] = {"S": "PL"}  # erased by the withdrawal: in the old image only
    assert moved([withdrawal]) == {"demo": Moves(-1, 0, {"hour#2026-11-28T13": -1, "source#p": -1, "country#PL": -1})}


def test_a_verification_and_withdrawal_in_one_batch_move_nothing():
    batch = [record("MODIFY", "a", "verified", "pending"), record("MODIFY", "a", "withdrawn", "verified")]
    assert moved(batch) == {"demo": Moves()}
    # Nothing to count, but the position moves past both: a retry from between them must not
    # find the withdrawal unapplied.
    (chunk,) = chunks(tally_records(batch).tallies[0].changes)
    assert not chunk.moves and chunk.last == Position(batch[1]["dynamodb"]["SequenceNumber"], batch[1]["eventID"])


def test_records_that_move_nothing_are_not_positioned():
    assert chunks(tally_records([record("INSERT", "a", "pending")]).tallies[0].changes) == []


def test_an_organisation_moves_the_organisations_with_the_count():
    assert moved([record("MODIFY", "o", "verified", "pending", kind="organisation")])["demo"].organisations == 1


def test_an_anonymisation_that_keeps_the_counted_country_moves_nothing():
    anonymised = record("MODIFY", "a", "verified", "verified", **HOUR)
    anonymised["dynamodb"]["OldImage"]["country"] = {"S": "UA"}
    anonymised["dynamodb"]["NewImage"]["counted_country"] = {"S": "UA"}
    assert moved([anonymised]) == {"demo": Moves()}


def test_a_signature_marked_by_the_old_tally_is_taken_down_under_its_marks():
    withdrawal = record("MODIFY", "a", "withdrawn", "verified")
    withdrawal["dynamodb"]["OldImage"].update({"counted": {"BOOL": True}, "counted_hour": {"S": "2026-11-28T09"}, "counted_source": {"S": "p"}})
    assert moved([withdrawal]) == {"demo": Moves(-1, 0, {"hour#2026-11-28T09": -1, "source#p": -1})}


def test_the_old_tallys_own_mark_writes_move_nothing():
    mark = record("MODIFY", "a", "verified", "verified", source="p", **HOUR)
    mark["dynamodb"]["NewImage"].update({"counted": {"BOOL": True}, "counted_hour": {"S": "2026-11-28T13"}, "counted_source": {"S": "p"}})
    assert moved([mark]) == {"demo": Moves()}


def test_moto_keys_only_inserts_move_nothing():
    assert moved([record("INSERT", "a", None), record("MODIFY", "a", "pending", None)]) == {"demo": Moves()}


def test_removing_a_counted_signature_takes_it_down_and_a_pending_one_moves_nothing():
    assert moved([record("REMOVE", "a", old="verified"), record("REMOVE", "b", old="pending")]) == {"demo": Moves(-1)}


def test_partitions_are_tallied_apart_in_stream_order_and_report_their_first_record():
    batch = [record("MODIFY", "a", "verified", "pending", campaign="one#3"), record("MODIFY", "b", "verified", "pending", campaign="two")]
    tallies = tally_records(batch).tallies
    assert [(tally.partition, tally.campaign_id) for tally in tallies] == [("one#3", "one"), ("two", "two")]
    assert tallies[1].first_sequence_number == batch[1]["dynamodb"]["SequenceNumber"]


def verifications(how_many):
    return [record("MODIFY", f"s{n}", "verified", "pending") for n in range(how_many)]


def test_a_redelivered_batch_moves_only_what_follows_the_applied_record():
    batch = verifications(5)
    applied = Position(batch[2]["dynamodb"]["SequenceNumber"], batch[2]["eventID"])
    assert moved(batch, applied)["demo"].count == 2


def test_a_batch_without_the_applied_record_is_placed_by_sequence_number():
    batch = verifications(5)
    before, after = batch[:2], batch[2:]
    applied = Position(before[-1]["dynamodb"]["SequenceNumber"], "an event of an earlier batch")
    assert moved(after, applied)["demo"].count == 3, "a later batch: all of it"
    assert moved(before, applied)["demo"].count == 0, "a late copy of an earlier batch: none of it"


def test_a_partitions_first_batch_is_applied_whole():
    assert moved(verifications(4), None)["demo"].count == 4


def test_large_batches_are_cut_where_their_counters_fill_a_transaction():
    batch = [record("MODIFY", f"s{n}", "verified", "pending", source=f"partner-{n}") for n in range(150)]
    (tally,) = tally_records(batch).tallies
    cut = chunks(tally.changes)
    assert [chunk.moves.count for chunk in cut] == [98, 52]
    # DynamoDB refuses a transaction of more than 100 actions: the counters, the count and the position.
    assert [len(chunk.moves.counters) + 2 for chunk in cut] == [100, 54]
    assert cut[0].last == Position(batch[97]["dynamodb"]["SequenceNumber"], batch[97]["eventID"]), "each chunk ends where it stops"
    assert cut[1].last.event_id == batch[-1]["eventID"]


def test_many_signatures_under_shared_counters_fit_one_transaction():
    batch = [record("MODIFY", f"s{n}", "verified", "pending", source="p", country="UA", **HOUR) for n in range(1000)]
    (chunk,) = chunks(tally_records(batch).tallies[0].changes)
    assert chunk.moves == Moves(1000, 0, {"hour#2026-11-28T13": 1000, "source#p": 1000, "country#UA": 1000})


def without(record_, *path):
    """The record with the key at `path` taken out."""
    *parents, last = path
    where = record_
    for name in parents:
        where = where[name]
    del where[last]
    return record_


def verification():
    return record("MODIFY", "x", "verified", "pending")


POISON = {
    "no_keys": lambda: without(verification(), "dynamodb", "Keys"),
    "no_new_image": lambda: without(verification(), "dynamodb", "NewImage"),
    "no_old_image": lambda: without(verification(), "dynamodb", "OldImage"),
    "no_sequence_number": lambda: without(verification(), "dynamodb", "SequenceNumber"),
    "no_change": lambda: without(verification(), "dynamodb"),
    "unknown_event": lambda: {**verification(), "eventName": "RENAME"},
    "unreadable_image": lambda: _with_image(verification(), {"state": {"Q": "verified"}}),
}


def _with_image(record_, new_image):
    record_["dynamodb"]["NewImage"] = new_image
    return record_


@pytest.mark.parametrize("reason", sorted(POISON))
def test_an_unreadable_record_is_reported_and_the_rest_of_the_batch_is_counted(reason):
    poison = POISON[reason]()
    poison["eventID"] = "event-1"
    batch = [record("MODIFY", "a", "verified", "pending"), poison, record("MODIFY", "b", "verified", "pending")]
    tallied = tally_records(batch)
    assert moved(batch) == {"demo": Moves(2)}
    (unreadable,) = tallied.unreadable
    assert unreadable.reason == reason and unreadable.event_id == "event-1"
    assert unreadable.sequence_number == poison.get("dynamodb", {}).get("SequenceNumber")
