"""infra/sam-local-env.json points `sam local start-api` at the resources `make dev` creates.

SAM CLI silently ignores a variable the template does not declare for that function, so
every entry must match a declaration, and every resource reference needs a local value.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devstack import resources
from devstack.account import ACCOUNT_ID, REGION
from devstack.environment import function_environment, references
from devstack.template import ROOT, functions, load_template
from local.stack_process import StackProcess, free_port, mail_to

ENV_FILE = ROOT / "infra" / "sam-local-env.json"
ENDPOINT = "AWS_ENDPOINT_URL"


def _env_file() -> dict[str, dict[str, str]]:
    return json.loads(ENV_FILE.read_text(encoding="utf-8"))


def _for_function(logical_id: str) -> dict[str, str]:
    env = _env_file()
    return {**env.get("Parameters", {}), **env.get(logical_id, {})}


def test_every_entry_overrides_a_variable_the_template_declares_for_that_function() -> None:
    specs = functions()
    for logical_id, variables in _env_file().items():
        targets = specs.values() if logical_id == "Parameters" else [specs[logical_id]]
        for spec in targets:
            for name in set(variables) - {ENDPOINT}:
                if logical_id == "Parameters" and name not in spec.environment:
                    continue  # "Parameters" applies where declared
                assert name in spec.environment, f"{logical_id}.{name}: sam local would ignore it"


def test_every_resource_reference_gets_the_name_make_dev_creates() -> None:
    created = load_template()["Resources"]
    for logical_id, spec in functions().items():
        local = _for_function(logical_id)
        for name, value in spec.environment.items():
            if isinstance(value, dict) and value.get("Ref") in created:
                made = resources.physical_name(value["Ref"])
                if created[value["Ref"]]["Type"] == "AWS::SQS::Queue":
                    # A queue's !Ref is its URL: make dev's embedded AWS, seen from a container.
                    made = f"http://host.docker.internal:4566/{ACCOUNT_ID}/{made}"
                assert local.get(name) == made, f"{logical_id}.{name}"


def test_functions_declare_the_endpoint_variable_so_sam_local_can_set_it() -> None:
    assert all(ENDPOINT in spec.environment for spec in functions().values())


# Run by a separate interpreter, as in a `sam local` container: the function knows only
# the template's variables as SAM CLI resolves them and the env file's overrides.
_INVOKE = """
import importlib.util, json, sys
from devstack.events import HttpRequest, http_api_event
from devstack.lambda_context import LambdaContext
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
request = HttpRequest(method=sys.argv[2], target=sys.argv[3], body=sys.argv[5].encode(),
                      headers=[("Host", "127.0.0.1:3001"), ("Content-Type", "application/json")])
event = http_api_event(request, sys.argv[4], {"campaign_id": "demo"})
context = LambdaContext(function_name="sam-local", memory_limit_in_mb=256, timeout_seconds=10)
print(json.dumps(module.lambda_handler(event, context)))
"""


def _as_sam_local_resolves(function: str) -> dict[str, str]:
    """The template's variables as SAM CLI fills them (parameter defaults; a resource's
    `!Ref` as its logical id), then the env file's overrides."""
    logical_ids = {logical_id: logical_id for logical_id in load_template()["Resources"]}
    declared = function_environment(functions()[function], references(logical_ids, {}))
    return {**declared, **{name: value for name, value in _for_function(function).items() if name in declared}}


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_function_configured_by_the_env_file_works_against_make_devs_aws(tmp_path: Path) -> None:
    aws_port = free_port()
    stack = StackProcess(tmp_path / "output.log", aws_port=aws_port)
    try:
        stack.wait_until_ready()

        def invoke(function: str, method: str, target: str, route_key: str, body: str = "") -> dict:
            env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
            env.update(_as_sam_local_resolves(function))
            env.update(
                # What the file asks for, once the template declares it (see the xfail above).
                AWS_ENDPOINT_URL=_for_function(function)[ENDPOINT].replace(
                    "host.docker.internal:4566", f"127.0.0.1:{aws_port}"
                ),
                AWS_ACCESS_KEY_ID="testing",
                AWS_SECRET_ACCESS_KEY="testing",
                AWS_DEFAULT_REGION=REGION,
            )
            handler = str(functions()[function].module_path)
            done = subprocess.run(
                [sys.executable, "-c", _INVOKE, handler, method, target, route_key, body],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout.strip().splitlines()[-1])

        campaign = invoke("CampaignFunction", "GET", "/campaigns/demo", "GET /campaigns/{campaign_id}")
        assert json.loads(campaign["body"])["id"] == "demo"
        email = "sam-local@example.net"
        signed = invoke(
            "SubmitFunction",
            "POST",
            "/campaigns/demo/signatures",
            "POST /campaigns/{campaign_id}/signatures",
            json.dumps({"name": "Sam Local", "email": email}),
        )
        assert signed["statusCode"] == 202
        message = mail_to(stack.base_url, email)
        assert any(link.startswith("http://127.0.0.1:3001/verify?token=") for link in message["links"])
    finally:
        stack.stop()
