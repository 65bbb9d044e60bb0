"""SNS (MailEventsTopic): SES's events for every email sent through the configuration set.

Suppresses addresses that bounced permanently or complained (`undersigned.suppression`)
and counts each event type as metrics in namespace Undersigned: MailBounces,
MailComplaints, MailDeliveries, MailRejects and AddressesSuppressed. A write that fails
raises: Lambda retries the event twice, then keeps it in MailEventsFailuresQueue.
The events hold addresses: nothing of them is logged.
"""

import json

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from undersigned import cold_start, suppression
from undersigned.observability import logger

cold_start.finish()
metrics = Metrics(namespace="Undersigned")

COUNTED = {
    suppression.BOUNCE: "MailBounces",
    suppression.COMPLAINT: "MailComplaints",
    suppression.DELIVERY: "MailDeliveries",
    suppression.REJECT: "MailRejects",
}


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    counts = dict.fromkeys([*COUNTED.values(), "AddressesSuppressed"], 0)
    for record in event.get("Records", []):
        try:
            ses_event = json.loads(record["Sns"]["Message"])
        except (KeyError, TypeError, ValueError):
            ses_event = None
        if not isinstance(ses_event, dict):
            # Retrying cannot mend it, and the message itself may quote addresses.
            logger.warning("not an SES event; skipped", extra={"message_id": record.get("Sns", {}).get("MessageId")})
            continue
        recorded = suppression.record(ses_event)
        if recorded.event_type in COUNTED:
            counts[COUNTED[recorded.event_type]] += 1
        else:
            logger.info("SES event type not counted", extra={"event_type": recorded.event_type})
        counts["AddressesSuppressed"] += recorded.suppressed
    for name, value in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    return counts
