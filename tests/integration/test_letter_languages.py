"""A letter in several languages: the organiser writes translations (admin API and the
`undersigned` tool), readers get the letter in theirs, signers' emails fall back to the
campaign's default language (CONTRACT v1.1, "The signer's language")."""

from __future__ import annotations

import json

import pytest

from integration.admin_client import Admin
from integration.test_cli import cli, server  # noqa: F401 - fixtures

LETTER = {
    "id": "safe-passage",
    "title": "Safe passage for people fleeing the war",
    "statement": "We call on every government to open safe routes.",
    "default_locale": "en",
    "public_signatories": True,
    "translations": {
        "uk": {"title": "Безпечний шлях для людей, які тікають від війни", "statement": "Ми закликаємо уряди відкрити безпечні маршрути."},
        "pl": {"title": "Bezpieczna droga dla uciekających przed wojną", "statement": "Wzywamy rządy do otwarcia bezpiecznych tras."},
    },
}


@pytest.fixture
def letter(embedded_aws) -> dict:
    created = Admin().post("/admin/campaigns", LETTER)
    assert created.status == 201, created.text
    return created.json()


def test_a_reader_asking_for_ukrainian_gets_the_ukrainian_letter(api, letter):
    answer = api.get("/campaigns/safe-passage?lang=uk").json()
    assert (answer["lang"], answer["title"]) == ("uk", LETTER["translations"]["uk"]["title"])
    assert answer["statement"] == LETTER["translations"]["uk"]["statement"]
    assert answer["languages"] == ["en", "pl", "uk"]


def test_without_lang_the_browsers_accept_language_chooses_and_caches_key_on_it(api, letter):
    answer = api.get("/campaigns/safe-passage", headers={"accept-language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert (answer.json()["lang"], answer.json()["title"]) == ("pl", LETTER["translations"]["pl"]["title"])
    assert "Accept-Language" in answer.headers.get("Vary", answer.headers.get("vary", ""))


def test_a_language_the_organiser_did_not_write_gets_the_default_language(api, letter):
    answer = api.get("/campaigns/safe-passage?lang=de").json()
    assert (answer["lang"], answer["title"]) == ("en", LETTER["title"])


def test_a_signer_who_gives_no_language_is_emailed_in_the_campaigns_default_language(api, embedded_aws, mailbox):
    Admin().post("/admin/campaigns", {**LETTER, "id": "lyst", "default_locale": "uk", "translations": None})
    assert api.post("/campaigns/lyst/signatures", json_body={"name": "Olena", "email": "olena@example.org"}).status == 202
    assert "підпис" in mailbox.last_to("olena@example.org").subject.lower()


@pytest.mark.parametrize(
    "settings",
    [
        {"default_locale": "xx"},
        {"translations": {"xx": {"title": "t", "statement": "s"}}},
        {"translations": {"uk": {"title": "only a title"}}},
        {"translations": {"uk": {"title": "", "statement": "s"}}},
    ],
)
def test_a_broken_translation_is_refused_naming_the_setting(embedded_aws, settings):
    answer = Admin().post("/admin/campaigns", {**LETTER, **settings})
    assert answer.status == 400 and answer.json()["error"]["code"] == "validation_error"
    assert {detail["field"] for detail in answer.json()["error"]["details"]} == set(settings)


def test_the_tool_publishes_a_translation_from_a_file(cli, api, letter, tmp_path):  # noqa: F811 - fixture
    romanian = {"translations": {**LETTER["translations"], "ro": {"title": "Drum sigur", "statement": "Cerem rute sigure."}}}
    changes = tmp_path / "ro.json"
    changes.write_text(json.dumps(romanian), encoding="utf-8")
    code, _, _ = cli("update", "safe-passage", str(changes))
    answer = api.get("/campaigns/safe-passage?lang=ro").json()
    assert code == 0 and (answer["lang"], answer["title"], answer["languages"]) == ("ro", "Drum sigur", ["en", "pl", "ro", "uk"])
    code, out, _ = cli("update", "safe-passage", "--set", "default_locale=uk")
    assert code == 0 and json.loads(out)["default_locale"] == "uk"


def test_the_email_and_the_page_behind_its_link_name_the_letter_in_the_signers_language(api, letter, mailbox):
    assert api.post("/campaigns/safe-passage/signatures", json_body={"name": "Olena", "email": "o@example.org", "locale": "uk"}).status == 202
    email = mailbox.last_to("o@example.org")
    uk_title = LETTER["translations"]["uk"]["title"]
    assert uk_title in email.subject
    page = api.get(f"/verify?token={email.token('/verify')}")
    assert uk_title in page.text and LETTER["title"] not in page.text
