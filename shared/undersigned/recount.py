"""The recount: compares each open campaign's count with its signatures and repairs drift.

The truth is the tally's own counting rule (`tally.contribution`) summed over the
campaign's signatures, per partition: the count, the organisations among it, and each
hour's, source's and country's counter. Drift comes from a stream record the tally never
applied (one parked in the failure queue, or past the mapping's `MaximumRecordAgeInSeconds`)
or from a count written by hand. Each partition's count item and counters are set to the
truth in one transaction, only if no tally transaction moved that count while the recount
was reading (`tally_seq` unchanged), else they are left for the next run.

The count trails its signatures by the tally's lag: a signature verified a second ago is
in the truth but may not be in the count yet. So a partition is corrected only once it has
*settled*: none of its signatures changed within `settle_seconds()`, the longest a record can
wait for the tally (the mapping's record age, and a tally invocation's longest run). Past
that, every change is applied or will never be, and the truth is what the count must say.

A campaign whose signatures are spread over shards keeps a count per shard (the tally's
transactions of one partition move that shard's items): each shard is held to its own
partition, and the campaign's `count` item and unsharded counters, which then keep none, to 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from undersigned import config, count_events
from undersigned.campaign import Campaign, format_instant
from undersigned.signature import COUNTED_UNDER
from undersigned.store.campaigns import Campaigns
from undersigned.store.counters import Counters, is_seeded
from undersigned.store.signatures import Signatures, partition, partitions, shard_of
from undersigned.tally import Moves, contribution

PAGE = 1000
# The stream mapping's MaximumRecordAgeInSeconds (template parameter TallyRecordAgeSeconds).
TALLY_RECORD_AGE_SECONDS = config.setting("TALLY_RECORD_AGE_SECONDS", int, default="3600")
# A tally invocation's longest run: Lambda's 15-minute ceiling, whatever its timeout says.
_LONGEST_TALLY_SECONDS = 900
# When a signature last changed in a way that could move the count: `changed_at`, which every
# such write sets; the rest for signatures last written before it existed.
_CHANGED = ("changed_at", "created_at", "verified_at", "released_at", "withdrawn_at", "discarded_at", "ended_at", "anonymised_at")
_FIELDS = ("state", "verified_at", "source", "country", "kind", *COUNTED_UNDER, *_CHANGED)


def settle_seconds() -> int:
    return TALLY_RECORD_AGE_SECONDS.value + _LONGEST_TALLY_SECONDS


@dataclass
class Recount:
    campaign_id: str
    count_corrected_by: int = 0  # the campaign's count: the sum of its shards' corrections
    repairs: int = 0  # how far its count items and counters were set back, each taken alone
    unsettled: int = 0  # partitions changed too lately to tell, left for a later run

    @property
    def drifted(self) -> bool:
        return bool(self.repairs)


@dataclass
class _Partition:
    truth: Moves = field(default_factory=Moves)
    last_change: str = ""


def recount(campaign: Campaign, now: datetime) -> Recount:
    """Recounts one campaign over every partition of its signatures."""
    counts = Counters()
    campaign_id, now_iso = campaign.id, format_instant(now)
    result = Recount(campaign_id)
    if not is_seeded(counts.count(campaign_id, consistent=True)):
        Campaigns().seed_count(campaign_id)
    # Every count item the campaign's count is the sum of, as it stood before the signatures were read.
    shards: dict[int | None, _Partition] = {None: _Partition(), **{shard_of(held): _Partition() for held in partitions(campaign)}}
    seen = {shard: counts.count_item(campaign_id, shard) for shard in shards}
    _read_truth(campaign, shards)
    stored = counts.shard_counters(campaign_id)
    settled_before = format_instant(now - timedelta(seconds=settle_seconds()))
    for shard, held in shards.items():
        if held.last_change > settled_before:
            result.unsettled += 1
            continue
        counted, organisations = seen[shard].get("verified_count", 0), seen[shard].get("organisation_count", 0)
        kept = stored.get(shard, {})
        # Every counter whose item says other than the truth (a counter the truth lacks: 0).
        wrong = {name: held.truth.counters.get(name, 0) for name in {*held.truth.counters, *kept}}
        wrong = {name: n for name, n in wrong.items() if n != kept.get(name, 0)}
        if counted == held.truth.count and organisations == held.truth.organisations and not wrong:
            continue
        corrected = counts.correct(campaign_id, shard, seen[shard], held.truth, wrong, now_iso)
        if corrected is not None:
            result.count_corrected_by += held.truth.count - counted
            result.repairs += abs(held.truth.count - counted) + abs(held.truth.organisations - organisations)
            result.repairs += sum(abs(wrong[name] - kept.get(name, 0)) for name in corrected)
    if result.count_corrected_by:
        count_events.announce(campaign_id, result.count_corrected_by, now_iso)
    return result


def _read_truth(campaign: Campaign, shards: dict[int | None, _Partition]) -> None:
    """What each partition's signatures add up to, and when the latest of them changed."""
    signatures, after = Signatures(), None
    while True:
        # Read consistently: a withdrawal the tally has already taken off the count, read here
        # as it stood before, would have the count "corrected" back up.
        items, after = signatures.page(campaign, PAGE, after, fields=_FIELDS, consistent=True)
        for item in items:
            held = shards.setdefault(shard_of(partition(campaign, item["signer"])), _Partition())
            held.truth.add(contribution(item), 1)
            held.last_change = max([held.last_change, *(str(item[name]) for name in _CHANGED if item.get(name))])
        if after is None:
            return


def named_campaigns(campaign_ids: list[str]) -> tuple[list[Campaign], list[str]]:
    """The campaigns an operator names (closed ones too: the schedule recounts only open
    ones), and the ids that name none."""
    found, unknown, campaigns = [], [], Campaigns()
    for campaign_id in campaign_ids:
        campaign = campaigns.get(campaign_id)
        if campaign is None:
            unknown.append(campaign_id)
        else:
            found.append(campaign)
    return found, unknown


def open_campaigns(now: datetime) -> list[Campaign]:
    found, after, campaigns = [], None, Campaigns()
    while True:
        page, after = campaigns.page(100, after)
        found += [campaign for campaign in page if campaign.is_open(now)]
        if after is None:
            return found
