"""A surge of verified signatures on one campaign, on DynamoDB Local, through the real tally
(`make bench`; `python benchmarks/surge.py --signatures 20000`).

Signers submit and verify through the core's own flows (`sign_up`, `confirmation`), from
addresses of their own; the signatures table's real stream is then delivered to
`count_keeper.keep_count` the way Lambda's mapping would (each of the campaign's keys in a
stream shard of its own, as the capacity model has them, the shards' batches at once, one
at a time per shard), but worse: every batch is
redelivered, some are split in two, a share of the count transactions is throttled before
it is sent (a botocore event hook), and some land but lose their answer. It prints whether
the count is exact (count == verified), and the write units measured per signature and per
partition key (scaled to 3,333 signatures a second), next to the capacity model's figures
for the same (current) key design.

Every DynamoDB call of the core asks `ReturnConsumedCapacity`. DynamoDB Local under-bills
transactions (it adds up a table's items and rounds once), so transactions are priced
here per item, as AWS bills them: 2 x ceil(item KB) for every item written.
DynamoDB Local serialises transactions at about 2 ms an action: 20,000 signatures take a
few minutes. Prints; asserts nothing (exits 1 when the count is not exact).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
import threading
import time
import uuid
import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(Path(__file__).resolve().parent)]

from botocore.exceptions import ClientError, ReadTimeoutError  # noqa: E402

import capacity  # noqa: E402
from devstack.resources import create_tables, sender_address, table_name, table_variables  # noqa: E402
from fidelity.dynamodb_local import DynamoDBLocal  # noqa: E402
from fidelity.event_source import SignatureStream, tally_batch_size  # noqa: E402

REGION = "eu-west-1"
BASE_URL = "https://surge.test"
_TRANSACT = "TransactWriteItems"
_ASKS_CAPACITY = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                  "BatchWriteItem", "TransactWriteItems", "TransactGetItems"}


# ---------------------------------------------------------------- item sizes, as DynamoDB bills them
def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value ("Item sizes and formats", DynamoDB developer guide)."""
    (kind, inner), = value.items()
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        digits = len(str(Decimal(inner)).lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(item) + 1 for name, item in inner.items())
    if kind == "L":
        return 3 + sum(value_size(item) + 1 for item in inner)
    return sum(len(str(item).encode()) for item in inner)  # sets


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


# ---------------------------------------------------------------- metering and faults
class Meter:
    """Write and read units by table (or index) and partition key, from every DynamoDB call
    the core makes on its client; transactions priced per item afterwards."""

    def __init__(self, client: Any, tables: dict[str, str]) -> None:
        self.partition_key = {name: key for name, key in tables.items()}
        self.units: dict[tuple[str, str], float] = defaultdict(float)  # (table, "W"/"R") -> as DynamoDB Local reports
        # (table, "W"/"R", partition key) -> units of the calls that name one item (not queries)
        self.by_partition: dict[tuple[str, str, str], float] = defaultdict(float)
        # The limits table's write units by the kind of item (`rate`, `mail`: its key's prefix).
        self.ledger_items: dict[str, float] = defaultdict(float)
        self.limits_table = table_name("LimitsTable")
        self.local_transaction_units = 0.0
        self.transactions: list[list[tuple[str, dict[str, Any]]]] = []
        self.lock = threading.Lock()
        client.meta.events.register("before-parameter-build.dynamodb", self._ask)
        client.meta.events.register("after-call.dynamodb", self._record)

    def _ask(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name in _ASKS_CAPACITY:
            params["ReturnConsumedCapacity"] = "INDEXES"
        context["surge_item_kind"] = params.get("Key", {}).get("id", {}).get("S", "").split("#", 1)[0]
        item = params.get("Key") or params.get("Item")
        context["surge_partition"] = partition_of(item) if item else None

    def _record(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], http_response: Any = None, **_: Any) -> None:
        if http_response is not None and http_response.status_code >= 300:
            return
        consumed = parsed.get("ConsumedCapacity")
        entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        with self.lock:
            for entry in entries:
                if model.name == _TRANSACT:
                    self.local_transaction_units += entry.get("CapacityUnits", 0)
                    continue
                kind = "W" if model.name in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem") else "R"
                table = entry.get("Table", {})
                used = table.get("CapacityUnits", entry.get("CapacityUnits", 0))
                self.units[(entry["TableName"], kind)] += used
                if context.get("surge_partition"):  # a call that names one item (not a query or scan)
                    self.by_partition[(entry["TableName"], kind, context["surge_partition"])] += used
                if kind == "W" and entry["TableName"] == self.limits_table:
                    self.ledger_items[context.get("surge_item_kind", "")] += used
                for index, used in entry.get("GlobalSecondaryIndexes", {}).items():
                    self.units[(f"{entry['TableName']}/{index}", kind)] += used.get("CapacityUnits", 0)

    def landed_transaction(self, actions: list[dict[str, Any]]) -> None:
        with self.lock:
            self.transactions.append([(kind_body["TableName"], kind_body["Key"]) for action in actions
                                      for kind_body in action.values()])


