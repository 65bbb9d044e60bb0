"""The caller's address for the rate limits, behind CloudFront: the viewer's own address
when the distribution vouches for the request, API Gateway's source IP otherwise."""

from __future__ import annotations

import pytest

from undersigned import edge

SECRET = "edge-secret-for-tests"
EDGE_SERVER = "130.176.0.10"


def caller(headers: dict[str, str]) -> str:
    """The caller's address of a request that reached API Gateway from an edge server."""
    return edge.caller_address(EDGE_SERVER, headers)


@pytest.fixture
def edge_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge, "edge_secret", lambda: SECRET)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("203.0.113.7:4711", "203.0.113.7"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("[2001:DB8:0:0::1]:443", "2001:db8::1"),
        ("203.0.113.7", "203.0.113.7"),
        (" 198.51.100.2:80 ", "198.51.100.2"),
    ],
)
def test_viewer_address_reads_ipv4_and_bracketed_ipv6_with_their_port(value: str, address: str) -> None:
    assert edge.viewer_address(value) == address


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("2001:db8::7:44321", "2001:db8::7"),
        ("2001:db8:1:2:3:4:5:6:51000", "2001:db8:1:2:3:4:5:6"),
        ("2001:db8::1:4711", "2001:db8::1"),
    ],
)
def test_viewer_address_reads_ipv6_as_cloudfront_writes_it_unbracketed_with_its_port(value: str, address: str) -> None:
    assert edge.viewer_address(value) == address


def test_ipv6_viewers_at_one_edge_server_are_not_one_caller(edge_secret: None) -> None:
    first = caller({"cloudfront-viewer-address": "2001:db8:aaaa:1::7:51000", "x-undersigned-edge": SECRET})
    second = caller({"cloudfront-viewer-address": "2001:db8:bbbb:2::9:49152", "x-undersigned-edge": SECRET})
    assert (first, second) == ("2001:db8:aaaa:1::7", "2001:db8:bbbb:2::9")


@pytest.mark.parametrize("value", [None, "", "localhost:80", "[2001:db8::1", "999.1.1.1:80", "203.0.113.7:4711, 10.0.0.1:1"])
def test_viewer_address_refuses_what_is_not_an_address(value: str | None) -> None:
    assert edge.viewer_address(value) is None


def test_a_request_through_the_edge_is_limited_by_its_viewers_address(edge_secret: None) -> None:
    assert caller({"cloudfront-viewer-address": "[2001:db8::7]:51000", "x-undersigned-edge": SECRET}) == "2001:db8::7"


def test_a_forged_viewer_address_sent_straight_to_the_api_is_ignored(edge_secret: None) -> None:
    assert caller({"cloudfront-viewer-address": "203.0.113.7:1"}) == EDGE_SERVER
    assert caller({"cloudfront-viewer-address": "203.0.113.7:1", "x-undersigned-edge": "guessed"}) == EDGE_SERVER


def test_without_a_configured_secret_the_viewer_address_is_never_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge, "edge_secret", lambda: "")
    assert caller({"cloudfront-viewer-address": "203.0.113.7:1", "x-undersigned-edge": ""}) == EDGE_SERVER


def test_an_unreadable_viewer_address_falls_back_to_the_source_ip(edge_secret: None) -> None:
    assert caller({"cloudfront-viewer-address": "garbage", "x-undersigned-edge": SECRET}) == EDGE_SERVER
