"""The running total as partners and dashboards read it: per source, per country, per hour,
as a badge.

All of it comes from the counters the tally moves with the count, so the per-source
counts never exceed the count and the hourly history sums to it (over the whole life
of the campaign).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any

from undersigned import catalogue, errors
from undersigned.campaign import Campaign
from undersigned.store.counters import Counters

DEFAULT_HOURS, MAX_HOURS = 168, 24 * 90
MAX_LABEL = 40


def _breakdown(campaign: Campaign, parts_key: str, parts: dict[str, int], rest_key: str) -> dict[str, Any]:
    """The count split by `parts` (per source, per country), and the rest: the signers who
    gave none (or were counted before the tally kept that split)."""
    return {
        "campaign_id": campaign.id,
        "count": campaign.count,
        parts_key: parts,
        rest_key: max(campaign.count - sum(parts.values()), 0),
        "updated_at": campaign.count_view()["updated_at"],
    }


def sources_view(campaign: Campaign) -> dict[str, Any]:
    return _breakdown(campaign, "sources", Counters().sources(campaign.id), "unattributed")


def countries_view(campaign: Campaign) -> dict[str, Any]:
    return _breakdown(campaign, "countries", Counters().countries(campaign.id), "unspecified")


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def history_view(campaign: Campaign, hours: int, now: datetime) -> dict[str, Any]:
    """Verified signatures per hour for the `hours` hours up to now (the current one
    included), oldest first, every hour present (0 where none)."""
    last = hour_floor(now)
    first = last - timedelta(hours=hours - 1)
    found = Counters().hours(campaign.id, first.strftime("%Y-%m-%dT%H"), last.strftime("%Y-%m-%dT%H"))
    series = []
    for step in range(hours):
        hour = first + timedelta(hours=step)
        series.append({"hour": hour.strftime("%Y-%m-%dT%H:00:00Z"), "verified": found.get(hour.strftime("%Y-%m-%dT%H"), 0)})
    return {"campaign_id": campaign.id, "count": campaign.count, "hours": series, "updated_at": campaign.count_view()["updated_at"]}


def badge_label(text: str | None) -> str | None:
    """The caller's label (one line, at most 40 characters), checked; None for the default
    one (in the badge's language)."""
    if text is None:
        return None
    label = text.strip()
    if not label or len(label) > MAX_LABEL or any(ord(char) < 32 for char in label):
        raise errors.invalid("label", f"Must be 1–{MAX_LABEL} characters of text.")
    return label


def _text_width(text: str) -> int:
    # Close enough for an 11 px sans-serif; wide characters get more room.
    return sum(7 if ord(char) < 0x2E80 else 12 for char in text) + 12


def badge_svg(label: str | None, campaign: Campaign, lang: str = catalogue.DEFAULT) -> str:
    """A small badge: `label | count` (`count / goal` where there is a goal), numbers and the
    default label ("signatures", in the plural form the count takes) in `lang`. Text escaped."""
    lang = catalogue.choose(lang)
    label = label or catalogue.pick(lang, catalogue.section(lang, "badge")["label"], campaign.count)
    value = catalogue.number(lang, campaign.count) + (f" / {catalogue.number(lang, campaign.goal)}" if campaign.goal else "")
    left, right = _text_width(label), _text_width(value)
    safe_label, safe_value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
        f'aria-label="{safe_label}: {safe_value}"><title>{safe_label}: {safe_value}</title>'
        f'<rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="#2e7d32"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14">{safe_label}</text><text x="{left + right / 2:.1f}" y="14">{safe_value}</text>'
        "</g></svg>"
    )