class Throttle:
    """Refuses a share of the count transactions before they are sent, and loses the answer
    of a share of those that landed (a timeout after the write)."""

    def __init__(self, client: Any, meter: Meter, refuse: float, lose: float, seed: int) -> None:
        self.random = random.Random(seed)
        self.refuse, self.lose, self.meter = refuse, lose, meter
        self.refused = self.lost = 0
        self.lock = threading.Lock()  # the lanes' threads share it
        client.meta.events.register(f"before-parameter-build.dynamodb.{_TRANSACT}", self._before)
        client.meta.events.register(f"after-call.dynamodb.{_TRANSACT}", self._after)

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["surge_actions"] = params.get("TransactItems", [])
        with self.lock:
            refused = self.random.random() < self.refuse
            self.refused += refused
        if refused:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}}, _TRANSACT)

    def _after(self, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if http_response.status_code >= 300:
            return
        self.meter.landed_transaction(context.get("surge_actions", []))
        with self.lock:
            lost = self.random.random() < self.lose
            self.lost += lost
        if lost:
            raise ReadTimeoutError(endpoint_url="injected: the answer was lost")


# ---------------------------------------------------------------- the surge
def setup(local: DynamoDBLocal) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "surge", "AWS_SECRET_ACCESS_KEY": "surge", "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL_DYNAMODB": local.endpoint_url, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": local.endpoint_url,
        "AWS_EC2_METADATA_DISABLED": "true", **table_variables(), "SENDER_ADDRESS": sender_address(),
        "PUBLIC_BASE_URL": BASE_URL, "PENDING_DAYS": "7", "KEYS_SECRET_ARN": "",
        # The sender's pace is SES's business, not this benchmark's: effectively unpaced.
        "SES_SEND_RATE": "1000000", "SENDER_CONCURRENCY": "1", "OUTBOX_QUEUE_URL": "https://sqs.invalid/not-used",
        "UNDERSIGNED_MASTER_KEY": "surge-master-key-not-a-secret",
        # The injected faults log an error each; the figures are the output.
        "POWERTOOLS_LOG_LEVEL": "CRITICAL", "LOG_LEVEL": "CRITICAL",
    }
    os.environ.update(env)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    create_tables(local.client("dynamodb", REGION))
    from undersigned import count_events

    # No EventBridge here: announcements are dropped (their milestone claims still run).
    count_events.publish = lambda detail_type, detail: None  # type: ignore[assignment]


