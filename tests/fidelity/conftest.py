"""The core against DynamoDB Local: real transactions, conditional writes, GSIs and streams.

One emulator per session (started here, stopped at the end); tables created from
template.yaml; each test writes under campaigns of its own instead of new tables.
A machine without Java or the npm package fails these tests with what to install.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from devstack.resources import create_tables, sender_address, table_variables
from fidelity.counting import SIGNATURES
from fidelity.dynamodb_local import DynamoDBLocal, DynamoDBLocalUnavailable
from fidelity.event_source import EventSourceMapping, SignatureStream, deliver
from undersigned import aws, config, confirmation, keys, mail, sender, sign_up
from undersigned import outbox as outbox_queue
from undersigned.campaign import utc_now
from undersigned.campaign_file import put_campaign
from undersigned.store.campaigns import Campaigns
from undersigned.submission import parse_signature

REGION = "eu-west-1"
BASE_URL = "https://api.test"


@pytest.fixture(scope="session")
def dynamodb_local(_aws_test_environment: None) -> Iterator[DynamoDBLocal]:
    try:
        local = DynamoDBLocal.start(REGION)
    except DynamoDBLocalUnavailable as missing:
        pytest.fail(f"Fidelity tests need DynamoDB Local. {missing}", pytrace=False)
    try:
        create_tables(local.client("dynamodb", REGION))
        yield local
    finally:
        local.stop()


@pytest.fixture(autouse=True)
def core_on_dynamodb_local(dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Points the core's clients at DynamoDB Local, and only its DynamoDB clients."""
    env = {
        # Service-specific endpoints: SES and Secrets Manager must not be sent there.
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local.endpoint_url,
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": dynamodb_local.endpoint_url,
        **table_variables(),
        "SENDER_ADDRESS": sender_address(),
        "PUBLIC_BASE_URL": BASE_URL,
        "PENDING_DAYS": "7",
        "UNDERSIGNED_MASTER_KEY": "fidelity-master-key-not-a-secret",
        "KEYS_SECRET_ARN": "",
        "SES_SEND_RATE": "10000",
        "SENDER_CONCURRENCY": "2",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    _forget_cached_clients()
    # Made once, before any test starts threads: creating clients is not thread-safe.
    aws.client("dynamodb")
    yield
    _forget_cached_clients()


def _forget_cached_clients() -> None:
    aws.reset()
    config.reset()
    keys.keys.cache_clear()


@pytest.fixture
def dynamodb(core_on_dynamodb_local: None) -> Any:
    return aws.client("dynamodb")


@pytest.fixture
def stream_reader(dynamodb_local: DynamoDBLocal, dynamodb: Any) -> Callable[[], SignatureStream]:
    """Makes readers of the stream from their making on: what the test writes, nothing earlier."""
    return lambda: SignatureStream(dynamodb, dynamodb_local.client("dynamodbstreams", REGION), SIGNATURES)


@pytest.fixture
def stream(stream_reader: Callable[[], SignatureStream]) -> SignatureStream:
    return stream_reader()


@pytest.fixture
def mapping(stream: SignatureStream) -> EventSourceMapping:
    deliver([])  # loads the tally function once, before tests call it from threads
    return EventSourceMapping(stream)


@pytest.fixture
def new_campaign(core_on_dynamodb_local: None):
    """Makes campaigns with ids no other test uses."""

    def make(**settings: Any) -> str:
        campaign_id = f"fid-{uuid.uuid4().hex[:12]}"
        put_campaign({"id": campaign_id, "title": "Fidelity", "statement": "Counted exactly.", **settings})
        return campaign_id

    return make


@dataclass
class Outbox:
    """What the core would have sent through SES (not emulated here), by recipient."""

    sent: dict[str, list[mail.Email]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, email: mail.Email, sender_name: str, sender_address: str, configuration_set: str = "") -> None:
        with self.lock:
            self.sent.setdefault(email.to, []).append(email)

    def token(self, address: str, path: str) -> str:
        links = [unescape(link) for link in re.findall(r'href="([^"]+)"', self.sent[address][-1].html)]
        for link in links:
            parts = urlsplit(link)
            if parts.path == path:
                return parse_qs(parts.query)["token"][0]
        raise AssertionError(f"no {path} link in the last email to {address}")


def _send_at_once(outgoing: outbox_queue.Outgoing) -> None:
    """SQS is not emulated here: each outbox message goes to the real sender (its ledger
    writes on DynamoDB Local) as soon as it is posted, sealed and opened as on the queue."""
    sender.deliver_one(outbox_queue.decode(outbox_queue.encode(outgoing)))


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Outbox:
    box = Outbox()
    monkeypatch.setattr(mail, "send", box.send)
    monkeypatch.setattr(outbox_queue, "post", _send_at_once)
    return box


@dataclass
class Signers:
    """The signer's journey through the core's own flows (`undersigned.sign_up`, `undersigned.confirmation`)."""

    outbox: Outbox

    def submit(self, campaign_id: str, email: str, name: str = "A Signer", **details: Any) -> None:
        campaign = Campaigns().existing(campaign_id)
        request = parse_signature({"name": name, "email": email, **details}, from_form=False)
        sign_up.submit(campaign, request, BASE_URL, utc_now())

    def verify(self, email: str, at: datetime | None = None) -> str:
        return confirmation.verify(self.outbox.token(email, "/verify"), at or utc_now()).status

    def withdraw(self, email: str) -> None:
        confirmation.withdraw(self.outbox.token(email, "/withdraw"), utc_now())

    def sign(self, campaign_id: str, email: str, **details: Any) -> None:
        self.submit(campaign_id, email, **details)
        self.verify(email)


@pytest.fixture
def signers(outbox: Outbox) -> Signers:
    return Signers(outbox)
