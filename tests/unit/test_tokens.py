"""Email-link tokens: unforgeable, bound to one signature and purpose, expiring, rotatable."""

import pytest

from undersigned import tokens
from undersigned.errors import DomainError
from undersigned.http_errors import answer_for
from undersigned.keys import keys_from_secret

KEYS = keys_from_secret({"master_key": "current"})
NOW = 1_800_000_000


def verify_token(expires_at=NOW + 60, key_set=KEYS):
    return tokens.verify_token("demo", "signer-hash", "sid-1", expires_at, key_set)


def code_of(call) -> tuple[int, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return answer_for(caught.value).status, answer_for(caught.value).code


def test_a_genuine_token_gives_back_what_it_names():
    claims = tokens.read(verify_token(), tokens.VERIFY, KEYS, NOW)
    assert (claims.campaign_id, claims.signer, claims.signature_id) == ("demo", "signer-hash", "sid-1")


def test_an_expired_token_answers_410():
    assert code_of(lambda: tokens.read(verify_token(expires_at=NOW), tokens.VERIFY, KEYS, NOW)) == (410, "token_expired")


def test_a_token_for_another_purpose_is_invalid():
    assert code_of(lambda: tokens.read(verify_token(), tokens.WITHDRAW, KEYS, NOW)) == (400, "invalid_token")


def test_a_token_signed_with_another_key_is_invalid():
    other = keys_from_secret({"master_key": "someone-else"})
    assert code_of(lambda: tokens.read(verify_token(key_set=other), tokens.VERIFY, KEYS, NOW)) == (400, "invalid_token")


def test_tampering_with_the_payload_is_detected():
    genuine = verify_token()
    payload, mac = genuine.split(".")
    claims = tokens.read(genuine, tokens.VERIFY, KEYS, NOW)
    forged_payload = tokens.issue(tokens.TokenClaims("v", "demo", "other-signer", "sid-1", claims.expires_at), KEYS).split(".")[0]
    assert code_of(lambda: tokens.read(f"{forged_payload}.{mac}", tokens.VERIFY, KEYS, NOW))[1] == "invalid_token"


def test_links_sent_before_a_key_rotation_keep_working():
    old_keys = keys_from_secret({"master_key": "old"})
    rotated = keys_from_secret({"master_key": "new", "previous_master_key": "old"})
    sent_before = verify_token(key_set=old_keys)
    assert tokens.read(sent_before, tokens.VERIFY, rotated, NOW).signature_id == "sid-1"
    assert rotated.signer_id("a@example.org") == old_keys.signer_id("a@example.org"), "signers keep their key"


@pytest.mark.parametrize("junk", ["", ".", "a.b.c", "!!!.???", "x" * 600, "YQ.YQ"])
def test_junk_is_invalid_not_a_crash(junk):
    assert code_of(lambda: tokens.read(junk, tokens.VERIFY, KEYS, NOW)) == (400, "invalid_token")


def test_a_token_carries_the_language_of_its_email():
    token = tokens.verify_token("demo", "signer-hash", "sid-1", NOW + 60, KEYS, "uk")
    assert tokens.read(token, tokens.VERIFY, KEYS, NOW).lang == "uk"
    withdraw = tokens.withdraw_token("demo", "signer-hash", "sid-1", KEYS, "ar")
    assert tokens.read(withdraw, tokens.WITHDRAW, KEYS, NOW).lang == "ar"


def test_tokens_issued_before_languages_stay_valid():
    """Links in emails sent before the service spoke more than English (five fields) still work."""
    import base64
    import hashlib
    import hmac

    payload = f"v|demo|signer-hash|sid-1|{NOW + 60}".encode()
    mac = hmac.new(KEYS.token_keys[0], payload, hashlib.sha256).digest()[:16]
    encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    claims = tokens.read(f"{encode(payload)}.{encode(mac)}", tokens.VERIFY, KEYS, NOW)
    assert (claims.signature_id, claims.lang) == ("sid-1", "")
    assert tokens.verify_token("demo", "signer-hash", "sid-1", NOW + 60, KEYS) == f"{encode(payload)}.{encode(mac)}"


def test_the_language_cannot_be_changed_without_the_key():
    token = tokens.verify_token("demo", "signer-hash", "sid-1", NOW + 60, KEYS, "uk")
    payload, mac = token.split(".")
    swapped = tokens._b64(tokens._unb64(payload).replace(b"|uk", b"|ar"))
    assert code_of(lambda: tokens.read(f"{swapped}.{mac}", tokens.VERIFY, KEYS, NOW)) == (400, "invalid_token")
