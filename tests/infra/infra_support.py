"""What the infrastructure tests share: where things are, and how to run a tool offline."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
TRANSLATE_SCRIPT = Path(__file__).with_name("sam_translate.py")

OFFLINE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    # Nothing listens on port 9: a tool that tries to reach AWS fails at once, here.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
    "SAM_CLI_TELEMETRY": "0",
    "SAM_CLI_CONTACT_ADMIN": "0",
}


def run_tool(args: list[str | Path]) -> subprocess.CompletedProcess[str]:
    """Runs a program of the tools venv offline, from the repository root."""
    env = {**os.environ, **OFFLINE_AWS_ENV}
    # The app venv's variables must not leak into the tools venv's Python.
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# Reading the translated template (resources by logical id, as CloudFormation has them).


def of_type(resources: dict[str, dict[str, Any]], resource_type: str) -> dict[str, dict[str, Any]]:
    return {logical_id: r for logical_id, r in resources.items() if r["Type"] == resource_type}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_id(function: dict[str, Any]) -> str:
    role = function["Properties"]["Role"]
    assert "Fn::GetAtt" in role, f"role is not one of the template's: {role}"
    return role["Fn::GetAtt"][0]


def allow_statements(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in role["Properties"].get("Policies", []):
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            if statement["Effect"] == "Allow":
                yield statement


def referenced_ids(value: Any) -> set[str]:
    """Logical ids a CloudFormation value points at (Ref, Fn::GetAtt, ${X} or ${X.Attr} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref":
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found.update(name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text) if "::" not in name)
            else:
                found.update(referenced_ids(inner))
    elif isinstance(value, list):
        for inner in value:
            found.update(referenced_ids(inner))
    return found


def grants(role: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(action, resource) for every Allow in the role's inline policies."""
    for statement in allow_statements(role):
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                yield action, resource
