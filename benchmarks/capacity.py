"""Capacity model: one campaign at 3,333 verified signatures a second for ten minutes
(issue 10), in the current key design and in the target one (`make bench`).

Pure arithmetic on AWS's published limits: no AWS, no timing. It answers, for each
design, how many write units one verified signature costs, how many write and read
units land on the hottest partition key of every table and index each second, whether
the stream -> tally path keeps up, and how far the count lags. `benchmarks/surge.py`
checks the per-signature and per-key figures against what runs here (DynamoDB Local).

Every number below is a named constant with where it comes from. "Assumption" marks a
figure that is ours (an item size, a latency), not AWS's; change it and run again.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace

from devstack.template import load_template
from undersigned.store.signatures import LIST_SHARDS

# ---------------------------------------------------------------- the bar (issue 10)
# 100x the UK Parliament petitions' 2019 peak (about 2,000 a minute): 200,000 a minute.
SURGE_PER_SECOND = 3_333
SURGE_SECONDS = 600
COUNT_LAG_TARGET_SECONDS = 5.0
WRITE_UNITS_TARGET = 4.0  # per verified signature, rate limits included
COUNT_READ_TARGET = 0.5  # read units per count read

# ---------------------------------------------------------------- DynamoDB limits and billing
# "Best practices for designing and using partition keys effectively" / "Burst and adaptive
# capacity" (docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html):
# a partition serves at most 1,000 WCU and 3,000 RCU a second, whatever the table's mode.
PARTITION_WCU_PER_SECOND = 1_000
PARTITION_RCU_PER_SECOND = 3_000
# Our margin under those limits: hashing spreads signers unevenly by a few percent, and a
# split partition needs headroom while it splits. Assumption.
KEY_HEADROOM = 0.8
# "Read/write capacity mode" (.../HowItWorks.ReadWriteCapacityMode.html): a write unit is one
# write of up to 1 KB; a read unit one strongly consistent read of up to 4 KB (half for an
# eventually consistent one).
WRITE_UNIT_KB = 1.0
READ_UNIT_KB = 4.0
EVENTUAL_READ_FACTOR = 0.5
# "Amazon DynamoDB Transactions: How it works" (.../transaction-apis.html): a transactional
# write costs two writes of each item (prepare and commit); at most 100 actions, 4 MB.
TRANSACTION_WRITE_FACTOR = 2
TRANSACTION_MAX_ACTIONS = 100
# "Managing global secondary indexes" (.../GSI.html#GSI.ThroughputConsiderations): a write that
# adds an item to an index costs one index write of the projected item; a write that touches no
# projected attribute or index key costs the index nothing.
# "On-demand capacity mode": a new on-demand table serves 4,000 WCU / 12,000 RCU at once and
# may throttle when traffic more than doubles the previous peak within 30 minutes.
ON_DEMAND_INITIAL_WCU = 4_000
# "Change data capture for DynamoDB Streams" (.../Streams.html): one stream shard per
# partition; records of one item appear in its shard in order.

# ---------------------------------------------------------------- Lambda, streams
# "Using AWS Lambda with Amazon DynamoDB" (docs.aws.amazon.com/lambda/latest/dg/with-ddb.html):
# ParallelizationFactor 1-10 concurrent batches per shard, "in-order processing at the item
# (partition and sort key) level": records of one item stay in order in one of them, those of
# one partition key may be in several at once (so the tally, whose batches of one key would
# meet on its count items, keeps 1: each stream shard a batch at a time); BatchSize up to 10,000; MaximumBatchingWindowInSeconds up to 300;
# invocation payload at most 6 MB.
MAX_PARALLELIZATION_FACTOR = 10
LAMBDA_PAYLOAD_MB = 6.0
# "Lambda scaling behavior" (docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html): each
# function scales by up to 1,000 execution environments every 10 seconds.
LAMBDA_SCALING_PER_10_SECONDS = 1_000
# Stream record to the poller: "typically within a second" (DynamoDB Streams, near real time). Assumption.
STREAM_PROPAGATION_SECONDS = 0.5
# One tally invocation's fixed cost (poll, invoke, deserialise, announce), and one count
# transaction (a partition's count, counters and position: a handful of actions).
# Assumptions, of the order seen in Lambda's Duration metric.
TALLY_INVOKE_OVERHEAD_SECONDS = 0.05
TRANSACTION_SECONDS = 0.03
# The tally's consistent GetItem of a partition's applied position, before its transaction:
# DynamoDB's "single-digit millisecond" latency (aws.amazon.com/dynamodb), at its upper end.
POSITION_READ_SECONDS = 0.01
# NEW_AND_OLD_IMAGES record of one signature, as Lambda passes it in JSON. Assumption (measured
# here by surge.py: ~1.5-2 KB).
STREAM_RECORD_KB = 2.0

# ---------------------------------------------------------------- our items (assumptions)
# A signature with a name, organisation, role, comment and its hashes: under 1 KB (surge.py
# prints the measured units; one write unit per write).
SIGNATURE_ITEM_KB = 0.8
# The public list's projection (keys, name, role, organisation, country, verified_at).
LISTING_ITEM_KB = 0.3
# The campaign item holds the letter (title, statement, translations): read by submit and
# verify. A 3,000-character statement in two languages.
CAMPAIGN_ITEM_KB = 6.0
COUNTER_ITEM_KB = 0.1
# The count's own item (`store/counters.py`, counter "count": the count, organisations,
# when it moved, tally_seq, the goal's copy): about 150 bytes. The tally's transaction
# moves it; `/count` reads it alone, eventually consistent.
COUNT_ITEM_KB = 0.2
# A signature shard's own count item (`count` + the shard: the count, organisations, when
# it moved, tally_seq): about 180 bytes (177 measured on DynamoDB Local with a 63-character id). `/count` reads the campaign's count items in one
# Query, which bills their total size rounded up to 4 KB ("Query" read consumption, in
# .../read-write-operations.html#read-operation-consumption).
COUNT_SHARD_ITEM_KB = 0.18
# A partition's applied position (`store/counters.py`, `applied#k`: applied_seq and
# applied_event, the last stream record its count moved by): about 100 bytes. Its own item,
# so the count items `/count` reads stay small; the tally reads it consistently (GetItem)
# once per partition per batch and moves it in the count's transaction.
POSITION_ITEM_KB = 0.1
# Rate limits and the sender's ledger, as the code writes them (`limits.admit`: one ADD per
# submission, both windows in one item; `sender.deliver`, per email: the claim that counts
# it against the day's caps in one conditional update of the address's counter item, then
# the sent mark in the same item, each 1 unit: the item keeps at most the day's cap of
# message ids). 3 per verified signature that got one email; `benchmarks/surge.py`
# measures it since it runs the real sender.
RATE_LIMIT_WRITES, EMAIL_WRITES = 1, 2
LIMIT_WRITES_PER_SUBMISSION = RATE_LIMIT_WRITES + EMAIL_WRITES
# Public-list indexes a listed signature is written to (`store/signatures.py`): a person
# the whole list only; an organisation the organisations' list (`PublicSignatoriesByKind`)
# too; the featured index only for the few an organiser picks.
# Share of signers who consent to the public list: the worst case sizes the index.
PUBLIC_SHARE = 1.0
# Share of signatures that are organisations': they are few, people are the surge (the
# README's example letter: 53 organisations beside 4,210 people). Assumption; surge.py
# signs this share as organisations.
ORGANISATION_SHARE = 0.01
# Counters a partition's batch moves, besides the count: the hour's, ~1 source's and ~1
# country's (distinct values among the batch's signatures; surge.py's signers have one
# country and no source, so it moves 1-2). Assumption.
COUNTERS_PER_TRANSACTION = 3
# Besides its counters, every count transaction holds the count item and the position item.
ITEMS_BESIDES_COUNTERS = 2
# Stream records per verified signature: the submit's INSERT (pending: moves nothing) and
# the verify's MODIFY. The tally writes nothing on the signatures, so adds none.
STREAM_RECORDS_PER_SIGNATURE = 2
# Submit, verify and the sender each read the campaign (eventually consistent GetItem)
# unless the instance read it within CampaignCacheSeconds (`store.campaigns.recent`;
# template default 5 s). Verify and the sender also read the signature, eventually
# consistently (`Signatures.get_expecting`: strongly only when what they found may be stale).
CAMPAIGN_READS_PER_SIGNATURE = 3
SIGNATURE_READS_PER_SIGNATURE = 2
_TEMPLATE = load_template()
CAMPAIGN_CACHE_SECONDS = float(_TEMPLATE["Parameters"]["CampaignCacheSeconds"]["Default"])
# Keys a new campaign's signatures are spread over (the stack's parameter, `store/signatures.py`).
SIGNATURE_SHARDS = int(_TEMPLATE["Parameters"]["SignatureShards"]["Default"])
# The tally's event source mapping, as the template declares it.
TALLY_MAPPING = _TEMPLATE["Resources"]["TallyFunction"]["Properties"]["Events"]["Signatures"]["Properties"]
# Function durations at the surge, for the concurrency the reads come from. Assumptions.
SUBMIT_SECONDS = 0.15
VERIFY_SECONDS = 0.10
SEND_SECONDS = 0.05  # one SES SendEmail


def units(kb: float, unit_kb: float) -> int:
    return max(1, math.ceil(kb / unit_kb))


@dataclass(frozen=True)
class Design:
    name: str
    signature_shards: int = 1  # partition keys per campaign in the signatures table
    listing_shards: int = 1  # partition keys per campaign in the public-list index
    batch_size: int = 100  # the tally's event source mapping
    batching_window_seconds: float = 1.0
    parallelization_factor: int = 1
    # Seconds a function instance keeps the campaign it read (0: reads it every request).
    campaign_cache_seconds: float = 0.0
    # Items the count (and each hour and source counter) is kept in: 1, the count's own item;
    # more, one per signature shard, which `/count` sums in one Query.
    count_shards: int = 1
    notes: list[str] = field(default_factory=list, compare=False)


# Before the signatures were spread (and every campaign created before still): one
# signatures key per campaign, one count item, the tally's batches of 100 one at a time.
ONE_KEY = Design(
    "before: one signatures key per campaign",
    listing_shards=LIST_SHARDS,
    batch_size=100,
    batching_window_seconds=1.0,
    campaign_cache_seconds=CAMPAIGN_CACHE_SECONDS,
)

# As built: a new campaign's signatures over `SIGNATURE_SHARDS` keys (`store/signatures.py`),
# each shard's count kept in items of its own, and the tally's mapping as the template has it.
CURRENT = Design(
    "as built: write-sharded",
    signature_shards=SIGNATURE_SHARDS,
    listing_shards=LIST_SHARDS,
    batch_size=int(TALLY_MAPPING["BatchSize"]),
    batching_window_seconds=float(TALLY_MAPPING["MaximumBatchingWindowInSeconds"]),
    parallelization_factor=int(TALLY_MAPPING.get("ParallelizationFactor", 1)),
    campaign_cache_seconds=CAMPAIGN_CACHE_SECONDS,
    count_shards=SIGNATURE_SHARDS,
)


@dataclass(frozen=True)
class Load:
    """Write (and read) units a second on one partition key."""

    table: str
    key: str
    wcu: float
    rcu: float = 0.0

    @property
    def fits(self) -> bool:
        return self.wcu <= PARTITION_WCU_PER_SECOND and self.rcu <= PARTITION_RCU_PER_SECOND


def signature_write() -> int:
    return units(SIGNATURE_ITEM_KB, WRITE_UNIT_KB)


def counters_per_full_transaction() -> int:
    """Counters one count transaction can move: its 100 actions less the count and the position."""
    return TRANSACTION_MAX_ACTIONS - ITEMS_BESIDES_COUNTERS


def transactions_per_batch() -> int:
    """Count transactions per partition per batch (`tally.chunks`): one, unless the batch's
    signatures move more distinct counters than one transaction holds."""
    return math.ceil(COUNTERS_PER_TRANSACTION / counters_per_full_transaction())


def transactions_per_second(design: Design) -> float:
    """Count transactions a second on the campaign. Each batch here is one key's (one
    partition's records, each stream shard a batch at a time); however many signatures it
    holds, it moves the partition's count in `transactions_per_batch` transactions."""
    return batches_per_second(design) * transactions_per_batch()


