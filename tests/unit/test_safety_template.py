"""The template grants each trust-and-safety function only what it uses, gives each its
own log group, and keeps the rate-limit data only as long as TTL allows."""

from __future__ import annotations

import pytest

from devstack.template import load_template, resources_of_type
from roles import statements


def actions_on(function: str, resource: str) -> set[str]:
    found = set()
    for statement in statements(function):
        targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if any(resource in str(target) for target in targets):
            found |= set(statement["Action"])
    return found


def test_the_limits_table_forgets_by_ttl():
    table = load_template()["Resources"]["LimitsTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_only_submissions_the_sender_and_the_retention_job_touch_the_limits():
    users = {name for name in resources_of_type("AWS::Serverless::Function") if actions_on(name, "LimitsTable")}
    assert users == {"SubmitFunction", "SenderFunction", "RetentionFunction"}
    assert actions_on("SubmitFunction", "LimitsTable") == {"dynamodb:PutItem", "dynamodb:UpdateItem"}
    # The daily mail caps (counted, given back) and each outbox message's claim and sent mark:
    # all updates of the address's counter item (`Ledger.claim_email` and after).
    assert actions_on("SenderFunction", "LimitsTable") == {"dynamodb:UpdateItem"}
    assert actions_on("RetentionFunction", "LimitsTable") == {"dynamodb:GetItem", "dynamodb:PutItem"}


def test_the_challenge_function_reads_one_campaign_and_the_key():
    assert actions_on("ChallengeFunction", "CampaignsTable") == {"dynamodb:GetItem"}
    assert actions_on("ChallengeFunction", "KeysSecret") == {"secretsmanager:GetSecretValue"}
    assert not actions_on("ChallengeFunction", "SignaturesTable")


def test_the_retention_job_runs_on_a_schedule_and_can_only_update_signatures():
    function = load_template()["Resources"]["RetentionFunction"]["Properties"]
    assert [event["Type"] for event in function["Events"].values()] == ["Schedule"]
    assert actions_on("RetentionFunction", "CampaignsTable") == {"dynamodb:Scan"}
    assert actions_on("RetentionFunction", "SignaturesTable") == {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem"}
    everything = {action for statement in statements("RetentionFunction") for action in statement["Action"]}
    assert not any(action.startswith(("ses:", "secretsmanager:")) for action in everything)


@pytest.mark.parametrize("function", sorted(resources_of_type("AWS::Serverless::Function")))
def test_every_function_logs_to_its_own_group_with_a_retention(function):
    resources = load_template()["Resources"]
    group = resources[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert resources[group]["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in resources[group]["Properties"]
    others = [
        name for name, resource in resources_of_type("AWS::Serverless::Function").items()
        if name != function and resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] == group
    ]
    assert others == []


@pytest.mark.parametrize("function", sorted(resources_of_type("AWS::Serverless::Function")))
def test_no_function_is_granted_wildcards(function):
    for statement in statements(function):
        assert all("*" not in action for action in statement["Action"])
        assert statement["Resource"] != "*"


@pytest.mark.parametrize("secret", sorted(resources_of_type("AWS::SecretsManager::Secret")))
def test_a_secret_is_readable_by_exactly_the_functions_given_its_arn(secret):
    # A function reads a secret by the ARN in its environment: without the grant that read
    # is refused (the edge's secret: every signature through CloudFront a 500), and a grant
    # without the ARN is access no code path uses.
    functions = resources_of_type("AWS::Serverless::Function")
    given_arn = {
        name for name, function in functions.items()
        if {"Ref": secret} in function["Properties"].get("Environment", {}).get("Variables", {}).values()
    }
    readers = {name for name in functions if "secretsmanager:GetSecretValue" in actions_on(name, secret)}
    assert readers == given_arn
