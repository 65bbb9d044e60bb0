"""The public list of signatories: who may be seen, and a page of them, newest first.

Only verified signatures whose signers agreed to be shown, never hidden ones, and only
while the campaign's public list is on (else the campaign answers as not found). Never an
address, a comment or a caller's address: an item holds only what `signature.FIELDS`
marks as public. The list may be narrowed to one `kind` (people or organisations), or to
the signatories an organiser featured; each is its own index, so paging works alike.
"""

from __future__ import annotations

from typing import Any

from undersigned import errors, paging
from undersigned.campaign import Campaign
from undersigned.signature import ORGANISATION, PERSON, public_view
from undersigned.store.campaigns import Campaigns
from undersigned.store.signatures import Signatures, listing_cursor, listing_start

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
KINDS = (PERSON, ORGANISATION)


def kind_wanted(text: str | None) -> str | None:
    if text is None or text in KINDS:
        return text
    raise errors.invalid("kind", 'Must be "person" or "organisation".')


def featured_only(text: str | None) -> bool:
    if text in (None, "false"):
        return False
    if text == "true":
        return True
    raise errors.invalid("featured", 'Must be "true" or "false".')


def page(campaign_id: str, limit_text: str | None, cursor: str | None, kind: str | None = None, featured: str | None = None) -> dict[str, Any]:
    campaign = Campaigns().existing(campaign_id)
    if not campaign.public_signatories:
        raise errors.CampaignNotFound()
    limit = paging.page_size(limit_text, DEFAULT_LIMIT, MAX_LIMIT)
    start = paging.page_start(cursor, listing_start)
    found = Signatures().public(campaign.id, limit, start, kind=kind_wanted(kind), featured=featured_only(featured))
    return {
        "items": [public_view(item) for item in found.items],
        "next_cursor": listing_cursor(found.next_before) if found.next_before else None,
    }


def organisations(campaign: Campaign, limit: int = MAX_LIMIT) -> list[dict[str, Any]]:
    """The newest organisations on the public list, as the list shows them (none while the
    campaign's public list is off): for the letter's own page."""
    if not campaign.public_signatories:
        return []
    found = Signatures().public(campaign.id, limit, None, kind=ORGANISATION)
    return [public_view(item) for item in found.items]
