"""Scheduled (RecountSchedule): compares each open campaign's count with its signatures,
sets a settled partition's count and counters to its signatures (see `undersigned.recount`) and reports it as the
metric `RecountRepairs` (namespace Undersigned), which the RecountDriftAlarm watches."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from undersigned import cold_start
from undersigned.campaign import utc_now
from undersigned.observability import fault_report, logger
from undersigned.recount import open_campaigns, recount

cold_start.finish()
metrics = Metrics(namespace="Undersigned")


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    now = utc_now()
    repaired, failed, drifted = 0, [], []
    for campaign in open_campaigns(now):
        campaign_id = campaign.id
        try:
            result = recount(campaign, now)
        except Exception as error:  # noqa: BLE001 - one campaign's failure must not stop the others
            logger.error("recount failed", extra={"campaign_id": campaign_id, **fault_report(error)})
            failed.append(campaign_id)
            continue
        if result.drifted:
            logger.warning(
                "count drift repaired",
                extra={"campaign_id": campaign_id, "repairs": result.repairs, "count_corrected_by": result.count_corrected_by},
            )
            drifted.append(campaign_id)
            repaired += result.repairs
    metrics.add_metric(name="RecountRepairs", unit=MetricUnit.Count, value=repaired)
    metrics.add_metric(name="RecountFailures", unit=MetricUnit.Count, value=len(failed))
    return {"drifted": drifted, "failed": failed, "repairs": repaired}