@dataclass(frozen=True)
class WriteCost:
    """Write units per verified signature, by step."""

    submit_put: float
    rate_limits: float
    verify_update: float
    listing_index: float
    organisations_index: float
    count_and_counters: float  # with the partition's position item, in one transaction

    @property
    def total(self) -> float:
        return sum(vars(self).values())


def count_item_units(design: Design) -> int:
    """Write units of the item a count transaction moves the count in (its own small item,
    or a shard's counter)."""
    return units(COUNT_ITEM_KB if design.count_shards == 1 else COUNTER_ITEM_KB, WRITE_UNIT_KB)


def counter_units_per_transaction() -> int:
    return TRANSACTION_WRITE_FACTOR * COUNTERS_PER_TRANSACTION * units(COUNTER_ITEM_KB, WRITE_UNIT_KB)


def position_units_per_transaction() -> int:
    return TRANSACTION_WRITE_FACTOR * units(POSITION_ITEM_KB, WRITE_UNIT_KB)


def units_per_transaction(design: Design) -> int:
    """Write units of one count transaction: count item, counters and position, each 2 x its KB."""
    return TRANSACTION_WRITE_FACTOR * count_item_units(design) + counter_units_per_transaction() + position_units_per_transaction()


def position_read_units() -> int:
    """The tally's consistent GetItem of a partition's position, once per partition per batch."""
    return units(POSITION_ITEM_KB, READ_UNIT_KB)


