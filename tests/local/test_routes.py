"""Routing comes from template.yaml: every route reaches its function locally, and nothing else does."""

from __future__ import annotations

import ast
import re

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


def test_unknown_path_or_method_has_no_route() -> None:
    router = Router(routes())
    assert router.match("GET", "/") is None
    assert router.match("GET", "/campaigns") is None
    assert router.match("GET", "/campaigns/demo/nothing") is None
    assert router.match("DELETE", "/campaigns/demo") is None
    assert router.match("GET", "/campaigns//count") is None


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