class Outbox:
    """Stands in for SES: keeps each address's last verification link."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def send(self, email: Any, *_: Any, **__: Any) -> None:
        for link in re.findall(r'href="([^"]+)"', email.html):
            parts = urlsplit(unescape(link))
            if parts.path == "/verify":
                self.tokens[email.to if isinstance(email.to, str) else email.to[0]] = parse_qs(parts.query)["token"][0]


def signs_as_organisation(number: int, share: float) -> bool:
    """Every (1 / share)-th signer signs for an organisation: spread through the surge."""
    return share > 0 and number % round(1 / share) == 0


def sign_everyone(campaign_id: str, count: int, workers: int, organisation_share: float) -> float:
    from undersigned import confirmation, mail, sign_up
    from undersigned.campaign import utc_now
    from undersigned.store.campaigns import Campaigns
    from undersigned.submission import parse_signature

    from undersigned import outbox as outbox_queue, sender

    outbox = Outbox()
    mail.send = outbox.send  # type: ignore[assignment]
    # SQS is not emulated: each outbox message goes to the real sender (its ledger writes
    # on DynamoDB Local, metered like the rest) as soon as it is posted, as on the queue.
    outbox_queue.post = lambda outgoing: sender.deliver_one(outbox_queue.decode(outbox_queue.encode(outgoing)))  # type: ignore[assignment]
    campaign = Campaigns().existing(campaign_id)

    def sign(number: int) -> None:
        address = f"signer{number}@surge.example.org"
        now = utc_now()
        # A caller of its own (the rate limits are per caller), as in a real surge.
        admission = sign_up.admit(campaign, f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}", now)
        signing_as = "organisation" if signs_as_organisation(number, organisation_share) else "person"
        request = parse_signature({"name": f"Signer {number}", "email": address, "public": True, "signing_as": signing_as,
                                   "organisation": "Surge Ltd", "country": "GB"}, from_form=False)
        sign_up.submit(campaign, request, BASE_URL, now, admission)
        confirmation.verify(outbox.tokens[address], utc_now())

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(sign, range(count)))
    return time.perf_counter() - started


def partition_of(key: dict[str, Any]) -> str:
    """The partition key's value of an item or key (`campaign_id` or `id`, by table)."""
    return next(iter(key.get("campaign_id", key.get("id", {"S": "?"})).values()))


def lanes_of(records: list[dict[str, Any]], lanes: int) -> list[list[dict[str, Any]]]:
    """The stream's shards, tallied at once: a partition key's records are in one shard (by
    its hash here; DynamoDB Local has one shard), in order, a batch at a time."""
    spread: list[list[dict[str, Any]]] = [[] for _ in range(lanes)]
    for record in records:
        spread[zlib.crc32(partition_of(record["dynamodb"]["Keys"]).encode()) % lanes].append(record)
    return [lane for lane in spread if lane]


def deliver(records: list[dict[str, Any]], batch_size: int, split_share: float, rng: random.Random) -> dict[str, int]:
    """Lambda's mapping, unkindly: in order, batch by batch; every batch delivered twice,
    some split in two; a batch that reports failures is retried from the first one."""
    from undersigned.campaign import utc_now
    from undersigned.count_keeper import keep_count

    stats = {"invocations": 0, "retries": 0, "splits": 0, "redeliveries": 0}
    position = 0
    while position < len(records):
        batch = records[position: position + batch_size]
        if len(batch) > 1 and rng.random() < split_share:
            batch = batch[: len(batch) // 2]
            stats["splits"] += 1
        stats["invocations"] += 1
        failed = keep_count(batch, utc_now().isoformat().replace("+00:00", "Z"))
        if failed:
            stats["retries"] += 1
            sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
            position += min(sequence_numbers.index(number) for number in failed)
            continue
        stats["invocations"] += 1
        stats["redeliveries"] += 1
        keep_count(batch, utc_now().isoformat().replace("+00:00", "Z"))  # the same batch again
        position += len(batch)
    return stats


def drain(stream: SignatureStream, batch_size: int, split_share: float, lanes: int, seed: int) -> tuple[int, dict[str, int]]:
    """Every record to the tally, lane by lane at once (each lane's faults its own)."""
    total, stats = 0, defaultdict(int)
    for round_number in range(20):
        records = stream.read()
        if not records:
            break
        total += len(records)
        busy = lanes_of(records, lanes)
        stats["lanes"] = max(stats["lanes"], len(busy))
        with ThreadPoolExecutor(len(busy)) as pool:
            done = pool.map(lambda lane: deliver(lane[1], batch_size, split_share, random.Random(seed * 1000 + round_number * 100 + lane[0])),
                            enumerate(busy))
            for lane_stats in done:
                for name, value in lane_stats.items():
                    stats[name] += value
    return total, dict(stats)


def items_by_key(dynamodb: Any) -> dict[tuple[str, str], int]:
    """Every item's size, by (table, key as text), for pricing the transactions."""
    sizes: dict[tuple[str, str], int] = {}
    for logical in ("SignaturesTable", "CampaignsTable", "CountersTable"):
        name, start = table_name(logical), None
        while True:
            page = dynamodb.scan(TableName=name, **({"ExclusiveStartKey": start} if start else {}))
            key_names = [k["AttributeName"] for k in dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]]
            for item in page["Items"]:
                sizes[(name, key_text({k: item[k] for k in key_names}))] = item_size(item)
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return sizes


