"""The tally's one write: signatures' `counted` marks, the count (and the organisations
among it), and the per-source, per-country and hourly counters, moved together in one
transaction across three tables.

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
        self._campaigns = campaigns.CAMPAIGNS_TABLE.value

    def apply(self, campaign_id: str, marks: Iterable[Mark | tuple[str, bool]], now_iso: str, shard: str | None = None) -> int:
        """Sets each signature's mark and moves the count and the counters by the marks
        that changed, in one transaction. Returns the change applied to the count.
        `shard`: the signatures' shard, whose own count and counters move (`counters.sharded`)."""
        pending = {mark[0]: Mark(*mark) for mark in marks}
        while pending:
            delta = sum(1 if mark.counted else -1 for mark in pending.values())
            organisations = sum(mark.organisations * (1 if mark.counted else -1) for mark in pending.values())
            actions = [self._mark_action(campaign_id, mark) for mark in pending.values()]
            actions += self._counter_actions(campaign_id, pending.values(), shard)
            actions.append(counters.count_action(self._counters, campaign_id, delta, now_iso, organisations, shard))
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

    def _mark_action(self, campaign_id: str, mark: Mark) -> dict[str, Any]:
        # The mark moves only when the signature stands as the record said: a stale record
        # (a late duplicate of a batch already passed, or a recount's read overtaken by a
        # change) finds the state moved on and is dropped; its newer record decides.
        update: dict[str, Any] = {
            "TableName": self._signatures,
            "Key": signatures.key(campaign_id, mark.signer),
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

    def _counter_actions(self, campaign_id: str, marks: Iterable[Mark], shard: str | None) -> list[dict[str, Any]]:
        deltas: dict[str, int] = {}
        for mark in marks:
            for counter in mark.counters():
                deltas[counter] = deltas.get(counter, 0) + (1 if mark.counted else -1)
        return [counters.move_action(self._counters, campaign_id, counter, delta, shard) for counter, delta in deltas.items() if delta]
