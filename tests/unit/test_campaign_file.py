"""The campaign command refuses documents that would make a broken campaign."""

import pytest

from undersigned.campaign_file import CampaignFileError, campaign_from_document

VALID = {"id": "open-letter", "title": "T", "statement": "S"}


def test_a_minimal_document_makes_an_open_campaign_with_defaults():
    campaign = campaign_from_document(VALID)
    assert (campaign.goal, campaign.public_signatories, campaign.allowed_origins) == (None, False, ())


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"id": "Bad Id"}, "id must match"),
        ({"title": ""}, "title is required"),
        ({"goal": 0}, "goal must be"),
        ({"closes_at": "next week"}, "closes_at must be"),
        ({"allowed_origins": ["https://ok.example/path"]}, "allowed_origins"),
        ({"thank_you_url": "javascript:alert(1)"}, "thank_you_url"),
        ({"colour": "red"}, "unknown field 'colour'"),
    ],
)
def test_mistakes_are_named(change, complaint):
    with pytest.raises(CampaignFileError, match=complaint):
        campaign_from_document({**VALID, **change})
