"""Each request becomes the event API Gateway (HTTP API, payload 2.0) would send, and each
return value the answer API Gateway would make of it."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from devstack.events import BadLambdaResponse, HttpRequest, http_api_event, http_response

ROUTE = "POST /campaigns/{campaign_id}/signatures"


def _event(**request: object) -> dict:
    defaults: dict = {
        "method": "POST",
        "target": "/campaigns/demo/signatures",
        "headers": [("Host", "127.0.0.1:3000"), ("User-Agent", "pytest")],
        "client_ip": "127.0.0.1",
    }
    return http_api_event(HttpRequest(**{**defaults, **request}), ROUTE, {"campaign_id": "demo"})


def test_event_has_the_payload_2_0_fields_powertools_reads() -> None:
    event = _event(target="/campaigns/demo/signatures?a=1")
    parsed = APIGatewayProxyEventV2(event)
    assert event["version"] == "2.0"
    assert parsed.route_key == ROUTE
    assert parsed.raw_path == "/campaigns/demo/signatures"
    assert parsed.raw_query_string == "a=1"
    assert parsed.path_parameters == {"campaign_id": "demo"}
    context = parsed.request_context
    assert context.stage == "$default"
    assert context.route_key == ROUTE
    assert context.http.method == "POST"
    assert context.http.path == "/campaigns/demo/signatures"
    assert context.http.user_agent == "pytest"
    assert context.domain_name == "127.0.0.1:3000"
    assert context.request_id and context.time_epoch > 0 and context.time.endswith("+0000")
    assert "body" not in event and event["isBase64Encoded"] is False


def test_headers_are_lower_cased_and_repeats_joined_with_commas() -> None:
    event = _event(headers=[("X-Thing", "a"), ("x-thing", "b"), ("Content-Type", "application/json")])
    assert event["headers"]["x-thing"] == "a,b"
    assert event["headers"]["content-type"] == "application/json"
    assert all(name == name.lower() for name in event["headers"])


def test_cookies_leave_the_headers_for_their_own_field() -> None:
    event = _event(headers=[("Cookie", "a=1; b=2"), ("Cookie", "c=3")])
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]


def test_query_parameters_are_decoded_and_repeats_joined() -> None:
    event = _event(target="/verify?token=a%2Bb&x=1&x=2&empty=")
    assert event["rawQueryString"] == "token=a%2Bb&x=1&x=2&empty="
    assert event["queryStringParameters"] == {"token": "a+b", "x": "1,2", "empty": ""}


def test_forwarded_for_first_address_stands_in_for_the_caller() -> None:
    event = _event(headers=[("X-Forwarded-For", "203.0.113.7, 10.0.0.1")])
    assert event["requestContext"]["http"]["sourceIp"] == "203.0.113.7"
    assert _event()["requestContext"]["http"]["sourceIp"] == "127.0.0.1"


def test_json_body_arrives_as_text() -> None:
    body = json.dumps({"name": "Zoë"}).encode()
    event = _event(headers=[("Content-Type", "application/json; charset=utf-8")], body=body)
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"name": "Zoë"}


def test_form_and_binary_bodies_arrive_base64_encoded_as_from_api_gateway() -> None:
    form = _event(headers=[("Content-Type", "application/x-www-form-urlencoded")], body=b"name=Zo%C3%AB")
    assert form["isBase64Encoded"] is True
    assert APIGatewayProxyEventV2(form).decoded_body == "name=Zo%C3%AB"
    binary = _event(headers=[("Content-Type", "application/octet-stream")], body=b"\xff\x00")
    assert base64.b64decode(binary["body"]) == b"\xff\x00"


def test_response_with_status_code_keeps_status_headers_and_cookies() -> None:
    response = http_response(
        {"statusCode": 303, "headers": {"Location": "/x"}, "body": "", "cookies": ["a=1", "b=2"]}, "rid"
    )
    assert response.status == 303
    assert ("Location", "/x") in response.headers
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1", "b=2"]


def test_base64_response_body_is_decoded() -> None:
    encoded = base64.b64encode(b"\x89PNG").decode()
    response = http_response({"statusCode": 200, "body": encoded, "isBase64Encoded": True}, "r")
    assert response.body == b"\x89PNG"


def test_bare_return_values_become_200_json() -> None:
    as_dict = http_response({"hello": "world"}, "r")
    assert (as_dict.status, json.loads(as_dict.body)) == (200, {"hello": "world"})
    assert ("content-type", "application/json") in as_dict.headers
    assert http_response("plain", "r").body == b"plain"


@pytest.mark.parametrize(
    "result",
    [{"statusCode": 200, "body": {"not": "a string"}}, {"statusCode": "200"}, {"statusCode": 200, "body": object()}],
)
def test_responses_api_gateway_would_reject_are_errors(result: object) -> None:
    with pytest.raises(BadLambdaResponse):
        http_response(result, "r")
