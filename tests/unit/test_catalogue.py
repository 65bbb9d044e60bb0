"""The catalogue: every language says everything English says, with the same placeholders, in
the plural forms CLDR gives it; and the signer's language is chosen as the contract says."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from undersigned import catalogue

CONTRACT_LANGUAGES = {"en", "uk", "pl", "ro", "de", "fr", "ar"}
# In a plural message the number may be spelled out ("одного дня", "ليوم واحد") instead of shown.
COUNTED = {"n", "days"}


def messages(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every message by its dotted key; plural messages stay whole."""
    found = {}
    for key, value in tree.items():
        if isinstance(value, dict) and not catalogue.is_plural(value):
            found |= messages(value, f"{prefix}{key}.")
        else:
            found[prefix + key] = value
    return found


ENGLISH = messages(catalogue.strings("en"))


def english_placeholders(key: str) -> set[str]:
    message = ENGLISH[key]
    texts = message.values() if catalogue.is_plural(message) else [message]
    return set().union(*(catalogue.placeholders(text) for text in texts))


def test_the_contracts_languages_are_all_there():
    assert set(catalogue.LANGUAGES) == CONTRACT_LANGUAGES


@pytest.mark.parametrize("lang", catalogue.LANGUAGES)
def test_every_language_has_exactly_the_english_keys(lang):
    theirs = messages(catalogue.strings(lang))
    assert sorted(set(ENGLISH) - set(theirs)) == [], "missing"
    assert sorted(set(theirs) - set(ENGLISH)) == [], "not in English"


@pytest.mark.parametrize("lang", catalogue.LANGUAGES)
def test_placeholders_are_those_of_english(lang):
    for key, message in messages(catalogue.strings(lang)).items():
        wanted = english_placeholders(key)
        if catalogue.is_plural(message):
            for form, text in message.items():
                found = catalogue.placeholders(text)
                assert wanted - COUNTED <= found <= wanted, f"{lang}: {key}.{form} has {found}, English {wanted}"
        else:
            assert isinstance(message, str), f"{lang}: {key} is plural only in some languages"
            assert catalogue.placeholders(message) == wanted, f"{lang}: {key}"


@pytest.mark.parametrize("lang", catalogue.LANGUAGES)
def test_plural_messages_have_the_forms_cldr_gives_the_language(lang):
    plural_keys = {key for key, message in ENGLISH.items() if catalogue.is_plural(message)}
    assert {"widget.signatures", "email.confirm_expiry", "badge.label"} <= plural_keys
    for key in plural_keys:
        forms = set(messages(catalogue.strings(lang))[key])
        assert forms == catalogue.plural_categories(lang), f"{lang}: {key}"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("uk", {1: "1 підпис", 2: "2 підписи", 5: "5 підписів", 11: "11 підписів", 21: "21 підпис", 22: "22 підписи"}),
        ("pl", {1: "1 podpis", 2: "2 podpisy", 5: "5 podpisów", 12: "12 podpisów", 22: "22 podpisy", 25: "25 podpisów"}),
        ("ar", {0: "0 توقيع", 1: "توقيع واحد (1)", 2: "توقيعان (2)", 3: "3 توقيعات", 11: "11 توقيعًا", 100: "100 توقيع"}),
        ("ro", {1: "1 semnătură", 2: "2 semnături", 20: "20 de semnături"}),
    ],
)
def test_counts_take_the_plural_form_of_the_language(lang, expected):
    forms = catalogue.section(lang, "widget")["signatures"]
    for count, text in expected.items():
        assert catalogue.fill(catalogue.pick(lang, forms, count), n=count) == text


def test_numbers_and_dates_follow_the_language():
    assert catalogue.number("en", 12345) == "12,345"
    assert catalogue.number("de", 12345) == "12.345"
    assert catalogue.number("uk", 12345) == "12\u00a0345"
    assert catalogue.long_date("uk", date(2026, 12, 8)) == "8 грудня 2026\u202fр."
    assert catalogue.long_date("pl", date(2026, 12, 8)) == "8 grudnia 2026"
    assert catalogue.long_date("de", date(2026, 12, 8)) == "8. Dezember 2026"


def test_arabic_is_right_to_left_and_the_others_left_to_right():
    assert {lang: catalogue.direction(lang) for lang in catalogue.LANGUAGES} == {
        lang: "rtl" if lang == "ar" else "ltr" for lang in CONTRACT_LANGUAGES
    }


@pytest.mark.parametrize(
    ("locale", "accept_language", "default", "chosen"),
    [
        ("uk", "de-DE,de;q=0.9", "en", "uk"),  # the submission's locale first
        ("pl-PL", None, "en", "pl"),  # a region is fine
        ("pt-BR", "ro-RO,ro;q=0.9,en;q=0.5", "en", "ro"),  # unsupported locale: the header
        (None, "es-ES,es;q=0.9,fr;q=0.8,uk;q=0.9", "en", "uk"),  # by q-value, not by position
        (None, "es, pt", "pl", "pl"),  # nothing supported: the campaign's default
        (None, "uk;q=0", "en", "en"),  # q=0 means "not this one"
        ("xx", "not a header;;;", "zz", "en"),  # and English at the end
        (5, None, "de", "de"),  # a locale that is not text is no locale
    ],
)
def test_the_signers_language_is_chosen_as_the_contract_says(locale, accept_language, default, chosen):
    assert catalogue.choose(locale, accept_language, default) == chosen


def test_babel_loads_on_first_use_and_only_the_locale_asked_for():
    """Cold starts pay for Babel only when a function formats, and for one locale's data."""
    script = (
        "import sys, json; import undersigned.mail, undersigned.pages, undersigned.catalogue as c\n"
        "before = 'babel' in sys.modules\n"
        "c.pick('uk', {'one': 'a', 'few': 'b', 'many': 'c', 'other': 'd'}, 5); c.number('uk', 5)\n"
        "from babel import localedata\n"
        "print(json.dumps([before, sorted(localedata._cache)]))"
    )
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, loaded = json.loads(answer.stdout)
    assert before is False
    assert loaded == ["root", "uk"]
