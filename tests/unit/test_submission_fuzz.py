"""Fuzzing the submission model: whatever arrives, it is either refused field by field
(400 validation_error) or kept in a form that breaks no rule. Never anything else."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from submission_strategies import bodies, form_bodies, tricky_text
from undersigned.countries import COUNTRY_CODES
from undersigned.errors import DomainError
from undersigned.http_errors import answer_for
from undersigned.submission import FORMULA_PREFIXES, LOCALE_PATTERN, SOURCE_PATTERN, SignatureRequest, _URL, parse_signature


def _invisible_or_control(text: str, allow: str = "") -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in allow for ch in text)


def assert_keeps_every_rule(kept: SignatureRequest) -> None:
    assert 1 <= len(kept.name) <= 120 and kept.name == kept.name.strip()
    assert unicodedata.is_normalized("NFC", kept.name)
    assert not _invisible_or_control(kept.name)
    assert not kept.name.startswith(FORMULA_PREFIXES) and not _URL.search(kept.name)
    assert len(kept.email) <= 254 and "@" in kept.email
    assert kept.canonical_email == kept.canonical_email.lower()
    for value, limit in ((kept.organisation, 200), (kept.role, 120)):
        assert value is None or (0 < len(value) <= limit and not _invisible_or_control(value))
    assert kept.comment is None or (len(kept.comment) <= 1000 and not _invisible_or_control(kept.comment, "\n\t\r"))
    assert kept.country is None or kept.country in COUNTRY_CODES
    assert kept.source is None or re.match(SOURCE_PATTERN, kept.source)
    assert kept.locale is None or LOCALE_PATTERN.match(kept.locale)
    assert isinstance(kept.public, bool) and isinstance(kept.updates, bool)
    for proof in (kept.altcha, kept.captcha):
        assert proof is None or 0 < len(proof) <= 4096


def check(body: dict, from_form: bool) -> None:
    try:
        kept = parse_signature(body, from_form=from_form)
    except DomainError as error:
        assert (answer_for(error).status, answer_for(error).code) == (400, "validation_error")
        assert error.details and all(isinstance(problem.field, str) and problem.message for problem in error.details)
        return
    assert_keeps_every_rule(kept)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_any_json_object_is_refused_field_by_field_or_kept_within_the_rules(body):
    check(body, from_form=False)


@settings(max_examples=300, deadline=None, database=None)
@given(form_bodies)
def test_any_form_is_refused_field_by_field_or_kept_within_the_rules(body):
    check(body, from_form=True)


@settings(max_examples=300, deadline=None, database=None)
@given(name=tricky_text, email=st.emails() | tricky_text, comment=tricky_text)
# Found while writing this test: a zero-width space between a letter and its accent.
@example(name="Ze\u200b\u0301nya", email="z@example.org", comment="e\u200b\u0301")
def test_plausible_submissions_too(name, email, comment):
    check({"name": name, "email": email, "comment": comment}, from_form=False)
