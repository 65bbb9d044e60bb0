"""The capacity and cost models (`benchmarks/capacity.py`, `benchmarks/cost.py`) as the
tally now works: it writes nothing on the signatures (no per-signature mark, so two stream
records per verified signature), and per partition per batch it reads the partition's
applied position and moves the count, its counters and that position in one transaction.
Pure arithmetic: no AWS, no emulator."""

from __future__ import annotations

import sys
from dataclasses import fields
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import capacity  # noqa: E402
import cost  # noqa: E402


def test_the_tally_writes_nothing_on_the_signatures() -> None:
    assert capacity.STREAM_RECORDS_PER_SIGNATURE == 2  # the submit's INSERT, the verify's MODIFY
    assert "tally_mark" not in {field.name for field in fields(capacity.WriteCost)}
    for design in (capacity.ONE_KEY, capacity.CURRENT):
        signatures = {load.table: load for load in capacity.hot_keys(design)}["Signatures"]
        # The put and the verify's update, nothing else, on each of the campaign's keys.
        expected = 2 * capacity.signature_write() * capacity.SURGE_PER_SECOND / design.signature_shards
        assert signatures.wcu == pytest.approx(expected)


def test_one_count_transaction_per_partition_per_batch() -> None:
    # A transaction holds the count item, the position item and the counters.
    assert capacity.counters_per_full_transaction() == capacity.TRANSACTION_MAX_ACTIONS - 2
    assert capacity.COUNTERS_PER_TRANSACTION <= capacity.counters_per_full_transaction()
    for design in (capacity.ONE_KEY, capacity.CURRENT):
        assert capacity.transactions_per_second(design) == capacity.batches_per_second(design)


def test_the_count_transaction_moves_the_position_too() -> None:
    design = capacity.CURRENT
    per_item = capacity.TRANSACTION_WRITE_FACTOR
    expected = per_item * (capacity.count_item_units(design) + capacity.COUNTERS_PER_TRANSACTION
                           * capacity.units(capacity.COUNTER_ITEM_KB, capacity.WRITE_UNIT_KB)
                           + capacity.units(capacity.POSITION_ITEM_KB, capacity.WRITE_UNIT_KB))
    assert capacity.units_per_transaction(design) == expected
    cost_of = capacity.write_cost(design)
    assert cost_of.count_and_counters == pytest.approx(
        expected * capacity.transactions_per_second(design) / capacity.SURGE_PER_SECOND)
    counters = {load.table: load for load in capacity.hot_keys(design)}["Counters"]
    assert counters.wcu == pytest.approx(expected * capacity.transactions_per_second(design))
    # Its reads: a position GetItem (and the announcement's count query) per batch.
    assert counters.rcu == pytest.approx(capacity.batches_per_second(design) * capacity.tally_read_units_per_batch(design))
    assert capacity.tally_read_units_per_batch(design) >= capacity.position_read_units() == 1


def test_the_tally_keeps_up_within_the_lag_target() -> None:
    path = capacity.tally_path(capacity.CURRENT)
    assert path.keeps_up
    assert path.lag_seconds <= capacity.COUNT_LAG_TARGET_SECONDS
    assert path.needed_records_per_second == 2 * capacity.SURGE_PER_SECOND


def test_the_bill_prices_the_models_writes_and_the_tallys_reads() -> None:
    lines = {line.what: line for line in cost.bill()}
    per_signature = capacity.write_cost(capacity.CURRENT)
    unverified = cost.SIGNATURES * (cost.SUBMISSIONS_PER_VERIFIED - 1)
    assert lines["DynamoDB writes (incl. index, tally)"].quantity == pytest.approx(
        cost.SIGNATURES * per_signature.total + unverified * (per_signature.submit_put + per_signature.rate_limits))
    path = capacity.tally_path(capacity.CURRENT)
    tally_reads = cost.SIGNATURES * capacity.STREAM_RECORDS_PER_SIGNATURE / path.records_per_batch \
        * capacity.tally_read_units_per_batch(capacity.CURRENT)
    assert lines["DynamoDB reads (stream reads free)"].quantity > tally_reads > 0


def test_no_design_keeping_a_callers_counter_and_the_list_index_reaches_four_write_units() -> None:
    floor = capacity.floor_cost(capacity.CURRENT)
    as_built = capacity.write_cost(capacity.CURRENT)
    # The sender's two writes are all that the floor leaves out of what is built.
    assert as_built.total - floor.total == pytest.approx(capacity.EMAIL_WRITES)
    assert floor.submit_put + floor.verify_update + floor.listing_index + floor.rate_limits == 4
    assert floor.count_and_counters > 0
    assert floor.total > capacity.WRITE_UNITS_TARGET


def test_only_the_three_ways_together_would_bring_a_signature_under_four_write_units() -> None:
    ways = capacity.ways_to_the_target()
    after = {
        tuple(ways.index(way) + 1 for way in chosen): total
        for chosen, total in capacity.after_each_set_of_ways(capacity.CURRENT)
    }
    as_built = capacity.write_cost(capacity.CURRENT).total
    assert after[(1,)] == pytest.approx(as_built - (capacity.EMAIL_WRITES - capacity.FIFO_EMAIL_WRITES))
    assert after[(3,)] == pytest.approx(as_built - capacity.RATE_LIMIT_WRITES)
    # A page bills its entries' bytes: a listed signer costs its 0.3 KB, not a whole unit.
    assert 0 < ways[1].saves < 1
    assert [chosen for chosen, total in after.items() if total <= capacity.WRITE_UNITS_TARGET] == [(1, 2, 3)]
