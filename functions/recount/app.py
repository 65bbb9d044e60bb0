"""Scheduled (RecountSchedule): compares each open campaign's count with its signatures,
sets a settled partition's count and counters to its signatures (see `undersigned.recount`) and reports it as the
metric `RecountRepairs` (namespace Undersigned), which the RecountDriftAlarm watches.

Invoked by an operator with `{"campaigns": ["id", ...]}`, it recounts those campaigns
instead, closed ones too (a closed campaign's withdrawals can still be lost to the
tally's failure queue); an id that names no campaign is reported as failed."""

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from undersigned import cold_start
from undersigned.campaign import utc_now
from undersigned.observability import fault_report, logger
from undersigned.recount import named_campaigns, open_campaigns, recount

cold_start.finish()
metrics = Metrics(namespace="Undersigned")


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    now = utc_now()
    repaired, failed, drifted = 0, [], []
    if "campaigns" in event:
        campaigns, failed = named_campaigns(_campaign_ids(event["campaigns"]))
        for campaign_id in failed:
            logger.warning("no such campaign to recount", extra={"campaign_id": campaign_id})
    else:
        campaigns = open_campaigns(now)
    for campaign in campaigns:
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


def _campaign_ids(named: object) -> list[str]:
    if not isinstance(named, list) or not all(isinstance(campaign_id, str) for campaign_id in named):
        raise ValueError('name the campaigns to recount as {"campaigns": ["id", ...]}')
    return named
