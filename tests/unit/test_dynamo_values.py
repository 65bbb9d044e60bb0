"""The store's typed values are DynamoDB's JSON exactly as boto3 writes and reads it.

`store.dynamo` has its own small codec so that no function imports boto3 (a cold-start
saving); boto3's `TypeSerializer` and `TypeDeserializer`, the reference, are in the test
venv, so every value the store can write is checked against them.
"""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from undersigned.store import dynamo

numbers = st.integers(min_value=-(10**30), max_value=10**30) | st.decimals(allow_nan=False, allow_infinity=False, places=4)
scalars = st.none() | st.booleans() | numbers | st.text() | st.binary(min_size=1)
sets = (
    st.frozensets(st.text(), min_size=1)
    | st.frozensets(st.integers(), min_size=1)
    | st.frozensets(st.binary(min_size=1), min_size=1)
)
values = st.recursive(
    scalars | sets,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _unordered(typed):
    """Sets have no order: compare their members as sorted lists."""
    if isinstance(typed, dict):
        return {key: sorted(inner, key=repr) if key in {"SS", "NS", "BS"} else _unordered(inner) for key, inner in typed.items()}
    if isinstance(typed, list):
        return [_unordered(inner) for inner in typed]
    return typed


def _plain_binary(value):
    """boto3 reads binary as its `Binary` wrapper; the store reads plain bytes."""
    if isinstance(value, Binary):
        return value.value
    if isinstance(value, dict):
        return {key: _plain_binary(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain_binary(inner) for inner in value]
    if isinstance(value, (set, frozenset)):
        return {_plain_binary(inner) for inner in value}
    return value


@given(values)
def test_every_value_is_written_as_boto3_writes_it_and_read_back_as_boto3_reads_it(value):
    typed = dynamo.serialize(value)
    assert _unordered(typed) == _unordered(TypeSerializer().serialize(value))
    assert dynamo.deserialize(typed) == _plain_binary(TypeDeserializer().deserialize(typed))


def test_a_number_comes_back_as_a_decimal_and_an_item_as_whole_numbers():
    assert dynamo.deserialize({"N": "12"}) == Decimal(12)
    assert dynamo.from_item(dynamo.to_item({"count": 12, "tags": ["a"], "ok": True})) == {"count": 12, "tags": ["a"], "ok": True}


def test_an_empty_set_is_refused_before_dynamodb_would_refuse_the_write():
    # boto3 writes {"NS": []}, which DynamoDB answers with a ValidationException.
    with pytest.raises(TypeError):
        dynamo.serialize(set())


@pytest.mark.parametrize("value", [1.5, {1, "a"}, object()])
def test_what_dynamodb_cannot_hold_exactly_is_refused_as_boto3_refuses_it(value):
    with pytest.raises(TypeError):
        TypeSerializer().serialize(value)
    with pytest.raises(TypeError):
        dynamo.serialize(value)


@pytest.mark.parametrize("typed", [{"Q": "x"}, {}, {"S": "a", "N": "1"}, "S"])
def test_an_unknown_typed_value_is_a_type_error(typed):
    with pytest.raises(TypeError):
        dynamo.deserialize(typed)
