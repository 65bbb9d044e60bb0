"""A campaign: one open letter or petition, and the rules that depend on it alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

CAMPAIGN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ANY_ORIGIN = "*"
# Campaign fields no organiser sets: the count and the bookkeeping around it.
_KEPT_BY_THE_SERVICE = frozenset({"count", "count_updated_at", "created_at", "updated_at", "extra"})
# Proof of human a campaign may ask for: none, the self-hosted proof of work, or a hosted widget.
HUMAN_CHECKS = ("none", "altcha", "turnstile", "hcaptcha")
# What happens to a submission from a throwaway-mailbox service.
DISPOSABLE_POLICIES = ("quarantine", "refuse", "accept")


def is_campaign_id(value: str) -> bool:
    return bool(CAMPAIGN_ID.match(value or ""))


def parse_instant(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    statement: str
    goal: int | None = None
    closes_at: str | None = None
    closed: bool = False
    allowed_origins: tuple[str, ...] = ()
    thank_you_url: str | None = None
    public_signatories: bool = False
    sender_name: str = "Undersigned"
    # Counts announced as MilestoneReached (the goal is announced too).
    milestones: tuple[int, ...] = ()
    # The organiser's own email texts per locale: {"de": {"subject": ..., "intro": ...}}.
    email_texts: dict[str, Any] | None = None
    count: int = 0
    count_updated_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    # Trust and safety (see README, "Security and privacy"): submissions per caller address per
    # minute and per hour before they are quarantined (far beyond: 429).
    burst_limit: int = 10
    hourly_limit: int = 60
    # Addresses or networks (CIDR) exempt from the limits, e.g. an NGO office behind one NAT.
    trusted_addresses: tuple[str, ...] = ()
    human_check: str = "none"
    disposable_addresses: str = "quarantine"
    # Days after the campaign closes until its signatures are anonymised.
    retention_days: int = 365
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def is_open(self, now: datetime) -> bool:
        if self.closed:
            return False
        closes = parse_instant(self.closes_at)
        return closes is None or now < closes

    def status(self, now: datetime) -> str:
        return "open" if self.is_open(now) else "closed"

    def closed_since(self, now: datetime) -> datetime | None:
        """When the campaign stopped taking signatures: its closing time, or for one
        closed by hand, the last change of its settings. None while it is open."""
        if self.is_open(now):
            return None
        closes = parse_instant(self.closes_at)
        if closes is not None and closes <= now:
            return closes
        return parse_instant(self.updated_at) or closes or now

    def allows_origin(self, origin: str | None) -> bool:
        """Requests without an Origin (servers, some form posts) are always allowed."""
        if origin is None:
            return True
        return ANY_ORIGIN in self.allowed_origins or origin in self.allowed_origins

    def public_view(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "statement": self.statement,
            "goal": self.goal,
            "closes_at": self.closes_at,
            "status": self.status(now),
            "count": self.count,
            "public_signatories": self.public_signatories,
            # The sign form must know which proof of human to send (see humancheck.py).
            "human_check": self.human_check,
        }

    def announced_counts(self) -> list[int]:
        """The counts that raise MilestoneReached: the milestones and the goal, ascending."""
        return sorted({*self.milestones, *([self.goal] if self.goal else [])})

    def settings_document(self) -> dict[str, Any]:
        """Everything an organiser sets, in the shape `campaign_file.campaign_from_document`
        reads: every field but what the service keeps itself."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in ((f.name, getattr(self, f.name)) for f in fields(self))
            if name not in _KEPT_BY_THE_SERVICE
        }

    def count_view(self) -> dict[str, Any]:
        return {
            "campaign_id": self.id,
            "count": self.count,
            "goal": self.goal,
            "updated_at": self.count_updated_at or self.created_at or "1970-01-01T00:00:00Z",
        }
