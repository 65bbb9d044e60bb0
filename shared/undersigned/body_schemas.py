"""A request body declared as a dataclass (`submission.SignatureRequest`), as the OpenAPI
document describes it: the pydantic model with the same fields, which the resolver turns
into JSON Schema. Only the OpenAPI function builds it (`one_route`), so the functions that
check such a body never load pydantic.

Each field's metadata holds its `description`, its JSON Schema keywords (`schema`, such as
`maxLength`) and the `pattern` it is checked against; a body that allows no other fields.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model


@lru_cache(maxsize=None)
def model_of(declared: type) -> type[BaseModel]:
    kinds = typing.get_type_hints(declared)
    fields: dict[str, Any] = {}
    for declared_field in dataclasses.fields(declared):
        metadata = declared_field.metadata
        default = ... if declared_field.default is dataclasses.MISSING else declared_field.default
        fields[declared_field.name] = (
            kinds[declared_field.name],
            Field(default, description=metadata["description"], pattern=metadata["pattern"], json_schema_extra=metadata["schema"]),
        )
    return create_model(  # type: ignore[call-overload, no-any-return]
        declared.__name__, __config__=ConfigDict(extra="forbid"), __doc__=inspect.getdoc(declared), __module__=declared.__module__, **fields
    )
