"""Who is calling, when requests come through the CloudFront distribution in front of the API.

Behind CloudFront, API Gateway's source IP is an edge server's, so every signer of one
edge location would share one rate limit. CloudFront sends the viewer's own address in
`CloudFront-Viewer-Address`, with its port (`203.0.113.7:4711`; IPv6 unbracketed,
`2001:db8::1:4711`; `[2001:db8::1]:4711` is read too). Anyone can send
that header straight to the API, though, so it is believed only on a request that also
carries the origin header the distribution adds (`X-Undersigned-Edge`), whose value is a
generated secret (`EdgeOriginSecret` in the template) that only CloudFront and the
function know. Without both, the caller is API Gateway's source IP, as before.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Mapping
from functools import lru_cache

from undersigned import aws, config

VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
EDGE_HEADER = "x-undersigned-edge"
# Empty (outside AWS, or a stack without the secret): the viewer address is never believed.
EDGE_SECRET_ARN = config.setting("EDGE_SECRET_ARN", default="")


def viewer_address(value: str | None) -> str | None:
    """The IP address in a `CloudFront-Viewer-Address` value (`ip:port`, `ipv6:port`,
    `[ipv6]:port`), or None when it is not one."""
    if not value:
        return None
    host = value.strip()
    if host.startswith("["):
        host, closed, _port = host[1:].partition("]")
        if not closed:
            return None
    elif ":" in host:
        # CloudFront writes an IPv6 viewer without brackets, its port after the last colon
        # (`2001:db8::1:51000`): the port is always the last part, never part of the address.
        host, _, port = host.rpartition(":")
        if not port.isdigit():
            return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


@lru_cache(maxsize=1)
def edge_secret() -> str:
    """The value CloudFront puts in `X-Undersigned-Edge` (read once per instance, when first needed)."""
    arn = EDGE_SECRET_ARN.value
    if not arn:
        return ""
    answer = aws.client("secretsmanager").get_secret_value(SecretId=arn)
    return json.loads(answer["SecretString"]).get("header_value", "")


def came_through_edge(presented: str | None, secret: str) -> bool:
    return bool(presented) and bool(secret) and hmac.compare_digest(presented.encode(), secret.encode())


def caller_address(source_ip: str, headers: Mapping[str, str]) -> str:
    """The caller's address for the rate limits: the viewer's, when CloudFront vouches for it.
    `source_ip` is API Gateway's; `headers` are the request's, by lower-case name."""
    viewer = viewer_address(headers.get(VIEWER_ADDRESS_HEADER))
    # The secret is only fetched for requests that claim to come through the edge.
    if viewer and headers.get(EDGE_HEADER) and came_through_edge(headers.get(EDGE_HEADER), edge_secret()):
        return viewer
    return source_ip
