"""The running total: each campaign's count of verified signatures, kept from the stream.

Every signature carries a `counted` mark that the tally alone sets. For each batch of
stream records the tally works out, per signature, whether it should be counted now
(the newest image in the batch decides) and, per partition of the signatures table (a
campaign's one key, or one of its shards: `store.signatures.partition`), moves the marks
that differ and that partition's count (`counters.sharded`: the campaign's count is the
sum of its shards') by the same amount in one transaction. A redelivered record finds
its mark already set and moves nothing; a batch split after a failure replays only what
may not have landed. One count write per partition per batch, not per signature, and the
partitions of one campaign tallied at once meet on no item, so a letter that goes viral
does not throttle on one hot item.

The same transaction moves the per-source and per-country counts, the organisations
among the count, and the verified-per-hour history: a mark records what it was counted
under (`counted_source`, `counted_hour`, `counted_country`, `counted_kind`), and taking
the mark away takes the same ones down, so they stay as exact as the count. (A
withdrawal erases the signer's country and kind of signature before the tally sees it;
the mark is what remembers them until it is taken away.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple

from undersigned.signature import ORGANISATION, is_counted
from undersigned.store.dynamo import deserialize
from undersigned.store.signatures import campaign_id_of

# A transaction takes at most 100 actions: the marks, the one count update and one
# update per distinct source, hour and country among the marks (see `CampaignTally.chunks`).
MAX_ACTIONS = 100


class Mark(NamedTuple):
    """One signature's mark to move, and the counters that move with it."""

    signer: str
    counted: bool
    hour: str | None = None  # "2026-11-28T13", the hour it was verified in
    source: str | None = None  # the partner's attribution tag
    country: str | None = None  # "UA", as the signer gave it
    kind: str | None = None  # "organisation" when counted among the organisations

    def counters(self) -> list[str]:
        """The counter items (sort keys) this mark moves besides the count."""
        return [name for name in (hour_counter(self.hour), source_counter(self.source), country_counter(self.country)) if name]

    @property
    def organisations(self) -> int:
        """How many organisations this mark moves (on the campaign, with the count)."""
        return 1 if self.kind == ORGANISATION else 0


def hour_counter(hour: str | None) -> str | None:
    return f"hour#{hour}" if hour else None


def source_counter(source: str | None) -> str | None:
    return f"source#{source}" if source else None


def country_counter(country: str | None) -> str | None:
    return f"country#{country}" if country else None


def hour_of(instant: str | None) -> str | None:
    """The hour bucket of an ISO instant such as 2026-11-28T13:05:00Z."""
    return instant[:13] if instant and len(instant) >= 13 and instant[10] == "T" else None


@dataclass
class CampaignTally:
    """The marks to move on one partition of a campaign's signatures."""

    partition: str
    # signer -> should it be counted (only the signatures whose mark must change)
    marks: dict[str, bool] = field(default_factory=dict)
    first_sequence_number: str = ""
    details: dict[str, Mark] = field(default_factory=dict)

    @property
    def campaign_id(self) -> str:
        return campaign_id_of(self.partition)

    def add(self, mark: Mark) -> None:
        self.marks[mark.signer] = mark.counted
        self.details[mark.signer] = mark

    def chunks(self) -> list[list[Mark]]:
        """The marks in groups that fit one transaction with their counters and the count."""
        chunks: list[list[Mark]] = []
        current: list[Mark] = []
        counters: set[str] = set()
        for mark in (self.details.get(signer) or Mark(signer, counted) for signer, counted in self.marks.items()):
            needed = counters | set(mark.counters())
            if current and len(current) + 1 + len(needed) + 1 > MAX_ACTIONS:
                chunks.append(current)
                current, needed = [], set(mark.counters())
            current.append(mark)
            counters = needed
        if current:
            chunks.append(current)
        return chunks


def _string(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name)
    text = value.get("S") if isinstance(value, dict) else None
    return text if isinstance(text, str) else None


def mark_to_move(signer: str, signature: dict[str, Any]) -> Mark | None:
    """The counting rule, for the tally and the recount alike: a signature is counted
    exactly when its state is counted; None when its mark already says so. Counting
    records the hour and source it counts under; uncounting takes down those it recorded."""
    wanted, marked = is_counted(signature.get("state")), signature.get("counted") is True
    if wanted == marked:
        return None
    if wanted:
        kind = ORGANISATION if signature.get("kind") == ORGANISATION else None
        return Mark(signer, True, hour_of(signature.get("verified_at")), signature.get("source"), signature.get("country"), kind)
    return Mark(
        signer, False, signature.get("counted_hour"), signature.get("counted_source"),
        signature.get("counted_country"), signature.get("counted_kind"),
    )


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
    """A batch's marks to move, per partition in stream order, and the records left out."""

    tallies: list[CampaignTally]
    unreadable: list[Unreadable]


def _read(record: dict[str, Any]) -> tuple[str, str, str, dict[str, Any] | None]:
    """A record's partition, signer, sequence number and newest image as plain values
    (None for a removal), or the reason it cannot be read."""
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
    event = record.get("eventName")
    # A removed item cannot carry a mark; signatures are never deleted while counted
    # (withdrawal and anonymisation keep the item), so a removal needs no change.
    if event == "REMOVE":
        return partition, signer, sequence, None
    if event not in ("INSERT", "MODIFY"):
        raise _RecordProblem("unknown_event")
    image = change.get("NewImage")
    if not isinstance(image, dict):
        raise _RecordProblem("no_new_image")
    try:
        return partition, signer, sequence, plain(image)
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        raise _RecordProblem("unreadable_image") from None


def tally_records(records: Iterable[dict[str, Any]]) -> BatchTally:
    """The marks to move, per partition, for a batch of stream records (in stream order).
    A record that cannot be read is left out and returned as such, never dropped silently;
    the rest of the batch is counted. If it was the newest of its signature's records, that
    signature moves nothing in this batch (an older image does not decide for it): the
    recount settles it."""
    newest: dict[tuple[str, str], dict[str, Any] | None] = {}
    first_seen: dict[str, str] = {}
    unreadable: list[Unreadable] = []
    for record in records:
        try:
            partition, signer, sequence, image = _read(record)
        except _RecordProblem as problem:
            unreadable.append(Unreadable(_event_id(record), _sequence_number(record), problem.reason))
            _forget_signature(newest, record)
            continue
        first_seen.setdefault(partition, sequence)
        newest[(partition, signer)] = image
    tallies: dict[str, CampaignTally] = {}
    for (partition, signer), image in newest.items():
        mark = mark_to_move(signer, image) if image is not None else None
        if mark is None:
            continue
        tally = tallies.setdefault(partition, CampaignTally(partition, first_sequence_number=first_seen[partition]))
        tally.add(mark)
    return BatchTally(sorted(tallies.values(), key=lambda tally: int(tally.first_sequence_number)), unreadable)


def _event_id(record: Any) -> str | None:
    value = record.get("eventID") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _sequence_number(record: Any) -> str | None:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    value = change.get("SequenceNumber") if isinstance(change, dict) else None
    return value if isinstance(value, str) else None


def _forget_signature(newest: dict[tuple[str, str], dict[str, Any] | None], record: Any) -> None:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    keys = change.get("Keys") if isinstance(change, dict) else None
    if isinstance(keys, dict):
        newest.pop((_string(keys, "campaign_id"), _string(keys, "signer")), None)  # type: ignore[arg-type]
