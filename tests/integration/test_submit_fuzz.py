"""Fuzzing the submit endpoint over HTTP: no body, content type or header yields a 5xx,
and nothing stored breaks a rule of the contract."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integration.safety_helpers import items
from submission_strategies import bodies, form_bodies, tricky_text
from undersigned.countries import COUNTRY_CODES
from undersigned.submission import FORMULA_PREFIXES, _URL

CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
     "text/plain", "application/json; charset=latin-1", "", "multipart/form-data; boundary=x"]
)
raw_bodies = st.one_of(
    bodies.map(json.dumps),
    st.binary(max_size=300),
    tricky_text,
    st.just("x" * (16 * 1024 + 1)),
)
FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STORED_TEXT_LIMITS = {"name": 120, "organisation": 200, "role": 120, "comment": 1000, "email": 254}


def assert_nothing_stored_breaks_a_rule() -> None:
    for item in items("SignaturesTable"):
        assert item["state"] in ("pending", "verified", "quarantined", "withdrawn", "discarded")
        for field, limit in STORED_TEXT_LIMITS.items():
            value = item.get(field)
            assert value is None or (isinstance(value, str) and 0 < len(value) <= limit), (field, value)
        name = item["name"]
        assert name.strip() == name and not name.startswith(FORMULA_PREFIXES) and not _URL.search(name)
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)
        assert item.get("country") is None or item["country"] in COUNTRY_CODES
        assert "altcha" not in item and "captcha" not in item and "website" not in item
        if not item.get("updates"):
            assert "email" not in item, "the address is kept only with consent"


@FUZZ
@given(body=raw_bodies, content_type=CONTENT_TYPES, origin=st.sampled_from([None, "https://partner.example.org", "https://evil.example"]))
def test_no_raw_body_yields_a_server_error(api, demo, body, content_type, origin):
    headers = {"content-type": content_type} if content_type else {}
    if origin:
        headers["origin"] = origin
    answer = api.post("/campaigns/demo/signatures", body=body, headers=headers)
    assert answer.status < 500, answer.text
    assert answer.status in (202, 303, 400, 403, 413, 415)
    assert_nothing_stored_breaks_a_rule()


@FUZZ
@given(form=form_bodies)
def test_no_form_yields_a_server_error(api, demo, form):
    answer = api.post("/campaigns/demo/signatures", form=form)
    assert answer.status in (200, 303, 400), answer.text
    assert_nothing_stored_breaks_a_rule()


@FUZZ
@given(body=bodies)
def test_no_json_object_yields_a_server_error(api, demo, body):
    answer = api.post("/campaigns/demo/signatures", json_body=body)
    assert answer.status in (202, 400), answer.text
    assert_nothing_stored_breaks_a_rule()
