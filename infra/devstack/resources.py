"""Creates the template's tables, secret and SES identity in an embedded AWS (moto).

Tests and `make dev` call this with clients pointed at moto; the definitions
come from template.yaml, never from a second copy.
"""

from __future__ import annotations

from typing import Any

from devstack.template import load_template, resources_of_type

TABLE_NAME_PREFIX = "undersigned-"


def table_name(logical_id: str) -> str:
    return TABLE_NAME_PREFIX + logical_id


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
