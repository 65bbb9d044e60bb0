"""The tally function's work on one batch of the signatures table's stream: per campaign,
move the marks and the count in the tally's transaction (`store.tally_transaction`), then
announce the change (`count_events`).

A campaign whose update or announcement failed is reported by its first record's
sequence number, so the mapping retries from there; what landed already is recognised
by its marks and not counted twice, and an announced milestone by its claim.
"""

from __future__ import annotations

from typing import Any, Iterable

from undersigned import count_events
from undersigned.observability import fault_report, logger
from undersigned.store.tally_transaction import TallyTransaction
from undersigned.tally import tally_records


def keep_count(records: Iterable[dict[str, Any]], now_iso: str) -> list[str]:
    """The sequence numbers to retry from (empty when the whole batch landed)."""
    transaction = TallyTransaction()
    failed: list[str] = []
    for tally in tally_records(records):
        try:
            change = sum(transaction.apply(tally.campaign_id, chunk, now_iso) for chunk in tally.chunks())
            count_events.announce(tally.campaign_id, change, now_iso)
        except Exception as error:  # noqa: BLE001 - reported per campaign, retried by the mapping
            logger.error("count update failed", extra={"campaign_id": tally.campaign_id, **fault_report(error)})
            failed.append(tally.first_sequence_number)
    return failed
