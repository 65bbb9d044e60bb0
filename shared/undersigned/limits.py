"""How often one caller may submit to one campaign, and how much mail one address gets.

The counters live in DynamoDB (every Lambda instance is separate, so process memory
would count nothing), added to atomically, in fixed windows (a minute, an hour, a
day) and expiring by TTL when their item's window ends (a day's mail counter later: it
keeps the sender's marks of what it sent, `Ledger.claim_email`). A caller is known only by
a keyed hash of its network address (an IPv6 caller by its /64, which one household or one
bot usually holds).

Over a campaign's limit a submission is quarantined silently: the same answer as
always, stored, never counted until an organiser releases it — errors teach bots.
Far over it (a flood), the caller gets `429 rate_limited` with `Retry-After`.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from undersigned import errors
from undersigned.campaign import Campaign
from undersigned.keys import Keys

if TYPE_CHECKING:
    from undersigned.store.ledger import Ledger

BURST_SECONDS = 60
SUSTAINED_SECONDS = 3600
# A caller this many times over a limit is flooding: refused outright.
FLOOD_FACTOR = 5
# Emails a day: for one signature, and for one address across every campaign.
MAILS_PER_SIGNATURE_PER_DAY = 3
MAILS_PER_ADDRESS_PER_DAY = 10
_DAY = 86400


def window(seconds: int, now: float) -> tuple[int, int]:
    """The fixed window of `seconds` that `now` falls in: its number and the epoch second it ends."""
    number = int(now // seconds)
    return number, (number + 1) * seconds


def caller_network(address: str) -> str:
    """What identifies one caller: the address itself, or an IPv6 address's /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    parsed = getattr(parsed, "ipv4_mapped", None) or parsed
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def caller_hash(address: str | None, keys: Keys) -> str:
    """The keyed hash that stands for a caller (its network, for IPv6), never the address."""
    return keys.caller_id(caller_network(address or ""))


def is_trusted(campaign: Campaign, address: str) -> bool:
    """On the campaign's allow-list (an address, or inside a listed network)."""
    if not campaign.trusted_addresses:
        return False
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    parsed = getattr(parsed, "ipv4_mapped", None) or parsed
    return any(parsed in ipaddress.ip_network(entry, strict=False) for entry in campaign.trusted_addresses)


def admit(campaign: Campaign, address: str | None, keys: Keys, ledger: Ledger, now: float) -> bool:
    """Counts one submission from `address`. True within the campaign's limits, False
    over them (quarantine); far over them, `429 rate_limited` with Retry-After. Callers
    without an address (only outside API Gateway) share one allowance.

    One item per caller, campaign and hour holds the hour's count and each minute's, so
    one write counts both windows; it expires when the hour ends."""
    address = address or ""
    if is_trusted(campaign, address):
        return True
    caller = caller_hash(address, keys)
    hour, hour_ends = window(SUSTAINED_SECONDS, now)
    minute, minute_ends = window(BURST_SECONDS, now)
    minute_name = f"minute{minute % (SUSTAINED_SECONDS // BURST_SECONDS)}"
    hits = ledger.add_hits(f"rate#{campaign.id}#{hour}#{caller}", ("hour", minute_name), hour_ends)
    within = True
    for name, limit, ends in ((minute_name, campaign.burst_limit, minute_ends), ("hour", campaign.hourly_limit, hour_ends)):
        if hits[name] > limit * FLOOD_FACTOR:
            raise errors.RateLimited(max(1, math.ceil(ends - now)))
        within = within and hits[name] <= limit
    return within


@dataclass(frozen=True)
class MailCaps:
    """The caps an email counts against: one counter item per address and day holds the
    address's count (`all`) and each campaign's."""

    counter: str
    caps: dict[str, int]


def mail_caps(campaign_id: str, signer: str, asked_at: float) -> MailCaps:
    """The caps for an email to the address behind `signer` about one campaign, asked for
    (its message queued) at `asked_at`: once they are reached nothing more is sent that day,
    so nobody can flood an inbox by submitting its address again and again. The sender counts
    an email when it claims it and gives it back when SES fails (`Ledger.claim_email`,
    `give_back_email`): the caps count emails sent, and an outage never uses up a signer's day.

    The day is the day the email was asked for, not the day it goes: every delivery of one
    message meets the same counter item, which keeps the message's sent mark (a message
    redelivered after an outage of days still finds it). So an email that waited out an
    outage counts against the day it was asked for, and a backlog drained in one day may
    bring an address that day's emails and those of the days it waited for, never more than
    the caps allow per day of asking."""
    day, _ = window(_DAY, asked_at)
    caps = {"all": MAILS_PER_ADDRESS_PER_DAY, f"campaign#{campaign_id}": MAILS_PER_SIGNATURE_PER_DAY}
    return MailCaps(f"mail#{signer}#{day}", caps)
