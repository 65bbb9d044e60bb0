"""The template passes AWS's own linters with no errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra_support import TEMPLATE, run_tool

pytestmark = pytest.mark.tools


def test_cfn_lint_finds_nothing(tools_bin: Path) -> None:
    result = run_tool([tools_bin / "cfn-lint", TEMPLATE])
    # cfn-lint exits non-zero for errors (2), warnings (4) and informational findings (8).
    assert result.returncode == 0, f"cfn-lint findings:\n{result.stdout}{result.stderr}"


def test_sam_validate_lint_passes(tools_bin: Path) -> None:
    result = run_tool([tools_bin / "sam", "validate", "--lint", "--template-file", TEMPLATE])
    assert result.returncode == 0, f"sam validate --lint failed:\n{result.stdout}{result.stderr}"
