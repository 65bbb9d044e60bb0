"""Scheduled hourly: anonymises the signatures of campaigns closed for longer than their
retention period (details erased, the count kept). Logs counts only."""

from dataclasses import asdict

from undersigned import cold_start
from undersigned.campaign import utc_now
from undersigned.observability import logger
from undersigned.retention import anonymise_due


cold_start.finish()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    run = anonymise_due(utc_now(), lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("retention run", extra=asdict(run))
    return asdict(run)