def tally_read_units_per_batch(design: Design) -> float:
    """Read units the tally spends per batch (one partition's, one campaign's here): the
    position's GetItem, and the announcement's consistent Query of the campaign's count
    items (`count_events.announce`, once per campaign per batch)."""
    shard_items = COUNT_SHARD_ITEM_KB * design.count_shards if design.count_shards > 1 else 0.0
    return position_read_units() + units(COUNT_ITEM_KB + shard_items, READ_UNIT_KB)


def count_read_units(design: Design) -> float:
    """Read units of one `/count` read: the count's item, and every shard's count item with it."""
    shard_items = COUNT_SHARD_ITEM_KB * design.count_shards if design.count_shards > 1 else 0.0
    return EVENTUAL_READ_FACTOR * units(COUNT_ITEM_KB + shard_items, READ_UNIT_KB)


def listing_wcu() -> float:
    """Index write units per verified signature on the whole list (each public one adds an entry)."""
    return PUBLIC_SHARE * units(LISTING_ITEM_KB, WRITE_UNIT_KB)


def write_cost(design: Design) -> WriteCost:
    return WriteCost(
        submit_put=signature_write(),
        rate_limits=LIMIT_WRITES_PER_SUBMISSION,
        verify_update=signature_write(),
        listing_index=listing_wcu(),
        organisations_index=ORGANISATION_SHARE * listing_wcu(),
        count_and_counters=units_per_transaction(design) * transactions_per_second(design) / SURGE_PER_SECOND,
    )


