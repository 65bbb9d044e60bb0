"""The public list of signatories: who may be seen, and a page of them, newest first.

Only verified signatures whose signers agreed to be shown, never hidden ones, and only
while the campaign's public list is on (else the campaign answers as not found). Never an
address, a comment or a caller's address: an item holds only what `signature.FIELDS`
marks as public.
"""

from __future__ import annotations

from typing import Any

from undersigned import errors, paging
from undersigned.signature import public_view
from undersigned.store.campaigns import Campaigns
from undersigned.store.signatures import Signatures, listing_cursor, listing_start

DEFAULT_LIMIT, MAX_LIMIT = 50, 100


def page(campaign_id: str, limit_text: str | None, cursor: str | None) -> dict[str, Any]:
    campaign = Campaigns().existing(campaign_id)
    if not campaign.public_signatories:
        raise errors.CampaignNotFound()
    limit = paging.page_size(limit_text, DEFAULT_LIMIT, MAX_LIMIT)
    found = Signatures().public(campaign.id, limit, paging.page_start(cursor, listing_start))
    return {
        "items": [public_view(item) for item in found.items],
        "next_cursor": listing_cursor(found.next_before) if found.next_before else None,
    }
