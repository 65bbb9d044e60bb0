"""A signer meets one language from the form to the last page (CONTRACT v1.1, "The signer's
language"): the email, the page behind its link, the page after the button, the withdraw
pages, and a form post's thank-you and error pages. Over HTTP, through the template's routes."""

from __future__ import annotations

import html
import re

import boto3
import pytest

from undersigned.campaign_file import put_campaign

# What a reader of each language sees: the subject's start, the confirm page's heading and
# button, the page after confirming, the withdraw page's button and the page after it.
SEEN = {
    "en": ("Confirm your signature: ", "Confirm your signature", "Confirm my signature", "Your signature is confirmed and counted.", "Withdraw my signature", "Signature withdrawn"),
    "uk": ("Підтвердіть свій підпис: ", "Підтвердіть свій підпис", "Підтвердити підпис", "Ваш підпис підтверджено й враховано.", "Відкликати підпис", "Підпис відкликано"),
    "pl": ("Prosimy o potwierdzenie podpisu: ", "Potwierdzenie podpisu", "Potwierdzam podpis", "Podpis został potwierdzony i policzony.", "Wycofuję podpis", "Podpis wycofany"),
    "ro": ("Vă rugăm să vă confirmați semnătura: ", "Confirmați-vă semnătura", "Confirmați semnătura", "Semnătura dumneavoastră este confirmată și numărată.", "Retrageți semnătura", "Semnătură retrasă"),
    "de": ("Bitte bestätigen Sie Ihre Unterschrift: ", "Bitte bestätigen Sie Ihre Unterschrift", "Unterschrift bestätigen", "Ihre Unterschrift ist bestätigt und wird gezählt.", "Unterschrift zurückziehen", "Unterschrift zurückgezogen"),
    "fr": ("Confirmez votre signature\u00a0: ", "Confirmez votre signature", "Confirmer ma signature", "Votre signature est confirmée et comptée.", "Retirer ma signature", "Signature retirée"),
    "ar": ("يُرجى تأكيد توقيعك: ", "تأكيد توقيعك", "تأكيد توقيعي", "تم تأكيد توقيعك واحتسابه.", "سحب توقيعي", "تم سحب التوقيع"),
}


def html_tag(page: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', page)
    assert found, page[:200]
    return found.group(1), found.group(2)


def heading(page: str) -> str:
    return html.unescape(re.search(r"<h1>(.*?)</h1>", page).group(1))


def button(page: str) -> str:
    return html.unescape(re.search(r'<button type="submit">(.*?)</button>', page).group(1))


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the page's form, as a browser would post them."""
    return {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page)}


def expected_dir(lang: str) -> str:
    return "rtl" if lang == "ar" else "ltr"


@pytest.mark.parametrize("lang", sorted(SEEN))
def test_a_signer_signs_confirms_and_withdraws_in_their_language(api, demo, mailbox, lang):
    subject, title, confirm, confirmed, withdraw, withdrawn = SEEN[lang]
    address = f"signer-{lang}@example.org"
    signed = api.post("/campaigns/demo-private/signatures", json_body={"name": "Olena", "email": address, "locale": lang})
    assert signed.status == 202

    mail = mailbox.last_to(address)
    assert mail.subject == subject + "Protect people fleeing the war"
    assert html_tag(mail.html) == (lang, expected_dir(lang))

    page = api.get(f"/verify?token={mail.token('/verify')}")
    assert page.status == 200
    assert html_tag(page.text) == (lang, expected_dir(lang))
    assert (heading(page.text), button(page.text)) == (title, confirm)

    thanks = api.post("/verify", form=form_fields(page.text))
    assert thanks.status == 200
    assert html_tag(thanks.text) == (lang, expected_dir(lang))
    assert confirmed in html.unescape(thanks.text)

    withdraw_page = api.get(f"/withdraw?token={mail.token('/withdraw')}")
    assert html_tag(withdraw_page.text) == (lang, expected_dir(lang))
    assert button(withdraw_page.text) == withdraw
    gone = api.post("/withdraw", form=form_fields(withdraw_page.text))
    assert gone.status == 200
    assert (html_tag(gone.text), heading(gone.text)) == ((lang, expected_dir(lang)), withdrawn)


def test_a_form_post_without_a_locale_follows_accept_language(api, demo, mailbox):
    polish = {"accept-language": "en;q=0.3, pl-PL, pl;q=0.9"}
    answer = api.post("/campaigns/demo-private/signatures", form={"name": "Ola", "email": "ola@example.org"}, headers=polish)
    assert answer.status == 200
    assert html_tag(answer.text) == ("pl", "ltr")
    assert heading(answer.text) == "Prosimy sprawdzić skrzynkę e-mail"
    mail = mailbox.last_to("ola@example.org")
    assert mail.subject.startswith("Prosimy o potwierdzenie podpisu")
    # The link keeps the language, whatever the browser that opens it prefers.
    page = api.get(f"/verify?token={mail.token('/verify')}", headers={"accept-language": "de"})
    assert html_tag(page.text) == ("pl", "ltr")