def floor_cost(design: Design) -> WriteCost:
    """The write units no design can go below while it keeps the contract's promises at the
    surge, even with the sender writing nothing at all: the signature stored before the 202
    (1), its verification (1), a public signer's entry in the list index (1), one counter of
    the caller's submissions (1: a surge's signers are each a new caller, and a count every
    Lambda instance shares is a write), an organisation's entry in its own list (1 for the
    few), and the count's share of its transactions."""
    return replace(write_cost(design), rate_limits=RATE_LIMIT_WRITES)


@dataclass(frozen=True)
class Way:
    """A change, not built, that would take write units off each verified signature, and
    what it would cost the service besides: which promise to give up is the issue author's
    call (README, "How it holds a surge")."""

    change: str
    saves: float  # write units a verified signature
    costs: str


# One write an email, and none lost: messages to one address never in flight together (the
# group), so no claim is needed before the send, and the mark counts the email against the
# caps once it went. SQS FIFO (".../FIFO-queues.html", quotas in ".../quotas-messages.html"):
# 300 API calls a second a queue partition, more only in high-throughput mode, whose ceiling
# differs by Region; "Batching window is not supported for FIFO queues"
# (docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html).
FIFO_EMAIL_WRITES = 1
# AWS WAF rate-based rules (".../waf-rule-statement-type-rate-based-high-level-settings.html"):
# evaluation windows of 60, 120, 300 or 600 s, limits of at least 10, applied "near the limit",
# not exactly. Pricing (aws.amazon.com/waf/pricing): $5 a web ACL and $1 a rule a month, and
# $0.60 a million requests, cached reads at the edge included.
WAF_MONTHLY_DOLLARS = 5 + 2 * 1


