"""DynamoDB stream of the signatures table: keeps each campaign's count exact and
publishes it (see `undersigned.count_keeper`). Reports partial batch failures."""

from undersigned import cold_start
from undersigned.campaign import format_instant, utc_now
from undersigned.count_keeper import keep_count
from undersigned.observability import logger

cold_start.finish()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    failed = keep_count(event.get("Records", []), format_instant(utc_now()))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
