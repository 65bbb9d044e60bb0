"""Retention: a campaign's signatures keep their signers' details for `retention_days`
after the campaign closes; then the hourly job anonymises them.

Anonymising erases the name, address, organisation, role, country, comment and
language, and takes the signature off the public list. It keeps the state and the
tally's mark, so the count stands. A run that nears its time limit stops and the next
one carries on: only signatures that still hold personal data are visited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from undersigned.campaign import Campaign, format_instant, parse_instant
from undersigned.store import Store


@dataclass
class RetentionRun:
    campaigns: int = 0
    signatures: int = 0
    finished: bool = True


def anonymise_after(campaign: Campaign, now: datetime) -> datetime | None:
    """When the campaign's signatures are due to be anonymised (None while it is open)."""
    closed = campaign.closed_since(now)
    return None if closed is None else closed + timedelta(days=campaign.retention_days)


def is_due(campaign: Campaign, anonymised_at: str | None, now: datetime) -> bool:
    due = anonymise_after(campaign, now)
    if due is None or now < due:
        return False
    last = parse_instant(anonymised_at)
    # Anonymised after it was due: done (a campaign reopened and closed again is due anew).
    return last is None or last < due


def anonymise_due(store: Store, now: datetime, time_left: Callable[[], float]) -> RetentionRun:
    """Anonymises every campaign that is due, while `time_left()` (seconds) allows."""
    run = RetentionRun()
    stamp = format_instant(now)
    for campaign, anonymised_at in store.campaigns():
        if not is_due(campaign, anonymised_at, now):
            continue
        for signer in store.signatures_to_anonymise(campaign.id):
            if time_left() < 30:
                run.finished = False
                return run
            store.anonymise(campaign.id, signer, stamp)
            run.signatures += 1
        store.mark_anonymised(campaign.id, stamp)
        run.campaigns += 1
    return run
