"""SQS (OutboxQueue): the outbox's messages, one email each (see `undersigned.sender`).

Reports partial batch failures: what could not be sent stays on the queue for a later
receive, and after the queue's maxReceiveCount it moves to OutboxDeadLetterQueue.
"""

from undersigned import cold_start
from undersigned.observability import logger
from undersigned.sender import deliver

cold_start.finish()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    failed = deliver(event.get("Records", []), context.get_remaining_time_in_millis)  # type: ignore[attr-defined]
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
