"""Starts one function's module in a fresh interpreter, as Lambda does on a cold start.

Lambda puts the function's code first on sys.path, then the layer (here `shared/`,
whose dependencies come from the running venv), and imports the handler's module.
The benchmark times this; the tests use it to prove each Handler names a callable
and that importing it needs no AWS: every endpoint points at a closed local port.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.template import ROOT, FunctionSpec, load_template

LAYER_DIR = ROOT / "shared"
REGION = "eu-west-1"

BASELINE_CODE = 'import boto3; boto3.client("dynamodb")'
# What a function's first call adds before it can reach its table (made lazily, not at
# import): the layer's own client, as the function makes it (botocore's, without boto3).
DYNAMODB_CLIENT_CODE = 'from undersigned import aws; aws.client("dynamodb")'

OFFLINE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    # Nothing listens on port 9: an AWS call at import time fails at once, on this machine.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def lambda_environment(spec: FunctionSpec, template: dict[str, Any] | None = None) -> dict[str, str]:
    """The function's variables: parameters at their defaults, resources as placeholder names."""
    parameters = (template or load_template()).get("Parameters", {})
    env = {}
    for name, value in spec.environment.items():
        if isinstance(value, dict):
            ref = value.get("Ref")
            value = parameters[ref].get("Default", "") if ref in parameters else f"placeholder-{ref or name}"
        env[name] = str(value)
    return env


def process_environment(spec: FunctionSpec | None) -> dict[str, str]:
    """A clean environment: nothing from the caller but PATH and HOME, so runs compare."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), **OFFLINE_ENV}
    if spec is not None:
        env.update(lambda_environment(spec))
        # Lambda's own variables: Powertools' Tracer switches itself off without them.
        env.update(
            LAMBDA_TASK_ROOT=str(spec.code_dir),
            AWS_LAMBDA_FUNCTION_NAME=spec.logical_id,
            AWS_EXECUTION_ENV="AWS_Lambda_python3.13",
        )
    return env


def handler_module(spec: FunctionSpec) -> str:
    """The module Lambda imports for `Handler: dir/module.function` (slashes become dots)."""
    return spec.handler.rpartition(".")[0].replace("/", ".")


def import_code(spec: FunctionSpec, then: str = "", layer: Path = LAYER_DIR) -> str:
    """Imports the handler's module (exit 1 unless the handler is callable), then runs `then`."""
    return (
        "import importlib, sys\n"
        f"sys.path[:0] = [{str(spec.code_dir)!r}, {str(layer)!r}]\n"
        f"handler = getattr(importlib.import_module({handler_module(spec)!r}), {spec.handler_name!r}, None)\n"
        f"callable(handler) or sys.exit('no callable {spec.handler_name} in {handler_module(spec)}')\n"
        f"{then}\n"
    )


@dataclass(frozen=True)
class Start:
    wall_ms: float
    max_rss_kib: int
    returncode: int
    stderr: str


# A Lambda environment stays up after its init to serve: the interpreter's teardown is no
# part of a cold start, so a timed start ends without it, once `code` has run.
_END_WITHOUT_TEARDOWN = "\nimport os as _os, sys as _sys\n_sys.stdout.flush(); _sys.stderr.flush(); _os._exit(0)\n"


def start(code: str, env: dict[str, str], cwd: Path = ROOT, python: str = sys.executable) -> Start:
    """Runs `python -B -c code` and measures its wall time and peak memory.

    -B: Lambda's code and layer folders are read-only, so no .pyc is written there either.
    """
    began = time.perf_counter()
    process = subprocess.Popen(
        [python, "-B", "-c", code + _END_WITHOUT_TEARDOWN],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall_ms = (time.perf_counter() - began) * 1000
    process.returncode = os.waitstatus_to_exitcode(status)
    return Start(wall_ms, usage.ru_maxrss, process.returncode, stderr)


def start_function(spec: FunctionSpec, then: str = "", python: str = sys.executable, layer: Path = LAYER_DIR) -> Start:
    return start(import_code(spec, then, layer), process_environment(spec), cwd=spec.code_dir, python=python)


def start_baseline(python: str = sys.executable) -> Start:
    return start(BASELINE_CODE, process_environment(None), python=python)
