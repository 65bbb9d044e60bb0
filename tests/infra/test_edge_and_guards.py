"""The edge and the surge guards, as AWS would deploy them (issue 10): CloudFront caches the
public reads by their own Cache-Control and passes signing and /admin through untouched,
the signer's real address reaches the rate limits, and a flood of posts cannot take the
reads' share of the API or drain the account's concurrency."""

from __future__ import annotations

from typing import Any

import pytest
from infra_support import of_type

pytestmark = pytest.mark.tools

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SIGN_ROUTE = "POST /campaigns/{campaign_id}/signatures"


@pytest.fixture(scope="module")
def distribution(resources) -> dict[str, Any]:
    (found,) = of_type(resources, "AWS::CloudFront::Distribution").values()
    return found


@pytest.fixture(scope="module")
def config(distribution) -> dict[str, Any]:
    return distribution["Properties"]["DistributionConfig"]


def behaviour(config: dict[str, Any], pattern: str) -> dict[str, Any]:
    return next(b for b in config["CacheBehaviors"] if b["PathPattern"] == pattern)


def policy_of(resources, reference: Any, kind: str) -> dict[str, Any]:
    assert isinstance(reference, dict) and "Ref" in reference, f"not one of the template's policies: {reference}"
    return resources[reference["Ref"]]["Properties"][kind]


def test_the_edge_is_on_by_default_and_a_parameter_turns_it_off(translated, distribution) -> None:
    assert translated["Parameters"]["EdgeCache"]["Default"] == "true"
    assert distribution["Condition"] == "EdgeOn"
    assert translated["Conditions"]["EdgeOn"] == {"Fn::Equals": [{"Ref": "EdgeCache"}, "true"]}
    assert translated["Outputs"]["EdgeDomain"]["Value"] == {"Fn::GetAtt": ["EdgeDistribution", "DomainName"]}


def test_viewers_and_the_origin_speak_https_only(config) -> None:
    (origin,) = config["Origins"]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    for each in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert each["ViewerProtocolPolicy"] == "https-only", each.get("PathPattern", "default")


@pytest.mark.parametrize("pattern", ["/admin/*", "/campaigns/*/signatures", "/verify", "/withdraw"])
def test_posts_admin_and_the_links_pages_pass_through_uncached(config, pattern) -> None:
    passed = behaviour(config, pattern)
    assert passed["CachePolicyId"] == CACHING_DISABLED
    assert "POST" in passed["AllowedMethods"]
    assert passed.get("OriginRequestPolicyId"), "uncached requests must still reach the origin with their headers"


def test_admin_gets_every_viewer_header_but_host(config) -> None:
    assert behaviour(config, "/admin/*")["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST


def test_signing_forwards_the_viewer_address_and_never_host(resources, config) -> None:
    policy = policy_of(resources, behaviour(config, "/campaigns/*/signatures")["OriginRequestPolicyId"], "OriginRequestPolicyConfig")
    headers = policy["HeadersConfig"]
    assert headers["HeaderBehavior"] == "whitelist"
    assert "CloudFront-Viewer-Address" in headers["Headers"]
    assert {"Origin", "Content-Type"} <= set(headers["Headers"])
    assert "Host" not in headers["Headers"]


@pytest.mark.parametrize("pattern", [None, "/campaigns/*/count*", "/campaigns/*/badge.svg", "/widget*", "/letters/*"])
def test_public_gets_are_cached_as_long_as_their_cache_control_says(resources, config, pattern) -> None:
    cached = config["DefaultCacheBehavior"] if pattern is None else behaviour(config, pattern)
    assert set(cached["CachedMethods"]) == {"GET", "HEAD"}
    policy = policy_of(resources, cached["CachePolicyId"], "CachePolicyConfig")
    # Min and default TTL 0: the origin's max-age decides, and an answer without one is not kept.
    assert policy["MinTTL"] == 0 and policy["DefaultTTL"] == 0 and policy["MaxTTL"] > 0
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    assert key["CookiesConfig"]["CookieBehavior"] == "none"


def test_reads_that_vary_by_origin_or_language_are_keyed_by_them(resources, config) -> None:
    policy = policy_of(resources, config["DefaultCacheBehavior"]["CachePolicyId"], "CachePolicyConfig")
    headers = policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]
    assert set(headers["Headers"]) == {"Origin", "Accept-Language"}


def test_the_letters_page_is_kept_per_language(resources, config) -> None:
    """`?lang=` and Accept-Language pick the page's language: both are in its cache key."""
    policy = policy_of(resources, behaviour(config, "/letters/*")["CachePolicyId"], "CachePolicyConfig")
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert "Accept-Language" in key["HeadersConfig"]["Headers"]
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "all"


def test_the_letters_page_links_through_the_edge_like_the_emails(resources) -> None:
    letter = resources["LetterFunction"]["Properties"]["Environment"]["Variables"]
    submit = resources["SubmitFunction"]["Properties"]["Environment"]["Variables"]
    assert letter["PUBLIC_BASE_URL"] == submit["PUBLIC_BASE_URL"]


def test_the_count_is_one_copy_per_edge_location_whoever_asks(resources, config) -> None:
    policy = policy_of(resources, behaviour(config, "/campaigns/*/count*")["CachePolicyId"], "CachePolicyConfig")
    assert policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["HeaderBehavior"] == "none"


def test_the_origin_request_carries_the_secret_the_submit_function_checks(resources, config) -> None:
    (origin,) = config["Origins"]
    (header,) = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Undersigned-Edge"
    assert "EdgeOriginSecret" in header["HeaderValue"]["Fn::Sub"]
    submit = resources["SubmitFunction"]["Properties"]["Environment"]["Variables"]
    assert submit["EDGE_SECRET_ARN"] == {"Ref": "EdgeOriginSecret"}


