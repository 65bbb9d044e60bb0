"""Reads template.yaml: the one description of tables, routes and functions.

The local stack and the tests build everything from what this module reads,
so that nothing is declared twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML loader that turns short-form intrinsics (`!Ref X`) into their long form."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@lru_cache(maxsize=4)
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


def resources_of_type(resource_type: str, template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    template = template or load_template()
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


@dataclass(frozen=True)
class FunctionSpec:
    """One AWS::Serverless::Function as the local stack needs it."""

    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, Any]
    events: dict[str, dict[str, Any]]
    memory_size: int = 128
    timeout: int = 3

    @property
    def module_path(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_dir / (module + ".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


DEFAULT_ROUTE_PATH = "$default"
# SAM writes the any-method of a `$default` route as API Gateway's OpenAPI extension.
_ANY_METHODS = ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD")


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    function: str

    @property
    def is_default(self) -> bool:
        """API Gateway's catch-all: it serves every request no other route matches."""
        return self.path == DEFAULT_ROUTE_PATH

    @property
    def route_key(self) -> str:
        return DEFAULT_ROUTE_PATH if self.is_default else f"{self.method} {self.path}"


def _route(event_properties: dict[str, Any], function: str) -> RouteSpec:
    """An HttpApi event's route; SAM makes one without Path and Method the `$default` route."""
    path = event_properties.get("Path") or DEFAULT_ROUTE_PATH
    method = str(event_properties.get("Method") or "ANY").upper()
    return RouteSpec("ANY" if method in _ANY_METHODS else method, path, function)


def functions(template: dict[str, Any] | None = None) -> dict[str, FunctionSpec]:
    template = template or load_template()
    globals_ = template.get("Globals", {}).get("Function", {})
    global_env = globals_.get("Environment", {}).get("Variables", {})
    specs = {}
    for logical_id, resource in resources_of_type("AWS::Serverless::Function", template).items():
        props = resource["Properties"]
        env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            code_dir=ROOT / props["CodeUri"],
            handler=props["Handler"],
            environment=env,
            events=props.get("Events", {}),
            # Lambda's own defaults when neither the function nor Globals say.
            memory_size=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
            timeout=int(props.get("Timeout", globals_.get("Timeout", 3))),
        )
    return specs


def routes(template: dict[str, Any] | None = None) -> list[RouteSpec]:
    found = []
    for spec in functions(template).values():
        for event in spec.events.values():
            if event["Type"] == "HttpApi":
                found.append(_route(event.get("Properties") or {}, spec.logical_id))
    return found


class MappingSettings:
    """What an event source mapping's properties say, with Lambda's defaults where they are silent."""

    properties: dict[str, Any]
    DEFAULT_BATCH_SIZE = 10

    @property
    def batch_size(self) -> int:
        return int(self.properties.get("BatchSize", self.DEFAULT_BATCH_SIZE))

    @property
    def batching_window(self) -> float:
        return float(self.properties.get("MaximumBatchingWindowInSeconds", 0))

    @property
    def reports_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.properties.get("FunctionResponseTypes", [])


def _event_sources(event_type: str, source: str, template: dict[str, Any] | None) -> list[tuple[str, str, dict[str, Any]]]:
    """(function logical id, source logical id, event properties) per mapping of one type,
    the source being the resource its `source` property points at with Fn::GetAtt."""
    return [
        (spec.logical_id, event["Properties"][source]["Fn::GetAtt"][0], event["Properties"])
        for spec in functions(template).values()
        for event in spec.events.values()
        if event["Type"] == event_type
    ]


def stream_consumers(template: dict[str, Any] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(function logical id, table logical id, event properties) per DynamoDB stream mapping."""
    return _event_sources("DynamoDB", "Stream", template)


def queue_consumers(template: dict[str, Any] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(function logical id, queue logical id, event properties) per SQS event source mapping."""
    return _event_sources("SQS", "Queue", template)