def ways_to_the_target() -> tuple[Way, ...]:
    listed = PUBLIC_SHARE * (1 + ORGANISATION_SHARE)
    return (
        Way("the outbox a FIFO queue, one message group per address: the sender's claim goes, its mark counts the email",
            EMAIL_WRITES - FIFO_EMAIL_WRITES,
            "a queue replaced on upgrade (drain it first); 3,333 sends a second only in high-throughput mode, "
            "not in every Region; the sender loses its one-second batching window"),
        Way("the public list written by the tally, a page of entries per partition and batch, not an index entry a signer",
            listed * (units(LISTING_ITEM_KB, WRITE_UNIT_KB) - LISTING_ITEM_KB / WRITE_UNIT_KB),
            "a signer shows on the list when the count moves (seconds later), not at once; hiding or "
            "withdrawing one rewrites its page"),
        Way("the callers' counts in AWS WAF rate-based rules at CloudFront, not in DynamoDB",
            RATE_LIMIT_WRITES,
            "the limits each organiser sets per campaign, the hour's window (WAF looks back 10 minutes at most), "
            "exact limits, and the silent quarantine (WAF blocks or labels); "
            f"${WAF_MONTHLY_DOLLARS} a month when idle and $0.60 a million requests, every cached read included"),
    )


def after_each_set_of_ways(design: Design) -> list[tuple[tuple[Way, ...], float]]:
    """Each set of the ways, fewest first, with the write units a verified signature would
    cost after it."""
    total = write_cost(design).total
    ways = ways_to_the_target()
    return [
        (chosen, total - sum(way.saves for way in chosen))
        for size in range(1, len(ways) + 1)
        for chosen in itertools.combinations(ways, size)
    ]


def batches_per_second(design: Design) -> float:
    """Batches a second the mapping hands the tally for this campaign: per signatures key,
    one batch when it is full or when the window closes, whichever comes first."""
    records_per_key = STREAM_RECORDS_PER_SIGNATURE * SURGE_PER_SECOND / design.signature_shards
    per_key = max(records_per_key / design.batch_size, 1 / design.batching_window_seconds)
    return design.signature_shards * min(per_key, records_per_key)


def instances(seconds: float) -> float:
    """Execution environments busy at the surge (Little's law)."""
    return SURGE_PER_SECOND * seconds


