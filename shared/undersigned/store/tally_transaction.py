"""The tally's write: a partition's count (and the organisations among it), its
per-source, per-country and hourly counters, and its applied position, moved together in
one transaction (per chunk; the position alone, in one conditional write, past a chunk
whose moves cancel out). The count item and counters are that partition's shard's own
(`counters.sharded`): batches of two partitions of a campaign, tallied at once, write no
item in common.

The transaction holds only while the partition's applied position is the one read before
the batch was worked out (`counters.position_action`), and, on a campaign's `count` item,
while that item is seeded (`counters.count_action`): a second delivery of the same records
at once, or a count still in the campaign item (then copied over once), fails its
condition, writes nothing, and the partition is read and worked out again. Should two transactions
still meet on an item, DynamoDB cancels one for `TransactionConflict`, having written
nothing, and the client tries it again (`aws.retry_transaction_conflicts`); past its
attempts the batch fails and the stream delivers it again. So the count is never moved
twice nor lost.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from undersigned.observability import logger
from undersigned.store import campaigns, counters, dynamo, signatures
from undersigned.tally import Chunk, PartitionTally, Position, chunks

# How many times a partition is worked out again after its position moved under it.
_REREADS = 5


class PositionMoved(Exception):
    """The partition's applied position kept moving while its batch was applied."""


class TallyTransaction:
    def __init__(self, client: Any | None = None) -> None:
        self._client = client or dynamo.client()
        self._counters = counters.Counters(self._client)

    def apply(self, tally: PartitionTally, now_iso: str) -> int:
        """Moves the partition's count and counters by the changes it has not applied yet,
        one transaction per chunk. Returns the change applied to the count."""
        campaign_id, shard = tally.campaign_id, signatures.shard_of(tally.partition)
        moved = 0
        for _ in range(_REREADS):
            applied = _position(self._counters.applied(campaign_id, shard))
            unapplied = tally.unapplied(applied)
            _report_placed_by_sequence(tally, applied, unapplied)
            for chunk in chunks(unapplied):
                refused = self._move(campaign_id, shard, chunk, applied, now_iso)
                if refused == _UNSEEDED:
                    # The count is still in the campaign item: copied over once, then applied.
                    campaigns.Campaigns(self._client).seed_count(campaign_id)
                if refused:
                    break  # read where the partition stands now, and work out what is left
                moved += chunk.moves.count
                applied = chunk.last
            else:
                return moved
        raise PositionMoved(tally.partition)

    def _move(self, campaign_id: str, shard: int | None, chunk: Chunk, applied: Position | None, now_iso: str) -> str | None:
        """One chunk's write (its transaction, or `_reposition` for one that moves nothing):
        None when it landed, else which condition refused it (having written nothing): the
        position moved, or the count item is not seeded."""
        table = self._counters.table
        if not chunk.moves:
            return self._reposition(campaign_id, shard, chunk, applied)
        actions = [counters.move_action(table, campaign_id, name, moved, shard) for name, moved in chunk.moves.moved_counters().items()]
        actions.append(counters.count_action(table, campaign_id, chunk.moves.count, now_iso, chunk.moves.organisations, shard))
        actions.append(counters.position_action(table, campaign_id, applied, chunk.last, shard))
        try:
            self._client.transact_write_items(TransactItems=actions)
            return None
        except ClientError as error:
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if error.response["Error"]["Code"] != "TransactionCanceledException" or len(reasons) != len(actions):
                raise
            if reasons[-1] == "ConditionalCheckFailed":
                return _MOVED
            if reasons[-2] == "ConditionalCheckFailed":
                return _UNSEEDED
            raise

    def _reposition(self, campaign_id: str, shard: int | None, chunk: Chunk, applied: Position | None) -> str | None:
        """A chunk whose moves cancel out: only the position moves past it (one conditional
        write, on the same condition as a transaction's)."""
        action = counters.position_action(self._counters.table, campaign_id, applied, chunk.last, shard)
        moved = dynamo.if_condition_holds(self._client.update_item, **action["Update"])
        return None if moved is not None else _MOVED


_MOVED, _UNSEEDED = "moved", "unseeded"


def _report_placed_by_sequence(tally: PartitionTally, applied: Position | None, unapplied: list) -> None:
    """Records dropped without the applied record in the batch: a late copy of an earlier
    batch, or (were one key's records ever in two lanes) records the count would miss."""
    if applied is not None and not tally.holds(applied) and len(unapplied) < len(tally.changes):
        logger.warning(
            "stream records behind the applied position",
            extra={"partition": tally.partition, "records": len(tally.changes) - len(unapplied), "applied_sequence_number": applied.sequence_number},
        )


def _position(stored: tuple[str, str | None] | None) -> Position | None:
    return Position(*stored) if stored else None
