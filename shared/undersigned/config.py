"""The functions' settings, from the environment `template.yaml` gives each function.

Each module declares the variables it reads (`SIGNATURES_TABLE = setting(...)`), with a
type and, where one makes sense, a default. A function checks at its cold start that its
environment has every variable its modules declared (`check()`, through
`cold_start.finish`), so a variable the template forgot fails the start with its
name, not a request later with an empty string.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")
_DECLARED: dict[str, Setting] = {}
_PARSED: dict[str, object] = {}
# While the OpenAPI function loads its siblings to read their routes, their settings are not checked.
_documenting = False


class MissingSettings(RuntimeError):
    """The environment lacks variables the function's code reads (or has them unreadable)."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    variable: str
    parse: Callable[[str], T]
    # None: the template must give it (and not empty).
    default: str | None = None

    @property
    def value(self) -> T:
        if self.variable not in _PARSED:
            _PARSED[self.variable] = self._read()
        return _PARSED[self.variable]  # type: ignore[return-value]

    def _read(self) -> T:
        text = os.environ.get(self.variable) or self.default
        if text is None:
            raise MissingSettings(f"{self.variable} is not set: template.yaml must give it to this function.")
        try:
            return self.parse(text)
        except ValueError:
            raise MissingSettings(f"{self.variable} cannot be read as {getattr(self.parse, '__name__', 'its type')}.") from None


def setting(variable: str, parse: Callable[[str], T] = str, default: str | None = None) -> Setting[T]:  # type: ignore[assignment]
    declared = Setting(variable, parse, default)
    _DECLARED.setdefault(variable, declared)
    return _DECLARED[variable]


def in_own_process() -> bool:
    """A function's own process (Lambda, or a local stack's worker), where what was
    imported is that one function's code; a test process holds many functions' modules,
    and the OpenAPI function loads its siblings' to read their routes (`documenting`)."""
    return not _documenting and "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def check() -> None:
    """Every declared variable, read now: `MissingSettings` names each one missing.
    Only in a function's own process (`in_own_process`)."""
    if not in_own_process():
        return
    problems = []
    for declared in _DECLARED.values():
        try:
            declared.value
        except MissingSettings as problem:
            problems.append(str(problem))
    if problems:
        raise MissingSettings(" ".join(problems))


@contextmanager
def documenting() -> Iterator[None]:
    """Code loaded inside is read for its routes, not run: its settings go unchecked."""
    global _documenting
    _documenting = True
    try:
        yield
    finally:
        _documenting = False


def required() -> tuple[str, ...]:
    """The variables without a default that the code imported so far reads."""
    return tuple(sorted(name for name, declared in _DECLARED.items() if declared.default is None))


def reset() -> None:
    """Read the environment afresh (tests change it between cases)."""
    _PARSED.clear()
