"""What organisers do to their campaigns (the admin API): set them up, open and close
them, review signatures, feature signatories, invalidate in bulk, export. Every change is recorded in the
audit log with the IAM principal who made it.

The count is never written here: hiding leaves a signature counted; release, discard
and invalidation change signatures' states, and the tally moves the count from those.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from undersigned import errors, paging
from undersigned.campaign import Campaign, CampaignSettingsError, campaign_from_document, format_instant, is_campaign_id, parse_instant
from undersigned.keys import keys
from undersigned.signature import EXPORTED, REVIEWED, State, export_row, moves_to, review_view
from undersigned.store.audit import AuditLog
from undersigned.store.campaigns import Campaigns
from undersigned.store.dynamo import decode_cursor, encode_cursor
from undersigned.store.signatures import Signatures

DEFAULT_PAGE, MAX_PAGE = 50, 100
EXPORT_PAGE = 500
INVALIDATION_PAGE = 200
REVIEW_STATES = tuple(State)
UNSIGNED_LOCAL = "local:unsigned"


def principal(request_context: dict[str, Any]) -> str:
    """Who is calling: the IAM principal API Gateway authorised. Without one (the local
    stack, which has no authorizer) only a loopback caller is let in."""
    iam = ((request_context.get("authorizer") or {}).get("iam")) or {}
    who = iam.get("userArn") or iam.get("callerId")
    if who:
        return who
    source = (request_context.get("http") or {}).get("sourceIp", "")
    try:
        if ipaddress.ip_address(source).is_loopback:
            return UNSIGNED_LOCAL
    except ValueError:
        pass
    raise errors.Forbidden()


def page_size(text: str | None, default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> int:
    return paging.page_size(text, default, maximum)


def page_start(cursor: str | None) -> str | None:
    return paging.page_start(cursor, decode_cursor)


def next_cursor(last: str | None) -> str | None:
    return encode_cursor(last) if last else None


class Organiser:
    """The admin actions of one caller."""

    def __init__(self, who: str, now: datetime) -> None:
        self.who = who
        self.now = now
        self.now_iso = format_instant(now)
        self._campaigns, self._signatures, self._audit_log = Campaigns(), Signatures(), AuditLog()

    def _audit(self, campaign_id: str, action: str, **details: Any) -> None:
        self._audit_log.record(campaign_id, {"who": self.who, "action": action, **details}, self.now)

    def _campaign(self, campaign_id: str) -> Campaign:
        return self._campaigns.existing(campaign_id)

    # ------------------------------------------------------------ campaigns
    def view(self, campaign: Campaign) -> dict[str, Any]:
        return {
            **campaign.settings_document(),
            "status": campaign.status(self.now),
            "count": campaign.count,
            "count_updated_at": campaign.count_updated_at,
            "created_at": campaign.created_at,
        }

    def campaign(self, campaign_id: str) -> dict[str, Any]:
        return self.view(self._campaigns.existing(campaign_id, with_count=True))

    def campaigns(self, limit: int, cursor: str | None) -> dict[str, Any]:
        found, last = self._campaigns.page(limit, page_start(cursor), with_count=True)
        return {"items": [self.view(campaign) for campaign in found], "next_cursor": next_cursor(last)}

    def create(self, document: dict[str, Any]) -> dict[str, Any]:
        campaign = _valid_campaign(document)
        self._campaigns.save(campaign, self.now_iso, must_be_new=True)
        self._audit(campaign.id, "create", fields=sorted(document))
        return self.campaign(campaign.id)

    def update(self, campaign_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        if "id" in changes and changes["id"] != campaign_id:
            raise errors.invalid("id", "A campaign's id cannot change.")
        current = self._campaign(campaign_id)
        campaign = _valid_campaign({**current.settings_document(), **changes, "id": campaign_id})
        self._campaigns.save(campaign, self.now_iso)
        self._audit(campaign_id, "update", fields=sorted(set(changes) - {"id"}))
        return self.campaign(campaign_id)

    def set_closed(self, campaign_id: str, closed: bool) -> dict[str, Any]:
        return self._set(campaign_id, "close" if closed else "reopen", closed=closed)

    def _set(self, campaign_id: str, action: str, **changes: Any) -> dict[str, Any]:
        current = self._campaign(campaign_id)
        campaign = _valid_campaign({**current.settings_document(), **changes})
        self._campaigns.save(campaign, self.now_iso)
        self._audit(campaign_id, action)
        return self.campaign(campaign_id)

    # ------------------------------------------------------------ signatures
    def signatures(self, campaign_id: str, state: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
        campaign = self._campaign(campaign_id)
        if state is not None and state not in REVIEW_STATES:
            raise errors.invalid("state", f"Must be one of {', '.join(REVIEW_STATES)}.")
        items, last = self._signatures.page(campaign, limit, page_start(cursor), states=(state,) if state else (), fields=REVIEWED)
        return {"items": [review_view(item) for item in items], "next_cursor": next_cursor(last)}

    def hide(self, campaign_id: str, signer: str) -> dict[str, Any]:
        campaign = self._campaign(campaign_id)
        if not self._signatures.hide(campaign, signer):
            raise errors.SignatureNotFound()
        self._audit(campaign_id, "hide", signer=signer)
        return {"status": "hidden", "signer": signer}

    def feature(self, campaign_id: str, signer: str, featured: bool) -> dict[str, Any]:
        """Shows a listed signatory among the featured (`featured=true` on the public list), or no longer."""
        campaign = self._campaign(campaign_id)
        if featured and not self._signatures.feature(campaign, signer):
            raise errors.NotListed()
        if not featured and not self._signatures.unfeature(campaign, signer):
            raise errors.SignatureNotFound()
        self._audit(campaign_id, "feature" if featured else "unfeature", signer=signer)
        return {"status": "featured" if featured else "unfeatured", "signer": signer}

    def release(self, campaign_id: str, signer: str) -> dict[str, Any]:
        campaign = self._campaign(campaign_id)
        if not self._signatures.release(campaign, signer, self.now_iso, self.now.timestamp()):
            raise errors.NotQuarantined()
        self._audit(campaign_id, "release", signer=signer)
        return {"status": "verified", "signer": signer}

    def discard(self, campaign_id: str, signer: str) -> dict[str, Any]:
        campaign = self._campaign(campaign_id)
        current = self._signatures.get(campaign, signer)
        # Review discards only what is in quarantine; a verified signature ends by invalidation.
        if current is None or current.state != State.QUARANTINED:
            raise errors.NotQuarantined()
        if not self._signatures.discard(campaign, signer, self.now_iso):
            raise errors.NotQuarantined()
        self._audit(campaign_id, "discard", signer=signer)
        return {"status": "discarded", "signer": signer}

    def invalidate(self, campaign_id: str, criteria: dict[str, Any]) -> dict[str, Any]:
        """One page of a bulk invalidation; repeat with `cursor` = `next_cursor` until it is null."""
        campaign = self._campaign(campaign_id)
        match, cursor = _invalidation_criteria(criteria)
        ended, last = self._invalidate_page(campaign, match, page_start(cursor))
        described = {name: value for name, value in criteria.items() if name != "cursor"}
        self._audit(campaign_id, "invalidate", criteria=described, invalidated=ended)
        return {"invalidated": ended, "next_cursor": next_cursor(last)}

    def export(self, campaign_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        """A page of verified signers with only what each consented to share."""
        campaign = self._campaign(campaign_id)
        items, last = self._signatures.page(campaign, limit, page_start(cursor), states=(State.VERIFIED,), fields=EXPORTED)
        rows = [export_row(item) for item in items]
        self._audit(campaign_id, "export", rows=len(rows), first_page=cursor is None)
        return {"items": rows, "next_cursor": next_cursor(last)}

    def _invalidate_page(self, campaign: Campaign, match: dict[str, Any], after: str | None) -> tuple[int, str | None]:
        """Ends (state `invalidated`) the signatures of one page that match every criterion;
        the tally takes the counted ones out of the count. (How many ended, the next page.)"""
        items, next_after = self._signatures.page(
            campaign, INVALIDATION_PAGE, after, states=moves_to(State.INVALIDATED), fields=("domain_hash", "caller_hash", "created_at")
        )
        ended = 0
        for item in items:
            if _matches(item, match) and self._signatures.end(campaign, item["signer"], State.INVALIDATED, self.now_iso, item.get("sid")):
                ended += 1
        return ended, next_after

    def audit(self, campaign_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        if not is_campaign_id(campaign_id):
            raise errors.CampaignNotFound()
        entries, last = self._audit_log.page(campaign_id, limit, page_start(cursor))
        items = [{key: value for key, value in entry.items() if key not in ("campaign_id", "at")} for entry in entries]
        return {"items": [{"campaign_id": campaign_id, **item} for item in items], "next_cursor": next_cursor(last)}


def _valid_campaign(document: dict[str, Any]) -> Campaign:
    try:
        return campaign_from_document(document)
    except CampaignSettingsError as invalid:
        raise errors.InvalidCampaignSettings([errors.FieldProblem(field, text) for field, text in invalid.problems]) from None


def _matches(item: dict[str, Any], match: dict[str, Any]) -> bool:
    """Whether a signature meets every given invalidation criterion (at least one is given)."""
    created = item.get("created_at") or ""
    checks = [
        match.get("domain_hash") is None or item.get("domain_hash") == match["domain_hash"],
        match.get("caller_hash") is None or item.get("caller_hash") == match["caller_hash"],
        match.get("created_from") is None or created >= match["created_from"],
        match.get("created_until") is None or created <= match["created_until"],
    ]
    return any(value is not None for value in match.values()) and all(checks)


INVALIDATION_FIELDS = {"email_domain", "caller_hash", "created_from", "created_until", "cursor"}


def _invalidation_criteria(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The store's match from the request: a domain becomes its keyed hash."""
    problems = [errors.FieldProblem(name, "This field is not accepted.") for name in sorted(set(body) - INVALIDATION_FIELDS)]
    for name in INVALIDATION_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            problems.append(errors.FieldProblem(name, "Must be text."))
    match: dict[str, Any] = {}
    if not problems:
        domain = (body.get("email_domain") or "").strip().lower().lstrip("@")
        if body.get("email_domain") is not None:
            if "." not in domain or "@" in domain or " " in domain:
                problems.append(errors.FieldProblem("email_domain", "Must be a domain such as example.org."))
            match["domain_hash"] = keys().domain_hash(domain)
        if body.get("caller_hash"):
            match["caller_hash"] = body["caller_hash"]
        for name in ("created_from", "created_until"):
            if body.get(name) is not None:
                try:
                    moment = parse_instant(body[name])
                except ValueError:
                    moment = None
                if moment is None:
                    problems.append(errors.FieldProblem(name, "Must be an ISO 8601 instant such as 2026-11-28T13:00:00Z."))
                else:
                    match[name] = format_instant(moment)
    if not problems and not match:
        problems.append(errors.FieldProblem("body", "Give at least one of email_domain, caller_hash, created_from, created_until."))
    if problems:
        raise errors.InvalidInput(problems)
    return match, body.get("cursor")
