"""Retention: a campaign's signatures keep their signers' details for `retention_days`
after the campaign closes; then the hourly job anonymises them.

Anonymising erases the name, address, organisation, role, country, comment and
language, and takes the signature off the public list. It keeps the state and the
tally's mark, so the count stands. A run that nears its time limit stops and the next
one carries on: only signatures that still hold personal data are visited. A finished
campaign is remembered for a month (then checked once more, and remembered again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from undersigned.campaign import Campaign, format_instant, parse_instant
from undersigned.store.campaigns import Campaigns
from undersigned.store.ledger import Ledger
from undersigned.store.signatures import Signatures

REMEMBER_DONE_SECONDS = 30 * 86400


@dataclass
class RetentionRun:
    campaigns: int = 0
    signatures: int = 0
    finished: bool = True


def anonymise_after(campaign: Campaign, now: datetime) -> datetime | None:
    """When the campaign's signatures are due to be anonymised (None while it is open)."""
    closed = campaign.closed_since(now)
    return None if closed is None else closed + timedelta(days=campaign.retention_days)


def anonymise_due(now: datetime, time_left: Callable[[], float]) -> RetentionRun:
    """Anonymises every campaign that is due, while `time_left()` (seconds) allows."""
    run, ledger, signatures = RetentionRun(), Ledger(), Signatures()
    stamp = format_instant(now)
    for campaign in Campaigns().all():
        due = anonymise_after(campaign, now)
        if due is None or now < due:
            continue
        last = parse_instant(ledger.anonymised_at(campaign.id))
        # Finished after it was due: done (a campaign reopened and closed again is due anew).
        if last is not None and last >= due:
            continue
        for signer in signatures.to_anonymise(campaign):
            if time_left() < 30:
                run.finished = False
                return run
            signatures.anonymise(campaign, signer, stamp)
            run.signatures += 1
        ledger.mark_anonymised(campaign.id, stamp, int(now.timestamp()) + REMEMBER_DONE_SECONDS)
        run.campaigns += 1
    return run
