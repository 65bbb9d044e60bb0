"""Nobody learns from the answer whether an address has signed: new, repeated, already
verified, quarantined, capped and bot submissions answer alike, in status, body and
every header. (Time is compared in benchmarks/enumeration_timing.py.)"""

from __future__ import annotations

from integration.conftest import DEMO
from integration.safety_helpers import Clock, sign, verify
from undersigned.campaign_file import put_campaign
from undersigned.limits import MAILS_PER_SIGNATURE_PER_DAY

KNOWN = {"name": "Known Signer", "email": "known@example.org"}
PARTNER = {"origin": "https://partner.example.org"}


def whole(answer) -> tuple:
    return answer.status, answer.text, tuple(sorted((key.lower(), value) for key, value in answer.headers.items()))


def json_sign(api, body, **kwargs):
    return sign(api, body, headers=PARTNER, **kwargs)


def form_sign(api, body, **kwargs):
    return api.post("/campaigns/demo/signatures", form={key: str(value) for key, value in body.items()}, **kwargs)


def every_kind_of_submission(api, mailbox, sign) -> dict[str, tuple]:
    answers = {"new": whole(sign(api, KNOWN))}
    answers["repeat while pending"] = whole(sign(api, KNOWN))
    verify(api, mailbox, "known@example.org")
    answers["already verified"] = whole(sign(api, KNOWN))
    answers["another spelling"] = whole(sign(api, {**KNOWN, "email": "KNOWN@Example.ORG"}))
    for _ in range(MAILS_PER_SIGNATURE_PER_DAY):
        sign(api, KNOWN)
    answers["over the mail cap"] = whole(sign(api, KNOWN))
    answers["throwaway mailbox"] = whole(sign(api, {**KNOWN, "email": "k@mailinator.com"}))
    answers["honeypot"] = whole(sign(api, {**KNOWN, "website": "http://spam"}))
    for _ in range(3):
        sign(api, {"name": "Busy", "email": "busy@example.org"}, source_ip="198.51.100.50")
    answers["over the rate limit"] = whole(sign(api, KNOWN, source_ip="198.51.100.50"))
    return answers


def test_json_answers_are_identical_in_body_and_headers(api, embedded_aws, mailbox, monkeypatch):
    Clock.at_next_hour(monkeypatch)  # one rate-limit window throughout
    put_campaign({**DEMO, "burst_limit": 2})
    answers = every_kind_of_submission(api, mailbox, json_sign)
    assert answers["new"][0] == 202
    assert {kind: answer for kind, answer in answers.items() if answer != answers["new"]} == {}


def test_form_answers_are_identical_too(api, embedded_aws, mailbox, monkeypatch):
    Clock.at_next_hour(monkeypatch)
    put_campaign({**DEMO, "burst_limit": 2})
    answers = every_kind_of_submission(api, mailbox, form_sign)
    assert answers["new"][0] == 303
    assert {kind: answer for kind, answer in answers.items() if answer != answers["new"]} == {}
