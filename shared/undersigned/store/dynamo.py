"""What every table module shares: typed values to and from DynamoDB, conditional writes
whose failed condition is an answer rather than an error, and the one cursor codec.

The typed values are DynamoDB's own JSON (`{"S": "..."}`, `{"N": "3"}`, ...), written here
rather than taken from `boto3.dynamodb.types`: importing that module imports all of boto3
(and s3transfer), about 60 ms of every function's cold start for two small functions.
They follow boto3's rules: numbers are `int` or `Decimal` (a `float` is refused, as it
would round), numbers come back as `Decimal`, sets are of one kind and never empty.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Set
from decimal import Decimal
from typing import Any, Callable, Iterable

from botocore.exceptions import ClientError

from undersigned import aws


def serialize(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB typed value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        return _serialize_set(value)
    if isinstance(value, Mapping):
        return {"M": {str(key): serialize(inner) for key, inner in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(inner) for inner in value]}
    raise TypeError(f"DynamoDB stores no {type(value).__name__}")


def _serialize_set(values: Set) -> dict[str, Any]:
    members = [serialize(value).popitem() for value in values]
    kinds = {kind for kind, _ in members}
    if len(kinds) != 1 or not kinds <= {"S", "N", "B"}:
        raise TypeError("a DynamoDB set holds at least one value, all strings, numbers or bytes")
    return {f"{kinds.pop()}S": [member for _, member in members]}


_READ: dict[str, Callable[[Any], Any]] = {
    "S": str,
    "N": Decimal,
    "B": bytes,
    "BOOL": bool,
    "NULL": lambda _: None,
    "SS": lambda values: set(values),
    "NS": lambda values: {Decimal(value) for value in values},
    "BS": lambda values: {bytes(value) for value in values},
    "L": lambda values: [deserialize(inner) for inner in values],
    "M": lambda values: {key: deserialize(inner) for key, inner in values.items()},
}


def deserialize(typed: dict[str, Any]) -> Any:
    """A DynamoDB typed value (an item's attribute, a stream image's) as a Python value;
    TypeError for anything else, as boto3's deserializer answers."""
    if not isinstance(typed, dict) or len(typed) != 1 or next(iter(typed)) not in _READ:
        raise TypeError(f"not a DynamoDB typed value: {sorted(typed) if isinstance(typed, dict) else type(typed).__name__}")
    ((kind, value),) = typed.items()
    return _READ[kind](value)


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
    return {key: _plain(deserialize(value)) for key, value in item.items()}


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
