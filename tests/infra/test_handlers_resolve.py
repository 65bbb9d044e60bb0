"""Each function's Handler in template.yaml names a callable that Lambda can import."""

from __future__ import annotations

import pytest
from devstack.coldstart import import_code, process_environment, start, start_function
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



def _declared_settings(spec: FunctionSpec) -> list[str]:
    """The variables the function's code declares it reads, as imported with the template's environment."""
    code = import_code(spec, "from undersigned import config; sys.stderr.write(' '.join(config.required()))")
    started = start(code, process_environment(spec), cwd=spec.code_dir)
    assert started.returncode == 0, started.stderr
    return started.stderr.split()


# They serve files, documents or the 404 of the `$default` route only: no table, no key,
# no setting of their own.
READS_NO_SETTING = {"WidgetFunction", "OpenApiFunction", "NotFoundFunction"}


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_a_variable_the_template_forgot_fails_the_cold_start_with_its_name(spec: FunctionSpec) -> None:
    required = _declared_settings(spec)
    assert bool(required) != (spec.logical_id in READS_NO_SETTING), required
    if not required:
        return
    forgotten = required[0]
    env = {name: value for name, value in process_environment(spec).items() if name != forgotten}
    started = start(import_code(spec), env, cwd=spec.code_dir)
    assert started.returncode != 0, f"{spec.logical_id} started without {forgotten}"
    assert "MissingSettings" in started.stderr and forgotten in started.stderr
