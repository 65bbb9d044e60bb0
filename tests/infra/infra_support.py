"""What the infrastructure tests share: where things are, and how to run a tool offline."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
TRANSLATE_SCRIPT = Path(__file__).with_name("sam_translate.py")

OFFLINE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    # Nothing listens on port 9: a tool that tries to reach AWS fails at once, here.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
    "SAM_CLI_TELEMETRY": "0",
    "SAM_CLI_CONTACT_ADMIN": "0",
}


def run_tool(args: list[str | Path]) -> subprocess.CompletedProcess[str]:
    """Runs a program of the tools venv offline, from the repository root."""
    env = {**os.environ, **OFFLINE_AWS_ENV}
    # The app venv's variables must not leak into the tools venv's Python.
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