def test_email_links_go_through_the_edge_unless_a_base_url_is_given(translated, resources) -> None:
    submit = resources["SubmitFunction"]["Properties"]["Environment"]["Variables"]
    assert submit["PUBLIC_BASE_URL"] == {
        "Fn::If": ["LinksThroughEdge", {"Fn::Sub": "https://${EdgeDistribution.DomainName}"}, {"Ref": "PublicBaseUrl"}]
    }
    assert translated["Conditions"]["LinksThroughEdge"] == {
        "Fn::And": [{"Condition": "EdgeOn"}, {"Fn::Equals": [{"Ref": "PublicBaseUrl"}, ""]}]
    }


def test_a_flood_of_signing_cannot_take_the_reads_share_of_the_api(translated, resources) -> None:
    (stage,) = of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    properties = stage["Properties"]
    default = properties["DefaultRouteSettings"]
    assert default["ThrottlingRateLimit"] and default["ThrottlingBurstLimit"]
    signing = properties["RouteSettings"][SIGN_ROUTE]
    assert signing == {"ThrottlingRateLimit": {"Ref": "SignRateLimit"}, "ThrottlingBurstLimit": {"Ref": "SignBurstLimit"}}
    # Below API Gateway's 10,000 requests a second per account and Region: the rest is the reads'.
    assert int(translated["Parameters"]["SignRateLimit"]["Default"]) < 10_000


# API Gateway's quota for HTTP APIs, per account and Region (the reads share it with every route).
ACCOUNT_RATE, ACCOUNT_BURST = 10_000, 5_000


def deployed(translated, value: Any) -> int:
    """A throttle as deployed with the parameters' defaults."""
    return int(translated["Parameters"][value["Ref"]]["Default"]) if isinstance(value, dict) else int(value)


def test_the_signing_routes_together_leave_the_reads_a_share_of_the_account(translated, resources) -> None:
    """Each route with limits of its own takes them from the one account quota: a flood of
    signing (its posts, their preflights, the verify routes) at every one of them at once
    must still leave the reads at least a route's default."""
    (stage,) = of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    default = stage["Properties"]["DefaultRouteSettings"]
    signing = stage["Properties"]["RouteSettings"].values()
    rate = sum(deployed(translated, route["ThrottlingRateLimit"]) for route in signing)
    burst = sum(deployed(translated, route["ThrottlingBurstLimit"]) for route in signing)
    assert rate + default["ThrottlingRateLimit"] <= ACCOUNT_RATE
    assert burst + default["ThrottlingBurstLimit"] <= ACCOUNT_BURST


def test_the_tally_has_reserved_concurrency_set_by_a_parameter(translated, resources) -> None:
    assert resources["TallyFunction"]["Properties"]["ReservedConcurrentExecutions"] == {"Ref": "TallyReservedConcurrency"}
    assert int(translated["Parameters"]["TallyReservedConcurrency"]["Default"]) >= 1


# The language function (EdgeLanguageFunction): Accept-Language made one language before the
# cache key is computed. What it does is tested in node in tests/unit/test_edge_language.py.
CLOUDFRONT_FUNCTION_CODE_LIMIT = 10 * 1024  # bytes: CloudFront Functions' quota on a function's code


def every_behaviour(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"default": config["DefaultCacheBehavior"], **{b["PathPattern"]: b for b in config["CacheBehaviors"]}}


def keys_on_language(resources, behaviour_config: dict[str, Any]) -> bool:
    reference = behaviour_config["CachePolicyId"]
    if not isinstance(reference, dict):
        return False  # a managed policy: CachingDisabled, nothing kept
    key = policy_of(resources, reference, "CachePolicyConfig")["ParametersInCacheKeyAndForwardedToOrigin"]
    return "Accept-Language" in key["HeadersConfig"].get("Headers", [])


@pytest.fixture(scope="module")
def language_function(resources) -> dict[str, Any]:
    (logical_id,) = of_type(resources, "AWS::CloudFront::Function")
    assert logical_id == "EdgeLanguageFunction"
    return resources[logical_id]


def test_the_language_function_is_a_published_js2_function_of_the_edge(language_function) -> None:
    assert language_function["Condition"] == "EdgeOn"
    properties = language_function["Properties"]
    assert properties["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert properties["AutoPublish"] is True
    assert "function handler(event)" in properties["FunctionCode"]


def test_the_language_function_is_under_cloudfronts_size_limit(language_function) -> None:
    assert len(language_function["Properties"]["FunctionCode"].encode("utf-8")) < CLOUDFRONT_FUNCTION_CODE_LIMIT


def test_the_language_function_runs_on_exactly_the_behaviours_keyed_by_language(resources, config) -> None:
    associated = {}
    for name, each in every_behaviour(config).items():
        associations = each.get("FunctionAssociations", [])
        if associations:
            associated[name] = associations
        assert bool(associations) == keys_on_language(resources, each), name
    assert set(associated) == {"default", "/letters/*"}  # GET /campaigns/{id} and the letter's page
    for associations in associated.values():
        assert associations == [{"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["EdgeLanguageFunction", "FunctionARN"]}}]


def test_lang_in_the_query_stays_in_the_key_where_the_function_runs(resources, config) -> None:
    for name, each in every_behaviour(config).items():
        if each.get("FunctionAssociations"):
            key = policy_of(resources, each["CachePolicyId"], "CachePolicyConfig")["ParametersInCacheKeyAndForwardedToOrigin"]
            assert key["QueryStringsConfig"]["QueryStringBehavior"] == "all", name
