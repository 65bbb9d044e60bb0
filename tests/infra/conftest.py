"""Fixtures for the template's infrastructure tests.

The tools (cfn-lint, sam, samtranslator) live in their own venv because they pin
boto3 and pydantic versions that clash with the app's; `make test` passes its
bin directory in UNDERSIGNED_TOOLS_BIN. The tests run them as subprocesses,
offline: dummy credentials, and any AWS endpoint pointed at a closed local port.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from infra_support import TEMPLATE, TRANSLATE_SCRIPT, run_tool


@pytest.fixture(scope="session")
def tools_bin() -> Path:
    value = os.environ.get("UNDERSIGNED_TOOLS_BIN")
    if not value:
        pytest.fail(
            "UNDERSIGNED_TOOLS_BIN is not set. Run `make test` (it builds .venv-tools and sets it), "
            "or `make test-fast` to leave out the tests marked `tools` on purpose.",
            pytrace=False,
        )
    path = Path(value)
    if not (path / "sam").is_file() or not (path / "cfn-lint").is_file():
        pytest.fail(f"UNDERSIGNED_TOOLS_BIN={value} holds no sam/cfn-lint: run `make .venv-tools/.installed`.", pytrace=False)
    return path


@pytest.fixture(scope="session")
def translated(tools_bin: Path) -> dict[str, Any]:
    """template.yaml as CloudFormation after the SAM transform (what AWS would deploy)."""
    result = run_tool([tools_bin / "python", TRANSLATE_SCRIPT, TEMPLATE])
    assert result.returncode == 0, f"SAM translation failed:\n{result.stderr}"
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def resources(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return translated["Resources"]
