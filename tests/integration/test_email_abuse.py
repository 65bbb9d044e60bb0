"""Nobody can use the service to flood an inbox, sign twice under another spelling of
one address, or hide behind a throwaway mailbox."""

from __future__ import annotations

import pytest

from integration.conftest import DEMO
from integration.safety_helpers import Clock, count, only_signature, sign, signatures, verify
from undersigned.campaign_file import put_campaign
from undersigned.limits import MAILS_PER_ADDRESS_PER_DAY, MAILS_PER_SIGNATURE_PER_DAY

TARGET = {"name": "Tamara Target", "email": "tamara@example.org"}


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock.at_next_hour(monkeypatch)


def test_repeat_submissions_send_at_most_a_few_emails_a_day(api, demo, mailbox, clock):
    answers = [sign(api, TARGET) for _ in range(MAILS_PER_SIGNATURE_PER_DAY + 4)]
    assert {(answer.status, answer.text) for answer in answers} == {(202, '{"status":"pending_verification"}')}
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_SIGNATURE_PER_DAY
    clock.advance(86400)
    sign(api, TARGET)
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_SIGNATURE_PER_DAY + 1, "the cap is per day"


def test_one_address_gets_at_most_a_few_emails_a_day_across_campaigns(api, demo, mailbox, clock):
    for number in range(6):
        put_campaign({**DEMO, "id": f"letter-{number}"})
        for _ in range(3):
            sign(api, TARGET, campaign=f"letter-{number}")
    assert len(mailbox.to("tamara@example.org")) == MAILS_PER_ADDRESS_PER_DAY


def test_spellings_of_one_gmail_mailbox_make_one_signature_and_mail_goes_as_given(api, demo, mailbox, stream):
    sign(api, {"name": "Gina", "email": "gina.gold@gmail.com"})
    verify(api, mailbox, "gina.gold@gmail.com")
    again = sign(api, {"name": "Gina", "email": "GinaGold+again@googlemail.com"})
    assert again.status == 202
    assert len(signatures()) == 1
    repeat_mail = mailbox.last_to("GinaGold+again@googlemail.com")
    assert "already signed" in repeat_mail.subject, "sent to the address as typed"
    stream.drain()
    assert count(api) == 1


def test_a_plus_tag_elsewhere_is_another_mailbox(api, demo):
    sign(api, {"name": "Ann", "email": "ann@example.org"})
    sign(api, {"name": "Ann", "email": "ann+2@example.org"})
    assert len(signatures()) == 2


def test_a_throwaway_address_is_quarantined_by_default(api, demo, mailbox, stream):
    answer = sign(api, {"name": "Dan", "email": "dan@mailinator.com"})
    assert (answer.status, answer.text) == (202, '{"status":"pending_verification"}')
    verify(api, mailbox, "dan@mailinator.com")
    stream.drain()
    assert only_signature()["state"] == "quarantined"
    assert count(api) == 0


def test_a_campaign_may_refuse_throwaway_addresses(api, embedded_aws):
    put_campaign({**DEMO, "disposable_addresses": "refuse"})
    answer = sign(api, {"name": "Dan", "email": "dan@mailinator.com"})
    assert answer.status == 400
    assert answer.json()["error"]["details"][0]["field"] == "email"
    assert signatures() == []


def test_a_campaign_may_accept_them(api, embedded_aws, mailbox, stream):
    put_campaign({**DEMO, "disposable_addresses": "accept"})
    sign(api, {"name": "Dan", "email": "dan@mailinator.com"})
    verify(api, mailbox, "dan@mailinator.com")
    stream.drain()
    assert count(api) == 1
