"""The admin routes refuse unsigned calls in the deployed configuration: after the SAM
transform every /admin operation asks for SigV4 (AWS_IAM), every public one for nothing."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.template import load_template, routes

SIGV4 = {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}


def api_body(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (api,) = [resource for resource in resources.values() if resource["Type"] == "AWS::ApiGatewayV2::Api"]
    return api["Properties"]["Body"]


def operations(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method.upper(), path): operation for path, item in body["paths"].items() for method, operation in item.items()}


@pytest.mark.tools
def test_every_admin_operation_requires_sigv4(resources) -> None:
    body = api_body(resources)
    schemes = body["components"]["securitySchemes"]
    admin = {key: op for key, op in operations(body).items() if key[1].startswith("/admin/")}
    declared = {(route.method, route.path) for route in routes() if route.path.startswith("/admin/")}
    assert set(admin) == declared and len(admin) >= 13
    for key, operation in admin.items():
        (requirement,) = operation.get("security", [None])
        assert requirement is not None, f"{key} is open"
        (scheme,) = requirement
        assert schemes[scheme] == SIGV4, f"{key} uses {schemes[scheme]}"


@pytest.mark.tools
def test_public_operations_stay_open_and_there_is_no_default_authorizer(resources) -> None:
    body = api_body(resources)
    assert not body.get("security")
    public = {key: op for key, op in operations(body).items() if not key[1].startswith("/admin/")}
    assert ("GET", "/campaigns/{campaign_id}/count") in public
    assert ("POST", "/campaigns/{campaign_id}/signatures") in public
    assert not [key for key, op in public.items() if op.get("security") not in (None, [], [{}])]


def test_the_template_declares_iam_on_each_admin_route_itself() -> None:
    """Without the tools: the source the transform reads says the same."""
    template = load_template()
    assert template["Resources"]["HttpApi"]["Properties"]["Auth"]["EnableIamAuthorizer"] is True
    assert "DefaultAuthorizer" not in template["Resources"]["HttpApi"]["Properties"]["Auth"]
    for resource in template["Resources"].values():
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            auth = event["Properties"].get("Auth", {}).get("Authorizer")
            if event["Properties"]["Path"].startswith("/admin/"):
                assert auth == "AWS_IAM", event
            else:
                assert auth in (None, "NONE"), event
