"""Matches a request to the template's HttpApi routes the way API Gateway (HTTP API) does.

The most specific route wins: a literal segment beats `{param}`, which beats `{proxy+}`.
Paths are compared as sent: `/campaigns/demo/` is not `/campaigns/demo` (HTTP APIs do
not strip a trailing slash, and the empty last segment binds no parameter). A path that
matches but with another method is not matched. A `$default` route, where the template
has one, catches every request no other route matches; without one, nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from devstack.template import RouteSpec

_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Match:
    route: RouteSpec
    path_parameters: dict[str, str]


def _segments(path: str) -> list[str]:
    """`/` has none; every other slash starts one, so a trailing slash adds an empty segment."""
    return path[1:].split("/") if path not in ("", "/") else []


def _kind(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return _GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return _PARAMETER
    return _LITERAL


def _bind(pattern: list[str], parts: list[str]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, segment in enumerate(pattern):
        kind = _kind(segment)
        if kind == _GREEDY:
            rest = "/".join(parts[index:])
            if not rest:
                return None
            parameters[segment[1:-2]] = rest
            return parameters
        if index >= len(parts):
            return None
        if kind == _PARAMETER:
            if not parts[index]:
                return None
            parameters[segment[1:-1]] = parts[index]
        elif segment != parts[index]:
            return None
    return parameters if len(parts) == len(pattern) else None


class Router:
    def __init__(self, routes: list[RouteSpec]) -> None:
        defaults = [route for route in routes if route.is_default]
        if len(defaults) > 1:
            raise ValueError(f"an HTTP API has one $default route; the template gives {len(defaults)}")
        self._default = defaults[0] if defaults else None
        # Most specific first: compare segment kinds left to right, literals before parameters.
        self._routes = sorted(
            ((route, _segments(route.path)) for route in routes if not route.is_default),
            key=lambda item: [_kind(segment) for segment in item[1]] + [_GREEDY + 1],
        )

    def match(self, method: str, raw_path: str) -> Match | None:
        """The route that serves the request (the `$default` one if no other does), or None."""
        # API Gateway passes path parameters percent-decoded.
        parts = [unquote(part) for part in _segments(raw_path)]
        for route, pattern in self._routes:
            if route.method not in (method, "ANY"):
                continue
            parameters = _bind(pattern, parts)
            if parameters is not None:
                return Match(route=route, path_parameters=parameters)
        if self._default is not None:
            return Match(route=self._default, path_parameters={})
        return None
