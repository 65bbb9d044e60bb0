"""A signer signs, confirms by email, is counted once, and may withdraw."""

from __future__ import annotations

ALICE = {"name": "Alice Adams", "email": "Alice@Example.org", "public": True, "organisation": "Shelter NGO"}


def sign(api, body=None, campaign="demo", **kwargs):
    return api.post(f"/campaigns/{campaign}/signatures", json_body=body or ALICE, **kwargs)


def verify(api, token):
    return api.post("/verify", json_body={"token": token})


def count(api, campaign="demo") -> int:
    return api.get(f"/campaigns/{campaign}/count").json()["count"]


def test_a_new_signer_gets_a_confirm_email_and_counts_once_verified(api, demo, mailbox, stream):
    answer = sign(api)
    assert answer.status == 202
    assert answer.text == '{"status":"pending_verification"}'
    mail = mailbox.last_to("Alice@example.org")
    assert "Confirm your signature" in mail.subject
    assert all(link.startswith("https://api.test/") for link in mail.links)
    stream.drain()
    assert count(api) == 0, "a pending signature is not counted"

    confirmed = verify(api, mail.token("/verify"))
    assert confirmed.status == 200
    assert confirmed.json() == {"status": "verified", "campaign_id": "demo"}
    stream.drain()
    assert count(api) == 1


def test_repeat_submission_never_counts_twice_and_answers_the_same(api, demo, mailbox, stream):
    first = sign(api)
    second = sign(api, {**ALICE, "email": "ALICE@example.ORG"})
    assert (first.status, first.text) == (second.status, second.text)
    verify(api, mailbox.last_to("ALICE@example.org").token("/verify"))
    third = sign(api)
    assert (third.status, third.text, third.headers) == (first.status, first.text, first.headers)
    assert "already signed" in mailbox.last_to("Alice@example.org").subject
    stream.drain()
    assert count(api) == 1


def test_repeating_the_verification_answers_already_verified(api, demo, mailbox, stream):
    sign(api)
    token = mailbox.last_to("Alice@example.org").token("/verify")
    assert verify(api, token).json()["status"] == "verified"
    assert verify(api, token).json() == {"status": "already_verified", "campaign_id": "demo"}
    stream.drain()
    assert count(api) == 1


def test_the_link_in_the_email_shows_a_button_and_changes_nothing(api, demo, mailbox, stream):
    sign(api)
    token = mailbox.last_to("Alice@example.org").token("/verify")
    page = api.get(f"/verify?token={token}")
    assert page.status == 200
    assert page.header("content-type").startswith("text/html")
    assert page.header("referrer-policy") == "no-referrer"
    assert '<form method="post" action="/verify">' in page.text
    stream.drain()
    assert count(api) == 0
    assert verify(api, token).json()["status"] == "verified", "the GET did not verify"


def test_verify_by_form_redirects_to_the_thank_you_page(api, demo, mailbox):
    sign(api)
    token = mailbox.last_to("Alice@example.org").token("/verify")
    answer = api.post("/verify", form={"token": token})
    assert answer.status == 303
    assert answer.header("location") == "https://coalition.example.org/thanks?status=verified"


def test_forged_or_empty_tokens_are_refused(api, demo, mailbox):
    sign(api)
    token = mailbox.last_to("Alice@example.org").token("/verify")
    payload, mac = token.split(".")
    forged = payload + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
    for bad in (forged, "", "nonsense", token + "x"):
        answer = api.post("/verify", json_body={"token": bad})
        assert answer.status == 400 and answer.json()["error"]["code"] == "invalid_token", bad
    withdraw_token = mailbox.last_to("Alice@example.org").token("/withdraw")
    assert verify(api, withdraw_token).status == 400, "a withdraw link cannot verify"


def test_an_expired_verification_link_answers_410(api, demo, mailbox, monkeypatch):
    import time

    sign(api)
    token = mailbox.last_to("Alice@example.org").token("/verify")
    later = time.time() + 8 * 86400
    monkeypatch.setattr("undersigned.campaign.datetime", _clock_at(later))
    answer = verify(api, token)
    assert answer.status == 410
    assert answer.json()["error"]["code"] == "token_expired"


def _clock_at(epoch: float):
    from datetime import datetime, timezone

    class FrozenDateTime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(epoch, tz or timezone.utc)

    return FrozenDateTime


def test_withdrawal_erases_the_signer_and_takes_the_signature_out_of_the_count(api, demo, mailbox, stream):
    import boto3

    sign(api)
    mail = mailbox.last_to("Alice@example.org")
    verify(api, mail.token("/verify"))
    stream.drain()
    assert count(api) == 1
    assert api.get("/campaigns/demo/signatories").json()["items"][0]["name"] == "Alice Adams"

    page = api.get(f"/withdraw?token={mail.token('/withdraw')}")
    assert page.status == 200 and "Withdraw my signature" in page.text
    answer = api.post("/withdraw", json_body={"token": mail.token("/withdraw")})
    assert (answer.status, answer.json()) == (200, {"status": "withdrawn"})
    again = api.post("/withdraw", json_body={"token": mail.token("/withdraw")})
    assert (again.status, again.json()) == (200, {"status": "withdrawn"})
    stream.drain()
    assert count(api) == 0
    assert api.get("/campaigns/demo/signatories").json()["items"] == []
    items = boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"]
    stored = " ".join(str(item) for item in items)
    for personal in ("Alice", "alice", "Shelter"):
        assert personal not in stored


