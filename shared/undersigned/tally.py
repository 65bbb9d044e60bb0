"""The running total: each campaign's count of verified signatures, kept from the stream.

The count moves by what each stream record changed, read from its two images
(`StreamViewType: NEW_AND_OLD_IMAGES`): a signature contributes to the count (and to its
hour, source and country counters, and the organisations) exactly while its state is
counted, so a record moves `contribution(new) - contribution(old)`. Nothing is written on
the signature: the tally's only writes are the counters'.

What keeps the count exact is the partition's *applied position*: the last record the
count was applied through (its sequence number and event id), kept in an item of its own beside the
partition's count item and moved in the same transaction as the count (`store.tally_transaction`),
or on its own past a run of records that cancel out. A batch
delivered again, split after a failure, or answered late, starts at or before that record:
everything up to it is dropped (`PartitionTally.unapplied`), the rest applied once.

This rests on what Lambda documents for DynamoDB streams (NOTES.md; "Using AWS Lambda with
Amazon DynamoDB"): with `ParallelizationFactor` 1 a shard's batches are handled one at a
time, in order; the records of one partition key are in one shard, in the order of the
writes, and after a partition split Lambda finishes the parent shard before its children;
a retried batch starts from a record the tally was given before. The applied record is
found in a redelivered batch by its event id; a batch that does not hold it is placed by
the sequence numbers, which rise with the time a record was written. That last rule also
assumes one partition key's records come in one lane: were a key's items ever split over
two stream shards read at once, records dropped by it would be lost to the count, so each
is logged ("stream records behind the applied position") and left to the recount.

One count write per partition per batch, not per signature, and the partitions of one
campaign tallied at once meet on no item, so a letter that goes viral does not throttle on
one hot item. The same transaction moves the per-source and per-country counts, the
organisations among the count, and the verified-per-hour history.

What a signature counts under survives its erasure: a withdrawal's old image still holds
the country it is taken down from, and an anonymisation, which erases the country of a
signature that stays counted, keeps it as `counted_country` (`store.signatures`). Marks
written by the tally before it read images (`counted_hour`, `counted_source`,
`counted_country`, `counted_kind`) are read the same way, so older signatures stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple

from undersigned.signature import ORGANISATION, is_counted
from undersigned.store.dynamo import deserialize
from undersigned.store.signatures import campaign_id_of

# A transaction takes at most 100 actions: the counters a chunk moves, the count item and
# the partition's applied position (`store.tally_transaction`).
MAX_ACTIONS = 100
_BESIDES_COUNTERS = 2


def hour_counter(hour: str | None) -> str | None:
    return f"hour#{hour}" if hour else None


def source_counter(source: str | None) -> str | None:
    return f"source#{source}" if source else None


def country_counter(country: str | None) -> str | None:
    return f"country#{country}" if country else None


def hour_of(instant: str | None) -> str | None:
    """The hour bucket of an ISO instant such as 2026-11-28T13:05:00Z."""
    return instant[:13] if instant and len(instant) >= 13 and instant[10] == "T" else None


class Contribution(NamedTuple):
    """What one counted signature adds: one to the count, and one to each of these."""

    hour: str | None = None  # "2026-11-28T13", the hour it was verified in
    source: str | None = None  # the partner's attribution tag
    country: str | None = None  # "UA", as the signer gave it
    organisation: bool = False  # counted among the organisations

    def counters(self) -> list[str]:
        """The counter items (sort keys) it adds to besides the count."""
        return [name for name in (hour_counter(self.hour), source_counter(self.source), country_counter(self.country)) if name]


def contribution(signature: dict[str, Any] | None) -> Contribution | None:
    """The counting rule, for the tally and the recount alike: a signature adds to the
    count exactly while its state is counted (None otherwise), under the hour it was
    verified in, its source, country and kind."""
    if signature is None or not is_counted(signature.get("state")):
        return None

    def counted_under(name: str) -> Any:
        return signature.get(f"counted_{name}") or signature.get(name)

    return Contribution(
        signature.get("counted_hour") or hour_of(signature.get("verified_at")),
        counted_under("source"),
        counted_under("country"),
        counted_under("kind") == ORGANISATION,
    )


@dataclass
class Moves:
    """How far the count, the organisations and each counter move."""

    count: int = 0
    organisations: int = 0
    counters: dict[str, int] = field(default_factory=dict)

    def add(self, counted: Contribution | None, step: int) -> None:
        if counted is None:
            return
        self.count += step
        self.organisations += step if counted.organisation else 0
        for name in counted.counters():
            self.counters[name] = self.counters.get(name, 0) + step

    def absorb(self, other: "Moves") -> None:
        """Adds what `other` moves to this."""
        self.count += other.count
        self.organisations += other.organisations
        for name, step in other.counters.items():
            self.counters[name] = self.counters.get(name, 0) + step

    def moved_counters(self) -> dict[str, int]:
        return {name: moved for name, moved in self.counters.items() if moved}

    def __bool__(self) -> bool:
        return bool(self.count or self.organisations or self.moved_counters())


class Position(NamedTuple):
    """A record of the stream: where a partition's count stands applied up to."""

    sequence_number: str
    event_id: str | None = None


class Change(NamedTuple):
    """One stream record of a signature, as what it counted before and after."""

    position: Position
    old: Contribution | None
    new: Contribution | None

    def moves(self) -> Moves:
        moves = Moves()
        moves.add(self.new, 1)
        moves.add(self.old, -1)
        return moves