def test_an_api_client_without_a_locale_gets_the_default_language_whatever_its_headers(api, demo, mailbox):
    """Accept-Language speaks for a person only on form posts (and pages); a server calling the
    API sends `locale` or gets the campaign's default."""
    api.post("/campaigns/demo/signatures", json_body={"name": "Ann", "email": "ann@example.org"}, headers={"accept-language": "uk"})
    assert mailbox.last_to("ann@example.org").subject.startswith("Confirm your signature")


def test_an_unsupported_locale_falls_back_to_the_form_posts_accept_language(api, demo, mailbox):
    api.post(
        "/campaigns/demo-private/signatures",
        form={"name": "Ion", "email": "ion@example.org", "locale": "es"},
        headers={"accept-language": "ro-RO,ro;q=0.9"},
    )
    assert mailbox.last_to("ion@example.org").subject.startswith("Vă rugăm să vă confirmați semnătura")


def test_a_failing_form_post_explains_itself_in_the_signers_language(api, demo):
    answer = api.post("/campaigns/demo/signatures", form={"name": "Олена", "email": "nope", "locale": "uk"})
    assert answer.status == 400
    assert html_tag(answer.text) == ("uk", "ltr")
    text = html.unescape(answer.text)
    assert heading(answer.text) == "Виникла проблема"
    assert "Введіть правильну адресу пошти, наприклад name@example.org" in text
    closed = api.post("/campaigns/demo-closed/signatures", form={"name": "A", "email": "a@example.org"}, headers={"accept-language": "ar"})
    assert closed.status == 410
    assert html_tag(closed.text) == ("ar", "rtl")
    assert "انتهت هذه الحملة ولم تعد تقبل التواقيع." in html.unescape(closed.text)


def test_a_broken_link_is_explained_in_the_browsers_language(api, demo):
    answer = api.get("/verify?token=forged.token", headers={"accept-language": "fr-CH, fr;q=0.9"})
    assert answer.status == 400
    assert html_tag(answer.text) == ("fr", "ltr")
    assert "Ce lien n’est pas valide." in html.unescape(answer.text)


def test_a_repeat_gets_you_have_already_signed_in_the_language_it_asks_for(api, demo, mailbox):
    api.post("/campaigns/demo/signatures", json_body={"name": "Olena", "email": "olena@example.org", "locale": "uk"})
    api.post("/verify", json_body={"token": mailbox.last_to("olena@example.org").token("/verify")})
    api.post("/campaigns/demo/signatures", json_body={"name": "Olena", "email": "olena@example.org", "locale": "uk"})
    again = mailbox.last_to("olena@example.org")
    assert again.subject == "Ви вже підписали: Protect people fleeing the war"
    assert "Ваш підпис уже враховано" in again.html


def test_an_organisers_own_texts_for_the_language_take_precedence(api, embedded_aws, mailbox):
    put_campaign({"id": "own-words", "title": "Лист", "statement": "s", "email_texts": {"uk": {"confirm_subject": "Наш лист: {title}"}}})
    api.post("/campaigns/own-words/signatures", json_body={"name": "Olena", "email": "o@example.org", "locale": "uk"})
    mail = mailbox.last_to("o@example.org")
    assert mail.subject == "Наш лист: Лист"
    assert "Підтвердити підпис" in mail.html, "the rest stays the service's Ukrainian"


class TestBadge:
    @staticmethod
    def set_count(campaign: str, count: int) -> None:
        boto3.client("dynamodb").update_item(
            TableName="undersigned-CountersTable",
            Key={"campaign_id": {"S": campaign}, "counter": {"S": "count"}},
            UpdateExpression="SET verified_count = :n",
            ExpressionAttributeValues={":n": {"N": str(count)}},
        )

    @pytest.mark.parametrize(
        ("lang", "count", "label", "value"),
        [
            ("uk", 1, "підпис", "1"),
            ("uk", 2, "підписи", "2"),
            ("uk", 5, "підписів", "5"),
            ("uk", 12345, "підписів", "12\u00a0345"),
            ("pl", 22, "podpisy", "22"),
            ("ar", 2, "توقيعان", "2"),
            ("de", 12345, "Unterschriften", "12.345"),
            ("xx", 12345, "signatures", "12,345"),
        ],
    )
    def test_the_label_and_count_are_in_the_language_asked_for(self, api, embedded_aws, lang, count, label, value):
        put_campaign({"id": "badge", "title": "B", "statement": "s"})
        self.set_count("badge", count)
        answer = api.get(f"/campaigns/badge/badge.svg?lang={lang}")
        assert answer.status == 200
        assert f">{label}<" in answer.text and f">{value}<" in answer.text

    def test_a_label_of_ones_own_stays_as_written(self, api, embedded_aws):
        put_campaign({"id": "badge", "title": "B", "statement": "s", "goal": 2000})
        self.set_count("badge", 1500)
        answer = api.get("/campaigns/badge/badge.svg?lang=fr&label=soutiens")
        assert ">soutiens<" in answer.text and ">1\u202f500 / 2\u202f000<" in answer.text
