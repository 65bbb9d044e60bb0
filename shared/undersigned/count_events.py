"""Publishing the total: EventBridge events when a count moves and when it reaches a milestone.

`CountChanged` goes out at most once per campaign per stream batch (after all of the
batch's transactions for that campaign), and only when the count moved: a redelivered
batch moves nothing and says nothing. It is best effort; a dashboard that must not
miss a change reads `/count`.

`MilestoneReached` (each configured milestone, and the goal) goes out once per
campaign and milestone: the tally first claims the milestone with a conditional write,
then publishes; when publishing fails it gives the claim back and fails the batch, so
the retry announces it. A milestone is announced when the count first reaches it and
never again, also when the count falls back below it and rises again.
"""

from __future__ import annotations

import json
from typing import Any

from undersigned import aws, config
from undersigned.campaign import Campaign
from undersigned.observability import logger
from undersigned.store.campaigns import Campaigns, counted
from undersigned.store.counters import Counters

EVENT_BUS_NAME = config.setting("EVENT_BUS_NAME", default="default")

SOURCE = "undersigned"
COUNT_CHANGED = "CountChanged"
MILESTONE_REACHED = "MilestoneReached"


class PublishFailed(Exception):
    """EventBridge did not take an event."""


def count_changed_detail(campaign: Campaign, change: int) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "count": campaign.count,
        "change": change,
        "goal": campaign.goal,
        "updated_at": campaign.count_view()["updated_at"],
    }


def milestone_detail(campaign: Campaign, milestone: int, now_iso: str) -> dict[str, Any]:
    return {
        "campaign_id": campaign.id,
        "title": campaign.title,
        "milestone": milestone,
        "is_goal": milestone == campaign.goal,
        "goal": campaign.goal,
        "count": campaign.count,
        "reached_at": now_iso,
    }


def publish(detail_type: str, detail: dict[str, Any]) -> None:
    entry = {
        "Source": SOURCE,
        "DetailType": detail_type,
        "Detail": json.dumps(detail, separators=(",", ":")),
        "EventBusName": EVENT_BUS_NAME.value,
        "Resources": [],
    }
    answer = aws.client("events").put_events(Entries=[entry])
    if answer.get("FailedEntryCount"):
        raise PublishFailed(answer["Entries"][0].get("ErrorCode", "unknown"))


def announce(campaign_id: str, change: int, now_iso: str) -> None:
    """After the tally moved a campaign's count by `change` (perhaps 0, on redelivery):
    CountChanged if it moved, MilestoneReached for every milestone reached and not yet
    announced. Raises PublishFailed when a milestone could not be announced."""
    # The count as the tally just left it (a consistent query of its small items); the
    # settings (milestones, title) as last saved, read eventually consistently.
    settings = Campaigns().get(campaign_id)
    if settings is None:
        return
    counters = Counters()
    campaign = counted(settings, counters.count(campaign_id, consistent=True))
    if change:
        try:
            publish(COUNT_CHANGED, count_changed_detail(campaign, change))
        except Exception as error:  # noqa: BLE001 - best effort: the count itself has moved
            logger.warning("CountChanged not published", extra={"campaign_id": campaign_id, "error_type": type(error).__name__})
    reached = [milestone for milestone in campaign.announced_counts() if milestone <= campaign.count]
    if not reached:
        return
    announced = counters.announced_milestones(campaign_id)
    for milestone in reached:
        if milestone in announced or not counters.claim_milestone(campaign_id, milestone, now_iso):
            continue
        try:
            publish(MILESTONE_REACHED, milestone_detail(campaign, milestone, now_iso))
        except Exception:
            counters.release_milestone(campaign_id, milestone)
            raise
