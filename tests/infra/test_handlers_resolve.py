"""Each function's Handler in template.yaml names a callable that Lambda can import."""

from __future__ import annotations

import pytest
from devstack.coldstart import start_function
from devstack.template import ROOT, FunctionSpec, functions

SPECS = functions()


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_handler_imports_offline_and_is_callable(spec: FunctionSpec) -> None:
    where = spec.module_path.relative_to(ROOT)
    if not spec.module_path.is_file():
        pytest.fail(f"{spec.logical_id}: Handler {spec.handler!r} names {where}, which does not exist", pytrace=False)
    started = start_function(spec)
    if started.returncode != 0:
        pytest.fail(f"{spec.logical_id}: importing {where} as Lambda would failed:\n{started.stderr}", pytrace=False)
