"""Handlers in-process against moto: tables, sender identity and key from template.yaml."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from devstack.resources import create_queues, create_tables, sender_address, table_name, table_variables, verify_sender
from integration.lambda_api import Api, invoke
from integration.outbox_mapping import OUTBOX_QUEUE_URL, OutboxMapping
from undersigned import aws, config, keys
from undersigned.campaign_file import put_campaign

REGION = "eu-west-1"
BASE_URL = "https://api.test"
DEMO = {
    "id": "demo",
    "title": "Protect people fleeing the war",
    "statement": "We call for safe passage.",
    "goal": 100,
    "allowed_origins": ["https://partner.example.org"],
    "thank_you_url": "https://coalition.example.org/thanks",
    "public_signatories": True,
    "sender_name": "The Coalition",
}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        **table_variables(),
        "EVENT_BUS_NAME": "default",
        "SENDER_ADDRESS": sender_address(),
        "PUBLIC_BASE_URL": BASE_URL,
        "PENDING_DAYS": "7",
        "UNDERSIGNED_MASTER_KEY": "test-master-key-not-a-secret",
        "KEYS_SECRET_ARN": "",
        "OUTBOX_QUEUE_URL": OUTBOX_QUEUE_URL,
        # Fast enough that pacing never waits in a test; the rate is tested on its own.
        "SES_SEND_RATE": "10000",
        "SENDER_CONCURRENCY": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def embedded_aws(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    with mock_aws():
        aws.reset()
        config.reset()
        keys.keys.cache_clear()
        create_tables(boto3.client("dynamodb", region_name=REGION))
        queues = create_queues(boto3.client("sqs", region_name=REGION))
        assert queues["OutboxQueue"] == OUTBOX_QUEUE_URL
        monkeypatch.setenv("TALLY_FAILURES_QUEUE", queues["TallyFailuresQueue"])
        verify_sender(boto3.client("sesv2", region_name=REGION))
        yield
        aws.reset()
        config.reset()
        keys.keys.cache_clear()


@pytest.fixture
def api(embedded_aws: None) -> Api:
    return Api()


@pytest.fixture
def demo(embedded_aws: None) -> dict[str, Any]:
    put_campaign(DEMO)
    put_campaign({**DEMO, "id": "demo-closed", "closed": True})
    put_campaign({**DEMO, "id": "demo-private", "public_signatories": False, "thank_you_url": None})
    return DEMO


@dataclass
class Mail:
    to: list[str]
    subject: str
    html: str

    @property
    def links(self) -> list[str]:
        return [html.unescape(link) for link in re.findall(r'href="([^"]+)"', self.html)]

    def token(self, path: str) -> str:
        for link in self.links:
            parts = urlsplit(link)
            if parts.path == path:
                return parse_qs(parts.query)["token"][0]
        raise AssertionError(f"no {path} link in {self.links}")


class Mailbox:
    """What the signers received, once the outbox has been delivered to the sender (as the
    mapping would have by the time anyone looks)."""

    def __init__(self, outbox: OutboxMapping | None = None) -> None:
        self.outbox = outbox or OutboxMapping()

    def messages(self) -> list[Mail]:
        self.outbox.deliver()
        sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
        return [Mail(m.destinations["ToAddresses"], m.subject, m.body) for m in sent]

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.messages() if address in mail.to]

    def last_to(self, address: str) -> Mail:
        found = self.to(address)
        assert found, f"no email to {address}"
        return found[-1]


@pytest.fixture
def outbox(embedded_aws: None) -> OutboxMapping:
    return OutboxMapping()


@pytest.fixture
def mailbox(outbox: OutboxMapping) -> Mailbox:
    return Mailbox(outbox)


class StreamReader:
    """Reads the signatures table's stream as the event source mapping would."""

    def __init__(self) -> None:
        self.dynamodb = boto3.client("dynamodb", region_name=REGION)
        self.streams = boto3.client("dynamodbstreams", region_name=REGION)
        self.arn = self.dynamodb.describe_table(TableName=table_name("SignaturesTable"))["Table"]["LatestStreamArn"]
        self.last_read: dict[str, str] = {}

    def _iterator(self, shard_id: str) -> str:
        # A fresh iterator per read: moto swaps a table's stream shard when it rolls back a
        # cancelled transaction, which leaves iterators taken earlier reading nothing.
        position = self.last_read.get(shard_id)
        where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position} if position else {"ShardIteratorType": "TRIM_HORIZON"}
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard_id, **where)["ShardIterator"]

    def read(self) -> list[dict[str, Any]]:
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        records = []
        for shard in shards:
            shard_id = shard["ShardId"]
            answer = self.streams.get_records(ShardIterator=self._iterator(shard_id))
            for record in answer["Records"]:
                record["eventSourceARN"] = self.arn
                records.append(record)
                self.last_read[shard_id] = record["dynamodb"]["SequenceNumber"]
        return records

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return invoke("TallyFunction", {"Records": records})

    def drain(self) -> list[dict[str, Any]]:
        """Delivers everything new to the tally (and what its own writes add), like the mapping."""
        delivered = []
        for _ in range(5):
            records = self.read()
            if not records:
                break
            assert self.deliver(records) == {"batchItemFailures": []}
            delivered += records
        return delivered


@pytest.fixture
def stream(embedded_aws: None) -> StreamReader:
    return StreamReader()
