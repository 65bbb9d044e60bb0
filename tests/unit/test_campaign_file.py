"""The campaign command refuses documents that would make a broken campaign."""

import pytest

from undersigned.campaign import CampaignSettingsError, campaign_from_document

VALID = {"id": "open-letter", "title": "T", "statement": "S"}


def test_a_minimal_document_makes_an_open_campaign_with_defaults():
    campaign = campaign_from_document(VALID)
    assert (campaign.goal, campaign.public_signatories, campaign.allowed_origins) == (None, False, ())
    assert (campaign.human_check, campaign.disposable_addresses, campaign.trusted_addresses) == ("none", "quarantine", ())
    assert (campaign.burst_limit, campaign.hourly_limit, campaign.retention_days) == (10, 60, 365)


def test_safety_settings_are_read_and_networks_normalised():
    campaign = campaign_from_document(
        {**VALID, "burst_limit": 3, "hourly_limit": 20, "trusted_addresses": ["192.0.2.7/24", "2001:db8::1"],
         "human_check": "altcha", "disposable_addresses": "refuse", "retention_days": 90}
    )
    assert campaign.trusted_addresses == ("192.0.2.0/24", "2001:db8::1/128")
    assert (campaign.burst_limit, campaign.hourly_limit, campaign.human_check) == (3, 20, "altcha")
    assert (campaign.disposable_addresses, campaign.retention_days) == ("refuse", 90)


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
        ({"burst_limit": 0}, "burst_limit must be"),
        ({"hourly_limit": True}, "hourly_limit must be"),
        ({"retention_days": "30"}, "retention_days must be"),
        ({"trusted_addresses": ["office"]}, "trusted_addresses"),
        ({"trusted_addresses": "192.0.2.1"}, "trusted_addresses"),
        ({"human_check": "recaptcha"}, "human_check must be one of"),
        ({"disposable_addresses": "maybe"}, "disposable_addresses must be one of"),
    ],
)
def test_mistakes_are_named(change, complaint):
    with pytest.raises(CampaignSettingsError, match=complaint):
        campaign_from_document({**VALID, **change})
