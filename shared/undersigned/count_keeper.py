"""The tally function's work on one batch of the signatures table's stream: per partition
of a campaign's signatures, move the marks and the count in the tally's transaction
(`store.tally_transaction`); then, once per campaign, announce the change (`count_events`).

A partition whose update failed, or a campaign whose announcement failed, is reported by
its first record's sequence number, so the mapping retries from there; what landed
already is recognised by its marks and not counted twice, and an announced milestone by
its claim.

A record that cannot be read (no keys, no new image...) would fail every retry and hold
up the shard behind it: it is reported to the failure queue instead, and the rest of the
batch is counted. Only if the queue cannot take the report is the record retried.
"""

from __future__ import annotations

from typing import Any, Iterable

from undersigned import count_events, tally_failures
from undersigned.observability import fault_report, logger
from undersigned.store.tally_transaction import TallyTransaction
from undersigned.tally import CampaignTally, Unreadable, tally_records


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
                change += sum(transaction.apply(tally.partition, chunk, now_iso) for chunk in tally.chunks())
                landed = True
            except Exception as error:  # noqa: BLE001 - reported per partition, retried by the mapping
                logger.error("count update failed", extra={"campaign_id": campaign_id, "partition": tally.partition, **fault_report(error)})
                failed.append(tally.first_sequence_number)
        if not landed:
            continue
        try:
            count_events.announce(campaign_id, change, now_iso)
        except Exception as error:  # noqa: BLE001 - reported per campaign, retried by the mapping
            logger.error("count update failed", extra={"campaign_id": campaign_id, **fault_report(error)})
            failed.append(tallies[0].first_sequence_number)
    return failed


def _by_campaign(tallies: list[CampaignTally]) -> dict[str, list[CampaignTally]]:
    """The partitions' tallies (in stream order) by campaign, the campaigns by their first."""
    grouped: dict[str, list[CampaignTally]] = {}
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
