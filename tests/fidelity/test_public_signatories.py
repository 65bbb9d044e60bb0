"""The PublicSignatories index on DynamoDB Local: only verified public signatures of the
campaign, newest first, in pages that join up, and only the attributes the index projects."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from undersigned.campaign import utc_now
from undersigned.store.signatures import Signatures

pytestmark = pytest.mark.fidelity


def all_pages(campaign_id: str, limit: int) -> list[list[dict]]:
    store, pages, before = Signatures(), [], None
    while True:
        page = store.public(campaign_id, limit, before)
        pages.append(page.items)
        if page.next_before is None:
            return pages
        before = page.next_before


def test_public_signatories_come_newest_first_in_pages_that_join_up(new_campaign, signers):
    campaign = new_campaign(public_signatories=True)
    elsewhere = new_campaign(public_signatories=True)
    start = utc_now()
    listed = [f"Listed {number}" for number in range(7)]
    for name in listed:
        signers.submit(campaign, f"{name.replace(' ', '')}@example.org", name=name, public=True, comment="Private note")
    # Confirmed in an order unlike the order of submission: the list follows confirmation.
    confirmed_order = random.Random(7).sample(listed, len(listed))
    for minute, name in enumerate(confirmed_order):
        signers.verify(f"{name.replace(' ', '')}@example.org", at=start + timedelta(minutes=minute))

    signers.sign(campaign, "private@example.org", name="Not Public", public=False)
    signers.submit(campaign, "pending@example.org", name="Never Confirmed", public=True)
    signers.sign(campaign, "gone@example.org", name="Withdrawn Later", public=True)
    signers.withdraw("gone@example.org")
    signers.sign(elsewhere, "other@example.org", name="Other Campaign", public=True)

    pages = all_pages(campaign, limit=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [item["name"] for page in pages for item in page] == list(reversed(confirmed_order))
    for item in (item for page in pages for item in page):
        assert "comment" not in item and "email" not in item  # the index projects the public fields only


def test_a_page_that_ends_exactly_at_the_last_signatory_has_no_next(new_campaign, signers):
    campaign = new_campaign(public_signatories=True)
    for number in range(4):
        signers.sign(campaign, f"even{number}@example.org", name=f"Even {number}", public=True)

    pages = all_pages(campaign, limit=2)

    assert [[item["name"] for item in page] for page in pages] == [["Even 3", "Even 2"], ["Even 1", "Even 0"]]
    assert all_pages(new_campaign(public_signatories=True), limit=2) == [[]]