class Chunk(NamedTuple):
    """Changes that fit one transaction: what they move, and the last of them."""

    moves: Moves
    last: Position


@dataclass
class PartitionTally:
    """The changes, in stream order, to one partition of a campaign's signatures."""

    partition: str
    changes: list[Change] = field(default_factory=list)

    @property
    def campaign_id(self) -> str:
        return campaign_id_of(self.partition)

    @property
    def first_sequence_number(self) -> str:
        return self.changes[0].position.sequence_number

    def holds(self, position: Position) -> bool:
        """Whether this batch holds the record at `position` (by its event id)."""
        return bool(position.event_id) and any(change.position.event_id == position.event_id for change in self.changes)

    def unapplied(self, applied: Position | None) -> list[Change]:
        """The changes after the partition's applied record: after it when the batch holds
        it (a redelivery), else those written after it (a batch of later records, or a late
        copy of an earlier batch, which then yields nothing)."""
        if applied is None:
            return list(self.changes)
        if self.holds(applied):
            events = [change.position.event_id for change in self.changes]
            return self.changes[events.index(applied.event_id) + 1 :]
        return [change for change in self.changes if int(change.position.sequence_number) > int(applied.sequence_number)]


def chunks(changes: Iterable[Change]) -> list[Chunk]:
    """The changes that move anything, in order, in runs whose counters and the count fit
    one transaction. A run whose moves cancel out (a signature verified and withdrawn in one
    batch) is kept, moving nothing: its position still has to move past it, or a retry from
    a record inside it (another partition's failure) would apply half of it."""
    found: list[Chunk] = []
    moves, last, touched = Moves(), None, set()
    for change in changes:
        moved = change.moves()
        if not moved:
            continue
        names = touched | set(moved.counters)
        if last is not None and len(names) + _BESIDES_COUNTERS > MAX_ACTIONS:
            found.append(Chunk(moves, last))
            moves, names = Moves(), set(moved.counters)
        moves.absorb(moved)
        last, touched = change.position, names
    if last is not None:
        found.append(Chunk(moves, last))
    return found


def plain(image: dict[str, Any]) -> dict[str, Any]:
    """A stream record's image as plain values (the counting rule reads only strings and booleans)."""
    return {name: deserialize(value) for name, value in image.items()}


class Unreadable(NamedTuple):
    """A stream record the tally cannot read, by its metadata alone: its images hold
    personal data and are never reported."""

    event_id: str | None
    sequence_number: str | None
    reason: str


class _RecordProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BatchTally(NamedTuple):
    """A batch's changes, per partition in stream order, and the records left out."""

    tallies: list[PartitionTally]
    unreadable: list[Unreadable]


# Which images a record must carry: an insertion has no old one, a removal no new one.
_IMAGES = {"INSERT": ("NewImage",), "MODIFY": ("OldImage", "NewImage"), "REMOVE": ("OldImage",)}


def _image(change: dict[str, Any], name: str, required: tuple[str, ...]) -> dict[str, Any] | None:
    image = change.get(name)
    if name not in required:
        return None
    if not isinstance(image, dict):
        raise _RecordProblem("no_new_image" if name == "NewImage" else "no_old_image")
    try:
        return plain(image)
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        raise _RecordProblem("unreadable_image") from None


def _read(record: dict[str, Any]) -> tuple[str, Change]:
    """A record's partition and change, or the reason it cannot be read."""
    change = record.get("dynamodb") if isinstance(record, dict) else None
    if not isinstance(change, dict):
        raise _RecordProblem("no_change")
    sequence = change.get("SequenceNumber")
    if not isinstance(sequence, str) or not sequence.isascii() or not sequence.isdigit():
        raise _RecordProblem("no_sequence_number")
    keys = change.get("Keys")
    partition, signer = (_string(keys, "campaign_id"), _string(keys, "signer")) if isinstance(keys, dict) else (None, None)
    if not isinstance(partition, str) or not isinstance(signer, str):
        raise _RecordProblem("no_keys")
    required = _IMAGES.get(record.get("eventName"))  # type: ignore[arg-type]
    if required is None:
        raise _RecordProblem("unknown_event")
    new = _image(change, "NewImage", required)
    old = _image(change, "OldImage", required)
    return partition, Change(Position(sequence, _event_id(record)), contribution(old), contribution(new))


def tally_records(records: Iterable[dict[str, Any]]) -> BatchTally:
    """The changes, per partition, of a batch of stream records (in stream order). A record
    that cannot be read is left out and returned as such, never dropped silently; the rest
    of the batch is counted, and what the record changed is the recount's to settle."""
    tallies: dict[str, PartitionTally] = {}
    unreadable: list[Unreadable] = []
    for record in records:
        try:
            partition, change = _read(record)
        except _RecordProblem as problem:
            unreadable.append(Unreadable(_event_id(record), _sequence_number(record), problem.reason))
            continue
        tallies.setdefault(partition, PartitionTally(partition)).changes.append(change)
    return BatchTally(list(tallies.values()), unreadable)


def _string(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name)
    text = value.get("S") if isinstance(value, dict) else None
    return text if isinstance(text, str) else None


def _event_id(record: Any) -> str | None:
    value = record.get("eventID") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _sequence_number(record: Any) -> str | None:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    value = change.get("SequenceNumber") if isinstance(change, dict) else None
    return value if isinstance(value, str) else None
