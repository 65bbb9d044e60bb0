"""The functions' environment comes from the template, resolved for the local stack."""

from __future__ import annotations

from devstack.environment import instance_environments, references
from devstack.template import FunctionSpec, functions, load_template, resources_of_type


def _local_refs() -> dict[str, str]:
    created = {logical_id: f"local-{logical_id}" for logical_id in load_template()["Resources"]}
    return references(created, {"PublicBaseUrl": "http://127.0.0.1:3000"})


def test_every_function_variable_in_the_template_resolves_locally() -> None:
    environments = instance_environments(functions(), _local_refs(), {"PATH": "/bin"})
    submit = environments["SubmitFunction"]
    assert submit["CAMPAIGNS_TABLE"] == "local-CampaignsTable"
    assert submit["KEYS_SECRET_ARN"] == "local-KeysSecret"
    assert submit["PUBLIC_BASE_URL"] == "http://127.0.0.1:3000"
    assert submit["PENDING_DAYS"] == "7"
    assert submit["AWS_LAMBDA_FUNCTION_NAME"] == "SubmitFunction"
    assert all(isinstance(value, str) for env in environments.values() for value in env.values())


def test_each_function_sees_only_the_variables_the_template_gives_it() -> None:
    environments = instance_environments(functions(), _local_refs(), {"PATH": "/bin"})
    assert "KEYS_SECRET_ARN" not in environments["CountFunction"]
    assert "SENDER_ADDRESS" not in environments["VerifyFunction"]
    assert environments["CountFunction"]["PATH"] == "/bin"


def test_the_template_declares_no_secret_or_table_that_the_local_stack_would_not_create() -> None:
    created = {"AWS::DynamoDB::Table", "AWS::SecretsManager::Secret", "AWS::SQS::Queue", "AWS::SES::EmailIdentity"}
    referenced = {
        value["Ref"]
        for spec in functions().values()
        for value in spec.environment.values()
        if isinstance(value, dict) and value.get("Ref") in load_template()["Resources"]
    }
    for logical_id in referenced:
        assert load_template()["Resources"][logical_id]["Type"] in created
    assert resources_of_type("AWS::DynamoDB::Table")


def test_the_embedded_aws_wins_over_placeholders_the_template_may_declare() -> None:
    spec = FunctionSpec("F", code_dir=None, handler="app.h", environment={"AWS_ENDPOINT_URL": ""}, events={})  # type: ignore[arg-type]
    base = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ACCESS_KEY_ID": "testing"}
    assert instance_environments({"F": spec}, {}, base)["F"]["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
