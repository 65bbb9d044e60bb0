"""Creates the template's tables, secret, queues and SES identity in an embedded AWS (moto).

Tests and `make dev` call this with clients pointed at moto; the definitions
come from template.yaml, never from a second copy.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from devstack.template import functions, load_template, resources_of_type

TABLE_NAME_PREFIX = "undersigned-"


def physical_name(logical_id: str) -> str:
    """The name a resource gets locally: stable, so tests and env files can spell it."""
    return TABLE_NAME_PREFIX + logical_id


def table_name(logical_id: str) -> str:
    return physical_name(logical_id)


def table_variables(template: dict[str, Any] | None = None) -> dict[str, str]:
    """Every variable a function gets a table's name in (`CAMPAIGNS_TABLE`...), with the
    name the local stacks give that table: tests set them without spelling each table."""
    tables = resources_of_type("AWS::DynamoDB::Table", template)
    return {
        name: physical_name(value["Ref"])
        for spec in functions(template).values()
        for name, value in spec.environment.items()
        if isinstance(value, dict) and value.get("Ref") in tables
    }


def create_table_request(logical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The CreateTable call that matches an AWS::DynamoDB::Table's properties."""
    request: dict[str, Any] = {
        "TableName": table_name(logical_id),
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "StreamSpecification" in properties:
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    if properties.get("SSESpecification", {}).get("SSEEnabled"):
        request["SSESpecification"] = {"Enabled": True}
    return request


def create_tables(dynamodb: Any, template: dict[str, Any] | None = None) -> dict[str, str]:
    """Creates every table of the template; returns logical id -> table name."""
    names = {}
    for logical_id, resource in resources_of_type("AWS::DynamoDB::Table", template).items():
        properties = resource["Properties"]
        dynamodb.create_table(**create_table_request(logical_id, properties))
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=table_name(logical_id),
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        names[logical_id] = table_name(logical_id)
    return names


def sender_identity(template: dict[str, Any] | None = None) -> str:
    """The default SES identity the template declares (its SenderIdentity parameter)."""
    template = template or load_template()
    return template["Parameters"]["SenderIdentity"]["Default"]


def sender_address(template: dict[str, Any] | None = None) -> str:
    template = template or load_template()
    return template["Parameters"]["SenderAddress"]["Default"]


def verify_sender(sesv2: Any, template: dict[str, Any] | None = None) -> str:
    """Registers the template's SES identity so that sending from SenderAddress works."""
    identity = sender_identity(template)
    sesv2.create_email_identity(EmailIdentity=identity)
    return identity


def _generated_secret(spec: dict[str, Any]) -> str:
    """A secret string made the way GenerateSecretString describes it."""
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += string.punctuation
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if "GenerateStringKey" not in spec:
        return password
    document = json.loads(spec.get("SecretStringTemplate", "{}"))
    document[spec["GenerateStringKey"]] = password
    return json.dumps(document)


def create_secrets(secretsmanager: Any, template: dict[str, Any] | None = None) -> dict[str, str]:
    """Creates every secret of the template with fresh random values; returns logical id -> ARN."""
    arns = {}
    for logical_id, resource in resources_of_type("AWS::SecretsManager::Secret", template).items():
        properties = resource["Properties"]
        value = properties.get("SecretString") or _generated_secret(properties.get("GenerateSecretString", {}))
        created = secretsmanager.create_secret(Name=physical_name(logical_id), SecretString=value)
        arns[logical_id] = created["ARN"]
    return arns


# The queue attributes the local stack applies as the template gives them (moto honours each).
_QUEUE_ATTRIBUTES = ("MessageRetentionPeriod", "VisibilityTimeout", "DelaySeconds", "ReceiveMessageWaitTimeSeconds")


def create_queues(sqs: Any, template: dict[str, Any] | None = None) -> dict[str, str]:
    """Creates every SQS queue of the template with its retention, visibility timeout and
    redrive policy (dead-letter queue and maxReceiveCount); returns logical id -> queue URL
    (what !Ref gives)."""
    queues = resources_of_type("AWS::SQS::Queue", template)
    urls = {}
    for logical_id, resource in queues.items():
        properties = resource.get("Properties") or {}
        attributes = {name: str(properties[name]) for name in _QUEUE_ATTRIBUTES if name in properties}
        urls[logical_id] = sqs.create_queue(QueueName=physical_name(logical_id), Attributes=attributes)["QueueUrl"]
    for logical_id, resource in queues.items():
        redrive = (resource.get("Properties") or {}).get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            arn = sqs.get_queue_attributes(QueueUrl=urls[target], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            policy = {"deadLetterTargetArn": arn, "maxReceiveCount": int(redrive["maxReceiveCount"])}
            sqs.set_queue_attributes(QueueUrl=urls[logical_id], Attributes={"RedrivePolicy": json.dumps(policy)})
    return urls
