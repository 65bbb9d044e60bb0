"""The public-list indexes on DynamoDB Local: only verified public signatures of the
campaign, newest first, in pages that join up, and only the attributes the index projects.
A person costs one index write (the whole list); the people's list is the whole list read
past the organisations, and pages exactly as the list by kind did."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from fidelity.counting import SIGNATURES
from undersigned import aws
from undersigned.campaign import utc_now
from integration.safety_helpers import stored_campaign
from undersigned.store.signatures import KIND_INDEX, LIST_SHARDS, PUBLIC_INDEX, Signatures, key_of, listed_kind

pytestmark = pytest.mark.fidelity


def all_pages(campaign_id: str, limit: int, kind: str | None = None, featured: bool = False) -> list[list[dict]]:
    store, pages, before = Signatures(), [], None
    while True:
        page = store.public(campaign_id, limit, before, kind=kind, featured=featured)
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


# Oldest listed first: organisations fall between people across every page boundary below,
# and are the oldest and the newest of the list.
MIX = "OPPOOPOPPPOOOPO"


def sign_the_mix(campaign: str, signers) -> list[str]:
    """Signs MIX in listing order (a minute apart); the names, newest first."""
    start = utc_now()
    for minute, letter in enumerate(MIX):
        name, address = f"{letter}{minute}", f"{letter.lower()}{minute}@org{minute}.example"
        as_organisation = {"signing_as": "organisation", "organisation": f"Org {minute}"} if letter == "O" else {}
        signers.submit(campaign, address, name=name, public=True, **as_organisation)
        signers.verify(address, at=start + timedelta(minutes=minute))
    return [f"{letter}{minute}" for minute, letter in reversed(list(enumerate(MIX)))]


def names(pages: list[list[dict]]) -> list[str]:
    return [item["name"] for page in pages for item in page]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7, 8])
def test_the_peoples_list_pages_fully_past_organisations_between_them(new_campaign, signers, limit):
    campaign = new_campaign(public_signatories=True)
    newest_first = sign_the_mix(campaign, signers)
    people = [name for name in newest_first if name.startswith("P")]

    pages = all_pages(campaign, limit, kind="person")

    assert names(pages) == people
    # Every page full but the last; a page that ends at the last person (organisations
    # beyond it) has no next, as the list by kind answered.
    assert [len(page) for page in pages] == [limit] * (len(people) // limit) + ([len(people) % limit] if len(people) % limit else [])
    assert all(item["kind"] == "person" for page in pages for item in page)
    assert names(all_pages(campaign, limit)) == newest_first
    assert names(all_pages(campaign, limit, kind="organisation")) == [name for name in newest_first if name.startswith("O")]


class IndexWrites:
    """The index write units of each signatures-table update the core makes, as DynamoDB
    Local reports them (asked for at botocore, as AWS would bill them)."""

    def __init__(self) -> None:
        self.updates: list[dict[str, float]] = []
        self.client = aws.client("dynamodb")
        self.client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", self._ask)
        self.client.meta.events.register("after-call.dynamodb.UpdateItem", self._record)

    def _ask(self, params, **_) -> None:
        params["ReturnConsumedCapacity"] = "INDEXES"

    def _record(self, parsed, **_) -> None:
        consumed = parsed.get("ConsumedCapacity") or {}
        if consumed.get("TableName") == SIGNATURES:
            self.updates.append({index: used["CapacityUnits"] for index, used in consumed.get("GlobalSecondaryIndexes", {}).items()})

    def of(self, action) -> dict[str, float]:
        self.updates.clear()
        action()
        return {index: units for update in self.updates for index, units in update.items()}


def test_a_person_is_written_to_the_whole_list_only_and_an_organisation_to_both(new_campaign, signers):
    campaign = new_campaign(public_signatories=True)
    writes = IndexWrites()
    signers.submit(campaign, "person@example.org", name="A Person", public=True)
    signers.submit(campaign, "desk@hope.example", name="A Desk", public=True, signing_as="organisation", organisation="Hope")

    assert writes.of(lambda: signers.verify("person@example.org")) == {PUBLIC_INDEX: 1.0}
    assert writes.of(lambda: signers.verify("desk@hope.example")) == {PUBLIC_INDEX: 1.0, KIND_INDEX: 1.0}
    assert [names(all_pages(campaign, 10, kind=kind)) for kind in (None, "person", "organisation")] == [
        ["A Desk", "A Person"], ["A Person"], ["A Desk"],
    ]


def listed_before_the_change(campaign: str, name: str) -> dict:
    """Gives a listed person the by-kind key the code wrote before people were listed on
    the whole list only: such items stay as they are, no migration."""
    dynamodb = aws.client("dynamodb")
    (item,) = [page_item for page_item in Signatures().page(stored_campaign(campaign), 100, None)[0] if page_item.get("name") == name]
    dynamodb.update_item(
        TableName=SIGNATURES,
        Key=key_of(stored_campaign(campaign), item["signer"]),
        UpdateExpression="SET listed_kind = :person",
        ExpressionAttributeValues={":person": {"S": listed_kind(campaign, "person")}},
    )
    return item


def listing_keys(campaign: str, signer: str) -> set[str]:
    stored = Signatures().get(stored_campaign(campaign), signer).attributes
    return {name for name in ("listed_in", "listed_at", "listed_kind", "featured_in") if name in stored}


def test_a_person_listed_before_the_change_lists_once_and_comes_off_every_list(new_campaign, signers):
    campaign = new_campaign(public_signatories=True)
    signers.sign(campaign, "old@example.org", name="Listed Before", public=True)
    signers.sign(campaign, "desk@hope.example", name="A Desk", public=True, signing_as="organisation", organisation="Hope")
    signers.sign(campaign, "new@example.org", name="Listed Since", public=True)
    old = listed_before_the_change(campaign, "Listed Before")
    store = Signatures()

    assert [names(all_pages(campaign, 1, kind=kind)) for kind in (None, "person", "organisation")] == [
        ["Listed Since", "A Desk", "Listed Before"], ["Listed Since", "Listed Before"], ["A Desk"],
    ]
    assert store.feature(stored_campaign(campaign), old["signer"])
    assert names(all_pages(campaign, 5, kind="person", featured=True)) == ["Listed Before"]
    assert names(all_pages(campaign, 5, kind="organisation", featured=True)) == []
    assert store.hide(stored_campaign(campaign), old["signer"])
    assert listing_keys(campaign, old["signer"]) == set()
    assert [names(all_pages(campaign, 5, kind=kind)) for kind in (None, "person")] == [["Listed Since", "A Desk"], ["Listed Since"]]


def test_withdrawing_a_person_listed_before_the_change_erases_its_by_kind_key(new_campaign, signers):
    campaign = new_campaign(public_signatories=True)
    signers.sign(campaign, "old@example.org", name="Listed Before", public=True)
    old = listed_before_the_change(campaign, "Listed Before")
    assert listing_keys(campaign, old["signer"]) == {"listed_in", "listed_at", "listed_kind"}

    signers.withdraw("old@example.org")

    assert listing_keys(campaign, old["signer"]) == set()
    assert all_pages(campaign, 5, kind="person") == [[]]


def whole_list_keys(campaign: str) -> dict[str, int]:
    """How many signatures each `listed_in` value of the campaign holds, as stored."""
    spread: dict[str, int] = {}
    for item in Signatures().page(stored_campaign(campaign), 1000, None, fields=("listed_in",))[0]:
        if "listed_in" in item:
            spread[item["listed_in"]] = spread.get(item["listed_in"], 0) + 1
    return spread


def listed_before_the_spread(campaign: str, name: str) -> None:
    """Gives a listed signature the one whole-list key the code wrote before the list was
    spread over LIST_SHARDS keys (and featured it there): such items stay as they are."""
    (item,) = [page_item for page_item in Signatures().page(stored_campaign(campaign), 100, None)[0] if page_item.get("name") == name]
    aws.client("dynamodb").update_item(
        TableName=SIGNATURES,
        Key=key_of(stored_campaign(campaign), item["signer"]),
        UpdateExpression="SET listed_in = :campaign, featured_in = :campaign, featured = :yes",
        ExpressionAttributeValues={":campaign": {"S": campaign}, ":yes": {"BOOL": True}},
    )


def test_the_whole_list_is_spread_over_five_keys_and_pages_as_one_list(new_campaign, signers):
    campaign = new_campaign(public_signatories=True)
    start = utc_now()
    listed = [f"Spread {number}" for number in range(30)]
    for minute, name in enumerate(listed):
        signers.submit(campaign, f"{name.replace(' ', '').lower()}@example.org", name=name, public=True)
        signers.verify(f"{name.replace(' ', '').lower()}@example.org", at=start + timedelta(minutes=minute))
    listed_before_the_spread(campaign, "Spread 11")

    spread = whole_list_keys(campaign)
    assert set(spread) == {campaign, *(f"{campaign}#{shard}" for shard in range(LIST_SHARDS))}
    assert max(spread.values()) < len(listed) / 2, "no one key holds most of the list"
    newest_first = list(reversed(listed))
    for limit in (1, 4, 7, 30):
        pages = all_pages(campaign, limit)
        assert names(pages) == newest_first, f"limit {limit}"
        assert all(len(page) == limit for page in pages[:-1])
    assert names(all_pages(campaign, 4, kind="person")) == newest_first
    # Featured alike: one featured under a spread key, one under the key from before.
    (spread_one,) = [item for item in Signatures().page(stored_campaign(campaign), 100, None)[0] if item["name"] == "Spread 20"]
    assert Signatures().feature(stored_campaign(campaign), spread_one["signer"])
    assert names(all_pages(campaign, 1, featured=True)) == ["Spread 20", "Spread 11"]
