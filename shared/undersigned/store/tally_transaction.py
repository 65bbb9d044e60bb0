"""The tally's one write: signatures' `counted` marks, the count (and the organisations
among it), and the per-source, per-country and hourly counters, moved together in one
transaction across two tables. The marks of one transaction are on one partition of
the signatures table (`store.signatures.partition`), and the count and counters it moves
are that partition's shard's own items (`counters.sharded`): batches of two partitions of a
campaign, tallied at once, write no item in common.

Should two transactions still meet on an item (two deliveries of one partition's records
at once), DynamoDB cancels one for `TransactionConflict`, having written nothing, and the
client tries it again (`aws.retry_transaction_conflicts`); past its attempts the batch
fails and the stream delivers it again, so the count is never moved twice nor lost.

A mark already set (a redelivered record), or one whose signature has changed state
since (a stale record), fails its condition and is dropped from the retry, so nothing
is counted twice.
"""

from __future__ import annotations

from typing import Any, Iterable

from botocore.exceptions import ClientError

from undersigned.signature import COUNTED
from undersigned.store import campaigns, counters, dynamo, signatures
from undersigned.tally import Mark

_COUNTED_STATES = {f":counted_state{number}": {"S": state} for number, state in enumerate(sorted(COUNTED))}
_IN_COUNTED_STATE = f"#state IN ({', '.join(_COUNTED_STATES)})"


def _recorded(mark: Mark) -> tuple[tuple[str, str | None], ...]:
    """What a mark records it was counted under (see `tally.mark_to_move`)."""
    return (("counted_hour", mark.hour), ("counted_source", mark.source), ("counted_country", mark.country), ("counted_kind", mark.kind))


class TallyTransaction:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self._signatures = signatures.SIGNATURES_TABLE.value
        self._counters = counters.COUNTERS_TABLE.value

    def apply(self, partition: str, marks: Iterable[Mark | tuple[str, bool]], now_iso: str) -> int:
        """Sets the mark of each signature on `partition` and moves its campaign's count and
        counters by the marks that changed, in one transaction. Returns the change applied
        to the count."""
        campaign_id, shard = signatures.campaign_id_of(partition), signatures.shard_of(partition)
        pending = {mark[0]: Mark(*mark) for mark in marks}
        while pending:
            delta = sum(1 if mark.counted else -1 for mark in pending.values())
            actions = [self._mark_action(partition, mark) for mark in pending.values()]
            actions += self._count_actions(campaign_id, shard, pending.values(), delta, now_iso)
            try:
                self._client.transact_write_items(TransactItems=actions)
                return delta
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                stale = [signer for signer, reason in zip(pending, reasons) if reason.get("Code") == "ConditionalCheckFailed"]
                if len(reasons) == len(actions) and reasons[-1].get("Code") == "ConditionalCheckFailed":
                    # The count item is not seeded: the count is still in the campaign item.
                    campaigns.Campaigns(self._client).seed_count(campaign_id)
                    continue
                if not stale:
                    raise
                for signer in stale:
                    del pending[signer]
        return 0

    def _mark_action(self, partition: str, mark: Mark) -> dict[str, Any]:
        # The mark moves only when the signature stands as the record said: a stale record
        # (a late duplicate of a batch already passed, or a recount's read overtaken by a
        # change) finds the state moved on and is dropped; its newer record decides.
        update: dict[str, Any] = {
            "TableName": self._signatures,
            "Key": signatures.key(partition, mark.signer),
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": dict(_COUNTED_STATES),
        }
        if mark.counted:
            # The mark records what it was counted under, to take down the same.
            recorded = {name: value for name, value in _recorded(mark) if value}
            update["UpdateExpression"] = "SET counted = :yes" + "".join(f", {name} = :{name}" for name in recorded)
            update["ConditionExpression"] = f"attribute_not_exists(counted) AND {_IN_COUNTED_STATE}"
            update["ExpressionAttributeValues"].update(
                {":yes": {"BOOL": True}, **{f":{name}": {"S": value} for name, value in recorded.items()}}
            )
        else:
            update["UpdateExpression"] = "REMOVE counted, " + ", ".join(name for name, _ in _recorded(mark))
            update["ConditionExpression"] = f"attribute_exists(counted) AND NOT {_IN_COUNTED_STATE}"
        return {"Update": update}

    def _count_actions(self, campaign_id: str, shard: int | None, marks: Iterable[Mark], delta: int, now_iso: str) -> list[dict[str, Any]]:
        """The counters' moves and, last, the count's (its cancellation reason tells
        `apply` whether it is seeded). `shard` is the marks' partition's shard of the
        campaign (None on its one key): the one place the count's writes learn where
        the marks are, so that each shard moves its own count and counters
        (`counters.sharded`) and the transactions of two shards share no item."""
        deltas: dict[str, int] = {}
        organisations = 0
        for mark in marks:
            step = 1 if mark.counted else -1
            organisations += mark.organisations * step
            for counter in mark.counters():
                deltas[counter] = deltas.get(counter, 0) + step
        actions = [counters.move_action(self._counters, campaign_id, counter, moved, shard) for counter, moved in deltas.items() if moved]
        return [*actions, counters.count_action(self._counters, campaign_id, delta, now_iso, organisations, shard)]
