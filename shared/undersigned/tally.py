"""The running total: each campaign's count of verified signatures, kept from the stream.

Every signature carries a `counted` mark that the tally alone sets. For each batch of
stream records the tally works out, per signature, whether it should be counted now
(the newest image in the batch decides) and, per campaign, moves the marks that
differ and the count by the same amount in one transaction. A redelivered record
finds its mark already set and moves nothing; a batch split after a failure replays
only what may not have landed. One count write per campaign per batch, not per
signature, so a letter that goes viral does not throttle on one hot item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

COUNTED_STATES = frozenset({"verified"})
# A transaction takes at most 100 actions: the marks and the one count update.
MARKS_PER_TRANSACTION = 99


@dataclass
class CampaignTally:
    campaign_id: str
    # signer -> should it be counted (only the signatures whose mark must change)
    marks: dict[str, bool] = field(default_factory=dict)
    first_sequence_number: str = ""

    def chunks(self) -> list[list[tuple[str, bool]]]:
        items = list(self.marks.items())
        return [items[start : start + MARKS_PER_TRANSACTION] for start in range(0, len(items), MARKS_PER_TRANSACTION)]


def _string(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name)
    return value.get("S") if isinstance(value, dict) else None


def should_count(image: dict[str, Any] | None) -> bool:
    return image is not None and _string(image, "state") in COUNTED_STATES


def is_marked(image: dict[str, Any] | None) -> bool:
    return image is not None and image.get("counted", {}).get("BOOL") is True


def tally_records(records: Iterable[dict[str, Any]]) -> list[CampaignTally]:
    """The marks to move, per campaign, for a batch of stream records (in stream order)."""
    newest: dict[tuple[str, str], dict[str, Any] | None] = {}
    first_seen: dict[str, str] = {}
    for record in records:
        change = record["dynamodb"]
        keys = change["Keys"]
        campaign_id, signer = _string(keys, "campaign_id"), _string(keys, "signer")
        if campaign_id is None or signer is None:
            continue
        first_seen.setdefault(campaign_id, change["SequenceNumber"])
        # A removed item cannot carry a mark; signatures are never deleted while counted
        # (withdrawal and anonymisation keep the item), so a removal needs no change.
        newest[(campaign_id, signer)] = change.get("NewImage") if record["eventName"] != "REMOVE" else None
    tallies: dict[str, CampaignTally] = {}
    for (campaign_id, signer), image in newest.items():
        if image is None:
            continue
        wanted = should_count(image)
        if wanted == is_marked(image):
            continue
        tally = tallies.setdefault(campaign_id, CampaignTally(campaign_id, first_sequence_number=first_seen[campaign_id]))
        tally.marks[signer] = wanted
    return sorted(tallies.values(), key=lambda tally: int(tally.first_sequence_number))
