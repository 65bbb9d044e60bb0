"""The functions' environment comes from the template, resolved for the local stack."""

from __future__ import annotations

import pytest

from devstack.environment import EnvironmentConflict, references, union
from devstack.template import FunctionSpec, functions, load_template, resources_of_type


def _local_refs() -> dict[str, str]:
    created = {logical_id: f"local-{logical_id}" for logical_id in load_template()["Resources"]}
    return references(created, {"PublicBaseUrl": "http://127.0.0.1:3000"})


def test_every_function_variable_in_the_template_resolves_locally() -> None:
    merged = union(functions(), _local_refs())
    assert merged["CAMPAIGNS_TABLE"] == "local-CampaignsTable"
    assert merged["KEYS_SECRET_ARN"] == "local-KeysSecret"
    assert merged["PUBLIC_BASE_URL"] == "http://127.0.0.1:3000"
    assert merged["PENDING_DAYS"] == "7"
    assert all(isinstance(value, str) for value in merged.values())


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


def test_two_functions_wanting_different_values_is_refused() -> None:
    def spec(name: str, value: str) -> FunctionSpec:
        return FunctionSpec(name, code_dir=None, handler="app.h", environment={"MODE": value}, events={})  # type: ignore[arg-type]

    with pytest.raises(EnvironmentConflict, match="MODE"):
        union({"A": spec("A", "one"), "B": spec("B", "two")}, {})
