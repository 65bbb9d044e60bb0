"""The functions' environment variables, resolved from the template for the local stack.

All functions run in this one process, and environment variables are process-wide.
Choice: every function's variables are set once, as their union. That is sound only
while no two functions give one variable different values, so `union` refuses a
conflict instead of letting one function silently see another's value. (Swapping
os.environ per invocation would not work anyway: the core reads its settings once per
process, as a Lambda instance does, and concurrent requests would race.) The price:
a function can read a variable the template gives only to another function and not
notice locally; the template tests guard the declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devstack.embedded_aws import ACCOUNT_ID, REGION
from devstack.template import FunctionSpec, load_template

PSEUDO_PARAMETERS = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}


class EnvironmentConflict(Exception):
    """Two functions need different values in the one process-wide variable."""


def references(
    physical_ids: Mapping[str, str],
    parameter_overrides: Mapping[str, str],
    template: dict[str, Any] | None = None,
) -> dict[str, str]:
    """What `!Ref X` stands for locally: created resources, then parameters (overrides, defaults)."""
    template = template or load_template()
    values = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    values.update(parameter_overrides)
    values.update(PSEUDO_PARAMETERS)
    values.update(physical_ids)
    return values


def resolve(value: Any, refs: Mapping[str, str], where: str) -> str:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in refs:
            return refs[value["Ref"]]
        raise ValueError(f"{where}: the local stack cannot resolve {value}; teach devstack.environment")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def function_environment(spec: FunctionSpec, refs: Mapping[str, str]) -> dict[str, str]:
    return {
        name: resolve(value, refs, f"{spec.logical_id}.Environment.{name}") for name, value in spec.environment.items()
    }


def union(specs: Mapping[str, FunctionSpec], refs: Mapping[str, str]) -> dict[str, str]:
    """Every function's variables together; raises EnvironmentConflict if two disagree."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for logical_id, spec in specs.items():
        for name, value in function_environment(spec, refs).items():
            if name in merged and merged[name] != value:
                raise EnvironmentConflict(
                    f"{name} is {merged[name]!r} for {owner[name]} but {value!r} for {logical_id}: "
                    "the local stack runs all functions in one process and cannot give both"
                )
            merged[name] = value
            owner[name] = logical_id
    return merged
