"""Who counts as one caller, and who is exempt."""

import pytest

from undersigned.campaign import Campaign
from undersigned.limits import caller_network, is_trusted, window

OFFICE = Campaign(id="letter", title="T", statement="S", trusted_addresses=("192.0.2.0/28", "2001:db8:1::/48"))


@pytest.mark.parametrize(
    ("address", "trusted"),
    [
        ("192.0.2.5", True),
        ("192.0.2.16", False),
        ("::ffff:192.0.2.5", True),
        ("2001:db8:1:2::9", True),
        ("2001:db8:2::9", False),
        ("not an address", False),
    ],
)
def test_the_allow_list_holds_addresses_and_networks(address, trusted):
    assert is_trusted(OFFICE, address) is trusted


def test_nobody_is_trusted_by_default():
    assert not is_trusted(Campaign(id="letter", title="T", statement="S"), "192.0.2.5")


def test_an_ipv6_caller_is_its_64_so_rotating_addresses_does_not_escape_the_limit():
    assert caller_network("2001:db8:1:2::9") == caller_network("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert caller_network("2001:db8:1:3::9") != caller_network("2001:db8:1:2::9")
    assert caller_network("::ffff:198.51.100.7") == "198.51.100.7"


def test_windows_are_fixed_and_end_on_their_boundary():
    assert window(60, 125.5) == (2, 180)
    assert window(3600, 125.5) == (0, 3600)


def test_the_sender_sends_at_its_share_of_the_ses_rate_and_no_faster():
    from undersigned.sender import Pace

    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pace = Pace(rate=4, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        pace.wait()
    assert slept == [0.25, 0.25], "4 a second: a quarter of a second apart"
    now[0] += 10
    pace.wait()
    assert slept == [0.25, 0.25], "after a quiet spell the next email goes at once"


def test_a_caller_without_an_address_is_counted_not_crashed():
    from undersigned.keys import keys_from_secret
    from undersigned.limits import admit

    class Counters:
        def __init__(self):
            self.seen = []

        def add_hits(self, counter, names, expires_at):
            self.seen.append(counter)
            return dict.fromkeys(names, 1)

    counters = Counters()
    campaign = Campaign(id="letter", title="T", statement="S")
    assert admit(campaign, None, keys_from_secret({"master_key": "k"}), counters, 120.0)
    assert len(counters.seen) == 1
