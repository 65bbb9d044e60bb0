"""How often one caller may submit to one campaign, and how much mail one address gets.

The counters live in DynamoDB (every Lambda instance is separate, so process memory
would count nothing), one item per fixed window, added to atomically and expiring by
TTL when the window ends. A caller is known only by a keyed hash of its network
address (an IPv6 caller by its /64, which one household or one bot usually holds).

Over a campaign's limit a submission is quarantined silently: the same answer as
always, stored, never counted until an organiser releases it — errors teach bots.
Far over it (a flood), the caller gets `429 rate_limited` with `Retry-After`.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from undersigned import errors
from undersigned.campaign import Campaign
from undersigned.keys import Keys
from undersigned.store import Store

BURST_SECONDS = 60
SUSTAINED_SECONDS = 3600
# A caller this many times over a limit is flooding: refused outright.
FLOOD_FACTOR = 5
# Emails a day: for one signature, and for one address across every campaign.
MAILS_PER_SIGNATURE_PER_DAY = 3
MAILS_PER_ADDRESS_PER_DAY = 10
_DAY = 86400


@dataclass(frozen=True)
class Window:
    seconds: int
    limit: int

    def bounds(self, now: float) -> tuple[int, int]:
        """The current window's number and the epoch second it ends."""
        number = int(now // self.seconds)
        return number, (number + 1) * self.seconds


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


def admit(campaign: Campaign, address: str | None, keys: Keys, store: Store, now: float) -> bool:
    """Counts one submission from `address`. True within the campaign's limits, False
    over them (quarantine); far over them, `429 rate_limited` with Retry-After. Callers
    without an address (only outside API Gateway) share one allowance."""
    address = address or ""
    if is_trusted(campaign, address):
        return True
    caller = keys.caller_id(caller_network(address))
    within = True
    for window in (Window(BURST_SECONDS, campaign.burst_limit), Window(SUSTAINED_SECONDS, campaign.hourly_limit)):
        number, ends = window.bounds(now)
        hits = store.add_hit(f"rate#{campaign.id}#{window.seconds}#{number}#{caller}", ends)
        if hits > window.limit * FLOOD_FACTOR:
            raise errors.rate_limited(max(1, math.ceil(ends - now)))
        within = within and hits <= window.limit
    return within


def may_email(campaign_id: str, signer: str, store: Store, now: float) -> bool:
    """Counts one email to the address behind `signer`; False once today's caps are
    reached, so nobody can flood an inbox by submitting its address again and again."""
    day, ends = Window(_DAY, 0).bounds(now)
    for_signature = store.add_hit(f"mail#{campaign_id}#{signer}#{day}", ends)
    for_address = store.add_hit(f"mail#{signer}#{day}", ends)
    return for_signature <= MAILS_PER_SIGNATURE_PER_DAY and for_address <= MAILS_PER_ADDRESS_PER_DAY
