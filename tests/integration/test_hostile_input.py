"""Every public and admin route answers hostile input in the contract's error shape,
never a 5xx: bodies nested past the parser, lone surrogates, digits that are not ASCII,
invalid UTF-8, and paths or methods no route serves."""

from __future__ import annotations

import json

import boto3
import pytest

from devstack.template import routes
from integration.admin_client import ORGANISER_ARN, Admin
from integration.lambda_api import Answer, http_event, invoke
from integration.test_signing_journey import ALICE

DEEP = 5000
BODY_ROUTES = sorted((route.method, route.path) for route in routes() if route.method in ("POST", "PATCH"))
# The routes that read a body (the others, such as `/close`, take none and ignore one).
READERS = [
    ("PATCH", "/admin/campaigns/{campaign_id}"),
    ("POST", "/admin/campaigns"),
    ("POST", "/admin/campaigns/{campaign_id}/invalidations"),
    ("POST", "/campaigns/{campaign_id}/signatures"),
    ("POST", "/verify"),
    ("POST", "/withdraw"),
]
HOSTILE_BODIES = [
    "[" * DEEP + "]" * DEEP,
    '{"name": ' + "[" * DEEP + "]" * DEEP + "}",
    b'{"name": "Ol\xff\xfeg"}',
    '{"token": "\\udfff"}',
]
GET_ROUTES = sorted(route.path for route in routes() if route.method == "GET")


def concrete(path: str) -> str:
    return path.replace("{campaign_id}", "demo").replace("{signer}", "nobody").replace("{version}", "v1").replace("{file}", "widget.js")


def send(api, method: str, path: str, body: bytes | str, content_type: str = "application/json"):
    """Admin routes as the IAM authorizer lets them through; public ones as anyone."""
    if path.startswith("/admin"):
        function, event = http_event(method, concrete(path), body=body, headers={"content-type": content_type})
        event["requestContext"]["authorizer"] = {"iam": {"userArn": ORGANISER_ARN, "accountId": "123456789012", "callerId": "A", "userId": "A"}}
        result = invoke(function, event)
        return Answer(result["statusCode"], result.get("headers") or {}, result.get("body") or "")
    return api.request(method, concrete(path), body=body, headers={"content-type": content_type})


def assert_error(answer, status: int, code: str) -> dict:
    assert answer.status == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def stored_signatures() -> int:
    return boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable", Select="COUNT")["Count"]


@pytest.mark.parametrize(("method", "path"), READERS, ids=[f"{m} {p}" for m, p in READERS])
def test_every_route_that_reads_a_body_refuses_hostile_ones_in_the_contract_shape(api, demo, method, path):
    # Nested past the parser, at the top or inside a field.
    assert_error(send(api, method, path, "[" * DEEP + "]" * DEEP), 400, "invalid_json")
    assert_error(send(api, method, path, '{"name": ' + "[" * DEEP + "]" * DEEP + "}"), 400, "invalid_json")
    assert_error(send(api, method, path, b'{"name": "Ol\xff\xfeg"}'), 400, "invalid_json")
    # A lone surrogate, on the field it is under however deep.
    error = assert_error(send(api, method, path, '{"token": "\\udfff", "x": ["ok", {"deep": "\\ud800"}]}'), 400, "validation_error")
    assert {detail["field"] for detail in error["details"]} == {"token", "x"}


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
def test_no_route_that_takes_a_body_fails_on_a_hostile_one(api, demo, method, path):
    for body in HOSTILE_BODIES:
        answer = send(api, method, path, body)
        assert answer.status < 500, (body[:20], answer.text)
        if answer.status >= 400:
            assert answer.json()["error"]["code"]


def test_invalid_utf8_in_a_signature_is_refused_and_nothing_is_stored(api, demo):
    body = json.dumps({**ALICE, "name": "NAME"}).encode().replace(b"NAME", b"Ol\xc3\x28g")
    assert_error(api.post("/campaigns/demo/signatures", body=body, headers={"content-type": "application/json"}), 400, "invalid_json")
    form = api.post("/campaigns/demo/signatures", body="name=Ol%FFg&email=olga%40example.org", headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status == 400 and "<html" in form.text
    assert stored_signatures() == 0


def test_a_lone_surrogate_in_a_field_is_a_validation_error_on_that_field(api, demo):
    body = '{"name": "Al\\ud800ice", "email": "alice@example.org"}'
    error = assert_error(api.post("/campaigns/demo/signatures", body=body, headers={"content-type": "application/json"}), 400, "validation_error")
    assert [detail["field"] for detail in error["details"]] == ["name"]
    assert stored_signatures() == 0


NOT_ASCII_DIGITS = [
    "/campaigns/demo/signatories?limit=%C2%B2",
    "/campaigns/demo/signatories?limit=%D9%A3",
    "/campaigns/demo/count/history?hours=%C2%B2",
    "/admin/campaigns?limit=%C2%B2",
]


def test_digits_that_are_not_ascii_are_a_validation_error(api, demo):
    for target in NOT_ASCII_DIGITS:
        answer = Admin().get(target) if target.startswith("/admin") else api.get(target)
        error = assert_error(answer, 400, "validation_error")
        assert error["details"][0]["field"] in ("limit", "hours")


def test_a_trailing_slash_is_not_found_in_the_contract_shape_on_every_route(api, demo):
    for path in GET_ROUTES:
        assert_error(api.get(concrete(path) + "/"), 404, "not_found")


UNROUTED = [("GET", "/nothing-here"), ("GET", "/"), ("DELETE", "/campaigns/demo"), ("PUT", "/verify"), ("TRACE", "/campaigns/demo/count"), ("POST", "/campaigns/demo/")]


def test_a_path_or_method_no_route_serves_is_not_found_in_the_contract_shape(api, demo):
    for method, target in UNROUTED:
        answer = api.request(method, target)
        assert_error(answer, 404, "not_found")
        assert answer.header("content-type").startswith("application/json")


ROUTED_FUNCTIONS = sorted({route.function for route in routes() if not route.is_default})
# It serves the letter's page: its errors are pages too.
PAGE_FUNCTIONS = {"LetterFunction"}


@pytest.mark.parametrize("function", ROUTED_FUNCTIONS)
def test_a_function_handed_a_request_its_routes_do_not_serve_answers_not_found(demo, function):
    # API Gateway sends each function its own routes only; a route edited in the template
    # alone would hand it others, which it answers as the `$default` route does.
    _, event = http_event("GET", "/campaigns/demo/count")
    event["rawPath"] = "/nothing-here"
    result = invoke(function, event)
    if function in PAGE_FUNCTIONS:
        assert result["statusCode"] == 404 and result["headers"]["Content-Type"].startswith("text/html")
        return
    error = assert_error(Answer(result["statusCode"], result["headers"], result["body"]), 404, "not_found")
    assert error["message"].startswith("Nothing is served at this path")
    assert result["headers"]["Content-Type"] == "application/json"
