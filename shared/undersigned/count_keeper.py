"""The tally function's work on one batch of the signatures table's stream: per partition
of a campaign's signatures, move the count and its position in the tally's transaction
(`store.tally_transaction`); then, once per campaign, announce the change (`count_events`).

A partition whose update failed, or a campaign whose announcement failed, is reported by
its first record's sequence number, so the mapping retries from there; what landed
already is behind the partition's applied position and not counted twice, and an
announced milestone is recognised by its claim.

A record that cannot be read (no keys, no new image...) would fail every retry and hold
up the shard behind it: it is reported to the failure queue instead, and the rest of the
batch is counted. Only if the queue cannot take the report is the record retried.
"""

from __future__ import annotations

from typing import Any, Iterable

from undersigned import count_events, tally_failures
from undersigned.observability import fault_report, logger
from undersigned.store.tally_transaction import TallyTransaction
from undersigned.tally import PartitionTally, Unreadable, tally_records


def keep_count(records: Iterable[dict[str, Any]], now_iso: str) -> list[str]:
    """The sequence numbers to retry from (empty when the whole batch landed)."""
    records = list(records)
    batch = tally_records(records)
    failed = _report_unreadable(batch.unreadable, _stream_of(records))
    transaction = TallyTransaction()
    for campaign_id, tallies in _by_campaign(batch.tallies).items():
        change, landed = 0, False
        for tally in tallies:
            try:
                change += transaction.apply(tally, now_iso)
                landed = True
            except Exception as error:  # noqa: BLE001 - reported per partition, retried by the mapping
                failed.append(_failure(campaign_id, tally, error, tally.partition))
        if landed:
            try:
                count_events.announce(campaign_id, change, now_iso)
            except Exception as error:  # noqa: BLE001 - reported per campaign, retried by the mapping
                failed.append(_failure(campaign_id, tallies[0], error))
    return failed


def _failure(campaign_id: str, tally: PartitionTally, error: Exception, partition: str | None = None) -> str:
    """Logs a failed count update (without personal data) and returns where to retry from."""
    where = {"partition": partition} if partition else {}
    logger.error("count update failed", extra={"campaign_id": campaign_id, **where, **fault_report(error)})
    return tally.first_sequence_number


def _by_campaign(tallies: list[PartitionTally]) -> dict[str, list[PartitionTally]]:
    """The partitions' tallies (in stream order) by campaign, the campaigns by their first."""
    grouped: dict[str, list[PartitionTally]] = {}
    for tally in tallies:
        grouped.setdefault(tally.campaign_id, []).append(tally)
    return grouped


def _report_unreadable(unreadable: list[Unreadable], stream_arn: str | None) -> list[str]:
    """The sequence numbers to retry from: none once the failure queue has the reports."""
    if not unreadable:
        return []
    for record in unreadable:
        logger.error("unreadable stream record", extra={"reason": record.reason, "event_id": record.event_id, "sequence_number": record.sequence_number})
    try:
        tally_failures.report(unreadable, stream_arn)
    except Exception as error:  # noqa: BLE001 - the mapping's retries (and its own failure destination) take over
        logger.error("failure queue unavailable", extra=fault_report(error))
        return [record.sequence_number for record in unreadable if record.sequence_number]
    return []


def _stream_of(records: list[dict[str, Any]]) -> str | None:
    return next((record["eventSourceARN"] for record in records if isinstance(record, dict) and isinstance(record.get("eventSourceARN"), str)), None)
