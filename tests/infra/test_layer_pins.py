"""The layer ships exactly the runtime dependencies pyproject.toml pins."""

from __future__ import annotations

import tomllib

from devstack.template import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        assert len(requirement.specifier) == 1 and next(iter(requirement.specifier)).operator == "==", (
            f"{line!r} is not pinned with =="
        )
        found[canonicalize_name(requirement.name)] = str(requirement)
    return found


def test_layer_requirements_pin_what_pyproject_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = (ROOT / "shared" / "requirements.txt").read_text().splitlines()
    assert pins(layer) == pins(project), "shared/requirements.txt and pyproject.toml [project] dependencies differ"


def test_layer_constraints_pin_what_the_dev_environment_tested() -> None:
    tested = pins((ROOT / "constraints.txt").read_text().splitlines())
    layer = pins((ROOT / "shared" / "constraints.txt").read_text().splitlines())
    assert layer.items() <= tested.items(), "shared/constraints.txt differs from constraints.txt"


def test_every_package_the_layer_installs_is_pinned(tmp_path) -> None:
    """The layer's runtime dependencies and what they pull in, as the dev environment resolved them."""
    from importlib.metadata import requires

    wanted = set(pins((ROOT / "shared" / "requirements.txt").read_text().splitlines()))
    pinned = wanted | set(pins((ROOT / "shared" / "constraints.txt").read_text().splitlines()))
    seen, queue = set(), list(wanted)
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                queue.append(canonicalize_name(requirement.name))
    assert seen <= pinned, f"not pinned for the layer: {sorted(seen - pinned)}"
