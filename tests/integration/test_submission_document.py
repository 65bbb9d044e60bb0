"""The OpenAPI document's submission schema and the checks a submission meets are one
declaration (`submission.SignatureRequest`): what the document promises is what is checked.
Read from the document itself, so a limit changed on one side only fails here."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from submission_strategies import bodies
from undersigned.errors import DomainError
from undersigned.submission import parse_signature

VALID = {"name": "Ann", "email": "ann@example.org"}
FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def edgy_text(longest: int) -> st.SearchStrategy[str]:
    """Text near a field's edges: spaces and invisible characters in it, up to a few past its limit."""
    return st.text(alphabet=st.sampled_from(list("Ann Smith\u00e9\u0301\u200b\t")), max_size=longest + 5)


def optional_text(longest: int) -> st.SearchStrategy[str | None]:
    return st.none() | edgy_text(longest)


# Submissions most of which are kept (the shared `bodies` are mostly refused).
mostly_kept = st.fixed_dictionaries(
    {"name": edgy_text(120), "email": st.emails()},
    optional={
        "signing_as": st.sampled_from(["person", "organisation"]), "organisation": optional_text(200), "role": optional_text(120),
        "comment": optional_text(1000), "country": st.sampled_from([None, "", "UA", "PL", "GB"]), "public": st.booleans(),
        "updates": st.booleans(), "locale": st.sampled_from([None, "", "en", "pt-BR", "uk"]),
        "source": st.none() | st.from_regex(r"[a-z0-9][a-z0-9._-]{0,63}", fullmatch=True), "website": st.sampled_from([None, ""]),
        "altcha": st.none() | st.text(max_size=8), "captcha": st.none() | st.text(max_size=8),
    },
)


@pytest.fixture
def schema(api) -> dict[str, Any]:
    return api.get("/openapi.json").json()["components"]["schemas"]["SignatureRequest"]


def refused_fields(body: dict[str, Any]) -> set[str]:
    """The fields a submission is refused on (none when it is kept)."""
    try:
        parse_signature(body, from_form=False)
    except DomainError as error:
        return {problem.field for problem in error.details}
    return set()


def text_of_length(name: str, length: int) -> str:
    if name == "email":
        # 64 + 1 + 63 + 1 + 63 + 1 + rest: an address with labels as long as DNS allows.
        return "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * (length - 193)
    return "n" * length


def test_every_documented_longest_value_is_kept_and_one_more_is_refused(schema):
    limited = {name: spec["maxLength"] for name, spec in schema["properties"].items() if "maxLength" in spec}
    assert {"name", "email", "organisation", "role", "comment", "altcha", "captcha"} <= set(limited)
    for name, limit in limited.items():
        assert refused_fields({**VALID, name: text_of_length(name, limit)}) == set(), name
        assert refused_fields({**VALID, name: text_of_length(name, limit + 1)}) == {name}, name


def test_what_the_document_requires_is_required_and_nothing_else_is_accepted(schema):
    assert schema["additionalProperties"] is False
    for name in schema["required"]:
        assert refused_fields({key: value for key, value in VALID.items() if key != name}) == {name}
    assert refused_fields({**VALID, "nickname": "Annie"}) == {"nickname"}
    assert set(schema["properties"]) == {field.name for field in dataclasses.fields(parse_signature(VALID, from_form=False))}


def test_each_field_takes_only_its_documented_type_and_choices(schema):
    for name, spec in schema["properties"].items():
        kinds = {option.get("type") for option in spec.get("anyOf", [spec])}
        wrong = "yes" if "boolean" in kinds else 5
        assert name in refused_fields({**VALID, name: wrong}), name
        for choice in spec.get("enum", []):
            assert name not in refused_fields({**VALID, name: choice}), (name, choice)
    assert refused_fields({**VALID, "signing_as": "committee"}) == {"signing_as"}


@FUZZ
@given(source=st.text(alphabet="abz09._-A \n", min_size=1, max_size=70))
def test_a_source_is_kept_exactly_when_the_documented_pattern_matches(schema, source):
    pattern = next(option["pattern"] for option in schema["properties"]["source"]["anyOf"] if "pattern" in option)
    documented = jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(source)
    assert ("source" not in refused_fields({**VALID, "source": source})) == documented


@FUZZ
@given(body=st.one_of(bodies, mostly_kept))
def test_whatever_a_submission_keeps_is_what_the_document_describes(schema, body):
    try:
        kept = parse_signature(body, from_form=False)
    except DomainError:
        return
    # Formats (`email`) are annotations in JSON Schema; an internationalised address is kept.
    assert jsonschema_rs.validator_for(schema).is_valid(json.loads(json.dumps(dataclasses.asdict(kept))))