def test_a_withdrawn_signer_can_sign_again_and_is_counted_once(api, demo, mailbox, stream):
    sign(api)
    first = mailbox.last_to("Alice@example.org")
    verify(api, first.token("/verify"))
    api.post("/withdraw", json_body={"token": first.token("/withdraw")})
    sign(api)
    second = mailbox.last_to("Alice@example.org")
    assert "Confirm" in second.subject
    assert verify(api, first.token("/verify")).status == 400, "the old link no longer applies"
    assert verify(api, second.token("/verify")).json()["status"] == "verified"
    stream.drain()
    assert count(api) == 1


def test_the_address_is_not_readable_from_the_table(api, demo, embedded_aws):
    import boto3

    sign(api, {**ALICE, "updates": False})
    items = boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"]
    assert len(items) == 1
    assert "alice@example.org" not in str(items).lower()


def test_the_address_is_kept_only_with_consent_to_updates(api, demo, embedded_aws):
    import boto3

    sign(api, {**ALICE, "email": "keep@example.org", "updates": True})
    items = boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"]
    assert [item["email"]["S"] for item in items] == ["keep@example.org"]


def test_no_personal_data_reaches_the_logs(api, demo, mailbox, stream, capfd, monkeypatch):
    import io

    from undersigned import mail as mail_module
    from undersigned.http import logger

    captured = io.StringIO()
    previous = logger.registered_handler.setStream(captured)
    logger.setLevel("DEBUG")

    sign(api, {**ALICE, "comment": "private words"}, source_ip="198.51.100.77")
    letter = mailbox.last_to("Alice@example.org")
    verify(api, letter.token("/verify"))
    stream.drain()
    api.post("/campaigns/demo/signatures", json_body={"name": "Bad", "email": "bad-address"})
    _trust_and_safety_steps(api, mailbox, stream)
    monkeypatch.setattr(mail_module, "send", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("alice@example.org")))
    sign(api, {**ALICE, "email": "second@example.org"}, source_ip="198.51.100.77")
    api.post("/withdraw", json_body={"token": letter.token("/withdraw")})
    logger.registered_handler.setStream(previous)
    logger.setLevel("INFO")
    logs = capfd.readouterr()
    written = (captured.getvalue() + logs.out + logs.err).lower()
    assert written, "the functions log something"
    for personal in (
        "alice", "example.org", "mailinator", "shelter", "private words", "198.51.100.77", "2001:db8:77",
        letter.token("/verify").lower(),
    ):
        assert personal not in written, personal


def _trust_and_safety_steps(api, mailbox, stream):
    """Every safety path, by the same caller and signer: proof of human refused and
    unavailable, quarantine, flood, a throwaway address, review, and retention."""
    import pytest

    from integration.conftest import DEMO
    from integration.safety_helpers import Clock, run_retention, signatures, stored_campaign
    from undersigned.campaign_file import put_campaign
    from undersigned.store.signatures import Signatures

    put_campaign({**DEMO, "id": "guarded", "human_check": "altcha", "burst_limit": 1})
    put_campaign({**DEMO, "id": "hosted", "human_check": "turnstile"})
    assert api.get("/campaigns/guarded/challenge", source_ip="198.51.100.77").status == 200
    refused = sign(api, {**ALICE, "altcha": "forged"}, campaign="guarded", source_ip="198.51.100.77")
    assert refused.status == 400
    flooded = [sign(api, ALICE, campaign="guarded", source_ip="198.51.100.77").status for _ in range(6)]
    assert flooded[-1] == 429
    for _ in range(2):
        sign(api, {**ALICE, "captcha": "token"}, campaign="hosted", source_ip="2001:db8:77::1")
    sign(api, {**ALICE, "email": "alice@mailinator.com", "comment": "private words"}, source_ip="198.51.100.77")
    verify(api, mailbox.last_to("alice@mailinator.com").token("/verify"))
    stream.drain()
    quarantined = next(item for item in signatures() if item["state"] == "quarantined")
    Signatures().release(stored_campaign(), quarantined["signer"], "2026-11-28T12:00:00Z", 1795867200.0)
    stream.drain()
    put_campaign({**DEMO, "id": "hosted", "human_check": "turnstile", "closed": True, "retention_days": 1})
    with pytest.MonkeyPatch.context() as later:
        Clock.at_next_hour(later).advance(2 * 86400)
        assert run_retention()["signatures"] == 1
    stream.drain()
