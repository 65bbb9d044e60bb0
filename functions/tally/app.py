"""DynamoDB stream of the signatures table: keeps each campaign's count exact and
publishes it (EventBridge CountChanged and MilestoneReached, see `undersigned.publishing`).

Reports partial batch failures: a campaign whose update or milestone announcement
failed is retried from its first record; what landed already is recognised by its
marks and not counted twice, and an announced milestone by its claim.
"""

from undersigned import publishing
from undersigned.campaign import format_instant, utc_now
from undersigned.observability import fault_report, logger
from undersigned.store import Store
from undersigned.tally import tally_records


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    store = Store()
    now = format_instant(utc_now())
    failed: list[str] = []
    for tally in tally_records(event.get("Records", [])):
        try:
            change = sum(store.apply_tally(tally.campaign_id, chunk, now) for chunk in tally.chunks())
            publishing.announce(store, tally.campaign_id, change, now)
        except Exception as error:  # noqa: BLE001 - reported per campaign, retried by the mapping
            logger.error("count update failed", extra={"campaign_id": tally.campaign_id, **fault_report(error)})
            failed.append(tally.first_sequence_number)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
