"""The caller's address for the rate limits, behind CloudFront: the viewer's own address
when the distribution vouches for the request, API Gateway's source IP otherwise."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from undersigned import edge

SECRET = "edge-secret-for-tests"
EDGE_SERVER = "130.176.0.10"


def event(headers: dict[str, str]) -> APIGatewayProxyEventV2:
    return APIGatewayProxyEventV2({"headers": headers, "requestContext": {"http": {"sourceIp": EDGE_SERVER}}})


@pytest.fixture
def edge_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge, "edge_secret", lambda: SECRET)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("203.0.113.7:4711", "203.0.113.7"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("[2001:DB8:0:0::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        (" 198.51.100.2:80 ", "198.51.100.2"),
    ],
)
def test_viewer_address_reads_ipv4_and_bracketed_ipv6_with_their_port(value: str, address: str) -> None:
    assert edge.viewer_address(value) == address


@pytest.mark.parametrize("value", [None, "", "localhost:80", "[2001:db8::1", "999.1.1.1:80", "203.0.113.7:4711, 10.0.0.1:1"])
def test_viewer_address_refuses_what_is_not_an_address(value: str | None) -> None:
    assert edge.viewer_address(value) is None


def test_a_request_through_the_edge_is_limited_by_its_viewers_address(edge_secret: None) -> None:
    through = event({"cloudfront-viewer-address": "[2001:db8::7]:51000", "x-undersigned-edge": SECRET})
    assert edge.caller_address(through) == "2001:db8::7"


def test_a_forged_viewer_address_sent_straight_to_the_api_is_ignored(edge_secret: None) -> None:
    assert edge.caller_address(event({"cloudfront-viewer-address": "203.0.113.7:1"})) == EDGE_SERVER
    wrong = event({"cloudfront-viewer-address": "203.0.113.7:1", "x-undersigned-edge": "guessed"})
    assert edge.caller_address(wrong) == EDGE_SERVER


def test_without_a_configured_secret_the_viewer_address_is_never_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge, "edge_secret", lambda: "")
    claimed = event({"cloudfront-viewer-address": "203.0.113.7:1", "x-undersigned-edge": ""})
    assert edge.caller_address(claimed) == EDGE_SERVER


def test_an_unreadable_viewer_address_falls_back_to_the_source_ip(edge_secret: None) -> None:
    assert edge.caller_address(event({"cloudfront-viewer-address": "garbage", "x-undersigned-edge": SECRET})) == EDGE_SERVER
