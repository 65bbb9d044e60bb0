"""Writes a campaign from a JSON file, until the organiser tools exist.

    python -m undersigned.campaign_file campaign.json [more.json ...]

Uses the table named by CAMPAIGNS_TABLE and the usual AWS credentials
(AWS_ENDPOINT_URL points it at a local stack). Never touches the count.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

from undersigned.campaign import Campaign, format_instant, is_campaign_id, parse_instant, utc_now
from undersigned.store import Store

FIELDS = {
    "id", "title", "statement", "goal", "closes_at", "closed", "allowed_origins",
    "thank_you_url", "public_signatories", "sender_name",
}


class CampaignFileError(ValueError):
    pass


def _origin_ok(origin: str) -> bool:
    if origin == "*":
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.path and not parts.query


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
    )


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
