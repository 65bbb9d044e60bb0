"""What organisers do to their campaigns (the admin API): set them up, open and close
them, review signatures, invalidate in bulk, export. Every change is recorded in the
audit log with the IAM principal who made it.

The count is never written here: hiding leaves a signature counted; release, discard
and invalidation change signatures' states, and the tally moves the count from those.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from undersigned import errors, paging
from undersigned.campaign import Campaign, format_instant, is_campaign_id, parse_instant
from undersigned.campaign_file import FIELDS, CampaignFileError, campaign_from_document
from undersigned.keys import keys
from undersigned.store import EXPORTED_FIELDS, Store, decode_key, encode_key

DEFAULT_PAGE, MAX_PAGE = 50, 100
EXPORT_PAGE = 500
REVIEW_STATES = ("pending", "verified", "quarantined", "withdrawn", "discarded", "invalidated")
# Shown to an organiser reviewing signatures; the address only where the signer agreed to updates.
REVIEW_FIELDS = (
    "name", "organisation", "role", "country", "comment", "public", "updates", "email", "source",
    "hidden", "created_at", "verified_at", "caller_hash",
)
UNSIGNED_LOCAL = "local:unsigned"


def forbidden() -> errors.ApiError:
    return errors.ApiError(403, "forbidden", "Admin requests must be signed with AWS credentials (SigV4).")


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
    raise forbidden()


def not_found(what: str) -> errors.ApiError:
    return errors.ApiError(404, f"{what}_not_found", f"There is no such {what.replace('_', ' ')} in this campaign.")


def page_size(text: str | None, default: int = DEFAULT_PAGE, maximum: int = MAX_PAGE) -> int:
    return paging.page_size(text, default, maximum)


def page_start(cursor: str | None) -> str | None:
    return paging.page_start(cursor, decode_key)


def next_cursor(last: str | None) -> str | None:
    return encode_key(last) if last else None


class Organiser:
    """The admin actions of one caller."""

    def __init__(self, who: str, now: datetime, store: Store | None = None) -> None:
        self.who = who
        self.now = now
        self.now_iso = format_instant(now)
        self.store = store or Store()

    def _audit(self, campaign_id: str, action: str, **details: Any) -> None:
        self.store.record_audit(campaign_id, {"who": self.who, "action": action, **details}, self.now)

    def _campaign(self, campaign_id: str) -> Campaign:
        return self.store.existing_campaign(campaign_id)

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
        return self.view(self._campaign(campaign_id))

    def campaigns(self, limit: int, cursor: str | None) -> dict[str, Any]:
        found, last = self.store.campaigns_page(limit, page_start(cursor))
        return {"items": [self.view(campaign) for campaign in found], "next_cursor": next_cursor(last)}

    def create(self, document: dict[str, Any]) -> dict[str, Any]:
        campaign = _valid_campaign(document)
        self.store.save_campaign(campaign, self.now_iso, must_be_new=True)
        self._audit(campaign.id, "create", fields=sorted(document))
        return self.campaign(campaign.id)

    def update(self, campaign_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        if "id" in changes and changes["id"] != campaign_id:
            raise errors.validation_error([errors.FieldProblem("id", "A campaign's id cannot change.")])
        current = self._campaign(campaign_id)
        campaign = _valid_campaign({**current.settings_document(), **changes, "id": campaign_id})
        self.store.save_campaign(campaign, self.now_iso)
        self._audit(campaign_id, "update", fields=sorted(set(changes) - {"id"}))
        return self.campaign(campaign_id)

    def set_closed(self, campaign_id: str, closed: bool) -> dict[str, Any]:
        return self._set(campaign_id, "close" if closed else "reopen", closed=closed)

    def _set(self, campaign_id: str, action: str, **changes: Any) -> dict[str, Any]:
        current = self._campaign(campaign_id)
        campaign = _valid_campaign({**current.settings_document(), **changes})
        self.store.save_campaign(campaign, self.now_iso)
        self._audit(campaign_id, action)
        return self.campaign(campaign_id)

    # ------------------------------------------------------------ signatures
    def signatures(self, campaign_id: str, state: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
        self._campaign(campaign_id)
        if state is not None and state not in REVIEW_STATES:
            raise errors.validation_error([errors.FieldProblem("state", f"Must be one of {', '.join(REVIEW_STATES)}.")])
        items, last = self.store.signatures_page(
            campaign_id, limit, page_start(cursor), states=(state,) if state else (), fields=REVIEW_FIELDS
        )
        return {"items": [_review_view(item) for item in items], "next_cursor": next_cursor(last)}

    def hide(self, campaign_id: str, signer: str) -> dict[str, Any]:
        self._campaign(campaign_id)
        if not self.store.hide_signature(campaign_id, signer):
            raise not_found("signature")
        self._audit(campaign_id, "hide", signer=signer)
        return {"status": "hidden", "signer": signer}

    def release(self, campaign_id: str, signer: str) -> dict[str, Any]:
        self._campaign(campaign_id)
        if not self.store.release_quarantined(campaign_id, signer, self.now_iso, self.now.timestamp()):
            raise _not_quarantined()
        self._audit(campaign_id, "release", signer=signer)
        return {"status": "verified", "signer": signer}

    def discard(self, campaign_id: str, signer: str) -> dict[str, Any]:
        self._campaign(campaign_id)
        current = self.store.signature(campaign_id, signer)
        # Review discards only what is in quarantine; a verified signature ends by invalidation.
        if current is None or current.state != "quarantined":
            raise _not_quarantined()
        if not self.store.discard_signature(campaign_id, signer, self.now_iso):
            raise _not_quarantined()
        self._audit(campaign_id, "discard", signer=signer)
        return {"status": "discarded", "signer": signer}

    def invalidate(self, campaign_id: str, criteria: dict[str, Any]) -> dict[str, Any]:
        """One page of a bulk invalidation; repeat with `cursor` = `next_cursor` until it is null."""
        self._campaign(campaign_id)
        match, cursor = _invalidation_criteria(criteria)
        ended, last = self.store.invalidate_page(campaign_id, match, page_start(cursor), self.now_iso)
        described = {name: value for name, value in criteria.items() if name != "cursor"}
        self._audit(campaign_id, "invalidate", criteria=described, invalidated=ended)
        return {"invalidated": ended, "next_cursor": next_cursor(last)}

    def export(self, campaign_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        """A page of verified signers with only what each consented to share."""
        self._campaign(campaign_id)
        items, last = self.store.signatures_page(
            campaign_id, limit, page_start(cursor), states=("verified",), fields=EXPORTED_FIELDS
        )
        rows = [_export_row(item) for item in items]
        self._audit(campaign_id, "export", rows=len(rows), first_page=cursor is None)
        return {"items": rows, "next_cursor": next_cursor(last)}

    def audit(self, campaign_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
        if not is_campaign_id(campaign_id):
            raise errors.campaign_not_found()
        entries, last = self.store.audit_page(campaign_id, limit, page_start(cursor))
        items = [{key: value for key, value in entry.items() if key not in ("campaign_id", "at")} for entry in entries]
        return {"items": [{"campaign_id": campaign_id, **item} for item in items], "next_cursor": next_cursor(last)}


def _valid_campaign(document: dict[str, Any]) -> Campaign:
    try:
        return campaign_from_document(document)
    except CampaignFileError as problem:
        raise errors.validation_error(
            [errors.FieldProblem(_field_of(text), text) for text in str(problem).split("; ")],
            "Some campaign settings need correcting.",
        ) from None


def _field_of(problem: str) -> str:
    first = problem.split(" ", 1)[0]
    if first == "unknown":
        return problem.split("'")[1] if "'" in problem else "body"
    return first if first in FIELDS else "body"


def _not_quarantined() -> errors.ApiError:
    return errors.ApiError(409, "not_quarantined", "This signature is not in quarantine (it may have been reviewed already).")


def _review_view(item: dict[str, Any]) -> dict[str, Any]:
    view = {"signer": item["signer"], "signature_id": item.get("sid"), "state": item.get("state")}
    view.update({name: item.get(name) for name in REVIEW_FIELDS})
    view["email"] = item.get("email") if item.get("updates") else None
    view["public"], view["updates"], view["hidden"] = bool(item.get("public")), bool(item.get("updates")), bool(item.get("hidden"))
    return view


def _export_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": item.get("name") or "",
        "organisation": item.get("organisation"),
        "role": item.get("role"),
        "country": item.get("country"),
        # Only where the signer agreed to hear from the organiser (it is stored only then, too).
        "email": item.get("email") if item.get("updates") else None,
        "public": bool(item.get("public")),
        "updates": bool(item.get("updates")),
        "locale": item.get("locale"),
        "source": item.get("source"),
        "signed_at": item.get("verified_at"),
    }


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
        raise errors.validation_error(problems)
    return match, body.get("cursor")
