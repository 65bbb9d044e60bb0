"""What every table module shares: typed values to and from DynamoDB, conditional writes
whose failed condition is an answer rather than an error, and the one cursor codec."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any, Callable, Iterable

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from undersigned import aws

serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def client() -> Any:
    return aws.client("dynamodb")


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {key: serialize(value) for key, value in values.items()}


def _plain(value: Any) -> Any:
    # Numbers come back as Decimal; every number we store is a whole one.
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(inner) for inner in value]
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserialize(value)) for key, value in item.items()}


def condition_failed(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def if_condition_holds(call: Callable[..., dict[str, Any]], **request: Any) -> dict[str, Any] | None:
    """The answer of a conditional write, or None when its condition did not hold."""
    try:
        return call(**request)
    except ClientError as error:
        if condition_failed(error):
            return None
        raise


def names(attributes: Iterable[str]) -> dict[str, str]:
    """Placeholders for attribute names (some, like `state` and `name`, are reserved words)."""
    return {f"#{name}": name for name in attributes}


def remove_clause(attributes: Iterable[str]) -> str:
    return ", ".join(f"#{name}" for name in attributes)


def one_of(attribute: str, values: Iterable[str], prefix: str) -> tuple[str, dict[str, Any]]:
    """`#attribute IN (...)` and its values, named `:{prefix}0`, `:{prefix}1`..."""
    placeholders = {f":{prefix}{number}": {"S": str(value)} for number, value in enumerate(values)}
    return f"#{attribute} IN ({', '.join(placeholders)})", placeholders


def encode_cursor(value: str) -> str:
    """An opaque cursor for a key or sort key the caller hands back."""
    return base64.urlsafe_b64encode(value.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> str | None:
    """What `encode_cursor` made, or None for anything else."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode() or None
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