def list_spread(dynamodb: Any, campaign_id: str) -> dict[str, int]:
    """How many of the campaign's signatures each whole-list key (`listed_in`) holds."""
    spread: dict[str, int] = defaultdict(int)
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table_name("SignaturesTable"),
        FilterExpression="begins_with(listed_in, :campaign)",
        ProjectionExpression="listed_in",
        ExpressionAttributeValues={":campaign": {"S": campaign_id}},
    )
    for page in pages:
        for item in page["Items"]:
            if "listed_in" in item:
                spread[item["listed_in"]["S"]] += 1
    return dict(spread)


def key_text(key: dict[str, Any]) -> str:
    return "|".join(f"{name}={next(iter(value.values()))}" for name, value in sorted(key.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=int(os.environ.get("SURGE_SIGNATURES", 5000)))
    parser.add_argument("--workers", type=int, default=8, help="signers at once")
    parser.add_argument("--batch-size", type=int, default=tally_batch_size(), help="records per tally batch (template's)")
    parser.add_argument("--throttle", type=float, default=0.1, help="share of count transactions refused")
    parser.add_argument("--lose", type=float, default=0.05, help="share of landed transactions whose answer is lost")
    parser.add_argument("--split", type=float, default=0.2, help="share of batches split in two")
    parser.add_argument("--organisations", type=float, default=capacity.ORGANISATION_SHARE,
                        help="share of signers who sign for an organisation (the model's)")
    parser.add_argument("--lanes", type=int, default=capacity.tally_path(capacity.CURRENT).concurrent_batches,
                        help="stream shards tallied at once (the capacity model's)")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()

    # Dummy credentials before anything talks to the emulator: never AWS.
    os.environ.update({"AWS_ACCESS_KEY_ID": "surge", "AWS_SECRET_ACCESS_KEY": "surge", "AWS_DEFAULT_REGION": REGION})
    os.environ.pop("AWS_PROFILE", None)
    local = DynamoDBLocal.start(REGION)
    try:
        setup(local)
        from undersigned import aws
        from undersigned.campaign_file import put_campaign
        from undersigned.store.campaigns import Campaigns
        from fidelity.counting import recount

        dynamodb = aws.client("dynamodb")
        campaign_id = f"surge-{uuid.uuid4().hex[:8]}"
        put_campaign({"id": campaign_id, "title": "A letter goes viral", "statement": "We, the undersigned. " * 40,
                      "public_signatories": True})
        stream = SignatureStream(dynamodb, local.client("dynamodbstreams", REGION), table_name("SignaturesTable"))
        meter = Meter(dynamodb, {})
        throttle = Throttle(dynamodb, meter, args.throttle, args.lose, args.seed)

        signing_seconds = sign_everyone(campaign_id, args.signatures, args.workers, args.organisations)
        started = time.perf_counter()
        records, stats = drain(stream, args.batch_size, args.split, args.lanes, args.seed)
        tally_seconds = time.perf_counter() - started

        counted = Campaigns().get(campaign_id, consistent=True, with_count=True).count
        truth = recount(dynamodb, campaign_id)
        sizes, spread = items_by_key(dynamodb), list_spread(dynamodb, campaign_id)
        report(args, meter, throttle, sizes, spread, counted, truth, records, stats, signing_seconds, tally_seconds)
        return 0 if counted == truth.verified == args.signatures else 1
    finally:
        local.stop()


def report(args, meter, throttle, sizes, spread, counted, truth, records, stats, signing_seconds, tally_seconds) -> None:  # noqa: ANN001, PLR0913
    n = args.signatures
    signatures, campaigns, counters, limits = (table_name(t) for t in ("SignaturesTable", "CampaignsTable", "CountersTable", "LimitsTable"))
    # Transactions priced per item: 2 x ceil(KB), by table and by partition key.
    priced: dict[str, float] = defaultdict(float)
    per_key: dict[tuple[str, str], float] = defaultdict(float)
    for actions in meter.transactions:
        for table, key in actions:
            units = capacity.TRANSACTION_WRITE_FACTOR * write_units(sizes.get((table, key_text(key)), 1))
            priced[table] += units
            per_key[(table, partition_of(key))] += units
    plain = {table: units for (table, kind), units in meter.units.items() if kind == "W"}
    reads = {table: units for (table, kind), units in meter.units.items() if kind == "R"}
    # What the landed transactions wrote: items by table, and by kind of counter item
    # (`count`, `applied`, `hour`, `country`, `source`: the sort key's prefix).
    transaction_tables: dict[str, int] = defaultdict(int)
    transaction_items: dict[str, int] = defaultdict(int)
    for actions in meter.transactions:
        for table, key in actions:
            transaction_tables[table] += 1
            if "counter" in key:
                transaction_items[next(iter(key["counter"].values())).split("#", 1)[0]] += 1
    organisations = sum(signs_as_organisation(number, args.organisations) for number in range(n))
    print(f"surge on DynamoDB Local: {n:,} verified signatures, {organisations:,} of them organisations' "
          f"({args.workers} signers at once, {signing_seconds:.0f} s), "
          f"{records:,} stream records to the real tally in {tally_seconds:.0f} s")
    print(f"tally: {stats.get('lanes', 0)} stream shards at once; "
          f"faults: {stats.get('redeliveries', 0)} batches redelivered, {stats.get('splits', 0)} split, "
          f"{throttle.refused} transactions throttled, {throttle.lost} answers lost, {stats.get('retries', 0)} batch retries")
    exact = counted == truth.verified == n
    print(f"exact: count {counted:,}, verified {truth.verified:,} -> {'EXACT' if exact else 'NOT EXACT'}")
    landed = max(1, len(meter.transactions))
    print(f"landed count transactions: {len(meter.transactions)} ({records / landed:.0f} stream records each, "
          f"{sum(transaction_tables.values()) / landed:.1f} items each: "
          + ", ".join(f"{kind} {number / landed:.2f}" for kind, number in sorted(transaction_items.items()))
          + f"; model {capacity.ITEMS_BESIDES_COUNTERS + capacity.COUNTERS_PER_TRANSACTION}); "
          f"DynamoDB Local billed them {meter.local_transaction_units:,.0f} units, priced per item {sum(priced.values()):,.0f}")
    print("tables the count transactions wrote: " + ", ".join(
        f"{table} {number:,} items" for table, number in sorted(transaction_tables.items()))
          + (f" (the signatures table: {transaction_tables[signatures]:,}, the model 0)" if transaction_tables.get(signatures) else
             " (none on the signatures table, as the model has it)"))
    print(f"item sizes: signature {statistics_of(sizes, signatures)}, campaign {statistics_of(sizes, campaigns)} "
          f"(model: {capacity.SIGNATURE_ITEM_KB:g} KB, {capacity.CAMPAIGN_ITEM_KB:g} KB)")
    model = capacity.write_cost(capacity.CURRENT)
    index, organisations_index = f"{signatures}/PublicSignatories", f"{signatures}/PublicSignatoriesByKind"
    measured = {
        "signatures table (put, verify)": plain.get(signatures, 0) / n,
        "public-list index": plain.get(index, 0) / n,
        "organisations' list index": plain.get(organisations_index, 0) / n,
        "rate limits, mail caps and marks": plain.get(limits, 0) / n,
        # The tally writes nothing on the signatures: a transaction that did shows here.
        "tally on signatures (transaction)": priced.get(signatures, 0) / n,
        "count, counters, position (transaction)": (priced.get(campaigns, 0) + priced.get(counters, 0)) / n,
    }
    modelled = [model.submit_put + model.verify_update, model.listing_index, model.organisations_index, model.rate_limits,
                0.0, model.count_and_counters]
    print()
    print(f"{'write units per verified signature':<40}{'measured':>10}{'model':>8}")
    for (name, value), expected in zip(measured.items(), modelled):
        print(f"{name:<40}{value:>10.2f}{expected:>8.2f}")
    # Plain writes the rows above leave out (the model has none).
    other = sum(plain.values()) / n - sum(v for k, v in measured.items() if "transaction" not in k)
    print(f"{'other writes':<40}{other:>10.2f}{0:>8.2f}")
    print(f"{'total':<40}{(sum(plain.values()) + sum(priced.values())) / n:>10.2f}{model.total:>8.2f}")
    ledger = ", ".join(f"{kind}# {units / n:.2f}" for kind, units in sorted(meter.ledger_items.items()))
    print(f"(limits table by item: {ledger}; model: rate# {capacity.RATE_LIMIT_WRITES}, "
          f"mail# {capacity.EMAIL_WRITES}, the email's claim with its caps and its sent mark)")
    print(f"(reads: {sum(reads.values()) / n:.2f} read units per signature, measured: "
          + ", ".join(f"{table} {units / n:.3f}" for table, units in sorted(reads.items()))
          + f"; the tally's position reads: {counter_reads(meter, counters) / n:.3f})")
    # Per partition key, at the surge's rate: units on the key per signature x 3,333/s.
    rate = capacity.SURGE_PER_SECOND
    on_key = defaultdict(float, per_key)
    for (table, kind, partition), units in meter.by_partition.items():
        if kind == "W":
            on_key[(table, partition)] += units
    signature_keys = {partition: units for (table, partition), units in on_key.items() if table == signatures}
    signature_key = max(signature_keys.values(), default=0) / n * rate
    signature_reads = max((units for (table, kind, _), units in meter.by_partition.items() if table == signatures and kind == "R"),
                          default=0) / n * rate
    # The counters table keeps all of a campaign's items (every shard's count, counters and
    # position) under its one key: all its reads here are on that key.
    counters_reads = reads.get(counters, 0) / n * rate
    model_keys = {load.table: load for load in capacity.hot_keys(capacity.CURRENT)}
    rows = [
        ("Signatures", f"campaign_id={{campaign}}#shard ({len(signature_keys)} keys)", signature_key),
        # The hottest of the list's keys takes its share of the list's writes.
        ("Signatures/PublicSignatories", f"listed_in={{campaign}}#shard ({len(spread)} keys)",
         plain.get(index, 0) / n * rate * max(spread.values(), default=0) / max(1, sum(spread.values()))),
        ("Signatures/PublicSignatoriesByKind", "listed_kind={campaign}#organisation", plain.get(organisations_index, 0) / n * rate),
        ("Campaigns", "campaign_id={campaign}", priced.get(campaigns, 0) / n * rate),
        ("Counters", "campaign_id={campaign}", priced.get(counters, 0) / n * rate),
    ]
    print()
    print(f"WCU/s on the hottest key at {rate:,} signatures/s{'':<32}measured    model  (limit {capacity.PARTITION_WCU_PER_SECOND:,})")
    for table, key, value in rows:
        print(f"  {table:<38}{key:<37}{value:>9,.0f}{model_keys[table].wcu:>9,.0f}")
    print(f"RCU/s on the hottest signatures key (its reads by key){'':<26}{signature_reads:>9,.0f}"
          f"{model_keys['Signatures'].rcu:>9,.0f}  (limit {capacity.PARTITION_RCU_PER_SECOND:,})")
    label = f"RCU/s on the counters key (positions {counter_reads(meter, counters) / max(1, reads.get(counters, 0)):.0%}, the rest the announced counts)"
    print(f"{label:<80}{counters_reads:>9,.0f}"
          f"{model_keys['Counters'].rcu:>9,.0f}  (limit {capacity.PARTITION_RCU_PER_SECOND:,})")
    print("Campaign and counter units (and the position reads) per signature fall as batches grow (the model's batch: "
          f"{capacity.CURRENT.batch_size} records; this run's: {args.batch_size}, split and redelivered).")


def counter_reads(meter: Meter, counters: str) -> float:
    """Read units of the calls that name one counters item: the tally's position GetItems
    (and any other GetItem of a counter item)."""
    return sum(units for (table, kind, _), units in meter.by_partition.items() if table == counters and kind == "R")


def statistics_of(sizes: dict[tuple[str, str], int], table: str) -> str:
    found = [size for (name, _), size in sizes.items() if name == table]
    return f"{sum(found) / len(found) / 1024:.2f} KB" if found else "-"


if __name__ == "__main__":
    sys.exit(main())
