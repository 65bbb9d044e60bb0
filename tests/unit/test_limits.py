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


def test_a_capped_email_takes_as_long_as_a_sent_one(monkeypatch):
    from undersigned import sign_up

    slept = []
    monkeypatch.setattr(sign_up.time, "sleep", slept.append)
    pace = sign_up.SendPace()
    pace.skip()
    pace.sent(0.100)
    pace.sent(0.200)
    pace.skip()
    assert slept == [0.0, pytest.approx(0.120)]


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
