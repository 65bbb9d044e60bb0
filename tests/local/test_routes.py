"""Routing comes from template.yaml: every route reaches its function locally, and nothing else does."""

from __future__ import annotations

import ast
import re

from typing import Any

import pytest

from devstack.routing import Router
from devstack.template import ROOT, RouteSpec, functions, routes


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x-1", path)


def _defines(module_source: str, name: str) -> bool:
    tree = ast.parse(module_source)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return True
    return False


def test_every_template_route_reaches_its_declared_function_locally() -> None:
    router = Router(routes())
    for route in routes():
        match = router.match(route.method, _concrete(route.path))
        assert match is not None, f"{route.route_key} has no local route"
        assert match.route.function == route.function, route.route_key


def test_every_routed_function_has_its_handler_file_and_callable() -> None:
    specs = functions()
    for route in routes():
        spec = specs[route.function]
        assert spec.module_path.is_file(), f"{route.route_key}: {spec.module_path} is missing"
        source = spec.module_path.read_text(encoding="utf-8")
        assert _defines(source, spec.handler_name), f"{spec.module_path} defines no {spec.handler_name}"


def test_every_handler_in_functions_is_declared_in_the_template() -> None:
    declared = {spec.module_path.resolve() for spec in functions().values()}
    on_disk = {path.resolve() for path in (ROOT / "functions").glob("*/app.py")}
    assert on_disk, "no handlers found under functions/"
    assert on_disk - declared == set(), "handlers no template function uses"
    assert declared - on_disk == set(), "template functions without a handler file"


def _lands_on_default(router: Router, method: str, path: str) -> bool:
    """No route of its own serves it: the template's `$default` route (NotFoundFunction) does."""
    match = router.match(method, path)
    return match is not None and match.route.is_default and match.route.function == "NotFoundFunction"


def test_unknown_path_or_method_has_no_route_but_the_default_one() -> None:
    router = Router(routes())
    assert _lands_on_default(router, "GET", "/")
    assert _lands_on_default(router, "GET", "/campaigns")
    assert _lands_on_default(router, "GET", "/campaigns/demo/nothing")
    assert _lands_on_default(router, "DELETE", "/campaigns/demo")
    assert _lands_on_default(router, "GET", "/campaigns//count")
    assert _lands_on_default(router, "get", "/campaigns/demo")  # methods are case-sensitive
    assert _lands_on_default(router, "FOO", "/campaigns/demo")


def test_a_trailing_slash_is_another_path() -> None:
    router = Router(routes())
    assert not _lands_on_default(router, "GET", "/campaigns/demo")
    assert _lands_on_default(router, "GET", "/campaigns/demo/")
    assert _lands_on_default(router, "GET", "/campaigns/demo/count/")
    assert _lands_on_default(router, "POST", "/campaigns/demo/signatures/")


def test_path_parameters_are_bound_and_decoded() -> None:
    match = Router(routes()).match("GET", "/campaigns/demo%2Dx/count")
    assert match is not None
    assert match.route.route_key == "GET /campaigns/{campaign_id}/count"
    assert match.path_parameters == {"campaign_id": "demo-x"}


def test_most_specific_route_wins_and_greedy_comes_last() -> None:
    router = Router(
        [
            RouteSpec("GET", "/{proxy+}", "Greedy"),
            RouteSpec("GET", "/pets/{id}", "Parameter"),
            RouteSpec("GET", "/pets/dog", "Literal"),
        ]
    )
    assert router.match("GET", "/pets/dog").route.function == "Literal"
    assert router.match("GET", "/pets/cat").route.function == "Parameter"
    greedy = router.match("GET", "/pets/cat/toys")
    assert greedy.route.function == "Greedy"
    assert greedy.path_parameters == {"proxy": "pets/cat/toys"}


def test_greedy_parameter_needs_something_to_bind() -> None:
    router = Router([RouteSpec("GET", "/files/{proxy+}", "Files")])
    assert router.match("GET", "/files/") is None
    assert router.match("GET", "/files/a/").path_parameters == {"proxy": "a/"}


def _template(*events: dict[str, Any]) -> dict[str, Any]:
    """A template with one function per HttpApi event, named F0, F1, ..."""
    return {
        "Resources": {
            f"F{index}": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": f"functions/f{index}/", "Handler": "app.handler", "Events": {"Api": event}},
            }
            for index, event in enumerate(events)
        }
    }


@pytest.mark.parametrize(
    "default_event",
    [
        {"Type": "HttpApi"},  # what SAM documents: neither Path nor Method
        {"Type": "HttpApi", "Properties": {}},
        {"Type": "HttpApi", "Properties": {"Path": "$default", "Method": "x-amazon-apigateway-any-method"}},
    ],
)
def test_a_default_route_catches_whatever_no_other_route_serves(default_event: dict[str, Any]) -> None:
    campaign = {"Type": "HttpApi", "Properties": {"Path": "/campaigns/{campaign_id}", "Method": "get"}}
    router = Router(routes(_template(campaign, default_event)))

    routed = router.match("GET", "/campaigns/demo")
    assert (routed.route.function, routed.route.route_key) == ("F0", "GET /campaigns/{campaign_id}")
    for method, path in [("GET", "/campaigns/demo/"), ("DELETE", "/campaigns/demo"), ("PROPFIND", "/"), ("GET", "/x/y")]:
        caught = router.match(method, path)
        assert caught is not None, (method, path)
        assert (caught.route.function, caught.route.route_key, caught.path_parameters) == ("F1", "$default", {})


def test_without_a_default_route_nothing_catches_the_rest() -> None:
    router = Router(routes(_template({"Type": "HttpApi", "Properties": {"Path": "/a", "Method": "GET"}})))
    assert router.match("GET", "/b") is None


def test_a_template_with_two_default_routes_is_refused() -> None:
    with pytest.raises(ValueError, match=r"one \$default route"):
        Router(routes(_template({"Type": "HttpApi"}, {"Type": "HttpApi"})))
