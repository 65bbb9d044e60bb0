"""The organisers' reads and writes on DynamoDB Local, whose expression checks are
stricter than moto's (reserved words, overlapping projections, index queries)."""

from __future__ import annotations

import pytest

from devstack.resources import table_name
from fidelity.counting import count
from undersigned import config
from undersigned.campaign import utc_now
from undersigned.admin import Organiser

pytestmark = pytest.mark.fidelity


@pytest.fixture
def organiser(core_on_dynamodb_local, monkeypatch) -> Organiser:
    monkeypatch.setenv("AUDIT_TABLE", table_name("AuditTable"))
    config.reset()
    return Organiser("arn:aws:iam::123456789012:user/fidelity", utc_now())


def test_campaigns_are_created_listed_by_the_catalogue_index_and_updated(organiser, new_campaign):
    created = organiser.create({"id": "fid-organiser-list", "title": "Listed", "statement": "s", "milestones": [5]})
    assert created["milestones"] == [5]
    listed, cursor = [], None
    while True:
        page = organiser.campaigns(100, cursor)
        listed += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert "fid-organiser-list" in listed
    assert organiser.set_closed("fid-organiser-list", True)["status"] == "closed"
    assert organiser.update("fid-organiser-list", {"goal": 10})["goal"] == 10


def test_review_hide_invalidate_export_and_audit(organiser, signers, new_campaign, stream, mapping):
    campaign = new_campaign(public_signatories=True)
    signers.sign(campaign, "ann@example.org", name="Ann", public=True, updates=True)
    signers.sign(campaign, "bot@spam.example", name="Bot", public=True)
    mapping.process(stream.read())
    mapping.drain()
    review = organiser.signatures(campaign, "verified", 100, None)["items"]
    ann = next(item for item in review if item["name"] == "Ann")
    assert organiser.hide(campaign, ann["signer"])["status"] == "hidden"
    assert organiser.invalidate(campaign, {"email_domain": "spam.example"})["invalidated"] == 1
    mapping.drain()
    assert count(campaign) == 1
    rows = organiser.export(campaign, 500, None)["items"]
    assert [(row["name"], row["email"]) for row in rows] == [("Ann", "ann@example.org")]
    actions = [entry["action"] for entry in organiser.audit(campaign, 50, None)["items"]]
    assert sorted(actions) == ["export", "hide", "invalidate"]
