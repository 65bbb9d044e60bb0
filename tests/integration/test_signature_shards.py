"""A new campaign's signatures are spread over several partition keys (no hot key in a
surge); a campaign created before keeps every signature on its one key. Signers, the
count, the lists and the organisers' review see one campaign either way."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from integration.admin_client import Admin
from integration.conftest import DEMO
from integration.safety_helpers import Clock, count, items, make_legacy, run_retention, sign, signatures, stored_campaign, verify
from integration.test_tally_publishing import events  # noqa: F401 - a fixture
from devstack.template import load_template
from undersigned import aws, config
from undersigned.campaign_file import put_campaign
from undersigned.store.dynamo import encode_cursor
from undersigned.store.signatures import SIGNATURE_SHARDS, campaign_id_of

SIGNERS = 40


@pytest.fixture
def admin(demo) -> Admin:
    return Admin()


def signed_up(api, mailbox, how_many: int = SIGNERS) -> list[str]:
    """`how_many` verified public signers of demo: their addresses."""
    addresses = [f"s{number}@example.org" for number in range(how_many)]
    for number, address in enumerate(addresses):
        assert sign(api, {"name": f"Signer {number}", "email": address, "public": True, "updates": True}).status == 202
        assert verify(api, mailbox, address).status == 200
    return addresses


def partitions_held(campaign: str = "demo") -> set[str]:
    """The partition keys the campaign's signature items are stored under."""
    return {item["campaign_id"] for item in items("SignaturesTable") if campaign_id_of(item["campaign_id"]) == campaign}


