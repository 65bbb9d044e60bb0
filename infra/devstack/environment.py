"""The functions' environment variables, resolved from the template for the local stack.

Each function's instances run in processes of their own, so each function sees exactly
the variables the template declares for it: one that forgets a declaration fails here
as it would in AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devstack.account import ACCOUNT_ID, REGION
from devstack.template import FunctionSpec, load_template

_STACK_OWNED = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION")
PSEUDO_PARAMETERS = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
# The local stack has no CloudFront in front of it: the template's edge is off here. And
# one developer trying things: a campaign's change shows at once, not within CampaignCacheSeconds.
LOCAL_PARAMETERS = {"EdgeCache": "false", "CampaignCacheSeconds": "0"}


def references(
    physical_ids: Mapping[str, str],
    parameter_overrides: Mapping[str, str],
    template: dict[str, Any] | None = None,
) -> dict[str, str]:
    """What `!Ref X` stands for locally: created resources, then parameters (overrides, defaults)."""
    template = template or load_template()
    values = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    values.update(LOCAL_PARAMETERS)
    values.update(parameter_overrides)
    values.update(PSEUDO_PARAMETERS)
    values.update(physical_ids)
    return values


def condition_holds(name: str, refs: Mapping[str, str]) -> bool:
    """One of the template's Conditions, on the local parameters."""
    return _holds(load_template().get("Conditions", {})[name], refs)


def _holds(condition: Any, refs: Mapping[str, str]) -> bool:
    (function, arguments), = condition.items()
    if function in ("Condition", "Fn::Condition"):  # `!Condition X` reads as Fn::Condition
        return condition_holds(arguments, refs)
    if function == "Fn::Equals":
        left, right = (resolve(argument, refs, "Conditions") for argument in arguments)
        return left == right
    if function == "Fn::Not":
        return not _holds(arguments[0], refs)
    if function == "Fn::And":
        return all(_holds(argument, refs) for argument in arguments)
    if function == "Fn::Or":
        return any(_holds(argument, refs) for argument in arguments)
    raise ValueError(f"the local stack cannot evaluate the condition {condition}")


def resolve(value: Any, refs: Mapping[str, str], where: str) -> str:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in refs:
            return refs[value["Ref"]]
        if set(value) == {"Fn::If"}:
            name, when_true, when_false = value["Fn::If"]
            return resolve(when_true if condition_holds(name, refs) else when_false, refs, where)
        raise ValueError(f"{where}: the local stack cannot resolve {value}; teach devstack.environment")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def function_environment(spec: FunctionSpec, refs: Mapping[str, str]) -> dict[str, str]:
    return {
        name: resolve(value, refs, f"{spec.logical_id}.Environment.{name}") for name, value in spec.environment.items()
    }


def instance_environments(
    specs: Mapping[str, FunctionSpec], refs: Mapping[str, str], base: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """Each function's whole environment: this process's (PATH, the embedded AWS's endpoint and
    credentials), the template's variables for that function only, and what Lambda sets."""
    # The template may declare AWS_* placeholders (e.g. an empty AWS_ENDPOINT_URL for `sam
    # local`); the embedded AWS must win over them.
    owned = {name: value for name, value in base.items() if name.startswith(_STACK_OWNED)}
    return {
        logical_id: {
            **base,
            **function_environment(spec, refs),
            **owned,
            "AWS_LAMBDA_FUNCTION_NAME": logical_id,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        }
        for logical_id, spec in specs.items()
    }
