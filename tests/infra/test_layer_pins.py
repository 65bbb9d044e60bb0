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
