"""The recount: compares each open campaign's count with its signatures and repairs drift.

Two kinds of drift, two repairs, both by the tally's own means:
- a signature whose `counted` mark disagrees with its state (a stream record the tally
  never got, e.g. one parked in the failure queue): its mark moves with the count, the
  organisations, the per-source, per-country and hourly counters in one transaction,
  exactly as the tally would;
- a count that differs from the number of marks (a count written by hand): the count is
  set to the number of marks, only if no tally transaction moved it while the recount
  was reading (`tally_seq` unchanged), else it is left for the next run.

A campaign whose signatures are spread over shards keeps a count per shard (the tally's
transactions of one partition move that shard's items): each shard's count is held to the
marks of its own partition, and the campaign's `count` item, which then keeps none, to 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from undersigned import count_events
from undersigned.campaign import Campaign, format_instant
from undersigned.store.campaigns import Campaigns
from undersigned.store.counters import Counters, is_seeded
from undersigned.store.signatures import Signatures, partition, partitions, shard_of
from undersigned.store.tally_transaction import TallyTransaction
from undersigned.tally import CampaignTally, mark_to_move

PAGE = 1000
_FIELDS = ("counted", "counted_hour", "counted_source", "counted_country", "counted_kind", "verified_at", "source", "country", "kind")


@dataclass
class Recount:
    campaign_id: str
    marks_repaired: int = 0
    count_corrected_by: int = 0  # the campaign's count: the sum of its shards' corrections
    counts_corrected: int = 0  # by how much its count items were set back, each taken alone

    @property
    def drifted(self) -> bool:
        return bool(self.marks_repaired or self.counts_corrected)


def recount(campaign_id: str, now: datetime) -> Recount:
    """Recounts one campaign over every partition of its signatures."""
    campaigns, signatures, counts = Campaigns(), Signatures(), Counters()
    now_iso = format_instant(now)
    result = Recount(campaign_id)
    if not is_seeded(counts.count(campaign_id, consistent=True)):
        campaigns.seed_count(campaign_id)
    # Signatures of a campaign that has no item (deleted by hand) are on its one key.
    campaign = campaigns.get(campaign_id) or Campaign(id=campaign_id)
    # Every count item the campaign's count is the sum of, as it stood before the marks were read.
    shards = dict.fromkeys([None, *(shard_of(held) for held in partitions(campaign))])
    seen = {shard: counts.tally_position(campaign_id, shard) for shard in shards}
    tallies: dict[str, CampaignTally] = {}
    marked: Counter[int | None] = Counter()
    after = None
    while True:
        # Read consistently: a withdrawal the tally has already taken off the count, read here
        # as it stood before, would have the count "corrected" back up.
        items, after = signatures.page(campaign, PAGE, after, fields=_FIELDS, consistent=True)
        for item in items:
            held = partition(campaign, item["signer"])
            marked[shard_of(held)] += item.get("counted") is True
            mark = mark_to_move(item["signer"], item)
            if mark is not None:
                tallies.setdefault(held, CampaignTally(held)).add(mark)
        if after is None:
            break
    if tallies:
        transaction = TallyTransaction()
        change = sum(transaction.apply(tally.partition, chunk, now_iso) for tally in tallies.values() for chunk in tally.chunks())
        result.marks_repaired = sum(len(tally.marks) for tally in tallies.values())
        count_events.announce(campaign_id, change, now_iso)
        # The count moved with the marks; whether it also drifted apart is the next run's question.
        return result
    for shard, (counted, _) in seen.items():
        if counted != marked[shard] and counts.correct_count(campaign_id, seen[shard], marked[shard], now_iso, shard):
            result.count_corrected_by += marked[shard] - counted
            result.counts_corrected += abs(marked[shard] - counted)
    if result.count_corrected_by:
        count_events.announce(campaign_id, result.count_corrected_by, now_iso)
    return result


def open_campaign_ids(now: datetime) -> list[str]:
    found, after, campaigns = [], None, Campaigns()
    while True:
        page, after = campaigns.page(100, after)
        found += [campaign.id for campaign in page if campaign.is_open(now)]
        if after is None:
            return found
