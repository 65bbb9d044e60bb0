"""What each function's own role in template.yaml allows (template.yaml writes one per function)."""

from __future__ import annotations

from typing import Any

from devstack.template import load_template


def statements(function: str) -> list[dict[str, Any]]:
    """The statements of the function's own role."""
    resources = load_template()["Resources"]
    role = resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = resources[role]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def _granted_on(statement: dict[str, Any], table: str, index: str | None) -> bool:
    targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    wanted = {"Fn::GetAtt": [table, "Arn"]} if index is None else {"Fn::Sub": f"${{{table}.Arn}}/index/{index}"}
    return wanted in targets


def ungranted(function: str, calls: list[tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
    """The DynamoDB calls (operation, table's logical id, index) that `function`'s own role
    does not allow: AWS would refuse each with AccessDenied."""
    granted = statements(function)
    return sorted({
        call for call in calls
        if not any(f"dynamodb:{call[0]}" in s["Action"] and _granted_on(s, call[1], call[2]) for s in granted)
    }, key=str)