def campaign_reads_per_second(design: Design) -> float:
    if design.campaign_cache_seconds <= 0:
        return CAMPAIGN_READS_PER_SIGNATURE * SURGE_PER_SECOND
    return (instances(SUBMIT_SECONDS) + instances(VERIFY_SECONDS) + instances(SEND_SECONDS)) / design.campaign_cache_seconds


def hot_keys(design: Design) -> list[Load]:
    """The hottest partition key of every table and index, in units a second."""
    tx = transactions_per_second(design)
    # Submit's put and verify's update: the tally writes nothing on the signatures.
    signature_wcu = 2 * signature_write() * SURGE_PER_SECOND / design.signature_shards
    # Verify and the sender read the signature eventually consistently.
    signature_rcu = (
        SURGE_PER_SECOND * SIGNATURE_READS_PER_SIGNATURE * EVENTUAL_READ_FACTOR * units(SIGNATURE_ITEM_KB, READ_UNIT_KB)
        / design.signature_shards
    )
    campaign_rcu = campaign_reads_per_second(design) * EVENTUAL_READ_FACTOR * units(CAMPAIGN_ITEM_KB, READ_UNIT_KB)
    key = "campaign#shard" if design.signature_shards > 1 else "campaign"
    listing_key = "listed_in=campaign#shard" if design.listing_shards > 1 else "listed_in=campaign"
    return [
        Load("Signatures", key, signature_wcu, signature_rcu),
        Load("Signatures/PublicSignatories", listing_key, listing_wcu() * SURGE_PER_SECOND / design.listing_shards),
        Load("Signatures/PublicSignatoriesByKind", "listed_kind=campaign#organisation",
             ORGANISATION_SHARE * listing_wcu() * SURGE_PER_SECOND),
        Load("Campaigns", "campaign (settings)", 0.0, campaign_rcu),
        # Every shard's count, counters and position are items of the campaign's one key here;
        # the reads are the tally's (`tally_read_units_per_batch`; `/count` reads are the
        # edge's to absorb and not counted here).
        Load("Counters", "campaign (count, counters, position)",
             tx * units_per_transaction(design), batches_per_second(design) * tally_read_units_per_batch(design)),
        # One item per caller and hour, one per signer: as hot as one caller is allowed to be.
        Load("Limits", "caller#campaign#hour", 1.0),
    ]


def shards_needed(wcu_per_second: float, rcu_per_second: float = 0.0) -> int:
    """Partition keys a load must be spread over so that none exceeds its share of the limits."""
    return max(
        math.ceil(wcu_per_second / (PARTITION_WCU_PER_SECOND * KEY_HEADROOM)),
        math.ceil(rcu_per_second / (PARTITION_RCU_PER_SECOND * KEY_HEADROOM)),
        1,
    )


def signature_shards_needed() -> int:
    """Keys a campaign's signatures must be spread over at the surge: the one-key design's
    load on its key, divided by what a key takes (with the headroom)."""
    one_key = {load.table: load for load in hot_keys(ONE_KEY)}["Signatures"]
    return shards_needed(one_key.wcu, one_key.rcu)


@dataclass(frozen=True)
class TallyPath:
    stream_shards: int
    concurrent_batches: int
    batches_per_second: float
    records_per_batch: float
    seconds_per_batch: float
    capacity_records_per_second: float
    needed_records_per_second: float
    transactions_per_second: float
    actions_per_transaction: int
    count_items: int
    seconds_to_scale: float
    lag_seconds: float  # at the end of the surge
    payload_mb: float

    @property
    def keeps_up(self) -> bool:
        return self.capacity_records_per_second >= self.needed_records_per_second

    @property
    def count_item_busy(self) -> float:
        """Share of each second a count transaction holds the campaign item. Transactions on
        one item do not queue: one that meets another fails (TransactionConflict) and retries,
        so near 1 the item, not the partition, is the ceiling."""
        return self.transactions_per_second / self.count_items * TRANSACTION_SECONDS


