"""Calls the admin routes in-process as API Gateway would after its IAM authorizer let
the request through (requestContext.authorizer.iam), or without one (the local stack)."""

from __future__ import annotations

import json
from typing import Any

from integration.lambda_api import Answer, http_event, invoke

ORGANISER_ARN = "arn:aws:iam::123456789012:user/organiser"


class Admin:
    def __init__(self, user_arn: str | None = ORGANISER_ARN, source_ip: str = "198.51.100.7") -> None:
        self.user_arn = user_arn
        self.source_ip = source_ip

    def request(self, method: str, target: str, json_body: Any = None) -> Answer:
        body = json.dumps(json_body) if json_body is not None else None
        headers = {"content-type": "application/json"} if body is not None else {}
        function, event = http_event(method, target, body=body, headers=headers, source_ip=self.source_ip)
        if self.user_arn:
            event["requestContext"]["authorizer"] = {
                "iam": {"accountId": "123456789012", "callerId": "AIDAEXAMPLE", "userArn": self.user_arn, "userId": "AIDAEXAMPLE"}
            }
        result = invoke(function, event)
        return Answer(result["statusCode"], result.get("headers") or {}, result.get("body") or "")

    def get(self, target: str) -> Answer:
        return self.request("GET", target)

    def post(self, target: str, json_body: Any = None) -> Answer:
        return self.request("POST", target, json_body if json_body is not None else {})

    def patch(self, target: str, json_body: Any) -> Answer:
        return self.request("PATCH", target, json_body)
