"""A campaign's JSON document: its rules (the admin API validates with them), and a
direct writer for seeding a table without the API.

    python -m undersigned.campaign_file campaign.json [more.json ...]

Uses the table named by CAMPAIGNS_TABLE and the usual AWS credentials
(AWS_ENDPOINT_URL points it at a local stack). Never touches the count. Organisers
use `undersigned create` instead: it goes through the admin API and the audit log.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from typing import Any
from urllib.parse import urlsplit

from undersigned.campaign import (
    DISPOSABLE_POLICIES,
    HUMAN_CHECKS,
    Campaign,
    format_instant,
    is_campaign_id,
    parse_instant,
    utc_now,
)
from undersigned.mail import DEFAULT_LOCALE, TEXTS
from undersigned.store import Store

FIELDS = {
    "id", "title", "statement", "goal", "closes_at", "closed", "allowed_origins",
    "thank_you_url", "public_signatories", "sender_name",
    "burst_limit", "hourly_limit", "trusted_addresses", "human_check", "disposable_addresses", "retention_days",
    "milestones", "email_texts",
}
DEFAULTS = Campaign(id="defaults", title="", statement="")
MAX_MILESTONES = 50
# An organiser may replace any of the emails' texts, per locale ({title}, {name}, {days} filled in).
EMAIL_TEXT_FIELDS = frozenset(TEXTS[DEFAULT_LOCALE])


class CampaignFileError(ValueError):
    pass


def _origin_ok(origin: str) -> bool:
    if origin == "*":
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.path and not parts.query


def _network_ok(text: object) -> bool:
    try:
        ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return False
    return isinstance(text, str)


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _safety_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for name, high in (("burst_limit", 10_000), ("hourly_limit", 100_000), ("retention_days", 3650)):
        if name in document and not _whole(document[name], 1, high):
            problems.append(f"{name} must be a whole number from 1 to {high}")
    trusted = document.get("trusted_addresses", [])
    if not isinstance(trusted, list) or not all(_network_ok(entry) for entry in trusted):
        problems.append('trusted_addresses must be a list of addresses or networks like "192.0.2.0/24"')
    if document.get("human_check", "none") not in HUMAN_CHECKS:
        problems.append("human_check must be one of " + ", ".join(HUMAN_CHECKS))
    if document.get("disposable_addresses", "quarantine") not in DISPOSABLE_POLICIES:
        problems.append("disposable_addresses must be one of " + ", ".join(DISPOSABLE_POLICIES))
    return problems


def campaign_from_document(document: dict[str, Any]) -> Campaign:
    """A campaign from its JSON document, or an error that says what to fix."""
    unknown = set(document) - FIELDS
    problems = [f"unknown field {name!r}" for name in sorted(unknown)]
    if not is_campaign_id(str(document.get("id", ""))):
        problems.append("id must match ^[a-z0-9][a-z0-9-]{1,62}$")
    for name in ("title", "statement"):
        if not isinstance(document.get(name), str) or not document[name].strip():
            problems.append(f"{name} is required text")
    goal = document.get("goal")
    if goal is not None and (not isinstance(goal, int) or isinstance(goal, bool) or goal < 1):
        problems.append("goal must be a positive whole number or null")
    closes_at = document.get("closes_at")
    try:
        closes = parse_instant(closes_at) if closes_at is not None else None
    except (TypeError, ValueError):
        problems.append("closes_at must be an ISO 8601 instant such as 2027-01-31T23:59:59Z")
        closes = None
    origins = document.get("allowed_origins", [])
    if not isinstance(origins, list) or not all(isinstance(o, str) and _origin_ok(o) for o in origins):
        problems.append('allowed_origins must be a list of origins like "https://example.org", or "*"')
    thank_you = document.get("thank_you_url")
    if thank_you is not None and urlsplit(str(thank_you)).scheme not in ("http", "https"):
        problems.append("thank_you_url must be an http(s) URL")
    problems += _safety_problems(document)
    problems += _organiser_problems(document)
    if problems:
        raise CampaignFileError("; ".join(problems))
    return Campaign(
        id=document["id"],
        title=document["title"].strip(),
        statement=document["statement"].strip(),
        goal=goal,
        closes_at=format_instant(closes) if closes else None,
        closed=bool(document.get("closed", False)),
        allowed_origins=tuple(origins),
        thank_you_url=thank_you,
        public_signatories=bool(document.get("public_signatories", False)),
        sender_name=document.get("sender_name") or "Undersigned",
        burst_limit=document.get("burst_limit", DEFAULTS.burst_limit),
        hourly_limit=document.get("hourly_limit", DEFAULTS.hourly_limit),
        trusted_addresses=tuple(str(ipaddress.ip_network(entry, strict=False)) for entry in document.get("trusted_addresses", [])),
        human_check=document.get("human_check", DEFAULTS.human_check),
        disposable_addresses=document.get("disposable_addresses", DEFAULTS.disposable_addresses),
        retention_days=document.get("retention_days", DEFAULTS.retention_days),
        milestones=tuple(sorted(set(document.get("milestones") or ()))),
        email_texts=document.get("email_texts") or None,
    )


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _organiser_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    milestones = document.get("milestones") or []
    if not isinstance(milestones, list) or len(milestones) > MAX_MILESTONES or not all(map(_positive, milestones)):
        problems.append(f"milestones must be a list of at most {MAX_MILESTONES} positive whole numbers")
    texts = document.get("email_texts")
    if texts is not None and not (
        isinstance(texts, dict)
        and all(
            isinstance(locale, str)
            and isinstance(fields, dict)
            and set(fields) <= EMAIL_TEXT_FIELDS
            and all(isinstance(text, str) and len(text) <= 2000 for text in fields.values())
            for locale, fields in texts.items()
        )
    ):
        problems.append(f"email_texts must map locales to objects with {sorted(EMAIL_TEXT_FIELDS)} as text")
    return problems


def put_campaign(document: dict[str, Any]) -> None:
    Store().save_campaign(campaign_from_document(document), format_instant(utc_now()))


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                put_campaign(json.load(handle))
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        print(f"{path}: saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