def tally_path(design: Design) -> TallyPath:
    """The stream -> tally path. Records of one partition key go, in order, one batch at a
    time; a campaign's keys are spread over the stream's shards (one per partition)."""
    needed = STREAM_RECORDS_PER_SIGNATURE * SURGE_PER_SECOND
    total_wcu = write_cost(design).total * SURGE_PER_SECOND
    stream_shards = max(design.signature_shards, math.ceil(total_wcu / PARTITION_WCU_PER_SECOND))
    if design.signature_shards == 1:
        stream_shards = 1  # one key lives in one partition, so in one shard
    # A campaign's keys in as many shards, each a batch at a time (ParallelizationFactor 1;
    # more would put one key's records in several batches at once, not add a key's lanes).
    concurrent = min(design.signature_shards, stream_shards * design.parallelization_factor)
    batches = batches_per_second(design)
    records_per_batch = needed / batches
    # Per partition of the batch (one here): read its position, then its transaction(s).
    seconds_per_batch = TALLY_INVOKE_OVERHEAD_SECONDS + POSITION_READ_SECONDS + transactions_per_batch() * TRANSACTION_SECONDS
    capacity = concurrent * min(records_per_batch, design.batch_size) / seconds_per_batch
    backlog = max(0.0, needed - capacity) * SURGE_SECONDS
    wait = min(design.batching_window_seconds, design.batch_size / (needed / design.signature_shards))
    lag = STREAM_PROPAGATION_SECONDS + wait + seconds_per_batch + (backlog / capacity if capacity else math.inf)
    return TallyPath(
        stream_shards=stream_shards,
        concurrent_batches=concurrent,
        batches_per_second=batches,
        records_per_batch=records_per_batch,
        seconds_per_batch=seconds_per_batch,
        capacity_records_per_second=capacity,
        needed_records_per_second=needed,
        transactions_per_second=transactions_per_second(design),
        actions_per_transaction=ITEMS_BESIDES_COUNTERS + COUNTERS_PER_TRANSACTION,
        count_items=design.count_shards,
        seconds_to_scale=10 * math.ceil(concurrent / LAMBDA_SCALING_PER_10_SECONDS) - 10,
        lag_seconds=lag,
        payload_mb=min(records_per_batch, design.batch_size) * STREAM_RECORD_KB / 1024,
    )


def report(design: Design) -> list[str]:
    cost = write_cost(design)
    lines = [f"== {design.name}: {design.signature_shards} signature key(s), {design.listing_shards} list key(s), "
             f"batch {design.batch_size}, window {design.batching_window_seconds:g} s, "
             f"ParallelizationFactor {design.parallelization_factor}"]
    lines.append("write units per verified signature: " + ", ".join(
        f"{name.replace('_', ' ')} {value:.2f}" for name, value in vars(cost).items()) + f"  = {cost.total:.2f}"
                 + f" (target {WRITE_UNITS_TARGET:g}: {'ok' if cost.total <= WRITE_UNITS_TARGET else 'OVER'})")
    lines.append(f"{'table / index':<38}{'hottest key':<34}{'WCU/s':>9}{'RCU/s':>9}  verdict")
    for load in hot_keys(design):
        verdict = "ok" if load.fits else "OVER the partition limit"
        lines.append(f"{load.table:<38}{load.key:<34}{load.wcu:>9.0f}{load.rcu:>9.0f}  {verdict}")
    path = tally_path(design)
    lines.append(
        f"tally: {path.stream_shards} stream shard(s), {path.concurrent_batches} batch(es) at once, "
        f"{path.batches_per_second:.0f} batches/s of {path.records_per_batch:.0f} records "
        f"({path.payload_mb:.2f} MB; limit {LAMBDA_PAYLOAD_MB:g}), {path.seconds_per_batch * 1000:.0f} ms each; "
        f"{path.transactions_per_second:.0f} count transactions/s of {path.actions_per_transaction} actions "
        f"(one per partition per batch; a second one only past {counters_per_full_transaction()} counters) "
        f"over {path.count_items} count item(s): "
        f"each busy {path.count_item_busy:.0%} of the time{' (CONFLICTS)' if path.count_item_busy > 0.5 else ''}"
    )
    lines.append(
        f"       handles {path.capacity_records_per_second:,.0f} of {path.needed_records_per_second:,.0f} records/s "
        f"({'keeps up' if path.keeps_up else 'FALLS BEHIND'}); scaling to it takes {path.seconds_to_scale:.0f} s; "
        f"count lag at the end of the surge {format_lag(path.lag_seconds)} (target {COUNT_LAG_TARGET_SECONDS:g} s)"
    )
    return lines


