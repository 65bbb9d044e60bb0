"""The tally's failure queue (`TallyFailuresQueue`): where stream records it cannot read
are reported, beside the batches the event source mapping gave up on. Its alarm
(`TallyFailuresAlarm`) tells an operator; the recount settles the signatures concerned.

A report holds the record's metadata only (event id, sequence number, reason, stream):
a record's images hold personal data and never leave the stream.
"""

from __future__ import annotations

import json
from typing import Iterable

from undersigned import aws, config
from undersigned.tally import Unreadable

TALLY_FAILURES_QUEUE = config.setting("TALLY_FAILURES_QUEUE")
# SendMessageBatch takes at most ten messages.
_BATCH = 10


def report(unreadable: Iterable[Unreadable], stream_arn: str | None) -> None:
    """Sends one message per unreadable record; raises if the queue did not take them all."""
    messages = [
        {
            "Id": str(number),
            "MessageBody": json.dumps(
                {
                    "problem": "unreadable_stream_record",
                    "reason": record.reason,
                    "eventID": record.event_id,
                    "sequenceNumber": record.sequence_number,
                    "streamArn": stream_arn,
                }
            ),
        }
        for number, record in enumerate(unreadable)
    ]
    sqs = aws.client("sqs")
    for start in range(0, len(messages), _BATCH):
        answer = sqs.send_message_batch(QueueUrl=TALLY_FAILURES_QUEUE.value, Entries=messages[start : start + _BATCH])
        if answer.get("Failed"):
            raise RuntimeError(f"the failure queue refused {len(answer['Failed'])} reports")