def review_pages(admin: Admin, query: str = "limit=7") -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        answer = admin.get(f"/admin/campaigns/demo/signatures?{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status == 200, answer.text
        pages.append(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return pages


def export_rows(admin: Admin) -> list[dict[str, Any]]:
    rows, cursor = [], None
    while True:
        page = admin.get("/admin/campaigns/demo/export?limit=9" + (f"&cursor={cursor}" if cursor else "")).json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def listed(api) -> list[str]:
    names, cursor = [], None
    while True:
        page = api.get("/campaigns/demo/signatories?limit=10" + (f"&cursor={cursor}" if cursor else "")).json()
        names += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return names


def withdraw(api, mailbox, address: str) -> None:
    answer = api.post("/withdraw", json_body={"token": mailbox.last_to(address).token("/withdraw")})
    assert (answer.status, answer.json()) == (200, {"status": "withdrawn"})


def test_a_new_campaigns_signers_land_on_several_keys_and_count_list_review_export_and_withdraw_across_them(
    api, admin, mailbox, stream
):
    assert stored_campaign().signature_shards == SIGNATURE_SHARDS.value
    addresses = signed_up(api, mailbox)
    stream.drain()
    held = partitions_held()
    assert len(held) >= 2 and "demo" not in held, held
    assert count(api) == SIGNERS
    assert sorted(listed(api)) == sorted(f"Signer {number}" for number in range(SIGNERS))
    assert len(export_rows(admin)) == SIGNERS

    withdraw(api, mailbox, addresses[0])
    stream.drain()
    assert count(api) == SIGNERS - 1
    assert "Signer 0" not in listed(api)
    assert {row["email"] for row in export_rows(admin)} == set(addresses[1:])
    states = [item["state"] for page in review_pages(admin) for item in page]
    assert sorted(states) == ["verified"] * (SIGNERS - 1) + ["withdrawn"]


def test_a_batch_across_a_campaigns_keys_announces_its_count_once(api, demo, mailbox, stream, events):
    signed_up(api, mailbox)
    records = stream.read()
    assert len({record["dynamodb"]["Keys"]["campaign_id"]["S"] for record in records}) > 1
    stream.deliver(records)
    (changed,) = events.of("CountChanged")
    assert (changed["change"], changed["count"]) == (SIGNERS, SIGNERS)


def test_the_review_cursor_walks_every_key_once_with_no_signature_twice(api, admin, mailbox, stream):
    signed_up(api, mailbox)
    pages = review_pages(admin)
    reviewed = [item["signer"] for page in pages for item in page]
    assert len(pages) > 1
    assert len(reviewed) == len(set(reviewed)) == SIGNERS
    assert all(len(page) <= 7 for page in pages)
    # Filtered by state, likewise: every verified signature once.
    verified = [item["signer"] for page in review_pages(admin, "limit=5&state=verified") for item in page]
    assert sorted(verified) == sorted(reviewed)


def test_a_review_cursor_for_a_key_the_campaign_does_not_have_is_refused(admin, api, mailbox):
    signed_up(api, mailbox, 2)
    answer = admin.get(f"/admin/campaigns/demo/signatures?cursor={encode_cursor(f'{SIGNATURE_SHARDS.value}#x')}")
    assert answer.status == 400
    assert answer.json()["error"]["code"] == "validation_error"


def test_a_campaign_stored_before_signatures_were_spread_keeps_them_on_its_one_key(api, admin, mailbox, stream, monkeypatch):
    make_legacy()
    put_campaign({**DEMO, "closed": False})  # a later save never gives it a layout
    assert stored_campaign().signature_shards == 1
    addresses = signed_up(api, mailbox, 5)
    # Signing again, before and after verifying, finds the one signature.
    assert sign(api, {"name": "Signer 0", "email": addresses[0]}).status == 202
    assert sign(api, {"name": "Signer 0", "email": "S0@Example.org"}).status == 202
    stream.drain()
    assert partitions_held() == {"demo"}
    assert len(signatures()) == 5
    assert count(api) == 5

    withdraw(api, mailbox, addresses[4])
    stream.drain()
    assert count(api) == 4
    assert [item["state"] for page in review_pages(admin, "limit=2") for item in page].count("verified") == 4
    assert len(export_rows(admin)) == 4
    assert sorted(listed(api)) == [f"Signer {number}" for number in range(4)]

    put_campaign({**DEMO, "closed": True, "retention_days": 1})
    Clock.at_next_hour(monkeypatch).advance(2 * 86400)
    assert run_retention()["signatures"] == 4, "the withdrawn one holds nothing personal"
    assert not any("name" in item or "email" in item for item in signatures())
    stream.drain()
    assert count(api) == 4 and partitions_held() == {"demo"}


class Conflicts:
    """DynamoDB cancelling the tally's transactions for meeting another one on the count
    (two shards of a campaign at once), as botocore receives the answer: `times` times."""

    def __init__(self, times: int) -> None:
        self.left, self.sent = times, 0
        self.client = aws.client("dynamodb")
        # Before moto's own handler, which would answer the call otherwise.
        self.client.meta.events.register_first("before-send.dynamodb.TransactWriteItems", self._answer)

    def stop(self) -> None:
        self.client.meta.events.unregister("before-send.dynamodb.TransactWriteItems", self._answer)

    def _answer(self, request: Any, **_: Any) -> AWSResponse | None:
        self.sent += 1
        if self.left == 0:
            return None
        self.left -= 1
        # Every handler hears `before-send`: this attempt must not reach moto's table too
        # (botocore makes a new request for the next attempt).
        request.url = "https://conflict.invalid/"
        actions = json.loads(request.body)["TransactItems"]
        reasons = [{"Code": "None"}] * (len(actions) - 1) + [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
        body = {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
            "CancellationReasons": reasons,
        }
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, _Body(json.dumps(body).encode()))


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any):
        yield self.content


@pytest.fixture
def conflicts(embedded_aws):
    made: list[Conflicts] = []

    def start(times: int) -> Conflicts:
        made.append(Conflicts(times))
        return made[-1]

    yield start
    for conflict in made:
        conflict.stop()


def test_a_tally_transaction_cancelled_for_a_conflict_on_the_count_is_tried_again_and_counts_once(api, demo, mailbox, stream, conflicts):
    make_legacy()
    signed_up(api, mailbox, 3)
    records = stream.read()
    conflict = conflicts(1)
    assert stream.deliver(records) == {"batchItemFailures": []}
    assert conflict.sent == 2, "tried again at once"
    assert count(api) == 3


def test_a_conflict_that_outlasts_the_retries_fails_the_batch_and_its_redelivery_counts_once(api, demo, mailbox, stream, conflicts):
    make_legacy()
    signed_up(api, mailbox, 3)
    records = stream.read()
    conflict = conflicts(aws.ATTEMPTS)
    failed = stream.deliver(records)["batchItemFailures"]
    assert [failure["itemIdentifier"] for failure in failed] == [records[0]["dynamodb"]["SequenceNumber"]]
    assert conflict.sent == aws.ATTEMPTS
    assert count(api) == 0
    assert stream.deliver(records) == {"batchItemFailures": []}
    stream.drain()
    assert count(api) == 3


def test_a_stack_upgraded_in_two_steps_first_creates_campaigns_on_one_key(api, embedded_aws, mailbox, stream, monkeypatch):
    """`SignatureShards=1`, the first deploy over a stack from before the spread: a campaign
    created while the old code may still run is one the old code reads right."""
    monkeypatch.setenv("SIGNATURE_SHARDS", "1")
    config.reset()
    try:
        put_campaign({**DEMO, "id": "upgrading"})
    finally:
        config.reset()  # later tests read the environment as the stack gives it
    assert stored_campaign("upgrading").signature_shards == 1
    assert sign(api, {"name": "Signer", "email": "s@example.org"}, campaign="upgrading").status == 202
    assert verify(api, mailbox, "s@example.org").status == 200
    stream.drain()
    assert partitions_held("upgrading") == {"upgrading"} and count(api, "upgrading") == 1


def test_the_stacks_signature_shards_are_what_runs_without_the_template():
    """A campaign file put without the stack's environment spreads its signatures as the stack would."""
    parameter = load_template()["Parameters"]["SignatureShards"]["Default"]
    assert SIGNATURE_SHARDS.default == str(parameter) and SIGNATURE_SHARDS.parse(SIGNATURE_SHARDS.default) > 1