def format_lag(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def main() -> None:
    print(f"capacity model: {SURGE_PER_SECOND:,} verified signatures/s on one campaign for {SURGE_SECONDS // 60} min; "
          f"partition limits {PARTITION_WCU_PER_SECOND:,} WCU/s, {PARTITION_RCU_PER_SECOND:,} RCU/s per key "
          f"(designed to {KEY_HEADROOM:.0%} of them)")
    for design in (ONE_KEY, CURRENT):
        print()
        print("\n".join(report(design)))
    one_key = {load.table: load for load in hot_keys(ONE_KEY)}["Signatures"]
    count_read = count_read_units(CURRENT)
    needed = signature_shards_needed()
    print()
    print(f"A count read is one eventually consistent Query of the count's items ({COUNT_ITEM_KB:g} KB and "
          f"{CURRENT.count_shards} x {COUNT_SHARD_ITEM_KB:g} KB): {count_read:g} read units "
          f"(target {COUNT_READ_TARGET:g}: {'ok' if count_read <= COUNT_READ_TARGET else 'OVER'}); "
          f"the {CAMPAIGN_ITEM_KB:g} KB campaign item would be {EVENTUAL_READ_FACTOR * units(CAMPAIGN_ITEM_KB, READ_UNIT_KB):g}.")
    print(f"One key per campaign takes {one_key.wcu:,.0f} WCU/s at the surge: it holds about "
          f"{SURGE_PER_SECOND * PARTITION_WCU_PER_SECOND / one_key.wcu:,.0f} signatures/s on one campaign, not {SURGE_PER_SECOND:,}; "
          f"that needs {needed} keys, and a new campaign gets {SIGNATURE_SHARDS} "
          f"({'ok' if SIGNATURE_SHARDS >= needed else 'TOO FEW'}). Campaigns created before keep one key.")
    floor = floor_cost(CURRENT)
    print(f"The floor, with the sender writing nothing: {floor.total:.2f} write units a verified signature "
          f"(put {floor.submit_put:g}, verify {floor.verify_update:g}, list entry {floor.listing_index:g}, caller's counter "
          f"{floor.rate_limits:g}, organisations' list and count {floor.organisations_index + floor.count_and_counters:.2f}): "
          f"{'under' if floor.total <= WRITE_UNITS_TARGET else 'over'} the target of {WRITE_UNITS_TARGET:g}; and the caps, counting "
          "emails sent, need the sender to write at least once an email.")
    ways = ways_to_the_target()
    print(f"Ways down to the target, none built (each is the issue author's call), from {write_cost(CURRENT).total:.2f}:")
    for number, way in enumerate(ways, 1):
        print(f"  {number}. {way.change}: saves {way.saves:.2f}; costs {way.costs}")
    print("  after them: " + ", ".join(
        "+".join(str(ways.index(way) + 1) for way in chosen) + f" {after:.2f}{' (reaches it)' if after <= WRITE_UNITS_TARGET else ''}"
        for chosen, after in after_each_set_of_ways(CURRENT)))
    print(f"A new on-demand table serves {ON_DEMAND_INITIAL_WCU:,} WCU/s at once: pre-warm the table (warm throughput) "
          "before a known launch, or the first minutes throttle while it doubles.")


if __name__ == "__main__":
    main()
