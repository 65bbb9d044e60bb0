"""Many signers at once, with the tally running (twice over) while they act: the count ends
exact, and the database keeps one signature per address however many submissions race."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import pytest

from fidelity.counting import Recount, count, recount, signatures_of
from fidelity.event_source import EventSourceMapping, SignatureStream
from integration.safety_helpers import stored_campaign
from undersigned import errors
from undersigned.http_errors import answer_for
from undersigned.campaign import utc_now
from undersigned.limits import MAILS_PER_SIGNATURE_PER_DAY
from undersigned.store.signatures import Signatures

pytestmark = pytest.mark.fidelity

SIGNERS = 60
THREADS = 16


def run_together(tasks: list[Callable[[], object]], threads: int = THREADS) -> list[object]:
    """Runs the tasks on `threads` threads, the first wave released at one moment."""
    first_wave = min(threads, len(tasks))
    start = threading.Barrier(first_wave)

    def run(numbered: tuple[int, Callable[[], object]]) -> object:
        number, task = numbered
        if number < first_wave:
            start.wait()
        return task()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, enumerate(tasks)))


class RunningTally:
    """A tally that keeps delivering what it reads until stopped; two of them deliver every batch twice."""

    def __init__(self, stream: SignatureStream) -> None:
        self.mapping = EventSourceMapping(stream)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.failure: BaseException | None = None

    def _run(self) -> None:
        try:
            while not self.stopped.is_set():
                records = self.mapping.stream.read()
                self.mapping.process(records)
                if not records:
                    self.stopped.wait(0.05)  # like the mapping's polling, without spinning
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread on exit
            self.failure = error

    def __enter__(self) -> RunningTally:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self.thread.join()
        if self.failure is not None:
            raise self.failure


def test_concurrent_verifications_and_withdrawals_leave_the_count_at_verified_minus_withdrawn(
    signers, new_campaign, dynamodb, stream, mapping, stream_reader
):
    campaign = new_campaign()
    addresses = [f"c{number}@example.org" for number in range(SIGNERS)]
    for address in addresses:
        signers.submit(campaign, address)
    withdrawing = set(addresses[::3])

    def verify(address: str) -> Callable[[], tuple[str, str]]:
        def act() -> tuple[str, str]:
            try:
                return address, signers.verify(address)
            except errors.DomainError as refused:
                return address, answer_for(refused).code

        return act

    def withdraw(address: str) -> Callable[[], tuple[str, str]]:
        def act() -> tuple[str, str]:
            signers.withdraw(address)
            return address, "withdrawn"

        return act

    tasks = [verify(address) for address in addresses for _ in range(2)]
    tasks += [withdraw(address) for address in withdrawing]
    random.Random(20261128).shuffle(tasks)

    second_reader = stream_reader()
    with RunningTally(stream), RunningTally(second_reader):
        outcomes = run_together(tasks)
    mapping.drain()
    EventSourceMapping(second_reader).drain()

    answers: dict[str, list[str]] = {}
    for address, outcome in outcomes:
        answers.setdefault(address, []).append(outcome)
    for address in addresses:
        if address not in withdrawing:
            # Two confirmations racing: one confirms, the other finds it confirmed.
            assert sorted(answers[address]) == ["already_verified", "verified"]
        else:
            # A withdrawal may come before, between or after them; a confirmation after it is refused.
            assert answers[address].count("withdrawn") == 1 and answers[address].count("verified") <= 1
            assert set(answers[address]) <= {"verified", "already_verified", "invalid_token", "withdrawn"}
    assert count(campaign) == SIGNERS - len(withdrawing) == 40
    assert recount(dynamodb, campaign) == Recount(verified=40)


def test_many_simultaneous_submissions_of_one_address_store_one_signature(new_campaign, dynamodb):
    campaign = new_campaign()
    store = Signatures()
    now = utc_now().timestamp()

    def submit(number: int) -> Callable[[], object]:
        fields = {"sid": f"attempt-{number}", "state": "pending", "expires_at": int(now) + 86400, "name": f"Try {number}"}
        return lambda: store.start(stored_campaign(campaign), "one-signer", fields, now)

    starts = run_together([submit(number) for number in range(32)])

    items = signatures_of(dynamodb, campaign)
    assert len(items) == 1
    stored_sid = items[0]["sid"]["S"]
    assert [start.started for start in starts].count(True) == 1
    assert {start.signature.signature_id for start in starts} == {stored_sid}


def test_many_simultaneous_restarts_of_a_withdrawn_signature_leave_one_signature(new_campaign, dynamodb):
    campaign = new_campaign()
    store = Signatures()
    now = utc_now().timestamp()
    first = {"sid": "first", "state": "pending", "expires_at": int(now) + 86400, "name": "First"}
    store.start(stored_campaign(campaign), "returning-signer", first, now)
    assert store.withdraw(stored_campaign(campaign), "returning-signer", "first", "2026-11-28T12:00:00Z")

    def resubmit(number: int) -> Callable[[], object]:
        fields = {"sid": f"again-{number}", "state": "pending", "expires_at": int(now) + 86400, "name": f"Again {number}"}
        return lambda: store.start(stored_campaign(campaign), "returning-signer", fields, now)

    starts = run_together([resubmit(number) for number in range(32)])

    items = signatures_of(dynamodb, campaign)
    assert len(items) == 1 and items[0]["state"]["S"] == "pending"
    winners = [start for start in starts if start.started]
    assert len(winners) == 1
    assert items[0]["sid"]["S"] == winners[0].signature.signature_id
    assert {start.signature.signature_id for start in starts} == {winners[0].signature.signature_id}


def test_one_address_submitted_from_many_threads_through_the_signing_flow_gets_one_signature(
    signers, outbox, new_campaign, dynamodb
):
    campaign = new_campaign()
    spellings = ["Same@example.org", "same@example.org"]  # one address: compared case-insensitively
    run_together([lambda spelling=spelling: signers.submit(campaign, spelling) for spelling in spellings * 10])

    items = signatures_of(dynamodb, campaign)
    assert len(items) == 1
    # No inbox flooding: the daily cap on emails about one signature holds under concurrency.
    received = [spelling for spelling in spellings for _ in outbox.sent.get(spelling, [])]
    assert len(received) == MAILS_PER_SIGNATURE_PER_DAY
    # Whichever email the signer opens confirms the one signature that stands.
    assert signers.verify(received[0]) == "verified"
    assert signers.verify(received[-1]) == "already_verified"
    assert signatures_of(dynamodb, campaign)[0]["state"]["S"] == "verified"
