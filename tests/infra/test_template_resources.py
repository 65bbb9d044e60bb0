"""What AWS would deploy from template.yaml: permissions, tables, the stream, the runtime.

These read the template after the SAM transform (the `resources` fixture), so they
see the roles, policies and mappings that SAM generates, not only what we wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from infra_support import allow_statements, as_list, grants, of_type, referenced_ids, role_id

from undersigned.store import counters

pytestmark = pytest.mark.tools

READ_ONLY_FUNCTIONS = ("CampaignFunction", "CountFunction", "SignatoriesFunction", "CountDetailsFunction", "BadgeFunction", "LetterFunction")
TALLY_FUNCTION = "TallyFunction"
# The tally, and the recount that repairs drift by the tally's own mechanism.
COUNT_WRITERS = (TALLY_FUNCTION, "RecountFunction")
COUNT_ATTRIBUTES = set(counters.COUNT_ATTRIBUTES)
COUNT_FUNCTION = "CountFunction"
# What shows a count: they read it (its items, the campaign's and its shards') with one query.
COUNT_READERS = ("CampaignFunction", COUNT_FUNCTION, "CountDetailsFunction", "BadgeFunction", "LetterFunction", "AdminFunction")
SIGNATURES_TABLE = "SignaturesTable"
# Short-lived bookkeeping (rate-limit counters keyed by caller hashes, used challenges):
# nothing worth recovering, and a point-in-time backup would keep the caller hashes
# for 35 days past their TTL (data minimisation: README, "Security and privacy").
EPHEMERAL_TABLES = ("LimitsTable",)

# What the stream's event source mapping reads with the consumer's role.
STREAM_READS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}
LOG_WRITES = {"logs:CreateLogStream", "logs:PutLogEvents"}

# An action is a read when its verb starts like one of these; anything else may change state.
READ_VERBS = ("Get", "BatchGet", "Query", "Scan", "Describe", "List", "ConditionCheck", "TransactGet", "PartiQLSelect")


def is_read(action: str) -> bool:
    return action.split(":", 1)[1].startswith(READ_VERBS)


@pytest.fixture(scope="module")
def functions(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = of_type(resources, "AWS::Lambda::Function")
    assert found, "the template declares no function"
    return found


def test_every_function_has_a_role_of_its_own(resources, functions) -> None:
    roles = {name: role_id(function) for name, function in functions.items()}
    assert len(set(roles.values())) == len(roles), f"functions share a role: {roles}"
    for name, role in roles.items():
        assert resources[role]["Type"] == "AWS::IAM::Role", f"{name}'s role {role} is no AWS::IAM::Role"


def every_policy_document(resources: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, document) for each role's inline policies and each managed policy of the template."""
    for logical_id, role in of_type(resources, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            yield f"{logical_id}/{policy['PolicyName']}", policy["PolicyDocument"]
    for logical_id, policy in of_type(resources, "AWS::IAM::ManagedPolicy").items():
        yield logical_id, policy["Properties"]["PolicyDocument"]


def test_no_statement_allows_every_action_or_every_resource_except_xray(resources) -> None:
    """X-Ray's actions have no resource-level permissions: "*" is what AWS requires there."""
    documents = list(every_policy_document(resources))
    assert len(documents) >= len(of_type(resources, "AWS::Lambda::Function"))
    problems = []
    for where, document in documents:
        for statement in as_list(document["Statement"]):
            actions = as_list(statement.get("Action", []))
            if "NotAction" in statement or "NotResource" in statement:
                problems.append(f"{where}: NotAction/NotResource grants everything else")
            if any("*" in action for action in actions):
                problems.append(f"{where}: wildcard action in {actions}")
            if "*" in as_list(statement.get("Resource", [])) and not all(a.startswith("xray:") for a in actions):
                problems.append(f"{where}: Resource '*' for {actions}")
    assert not problems, "\n".join(problems)


def test_roles_carry_no_aws_managed_policy(resources, functions) -> None:
    """AWS's managed policies for Lambda (logs, streams) allow every resource of the account."""
    problems = []
    for name, function in functions.items():
        for arn in resources[role_id(function)]["Properties"].get("ManagedPolicyArns", []):
            (ref,) = referenced_ids(arn) or {None}
            if resources.get(ref, {}).get("Type") != "AWS::IAM::ManagedPolicy":
                problems.append(f"{name}: {arn}")
    assert not problems, "managed policies not written in the template:\n" + "\n".join(problems)


def test_each_function_may_write_logs_to_its_own_group_only(resources, functions) -> None:
    problems = []
    for name, function in functions.items():
        own = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        targets = {
            ref
            for action, resource in grants(resources[role_id(function)])
            if action.startswith("logs:")
            for ref in (referenced_ids(resource) or {str(resource)})
        }
        may = {action for action, resource in grants(resources[role_id(function)]) if own in referenced_ids(resource)}
        if targets != {own}:
            problems.append(f"{name}: logs actions on {sorted(targets)}, expected only {own}")
        if not LOG_WRITES <= may:
            problems.append(f"{name}: cannot write to {own} ({sorted(may)})")
    assert not problems, "\n".join(problems)


def test_stream_reads_are_granted_on_the_signatures_stream_only(resources, functions) -> None:
    readers = {}
    for name, function in functions.items():
        for action, resource in grants(resources[role_id(function)]):
            if action in STREAM_READS:
                readers.setdefault(name, set()).add(action)
                assert referenced_ids(resource) == {SIGNATURES_TABLE}, f"{name}: {action} on {resource}"
                assert "StreamArn" in str(resource) or "/stream/" in str(resource), f"{name}: {action} on {resource}"
    assert readers == {TALLY_FUNCTION: STREAM_READS}, readers


@pytest.mark.parametrize("name", READ_ONLY_FUNCTIONS)
def test_read_only_function_has_no_write_action(resources, functions, name) -> None:
    own_logs = functions[name]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    writes = sorted(
        {
            action
            for action, resource in grants(resources[role_id(functions[name])])
            if not is_read(action) and not (action in LOG_WRITES and referenced_ids(resource) == {own_logs})
        }
    )
    assert not writes, f"{name} only reads, yet may {writes}"


def test_only_the_tally_writes_where_the_count_lives(resources, functions) -> None:
    count_store = {
        ref
        for _, resource in grants(resources[role_id(functions[COUNT_FUNCTION])])
        for ref in referenced_ids(resource)
        if resources.get(ref, {}).get("Type") == "AWS::DynamoDB::Table"
    }
    assert count_store, f"{COUNT_FUNCTION} reads no table: where does the count live?"

    def writes_to_count(name: str) -> set[str]:
        return {
            action
            for statement in allow_statements(resources[role_id(functions[name])])
            if not spares_the_count(statement)
            for action in as_list(statement["Action"])
            for resource in as_list(statement["Resource"])
            if not is_read(action) and (resource == "*" or referenced_ids(resource) & count_store)
        }

    assert writes_to_count(TALLY_FUNCTION), f"{TALLY_FUNCTION} cannot write the count in {sorted(count_store)}"
    others = {name: sorted(writes_to_count(name)) for name in functions if name not in COUNT_WRITERS}
    assert not any(others.values()), f"only {COUNT_WRITERS} may write {sorted(count_store)}: {others}"


def test_the_count_is_read_with_a_query_by_those_that_show_it_and_the_count_writers_alone(resources, functions) -> None:
    readers = {
        name: {action for action, resource in grants(resources[role_id(function)]) if is_read(action) and "CountersTable" in referenced_ids(resource)}
        for name, function in functions.items()
    }
    readers = {name: actions for name, actions in readers.items() if actions}
    assert {name: readers.get(name) for name in COUNT_READERS} == {name: {"dynamodb:Query"} for name in COUNT_READERS}
    assert set(readers) == {*COUNT_READERS, *COUNT_WRITERS}, "no other function reads the counters table"


def spares_the_count(statement: dict[str, Any]) -> bool:
    """A grant whose condition keeps every request off the count's attributes (settings writes)."""
    condition = statement.get("Condition", {})
    forbidden = set(as_list(condition.get("ForAllValues:StringNotEquals", {}).get("dynamodb:Attributes", [])))
    return COUNT_ATTRIBUTES <= forbidden


def test_every_function_logs_to_its_own_group_with_retention(resources, functions) -> None:
    problems = []
    seen: dict[str, str] = {}
    for name, function in functions.items():
        group = function["Properties"].get("LoggingConfig", {}).get("LogGroup", {})
        group_id = group.get("Ref") if isinstance(group, dict) else None
        if group_id is None or resources.get(group_id, {}).get("Type") != "AWS::Logs::LogGroup":
            problems.append(f"{name}: LoggingConfig.LogGroup is not a log group of the template ({group})")
            continue
        if group_id in seen:
            problems.append(f"{name} shares log group {group_id} with {seen[group_id]}")
        seen[group_id] = name
    for group_id, group in of_type(resources, "AWS::Logs::LogGroup").items():
        if "RetentionInDays" not in group.get("Properties", {}):
            problems.append(f"{group_id} keeps logs forever (no RetentionInDays)")
    assert not problems, "\n".join(problems)


def test_tables_are_on_demand_recoverable_and_encrypted(resources) -> None:
    tables = of_type(resources, "AWS::DynamoDB::Table")
    assert SIGNATURES_TABLE in tables
    problems = []
    for name, table in tables.items():
        props = table["Properties"]
        if props.get("BillingMode") != "PAY_PER_REQUEST":
            problems.append(f"{name}: BillingMode {props.get('BillingMode')}")
        recoverable = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
        if name in EPHEMERAL_TABLES:
            if recoverable or not props.get("TimeToLiveSpecification", {}).get("Enabled"):
                problems.append(f"{name}: short-lived data must expire by TTL and have no backups")
        elif not recoverable:
            problems.append(f"{name}: no point-in-time recovery")
        if not props.get("SSESpecification", {}).get("SSEEnabled"):
            problems.append(f"{name}: SSESpecification.SSEEnabled is not true")
    assert not problems, "\n".join(problems)


def test_signatures_table_streams_both_images_and_expires_pending_items(resources) -> None:
    props = resources[SIGNATURES_TABLE]["Properties"]
    assert props.get("StreamSpecification", {}).get("StreamViewType") == "NEW_AND_OLD_IMAGES"
    ttl = props.get("TimeToLiveSpecification", {})
    assert ttl.get("Enabled") is True and ttl.get("AttributeName"), f"TTL: {ttl}"


def test_event_source_mappings_report_partial_failures_and_keep_what_they_give_up_on(resources, functions) -> None:
    mappings = of_type(resources, "AWS::Lambda::EventSourceMapping")
    on_signatures = {
        name: m for name, m in mappings.items() if referenced_ids(m["Properties"]["EventSourceArn"]) == {SIGNATURES_TABLE}
    }
    assert [m["Properties"]["FunctionName"]["Ref"] for m in on_signatures.values()] == [TALLY_FUNCTION]
    for name, mapping in mappings.items():
        props = mapping["Properties"]
        assert "ReportBatchItemFailures" in props.get("FunctionResponseTypes", []), name
        (source,) = referenced_ids(props["EventSourceArn"])
        if resources[source]["Type"] == "AWS::SQS::Queue":
            # A queue keeps what its consumer gives up on by its own redrive policy.
            redrive = resources[source]["Properties"]["RedrivePolicy"]
            (dead_letters,) = referenced_ids(redrive["deadLetterTargetArn"])
            assert resources[dead_letters]["Type"] == "AWS::SQS::Queue" and redrive["maxReceiveCount"] >= 1, name
            continue
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        (queue,) = referenced_ids(destination) or {None}
        assert resources.get(queue, {}).get("Type") in ("AWS::SQS::Queue", "AWS::SNS::Topic"), (
            f"{name}: on-failure destination {destination} is not a queue or topic of the template"
        )
        consumer_role = resources[role_id(functions[props["FunctionName"]["Ref"]])]
        sends = {action for action, resource in grants(consumer_role) if queue in referenced_ids(resource)}
        assert sends & {"sqs:SendMessage", "sns:Publish"}, f"{name}: the function may not send to {queue}"


def test_functions_run_python_3_13_on_arm64_with_the_shared_layer(resources, functions) -> None:
    layers = of_type(resources, "AWS::Lambda::LayerVersion")
    assert len(layers) == 1, f"expected the one shared layer, found {sorted(layers)}"
    (layer_id, layer), = layers.items()
    assert "python3.13" in layer["Properties"]["CompatibleRuntimes"]
    assert "arm64" in layer["Properties"]["CompatibleArchitectures"]
    problems = []
    for name, function in functions.items():
        props = function["Properties"]
        if props.get("Runtime") != "python3.13":
            problems.append(f"{name}: Runtime {props.get('Runtime')}")
        if props.get("Architectures") != ["arm64"]:
            problems.append(f"{name}: Architectures {props.get('Architectures')}")
        if layer_id not in referenced_ids(props.get("Layers", [])):
            problems.append(f"{name}: without the shared layer")
    assert not problems, "\n".join(problems)


def test_every_public_list_index_projects_what_the_list_shows(resources) -> None:
    """Each list (all, by kind, featured) is read from its own index alone: a field the public
    list shows that an index does not carry would be `null` on that list."""
    from undersigned.signature import FIELDS
    from undersigned.store.signatures import FEATURED_INDEX, KIND_INDEX, PUBLIC_INDEX

    shown = {field.name for field in FIELDS if field.public_as}
    indexes = {index["IndexName"]: index for index in resources[SIGNATURES_TABLE]["Properties"]["GlobalSecondaryIndexes"]}
    for name in (PUBLIC_INDEX, KIND_INDEX, FEATURED_INDEX):
        projection = indexes[name]["Projection"]
        assert projection["ProjectionType"] == "INCLUDE", f"{name}: only what the list shows, never an address"
        assert shown <= set(projection["NonKeyAttributes"]), f"{name} lacks {sorted(shown - set(projection['NonKeyAttributes']))}"
        assert "email" not in projection["NonKeyAttributes"] and "comment" not in projection["NonKeyAttributes"]
